//! [`Recorder`]: a trajectory built from a game's steps and the observations a front end
//! hands out.

use indexmap::IndexMap;
use serde_json::Value;

use super::{Agent, Ending, FORMAT_VERSION, Status, StepRecord, Trajectory, Turn, Usage};
use crate::engine::Game;
use crate::wire::{Action, Observation, round4};

/// Records one episode from its reset observation and each step's action and observation.
#[derive(Clone, Debug)]
pub struct Recorder {
    trajectory: Trajectory,
}

impl Recorder {
    /// Starts recording the episode whose reset observation is `reset`.
    pub fn start(agent: Agent, trial: u32, reset: &Observation) -> Self {
        let meta = &reset.metadata;
        let text =
            |key: &str| meta.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let now = super::now_rfc3339();
        Recorder {
            trajectory: Trajectory {
                format_version: FORMAT_VERSION,
                task: reset.current_task.clone(),
                difficulty: reset.difficulty.clone(),
                scenario_version: text("scenario_version"),
                seed: meta.get("seed").and_then(Value::as_u64).unwrap_or_default(),
                trial,
                episode_id: reset.episode_id.clone(),
                agent,
                status: Status::Abandoned,
                failure: None,
                steps: Vec::new(),
                ending: None,
                grade: None,
                summary: None,
                total_reward: 0.0,
                usage: Usage::default(),
                started_at: now.clone(),
                finished_at: now,
            },
        }
    }

    /// Records a step of `game`: `action` was taken and answered with `observation`; `turn` is
    /// what a language model spent on it.
    pub fn step(
        &mut self,
        game: &Game,
        action: &Action,
        observation: &Observation,
        turn: Option<Turn>,
    ) {
        let trajectory = &mut self.trajectory;
        if let Some(turn) = &turn {
            trajectory.usage = trajectory.usage
                + Usage {
                    calls: u64::from(turn.retries) + 1,
                    prompt_tokens: turn.prompt_tokens,
                    completion_tokens: turn.completion_tokens,
                    latency_ms: turn.latency_ms,
                };
        }
        let record = step_record(action, observation, turn);
        trajectory.total_reward = round4(trajectory.total_reward + record.reward);
        trajectory.steps.push(record);
        if let (Some(grade), Some(summary)) = (game.grade(), game.summary()) {
            trajectory.status = Status::Finished;
            trajectory.grade = Some(grade);
            trajectory.summary = Some(summary);
            trajectory.ending = trajectory.summary.as_ref().map(|s| Ending {
                termination_reason: s.termination_reason.clone(),
                terminated: s.terminated,
                truncated: s.truncated,
            });
            if let Some(summary) = &trajectory.summary {
                trajectory.total_reward = summary.total_reward;
            }
        }
    }

    /// Adds what a model spent without producing a step (a failed last call).
    pub fn spend(&mut self, usage: Usage) {
        self.trajectory.usage = self.trajectory.usage + usage;
    }

    /// Whether the recorded episode has ended.
    pub fn finished(&self) -> bool {
        self.trajectory.status == Status::Finished
    }

    /// Steps recorded so far.
    pub fn steps(&self) -> usize {
        self.trajectory.steps.len()
    }

    /// The trajectory: finished if the episode ended, else `unfinished` (failed or abandoned)
    /// with `reason`.
    pub fn finish(mut self, unfinished: Status, reason: impl Into<String>) -> Trajectory {
        if self.trajectory.status != Status::Finished {
            self.trajectory.status = unfinished;
            self.trajectory.failure = Some(reason.into());
        }
        self.trajectory.finished_at = super::now_rfc3339();
        self.trajectory
    }
}

/// The record of one step, read from the observation that answered `action`.
pub(super) fn step_record(
    action: &Action,
    observation: &Observation,
    turn: Option<Turn>,
) -> StepRecord {
    let meta = &observation.metadata;
    let reward_breakdown: IndexMap<String, f64> = meta
        .get("reward_breakdown")
        .and_then(Value::as_object)
        .map(|terms| {
            terms.iter().map(|(k, v)| (k.clone(), v.as_f64().unwrap_or_default())).collect()
        })
        .unwrap_or_default();
    let mut action = action.clone();
    action.metadata.clear();
    StepRecord {
        action,
        reward: observation.reward.unwrap_or_default(),
        reward_breakdown,
        last_action_error: meta
            .get("last_action_error")
            .and_then(Value::as_str)
            .map(str::to_string),
        clock_minutes: observation.resources.time_used_minutes,
        case_id: observation.latest_tool_result.target_case_id.clone(),
        outcome: observation.latest_tool_result.outcome.clone(),
        events: meta.get("events").and_then(Value::as_array).cloned().unwrap_or_default(),
        done: observation.done,
        turn,
    }
}
