//! Reading a model's reply as an action: its first tool call, or else the first JSON object in
//! its text. Keys an action does not have are dropped (models add `reasoning` and the like); a
//! reply with no action in it is unusable, and the caller holds instead (never a guessed
//! action).

use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::wire::{Action, action_from_value, schemas};

/// The longest reply recorded in a trajectory, in characters.
pub const MAX_REPLY_CHARS: usize = 2_000;

/// What a reply said, and the action in it or why there is none.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// The reply as recorded: `name {arguments}` for a tool call, else the text (cut).
    pub reply: String,
    /// The action, or why the reply could not be used.
    pub action: Result<Action, String>,
}

/// Reads an OpenAI chat completion `message`: the first of its `tool_calls` (later ones are
/// ignored and counted in `reply`), or else an action as JSON in its `content`.
pub fn read_reply(message: &Value) -> Reading {
    let calls = message["tool_calls"].as_array().map(Vec::as_slice).unwrap_or_default();
    if let Some(call) = calls.first() {
        let name = call["function"]["name"].as_str().unwrap_or_default();
        let arguments = match &call["function"]["arguments"] {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let mut reply = format!("{name} {arguments}");
        if calls.len() > 1 {
            reply.push_str(&format!(" [{} more tool calls ignored]", calls.len() - 1));
        }
        return Reading { reply: cut(&reply), action: from_tool_call(name, &arguments) };
    }
    let text = message["content"].as_str().unwrap_or_default();
    Reading { reply: cut(text), action: from_text(text) }
}

/// The action of a tool call: its name is the action type, its arguments the other fields.
pub fn from_tool_call(name: &str, arguments: &str) -> Result<Action, String> {
    let mut fields = if arguments.trim().is_empty() {
        Map::new()
    } else {
        match serde_json::from_str(arguments) {
            Ok(Value::Object(fields)) => fields,
            Ok(_) => return Err(format!("the arguments of `{name}` are not a JSON object")),
            Err(e) => return Err(format!("the arguments of `{name}` are not JSON: {e}")),
        }
    };
    fields.insert("action_type".into(), Value::String(name.to_string()));
    action(fields)
}

/// The first JSON object in `text` (code fences and prose around it allowed) as an action.
pub fn from_text(text: &str) -> Result<Action, String> {
    let object = text.match_indices('{').find_map(|(at, _)| {
        let mut values = serde_json::Deserializer::from_str(&text[at..]).into_iter::<Value>();
        match values.next() {
            Some(Ok(Value::Object(object))) => Some(object),
            _ => None,
        }
    });
    match object {
        Some(object) => action(object),
        None if text.trim().is_empty() => Err("an empty reply".into()),
        None => Err("no tool call and no JSON object in the reply".into()),
    }
}

/// `fields` as an action, keys an action does not have dropped.
fn action(mut fields: Map<String, Value>) -> Result<Action, String> {
    fields.retain(|key, _| ACTION_FIELDS.contains(key));
    fields.remove("metadata");
    action_from_value(Value::Object(fields))
        .map_err(|errors| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
}

/// The fields of an action, from its schema.
static ACTION_FIELDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    schemas()["action"]["properties"]
        .as_object()
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
});

/// `text` cut to [`MAX_REPLY_CHARS`] characters.
fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_REPLY_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::wire::ActionType;

    #[test]
    fn a_tool_call_is_its_name_and_arguments() {
        let message = json!({"tool_calls": [
            {"type": "function", "function": {"name": "issue_refund", "arguments": "{\"refund_amount_usd\": \"12.5\"}"}},
            {"type": "function", "function": {"name": "close_case", "arguments": "{}"}},
        ]});
        let reading = read_reply(&message);
        assert_eq!(reading.action, Ok(Action::refund(12.5)));
        assert!(reading.reply.ends_with("[1 more tool calls ignored]"), "{}", reading.reply);
    }

    #[test]
    fn text_is_read_for_its_first_json_object() {
        let text =
            "Let me look.\n```json\n{\"action_type\": \"inspect_order\", \"why\": \"first\"}\n```";
        let reading = read_reply(&json!({"content": text}));
        assert_eq!(reading.action, Ok(Action::new(ActionType::InspectOrder)));
        assert_eq!(reading.reply, text);
    }

    #[test]
    fn garbage_is_unusable_with_a_reason() {
        assert!(from_text("I am not sure what to do").unwrap_err().contains("no JSON object"));
        assert!(from_text("{\"action_type\": \"dance\"}").unwrap_err().contains("action_type"));
        assert_eq!(from_text("  ").unwrap_err(), "an empty reply");
        assert!(from_tool_call("close_case", "{oops").unwrap_err().contains("not JSON"));
        assert!(from_tool_call("fly", "{}").is_err());
    }
}
