//! OpenEnv 0.10's task API (its `TaskProvider` routes): `GET /list_environments`,
//! `GET /{env}/splits`, `POST /{env}/tasks`, `/{env}/num_tasks`, `/{env}/task` and
//! `/{env}/task_range`, over the seed splits the served scenarios declare.
//!
//! A split's task list is the catalog's ([`Catalog::split_rows`]): every served task that
//! declares the split, in load order, each with its seeds in split order. A task spec is
//! `{"id", "index", "split", "task", "difficulty", "seed"}`; `reset {"split", "index"}` plays
//! the `index`-th one. Lists are cut at [`MAX_LISTED_TASKS`] (`num_tasks` is the true count).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::App;
use super::episodes::whole;
use super::errors::{HttpError, Violation, Violations};
use super::http::json_body;
use crate::catalog::{Catalog, SelectError, SplitRows};
use crate::engine::Machine;

/// The environment's name in the task API's paths (also `/metadata`'s `name`).
pub(crate) const ENV_NAME: &str = "shopops";

/// The most task specs one reply lists (`/tasks`, `/task_range`).
pub(crate) const MAX_LISTED_TASKS: u64 = 1_000;

/// `GET /list_environments`.
pub(crate) async fn environments() -> Json<Value> {
    Json(json!([ENV_NAME]))
}

/// `GET /{env}/splits`: every declared split as `{"name", "type", "num_tasks"}`; the type is
/// the name for `train`, `validation` and `test`, else `validation` (as OpenEnv normalises).
pub(crate) async fn splits(
    State(app): State<Arc<App>>,
    Path(env): Path<String>,
) -> Result<Json<Value>, HttpError> {
    check_env(&env)?;
    let catalog = app.catalog();
    let splits: Vec<Value> = catalog
        .splits()
        .into_iter()
        .map(|name| {
            let kind =
                if ["train", "validation", "test"].contains(&name) { name } else { "validation" };
            let count = catalog.split_rows(name, None, None).map_or(0, |rows| rows.len());
            json!({"name": name, "type": kind, "num_tasks": count})
        })
        .collect();
    Ok(Json(Value::Array(splits)))
}

