//! Evaluation of resolved expressions against an episode: the meaning of every builtin.

use std::borrow::Cow;

use serde_json::json;

use super::ir::{Builtin, CaseField, Expr, Func, Scalar, Target, Unit, Wire};
use super::known::{Keep, Known};
use super::machine::Machine;
use super::notes::{self, NoteKey};
use super::state::Episode;
use super::value::pct;
use crate::lang::{BinaryOp, valid_note_code};
use crate::wire::{Action, cents};

/// Values bound by a hook, an event or the grade for the statements they run.
#[derive(Clone, Debug)]
pub(super) struct Locals {
    /// `first` (on inspect).
    pub(super) first: bool,
    /// `check` (on inspect).
    pub(super) check: usize,
    /// `scheduled` (on request).
    pub(super) scheduled: bool,
    /// `response` (on request).
    pub(super) response: usize,
    /// `gate` (on resolve).
    pub(super) gate: f64,
    /// `quality` (on resolve).
    pub(super) quality: f64,
    /// `quality_before` (on resolve).
    pub(super) quality_before: f64,
    /// `grade` (on end).
    pub(super) grade: f64,
    /// `payout` (on payout).
    pub(super) payout: i64,
    /// `payload` (in events).
    pub(super) payload: i64,
    /// `outcome`, `policy`, `sla`, `money`, `closure` (grade components).
    pub(super) grade_parts: [f64; 5],
}

impl Locals {
    /// Nothing bound: what a frame outside a hook, an event or the grade reads.
    pub(super) const NONE: Locals = Locals {
        first: false,
        check: 0,
        scheduled: false,
        response: 0,
        gate: 0.0,
        quality: 0.0,
        quality_before: 0.0,
        grade: 0.0,
        payout: 0,
        payload: 0,
        grade_parts: [0.0; 5],
    };
}

/// The action being taken: its declared index, the request, and the request's texts as
/// symbols (looked up once, not at every read).
#[derive(Clone, Copy)]
pub(super) struct Request<'a> {
    /// Index of the declared action.
    pub(super) index: usize,
    /// The request.
    pub(super) action: &'a Action,
    case_id: Scalar,
    note_code: Scalar,
    reason: Scalar,
}

impl<'a> Request<'a> {
    /// The request `action` of the declared action `index`.
    pub(super) fn new(m: &Machine, index: usize, action: &'a Action) -> Self {
        let named = |text: &Option<String>, w: Wire| match text {
            Some(t) => m.symbols.get(t).map_or(Scalar::Foreign(w), Scalar::Sym),
            None => Scalar::Null,
        };
        Request {
            index,
            action,
            case_id: named(&action.case_id, Wire::CaseId),
            note_code: named(&action.note_code, Wire::NoteCode),
            reason: action.escalation_reason.map_or(Scalar::Null, |r| {
                m.symbols.get(r.as_str()).map_or(Scalar::Null, Scalar::Sym)
            }),
        }
    }
}

/// Everything an expression can read: the machine, the episode, the case at hand, the action
/// being taken and the locals of the statement's context.
pub(super) struct Frame<'a> {
    /// The scenario.
    pub(super) m: &'a Machine,
    /// The episode.
    pub(super) ep: &'a Episode,
    /// Index of the case at hand.
    pub(super) case: usize,
    /// The action being taken, if any.
    pub(super) action: Option<Request<'a>>,
    /// Locals.
    pub(super) locals: &'a Locals,
    /// Whether a response event was pending when the step began.
    pub(super) response_pending: bool,
    /// The clock once the step's cost is added.
    pub(super) clock_after: i64,
}

impl<'a> Frame<'a> {
    /// A frame on `case` with no action and default locals.
    pub(super) fn new(m: &'a Machine, ep: &'a Episode, case: usize) -> Self {
        Frame {
            m,
            ep,
            case,
            action: None,
            locals: &Locals::NONE,
            response_pending: false,
            clock_after: ep.clock,
        }
    }

