//! The episodes that did not pass, one row each: where they are, what they were, how they
//! ended and which grade components fell short.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

use super::{Episode, Results};
use crate::cli::summary::{agent_label, weakest};
use crate::cli::transcript::one_line;
use crate::trajectory::{Agent, Status};

/// Characters of a failure's reason shown in the listing.
const REASON_CHARS: usize = 60;

/// Grade components named per failing episode.
const WEAKEST_SHOWN: usize = 3;

/// An episode that did not pass.
#[derive(Serialize)]
pub(super) struct FailedEpisode {
    /// Its number (`view --episode N`).
    pub(super) number: usize,
    /// `FILE:LINE`.
    pub(super) place: String,
    /// Scenario id.
    pub(super) task: String,
    /// The episode seed.
    pub(super) seed: u64,
    /// The trial (0-based).
    pub(super) trial: u32,
    /// Who played.
    pub(super) agent: Agent,
    /// The grade, when it finished.
    pub(super) grade: Option<f64>,
    /// How it ended: a termination reason, or `failed: …` / `abandoned: …` with the reason.
    pub(super) ended: String,
    /// The grade components that fell furthest short, `sla 0.40, money 0.62`.
    pub(super) weakest: String,
}

/// The episodes that did not pass at `threshold`, in order.
pub(super) fn failing(episodes: &[Episode], threshold: f64) -> Vec<FailedEpisode> {
    episodes
        .iter()
        .filter(|e| !e.trajectory.passes(threshold))
        .map(|e| {
            let t = &e.trajectory;
            let reason = || {
                let reason = one_line(t.failure.as_deref().unwrap_or("no reason recorded"));
                let mut short: String = reason.chars().take(REASON_CHARS).collect();
                if reason.chars().count() > REASON_CHARS {
                    short.push('…');
                }
                short
            };
            let ended = match (t.status, &t.ending) {
                (Status::Finished, Some(ending)) => ending.termination_reason.clone(),
                (Status::Finished, None) => "finished".into(),
                (Status::Failed, _) => format!("failed: {}", reason()),
                (Status::Abandoned, _) => format!("abandoned: {}", reason()),
            };
            FailedEpisode {
                number: e.number,
                place: e.place(),
                task: t.task.clone(),
                seed: t.seed,
                trial: t.trial,
                agent: t.agent.clone(),
                grade: t.score(),
                ended,
                weakest: t
                    .grade
                    .as_ref()
                    .map_or_else(|| "–".into(), |g| weakest(&g.components, WEAKEST_SHOWN)),
            }
        })
        .collect()
}

/// The failing episodes as a table, one row each.
pub(super) fn table(failing: &[FailedEpisode], results: &Results) -> Table {
    let several_agents = results.groups.iter().any(|g| g.agent != results.groups[0].agent);
    let mut header = vec!["#", "file:line", "task", "seed", "trial"];
    if several_agents {
        header.push("agent");
    }
    header.extend(["grade", "ended", "weakest components"]);
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_header(header);
    let right = |text: String| Cell::new(text).set_alignment(CellAlignment::Right);
    for episode in failing {
        let mut row = vec![
            right(format!("#{}", episode.number)),
            Cell::new(&episode.place),
            Cell::new(&episode.task),
            right(episode.seed.to_string()),
            right(episode.trial.to_string()),
        ];
        if several_agents {
            row.push(Cell::new(agent_label(&episode.agent)));
        }
        row.push(right(episode.grade.map_or_else(|| "–".into(), |g| format!("{g:.4}"))));
        row.push(Cell::new(&episode.ended));
        row.push(Cell::new(&episode.weakest));
        table.add_row(row);
    }
    table
}

/// The terminal listing: the table and a count.
pub(super) fn listing(failing: &[FailedEpisode], results: &Results) -> String {
    let count = format!(
        "{} of {} episodes did not pass (grade ≥ {})",
        failing.len(),
        results.episodes.len(),
        results.threshold
    );
    if failing.is_empty() {
        return count + "\n";
    }
    format!(
        "{}\n{count}; `shopops view FILE… --episode N` prints episode #N\n",
        table(failing, results)
    )
}