/// `POST /{env}/tasks {"split"}`: the split's task specs (the first [`MAX_LISTED_TASKS`]).
pub(crate) async fn tasks(
    State(app): State<Arc<App>>,
    Path(env): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, HttpError> {
    let request = read(&env, body, &["split"])?;
    let catalog = app.catalog();
    let rows = rows(&catalog, &request.split)?;
    let count = rows.len();
    let specs = specs(&rows, 0, MAX_LISTED_TASKS);
    Ok(Json(json!({
        "tasks": specs,
        "env_name": ENV_NAME,
        "num_tasks": count,
        "truncated": count > MAX_LISTED_TASKS,
    })))
}

/// `POST /{env}/num_tasks {"split"}`.
pub(crate) async fn num_tasks(
    State(app): State<Arc<App>>,
    Path(env): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, HttpError> {
    let request = read(&env, body, &["split"])?;
    let catalog = app.catalog();
    Ok(Json(json!({"num_tasks": rows(&catalog, &request.split)?.len()})))
}

/// `POST /{env}/task {"split", "index"}`: one task spec; 400 for an index out of range.
pub(crate) async fn task(
    State(app): State<Arc<App>>,
    Path(env): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, HttpError> {
    let request = read(&env, body, &["split", "index"])?;
    let catalog = app.catalog();
    let rows = rows(&catalog, &request.split)?;
    let index = request.index.unwrap_or_default();
    let (machine, seed) = rows.get(index).ok_or_else(|| {
        HttpError::Body(
            StatusCode::BAD_REQUEST,
            format!(
                "Invalid task index {index}: split `{}` has {} tasks (indices 0 to {})",
                rows.split(),
                rows.len(),
                rows.len().saturating_sub(1)
            ),
        )
    })?;
    Ok(Json(json!({"task": spec(rows.split(), index, machine, seed)})))
}

/// `POST /{env}/task_range {"split", "start"?, "stop"?}`: task specs `[start, stop)` with
/// Python's slice bounds (negative counts from the end; out of range is clamped), at most
/// [`MAX_LISTED_TASKS`] of them (`truncated` says whether the range was cut).
pub(crate) async fn task_range(
    State(app): State<Arc<App>>,
    Path(env): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, HttpError> {
    let request = read(&env, body, &["split", "start", "stop"])?;
    let catalog = app.catalog();
    let rows = rows(&catalog, &request.split)?;
    let count = rows.len();
    let bound = |value: Option<i128>, default: u64| match value {
        None => default,
        Some(v) if v < 0 => u64::try_from((i128::from(count) + v).max(0)).unwrap_or(0),
        Some(v) => u64::try_from(v).unwrap_or(u64::MAX).min(count),
    };
    let start = bound(request.start, 0);
    let stop = bound(request.stop, count).max(start);
    let listed = (stop - start).min(MAX_LISTED_TASKS);
    Ok(Json(json!({
        "tasks": specs(&rows, start, start + listed),
        "truncated": listed < stop - start,
    })))
}

/// The request to environment `env` (404 unless it is this one), reading `fields` of its body.
fn read(
    env: &str,
    body: Result<Bytes, BytesRejection>,
    fields: &[&str],
) -> Result<Request, HttpError> {
    check_env(env)?;
    Request::parse(json_body(body)?, fields)
}

/// 404 unless `env` names this environment (case-insensitive, as OpenEnv compares).
fn check_env(env: &str) -> Result<(), HttpError> {
    if env.eq_ignore_ascii_case(ENV_NAME) {
        Ok(())
    } else {
        Err(HttpError::NotFound(format!("unknown environment `{env}`; this is `{ENV_NAME}`")))
    }
}

/// The task list of `split`; 400 naming the declared splits when no task declares it.
fn rows<'a>(catalog: &'a Catalog, split: &str) -> Result<SplitRows<'a>, HttpError> {
    catalog
        .split_rows(split, None, None)
        .map_err(|SelectError { message, .. }| HttpError::Body(StatusCode::BAD_REQUEST, message))
}

fn specs(rows: &SplitRows<'_>, start: u64, stop: u64) -> Vec<Value> {
    rows.range(start, stop)
        .map(|(index, machine, seed)| spec(rows.split(), index, machine, seed))
        .collect()
}

/// A task spec: what `reset {"split", "index"}` with this index plays.
fn spec(split: &str, index: u64, machine: &Machine, seed: u64) -> Value {
    let task = &machine.scenario.id;
    json!({
        "id": format!("{task}-{seed}"),
        "index": index,
        "split": split,
        "task": task,
        "difficulty": machine.scenario.difficulty,
        "seed": seed,
    })
}

/// A task API request body: `split` (a string), and the integers among `index`, `start` and
/// `stop` the route takes (`index` required); any other key is refused, as OpenEnv does.
struct Request {
    split: String,
    index: Option<u64>,
    start: Option<i128>,
    stop: Option<i128>,
}

impl Request {
    fn parse(body: Value, keys: &[&str]) -> Result<Request, HttpError> {
        let object = match body {
            Value::Object(object) => object,
            other => {
                let msg = "the request must be a JSON object".to_string();
                let violation = Violation::whole("body", "model_type", msg, other);
                return Err(HttpError::Invalid(Violations::one(violation)));
            }
        };
        let mut violations = Violations::new();
        let mut request = Request { split: String::new(), index: None, start: None, stop: None };
        for required in keys.iter().filter(|k| matches!(**k, "split" | "index")) {
            if !object.contains_key(*required) {
                let msg = "Field required".to_string();
                violations.push(Violation::key("body", required, "missing", msg, json!(object)));
            }
        }
        for (key, value) in &object {
            let mut fail = |kind: &str, msg: &str| {
                violations.push(Violation::key("body", key, kind, msg.into(), value.clone()));
            };
            match key.as_str() {
                key if !keys.contains(&key) => fail(
                    "extra_forbidden",
                    &format!("unknown key; this route takes {}", keys.join(", ")),
                ),
                "split" => match value {
                    Value::String(split) => request.split = split.clone(),
                    _ => fail("string_type", "split must be a string"),
                },
                "index" => match whole(value, "index") {
                    Ok(index) => request.index = Some(index),
                    Err((kind, msg)) => fail(kind, &msg),
                },
                _ if value.is_null() => {}
                _ => match bound(value) {
                    Some(bound) if key == "start" => request.start = Some(bound),
                    Some(bound) => request.stop = Some(bound),
                    None => fail("int_type", "start and stop are integers (or null)"),
                },
            }
        }
        violations.or_ok(request).map_err(HttpError::Invalid)
    }
}

/// A slice bound: any integer (an integral float is that integer; the far ones are clamped
/// anyway, so their exact value does not matter).
fn bound(value: &Value) -> Option<i128> {
    match value {
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(v), _, _) => Some(v.into()),
            (None, Some(v), _) => Some(v.into()),
            (None, None, Some(x)) if x.fract() == 0.0 => Some(x.clamp(-1e30, 1e30) as i128),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_names_every_violation() {
        let Err(HttpError::Invalid(violations)) =
            Request::parse(json!({"index": -1, "extra": 1}), &["split", "index"])
        else {
            panic!("expected violations");
        };
        // `split` missing, `index` negative, `extra` unknown.
        assert_eq!(super::super::errors::items(&violations).as_array().map(Vec::len), Some(3));
    }
}
