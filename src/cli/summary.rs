//! The per-task summary table of many episodes, as `eval` and `view` print it.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use crate::trajectory::{Agent, AgentKind, GroupReport};

/// A number cell, right-aligned with 4 decimals.
fn number(value: f64) -> Cell {
    Cell::new(format!("{value:.4}")).set_alignment(CellAlignment::Right)
}

/// One row per task and agent: mean grade with its interval, pass^k, mean return, steps and
/// component means; an `agent` column when more than one agent played.
pub(super) fn table(groups: &[GroupReport]) -> Table {
    let components: Vec<String> =
        groups.first().map(|g| g.components.keys().cloned().collect()).unwrap_or_default();
    let most_k = groups.iter().map(|g| g.pass_hat_k.len()).max().unwrap_or(0);
    let several_agents = groups.iter().any(|g| g.agent != groups[0].agent);
    let any_unfinished = groups.iter().any(|g| g.unfinished > 0);
    let mut header: Vec<String> = vec!["task".into(), "tier".into()];
    if several_agents {
        header.push("agent".into());
    }
    header.extend(["episodes".into(), "mean grade".into(), "95% CI".into()]);
    if any_unfinished {
        header.push("unfinished".into());
    }
    header.extend((1..=most_k).map(|k| format!("pass^{k}")));
    header.push("mean return".into());
    header.extend(components.iter().cloned());
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_header(header);
    for group in groups {
        let mut row = vec![Cell::new(&group.task), Cell::new(&group.difficulty)];
        if several_agents {
            row.push(Cell::new(agent_label(&group.agent)));
        }
        row.push(Cell::new(group.episodes).set_alignment(CellAlignment::Right));
        row.push(number(group.mean_grade));
        row.push(Cell::new(format!("{:.4}–{:.4}", group.ci95[0], group.ci95[1])));
        if any_unfinished {
            row.push(Cell::new(group.unfinished).set_alignment(CellAlignment::Right));
        }
        row.extend((0..most_k).map(|k| match group.pass_hat_k.get(k) {
            Some(&value) => number(value),
            None => Cell::new("–").set_alignment(CellAlignment::Right),
        }));
        row.push(number(group.mean_return));
        row.extend(
            components.iter().map(|n| number(group.components.get(n).copied().unwrap_or(0.0))),
        );
        table.add_row(row);
    }
    table
}

/// How an agent is named in tables: `policy rule`, `llm gpt-4o`, `client websocket`.
pub(super) fn agent_label(agent: &Agent) -> String {
    let kind = match agent.kind {
        AgentKind::Policy => "policy",
        AgentKind::Llm => "llm",
        AgentKind::Client => "client",
    };
    format!("{kind} {}", agent.name)
}