    /// Evaluates an expression.
    pub(super) fn eval(&self, ex: &Expr) -> Scalar {
        match ex {
            Expr::Const(v) => *v,
            Expr::Get(b) => self.builtin(*b),
            Expr::Wire(w) => self.wire(*w),
            Expr::Case(f) => self.case_field(*f),
            Expr::Param(i) => {
                self.ep.world.cases[self.case].truth.1.get(*i).copied().unwrap_or(Scalar::Null)
            }
            Expr::ResponseStatus(r) => Scalar::Sym(self.ep.cases[self.case].responses[*r]),
            Expr::Not(e) => Scalar::Bool(!self.eval(e).truthy()),
            Expr::Neg(e) => match self.eval(e) {
                Scalar::Int(i) => i.checked_neg().map_or(Scalar::Null, Scalar::Int),
                Scalar::Real(r) => Scalar::Real(-r),
                other => other,
            },
            Expr::Binary(op, a, b) => self.binary(*op, a, b),
            Expr::If(parts) => {
                let [c, a, b] = &**parts;
                if self.eval(c).truthy() { self.eval(a) } else { self.eval(b) }
            }
            Expr::Call(f, args) => self.call(*f, args),
        }
    }

    /// Evaluates an operand: a constant in place, anything else through [`Frame::eval`] (most
    /// comparisons have a constant side, and this spares them a call).
    #[inline(always)]
    fn operand(&self, ex: &Expr) -> Scalar {
        match ex {
            Expr::Const(v) => *v,
            _ => self.eval(ex),
        }
    }

    fn binary(&self, op: BinaryOp, a: &Expr, b: &Expr) -> Scalar {
        match op {
            BinaryOp::And => return Scalar::Bool(self.eval(a).truthy() && self.eval(b).truthy()),
            BinaryOp::Or => return Scalar::Bool(self.eval(a).truthy() || self.eval(b).truthy()),
            _ => {}
        }
        let (x, y) = (self.operand(a), self.operand(b));
        match op {
            BinaryOp::Eq => Scalar::Bool(self.equal(x, y)),
            BinaryOp::Ne => Scalar::Bool(!self.equal(x, y)),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let ordering = match (x, y) {
                    (Scalar::Int(p), Scalar::Int(q)) => Some(p.cmp(&q)),
                    (Scalar::Null, _) | (_, Scalar::Null) => None,
                    _ => x.real().partial_cmp(&y.real()),
                };
                Scalar::Bool(ordering.is_some_and(|o| match op {
                    BinaryOp::Lt => o.is_lt(),
                    BinaryOp::Le => o.is_le(),
                    BinaryOp::Gt => o.is_gt(),
                    _ => o.is_ge(),
                }))
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => match (x, y) {
                // Overflow has no value, as in case data (`eval`).
                (Scalar::Int(p), Scalar::Int(q)) => match op {
                    BinaryOp::Add => p.checked_add(q),
                    BinaryOp::Sub => p.checked_sub(q),
                    _ => p.checked_mul(q),
                }
                .map_or(Scalar::Null, Scalar::Int),
                (Scalar::Null, _) | (_, Scalar::Null) => Scalar::Null,
                _ => Scalar::Real(match op {
                    BinaryOp::Add => x.real() + y.real(),
                    BinaryOp::Sub => x.real() - y.real(),
                    _ => x.real() * y.real(),
                }),
            },
            BinaryOp::Div => match y.real() {
                0.0 => Scalar::Null,
                d => Scalar::Real(x.real() / d),
            },
            BinaryOp::Range | BinaryOp::And | BinaryOp::Or => Scalar::Null,
        }
    }

    /// Equality; texts from requests compare by their characters.
    fn equal(&self, x: Scalar, y: Scalar) -> bool {
        match (x, y) {
            (Scalar::Foreign(_), _) | (_, Scalar::Foreign(_)) => {
                !matches!(x, Scalar::Null)
                    && !matches!(y, Scalar::Null)
                    && self.text(x) == self.text(y)
            }
            (Scalar::Int(p), Scalar::Real(q)) | (Scalar::Real(q), Scalar::Int(p)) => p as f64 == q,
            _ => x == y,
        }
    }

