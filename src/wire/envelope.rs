//! The OpenEnv response envelope (protocol spec §4.7): `{observation, reward, done, metadata}`.

use serde_json::{Value, json};

use super::Observation;

/// An observation as OpenEnv clients receive it: `reward` and `done` moved from the observation
/// to the top level, and `metadata` copied beside them (`null` when empty).
pub fn envelope(observation: &Observation) -> Value {
    let mut value = serde_json::to_value(observation).unwrap_or(Value::Null);
    let object = value.as_object_mut();
    let (reward, done) = object.map_or((Value::Null, Value::Bool(false)), |object| {
        let reward = object.remove("reward").unwrap_or(Value::Null);
        (reward, object.remove("done").unwrap_or(Value::Bool(false)))
    });
    let metadata = if observation.metadata.is_empty() {
        Value::Null
    } else {
        observation.metadata.clone().into()
    };
    json!({"observation": value, "reward": reward, "done": done, "metadata": metadata})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::example_observation;

    #[test]
    fn reward_and_done_travel_only_at_the_top_level() {
        let observation = example_observation();
        let wire = envelope(&observation);
        let keys: Vec<&str> = wire.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 4, "{keys:?}");
        assert!(wire["observation"].get("reward").is_none());
        assert!(wire["observation"].get("done").is_none());
        assert_eq!(wire["done"], observation.done);
        assert_eq!(wire["metadata"], wire["observation"]["metadata"]);
    }
}
