//! The summary of many trajectories, per task and agent: what `eval` prints at the end of a
//! run and `view` prints for any results files.

use indexmap::IndexMap;
use serde::Serialize;

use super::{Agent, Passes, Status, Trajectory, Usage, mean_with_ci95, pass_hat_k};
use crate::wire::round4;

/// The default grade at which an episode passes: the bar `check --prove` holds every shipped
/// seed to (SHOP016), so passing means "solved as well as the task allows".
pub const DEFAULT_PASS_THRESHOLD: f64 = 0.95;

/// The summary of one task played by one agent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupReport {
    /// Scenario id.
    pub task: String,
    /// `easy`, `medium` or `hard`.
    pub difficulty: String,
    /// Who played.
    pub agent: Agent,
    /// Episodes recorded.
    pub episodes: u64,
    /// Episodes that did not finish (failed or abandoned); they count as grade 0 and fail.
    pub unfinished: u64,
    /// Mean grade (unfinished episodes as 0).
    pub mean_grade: f64,
    /// Its 95 % confidence interval.
    pub ci95: [f64; 2],
    /// pass^k for k = 1, 2, … up to the most trials any seed has.
    pub pass_hat_k: Vec<f64>,
    /// Mean return of the finished episodes.
    pub mean_return: f64,
    /// Mean steps per episode.
    pub mean_steps: f64,
    /// Mean of each grade component over the finished episodes.
    pub components: IndexMap<String, f64>,
    /// Mean of each grade component over the finished episodes that did not pass.
    pub failing_components: IndexMap<String, f64>,
    /// Episodes that did not pass, by how they ended: a termination reason, or `failed` or
    /// `abandoned`.
    pub failures: IndexMap<String, u64>,
    /// What the agent spent.
    pub usage: Usage,
}

/// The summary of `trajectories` per task and agent (in order of first appearance); an
/// episode passes when it finished with a grade of at least `threshold`.
pub fn report(trajectories: &[Trajectory], threshold: f64) -> Vec<GroupReport> {
    let mut groups: IndexMap<(&str, &Agent), Vec<&Trajectory>> = IndexMap::new();
    for trajectory in trajectories {
        groups.entry((trajectory.task.as_str(), &trajectory.agent)).or_default().push(trajectory);
    }
    groups.into_values().map(|episodes| group(&episodes, threshold)).collect()
}

fn group(episodes: &[&Trajectory], threshold: f64) -> GroupReport {
    let first = episodes[0];
    let finished: Vec<&Trajectory> =
        episodes.iter().copied().filter(|t| t.status == Status::Finished).collect();
    let grades: Vec<f64> = episodes.iter().map(|t| t.score().unwrap_or(0.0)).collect();
    let (mean, [low, high]) = mean_with_ci95(&grades, 0.0, 1.0);
    let mut problems: IndexMap<u64, Passes> = IndexMap::new();
    for t in episodes {
        let problem = problems.entry(t.seed).or_default();
        problem.trials += 1;
        problem.passed += u32::from(t.passes(threshold));
    }
    let problems: Vec<Passes> = problems.into_values().collect();
    let most_trials = problems.iter().map(|p| p.trials).max().unwrap_or(0);
    let failing: Vec<&Trajectory> =
        finished.iter().copied().filter(|t| !t.passes(threshold)).collect();
    let mut failures: IndexMap<String, u64> = IndexMap::new();
    for t in episodes.iter().filter(|t| !t.passes(threshold)) {
        let how = match (&t.status, &t.ending) {
            (Status::Finished, Some(ending)) => ending.termination_reason.clone(),
            (Status::Finished, None) => "finished".into(),
            (Status::Failed, _) => "failed".into(),
            (Status::Abandoned, _) => "abandoned".into(),
        };
        *failures.entry(how).or_default() += 1;
    }
    let per_episode = |sum: f64, n: usize| if n == 0 { 0.0 } else { round4(sum / n as f64) };
    GroupReport {
        task: first.task.clone(),
        difficulty: first.difficulty.clone(),
        agent: first.agent.clone(),
        episodes: episodes.len() as u64,
        unfinished: (episodes.len() - finished.len()) as u64,
        mean_grade: round4(mean),
        ci95: [round4(low), round4(high)],
        pass_hat_k: (1..=most_trials)
            .filter_map(|k| pass_hat_k(&problems, k))
            .map(round4)
            .collect(),
        mean_return: per_episode(finished.iter().map(|t| t.total_reward).sum(), finished.len()),
        mean_steps: per_episode(
            episodes.iter().map(|t| t.steps.len() as f64).sum(),
            episodes.len(),
        ),
        components: component_means(&finished),
        failing_components: component_means(&failing),
        failures,
        usage: episodes.iter().fold(Usage::default(), |sum, t| sum + t.usage),
    }
}

/// The mean of each grade component over `episodes` (finished ones), 4 decimals.
fn component_means(episodes: &[&Trajectory]) -> IndexMap<String, f64> {
    let n = episodes.len().max(1) as f64;
    let mut means: IndexMap<String, f64> = IndexMap::new();
    for grade in episodes.iter().filter_map(|t| t.grade.as_ref()) {
        for (name, value) in &grade.components {
            *means.entry(name.clone()).or_default() += value / n;
        }
    }
    means.into_iter().map(|(name, mean)| (name, round4(mean))).collect()
}
