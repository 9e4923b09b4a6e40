//! The numeric observation: a fixed-size `f32` vector per episode, its size and fields derived
//! from the compiled scenario (its cases, statuses, checks, responses, blockers, events, truth
//! kinds, note codes, SKUs and facts). One function, [`encode`], both writes the vector and
//! describes its fields (through a [`Sink`]), so the published layout cannot drift from what is
//! written.

use shopops::engine::ir::Sym;
use shopops::engine::known::Wired;
use shopops::engine::notes::{self, NoteKey};
use shopops::engine::query::{response_pending, shown_blockers, shown_events};
use shopops::engine::{Episode, Machine};

use super::sink::Sink;
use super::vocab::{ATTRIBUTES, Vocab};

/// What the last step left that the episode itself does not hold.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Last {
    /// The last step's reward (0 after a reset).
    pub(crate) reward: f64,
    /// Whether the last action was rule-invalid.
    pub(crate) refused: bool,
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
        let values = &vocab.attribute_values[which];
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
                *o = flag(notes::has(&record.notes, NoteKey::of(&m.symbols, note))) as f32;
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
            for fact in record.facts.known() {
                if let Some(i) = vocab.fact_slot(fact.name) {
                    out[i] = 1.0;
                }
            }
        },
    );
    sink.field("case.facts", "revealed facts' values: numbers as on the wire (USD, whole percent, counts), true 1, a name its code (1 + index into `names`, -1 other text)", "wire value", vocab.facts.len(), || vocab.facts.iter().map(|f| name(*f)).collect(), |out| {
        for fact in record.facts.known() {
            if let Some(i) = vocab.fact_slot(fact.name) {
                out[i] = fact_value(vocab, record.facts.wired(m, draw, fact.value()));
            }
        }
    });
}

/// A fact's wire value as one float: a number as it is, true 1, a text its code (1 + its
/// index into the vocabulary's names, -1 for other text), anything else (null, a list) 0.
fn fact_value(vocab: &Vocab, value: Wired<'_>) -> f32 {
    if let Some(text) = value.as_str() {
        return vocab.codes.get(text).map_or(-1.0, |i| (*i + 1) as f32);
    }
    match value.as_bool() {
        Some(b) => flag(b) as f32,
        None => value.as_f64().map_or(0.0, |x| x as f32),
    }
}
