//! The transcript of one recorded episode, one line per step, as `run --policy` and `view`
//! print it.

use std::fmt::Write as _;

use super::summary::agent_label;
use crate::trajectory::{Status, StepRecord, Trajectory, Turn};
use crate::wire::Action;

/// Characters of a model's reply shown under its step.
const REPLY_CHARS: usize = 160;

/// What the last column says about each step besides its refusal and events.
#[derive(Clone, Copy)]
pub(super) enum Changes<'a> {
    /// What the observations showed changing, per step (`run`, which has the observations).
    Observed(&'a [Vec<String>]),
    /// The tool result's outcome sentence (a recorded trajectory has no observations).
    Outcome,
}

/// The whole transcript: a header, one line per step (and a line for a model's turn), and how
/// the episode ended.
pub(super) fn transcript(trajectory: &Trajectory, changes: Changes<'_>) -> String {
    let mut out = format!(
        "{} ({}) · seed {} · version {} · {}\n\n{:>4}  {:<36} {:>8} {:>6}  {:<8} what changed\n",
        trajectory.task,
        trajectory.difficulty,
        trajectory.seed,
        trajectory.scenario_version,
        agent_label(&trajectory.agent),
        "step",
        "action",
        "reward",
        "clock",
        "case"
    );
    for (index, step) in trajectory.steps.iter().enumerate() {
        let detail = match changes {
            Changes::Observed(all) => all.get(index).cloned().unwrap_or_default(),
            Changes::Outcome if step.last_action_error.is_some() => Vec::new(),
            Changes::Outcome => vec![step.outcome.clone()],
        };
        let _ = writeln!(
            out,
            "{:>4}  {:<36} {:>+8.4} {:>6}  {:<8} {}",
            index + 1,
            action_label(&step.action),
            step.reward,
            step.clock_minutes,
            step.case_id,
            what_changed(step, detail)
        );
        if let Some(turn) = &step.turn {
            out.push_str(&turn_lines(turn));
        }
    }
    out.push_str(&ending(trajectory));
    out
}

/// An action as one label: its type and arguments, `issue_refund C-1 $40.00`.
fn action_label(action: &Action) -> String {
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
    label
}

/// A step's last column: its refusal, then `detail`, then the events that fired.
fn what_changed(step: &StepRecord, detail: Vec<String>) -> String {
    let mut parts: Vec<String> = step
        .last_action_error
        .iter()
        .map(|error| format!("refused: {}", one_line(error)))
        .collect();
    parts.extend(detail);
    parts.extend(step.events.iter().map(|event| {
        format!(
            "event {} on {} ({})",
            event["kind"].as_str().unwrap_or(""),
            event["case_id"].as_str().unwrap_or(""),
            event["detail"]
        )
    }));
    parts.join("; ")
}

/// The indented line under a step that a language model chose: what it spent and its reply.
fn turn_lines(turn: &Turn) -> String {
    let mut spent = format!(
        "{:>6}model: {} + {} tokens · {} ms",
        "", turn.prompt_tokens, turn.completion_tokens, turn.latency_ms
    );
    if turn.retries > 0 {
        let _ = write!(spent, " · {} retries", turn.retries);
    }
    if let Some(unusable) = &turn.unusable {
        let _ = write!(spent, " · unusable: {}", one_line(unusable));
    }
    let mut reply: String = one_line(&turn.reply).chars().take(REPLY_CHARS).collect();
    if turn.reply.chars().count() > REPLY_CHARS {
        reply.push('…');
    }
    format!("{spent}\n{:>6}reply: {reply}\n", "")
}

/// How the episode ended: the summary of a finished one, or why it did not finish.
fn ending(trajectory: &Trajectory) -> String {
    let steps = trajectory.steps.len();
    let unfinished = |how: &str| {
        format!(
            "\n{how} after {steps} steps: {} · return {:.4}\n",
            one_line(trajectory.failure.as_deref().unwrap_or("no reason recorded")),
            trajectory.total_reward
        )
    };
    match (trajectory.status, &trajectory.summary) {
        (Status::Finished, Some(summary)) => {
            let components: Vec<String> =
                summary.grade_components.iter().map(|(k, v)| format!("{k} {v:.4}")).collect();
            format!(
                "\nended: {} after {} steps, {} minutes · grade {:.4} · return {:.4}\ncomponents: {}\n\
                 closed {} · reopened {} · SLA breaches {} · fraud loss ${:.2} · stockouts {} · satisfaction {:.4}\n",
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
            )
        }
        (Status::Finished, None) => unfinished("finished without a summary"),
        (Status::Failed, _) => unfinished("failed"),
        (Status::Abandoned, _) => unfinished("abandoned"),
    }
}

/// `text` on one line, whitespace runs as one space and control characters (a terminal's
/// escape sequences) as `�`: recorded text may come from a model or a client.
pub(super) fn one_line(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ").chars().map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect()
}
