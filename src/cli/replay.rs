//! `shopops replay`: recorded trajectories re-run on the engine — checked bit for bit,
//! re-graded on the current scenario versions, or forked into a what-if from any step.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use serde_json::Value;

use super::transcript::{Changes, transcript};
use crate::engine::Machine;
use crate::trajectory::{
    Divergence, Regrade, Status, Trajectory, record_actions, regrade, replay, write_line,
};
use crate::wire::{Action, action_from_value};

/// What to replay and how.
#[derive(Debug, Args)]
pub(super) struct ReplayArgs {
    /// Results files (JSON Lines of trajectories, as `eval --out` and `serve --record` write).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The scenarios to replay on (files or directories).
    #[arg(long, default_value = "scenarios")]
    scenarios: Vec<PathBuf>,
    /// Grade the recorded actions on the current scenario versions and report which episodes
    /// changed grade and why, instead of refusing a version that changed.
    #[arg(long)]
    regrade: bool,
    /// Write the re-graded (or forked) trajectories to this JSON Lines file.
    #[arg(long, value_name = "FILE.jsonl")]
    out: Option<PathBuf>,
    /// Fork a what-if from this episode (1-based, counting every episode of the files in
    /// order).
    #[arg(long, requires_all = ["at", "then"])]
    episode: Option<usize>,
    /// Keep the first K recorded steps of the episode, then play `--then`.
    #[arg(long, value_name = "K", requires = "episode")]
    at: Option<usize>,
    /// The actions to play after step K: a JSON array, a file of JSON lines, or `-` for JSON
    /// lines on stdin.
    #[arg(long, value_name = "ACTIONS", requires = "episode")]
    then: Option<String>,
}

/// A trajectory and where it was read.
struct Recorded {
    place: String,
    trajectory: Trajectory,
}

/// Replays, re-grades or forks; exit 1 when an episode does not reproduce.
pub(super) fn run(args: ReplayArgs) -> Result<u8, String> {
    let machines: HashMap<String, Arc<Machine>> = super::scenarios::machines(&args.scenarios)?
        .into_iter()
        .map(|m| (m.scenario.id.clone(), m))
        .collect();
    let recorded = read_all(&args.files)?;
    let machine_of = |r: &Recorded| {
        machines.get(&r.trajectory.task).ok_or_else(|| {
            format!("{}: task `{}` is not among the scenarios loaded", r.place, r.trajectory.task)
        })
    };
    if let (Some(episode), Some(at), Some(then)) = (args.episode, args.at, &args.then) {
        let chosen = episode.checked_sub(1).and_then(|i| recorded.get(i)).ok_or_else(|| {
            format!("--episode {episode}: the files hold {} episodes", recorded.len())
        })?;
        return fork(chosen, machine_of(chosen)?, at, then, args.regrade, args.out.as_deref());
    }
    if args.regrade {
        let mut regraded = Vec::new();
        for r in &recorded {
            regraded.push((r, regrade(machine_of(r)?, &r.trajectory)));
        }
        print_regrades(&regraded);
        if let Some(out) = &args.out {
            write_all(out, regraded.iter().map(|(_, g)| &g.trajectory))?;
        }
        return Ok(0);
    }
    let mut failures = 0;
    for r in &recorded {
        if let Err(divergence) = replay(machine_of(r)?, &r.trajectory) {
            failures += 1;
            println!("{}: {}", r.place, explain(&r.trajectory, &divergence));
        }
    }
    let total = recorded.len();
    if failures == 0 {
        println!("{total} episodes replay bit for bit");
        Ok(0)
    } else {
        println!("{failures} of {total} episodes do not replay");
        Ok(1)
    }
}

/// Every trajectory of `files`, in order, with its file and line.
fn read_all(files: &[PathBuf]) -> Result<Vec<Recorded>, String> {
    let mut recorded = Vec::new();
    for file in files {
        recorded.extend(super::results::read(file)?.into_iter().map(|(line, trajectory)| {
            Recorded { place: format!("{}:{line}", file.display()), trajectory }
        }));
    }
    Ok(recorded)
}

/// One line on an episode that does not replay, with the way forward for a changed version.
fn explain(trajectory: &Trajectory, divergence: &Divergence) -> String {
    let episode =
        format!("{} seed {} trial {}", trajectory.task, trajectory.seed, trajectory.trial);
    if divergence.step == 0 && divergence.field == "scenario_version" {
        format!(
            "{episode}: recorded on version {}, the scenario is now version {}; re-grade it with \
             `shopops replay --regrade`",
            divergence.recorded, divergence.replayed
        )
    } else {
        format!("{episode}: {divergence}")
    }
}

