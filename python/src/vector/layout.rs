//! The numeric observation: a fixed-size `f32` vector per episode, its size and fields derived
//! from the compiled scenario (its cases, statuses, checks, responses, blockers, events, truth
//! kinds, note codes, SKUs and facts). One function, [`encode`], both writes the vector and
//! describes its fields, so the published layout cannot drift from what is written.

use std::collections::HashMap;

use serde_json::Value as Json;
use shopops::engine::ir::{DataExpr, DrawPlan, Op, St, Sym};
use shopops::engine::value::Value;
use shopops::engine::view::{response_pending, shown_blockers, shown_events};
use shopops::engine::{Episode, Machine};
use shopops::wire::{CasePriority, CaseType, CustomerTier, FraudSignal, OrderStatus};

/// One field of the vector: `len` floats from `start`.
#[derive(Clone, Debug)]
pub(crate) struct Field {
    /// The field's name (`time_used`, `case.status`, `case.fact.days_late`...).
    pub(crate) name: String,
    /// The case of a per-case field (its id), `None` for the desk's fields.
    pub(crate) case: Option<String>,
    /// First index.
    pub(crate) start: usize,
    /// Number of floats.
    pub(crate) len: usize,
    /// What it holds.
    pub(crate) meaning: &'static str,
    /// How the value is scaled.
    pub(crate) scale: &'static str,
    /// What each float of a one-hot or flag field stands for (empty for a scalar).
    pub(crate) labels: Vec<String>,
}

/// The per-scenario vocabulary of the encoding, built once per machine.
#[derive(Debug)]
pub(crate) struct Vocab {
    /// Case statuses: the base ones, then each response's waiting status.
    statuses: Vec<Sym>,
    /// Per response, its declared statuses.
    responses: Vec<Vec<Sym>>,
    /// Per response, the name of its field (`case.<response>`).
    response_fields: Vec<String>,
    /// Every fact name the case data or the events can reveal, first seen first.
    facts: Vec<Sym>,
    /// The index into `facts` of each symbol (by symbol), `None` for symbols that are no fact.
    fact_slots: Vec<Option<usize>>,
    /// Note codes (the action table's).
    notes: Vec<String>,
    /// Names a text fact may take, for its categorical code: case ids, note codes, statuses,
    /// truth kinds, escalation reasons, close verdicts, SKUs, and the texts and symbols of the
    /// case data's facts and draw options.
    pub(crate) names: Vec<String>,
    codes: HashMap<String, usize>,
    /// Per scenario case: its type, priority, tier, order status and fraud signal, as indices
    /// into the wire enums.
    attributes: Vec<[Option<usize>; 5]>,
    /// Case ids in table order.
    cases: Vec<String>,
}

/// The wire enums of the case attributes, in the order of [`Vocab::attributes`].
const ATTRIBUTES: [(&str, &str); 5] = [
    ("type", "case.type"),
    ("priority", "case.priority"),
    ("tier", "case.tier"),
    ("order_status", "case.order_status"),
    ("fraud_signal", "case.fraud_signal"),
];

fn attribute_values(which: usize) -> Vec<&'static str> {
    match which {
        0 => CaseType::ALL.iter().map(|v| v.as_str()).collect(),
        1 => CasePriority::ALL.iter().map(|v| v.as_str()).collect(),
        2 => CustomerTier::ALL.iter().map(|v| v.as_str()).collect(),
        3 => OrderStatus::ALL.iter().map(|v| v.as_str()).collect(),
        _ => FraudSignal::ALL.iter().map(|v| v.as_str()).collect(),
    }
}

