//! The actions as tools: one per action type, named after it, whose input schema is the
//! action's without `action_type`. MCP's `tools/list` and the language-model agent's `tools`
//! are both made from [`action_tools`], so they cannot drift apart.

use serde_json::Value;

use super::{ActionType, schemas};

/// One action type as a tool.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionTool {
    /// The action type, which is the tool's name.
    pub action_type: ActionType,
    /// What the action does.
    pub description: &'static str,
    /// The JSON Schema of the tool's arguments: the action's fields but `action_type`.
    pub input_schema: Value,
}

/// One tool per action type, in the spec's order.
pub fn action_tools() -> Vec<ActionTool> {
    let input_schema = action_input_schema();
    ActionType::ALL
        .iter()
        .map(|&action_type| ActionTool {
            action_type,
            description: action_type.doc(),
            input_schema: input_schema.clone(),
        })
        .collect()
}

/// The action's schema without `action_type` (the tool's name says it), `required` or `title`.
fn action_input_schema() -> Value {
    let mut input = schemas()["action"].clone();
    if let Some(properties) = input["properties"].as_object_mut() {
        properties.remove("action_type");
    }
    if let Some(object) = input.as_object_mut() {
        object.remove("required");
        object.remove("title");
    }
    input
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_type_is_a_tool_without_an_action_type_argument() {
        let tools = action_tools();
        assert_eq!(tools.len(), ActionType::ALL.len());
        for tool in &tools {
            assert!(tool.input_schema["properties"].get("action_type").is_none());
            assert!(tool.input_schema["properties"].get("case_id").is_some());
            assert!(!tool.description.is_empty());
        }
    }
}
