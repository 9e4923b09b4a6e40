//! An episode as a conversation: the system prompt, the desk at the start, then one tool call
//! and its result per step. The agent sends a bounded window of it (`request_messages`);
//! `export` writes all of it (`training_messages`).

use serde_json::{Map, Value, json};

use super::prompt::{ToolMode, first_line, shift_start, system_prompt, tool_result};
use crate::wire::{Action, ActionType, Observation, action_tools};

/// One message of the conversation.
#[derive(Clone, Debug, PartialEq)]
enum Entry {
    System(String),
    User(String),
    Call { step: usize, action: Action },
    Result { step: usize, action_type: ActionType, text: String },
}

/// An episode's conversation so far.
#[derive(Clone, Debug, PartialEq)]
pub struct Transcript {
    entries: Vec<Entry>,
}

impl Transcript {
    /// The conversation of an episode whose reset observation is `reset`.
    pub fn start(reset: &Observation, mode: ToolMode) -> Self {
        Transcript {
            entries: vec![
                Entry::System(system_prompt(reset, mode)),
                Entry::User(shift_start(reset)),
            ],
        }
    }

    /// Adds a step: `action` was taken and answered with `observation`; `unusable` says why
    /// the model's reply was replaced by a hold, if it was.
    pub fn record(&mut self, action: &Action, observation: &Observation, unusable: Option<&str>) {
        let step = self.steps() + 1;
        self.entries.push(Entry::Call { step, action: action.clone() });
        self.entries.push(Entry::Result {
            step,
            action_type: action.action_type,
            text: tool_result(action, observation, unusable),
        });
    }

    /// Steps recorded.
    pub fn steps(&self) -> usize {
        self.entries.iter().filter(|e| matches!(e, Entry::Call { .. })).count()
    }

    /// The chat messages of the next request (the context policy): the system prompt, the
    /// start of the shift and the last `history` steps; only the newest observation is sent
    /// whole, every older user or tool text is cut to its first line (what happened).
    pub fn request_messages(&self, mode: ToolMode, history: usize) -> Vec<Value> {
        let (head, steps) = self.entries.split_at(2.min(self.entries.len()));
        let kept = steps.len().min(history.saturating_mul(2));
        let window: Vec<&Entry> = head.iter().chain(&steps[steps.len() - kept..]).collect();
        let newest =
            window.iter().rposition(|e| matches!(e, Entry::User(_) | Entry::Result { .. }));
        window
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                let whole = Some(index) == newest;
                let text = |text: &str| {
                    if whole { text.to_string() } else { first_line(text).to_string() }
                };
                match (entry, mode) {
                    (Entry::System(text), _) => json!({"role": "system", "content": text}),
                    (Entry::User(body), _) => json!({"role": "user", "content": text(body)}),
                    (Entry::Call { step, action }, ToolMode::Tools) => json!({
                        "role": "assistant",
                        "content": null,
                        "tool_calls": [{
                            "id": call_id(*step),
                            "type": "function",
                            "function": {
                                "name": action.action_type.as_str(),
                                "arguments": Value::Object(arguments(action)).to_string(),
                            },
                        }],
                    }),
                    (Entry::Call { action, .. }, ToolMode::Json) => json!({
                        "role": "assistant",
                        "content": serde_json::to_string(action).unwrap_or_default(),
                    }),
                    (Entry::Result { step, text: body, .. }, ToolMode::Tools) => json!({
                        "role": "tool",
                        "tool_call_id": call_id(*step),
                        "content": text(body),
                    }),
                    (Entry::Result { text: body, .. }, ToolMode::Json) => {
                        json!({"role": "user", "content": text(body)})
                    }
                }
            })
            .collect()
    }

    /// The whole conversation in the conversational tool-calling shape of TRL's SFT trainer:
    /// `system`, `user`, then per step an `assistant` message with one `tool_calls` entry
    /// (arguments as an object) and a `tool` message named after the action.
    pub fn training_messages(&self) -> Vec<Value> {
        self.entries
            .iter()
            .map(|entry| match entry {
                Entry::System(text) => json!({"role": "system", "content": text}),
                Entry::User(text) => json!({"role": "user", "content": text}),
                Entry::Call { action, .. } => json!({
                    "role": "assistant",
                    "tool_calls": [{
                        "type": "function",
                        "function": {
                            "name": action.action_type.as_str(),
                            "arguments": Value::Object(arguments(action)),
                        },
                    }],
                }),
                Entry::Result { action_type, text, .. } => {
                    json!({"role": "tool", "name": action_type.as_str(), "content": text})
                }
            })
            .collect()
    }
}

/// The tool call id of a step (`call_1`, `call_2`, …).
fn call_id(step: usize) -> String {
    format!("call_{step}")
}

/// An action's fields as tool-call arguments: everything but `action_type` and `metadata`.
fn arguments(action: &Action) -> Map<String, Value> {
    let mut fields = match serde_json::to_value(action) {
        Ok(Value::Object(fields)) => fields,
        _ => Map::new(),
    };
    fields.remove("action_type");
    fields.remove("metadata");
    fields
}

/// The tools as OpenAI's chat completions API (and TRL's `tools` column) take them: one
/// function per action type, its parameters MCP's input schema.
pub fn function_tools() -> Vec<Value> {
    action_tools()
        .into_iter()
        .map(|tool| {
            json!({
                "type": "function",
                "function": {
                    "name": tool.action_type.as_str(),
                    "description": tool.description,
                    "parameters": tool.input_schema,
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::example_observation;

    fn transcript(steps: usize) -> Transcript {
        let reset = example_observation();
        let mut transcript = Transcript::start(&reset, ToolMode::Tools);
        for _ in 0..steps {
            transcript.record(&Action::switch_to("C-1"), &reset, None);
        }
        transcript
    }

    #[test]
    fn the_request_keeps_the_head_and_the_last_steps_with_only_the_newest_desk_whole() {
        let messages = transcript(30).request_messages(ToolMode::Tools, 4);
        assert_eq!(messages.len(), 2 + 2 * 4);
        assert_eq!(messages[0]["role"], "system");
        assert_eq!(messages[1]["role"], "user");
        assert_eq!(messages[2]["tool_calls"][0]["id"], "call_27");
        let texts: Vec<&str> = messages[1..].iter().filter_map(|m| m["content"].as_str()).collect();
        let (newest, older) = texts.split_last().unwrap();
        assert!(newest.lines().count() == 2, "the newest result carries the desk");
        assert!(older.iter().all(|t| t.lines().count() == 1), "older texts are cut: {older:?}");
    }

    #[test]
    fn the_first_request_is_the_system_prompt_and_the_whole_desk() {
        let messages = transcript(0).request_messages(ToolMode::Json, 8);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[1]["content"].as_str().unwrap().lines().count(), 2);
    }

    #[test]
    fn training_messages_are_the_whole_conversation_in_trl_shape() {
        let messages = transcript(3).training_messages();
        assert_eq!(messages.len(), 2 + 2 * 3);
        let call = &messages[2]["tool_calls"][0];
        assert_eq!(call["type"], "function");
        assert_eq!(
            call["function"],
            json!({"name": "switch_case", "arguments": {"case_id": "C-1"}})
        );
        assert_eq!(messages[3]["role"], "tool");
        assert_eq!(messages[3]["name"], "switch_case");
    }
}
