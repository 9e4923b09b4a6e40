//! `shopops eval`: a policy over tasks × seeds × trials; every episode recorded as a
//! trajectory (`--out`), then the summary: mean grade with a 95 % confidence interval, pass^k,
//! mean return and grade components.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use indicatif::ProgressBar;
use serde::Serialize;

use super::progress_bar;
use super::results::{Results, keys, totals};
use super::summary::{self, Columns, ReportFormat};
use crate::engine::{Game, Machine};
use crate::policy::by_name;
use crate::trajectory::{
    Agent, AgentKind, DEFAULT_PASS_THRESHOLD, FORMAT_VERSION, GroupReport, Metadata, Recorder,
    ScenarioRef, Status, Trajectory, now_rfc3339, report,
};
use crate::wire::Observation;

/// What to play, by whom, how often, and where to record it.
#[derive(Debug, Args)]
pub(super) struct EvalArgs {
    /// Scenario files or directories (default: everything under scenarios/).
    scenarios: Vec<PathBuf>,
    /// A built-in policy: rule, random, noop, close_all, pay_all, oracle.
    #[arg(long, default_value = "rule")]
    policy: String,
    /// Play only this task (a scenario id); repeat for several.
    #[arg(long = "task", value_name = "ID")]
    tasks: Vec<String>,
    /// Seeds per task.
    #[arg(long, default_value_t = 10)]
    seeds: u64,
    /// First seed.
    #[arg(long, default_value_t = 1)]
    seed_base: u64,
    /// Trials per task and seed; pass^k is reported for k = 1 up to it.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    trials: u32,
    /// An episode passes when it finishes with a grade of at least this.
    #[arg(long, default_value_t = DEFAULT_PASS_THRESHOLD)]
    pass_threshold: f64,
    /// Record every episode in this JSON Lines file, with `metadata.json` beside it.
    #[arg(long, value_name = "FILE.jsonl")]
    out: Option<PathBuf>,
    /// Keep the finished episodes already in `--out` and play only the others.
    #[arg(long, requires = "out")]
    resume: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: ReportFormat,
}

/// One episode to play: a task, a seed and a trial.
#[derive(Clone)]
pub(super) struct Job {
    /// The task.
    pub(super) machine: Arc<Machine>,
    /// The episode seed.
    pub(super) seed: u64,
    /// The trial (0-based).
    pub(super) trial: u32,
}

#[derive(Serialize)]
struct Evaluation<'a> {
    agent: &'a Agent,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'a str>,
    seeds: u64,
    trials: u32,
    pass_threshold: f64,
    tasks: &'a [GroupReport],
}

/// Plays every job and summarises them.
pub(super) fn run(args: EvalArgs) -> Result<u8, String> {
    if !crate::policy::NAMES.contains(&args.policy.as_str()) {
        return Err(format!(
            "unknown policy `{}`; policies are {}",
            args.policy,
            crate::policy::NAMES.join(", ")
        ));
    }
    if args.seeds == 0 {
        return Err("--seeds must be at least 1".into());
    }
    if !(0.0..=1.0).contains(&args.pass_threshold) {
        return Err("--pass-threshold must be between 0 and 1".into());
    }
    let machines = select(&args)?;
    let agent = Agent { kind: AgentKind::Policy, name: args.policy.clone() };
    let started_at = now_rfc3339();
    let (results, kept) = match &args.out {
        Some(path) => {
            let version_of = |task: &str| {
                machines.iter().find(|m| m.scenario.id == task).map(|m| m.scenario.version.clone())
            };
            let (results, kept) = Results::open(path, args.resume, version_of)?;
            (Some(results), kept)
        }
        None => (None, Vec::new()),
    };
    let done = keys(&kept);
    let jobs: Vec<Job> = plan(&machines, &args)
        .into_iter()
        .filter(|j| !done.contains(&(j.machine.scenario.id.clone(), j.seed, j.trial)))
        .collect();
    let progress = progress_bar(jobs.len() as u64, "{bar:40} {pos}/{len} episodes ({eta})");
    let played = play_policy(&jobs, &args.policy, &progress);
    progress.finish_and_clear();
    let mut trajectories = kept;
    trajectories.extend(played);
    order(&mut trajectories, &machines);
    if let Some(results) = &results {
        for trajectory in trajectories.iter().filter(|t| !done.contains(&key(t))) {
            results.append(trajectory)?;
        }
        let (episodes, agents, usage) = totals(&trajectories);
        results.write_metadata(&Metadata {
            format_version: FORMAT_VERSION,
            command: std::env::args().collect(),
            shopops_version: env!("CARGO_PKG_VERSION").into(),
            scenarios: machines
                .iter()
                .map(|m| ScenarioRef {
                    id: m.scenario.id.clone(),
                    difficulty: m.scenario.difficulty.clone(),
                    version: m.scenario.version.clone(),
                })
                .collect(),
            agents,
            seeds: (0..args.seeds).map(|i| args.seed_base.wrapping_add(i)).collect(),
            trials: args.trials,
            pass_threshold: args.pass_threshold,
            episodes,
            usage,
            settings: serde_json::Map::new(),
            started_at,
            finished_at: now_rfc3339(),
        })?;
    }
    let groups = report(&trajectories, args.pass_threshold);
    let evaluation = Evaluation {
        agent: &agent,
        policy: Some(&args.policy),
        seeds: args.seeds,
        trials: args.trials,
        pass_threshold: args.pass_threshold,
        tasks: &groups,
    };
    let text = match args.format {
        ReportFormat::Json => {
            serde_json::to_string_pretty(&evaluation).map_err(|e| e.to_string())? + "\n"
        }
        ReportFormat::Table => format!(
            "{} · {} seeds per task{} · pass at grade ≥ {}\n{}\n",
            summary::agent_label(&groups[0].agent),
            args.seeds,
            if args.trials > 1 { format!(" · {} trials", args.trials) } else { String::new() },
            args.pass_threshold,
            summary::table(&groups, Columns::All)
        ),
    };
    super::emit(&text);
    Ok(0)
}

