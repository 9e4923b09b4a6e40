//! `POST /trajectory`: an episode rebuilt from its task, seed and actions, as a trajectory in
//! the project's format (version 1), with the observation after every step if asked. The
//! engine is deterministic, so this is how the studio downloads a played episode and shows a
//! recorded one step by step: the server replays, the page never re-implements the format.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use serde_json::{Map, Value, json};

use super::App;
use super::episodes::ResetArgs;
use super::errors::{HttpError, Violation, Violations};
use super::http::json_body;
use crate::trajectory::{Agent, AgentKind, Recorder, Status};
use crate::wire::{Action, action_from_value};

/// The most actions a request may carry: more than any shipped task's `max_steps` (80), and
/// few enough that a request of well-formed actions stays under the 64 KiB body limit.
pub(crate) const MAX_ACTIONS: usize = 256;

/// Who a trajectory built here says played: a client of the server, the studio.
const PLAYER: &str = "studio";

/// What a `POST /trajectory` body asks for.
#[derive(Debug)]
struct Request {
    reset: ResetArgs,
    version: Option<String>,
    actions: Vec<Action>,
    observations: bool,
}

/// `POST /trajectory`: `{"task", "seed", "episode_id"?, "scenario_version"?, "actions": [...],
/// "observations"?: bool}` → `{"trajectory", "unplayed", "observations"?}`. 409 when the
/// scenario version asked for is no longer (or not yet) served.
pub(crate) async fn build(
    State(app): State<Arc<App>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, HttpError> {
    let request = parse(json_body(body)?).map_err(HttpError::Invalid)?;
    let mut game = request.reset.start(&app.catalog(), "body").map_err(HttpError::Invalid)?;
    let served = game.machine().scenario.version.clone();
    if let Some(version) = request.version.filter(|v| *v != served) {
        return Err(HttpError::Conflict(format!(
            "scenario version {version} is not served (the task is at {served} now): \
             its trajectory cannot be rebuilt here"
        )));
    }
    let first = game.observation();
    let agent = Agent { kind: AgentKind::Client, name: PLAYER.into() };
    let mut recorder = Recorder::start(agent, 0, &first);
    let mut observations = vec![game.observed().envelope_value()];
    let mut unplayed = 0;
    for action in &request.actions {
        match game.step(action) {
            Ok(observation) => {
                recorder.step(&game, action, &observation, None);
                if request.observations {
                    observations.push(game.observed().envelope_value());
                }
            }
            Err(_) => unplayed += 1,
        }
    }
    let trajectory = recorder.finish(Status::Abandoned, "the person stopped playing");
    let mut answer = json!({"trajectory": trajectory, "unplayed": unplayed});
    if request.observations {
        answer["observations"] = Value::Array(observations);
    }
    Ok(Json(answer))
}

/// Reads the body; every violation is found (the first 20 listed).
fn parse(body: Value) -> Result<Request, Violations> {
    let Value::Object(object) = body else {
        let msg = "the body must be a JSON object".to_string();
        return Err(Violations::one(Violation::whole("body", "model_type", msg, body)));
    };
    let mut violations = Violations::new();
    let mut reset = Map::new();
    let mut request = Request {
        reset: ResetArgs::default(),
        version: None,
        actions: Vec::new(),
        observations: false,
    };
    let (mut has_task, mut has_seed, mut has_actions) = (false, false, false);
    for (key, value) in object {
        let mut fail = |kind: &str, msg: &str, input: Value| {
            violations.push(Violation::key("body", &key, kind, msg.into(), input));
        };
        match (key.as_str(), value) {
            ("seed", Value::Null) => {}
            ("seed", value) => {
                has_seed = true;
                reset.insert(key, value);
            }
            ("task" | "episode_id", value) => {
                has_task |= key == "task" && !value.is_null();
                reset.insert(key, value);
            }
            ("scenario_version", Value::Null) => {}
            ("scenario_version", Value::String(version)) if version.len() <= 64 => {
                request.version = Some(version)
            }
            ("scenario_version", value) => {
                fail("string_type", "scenario_version must be a string of at most 64 bytes", value)
            }
            ("observations", Value::Bool(wanted)) => request.observations = wanted,
            ("observations", value) => fail("bool_type", "observations must be a boolean", value),
            ("actions", Value::Array(items)) if items.len() <= MAX_ACTIONS => {
                has_actions = true;
                for (index, item) in items.into_iter().enumerate() {
                    match action_from_value(item) {
                        Ok(action) => request.actions.push(action),
                        Err(errors) => {
                            for mut violation in Violation::actions(errors).listed().to_vec() {
                                let at = [json!("body"), json!("actions"), json!(index)];
                                violation.loc.splice(0..0, at);
                                violations.push(violation);
                            }
                        }
                    }
                }
            }
            ("actions", Value::Array(items)) => fail(
                "too_long",
                &format!("at most {MAX_ACTIONS} actions, not {}", items.len()),
                Value::Null,
            ),
            ("actions", value) => fail("list_type", "actions must be an array of actions", value),
            (_, value) => violations.push_with(|| {
                let msg = format!(
                    "unknown key `{key}`; a trajectory takes task, seed, episode_id, \
                     scenario_version, actions and observations"
                );
                Violation::key("body", &key, "extra_forbidden", msg, value)
            }),
        }
    }
    for (present, key, what) in [
        (has_task, "task", "the scenario played"),
        (has_seed, "seed", "the episode's seed"),
        (has_actions, "actions", "the actions taken"),
    ] {
        if !present {
            let msg = format!("Field required: {what}");
            violations.push(Violation::key("body", key, "missing", msg, Value::Null));
        }
    }
    match ResetArgs::parse(Value::Object(reset), "body") {
        Ok(reset) => request.reset = reset,
        Err(more) => violations.append(more),
    }
    violations.or_ok(request)
}
