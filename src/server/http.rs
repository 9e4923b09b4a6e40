//! The HTTP routes `/reset`, `/step`, `/state` (protocol spec §4, §6.1) and the fallbacks.
//!
//! Stateless by default, as the reference server: a step without `episode_id` plays a
//! throw-away episode. A reset stores its episode under its id for continuation.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::App;
use super::episodes::{self, JsonText, ResetArgs, envelope_text};
use super::errors::{HttpError, Violation, Violations};
use super::record::Transport;
use super::store::{Shared, entry_cost, lock, share};
use crate::engine::StepError;
use crate::wire::{self, Action, action_from_value, lax};

/// The longest `request_id` a step accepts, in characters.
const MAX_REQUEST_ID_CHARS: usize = 255;

/// `POST /reset`: starts an episode and stores it under its id.
pub(crate) async fn reset(
    State(app): State<Arc<App>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<JsonText, HttpError> {
    let args = ResetArgs::parse(json_body(body)?, "body").map_err(HttpError::Invalid)?;
    let game = args.start(&app.catalog(), "body").map_err(HttpError::Invalid)?;
    let game = app.live(game, Transport::Http);
    let response = envelope_text(&game.observed());
    let id = game.episode().world.episode_id.clone();
    let (shared, cost) = share(&id, game);
    app.http_episodes.insert(&id, HttpEpisode::Running(shared), cost);
    Ok(JsonText(response))
}

/// A stored HTTP episode: while it runs, the whole game; once it has ended, only its final
/// state, which is all `/state` shows and all a late `/step` (409) needs.
#[derive(Clone, Debug)]
pub(crate) enum HttpEpisode {
    /// Still running.
    Running(Shared),
    /// Ended.
    Finished(Arc<wire::State>),
}

/// Bytes of a finished episode's entry.
fn finished_cost(id: &str, state: &wire::State) -> usize {
    let strings = [&state.episode_id, &state.task, &state.difficulty, &state.scenario_version];
    entry_cost(
        id,
        std::mem::size_of::<wire::State>() + strings.iter().map(|s| s.len()).sum::<usize>(),
    )
}

/// Steps a stored episode: the reply's envelope text. Once it ends, the store keeps only its
/// final state.
fn step_stored(app: &App, id: &str, action: &Action) -> Result<String, HttpError> {
    let shared = match stored(app, id)? {
        HttpEpisode::Running(shared) => shared,
        HttpEpisode::Finished(_) => return Err(conflict(StepError::EpisodeDone)),
    };
    let mut game = lock(&shared);
    game.step(action).map_err(conflict)?;
    let reply = envelope_text(&game.observed());
    if game.done() {
        let state = Arc::new(game.state());
        drop(game);
        let is_this =
            |held: &HttpEpisode| matches!(held, HttpEpisode::Running(s) if Arc::ptr_eq(s, &shared));
        let cost = finished_cost(id, &state);
        app.http_episodes.replace(id, is_this, HttpEpisode::Finished(state), cost);
    }
    Ok(reply)
}

fn conflict(error: StepError) -> HttpError {
    HttpError::Conflict(error.to_string())
}

/// `POST /step`: one action on a stored episode, or on a throw-away one without `episode_id`.
pub(crate) async fn step(
    State(app): State<Arc<App>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<JsonText, HttpError> {
    let request = StepRequest::parse(json_body(body)?).map_err(HttpError::Invalid)?;
    let reply = match request.episode_id {
        Some(id) => step_stored(&app, &id, &request.action)?,
        None => {
            let game =
                ResetArgs::default().start(&app.catalog(), "body").map_err(HttpError::Invalid)?;
            let mut game = app.live(game, Transport::Http);
            game.step(&request.action).map_err(conflict)?;
            envelope_text(&game.observed())
        }
    };
    Ok(JsonText(reply))
}

/// The query of `GET /state`.
#[derive(Debug, Deserialize)]
pub(crate) struct StateQuery {
    episode_id: Option<String>,
}

impl StateQuery {
    /// The `episode_id` asked for, validated as reset validates it (else 422).
    fn episode_id(self) -> Result<Option<String>, HttpError> {
        let id = self.episode_id.map_or(Value::Null, Value::String);
        episodes::episode_id(&id, "query").map_err(|v| HttpError::Invalid(Violations::one(v)))
    }
}

/// `GET /state`: a stored episode's state, or a fresh throw-away episode's.
pub(crate) async fn state(
    State(app): State<Arc<App>>,
    Query(query): Query<StateQuery>,
) -> Result<Json<Value>, HttpError> {
    match query.episode_id()? {
        Some(id) => match stored(&app, &id)? {
            HttpEpisode::Running(shared) => Ok(Json(episodes::state(Some(&lock(&shared))))),
            HttpEpisode::Finished(state) => Ok(Json(json!(*state))),
        },
        None => {
            let game =
                ResetArgs::default().start(&app.catalog(), "query").map_err(HttpError::Invalid)?;
            Ok(Json(episodes::state(Some(&game))))
        }
    }
}

/// The HTTP episode stored under `id`, or 404.
fn stored(app: &App, id: &str) -> Result<HttpEpisode, HttpError> {
    app.http_episodes
        .get(id)
        .ok_or_else(|| HttpError::NotFound(format!("no episode `{id}` is stored; reset first")))
}

/// Unknown paths.
pub(crate) async fn not_found() -> HttpError {
    HttpError::NotFound("Not Found".to_string())
}

/// A known path with the wrong method.
pub(crate) async fn method_not_allowed() -> HttpError {
    HttpError::MethodNotAllowed
}

/// A request body as JSON whatever its content type; empty means `null`.
pub(crate) fn json_body(body: Result<Bytes, BytesRejection>) -> Result<Value, HttpError> {
    let bytes = body.map_err(|rejection| {
        let status = rejection.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "the request body is over the size limit".to_string()
        } else {
            rejection.body_text()
        };
        HttpError::Body(status, message)
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&bytes).map_err(|error| {
        HttpError::Invalid(Violations::one(Violation {
            kind: "json_invalid".into(),
            loc: vec![json!("body"), json!(error.column())],
            msg: format!("JSON decode error: {error}"),
            input: json!({}),
        }))
    })
}

/// A validated `POST /step` body.
struct StepRequest {
    action: Action,
    episode_id: Option<String>,
}

impl StepRequest {
    /// Checks the envelope and then the action; every violation is found (the first 20
    /// listed).
    fn parse(body: Value) -> Result<Self, Violations> {
        let Value::Object(object) = body else {
            let kind = if body.is_null() { "missing" } else { "model_type" };
            let msg = "the body must be a JSON object with an `action`".to_string();
            return Err(Violations::one(Violation::whole("body", kind, msg, body)));
        };
        let mut violations = Violations::new();
        let mut action = None;
        let mut episode_id = None;
        for (key, value) in &object {
            let mut fail = |kind: &str, msg: &str| {
                violations.push(Violation::key("body", key, kind, msg.to_string(), value.clone()));
            };
            match key.as_str() {
                "action" => action = Some(value.clone()),
                "episode_id" => match episodes::episode_id(value, "body") {
                    Ok(id) => episode_id = id,
                    Err(violation) => violations.push(violation),
                },
                "timeout_s" => match value {
                    Value::Null => {}
                    // Read as the action's numbers are, leniently.
                    _ => match lax::float(value) {
                        Ok(seconds) if seconds > 0.0 => {}
                        Ok(_) => fail("greater_than", "timeout_s must be greater than 0"),
                        Err(kind) => fail(kind, "timeout_s must be a number"),
                    },
                },
                "request_id" => match value {
                    Value::String(id) if id.chars().count() > MAX_REQUEST_ID_CHARS => {
                        fail("string_too_long", "request_id must be at most 255 characters")
                    }
                    Value::String(_) | Value::Null => {}
                    _ => fail("string_type", "request_id must be a string"),
                },
                _ => violations.push_with(|| {
                    let msg = format!(
                        "unknown key `{key}`; a step takes action, episode_id, timeout_s, request_id"
                    );
                    Violation::key("body", key, "extra_forbidden", msg, value.clone())
                }),
            }
        }
        let action = match action {
            Some(value) => action_from_value(value)
                .map_err(|errors| violations.append(Violation::actions(errors)))
                .ok(),
            None => {
                let msg = "Field required: the step's `action`".to_string();
                violations.push(Violation::key(
                    "body",
                    "action",
                    "missing",
                    msg,
                    Value::Object(Map::from_iter(object)),
                ));
                None
            }
        };
        match action {
            Some(action) if violations.is_empty() => Ok(StepRequest { action, episode_id }),
            _ => Err(violations),
        }
    }
}
