//! `shopops eval`: a policy over many seeds of each scenario; mean grade with a 95 %
//! confidence interval, mean return and grade components.

use std::path::PathBuf;
use std::sync::Arc;

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use indexmap::IndexMap;
use indicatif::ProgressBar;
use serde::Serialize;

use super::progress_bar;
use crate::engine::Machine;
use crate::policy::by_name;
use crate::wire::round4;

/// Output formats of `eval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum EvalFormat {
    /// A table for people.
    Table,
    /// JSON for tools.
    Json,
}

#[derive(Serialize)]
struct Evaluation {
    policy: String,
    seeds: u64,
    tasks: Vec<TaskResult>,
}

#[derive(Serialize)]
struct TaskResult {
    task: String,
    difficulty: String,
    mean_grade: f64,
    ci95: [f64; 2],
    mean_return: f64,
    components: IndexMap<String, f64>,
}

/// One finished episode: grade, return, components.
type Episode = (f64, f64, IndexMap<String, f64>);

/// Evaluates `policy` on seeds `seed_base .. seed_base + seeds` of every scenario under `paths`.
pub(super) fn run(
    paths: Vec<PathBuf>,
    policy: &str,
    seeds: u64,
    seed_base: u64,
    format: EvalFormat,
) -> Result<u8, String> {
    if !crate::policy::NAMES.contains(&policy) {
        return Err(format!(
            "unknown policy `{policy}`; policies are {}",
            crate::policy::NAMES.join(", ")
        ));
    }
    if seeds == 0 {
        return Err("--seeds must be at least 1".into());
    }
    let paths = if paths.is_empty() { vec![PathBuf::from("scenarios")] } else { paths };
    let mut machines = super::scenarios::machines(&paths)?;
    machines.sort_by(|a, b| a.scenario.tier_key().cmp(&b.scenario.tier_key()));
    let progress =
        progress_bar(seeds * machines.len() as u64, "{bar:40} {pos}/{len} episodes ({eta})");
    let tasks = machines.iter().map(|m| evaluate(m, policy, seeds, seed_base, &progress)).collect();
    progress.finish_and_clear();
    let evaluation = Evaluation { policy: policy.to_string(), seeds, tasks };
    let text = match format {
        EvalFormat::Json => {
            serde_json::to_string_pretty(&evaluation).map_err(|e| e.to_string())? + "\n"
        }
        EvalFormat::Table => table(&evaluation),
    };
    super::emit(&text);
    Ok(0)
}

/// Plays every seed of one scenario, in parallel chunks; results are combined in seed order.
fn evaluate(
    machine: &Arc<Machine>,
    policy: &str,
    seeds: u64,
    base: u64,
    progress: &ProgressBar,
) -> TaskResult {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let chunk = seeds.div_ceil(threads.max(1));
    let episodes: Vec<Episode> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..seeds)
            .step_by(chunk as usize)
            .map(|start| {
                let machine = machine.clone();
                scope.spawn(move || {
                    (start..(start + chunk).min(seeds))
                        .map(|i| {
                            let episode = play(&machine, policy, base.wrapping_add(i));
                            progress.inc(1);
                            episode
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    let n = episodes.len().max(1) as f64;
    let grades: Vec<f64> = episodes.iter().map(|e| e.0).collect();
    let mean = grades.iter().sum::<f64>() / n;
    let variance = if grades.len() > 1 {
        grades.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let half = 1.96 * variance.sqrt() / n.sqrt();
    let mut components: IndexMap<String, f64> = IndexMap::new();
    for (_, _, parts) in &episodes {
        for (name, value) in parts {
            *components.entry(name.clone()).or_default() += value / n;
        }
    }
    TaskResult {
        task: machine.scenario.id.clone(),
        difficulty: machine.scenario.difficulty.clone(),
        mean_grade: round4(mean),
        ci95: [round4((mean - half).max(0.0)), round4((mean + half).min(1.0))],
        mean_return: round4(episodes.iter().map(|e| e.1).sum::<f64>() / n),
        components: components.into_iter().map(|(k, v)| (k, round4(v))).collect(),
    }
}

fn play(machine: &Arc<Machine>, policy: &str, seed: u64) -> Episode {
    let Some(mut agent) = by_name(policy, machine, seed) else {
        return (0.0, 0.0, IndexMap::new());
    };
    let game = crate::policy::play(machine, agent.as_mut(), seed, format!("eval-{seed}"));
    let summary = game.summary();
    let grade = summary.as_ref().map_or(0.0, |s| s.final_score);
    let components = summary.map(|s| s.grade_components).unwrap_or_default();
    (grade, game.state().total_reward, components)
}

fn table(evaluation: &Evaluation) -> String {
    let names: Vec<String> = evaluation
        .tasks
        .first()
        .map(|t| t.components.keys().cloned().collect())
        .unwrap_or_default();
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    let mut header = vec![
        "task".to_string(),
        "tier".into(),
        "mean grade".into(),
        "95% CI".into(),
        "mean return".into(),
    ];
    header.extend(names.iter().cloned());
    table.set_header(header);
    for task in &evaluation.tasks {
        let mut row = vec![
            Cell::new(&task.task),
            Cell::new(&task.difficulty),
            Cell::new(format!("{:.4}", task.mean_grade)).set_alignment(CellAlignment::Right),
            Cell::new(format!("{:.4}–{:.4}", task.ci95[0], task.ci95[1])),
            Cell::new(format!("{:.4}", task.mean_return)).set_alignment(CellAlignment::Right),
        ];
        row.extend(names.iter().map(|n| {
            Cell::new(format!("{:.4}", task.components.get(n).copied().unwrap_or(0.0)))
                .set_alignment(CellAlignment::Right)
        }));
        table.add_row(row);
    }
    format!("policy {} · {} seeds per task\n{table}\n", evaluation.policy, evaluation.seeds)
}
