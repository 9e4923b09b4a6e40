//! The texts a language model reads: the system prompt (the scenario's brief and the shift's
//! limits, from the reset observation), the desk at the start of the shift, and each tool
//! result. `eval --agent openai` and `export --format messages` both write them here, so
//! fine-tuning data reads exactly as the agent's prompts do.

use serde_json::Value;

use crate::wire::{Action, Observation, action_tools};

/// How the model answers: by calling a tool, or with a JSON action in plain text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolMode {
    /// One tool per action type; the model calls one per turn.
    Tools,
    /// No tools: the model replies with one JSON action object in text.
    Json,
}

impl ToolMode {
    /// The mode's name (`tools`, `json`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ToolMode::Tools => "tools",
            ToolMode::Json => "json",
        }
    }
}

/// The system prompt of an episode whose reset observation is `reset`: the desk's role, the
/// scenario's brief (its handbook), the shift's limits, and how to answer in `mode`.
pub fn system_prompt(reset: &Observation, mode: ToolMode) -> String {
    let meta = &reset.metadata;
    let number = |key: &str| meta.get(key).map_or_else(|| "?".to_string(), Value::to_string);
    let brief = reset.latest_tool_result.details.get("brief").and_then(Value::as_str);
    let mut sections = vec![format!(
        "You work the operations desk of an online shop: task `{}` ({}). Each turn you see the \
         desk as JSON and take exactly one action. Every action but `switch_case` acts on the \
         active case; `switch_case` to the active case waits 5 minutes.",
        reset.current_task, reset.difficulty
    )];
    if let Some(brief) = brief.filter(|b| !b.trim().is_empty()) {
        sections.push(format!("Desk handbook:\n{}", brief.trim()));
    }
    sections.push(format!(
        "Limits of this shift: {} steps, {} minutes, a budget of {} USD, {} rule-breaking \
         actions.",
        number("max_steps"),
        number("time_limit_minutes"),
        number("budget_limit_usd"),
        number("invalid_action_limit"),
    ));
    sections.push(match mode {
        ToolMode::Tools => "Act by calling exactly one tool per turn.".to_string(),
        ToolMode::Json => json_instructions(),
    });
    sections.join("\n\n")
}

/// How to answer without tools: the action types and fields, and the reply's shape.
fn json_instructions() -> String {
    let tools = action_tools();
    let types: Vec<String> =
        tools.iter().map(|t| format!("- {}: {}", t.action_type.as_str(), t.description)).collect();
    let fields: Vec<String> = tools
        .first()
        .and_then(|t| t.input_schema["properties"].as_object().cloned())
        .unwrap_or_default()
        .iter()
        .map(|(name, schema)| {
            let about = schema["description"].as_str().unwrap_or_default();
            format!("- {name}: {about}")
        })
        .collect();
    format!(
        "Action types:\n{}\n\nFields besides `action_type` (leave out those you do not \
         need):\n{}\n\nReply with one JSON object and nothing else, for example \
         {{\"action_type\": \"inspect_order\"}}.",
        types.join("\n"),
        fields.join("\n")
    )
}

/// The first user message: the desk at the start of the shift.
pub fn shift_start(reset: &Observation) -> String {
    format!(
        "The shift starts: {} case(s) in the queue, active case {}.\n{}",
        reset.queue.len(),
        reset.active_case.case_id,
        desk(reset)
    )
}

/// The result of one action: a first line that says what happened (kept when older results
/// are cut, see `context`), then the desk after it. `unusable` says why the model's reply was
/// replaced by a hold.
pub fn tool_result(action: &Action, observation: &Observation, unusable: Option<&str>) -> String {
    let error = observation.metadata.get("last_action_error").and_then(Value::as_str);
    let mut line = format!(
        "Step {}: {} on {}, reward {:+.2}. {}",
        observation.step_index,
        action.action_type,
        observation.latest_tool_result.target_case_id,
        observation.reward.unwrap_or_default(),
        observation.latest_tool_result.outcome
    );
    if let Some(error) = error {
        line.push_str(&format!(" Error: {error}."));
    }
    if let Some(why) = unusable {
        line.push_str(&format!(" Held: your reply could not be used ({why})."));
    }
    if observation.done {
        line.push_str(" The shift is over.");
    }
    format!("{line}\n{}", desk(observation))
}

/// The observation as one line of JSON.
fn desk(observation: &Observation) -> String {
    serde_json::to_string(observation).unwrap_or_default()
}

/// The first line of a prompt text: what an older tool result is cut to.
pub fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