impl Vocab {
    /// The vocabulary of `m`, with the action table's note codes.
    pub(crate) fn new(m: &Machine, notes: &[String]) -> Self {
        let mut statuses =
            vec![m.status.open, m.status.resolved, m.status.closed, m.status.reopened];
        for response in &m.responses {
            if !statuses.contains(&response.waiting) {
                statuses.push(response.waiting);
            }
        }
        let program = &m.scenario.program;
        let responses = program
            .responses
            .values()
            .map(|r| r.statuses.iter().filter_map(|s| m.symbols.get(&s.name)).collect())
            .collect();
        let mut facts: Vec<Sym> = Vec::new();
        let mut add_fact = |sym: Sym| {
            if !facts.contains(&sym) {
                facts.push(sym);
            }
        };
        for plan in &m.reset.cases {
            let variant_groups = plan.variants.iter().flat_map(|(_, v)| &v.facts);
            for group in plan.facts.iter().chain(variant_groups) {
                group.facts.iter().filter_map(|(n, _)| m.symbols.get(n)).for_each(&mut add_fact);
            }
        }
        let bodies = m.events.iter().map(|e| &e.body).chain(m.hooks.iter().flatten());
        for body in bodies {
            walk_facts(body, &mut add_fact);
        }
        let cases: Vec<String> = m.reset.cases.iter().map(|c| c.id.clone()).collect();
        let mut names: Vec<String> = cases.clone();
        names.extend(notes.iter().cloned());
        let syms = statuses
            .iter()
            .chain(m.responses.iter().map(|r| &r.initial))
            .chain(m.truths.iter().map(|t| &t.name))
            .chain(m.verdict.iter().map(|(reason, _)| reason));
        names.extend(syms.map(|s| m.symbols.name(*s).to_string()));
        for r in program.responses.values() {
            names.extend(r.statuses.iter().map(|s| s.name.clone()));
        }
        names.extend(shopops::wire::EscalationReason::ALL.iter().map(|r| r.as_str().to_string()));
        names.extend(m.scenario.stock.keys().cloned());
        for plan in &m.reset.cases {
            let bound: Vec<&str> = plan
                .draws
                .iter()
                .map(|(n, _)| n.as_str())
                .chain(plan.lets.iter().map(|(n, _)| n.as_str()))
                .chain(["sku"])
                .collect();
            for (_, draw) in &plan.draws {
                if let DrawPlan::Options(options) = draw {
                    names.extend(options.iter().map(|(n, _)| n.clone()));
                }
            }
            let variant_groups = plan.variants.iter().flat_map(|(_, v)| &v.facts);
            for group in plan.facts.iter().chain(variant_groups) {
                for (_, expr) in &group.facts {
                    walk_names(expr, &bound, &mut names);
                }
            }
        }
        let mut codes = HashMap::new();
        names.retain(|n| {
            let fresh = !codes.contains_key(n);
            if fresh {
                codes.insert(n.clone(), codes.len());
            }
            fresh
        });
        let attributes = m
            .scenario
            .cases
            .iter()
            .map(|case| {
                std::array::from_fn(|which| {
                    let (key, _) = ATTRIBUTES[which];
                    let value = case.attributes.iter().find(|(a, _)| *a == key)?;
                    attribute_values(which).iter().position(|v| *v == value.1.name)
                })
            })
            .collect();
        let response_fields =
            m.responses.iter().map(|r| format!("case.{}", m.symbols.name(r.name))).collect();
        let mut fact_slots = vec![None; facts.iter().max().map_or(0, |s| *s as usize + 1)];
        for (i, sym) in facts.iter().enumerate() {
            fact_slots[*sym as usize] = Some(i);
        }
        Vocab {
            fact_slots,
            statuses,
            responses,
            response_fields,
            facts,
            notes: notes.to_vec(),
            names,
            codes,
            attributes,
            cases,
        }
    }
}

/// Names a case-data expression may evaluate to: its texts and the bare names it does not
/// bind (a bare name that names nothing is a symbol).
fn walk_names(expr: &DataExpr, bound: &[&str], names: &mut Vec<String>) {
    match expr {
        DataExpr::Const(Value::Text(t) | Value::Symbol(t)) => names.push(t.clone()),
        DataExpr::Name(n) if !bound.contains(&n.as_str()) => names.push(n.clone()),
        DataExpr::List(items) | DataExpr::Call(_, items) => {
            items.iter().for_each(|e| walk_names(e, bound, names));
        }
        DataExpr::Not(e) | DataExpr::Neg(e) => walk_names(e, bound, names),
        DataExpr::If(parts) => parts.iter().for_each(|e| walk_names(e, bound, names)),
        DataExpr::Binary(_, a, b) => {
            walk_names(a, bound, names);
            walk_names(b, bound, names);
        }
        DataExpr::Const(_) | DataExpr::Name(_) | DataExpr::Null => {}
    }
}

impl Vocab {
    /// The index of fact `name` in the fact fields.
    fn fact_slot(&self, name: Sym) -> Option<usize> {
        self.fact_slots.get(name as usize).copied().flatten()
    }
}

