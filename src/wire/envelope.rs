//! The OpenEnv response envelope (protocol spec §4.7): `{observation, reward, done, metadata}`.

use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::{Map, Value};

use super::Observation;

/// An observation as OpenEnv clients receive it: `reward` and `done` moved from the observation
/// to the top level, and `metadata` copied beside them (`null` when empty). Serialises straight
/// from the borrowed observation.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Envelope<'a> {
    observation: Body<'a>,
    reward: Option<f64>,
    done: bool,
    metadata: Option<&'a Map<String, Value>>,
}

/// The envelope of `observation`.
pub fn envelope(observation: &Observation) -> Envelope<'_> {
    Envelope {
        observation: Body(observation),
        reward: observation.reward,
        done: observation.done,
        metadata: Some(&observation.metadata).filter(|m| !m.is_empty()),
    }
}

impl Envelope<'_> {
    /// The envelope as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// An observation without `reward` and `done`.
#[derive(Clone, Copy, Debug)]
struct Body<'a>(&'a Observation);

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut body = serializer.serialize_struct("Observation", 12)?;
        body.serialize_field("active_case", &o.active_case)?;
        body.serialize_field("queue", &o.queue)?;
        body.serialize_field("latest_tool_result", &o.latest_tool_result)?;
        body.serialize_field("resources", &o.resources)?;
        body.serialize_field("metrics", &o.metrics)?;
        body.serialize_field("unresolved_blockers", &o.unresolved_blockers)?;
        body.serialize_field("current_task", &o.current_task)?;
        body.serialize_field("difficulty", &o.difficulty)?;
        body.serialize_field("step_index", &o.step_index)?;
        body.serialize_field("episode_id", &o.episode_id)?;
        body.serialize_field("env_schema_version", &o.env_schema_version)?;
        body.serialize_field("metadata", &o.metadata)?;
        body.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::example_observation;

    #[test]
    fn reward_and_done_travel_only_at_the_top_level() {
        let observation = example_observation();
        let wire = envelope(&observation).to_value();
        let keys: Vec<&str> = wire.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 4, "{keys:?}");
        assert!(wire["observation"].get("reward").is_none());
        assert!(wire["observation"].get("done").is_none());
        assert_eq!(wire["done"], observation.done);
        assert_eq!(wire["metadata"], wire["observation"]["metadata"]);
    }

    #[test]
    fn the_body_is_the_observation_without_reward_and_done() {
        let observation = example_observation();
        let mut whole = serde_json::to_value(&observation).unwrap();
        let object = whole.as_object_mut().unwrap();
        object.remove("reward");
        object.remove("done");
        assert_eq!(envelope(&observation).to_value()["observation"], whole);
    }
}
