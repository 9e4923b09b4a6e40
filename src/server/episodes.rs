//! What every transport shares: reset arguments (game spec §2.3), starting an episode, stepping
//! it, and the state reply.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::errors::{Violation, Violations};
use crate::catalog::{Catalog, Selection};
use crate::engine::{ENVELOPE_CAPACITY, Game, Observed};

/// The longest `episode_id` a request may carry, in characters.
pub(crate) const MAX_EPISODE_ID_CHARS: usize = 255;

/// An `episode_id` as reset, step and state read it: a string of 1 to
/// [`MAX_EPISODE_ID_CHARS`] characters, or null for none; a violation is located under `scope`.
pub(crate) fn episode_id(value: &Value, scope: &str) -> Result<Option<String>, Violation> {
    let fail =
        |kind: &str, msg: String| Violation::key(scope, "episode_id", kind, msg, value.clone());
    match value {
        Value::Null => Ok(None),
        Value::String(id) if id.is_empty() => {
            Err(fail("string_too_short", "episode_id must not be empty".into()))
        }
        Value::String(id) if id.chars().count() > MAX_EPISODE_ID_CHARS => Err(fail(
            "string_too_long",
            format!("episode_id must be at most {MAX_EPISODE_ID_CHARS} characters"),
        )),
        Value::String(id) => Ok(Some(id.clone())),
        _ => Err(fail("string_type", "episode_id must be a string".into())),
    }
}

/// The arguments of a reset, validated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ResetArgs {
    seed: Option<u64>,
    episode_id: Option<String>,
    task: Option<String>,
    tier: Option<String>,
    split: Option<String>,
    index: Option<u64>,
}

impl ResetArgs {
    /// Reads reset arguments from a JSON object (`null` is an empty one); every violation is
    /// found (the first 20 listed), located under `scope` (`body` over HTTP, `data` over
    /// WebSocket).
    pub(crate) fn parse(value: Value, scope: &str) -> Result<Self, Violations> {
        let object = match value {
            Value::Null => Map::new(),
            Value::Object(object) => object,
            other => {
                let msg = "the reset arguments must be a JSON object".to_string();
                return Err(Violations::one(Violation::whole(scope, "model_type", msg, other)));
            }
        };
        let mut args = ResetArgs::default();
        let mut violations = Violations::new();
        for (key, value) in object {
            let mut fail = |kind: &str, msg: String| {
                violations.push(Violation::key(scope, &key, kind, msg, value.clone()));
            };
            match key.as_str() {
                "seed" | "task" | "tier" | "split" | "index" if value.is_null() => {}
                "seed" | "index" => match whole(&value, &key) {
                    Ok(n) if key == "seed" => args.seed = Some(n),
                    Ok(n) => args.index = Some(n),
                    Err((kind, msg)) => fail(kind, msg),
                },
                "episode_id" => match episode_id(&value, scope) {
                    Ok(id) => args.episode_id = id,
                    Err(violation) => violations.push(violation),
                },
                "task" | "tier" | "split" => match &value {
                    Value::String(name) => {
                        let slot = match key.as_str() {
                            "task" => &mut args.task,
                            "tier" => &mut args.tier,
                            _ => &mut args.split,
                        };
                        *slot = Some(name.clone());
                    }
                    _ => fail("string_type", format!("{key} must be a string")),
                },
                _ => violations.push_with(|| {
                    Violation::key(scope, &key, "extra_forbidden", extra_message(&key), value)
                }),
            }
        }
        violations.or_ok(args)
    }

    /// A new episode of the selected task: the given seed, or the split's `index`-th one (a
    /// random one of the split without an index; else one from OS entropy) and id (else a
    /// random one).
    pub(crate) fn start(self, catalog: &Catalog, scope: &str) -> Result<Game, Violations> {
        let selection = Selection {
            task: self.task.as_deref(),
            tier: self.tier.as_deref(),
            split: self.split.as_deref(),
            index: self.index,
            seed: self.seed,
        };
        let (machine, seed) = catalog.select_seeded(selection, random_u64).map_err(|e| {
            let input = match e.field {
                "task" => json!(self.task),
                "tier" => json!(self.tier),
                "split" => json!(self.split),
                "index" => json!(self.index),
                _ => json!(self.seed),
            };
            Violations::one(Violation::select(scope, e, input))
        })?;
        let seed = seed.unwrap_or_else(random_u64);
        Ok(Game::new(machine.clone(), seed, self.episode_id.unwrap_or_else(random_id)))
    }
}

/// The value of `key`, a whole number from 0 to 2^64-1; an integral number written as a float
/// (`7.0`) is that integer, as in JSON Schema and the reference server. The error: its kind
/// and message.
pub(crate) fn whole(value: &Value, key: &str) -> Result<u64, (&'static str, String)> {
    let range = || format!("{key} must be an integer from 0 to 2^64-1");
    match value {
        Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(n), _) => Ok(n),
            (None, Some(x)) if x < 0.0 => {
                Err(("greater_than_equal", "Input should be greater than or equal to 0".into()))
            }
            (None, Some(x)) if x.fract() != 0.0 => Err(("int_type", range())),
            // 2^64 is exact as a float; every integral float below it fits.
            (None, Some(x)) if x < 18_446_744_073_709_551_616.0 => Ok(x as u64),
            _ => Err((
                "less_than_equal",
                format!("{key} must be at most 2^64-1 (18446744073709551615)"),
            )),
        },
        _ => Err(("int_type", range())),
    }
}

fn extra_message(key: &str) -> String {
    format!("unknown key `{key}`; reset takes seed, episode_id, task, tier, split and index")
}

/// The envelope of an observation as JSON text, written straight from the episode.
pub(crate) fn envelope_text(observed: &Observed<'_>) -> String {
    let mut text = Vec::with_capacity(ENVELOPE_CAPACITY);
    observed.write_envelope(&mut text);
    String::from_utf8(text).unwrap_or_default()
}

/// JSON text as an HTTP response body.
#[derive(Debug)]
pub(crate) struct JsonText(pub(crate) String);

impl IntoResponse for JsonText {
    fn into_response(self) -> Response {
        ([(header::CONTENT_TYPE, "application/json")], self.0).into_response()
    }
}

/// The reply to `state`: the game's state, or `{"episode_id": null, "step_count": 0}` before
/// any reset.
pub(crate) fn state(game: Option<&Game>) -> Value {
    match game {
        Some(game) => serde_json::to_value(game.state()).unwrap_or(Value::Null),
        None => json!({"episode_id": null, "step_count": 0}),
    }
}

/// 64 bits from the operating system's entropy source.
pub(crate) fn random_u64() -> u64 {
    getrandom::u64().unwrap_or_else(|_| fallback_entropy())
}

/// A fresh id with 128 random bits, as 32 hex digits.
pub(crate) fn random_id() -> String {
    format!("{:016x}{:016x}", random_u64(), random_u64())
}

/// Entropy when the OS source fails (it does not on Linux): the process-wide random hasher keys.
fn fallback_entropy() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}
