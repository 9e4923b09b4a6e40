//! The tables of many episodes, per task and agent, as `eval` and `view` print them: the
//! summary, and the failures.

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use indexmap::IndexMap;

use crate::trajectory::{Agent, AgentKind, GroupReport, Usage};

/// Output formats of `eval` and `view`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum ReportFormat {
    /// Tables for people.
    Table,
    /// JSON for tools.
    Json,
}

/// A number cell, right-aligned with 4 decimals.
fn number(value: f64) -> Cell {
    Cell::new(format!("{value:.4}")).set_alignment(CellAlignment::Right)
}

/// Which columns a summary table has besides the task, tier and agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Columns {
    /// Episodes, mean grade with its interval, unfinished, pass^k, mean return and tokens.
    Results,
    /// The grade components' means over the finished episodes.
    Components,
    /// Both, in one table (the terminal's).
    All,
}

/// One row per task and agent: mean grade with its interval, pass^k, mean return, tokens
/// (when a model played) and component means, or some of them; an `agent` column when more
/// than one agent played.
pub(super) fn table(groups: &[GroupReport], columns: Columns) -> Table {
    let results = columns != Columns::Components;
    let components: Vec<String> = match columns {
        Columns::Components | Columns::All => {
            groups.first().map(|g| g.components.keys().cloned().collect()).unwrap_or_default()
        }
        Columns::Results => Vec::new(),
    };
    let most_k = groups.iter().map(|g| g.pass_hat_k.len()).max().unwrap_or(0);
    let several_agents = groups.iter().any(|g| g.agent != groups[0].agent);
    let any_unfinished = groups.iter().any(|g| g.unfinished > 0);
    let any_model = groups.iter().any(|g| g.usage.calls > 0);
    let mut header: Vec<String> = vec!["task".into(), "tier".into()];
    if several_agents {
        header.push("agent".into());
    }
    if results {
        header.extend(["episodes".into(), "mean grade".into(), "95% CI".into()]);
        if any_unfinished {
            header.push("unfinished".into());
        }
        header.extend((1..=most_k).map(|k| format!("pass^{k}")));
        header.push("mean return".into());
        if any_model {
            header.push("tokens in / out".into());
        }
    }
    header.extend(components.iter().cloned());
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_header(header);
    for group in groups {
        let mut row = vec![Cell::new(&group.task), Cell::new(&group.difficulty)];
        if several_agents {
            row.push(Cell::new(agent_label(&group.agent)));
        }
        if results {
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
            if any_model {
                let usage = &group.usage;
                row.push(
                    Cell::new(format!("{} / {}", usage.prompt_tokens, usage.completion_tokens))
                        .set_alignment(CellAlignment::Right),
                );
            }
        }
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

/// A line on what a language model spent: calls, tokens, time waited and, with prices, the
/// cost.
pub(super) fn spending(usage: Usage, cost_usd: Option<f64>) -> String {
    let cost = cost_usd.map_or_else(String::new, |usd| format!(" · cost ≈ ${usd:.4}"));
    format!(
        "{} model calls · {} prompt + {} completion tokens · {:.1} s waiting{cost}\n",
        usage.calls,
        usage.prompt_tokens,
        usage.completion_tokens,
        usage.latency_ms as f64 / 1000.0
    )
}

/// One row per task and agent with episodes that did not pass: how many, how they ended (a
/// termination reason, `failed` or `abandoned`) and the grade components that fell short in
/// them (means over the failing finished episodes, weakest first); `None` when all passed.
pub(super) fn failures_table(groups: &[GroupReport]) -> Option<Table> {
    let failing: Vec<&GroupReport> = groups.iter().filter(|g| !g.failures.is_empty()).collect();
    if failing.is_empty() {
        return None;
    }
    let several_agents = groups.iter().any(|g| g.agent != groups[0].agent);
    let mut header = vec!["task"];
    if several_agents {
        header.push("agent");
    }
    header.extend(["not passed", "how they ended", "weakest components (failing mean)"]);
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_header(header);
    for group in failing {
        let mut row = vec![Cell::new(&group.task)];
        if several_agents {
            row.push(Cell::new(agent_label(&group.agent)));
        }
        let not_passed: u64 = group.failures.values().sum();
        row.push(
            Cell::new(format!("{not_passed} of {}", group.episodes))
                .set_alignment(CellAlignment::Right),
        );
        row.push(Cell::new(endings(group)));
        row.push(Cell::new(weakest(&group.failing_components, 4)));
        table.add_row(row);
    }
    Some(table)
}

/// How a group's failing episodes ended: `cases_closed 3, step_limit 1`.
pub(super) fn endings(group: &GroupReport) -> String {
    let parts: Vec<String> = group.failures.iter().map(|(how, n)| format!("{how} {n}")).collect();
    parts.join(", ")
}

/// The grade component the engine adds for rule-invalid actions; higher is worse, unlike the
/// others (src/engine/grade.rs).
const PENALTY_COMPONENT: &str = "invalid_penalty";

/// The `most` grade components that fell furthest short: those below 1, lowest first, then
/// the invalid-action penalty when above 0; `sla 0.40, money 0.62, invalid_penalty 0.04`.
pub(super) fn weakest(components: &IndexMap<String, f64>, most: usize) -> String {
    let mut short: Vec<(&String, f64)> = components
        .iter()
        .filter(|(name, value)| name.as_str() != PENALTY_COMPONENT && **value < 1.0)
        .map(|(name, value)| (name, *value))
        .collect();
    short.sort_by(|a, b| a.1.total_cmp(&b.1));
    let penalty = components.get_key_value(PENALTY_COMPONENT).filter(|(_, value)| **value > 0.0);
    short.extend(penalty.map(|(name, value)| (name, *value)));
    let parts: Vec<String> =
        short.iter().take(most).map(|(name, value)| format!("{name} {value:.2}")).collect();
    if parts.is_empty() { "–".into() } else { parts.join(", ") }
}