fn print_regrades(regraded: &[(&Recorded, Regrade)]) {
    let score = |s: Option<f64>| s.map_or("unfinished".to_string(), |s| format!("{s:.4}"));
    let mut changed = 0;
    for (r, g) in regraded.iter().filter(|(_, g)| g.changed()) {
        changed += 1;
        let t = &r.trajectory;
        println!(
            "{}: {} seed {} trial {}: grade {} → {}",
            r.place,
            t.task,
            t.seed,
            t.trial,
            score(g.recorded),
            score(g.regraded)
        );
        for (name, old, new) in &g.weights {
            println!("    weight {name} {old:.4} → {new:.4}");
        }
        for (name, old, new) in &g.components {
            println!("    {name} {old:.4} → {new:.4}");
        }
        if let Some(first) = &g.first_change {
            println!("    first change: {first}");
        }
        if g.unplayed > 0 {
            println!(
                "    the episode now ends earlier: {} recorded actions not played",
                g.unplayed
            );
        }
    }
    println!("{changed} of {} episodes changed grade", regraded.len());
}

/// Plays the first `at` recorded actions of `chosen`, then `then`.
fn fork(
    chosen: &Recorded,
    machine: &Arc<Machine>,
    at: usize,
    then: &str,
    any_version: bool,
    out: Option<&Path>,
) -> Result<u8, String> {
    let recorded = &chosen.trajectory;
    if recorded.scenario_version != machine.scenario.version && !any_version {
        return Err(format!(
            "{}: recorded on version {}, the scenario is now version {}; add --regrade to fork \
             on the current version",
            chosen.place, recorded.scenario_version, machine.scenario.version
        ));
    }
    if at > recorded.steps.len() {
        return Err(format!("--at {at}: the episode has {} steps", recorded.steps.len()));
    }
    let then = read_actions(then)?;
    let actions = recorded.actions().take(at).chain(&then);
    let episode_id = format!("{}-fork-{at}", recorded.episode_id);
    let (recorder, unplayed) = record_actions(
        machine,
        recorded.agent.clone(),
        recorded.trial,
        recorded.seed,
        episode_id,
        actions,
    );
    let fork = recorder.finish(Status::Abandoned, "the what-if's actions ran out");
    let describe = |t: &Trajectory| match (&t.grade, &t.ending) {
        (Some(grade), Some(ending)) => format!(
            "grade {:.4}, ended {} after {} steps",
            grade.score,
            ending.termination_reason,
            t.steps.len()
        ),
        _ => format!("unfinished after {} steps", t.steps.len()),
    };
    super::emit(&transcript(&fork, Changes::Outcome));
    println!("\nrecorded: {}", describe(recorded));
    println!("what-if (recorded steps 1–{at}, then {} actions): {}", then.len(), describe(&fork));
    if unplayed > 0 {
        println!("({unplayed} actions not played: the episode had ended)");
    }
    if let Some(out) = out {
        write_all(out, [&fork])?;
    }
    Ok(0)
}

/// Actions from a JSON array, a file of JSON lines (or a JSON array), or `-` for stdin.
fn read_actions(source: &str) -> Result<Vec<Action>, String> {
    let text = if source.trim_start().starts_with('[') {
        source.to_string()
    } else if source == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| format!("stdin: {e}"))?;
        text
    } else {
        std::fs::read_to_string(source).map_err(|e| format!("{source}: {e}"))?
    };
    let values: Vec<Value> = if text.trim_start().starts_with('[') {
        serde_json::from_str(&text).map_err(|e| format!("--then: not a JSON array: {e}"))?
    } else {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(|e| format!("--then: {e}: {l}")))
            .collect::<Result<_, _>>()?
    };
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            action_from_value(value).map_err(|errors| {
                let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
                format!("--then: action {}: {}", i + 1, messages.join("; "))
            })
        })
        .collect()
}

fn write_all<'a>(
    path: &Path,
    trajectories: impl IntoIterator<Item = &'a Trajectory>,
) -> Result<(), String> {
    let io = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    for trajectory in trajectories {
        write_line(&mut out, trajectory).map_err(io)?;
    }
    Ok(())
}
