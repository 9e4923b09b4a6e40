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
    ScenarioRef, Status, Trajectory, Usage, now_rfc3339, report,
};
use crate::wire::Observation;

/// What to play, by whom, how often, and where to record it.
#[derive(Debug, Args)]
pub(super) struct EvalArgs {
    /// Scenario files or directories (default: everything under scenarios/).
    pub(super) scenarios: Vec<PathBuf>,
    /// A built-in policy: rule, random, noop, close_all, pay_all, oracle.
    #[arg(long, default_value = "rule")]
    pub(super) policy: String,
    /// Play only this task (a scenario id); repeat for several.
    #[arg(long = "task", value_name = "ID")]
    pub(super) tasks: Vec<String>,
    /// Seeds per task [default: 10; with --split, every seed of the split]
    #[arg(long, value_name = "N")]
    pub(super) seeds: Option<u64>,
    /// First seed.
    #[arg(long, default_value_t = 1)]
    pub(super) seed_base: u64,
    /// Play the seeds of this split of each task (its `split NAME SEEDS`), the first --seeds
    /// of them if given.
    #[arg(long, value_name = "NAME", conflicts_with = "seed_base")]
    pub(super) split: Option<String>,
    /// Trials per task and seed; pass^k is reported for k = 1 up to it.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub(super) trials: u32,
    /// An episode passes when it finishes with a grade of at least this.
    #[arg(long, default_value_t = DEFAULT_PASS_THRESHOLD)]
    pub(super) pass_threshold: f64,
    /// Record every episode in this JSON Lines file, with `metadata.json` beside it.
    #[arg(long, value_name = "FILE.jsonl")]
    pub(super) out: Option<PathBuf>,
    /// Keep the finished episodes already in `--out` and play only the others.
    #[arg(long, requires = "out")]
    pub(super) resume: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub(super) format: ReportFormat,
    #[cfg(feature = "agent")]
    #[command(flatten)]
    agent: super::agent::AgentArgs,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    split: Option<&'a str>,
    trials: u32,
    pass_threshold: f64,
    tasks: &'a [GroupReport],
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<Usage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost_usd: Option<f64>,
}

/// How a run is summed up besides its grades: a language model's spending, and its price.
#[derive(Clone, Debug, Default)]
pub(super) struct Spending {
    /// The agent's settings, for `metadata.json`.
    pub(super) settings: serde_json::Map<String, serde_json::Value>,
    /// Whether to report tokens (language models).
    pub(super) report_usage: bool,
    /// USD per million prompt and completion tokens, if given.
    pub(super) prices: Option<(f64, f64)>,
}

/// Plays every job and summarises them.
pub(super) fn run(args: EvalArgs) -> Result<u8, String> {
    if args.seeds == Some(0) {
        return Err("--seeds must be at least 1".into());
    }
    if !(0.0..=1.0).contains(&args.pass_threshold) {
        return Err("--pass-threshold must be between 0 and 1".into());
    }
    #[cfg(feature = "agent")]
    if let Some(settings) = args.agent.settings()? {
        let machines = select(&args)?;
        return super::agent::run(&args, &machines, settings);
    }
    if !crate::policy::NAMES.contains(&args.policy.as_str()) {
        return Err(format!(
            "unknown policy `{}`; policies are {}",
            args.policy,
            crate::policy::NAMES.join(", ")
        ));
    }
    let machines = select(&args)?;
    let agent = Agent { kind: AgentKind::Policy, name: args.policy.clone() };
    let started_at = now_rfc3339();
    let (results, kept) = open_results(&args, &machines)?;
    let jobs = pending(&machines, &args, &kept);
    let progress = progress_bar(jobs.len() as u64, PROGRESS_TEMPLATE);
    let played = play_policy(&jobs, &args.policy, &progress);
    progress.finish_and_clear();
    // Played in job order, which is task, seed and trial order.
    if let Some(results) = &results {
        for trajectory in &played {
            results.append(trajectory)?;
        }
    }
    let mut trajectories = kept;
    trajectories.extend(played);
    let run = Run { args: &args, machines: &machines, agent: &agent, started_at };
    run.conclude(trajectories, results.as_ref(), &Spending::default())
}

/// The progress bar's template.
pub(super) const PROGRESS_TEMPLATE: &str = "{bar:40} {pos}/{len} episodes ({eta})";

/// `--out` opened (with `--resume`, the finished episodes it keeps), or nothing without it.
pub(super) fn open_results(
    args: &EvalArgs,
    machines: &[Arc<Machine>],
) -> Result<(Option<Results>, Vec<Trajectory>), String> {
    let Some(path) = &args.out else { return Ok((None, Vec::new())) };
    let version_of = |task: &str| {
        machines.iter().find(|m| m.scenario.id == task).map(|m| m.scenario.version.clone())
    };
    let (results, kept) = Results::open(path, args.resume, version_of)?;
    Ok((Some(results), kept))
}

/// The jobs of the run that `kept` does not hold already.
pub(super) fn pending(machines: &[Arc<Machine>], args: &EvalArgs, kept: &[Trajectory]) -> Vec<Job> {
    let done = keys(kept);
    plan(machines, args)
        .into_iter()
        .filter(|j| !done.contains(&(j.machine.scenario.id.clone(), j.seed, j.trial)))
        .collect()
}

/// A run being summed up.
pub(super) struct Run<'a> {
    /// Its arguments.
    pub(super) args: &'a EvalArgs,
    /// The tasks played.
    pub(super) machines: &'a [Arc<Machine>],
    /// Who played.
    pub(super) agent: &'a Agent,
    /// When it started.
    pub(super) started_at: String,
}

