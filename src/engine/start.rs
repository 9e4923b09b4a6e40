//! A new episode: the reset draws turned into the engine's state.

use std::sync::Arc;

use super::ir::V;
use super::machine::Machine;
use super::reset::{CaseInstance, draw_world};
use super::state::{CaseDraw, CaseState, Episode, EpisodeWorld, Inline, Summary};
use super::value::Value;

/// Starts an episode of the machine's scenario with `seed`.
pub fn start(m: &Machine, seed: u64, episode_id: String) -> Episode {
    let world = draw_world(m, seed);
    let satisfaction = m.scenario.initial_satisfaction_bp;
    let cases: Vec<CaseDraw> =
        world.cases.into_iter().enumerate().map(|(i, c)| case_draw(m, i, c)).collect();
    let states = cases.iter().map(|draw| initial_state(m, draw)).collect();
    Episode {
        stock: world.stock.values().copied().collect(),
        world: Arc::new(EpisodeWorld { seed, episode_id, queue: world.queue.clone(), cases }),
        clock: 0,
        steps: 0,
        invalid: 0,
        active: world.queue.first().copied().unwrap_or(0),
        spending: 0,
        satisfaction,
        reopened_cases: 0,
        sla_breaches: 0,
        fraud_loss: 0,
        stockouts: 0,
        cases: states,
        pending: Inline::new(),
        sequence: 0,
        total_reward: 0.0,
        ended: None,
    }
}

fn case_draw(m: &Machine, index: usize, instance: CaseInstance) -> CaseDraw {
    let whole = |name: &str| instance.values.get(name).and_then(Value::whole);
    let program = &m.scenario.program;
    let (kind, args) = match &instance.truth {
        Value::Truth(kind, args) => (
            program.truths.get_index_of(kind).unwrap_or(0),
            args.iter().map(|a| to_v(m, a)).collect(),
        ),
        _ => (0, Vec::new()),
    };
    let bits = |names: &mut dyn Iterator<Item = &str>, map: &dyn Fn(&str) -> Option<usize>| {
        names.filter_map(map).fold(0u32, |acc, i| acc | 1 << i)
    };
    let required_checks = bits(&mut instance.requires.checks.iter().map(String::as_str), &|n| {
        program.checks.get_index_of(n)
    });
    let required_responses =
        bits(&mut instance.requires.responses.iter().map(String::as_str), &|n| {
            program.responses.get_index_of(n)
        });
    let responses = m
        .responses
        .iter()
        .map(|r| {
            let plan = instance.responses.get(m.symbols.name(r.name));
            let sym =
                |s: Option<&String>, default| s.and_then(|s| m.symbols.get(s)).unwrap_or(default);
            (
                sym(plan.map(|p| &p.initial), r.initial),
                sym(plan.map(|p| &p.outcome), r.initial),
                plan.map_or(0, |p| p.delay),
            )
        })
        .collect();
    let case = &m.scenario.cases[index];
    CaseDraw {
        id: m.symbols.get(&instance.id).unwrap_or(0),
        order_value: whole("order_value").unwrap_or(0),
        requested: whole("requested"),
        days_since_order: whole("days_since_order").unwrap_or(0),
        sla_deadline: whole("sla_deadline").unwrap_or(0),
        satisfaction_bonus: whole("satisfaction_bonus").unwrap_or(0),
        reopen_delay: whole("reopen_delay").unwrap_or(0),
        chargeback_delay: whole("chargeback_delay").unwrap_or(0),
        chargeback_fee: whole("chargeback_fee").unwrap_or(0),
        fraudulent: instance.fraudulent,
        truth: (kind, args),
        required_checks,
        required_responses,
        required_note: instance.requires.note.as_ref().and_then(|n| m.symbols.get(n)),
        responses,
        sku: case.sku.as_ref().and_then(|s| m.scenario.stock.get_index_of(&s.name)),
        index,
        env: instance,
    }
}

fn initial_state(m: &Machine, draw: &CaseDraw) -> CaseState {
    CaseState {
        status: m.status.open,
        completed: Inline::from_elem(None, m.checks.len()),
        revealed: 0,
        responses: draw.responses.iter().map(|r| r.0).collect(),
        received: Inline::from_elem(None, m.responses.len()),
        notes: Inline::new(),
        resolution: None,
        slot_free: true,
        paid_as: Inline::from_elem(0, m.truths.len()),
        fees: 0,
        reopens: 0,
        closes: Inline::new(),
        note_at_close: false,
        close_reason: None,
        breached: false,
        stockout: false,
        facts: Arc::default(),
        summaries: Arc::new(vec![Summary::default(); m.checks.len()]),
    }
}

/// A case-data value as a runtime value.
fn to_v(m: &Machine, value: &Value) -> V {
    match value {
        Value::Null => V::Null,
        Value::Bool(b) => V::Bool(*b),
        Value::Money(v) | Value::Minutes(v) | Value::Count(v) | Value::Percent(v) => V::Int(*v),
        Value::Real(r) => V::Real(*r),
        Value::Text(t) | Value::Symbol(t) => m.symbols.get(t).map_or(V::Null, V::Sym),
        Value::Truth(..) | Value::List(_) => V::Null,
    }
}
