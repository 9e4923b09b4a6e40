//! Helpers for the unit tests that play compiled scenarios (engine, oracle).

use std::path::PathBuf;
use std::sync::Arc;

use super::{Episode, Machine, start, step_quiet};
use crate::check::check_paths;
use crate::compile::compile;
use crate::wire::{Action, ActionType, EscalationReason};

/// The compiled scenarios under `paths` (relative to the crate).
pub(crate) fn machines(paths: &[&str]) -> Vec<Machine> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let paths: Vec<_> = paths.iter().map(|p| root.join(p)).collect();
    let report = check_paths(&paths).expect("the scenarios read");
    let sources = &report.sources;
    (report.checked.into_iter())
        .filter_map(|checked| compile(checked, sources))
        .map(|scenario| Machine::new(Arc::new(scenario)))
        .collect()
}

/// A xorshift draw in `0..n`: the same sequence for the same starting `state`.
pub(crate) fn draw(state: &mut u64, n: usize) -> usize {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state % n as u64) as usize
}

/// A well-formed random request on `ep`: a switch to one of its cases, a refund, a shipment,
/// an escalation, a note (a valid, an empty or a malformed code), or any action type bare.
pub(crate) fn random_action(
    m: &Machine,
    ep: &Episode,
    draw: &mut impl FnMut(usize) -> usize,
) -> Action {
    match draw(6) {
        0 => Action::switch_to(m.symbols.name(ep.world.cases[draw(ep.cases.len())].id)),
        1 => Action::refund(draw(900) as f64),
        2 => Action::ship(draw(2) == 0),
        3 => Action::escalate(EscalationReason::ALL[draw(EscalationReason::ALL.len())]),
        4 => Action::note(["follow_up", "", "Bad Code"][draw(3)]),
        _ => Action::new(ActionType::ALL[draw(ActionType::ALL.len())]),
    }
}

/// Plays random requests ([`random_action`], drawn from `state`) from seeds 1 to `seeds` of
/// every scenario under `paths` until each episode ends, showing `visit` every state with the
/// request about to be played there (which it may change).
pub(crate) fn random_plays(
    paths: &[&str],
    seeds: u64,
    mut state: u64,
    mut visit: impl FnMut(&Machine, &Episode, &mut Action, &mut dyn FnMut(usize) -> usize),
) {
    let mut draw = move |n: usize| self::draw(&mut state, n);
    for m in &machines(paths) {
        for seed in 1..=seeds {
            let mut ep = start(m, seed, "random play".into());
            while ep.ended.is_none() {
                let mut action = random_action(m, &ep, &mut draw);
                visit(m, &ep, &mut action, &mut draw);
                step_quiet(m, &mut ep, &action).expect("an unfinished episode steps");
            }
        }
    }
}