    /// The characters of a name or text value (borrowed unless it is a number or a boolean).
    pub(super) fn text(&self, v: Scalar) -> Cow<'a, str> {
        match v {
            Scalar::Sym(s) => Cow::Borrowed(self.m.symbols.name(s)),
            Scalar::Foreign(w) => Cow::Borrowed(match (w, self.action.map(|r| r.action)) {
                (Wire::CaseId, Some(a)) => a.case_id.as_deref().unwrap_or_default(),
                (Wire::NoteCode, Some(a)) => a.note_code.as_deref().unwrap_or_default(),
                _ => "",
            }),
            Scalar::Int(i) => Cow::Owned(i.to_string()),
            Scalar::Real(r) => Cow::Owned(r.to_string()),
            Scalar::Bool(b) => Cow::Owned(b.to_string()),
            Scalar::Null => Cow::Borrowed(""),
        }
    }

    /// The note code a value names, given its text ([`Frame::text`]): a symbol names itself,
    /// a request's text outside the scenario's names is no symbol, any other text is looked up.
    pub(super) fn note_key<'t>(&self, v: Scalar, text: &'t str) -> NoteKey<'t> {
        match v {
            Scalar::Sym(sym) => NoteKey::Sym(sym),
            Scalar::Foreign(_) => NoteKey::Other(text),
            Scalar::Int(_) | Scalar::Real(_) | Scalar::Bool(_) | Scalar::Null => {
                NoteKey::of(&self.m.symbols, text)
            }
        }
    }

    /// The case a value names, if it names one.
    pub(super) fn case_of(&self, v: Scalar) -> Option<usize> {
        let Scalar::Sym(sym) = v else { return None };
        self.ep.world.cases.iter().position(|c| c.id == sym)
    }

    fn wire(&self, w: Wire) -> Scalar {
        let Some(request) = self.action else { return Scalar::Null };
        match w {
            Wire::CaseId => request.case_id,
            Wire::NoteCode => request.note_code,
            Wire::Expedite => Scalar::Bool(request.action.expedite),
            Wire::EscalationReason => request.reason,
            // Too large to be cents: compare as "more than anything" rather than wrapping.
            Wire::RefundAmount => request
                .action
                .refund_amount_usd
                .map_or(Scalar::Null, |a| Scalar::Int(cents(a).unwrap_or(i64::MAX / 4))),
        }
    }

    fn case_field(&self, f: CaseField) -> Scalar {
        let draw = &self.ep.world.cases[self.case];
        let names = &self.m.reset.cases[draw.index].names;
        match f {
            CaseField::Id => Scalar::Sym(draw.id),
            CaseField::Title => names.title,
            CaseField::Type => names.kind,
            CaseField::Tier => names.tier,
            CaseField::Priority => names.priority,
            CaseField::OrderStatus => names.order_status,
            CaseField::FraudSignal => names.fraud_signal,
            CaseField::Sku => names.sku,
            CaseField::OrderValue => Scalar::Int(draw.order_value),
            CaseField::Requested => draw.requested.map_or(Scalar::Null, Scalar::Int),
            CaseField::DaysSinceOrder => Scalar::Int(draw.days_since_order),
            CaseField::SlaDeadline => Scalar::Int(draw.sla_deadline),
            CaseField::SatisfactionBonus => Scalar::Int(draw.satisfaction_bonus),
            CaseField::ReopenDelay => Scalar::Int(draw.reopen_delay),
            CaseField::ChargebackDelay => Scalar::Int(draw.chargeback_delay),
            CaseField::ChargebackFee => Scalar::Int(draw.chargeback_fee),
            CaseField::Fraudulent => Scalar::Bool(draw.fraudulent),
        }
    }

    fn builtin(&self, b: Builtin) -> Scalar {
        use Builtin::*;
        let ep = self.ep;
        let limits = &self.m.scenario.limits;
        // Looked up by the builtins that read them only (each lookup is bounds-checked).
        let record = || &ep.cases[self.case];
        let draw = || &ep.world.cases[self.case];
        let l = self.locals;
        match b {
            Clock => Scalar::Int(ep.clock),
            ClockAfter => Scalar::Int(self.clock_after),
            TimeLimit => Scalar::Int(limits.time_limit_minutes),
            Steps => Scalar::Int(i64::from(ep.steps)),
            InvalidActions => Scalar::Int(i64::from(ep.invalid)),
            MaxSteps => Scalar::Int(limits.max_steps),
            InvalidLimit => Scalar::Int(limits.invalid_action_limit),
            Spending => Scalar::Int(ep.spending),
            Budget => Scalar::Int(limits.budget_cents),
            AllClosed => Scalar::Bool(ep.cases.iter().all(|c| c.status == self.m.status.closed)),
            ResponsePending => Scalar::Bool(self.response_pending),
            ActiveCase => Scalar::Sym(ep.world.cases[ep.active].id),
            Status => Scalar::Sym(record().status),
            Paid => Scalar::Int(record().paid_as.iter().sum()),
            Fees => Scalar::Int(record().fees),
            Tolerance => Scalar::Int(pct(draw().order_value, self.m.grade.tolerance_bp)),
            Resolution => record()
                .resolution
                .as_ref()
                .map_or(Scalar::Null, |r| Scalar::Sym(self.m.truths[r.kind].name)),
            Truth => Scalar::Sym(self.m.truths[draw().truth.0].name),
            ResolvedExpedite => {
                Scalar::Bool(record().resolution.as_ref().is_some_and(|r| r.expedite))
            }
            SlotFree => Scalar::Bool(record().slot_free),
            AwaitingResponse => Scalar::Bool(self.awaiting_response()),
            NoteRevealed => {
                Scalar::Bool(self.m.note_fact.is_some_and(|f| record().facts.value(f).is_some()))
            }
            Dissatisfied => Scalar::Bool(self.dissatisfied()),
            ResolvedReason => record().resolution.as_ref().map_or(Scalar::Null, |r| r.reason),
            Reopens => Scalar::Int(i64::from(record().reopens)),
            MissingChecks => Scalar::Int(i64::from(self.missing_checks())),
            RequiredNote => draw().required_note.map_or(Scalar::Null, Scalar::Sym),
            CloseReason => record().close_reason.map_or(Scalar::Null, Scalar::Sym),
            Action => {
                self.action.map_or(Scalar::Null, |r| Scalar::Sym(self.m.actions[r.index].name))
            }
            Resolving => {
                Scalar::Bool(self.action.is_some_and(|r| self.m.actions[r.index].resolving))
            }
            Payout => match self.action {
                Some(r) if l.payout == 0 => {
                    self.m.actions[r.index].payout.as_ref().map_or(Scalar::Int(0), |p| self.eval(p))
                }
                _ => Scalar::Int(l.payout),
            },
            Payload => Scalar::Int(l.payload),
            First => Scalar::Bool(l.first),
            Check => Scalar::Sym(self.m.checks[l.check].name),
            Scheduled => Scalar::Bool(l.scheduled),
            Response => Scalar::Sym(self.m.responses[l.response].name),
            Gate => Scalar::Real(l.gate),
            Quality => Scalar::Real(l.quality),
            QualityBefore => Scalar::Real(l.quality_before),
            Grade => Scalar::Real(l.grade),
            Outcome => Scalar::Real(l.grade_parts[0]),
            Policy => Scalar::Real(l.grade_parts[1]),
            Sla => Scalar::Real(l.grade_parts[2]),
            Money => Scalar::Real(l.grade_parts[3]),
            Closure => Scalar::Real(l.grade_parts[4]),
        }
    }

    fn call(&self, f: Func, args: &[Expr]) -> Scalar {
        let arg = |i: usize| args.get(i).map_or(Scalar::Null, |a| self.eval(a));
        // Looked up by the functions that read them only (each lookup is bounds-checked).
        let record = || &self.ep.cases[self.case];
        let draw = || &self.ep.world.cases[self.case];
        match f {
            Func::Pct => match (arg(0), arg(1)) {
                (Scalar::Int(x), Scalar::Int(bp)) => Scalar::Int(pct(x, bp)),
                _ => Scalar::Null,
            },
            Func::Min | Func::Max => {
                let (a, b) = (arg(0), arg(1));
                let less = a.real() < b.real();
                if (f == Func::Min) == less { a } else { b }
            }
            Func::HasNote => {
                let text = self.text(arg(0));
                Scalar::Bool(notes::has(&record().notes, self.note_key(arg(0), &text)))
            }
            Func::ValidCode => Scalar::Bool(valid_note_code(&self.text(arg(0)))),
            Func::CaseExists => Scalar::Bool(self.case_of(arg(0)).is_some()),
            Func::StatusOf => {
                self.case_of(arg(0)).map_or(Scalar::Null, |c| Scalar::Sym(self.ep.cases[c].status))
            }
            Func::Stock => {
                let sku = self.text(arg(0));
                let index = self.m.scenario.stock.get_index_of(sku.as_ref());
                Scalar::Int(index.map_or(0, |i| self.ep.stock[i]))
            }
            Func::ReplacementCost => {
                let base = self.eval(&self.m.replacement_cost).int().unwrap_or(0);
                Scalar::Int(base + if arg(0).truthy() { self.m.expedite_fee } else { 0 })
            }
            Func::PaidAs(kind) => Scalar::Int(record().paid_as.get(kind).copied().unwrap_or(0)),
            Func::Completed(t) => {
                Scalar::Bool(self.check_of(t).is_some_and(|c| record().completed[c].is_some()))
            }
            Func::Revealed(t) => {
                Scalar::Bool(self.check_of(t).is_some_and(|c| record().is_revealed(c)))
            }
            Func::Received(t) => {
                Scalar::Bool(self.response_of(t).is_some_and(|r| record().received[r].is_some()))
            }
            Func::Required(t) => Scalar::Bool(match (self.check_of(t), self.response_of(t)) {
                (Some(c), _) => draw().required_checks & (1 << c) != 0,
                (_, Some(r)) => draw().required_responses & (1 << r) != 0,
                _ => false,
            }),
        }
    }

    fn check_of(&self, t: Target) -> Option<usize> {
        match t {
            Target::Check(c) => Some(c),
            Target::CheckLocal => Some(self.locals.check),
            Target::Response(_) | Target::ResponseLocal => None,
        }
    }

    fn response_of(&self, t: Target) -> Option<usize> {
        match t {
            Target::Response(r) => Some(r),
            Target::ResponseLocal => Some(self.locals.response),
            Target::Check(_) | Target::CheckLocal => None,
        }
    }

    /// Required checks not completed.
    pub(super) fn missing_checks(&self) -> u32 {
        let record = &self.ep.cases[self.case];
        let required = self.ep.world.cases[self.case].required_checks;
        (0..record.completed.len())
            .filter(|&c| required & (1 << c) != 0 && record.completed[c].is_none())
            .count() as u32
    }

    /// Some required response has not arrived.
    pub(super) fn awaiting_response(&self) -> bool {
        let record = &self.ep.cases[self.case];
        let required = self.ep.world.cases[self.case].required_responses;
        (0..record.received.len()).any(|r| required & (1 << r) != 0 && record.received[r].is_none())
    }

    /// The required note is present now (true when none is required).
    pub(super) fn required_note_present(&self) -> bool {
        let record = &self.ep.cases[self.case];
        match self.ep.world.cases[self.case].required_note {
            Some(note) => notes::has(&record.notes, NoteKey::Sym(note)),
            None => true,
        }
    }

    /// Outcome `O` of the graded (latest) resolution under the case's truth (0 without one).
    pub(super) fn outcome(&self) -> f64 {
        if self.ep.cases[self.case].resolution.is_none() {
            return 0.0;
        }
        let truth = &self.m.truths[self.ep.world.cases[self.case].truth.0];
        truth
            .outcomes
            .iter()
            .find(|(_, when)| self.eval(when).truthy())
            .map_or(0.0, |(v, _)| self.eval(v).real())
    }

    /// `Q`: the outcome when acceptable, else 0.
    pub(super) fn quality(&self) -> f64 {
        let o = self.outcome();
        if o >= self.m.grade.accept { o } else { 0.0 }
    }

    /// Gate `G`: share of required checks completed before the graded resolution.
    pub(super) fn gate(&self) -> f64 {
        let record = &self.ep.cases[self.case];
        let Some(resolution) = &record.resolution else { return 0.0 };
        let required = self.ep.world.cases[self.case].required_checks;
        let total = required.count_ones();
        if total == 0 {
            return 1.0;
        }
        let done = (0..record.completed.len())
            .filter(|&c| {
                required & (1 << c) != 0 && record.completed[c].is_some_and(|s| s < resolution.step)
            })
            .count();
        done as f64 / f64::from(total)
    }

    /// The customer is dissatisfied by the graded resolution.
    pub(super) fn dissatisfied(&self) -> bool {
        if self.ep.cases[self.case].resolution.is_none() {
            return false;
        }
        let truth = &self.m.truths[self.ep.world.cases[self.case].truth.0];
        truth.dissatisfied.iter().any(|c| self.eval(c).truthy())
    }

    /// A value as a fact keeps it.
    pub(super) fn keep(&self, v: Scalar, unit: Unit) -> Keep {
        Keep::Known(match (v, unit) {
            (Scalar::Null, _) => Known::Null,
            (Scalar::Int(c), Unit::Money) => Known::Money(c),
            (Scalar::Int(bp), Unit::Percent) => Known::Percent(bp),
            (Scalar::Int(i), _) => Known::Int(i),
            (Scalar::Real(r), _) => Known::Real(r),
            (Scalar::Bool(b), _) => Known::Bool(b),
            (Scalar::Sym(s), _) => Known::Sym(s),
            (Scalar::Foreign(_), _) => {
                let text = self.text(v);
                match self.m.symbols.get(&text) {
                    Some(sym) => Known::Sym(sym),
                    None => return Keep::Json(json!(text)),
                }
            }
        })
    }
}
