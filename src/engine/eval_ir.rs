//! Evaluation of resolved expressions against an episode: the meaning of every builtin.

use std::borrow::Cow;

use serde_json::{Value as Json, json};

use super::ir::{Builtin, CaseField, Ex, Func, Target, Unit, V, Wire};
use super::machine::Machine;
use super::state::Episode;
use super::value::pct;
use crate::lang::{BinaryOp, valid_note_code};
use crate::wire::{Action, cents, usd};

/// Values bound by a hook, an event or the grade for the statements they run.
#[derive(Clone, Debug, Default)]
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

/// The action being taken: its declared index, the request, and the request's texts as
/// symbols (looked up once, not at every read).
#[derive(Clone, Copy)]
pub(super) struct Request<'a> {
    /// Index of the declared action.
    pub(super) index: usize,
    /// The request.
    pub(super) action: &'a Action,
    case_id: V,
    note_code: V,
    reason: V,
}

impl<'a> Request<'a> {
    /// The request `action` of the declared action `index`.
    pub(super) fn new(m: &Machine, index: usize, action: &'a Action) -> Self {
        let named = |text: &Option<String>, w: Wire| match text {
            Some(t) => m.symbols.get(t).map_or(V::Foreign(w), V::Sym),
            None => V::Null,
        };
        Request {
            index,
            action,
            case_id: named(&action.case_id, Wire::CaseId),
            note_code: named(&action.note_code, Wire::NoteCode),
            reason: action
                .escalation_reason
                .map_or(V::Null, |r| m.symbols.get(r.as_str()).map_or(V::Null, V::Sym)),
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
    pub(super) locals: Locals,
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
            locals: Locals::default(),
            response_pending: false,
            clock_after: ep.clock,
        }
    }

    /// Evaluates an expression.
    pub(super) fn eval(&self, ex: &Ex) -> V {
        match ex {
            Ex::Const(v) => *v,
            Ex::Get(b) => self.builtin(*b),
            Ex::Wire(w) => self.wire(*w),
            Ex::Case(f) => self.case_field(*f),
            Ex::Param(i) => {
                self.ep.world.cases[self.case].truth.1.get(*i).copied().unwrap_or(V::Null)
            }
            Ex::ResponseStatus(r) => V::Sym(self.ep.cases[self.case].responses[*r]),
            Ex::Not(e) => V::Bool(!self.eval(e).truthy()),
            Ex::Neg(e) => match self.eval(e) {
                V::Int(i) => i.checked_neg().map_or(V::Null, V::Int),
                V::Real(r) => V::Real(-r),
                other => other,
            },
            Ex::Binary(op, a, b) => self.binary(*op, a, b),
            Ex::If(parts) => {
                let [c, a, b] = &**parts;
                if self.eval(c).truthy() { self.eval(a) } else { self.eval(b) }
            }
            Ex::Call(f, args) => self.call(*f, args),
        }
    }

    fn binary(&self, op: BinaryOp, a: &Ex, b: &Ex) -> V {
        match op {
            BinaryOp::And => return V::Bool(self.eval(a).truthy() && self.eval(b).truthy()),
            BinaryOp::Or => return V::Bool(self.eval(a).truthy() || self.eval(b).truthy()),
            _ => {}
        }
        let (x, y) = (self.eval(a), self.eval(b));
        match op {
            BinaryOp::Eq => V::Bool(self.equal(x, y)),
            BinaryOp::Ne => V::Bool(!self.equal(x, y)),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let ordering = match (x, y) {
                    (V::Int(p), V::Int(q)) => Some(p.cmp(&q)),
                    (V::Null, _) | (_, V::Null) => None,
                    _ => x.real().partial_cmp(&y.real()),
                };
                V::Bool(ordering.is_some_and(|o| match op {
                    BinaryOp::Lt => o.is_lt(),
                    BinaryOp::Le => o.is_le(),
                    BinaryOp::Gt => o.is_gt(),
                    _ => o.is_ge(),
                }))
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => match (x, y) {
                // Overflow has no value, as in case data (`eval`).
                (V::Int(p), V::Int(q)) => match op {
                    BinaryOp::Add => p.checked_add(q),
                    BinaryOp::Sub => p.checked_sub(q),
                    _ => p.checked_mul(q),
                }
                .map_or(V::Null, V::Int),
                (V::Null, _) | (_, V::Null) => V::Null,
                _ => V::Real(match op {
                    BinaryOp::Add => x.real() + y.real(),
                    BinaryOp::Sub => x.real() - y.real(),
                    _ => x.real() * y.real(),
                }),
            },
            BinaryOp::Div => match y.real() {
                0.0 => V::Null,
                d => V::Real(x.real() / d),
            },
            BinaryOp::Range | BinaryOp::And | BinaryOp::Or => V::Null,
        }
    }