/// The scenarios under the given paths (default `scenarios/`), only the `--task`s if given,
/// easiest first.
fn select(args: &EvalArgs) -> Result<Vec<Arc<Machine>>, String> {
    let paths = if args.scenarios.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        args.scenarios.clone()
    };
    let mut machines = super::scenarios::machines(&paths)?;
    if let Some(unknown) =
        args.tasks.iter().find(|t| !machines.iter().any(|m| m.scenario.id == **t))
    {
        let known: Vec<&str> = machines.iter().map(|m| m.scenario.id.as_str()).collect();
        return Err(format!("unknown task `{unknown}`; tasks are {}", known.join(", ")));
    }
    if !args.tasks.is_empty() {
        machines.retain(|m| args.tasks.contains(&m.scenario.id));
    }
    machines.sort_by(|a, b| a.scenario.tier_key().cmp(&b.scenario.tier_key()));
    Ok(machines)
}

/// Every episode of the run: tasks × seeds × trials, in that order.
fn plan(machines: &[Arc<Machine>], args: &EvalArgs) -> Vec<Job> {
    let mut jobs = Vec::new();
    for machine in machines {
        for i in 0..args.seeds {
            for trial in 0..args.trials {
                let seed = args.seed_base.wrapping_add(i);
                jobs.push(Job { machine: machine.clone(), seed, trial });
            }
        }
    }
    jobs
}

fn key(t: &Trajectory) -> (String, u64, u32) {
    (t.task.clone(), t.seed, t.trial)
}

/// Sorts trajectories by task (in `machines` order), seed and trial.
fn order(trajectories: &mut [Trajectory], machines: &[Arc<Machine>]) {
    let rank = |task: &str| machines.iter().position(|m| m.scenario.id == task);
    trajectories.sort_by_key(|t| (rank(&t.task), t.seed, t.trial));
}

/// Plays `jobs` with the policy `name` in parallel chunks; trajectories in job order.
fn play_policy(jobs: &[Job], name: &str, progress: &ProgressBar) -> Vec<Trajectory> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = jobs.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|job| {
                            let trajectory = play(job, name, |_, _| ());
                            progress.inc(1);
                            trajectory
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}

/// One episode of `job` played by the policy `name`, recorded; `observe` is shown each
/// step's observations before and after.
pub(super) fn play(
    job: &Job,
    name: &str,
    mut observe: impl FnMut(&Observation, &Observation),
) -> Trajectory {
    let agent = Agent { kind: AgentKind::Policy, name: name.to_string() };
    let mut game = Game::new(job.machine.clone(), job.seed, format!("eval-{}", job.seed));
    let mut observation = game.observation();
    let mut recorder = Recorder::start(agent, job.trial, &observation);
    let Some(mut policy) = by_name(name, &job.machine, job.seed) else {
        return recorder.finish(Status::Failed, format!("unknown policy `{name}`"));
    };
    while !game.done() {
        let action = policy.act(&observation);
        match game.step(&action) {
            Ok(next) => {
                recorder.step(&game, &action, &next, None);
                observe(&observation, &next);
                observation = next;
            }
            Err(error) => return recorder.finish(Status::Failed, error.to_string()),
        }
    }
    recorder.finish(Status::Failed, "the episode did not end")
}