/// Fact names set by `fact` operations in a body (events and hooks).
fn walk_facts(body: &[St], add: &mut impl FnMut(Sym)) {
    for st in body {
        match st {
            St::If(_, then, otherwise) => {
                walk_facts(then, add);
                walk_facts(otherwise, add);
            }
            St::Op(Op::Fact { name, .. }, _) => add(*name),
            St::Op(..) | St::Reward { .. } => {}
        }
    }
}

/// What the last step left that the episode itself does not hold.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Last {
    /// The last step's reward (0 after a reset).
    pub(crate) reward: f64,
    /// Whether the last action was rule-invalid.
    pub(crate) refused: bool,
}

/// Where [`encode`] puts each field: a slice of the output, or a description.
pub(crate) trait Sink {
    /// A field of `len` floats; `fill` writes them (zeroed first), `labels` names them.
    fn field(
        &mut self,
        name: &str,
        meaning: &'static str,
        scale: &'static str,
        len: usize,
        labels: impl FnOnce() -> Vec<String>,
        fill: impl FnOnce(&mut [f32]),
    );

    /// A one-float field.
    fn scalar(&mut self, name: &str, meaning: &'static str, scale: &'static str, value: f64) {
        self.field(name, meaning, scale, 1, Vec::new, |out| out[0] = value as f32);
    }

    /// The per-case fields that follow belong to `case` (`None`: the desk's again).
    fn case(&mut self, case: Option<&str>);
}

/// Writes the vector into a byte slice, as little-endian `f32`s (what numpy reads).
pub(crate) struct Writer<'a> {
    out: &'a mut [u8],
    at: usize,
    scratch: Vec<f32>,
}

impl<'a> Writer<'a> {
    /// A writer over `out`, which must be exactly the vector's size in bytes.
    pub(crate) fn new(out: &'a mut [u8]) -> Self {
        Writer { out, at: 0, scratch: Vec::new() }
    }
}

impl Sink for Writer<'_> {
    fn field(
        &mut self,
        _: &str,
        _: &'static str,
        _: &'static str,
        len: usize,
        _: impl FnOnce() -> Vec<String>,
        fill: impl FnOnce(&mut [f32]),
    ) {
        self.scratch.clear();
        self.scratch.resize(len, 0.0);
        fill(&mut self.scratch);
        let bytes = &mut self.out[self.at * 4..(self.at + len) * 4];
        for (chunk, value) in bytes.chunks_exact_mut(4).zip(&self.scratch) {
            chunk.copy_from_slice(&value.to_le_bytes());
        }
        self.at += len;
    }

    fn case(&mut self, _: Option<&str>) {}
}

/// Records the fields instead of writing them.
#[derive(Default)]
pub(crate) struct Describer {
    pub(crate) fields: Vec<Field>,
    at: usize,
    case: Option<String>,
}

impl Describer {
    /// The vector's size.
    pub(crate) fn size(&self) -> usize {
        self.at
    }
}

impl Sink for Describer {
    fn field(
        &mut self,
        name: &str,
        meaning: &'static str,
        scale: &'static str,
        len: usize,
        labels: impl FnOnce() -> Vec<String>,
        _: impl FnOnce(&mut [f32]),
    ) {
        let labels = labels();
        debug_assert!(labels.is_empty() || labels.len() == len);
        let case = self.case.clone();
        self.fields.push(Field {
            name: name.into(),
            case,
            start: self.at,
            len,
            meaning,
            scale,
            labels,
        });
        self.at += len;
    }

    fn case(&mut self, case: Option<&str>) {
        self.case = case.map(str::to_string);
    }
}

fn ratio(x: i64, of: i64) -> f64 {
    if of == 0 { 0.0 } else { x as f64 / of as f64 }
}

