//! A new episode: the reset draws turned into the engine's state.

use std::sync::Arc;

use super::known::FactLog;
use super::machine::Machine;
use super::reset::{World, draw_world};
use super::state::{CaseDraw, CaseState, Episode, EpisodeWorld, Inline};

/// Starts an episode of the machine's scenario with `seed`.
pub fn start(m: &Machine, seed: u64, episode_id: String) -> Episode {
    let World { stock, cases, queue } = draw_world(m, seed);
    let states = cases.iter().map(|draw| initial_state(m, draw)).collect();
    Episode {
        stock,
        active: queue.first().copied().unwrap_or(0),
        world: Arc::new(EpisodeWorld {
            seed,
            episode_id,
            queue,
            cases,
            symbols: Arc::clone(&m.symbols),
        }),
        clock: 0,
        steps: 0,
        invalid: 0,
        spending: 0,
        satisfaction: m.scenario.initial_satisfaction_bp,
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
        facts: FactLog::default(),
        appended: Inline::new(),
    }
}
