//! `shopops run`: one episode, played by a baseline policy (a readable transcript) or driven
//! by JSON actions on stdin (one JSON observation per line on stdout).

use std::fmt::Write as _;
use std::io::BufRead;
use std::path::PathBuf;

use serde_json::{Value as Json, json};

use crate::engine::Game;
use crate::policy::by_name;
use crate::wire::{Observation, envelope, parse_action};

/// Plays one episode of the scenario at `path`.
pub(super) fn run(path: PathBuf, seed: u64, policy: Option<&str>) -> Result<u8, String> {
    let machines = super::scenarios::machines(&[path])?;
    let machine = machines.into_iter().next().ok_or("no scenario")?;
    let game = Game::new(machine.clone(), seed, format!("run-{seed}"));
    match policy {
        Some(name) => {
            let agent = by_name(name, &machine, seed).ok_or_else(|| {
                format!("unknown policy `{name}`; policies are {}", crate::policy::NAMES.join(", "))
            })?;
            transcript(game, agent, name);
            Ok(0)
        }
        None => {
            scripted(game);
            Ok(0)
        }
    }
}

fn transcript(mut game: Game, mut agent: Box<dyn crate::policy::Policy>, policy: &str) {
    let scenario = &game.machine().scenario;
    let mut out = format!(
        "{} ({}) · seed {} · version {} · policy {policy}\n\n{:>4}  {:<36} {:>8} {:>6}  {:<8} what changed\n",
        scenario.id,
        scenario.difficulty,
        game.episode().world.seed,
        scenario.version,
        "step",
        "action",
        "reward",
        "clock",
        "case"
    );
    let mut observation = game.observation();
    while !game.done() {
        let action = agent.act(&observation);
        let Ok(next) = game.step(&action) else { break };
        let mut label = action.action_type.as_str().to_string();
        if let Some(case) = &action.case_id {
            let _ = write!(label, " {case}");
        }
        if let Some(amount) = action.refund_amount_usd {
            let _ = write!(label, " ${amount:.2}");
        }
        if let Some(reason) = action.escalation_reason {
            let _ = write!(label, " {reason}");
        }
        if let Some(code) = &action.note_code {
            let _ = write!(label, " {code}");
        }
        if action.expedite {
            label.push_str(" expedite");
        }
        let _ = writeln!(
            out,
            "{:>4}  {:<36} {:>+8.4} {:>6}  {:<8} {}",
            next.step_index,
            label,
            next.reward.unwrap_or(0.0),
            next.resources.time_used_minutes,
            next.latest_tool_result.target_case_id,
            changes(&observation, &next)
        );
        observation = next;
    }
    if let Some(summary) = game.summary() {
        let components: Vec<String> =
            summary.grade_components.iter().map(|(k, v)| format!("{k} {v:.4}")).collect();
        let _ = writeln!(
            out,
            "\nended: {} after {} steps, {} minutes · grade {:.4} · return {:.4}\ncomponents: {}\n\
             closed {} · reopened {} · SLA breaches {} · fraud loss ${:.2} · stockouts {} · satisfaction {:.4}",
            summary.termination_reason,
            summary.steps,
            summary.time_used_minutes,
            summary.final_score,
            summary.total_reward,
            components.join(", "),
            summary.closed_cases,
            summary.reopened_cases,
            summary.sla_breaches,
            summary.fraud_loss_usd,
            summary.stockouts,
            summary.customer_satisfaction,
        );
    }
    super::emit(&out);
}

/// The key observation changes of a step, in one line.
fn changes(before: &Observation, after: &Observation) -> String {
    let mut parts = Vec::new();
    if let Some(error) = after.metadata.get("last_action_error").and_then(Json::as_str) {
        parts.push(format!("refused: {error}"));
    }
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
    if let Some(events) = after.metadata.get("events").and_then(Json::as_array) {
        for event in events {
            parts.push(format!(
                "event {} on {} ({})",
                event["kind"].as_str().unwrap_or(""),
                event["case_id"].as_str().unwrap_or(""),
                event["detail"]
            ));
        }
    }
    parts.join("; ")
}

/// JSON lines: the reset observation, then one observation (or error) per action read.
fn scripted(mut game: Game) {
    let line = |value: Json| super::emit(&format!("{value}\n"));
    line(envelope(&game.observation()).to_value());
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
            Ok(action) => match game.step(&action) {
                Ok(observation) => line(envelope(&observation).to_value()),
                Err(error) => {
                    line(json!({"error": {"code": "EPISODE_DONE", "message": error.to_string()}}))
                }
            },
        }
    }
}