fn flag(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Writes (or describes) the numeric observation of `ep`.
pub(crate) fn encode(m: &Machine, vocab: &Vocab, ep: &Episode, last: Last, sink: &mut impl Sink) {
    let limits = &m.scenario.limits;
    let n = ep.cases.len() as i64;
    sink.case(None);
    sink.scalar(
        "time_used",
        "minutes on the clock",
        "/ time limit",
        ratio(ep.clock, limits.time_limit_minutes),
    );
    sink.scalar(
        "steps",
        "steps taken",
        "/ max steps",
        ratio(i64::from(ep.steps), limits.max_steps),
    );
    sink.scalar(
        "invalid_actions",
        "rule-invalid steps",
        "/ invalid-action limit",
        ratio(i64::from(ep.invalid), limits.invalid_action_limit),
    );
    sink.scalar("budget_used", "money spent", "/ budget", ratio(ep.spending, limits.budget_cents));
    sink.scalar("satisfaction", "customer satisfaction", "0..1", ep.satisfaction as f64 / 10_000.0);
    let closed = ep.cases.iter().filter(|c| c.status == m.status.closed).count() as i64;
    let resolved = ep.cases.iter().filter(|c| c.resolution.is_some()).count() as i64;
    sink.scalar("closed_cases", "closed cases", "/ cases", ratio(closed, n));
    sink.scalar("resolved_cases", "cases with a resolution", "/ cases", ratio(resolved, n));
    sink.scalar(
        "reopened_cases",
        "reopen events fired",
        "/ cases",
        ratio(i64::from(ep.reopened_cases), n),
    );
    sink.scalar(
        "sla_breaches",
        "cases past their deadline",
        "/ cases",
        ratio(i64::from(ep.sla_breaches), n),
    );
    sink.scalar(
        "fraud_loss",
        "money lost to fraud",
        "/ budget",
        ratio(ep.fraud_loss, limits.budget_cents),
    );
    sink.scalar(
        "stockouts",
        "cases counted as stockouts",
        "/ cases",
        ratio(i64::from(ep.stockouts), n),
    );
    sink.field(
        "stock",
        "units in stock per SKU",
        "units",
        ep.stock.len(),
        || m.scenario.stock.keys().cloned().collect(),
        |out| {
            for (o, units) in out.iter_mut().zip(&ep.stock) {
                *o = *units as f32;
            }
        },
    );
    sink.scalar(
        "response_pending",
        "an answer is on its way (a hold is not wasted)",
        "0/1",
        flag(response_pending(m, ep)),
    );
    sink.scalar("last_reward", "the last step's reward (0 after a reset)", "reward", last.reward);
    sink.scalar("last_refused", "the last action was rule-invalid", "0/1", flag(last.refused));
    sink.field(
        "active_case",
        "the active case",
        "one-hot",
        vocab.cases.len(),
        || vocab.cases.clone(),
        |out| out[ep.active] = 1.0,
    );
    for (c, id) in vocab.cases.iter().enumerate() {
        sink.case(Some(id));
        encode_case(m, vocab, ep, c, sink);
    }
    sink.case(None);
}

/// The block of case `c` (table order).
fn encode_case(m: &Machine, vocab: &Vocab, ep: &Episode, c: usize, sink: &mut impl Sink) {
    let limits = &m.scenario.limits;
    let record = &ep.cases[c];
    let draw = &ep.world.cases[c];
    let name = |s: Sym| m.symbols.name(s).to_string();
    let value = draw.order_value;
    sink.field(
        "case.status",
        "the case's status",
        "one-hot",
        vocab.statuses.len(),
        || vocab.statuses.iter().map(|s| name(*s)).collect(),
        |out| {
            if let Some(i) = vocab.statuses.iter().position(|s| *s == record.status) {
                out[i] = 1.0;
            }
        },
    );
    sink.scalar(
        "case.sla_remaining",
        "minutes to the SLA deadline (0 once past)",
        "/ time limit",
        ratio((draw.sla_deadline - ep.clock).max(0), limits.time_limit_minutes),
    );
    sink.scalar("case.breached", "counted as an SLA breach", "0/1", flag(record.breached));
    sink.scalar(
        "case.order_value",
        "the order's value",
        "/ budget",
        ratio(value, limits.budget_cents),
    );
    sink.scalar(
        "case.requested",
        "compensation the customer asks for (0: none)",
        "/ order value",
        ratio(draw.requested.unwrap_or(0), value),
    );
    sink.scalar(
        "case.days_since_order",
        "days since the order",
        "/ 30",
        draw.days_since_order as f64 / 30.0,
    );
    let attributes = vocab.attributes.get(draw.index).copied().unwrap_or_default();
    for (which, (_, field)) in ATTRIBUTES.iter().enumerate() {
        let values = attribute_values(which);
        sink.field(
            field,
            "the case's attribute from the case data",
            "one-hot",
            values.len(),
            || values.iter().map(|v| v.to_string()).collect(),
            |out| {
                if let Some(i) = attributes[which] {
                    out[i] = 1.0;
                }
            },
        );
    }
    let sku = draw.sku;
    sink.scalar("case.has_sku", "the case has a replacement SKU", "0/1", flag(sku.is_some()));
    sink.scalar(
        "case.sku_units",
        "units in stock of its SKU",
        "units",
        sku.and_then(|s| ep.stock.get(s)).map_or(0.0, |u| *u as f64),
    );
    sink.field(
        "case.checks",
        "reviews completed",
        "flags",
        m.checks.len(),
        || m.checks.iter().map(|k| name(k.name)).collect(),
        |out| {
            for (o, done) in out.iter_mut().zip(&record.completed) {
                *o = flag(done.is_some()) as f32;
            }
        },
    );
    for (r, statuses) in vocab.responses.iter().enumerate() {
        sink.field(
            &vocab.response_fields[r],
            "a response's status (case.<response>)",
            "one-hot",
            statuses.len(),
            || {
                statuses
                    .iter()
                    .map(|s| format!("{}={}", name(m.responses[r].name), name(*s)))
                    .collect()
            },
            |out| {
                if let Some(i) = statuses.iter().position(|s| Some(s) == record.responses.get(r)) {
                    out[i] = 1.0;
                }
            },
        );
    }
    sink.field(
        "case.blockers",
        "blockers shown (unmet and visible)",
        "flags",
        m.blockers.len(),
        || m.blockers.iter().map(|b| b.name.clone()).collect(),
        |out| {
            for b in shown_blockers(m, ep, c) {
                out[b] = 1.0;
            }
        },
    );
    sink.field(
        "case.pending_events",
        "shown pending events, by event",
        "counts",
        m.events.len(),
        || m.events.iter().map(|e| name(e.name)).collect(),
        |out| {
            for e in shown_events(m, ep, c) {
                out[e] += 1.0;
            }
        },
    );
    sink.field(
        "case.notes",
        "note codes added",
        "flags",
        vocab.notes.len(),
        || vocab.notes.clone(),
        |out| {
            for (o, note) in out.iter_mut().zip(&vocab.notes) {
                *o = flag(record.notes.iter().any(|n| **n == **note)) as f32;
            }
        },
    );
    sink.field(
        "case.resolution",
        "the recorded resolution's kind",
        "one-hot",
        m.truths.len(),
        || m.truths.iter().map(|t| name(t.name)).collect(),
        |out| {
            if let Some(r) = &record.resolution {
                out[r.kind] = 1.0;
            }
        },
    );
    let paid: i64 = record.paid_as.iter().sum();
    sink.scalar("case.paid", "money paid on the case", "/ order value", ratio(paid, value));
    sink.scalar("case.reopens", "times reopened", "count", f64::from(record.reopens));
    sink.field(
        "case.facts_known",
        "facts revealed so far",
        "flags",
        vocab.facts.len(),
        || vocab.facts.iter().map(|f| name(*f)).collect(),
        |out| {
            for (name, _) in record.facts.iter() {
                if let Some(i) = vocab.fact_slot(*name) {
                    out[i] = 1.0;
                }
            }
        },
    );
    sink.field("case.facts", "revealed facts' values: numbers as on the wire (USD, whole percent, counts), true 1, a name its code (1 + index into `names`, -1 other text)", "wire value", vocab.facts.len(), || vocab.facts.iter().map(|f| name(*f)).collect(), |out| {
        for (name, fact) in record.facts.iter() {
            if let Some(i) = vocab.fact_slot(*name) {
                out[i] = fact_value(vocab, fact);
            }
        }
    });
}

/// A fact's wire value as one float.
fn fact_value(vocab: &Vocab, value: &Json) -> f32 {
    match value {
        Json::Number(x) => x.as_f64().unwrap_or(0.0) as f32,
        Json::Bool(b) => flag(*b) as f32,
        Json::String(s) => vocab.codes.get(s).map_or(-1.0, |i| (*i + 1) as f32),
        Json::Null | Json::Array(_) | Json::Object(_) => 0.0,
    }
}