impl Run<'_> {
    /// Writes `metadata.json` beside the results file (if any) and prints the summary of
    /// `trajectories` (all of the run's episodes, kept ones included).
    pub(super) fn conclude(
        &self,
        mut trajectories: Vec<Trajectory>,
        results: Option<&Results>,
        spending: &Spending,
    ) -> Result<u8, String> {
        let (args, machines) = (self.args, self.machines);
        order(&mut trajectories, machines);
        let (episodes, agents, usage) = totals(&trajectories);
        if let Some(results) = results {
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
                seeds: played_seeds(machines, args),
                trials: args.trials,
                pass_threshold: args.pass_threshold,
                episodes,
                usage,
                settings: spending.settings.clone(),
                started_at: self.started_at.clone(),
                finished_at: now_rfc3339(),
            })?;
        }
        let groups = report(&trajectories, args.pass_threshold);
        let cost_usd = spending.prices.map(|prices| cost(usage, prices));
        let evaluation = Evaluation {
            agent: self.agent,
            policy: (self.agent.kind == AgentKind::Policy).then_some(args.policy.as_str()),
            seeds: seeds_per_task(machines, args),
            split: args.split.as_deref(),
            trials: args.trials,
            pass_threshold: args.pass_threshold,
            tasks: &groups,
            usage: spending.report_usage.then_some(usage),
            cost_usd,
        };
        let text = match args.format {
            ReportFormat::Json => {
                serde_json::to_string_pretty(&evaluation).map_err(|e| e.to_string())? + "\n"
            }
            ReportFormat::Table => format!(
                "{} · {} seeds per task{}{} · pass at grade ≥ {}\n{}\n{}",
                summary::agent_label(self.agent),
                seeds_per_task(machines, args),
                args.split.as_ref().map_or(String::new(), |split| format!(" of split {split}")),
                if args.trials > 1 { format!(" · {} trials", args.trials) } else { String::new() },
                args.pass_threshold,
                summary::table(&groups, Columns::All),
                if spending.report_usage {
                    summary::spending(usage, cost_usd)
                } else {
                    String::new()
                },
            ),
        };
        super::emit(&text);
        Ok(0)
    }
}

/// What `usage` cost at `prices` (USD per million prompt and completion tokens).
fn cost(usage: Usage, (prompt, completion): (f64, f64)) -> f64 {
    let millions = |tokens: u64| tokens as f64 / 1e6;
    crate::wire::round4(
        millions(usage.prompt_tokens) * prompt + millions(usage.completion_tokens) * completion,
    )
}

/// The scenarios under the given paths (default `scenarios/`), only the `--task`s if given,
/// easiest first.
pub(super) fn select(args: &EvalArgs) -> Result<Vec<Arc<Machine>>, String> {
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
    if let Some(split) = &args.split {
        let missing: Vec<&Arc<Machine>> =
            machines.iter().filter(|m| m.scenario.split(split).is_err()).collect();
        if let [only] = missing.as_slice() {
            return Err(only.scenario.split(split).err().unwrap_or_default());
        }
        if !missing.is_empty() {
            let ids: Vec<&str> = missing.iter().map(|m| m.scenario.id.as_str()).collect();
            let mut declared: Vec<&str> = Vec::new();
            for name in machines.iter().flat_map(|m| m.scenario.splits.keys()) {
                if !declared.contains(&name.as_str()) {
                    declared.push(name);
                }
            }
            return Err(format!(
                "unknown split `{split}` of {}; the splits declared are {} (choose tasks with \
                 --task)",
                ids.join(", "),
                if declared.is_empty() { "none".to_string() } else { declared.join(", ") }
            ));
        }
    }
    machines.sort_by(|a, b| a.scenario.tier_key().cmp(&b.scenario.tier_key()));
    Ok(machines)
}

/// Every episode of the run: tasks × seeds × trials, in that order.
pub(super) fn plan(machines: &[Arc<Machine>], args: &EvalArgs) -> Vec<Job> {
    let mut jobs = Vec::new();
    for machine in machines {
        for seed in seeds_of(machine, args) {
            for trial in 0..args.trials {
                jobs.push(Job { machine: machine.clone(), seed, trial });
            }
        }
    }
    jobs
}

/// The seeds a task is played on: `--seeds` from `--seed-base`, or its split's (the first
/// `--seeds` of them if given; [`select`] made sure every task declares the split).
fn seeds_of(machine: &Machine, args: &EvalArgs) -> Vec<u64> {
    match &args.split {
        Some(split) => machine.scenario.split(split).map_or_else(
            |_| Vec::new(),
            |seeds| seeds.seeds().take(args.seeds.map_or(usize::MAX, saturating_usize)).collect(),
        ),
        None => (0..args.seeds.unwrap_or(DEFAULT_SEEDS))
            .map(|i| args.seed_base.wrapping_add(i))
            .collect(),
    }
}

/// Seeds per task without `--split`.
const DEFAULT_SEEDS: u64 = 10;

fn saturating_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Every seed played of any task, in order.
fn played_seeds(machines: &[Arc<Machine>], args: &EvalArgs) -> Vec<u64> {
    let mut seeds: Vec<u64> = machines.iter().flat_map(|m| seeds_of(m, args)).collect();
    seeds.sort_unstable();
    seeds.dedup();
    seeds
}

/// Seeds per task: the most any task is played on (they differ only with splits of different
/// sizes).
fn seeds_per_task(machines: &[Arc<Machine>], args: &EvalArgs) -> u64 {
    machines.iter().map(|m| seeds_of(m, args).len() as u64).max().unwrap_or(0)
}

/// Sorts trajectories by task (in `machines` order), seed and trial.
pub(super) fn order(trajectories: &mut [Trajectory], machines: &[Arc<Machine>]) {
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
