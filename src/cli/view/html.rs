//! The HTML report of `view --html`: one self-contained page (inline CSS and SVG, no script,
//! no network) with the runs' metadata, the summary, pass^k and failures tables, a grade
//! distribution per task and agent, and the episodes' transcripts (collapsed). Every recorded
//! string is escaped: a trajectory's text may come from a model or a client.

use std::fmt::Write as _;

use comfy_table::Table;

use super::plot::{Grades, histogram};
use super::{Episode, Results, failed, transcript_of};
use crate::cli::summary::{self, Columns, agent_label};
use crate::trajectory::{GroupReport, Metadata, Status};

/// Transcripts per task and agent: the failing episodes first, then passing ones, up to this
/// many; the others are named in a note (`view --episode N` prints any). Bounds the page at
/// a few megabytes for runs of thousands of episodes.
const MAX_TRANSCRIPTS_PER_GROUP: usize = 200;

/// The stylesheet, inline.
const STYLE: &str = "
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1d2330;
  margin: 0 auto; padding: 16px 24px 48px; max-width: 1240px; background: #fff; }
h1 { font-size: 22px; margin: 8px 0 2px; } h2 { font-size: 18px; margin: 28px 0 8px;
  border-bottom: 1px solid #d8dde6; padding-bottom: 4px; } h3 { font-size: 15px; margin: 18px 0 6px; }
p.lead, p.note { color: #4a5468; margin: 4px 0 10px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d8dde6; padding: 3px 7px; text-align: left; vertical-align: top; }
td { white-space: nowrap; } table.meta td { white-space: normal; }
th { background: #eef1f6; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; }
table.meta th { text-align: right; background: #f6f7fa; width: 1%; }
table.meta td { min-width: 260px; }
code { font: 12px ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 12px; }
figure { margin: 0; border: 1px solid #d8dde6; border-radius: 6px; padding: 6px 8px; }
figcaption { font-size: 13px; color: #4a5468; }
svg.plot { width: 100%; height: auto; display: block; }
svg .grid { stroke: #e3e7ee; } svg .axis { stroke: #596275; }
svg .tick { font-size: 10px; fill: #596275; } svg .label { font-size: 11px; fill: #1d2330; }
svg .pass, .swatch.pass { fill: #2e9e5b; background: #2e9e5b; }
svg .fail, .swatch.fail { fill: #e58a3a; background: #e58a3a; }
svg .unfinished, .swatch.unfinished { fill: #c23b3b; background: #c23b3b; }
svg .threshold { stroke: #c23b3b; stroke-width: 1.5; stroke-dasharray: 5 3; }
svg .threshold-label { font-size: 10px; fill: #c23b3b; }
svg .mean { stroke: #1d2330; stroke-width: 1.5; } svg .mean-label { font-size: 10px; fill: #1d2330; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; }
details { border: 1px solid #d8dde6; border-radius: 4px; margin: 4px 0; }
details > summary { cursor: pointer; padding: 3px 8px; font-size: 13px; }
details[open] > summary { border-bottom: 1px solid #d8dde6; background: #f6f7fa; }
details pre { margin: 0; padding: 8px; overflow-x: auto; font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; }
.badge { display: inline-block; min-width: 40px; text-align: center; border-radius: 3px;
  color: #fff; font-size: 11px; font-weight: 600; margin-right: 6px; }
.badge.pass { background: #2e9e5b; } .badge.fail { background: #e58a3a; } .badge.unfinished { background: #c23b3b; }
";

/// The whole page.
pub(super) fn page(results: &Results) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>ShopOps results</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>ShopOps results</h1>\n<p class=\"lead\">{} episodes from {} · pass at grade ≥ {} \
         · report by shopops {}</p>\n",
        results.episodes.len(),
        escape(&super::list(&results.files)),
        results.threshold,
        env!("CARGO_PKG_VERSION")
    );
    html.push_str(&runs(&results.runs));
    html.push_str(&format!(
        "<h2 id=\"summary\">Summary per task and agent</h2>\n<p class=\"note\">Mean grade counts \
         unfinished episodes as 0; pass^k is the chance that k trials of a seed all pass.</p>\n{}",
        table_html(&summary::table(&results.groups, Columns::Results), None)
    ));
    html.push_str(&format!(
        "<h3>Grade components</h3>\n<p class=\"note\">Means over the finished episodes; \
         <code>invalid_penalty</code> is subtracted from the grade, the others are in 0–1.</p>\n{}",
        table_html(&summary::table(&results.groups, Columns::Components), None)
    ));
    html.push_str(&distributions(results));
    html.push_str(&failures(results));
    html.push_str(&episodes(results));
    html.push_str("</body>\n</html>\n");
    html
}

/// `text` with `&`, `<`, `>`, `"` and `'` as character references, safe in text and in
/// quoted attributes.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The runs' `metadata.json` files as one table: a row per field, a column per run.
fn runs(runs: &[(std::path::PathBuf, Metadata)]) -> String {
    if runs.is_empty() {
        return String::new();
    }
    let columns: Vec<Vec<(&str, String)>> =
        runs.iter().map(|(path, run)| run_fields(path, run)).collect();
    let mut html =
        String::from("<h2 id=\"runs\">Runs</h2>\n<div class=\"scroll\"><table class=\"meta\">\n");
    for (row, (name, _)) in columns[0].iter().enumerate() {
        let _ = write!(html, "<tr><th>{name}</th>");
        for column in &columns {
            let value = escape(&column[row].1);
            if *name == "command" {
                let _ = write!(html, "<td><code>{value}</code></td>");
            } else {
                let _ = write!(html, "<td>{value}</td>");
            }
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table></div>\n");
    html
}

/// A run's metadata as named fields, in the order the report shows them.
fn run_fields(path: &std::path::Path, run: &Metadata) -> Vec<(&'static str, String)> {
    let scenarios: Vec<String> = run
        .scenarios
        .iter()
        .map(|s| format!("{} ({}, {})", s.id, s.difficulty, s.version))
        .collect();
    let agents: Vec<String> = run.agents.iter().map(agent_label).collect();
    let settings: Vec<String> =
        run.settings.iter().map(|(key, value)| format!("{key} = {value}")).collect();
    let usage = &run.usage;
    vec![
        ("metadata", path.display().to_string()),
        ("agents", agents.join(", ")),
        ("command", run.command.join(" ")),
        ("shopops", run.shopops_version.clone()),
        ("scenarios", scenarios.join("; ")),
        ("seeds", seeds(&run.seeds)),
        ("trials", run.trials.to_string()),
        ("pass threshold", run.pass_threshold.to_string()),
        (
            "episodes",
            format!(
                "{} finished, {} failed, {} abandoned",
                run.episodes.finished, run.episodes.failed, run.episodes.abandoned
            ),
        ),
        (
            "model usage",
            format!(
                "{} calls · {} prompt + {} completion tokens · {:.1} s waiting",
                usage.calls,
                usage.prompt_tokens,
                usage.completion_tokens,
                usage.latency_ms as f64 / 1000.0
            ),
        ),
        ("settings", if settings.is_empty() { "–".into() } else { settings.join("; ") }),
        ("started – finished", format!("{} – {}", run.started_at, run.finished_at)),
    ]
}

/// `1–10 (10 seeds)`, or the list when they are not consecutive.
fn seeds(seeds: &[u64]) -> String {
    let consecutive = seeds.windows(2).all(|w| w[1] == w[0].wrapping_add(1));
    match (seeds.first(), seeds.last()) {
        (Some(first), Some(last)) if consecutive => {
            format!("{first}–{last} ({} seeds)", seeds.len())
        }
        _ => seeds.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
    }
}

/// A terminal table as an HTML table: the same header and cells; cells that read as numbers
/// right-aligned. With `linked_column`, its cells `#N` link to episode N's transcript.
fn table_html(table: &Table, linked_column: Option<usize>) -> String {
    let mut html = String::from("<div class=\"scroll\"><table>\n");
    if let Some(header) = table.header() {
        html.push_str("<tr>");
        for cell in header.cell_iter() {
            let _ = write!(html, "<th>{}</th>", escape(&cell.content()));
        }
        html.push_str("</tr>\n");
    }
    for row in table.row_iter() {
        html.push_str("<tr>");
        for (column, cell) in row.cell_iter().enumerate() {
            let text = cell.content();
            let numeric = text.parse::<f64>().is_ok() || text == "–";
            let class = if numeric { " class=\"num\"" } else { "" };
            let number = text.strip_prefix('#').filter(|n| n.parse::<usize>().is_ok());
            match number.filter(|_| linked_column == Some(column)) {
                Some(n) => {
                    let _ = write!(html, "<td{class}><a href=\"#episode-{n}\">#{n}</a></td>");
                }
                None => {
                    let _ = write!(html, "<td{class}>{}</td>", escape(&text));
                }
            }
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table></div>\n");
    html
}

/// The episodes of `group`, in order.
fn members<'a>(results: &'a Results, group: &GroupReport) -> Vec<&'a Episode> {
    results
        .episodes
        .iter()
        .filter(|e| e.trajectory.task == group.task && e.trajectory.agent == group.agent)
        .collect()
}

/// One histogram of grades per task and agent, the agents of a task side by side.
fn distributions(results: &Results) -> String {
    let mut html = String::from(
        "<h2 id=\"distributions\">Grade distributions</h2>\n<p class=\"note\">Episodes per grade \
         bin of 0.05:<span class=\"swatch pass\"></span>passed<span class=\"swatch fail\"></span>\
         finished below the threshold<span class=\"swatch unfinished\"></span>did not finish \
         (left of the axis). Dashed: the pass threshold; solid: the mean grade.</p>\n",
    );
    let mut tasks: Vec<&str> = Vec::new();
    for group in &results.groups {
        if !tasks.contains(&group.task.as_str()) {
            tasks.push(&group.task);
        }
    }
    for task in tasks {
        let groups: Vec<&GroupReport> = results.groups.iter().filter(|g| g.task == task).collect();
        let _ = writeln!(
            html,
            "<h3>{} <small>({})</small></h3>\n<div class=\"plots\">",
            escape(task),
            escape(&groups[0].difficulty)
        );
        for group in groups {
            let episodes = members(results, group);
            let title = format!("{} · {}", group.task, agent_label(&group.agent));
            let grades = Grades {
                title: &title,
                finished: episodes
                    .iter()
                    .filter_map(|e| e.trajectory.score().map(|s| (s, s >= results.threshold)))
                    .collect(),
                unfinished: usize::try_from(group.unfinished).unwrap_or(usize::MAX),
                threshold: results.threshold,
                mean: group.mean_grade,
            };
            let pass_1 = group.pass_hat_k.first().map_or("–".into(), |p| format!("{p:.2}"));
            let _ = writeln!(
                html,
                "<figure>{}<figcaption>{} · {} episodes · mean {:.4} · pass^1 {pass_1}\
                 </figcaption></figure>",
                histogram(&grades),
                escape(&agent_label(&group.agent)),
                group.episodes,
                group.mean_grade
            );
        }
        html.push_str("</div>\n");
    }
    html
}

/// The failures per task and agent, and every episode that did not pass.
fn failures(results: &Results) -> String {
    let mut html = String::from("<h2 id=\"failures\">Failures</h2>\n");
    let Some(table) = summary::failures_table(&results.groups) else {
        html.push_str("<p class=\"note\">Every episode passed.</p>\n");
        return html;
    };
    html.push_str(&table_html(&table, None));
    let failing = failed::failing(&results.episodes, results.threshold);
    let _ = writeln!(
        html,
        "<h3>Episodes that did not pass ({} of {})</h3>",
        failing.len(),
        results.episodes.len()
    );
    html.push_str(&table_html(&failed::table(&failing, results), Some(0)));
    html
}

/// Every group's transcripts (up to [`MAX_TRANSCRIPTS_PER_GROUP`]), collapsed.
fn episodes(results: &Results) -> String {
    let mut html = String::from(
        "<h2 id=\"episodes\">Episodes</h2>\n<p class=\"note\">Each episode's transcript, as \
         <code>shopops view FILE --episode N</code> prints it; click to open.</p>\n",
    );
    for group in &results.groups {
        let mut shown = members(results, group);
        let all = shown.len();
        shown.sort_by_key(|e| (e.trajectory.passes(results.threshold), e.number));
        shown.truncate(MAX_TRANSCRIPTS_PER_GROUP);
        shown.sort_by_key(|e| e.number);
        let _ = writeln!(
            html,
            "<h3>{} · {}</h3>",
            escape(&group.task),
            escape(&agent_label(&group.agent))
        );
        if shown.len() < all {
            let _ = writeln!(
                html,
                "<p class=\"note\">{} of {all} episodes shown (those that did not pass first); \
                 <code>shopops view FILE --episode N</code> prints any other.</p>",
                shown.len()
            );
        }
        for episode in shown {
            html.push_str(&episode_html(episode, results.threshold));
        }
    }
    html
}

/// One episode: a one-line summary that opens to its transcript.
fn episode_html(episode: &Episode, threshold: f64) -> String {
    let t = &episode.trajectory;
    let (class, badge) = match t.status {
        Status::Finished if t.passes(threshold) => ("pass", "pass"),
        Status::Finished => ("fail", "fail"),
        Status::Failed => ("unfinished", "failed"),
        Status::Abandoned => ("unfinished", "abandoned"),
    };
    let grade = t.score().map_or("–".into(), |g| format!("{g:.4}"));
    format!(
        "<details id=\"episode-{n}\"><summary><span class=\"badge {class}\">{badge}</span>#{n} · \
         seed {} · trial {} · grade {grade} · {} steps · {}</summary><pre>{}</pre></details>\n",
        t.seed,
        t.trial,
        t.steps.len(),
        escape(&episode.place()),
        escape(&transcript_of(episode)),
        n = episode.number
    )
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape("<script>alert('x' & \"y\")</script>"),
            "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;"
        );
        assert_eq!(escape("grade ≥ 0.95"), "grade ≥ 0.95");
    }
}
