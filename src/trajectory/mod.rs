//! Trajectories: the one recorded form of an episode (docs/trajectories.md).
//!
//! A [`Trajectory`] is one episode as a JSON object, one per line of a results file: which
//! scenario version and seed, who played, every step (the action and what the agent was told),
//! how it ended and its grade. The engine is deterministic, so the scenario version, the seed
//! and the actions reproduce everything else; [`replay`] is how the rest is checked.
//!
//! Every front end records through [`Recorder`], so a trajectory recorded by `eval`, by the
//! server or by any other front end is the same.

mod file;
mod record;
mod replay;
mod report;
mod stats;
mod time;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::wire::{Action, EpisodeSummary, GradeReport};

pub use file::{
    EpisodeCounts, Metadata, ScenarioRef, read_numbered_trajectories, read_trajectories, write_line,
};
pub use record::Recorder;
pub use replay::{Divergence, Regrade, record_actions, regrade, replay};
pub use report::{DEFAULT_PASS_THRESHOLD, GroupReport, report};
pub use stats::{Passes, mean_with_ci95, pass_hat_k};
pub use time::now_rfc3339;

/// The version of the trajectory format; readers refuse other versions.
pub const FORMAT_VERSION: u32 = 1;

/// One recorded episode (one line of a results file).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trajectory {
    /// The trajectory format's version ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// Scenario id.
    pub task: String,
    /// `easy`, `medium` or `hard`.
    pub difficulty: String,
    /// Content hash of the scenario version played.
    pub scenario_version: String,
    /// The episode seed.
    pub seed: u64,
    /// Which trial of this task and seed (0-based; several trials differ only by the agent).
    pub trial: u32,
    /// The episode's label.
    pub episode_id: String,
    /// Who played.
    pub agent: Agent,
    /// How the recording ended.
    pub status: Status,
    /// Why the episode did not finish (`failed`, `abandoned`), else null.
    #[serde(default)]
    pub failure: Option<String>,
    /// Every step, in order.
    pub steps: Vec<StepRecord>,
    /// How the episode ended; null unless `finished`.
    #[serde(default)]
    pub ending: Option<Ending>,
    /// The grade report of the terminal step; null unless `finished`.
    #[serde(default)]
    pub grade: Option<GradeReport>,
    /// The terminal episode summary; null unless `finished`.
    #[serde(default)]
    pub summary: Option<EpisodeSummary>,
    /// Sum of the step rewards, 4 decimals.
    pub total_reward: f64,
    /// What the agent spent (zero for policies and recorded clients).
    #[serde(default)]
    pub usage: Usage,
    /// When the episode started (RFC 3339, UTC).
    pub started_at: String,
    /// When the recording ended (RFC 3339, UTC).
    pub finished_at: String,
}

/// Who played an episode.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Agent {
    /// What kind of player.
    pub kind: AgentKind,
    /// The policy's name, the model's name, or the transport a recorded client used.
    pub name: String,
}

/// The kinds of player.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AgentKind {
    /// A built-in policy (`shopops eval --policy`).
    Policy,
    /// A language model (`shopops eval --agent openai`).
    Llm,
    /// A client of the server, recorded by `shopops serve --record` (name: the transport).
    Client,
}

/// How a recording ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The episode ended (terminated or truncated) and was graded.
    Finished,
    /// The agent failed before the end (a model API that kept failing, say); not graded.
    Failed,
    /// The client went away, reset or was evicted before the end (server recordings).
    Abandoned,
}

/// One step: the action taken and what the engine answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRecord {
    /// The action, as the engine read it (its free-form `metadata` is not recorded).
    pub action: Action,
    /// The step reward.
    pub reward: f64,
    /// The reward's terms (`metadata.reward_breakdown`); they sum to `reward`.
    pub reward_breakdown: IndexMap<String, f64>,
    /// `"<code>: <message>"` when the action broke a rule, else null.
    pub last_action_error: Option<String>,
    /// The clock after the step, in minutes.
    pub clock_minutes: i64,
    /// The case the step acted on (`latest_tool_result.target_case_id`).
    pub case_id: String,
    /// The tool result's one-sentence outcome.
    pub outcome: String,
    /// Events that fired during the step (`metadata.events`).
    pub events: Vec<Value>,
    /// Whether the episode ended with this step.
    pub done: bool,
    /// What the agent did to choose this action (language models); not replayed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn: Option<Turn>,
}

/// A language model's turn that produced one action.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Turn {
    /// The model's reply (tool call arguments or text), cut to 2,000 characters.
    pub reply: String,
    /// Prompt tokens of the call (as the endpoint reported them).
    pub prompt_tokens: u64,
    /// Completion tokens of the call.
    pub completion_tokens: u64,
    /// Wall time of the call, retries included, in milliseconds.
    pub latency_ms: u64,
    /// Calls that failed and were retried before this one answered.
    pub retries: u32,
    /// Why the reply could not be used as an action, if so (the step then holds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unusable: Option<String>,
}

/// How an episode ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ending {
    /// Why it ended (a termination rule of the scenario, e.g. `cases_closed`).
    pub termination_reason: String,
    /// Ended by a terminal condition.
    pub terminated: bool,
    /// Cut off by the step limit.
    pub truncated: bool,
}

/// What an agent spent on an episode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Usage {
    /// Model calls made (retries included).
    pub calls: u64,
    /// Prompt tokens, summed.
    pub prompt_tokens: u64,
    /// Completion tokens, summed.
    pub completion_tokens: u64,
    /// Wall time spent waiting for the model, in milliseconds.
    pub latency_ms: u64,
}

impl std::ops::Add for Usage {
    type Output = Usage;

    fn add(self, other: Usage) -> Usage {
        Usage {
            calls: self.calls + other.calls,
            prompt_tokens: self.prompt_tokens + other.prompt_tokens,
            completion_tokens: self.completion_tokens + other.completion_tokens,
            latency_ms: self.latency_ms + other.latency_ms,
        }
    }
}

impl Trajectory {
    /// The grade, when the episode finished.
    pub fn score(&self) -> Option<f64> {
        self.grade.as_ref().map(|g| g.score)
    }

    /// Whether the episode finished with a grade of at least `threshold`.
    pub fn passes(&self, threshold: f64) -> bool {
        self.score().is_some_and(|s| s >= threshold)
    }

    /// The actions taken, in order.
    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        self.steps.iter().map(|s| &s.action)
    }
}

/// The JSON Schema of one trajectory line (Draft 2020-12), as `docs/trajectory.schema.json`.
pub fn schema() -> Value {
    crate::wire::schema_of::<Trajectory>(true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_documented_schema_is_current() {
        let text = serde_json::to_string_pretty(&super::schema()).unwrap() + "\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/trajectory.schema.json");
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(path, &text).unwrap();
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == text,
            "docs/trajectory.schema.json is stale: run `UPDATE_SCHEMA=1 cargo test --lib trajectory`"
        );
    }
}
