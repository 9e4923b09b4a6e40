//! `shopops run`: one episode, played by a baseline policy (a readable transcript) or driven
//! by JSON actions on stdin (one JSON observation per line on stdout).

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value as Json, json};

use super::eval::{Job, play};
use super::transcript::{self, Changes};
use crate::engine::{Game, Machine};
use crate::wire::{Observation, parse_action};

/// Plays one episode of the scenario at `path`: seed `seed`, or the seed of a split by index.
pub(super) fn run(
    path: PathBuf,
    seed: u64,
    split: Option<(String, u64)>,
    policy: Option<&str>,
) -> Result<u8, String> {
    let machines = super::scenarios::machines(&[path])?;
    let machine = machines.into_iter().next().ok_or("no scenario")?;
    let seed = match split {
        Some((name, index)) => machine.scenario.split_seed(&name, index)?,
        None => seed,
    };
    match policy {
        Some(name) => {
            if !crate::policy::NAMES.contains(&name) {
                return Err(format!(
                    "unknown policy `{name}`; policies are {}",
                    crate::policy::NAMES.join(", ")
                ));
            }
            transcript(machine, seed, name);
            Ok(0)
        }
        None => {
            scripted(Game::new(machine, seed, format!("run-{seed}")));
            Ok(0)
        }
    }
}

/// Plays the episode with the policy `name` and prints its transcript, with what the
/// observations showed changing at each step.
fn transcript(machine: Arc<Machine>, seed: u64, name: &str) {
    let mut changes = Vec::new();
    let job = Job { machine, seed, trial: 0 };
    let trajectory = play(&job, name, |before, after| changes.push(observed(before, after)));
    super::emit(&transcript::transcript(&trajectory, Changes::Observed(&changes)));
}

/// What the observations show changing in a step (facts, blockers, status, SLA breaches);
/// refusals and events are in the step's record.
fn observed(before: &Observation, after: &Observation) -> Vec<String> {
    let mut parts = Vec::new();
    let known = |o: &Observation| o.metadata.get("known_facts").cloned().unwrap_or(Json::Null);
    let (old, new) = (known(before), known(after));
    if let Some(new) = new.as_object() {
        let same_case = before.active_case.case_id == after.active_case.case_id;
        let added: Vec<String> = new
            .iter()
            .filter(|(k, v)| !same_case || old.get(k.as_str()) != Some(v))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if same_case && !added.is_empty() {
            parts.push(format!("facts: {}", added.join(", ")));
        }
    }
    if before.unresolved_blockers != after.unresolved_blockers {
        parts.push(format!("blockers: [{}]", after.unresolved_blockers.join(", ")));
    }
    if before.active_case.status != after.active_case.status
        && before.active_case.case_id == after.active_case.case_id
    {
        parts.push(format!("status {}", after.active_case.status));
    }
    let breaches = after.metrics.sla_breaches.saturating_sub(before.metrics.sla_breaches);
    if breaches > 0 {
        parts.push(format!("SLA breached on {breaches} case(s)"));
    }
    parts
}

/// JSON lines: the reset observation, then one observation (or error) per action read.
fn scripted(mut game: Game) {
    let line = |value: Json| super::emit(&format!("{value}\n"));
    line(game.observed().envelope_value());
    let stdin = std::io::stdin();
    for input in stdin.lock().lines() {
        let Ok(input) = input else { break };
        if input.trim().is_empty() {
            continue;
        }
        match parse_action(&input) {
            Err(errors) => {
                let message: Vec<String> = errors.iter().map(ToString::to_string).collect();
                line(json!({"error": {"code": "VALIDATION_ERROR", "message": message.join("; ")}}))
            }
            Ok(action) => match game.advance(&action) {
                Ok(()) => line(game.observed().envelope_value()),
                Err(error) => {
                    line(json!({"error": {"code": "EPISODE_DONE", "message": error.to_string()}}))
                }
            },
        }
    }
}