    /// Equality; texts from requests compare by their characters.
    fn equal(&self, x: V, y: V) -> bool {
        match (x, y) {
            (V::Foreign(_), _) | (_, V::Foreign(_)) => {
                !matches!(x, V::Null) && !matches!(y, V::Null) && self.text(x) == self.text(y)
            }
            (V::Int(p), V::Real(q)) | (V::Real(q), V::Int(p)) => p as f64 == q,
            _ => x == y,
        }
    }

    /// The characters of a name or text value (borrowed unless it is a number or a boolean).
    pub(super) fn text(&self, v: V) -> Cow<'a, str> {
        match v {
            V::Sym(s) => Cow::Borrowed(self.m.symbols.name(s)),
            V::Foreign(w) => Cow::Borrowed(match (w, self.action.map(|r| r.action)) {
                (Wire::CaseId, Some(a)) => a.case_id.as_deref().unwrap_or_default(),
                (Wire::NoteCode, Some(a)) => a.note_code.as_deref().unwrap_or_default(),
                _ => "",
            }),
            V::Int(i) => Cow::Owned(i.to_string()),
            V::Real(r) => Cow::Owned(r.to_string()),
            V::Bool(b) => Cow::Owned(b.to_string()),
            V::Null => Cow::Borrowed(""),
        }
    }

    /// The case a value names, if it names one.
    pub(super) fn case_of(&self, v: V) -> Option<usize> {
        let V::Sym(sym) = v else { return None };
        self.ep.world.cases.iter().position(|c| c.id == sym)
    }

    fn wire(&self, w: Wire) -> V {
        let Some(request) = self.action else { return V::Null };
        match w {
            Wire::CaseId => request.case_id,
            Wire::NoteCode => request.note_code,
            Wire::Expedite => V::Bool(request.action.expedite),
            Wire::EscalationReason => request.reason,
            // Too large to be cents: compare as "more than anything" rather than wrapping.
            Wire::RefundAmount => request
                .action
                .refund_amount_usd
                .map_or(V::Null, |a| V::Int(cents(a).unwrap_or(i64::MAX / 4))),
        }
    }

    fn case_field(&self, f: CaseField) -> V {
        let draw = &self.ep.world.cases[self.case];
        let names = &self.m.reset.cases[draw.index].names;
        match f {
            CaseField::Id => V::Sym(draw.id),
            CaseField::Title => names.title,
            CaseField::Type => names.kind,
            CaseField::Tier => names.tier,
            CaseField::Priority => names.priority,
            CaseField::OrderStatus => names.order_status,
            CaseField::FraudSignal => names.fraud_signal,
            CaseField::Sku => names.sku,
            CaseField::OrderValue => V::Int(draw.order_value),
            CaseField::Requested => draw.requested.map_or(V::Null, V::Int),
            CaseField::DaysSinceOrder => V::Int(draw.days_since_order),
            CaseField::SlaDeadline => V::Int(draw.sla_deadline),
            CaseField::SatisfactionBonus => V::Int(draw.satisfaction_bonus),
            CaseField::ReopenDelay => V::Int(draw.reopen_delay),
            CaseField::ChargebackDelay => V::Int(draw.chargeback_delay),
            CaseField::ChargebackFee => V::Int(draw.chargeback_fee),
            CaseField::Fraudulent => V::Bool(draw.fraudulent),
        }
    }

    fn builtin(&self, b: Builtin) -> V {
        use Builtin::*;
        let ep = self.ep;
        let limits = &self.m.scenario.limits;
        let record = &ep.cases[self.case];
        let draw = &ep.world.cases[self.case];
        let l = &self.locals;
        match b {
            Clock => V::Int(ep.clock),
            ClockAfter => V::Int(self.clock_after),
            TimeLimit => V::Int(limits.time_limit_minutes),
            Steps => V::Int(i64::from(ep.steps)),
            InvalidActions => V::Int(i64::from(ep.invalid)),
            MaxSteps => V::Int(limits.max_steps),
            InvalidLimit => V::Int(limits.invalid_action_limit),
            Spending => V::Int(ep.spending),
            Budget => V::Int(limits.budget_cents),
            AllClosed => V::Bool(ep.cases.iter().all(|c| c.status == self.m.status.closed)),
            ResponsePending => V::Bool(self.response_pending),
            ActiveCase => V::Sym(ep.world.cases[ep.active].id),
            Status => V::Sym(record.status),
            Paid => V::Int(record.paid_as.iter().sum()),
            Fees => V::Int(record.fees),
            Tolerance => V::Int(pct(draw.order_value, self.m.grade.tolerance_bp)),
            Resolution => {
                record.resolution.as_ref().map_or(V::Null, |r| V::Sym(self.m.truths[r.kind].name))
            }
            Truth => V::Sym(self.m.truths[draw.truth.0].name),
            ResolvedExpedite => V::Bool(record.resolution.as_ref().is_some_and(|r| r.expedite)),
            SlotFree => V::Bool(record.slot_free),
            AwaitingResponse => V::Bool(self.awaiting_response()),
            NoteRevealed => V::Bool(
                self.m.note_fact.is_some_and(|f| record.facts.iter().any(|(name, _)| *name == f)),
            ),
            Dissatisfied => V::Bool(self.dissatisfied()),
            ResolvedReason => record.resolution.as_ref().map_or(V::Null, |r| r.reason),
            Reopens => V::Int(i64::from(record.reopens)),
            MissingChecks => V::Int(i64::from(self.missing_checks())),
            RequiredNote => draw.required_note.map_or(V::Null, V::Sym),
            CloseReason => record.close_reason.map_or(V::Null, V::Sym),
            Action => self.action.map_or(V::Null, |r| V::Sym(self.m.actions[r.index].name)),
            Resolving => V::Bool(self.action.is_some_and(|r| self.m.actions[r.index].resolving)),
            Payout => match self.action {
                Some(r) if l.payout == 0 => {
                    self.m.actions[r.index].payout.as_ref().map_or(V::Int(0), |p| self.eval(p))
                }
                _ => V::Int(l.payout),
            },
            Payload => V::Int(l.payload),
            First => V::Bool(l.first),
            Check => V::Sym(self.m.checks[l.check].name),
            Scheduled => V::Bool(l.scheduled),
            Response => V::Sym(self.m.responses[l.response].name),
            Gate => V::Real(l.gate),
            Quality => V::Real(l.quality),
            QualityBefore => V::Real(l.quality_before),
            Grade => V::Real(l.grade),
            Outcome => V::Real(l.grade_parts[0]),
            Policy => V::Real(l.grade_parts[1]),
            Sla => V::Real(l.grade_parts[2]),
            Money => V::Real(l.grade_parts[3]),
            Closure => V::Real(l.grade_parts[4]),
        }
    }

    fn call(&self, f: Func, args: &[Ex]) -> V {
        let arg = |i: usize| args.get(i).map_or(V::Null, |a| self.eval(a));
        let record = &self.ep.cases[self.case];
        let draw = &self.ep.world.cases[self.case];
        match f {
            Func::Pct => match (arg(0), arg(1)) {
                (V::Int(x), V::Int(bp)) => V::Int(pct(x, bp)),
                _ => V::Null,
            },
            Func::Min | Func::Max => {
                let (a, b) = (arg(0), arg(1));
                let less = a.real() < b.real();
                if (f == Func::Min) == less { a } else { b }
            }
            Func::HasNote => {
                let code = self.text(arg(0));
                V::Bool(record.notes.iter().any(|n| **n == *code))
            }
            Func::ValidCode => V::Bool(valid_note_code(&self.text(arg(0)))),
            Func::CaseExists => V::Bool(self.case_of(arg(0)).is_some()),
            Func::StatusOf => {
                self.case_of(arg(0)).map_or(V::Null, |c| V::Sym(self.ep.cases[c].status))
            }
            Func::Stock => {
                let sku = self.text(arg(0));
                let index = self.m.scenario.stock.get_index_of(sku.as_ref());
                V::Int(index.map_or(0, |i| self.ep.stock[i]))
            }
            Func::ReplacementCost => {
                let base = self.eval(&self.m.replacement_cost).int().unwrap_or(0);
                V::Int(base + if arg(0).truthy() { self.m.expedite_fee } else { 0 })
            }
            Func::PaidAs(kind) => V::Int(record.paid_as.get(kind).copied().unwrap_or(0)),
            Func::Completed(t) => {
                V::Bool(self.check_of(t).is_some_and(|c| record.completed[c].is_some()))
            }
            Func::Revealed(t) => {
                V::Bool(self.check_of(t).is_some_and(|c| record.revealed & (1 << c) != 0))
            }
            Func::Received(t) => {
                V::Bool(self.response_of(t).is_some_and(|r| record.received[r].is_some()))
            }
            Func::Required(t) => V::Bool(match (self.check_of(t), self.response_of(t)) {
                (Some(c), _) => draw.required_checks & (1 << c) != 0,
                (_, Some(r)) => draw.required_responses & (1 << r) != 0,
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
            Some(note) => {
                let code = self.m.symbols.name(note);
                record.notes.iter().any(|n| **n == *code)
            }
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

    /// A value as the wire shows it.
    pub(super) fn to_json(&self, v: V, unit: Unit) -> Json {
        match (v, unit) {
            (V::Null, _) => Json::Null,
            (V::Int(c), Unit::Money) => json!(usd(c)),
            (V::Int(bp), Unit::Percent) => {
                if bp % 100 == 0 {
                    json!(bp / 100)
                } else {
                    json!(bp as f64 / 100.0)
                }
            }
            (V::Int(i), _) => json!(i),
            (V::Real(r), _) => json!(r),
            (V::Bool(b), _) => json!(b),
            (V::Sym(_) | V::Foreign(_), _) => json!(self.text(v)),
        }
    }
}
