//! The scenario API for authors and hosts: what is served (`/scenarios`, `/scenarios/{id}`,
//! its graph and sources), the diagnostics of the last check (`/diagnostics`), and a check of
//! text sent in a request (`POST /check`).

use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, Request};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderName, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::OwnedSemaphorePermit;

use super::App;
use super::checker::{CheckAnswer, CheckJob};
use super::errors::{HttpError, Violation, Violations};
use super::http::json_body;
use crate::catalog::{Catalog, Entry};
use crate::compile::to_dot;

/// The longest name a checked scenario may be given.
const MAX_NAME_CHARS: usize = 64;

/// `GET /scenarios`: every scenario file of the set, served or failing.
pub(crate) async fn list(State(app): State<Arc<App>>) -> Json<Value> {
    let catalog = app.catalog();
    let rows: Vec<Value> = catalog
        .entries()
        .map(|entry| {
            let scenario = entry.machine.as_ref().map(|m| &m.scenario);
            json!({
                "id": entry.id,
                "title": scenario.map(|s| &s.title),
                "difficulty": scenario.map(|s| &s.difficulty),
                "version": scenario.map(|s| &s.version),
                "cases": scenario.map(|s| s.cases.len()),
                "status": entry.status,
                "path": entry.path.display().to_string(),
            })
        })
        .collect();
    Json(json!(rows))
}

/// `GET /scenarios/{id}`: what the served version declares.
pub(crate) async fn detail(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, HttpError> {
    let catalog = app.catalog();
    let entry = served(&catalog, &id)?;
    let machine = playable(entry)?;
    let mut summary = serde_json::to_value(machine.scenario.summary()).unwrap_or(Value::Null);
    summary["status"] = json!(entry.status);
    Ok(Json(summary))
}

/// The query of `/scenarios/{id}/graph`.
#[derive(Debug, Deserialize)]
pub(crate) struct GraphQuery {
    format: Option<String>,
}

/// `GET /scenarios/{id}/graph?format=json|dot`: the dependency graph.
pub(crate) async fn graph(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Query(query): Query<GraphQuery>,
) -> Result<Response, HttpError> {
    let catalog = app.catalog();
    let scenario = &playable(served(&catalog, &id)?)?.scenario;
    match query.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(scenario.graph.view()).into_response()),
        "dot" => {
            Ok(([(header::CONTENT_TYPE, "text/vnd.graphviz")], to_dot(scenario)).into_response())
        }
        other => Err(HttpError::Invalid(Violations::one(Violation {
            kind: "enum".into(),
            loc: vec![json!("query"), json!("format")],
            msg: format!("format must be json or dot, not `{other}`"),
            input: json!(other),
        }))),
    }
}

/// `GET /scenarios/{id}/source`: the files of the served version (of the latest text when none
/// was ever good).
pub(crate) async fn source(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, HttpError> {
    let catalog = app.catalog();
    let entry = served(&catalog, &id)?;
    Ok(Json(json!({"id": entry.id, "status": entry.status, "files": &*entry.files})))
}

/// `GET /diagnostics`: the diagnostics of the last check of the served set.
pub(crate) async fn diagnostics(State(app): State<Arc<App>>) -> Json<Value> {
    Json(json!(app.catalog().diagnostics()))
}

/// The header that gives the number of diagnostics found, listed or not.
const TOTAL_HEADER: &str = "x-diagnostics-total";

/// Middleware of `POST /check`: admits the request while fewer than `--max-checks` run, before
/// its body is read; else 429 with `Retry-After`. The permit travels with the request.
pub(crate) async fn admit(
    State(app): State<Arc<App>>,
    mut request: Request,
    next: Next,
) -> Response {
    match app.checks.clone().try_acquire_owned() {
        Ok(permit) => {
            request.extensions_mut().insert(Arc::new(permit));
            next.run(request).await
        }
        Err(_) => HttpError::Busy(format!(
            "{} checks are running, the most this server runs at once; retry shortly",
            app.limits.max_checks
        ))
        .into_response(),
    }
}

/// `POST /check`: checks `{"source": "...", "data": "...", "name": "..."}` and returns its
/// diagnostics. The scenario is checked as `<name>.shop` in the served directory (so `import
/// "prelude.shop"` finds the served prelude) with `data` as the file its `cases` line names;
/// nothing outside that directory is read. The answer lists the first diagnostics (see
/// [`CheckJob::run`]); the `x-diagnostics-total` header counts them all.
pub(crate) async fn check(
    State(app): State<Arc<App>>,
    Extension(permit): Extension<Arc<OwnedSemaphorePermit>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, HttpError> {
    let job = check_job(json_body(body)?, app.check_base()).map_err(HttpError::Invalid)?;
    let CheckAnswer { listed, total } = app.checker.check(job, permit).await.map_err(|error| {
        let message =
            format!("the checker failed on this input ({error}): a bug, please report it");
        HttpError::Body(axum::http::StatusCode::UNPROCESSABLE_ENTITY, message)
    })?;
    let headers = [
        (header::CONTENT_TYPE, "application/json".to_string()),
        (HeaderName::from_static(TOTAL_HEADER), total.to_string()),
    ];
    Ok((headers, listed).into_response())
}

/// The check a `POST /check` body asks for, to run in `base`; every violation is found (the
/// first 20 listed).
fn check_job(body: Value, base: PathBuf) -> Result<CheckJob, Violations> {
    let violation = |key: &str, kind: &str, msg: &str, input: Value| {
        Violation::key("body", key, kind, msg.to_string(), input)
    };
    let Value::Object(object) = body else {
        return Err(Violations::one(violation(
            "source",
            "missing",
            "the body must be {\"source\": ...}",
            body,
        )));
    };
    let mut violations = Violations::new();
    let mut job = CheckJob { base, name: "scenario".into(), source: String::new(), data: None };
    let mut has_source = false;
    for (key, value) in object {
        match (key.as_str(), value) {
            ("source", Value::String(text)) => (job.source, has_source) = (text, true),
            ("data", Value::String(text)) => job.data = Some(text),
            ("data", Value::Null) => {}
            ("name", Value::String(name))
                if !name.is_empty()
                    && name.chars().count() <= MAX_NAME_CHARS
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                job.name = name
            }
            ("name", value) => violations.push(violation(
                "name",
                "string_pattern_mismatch",
                "name must be 1-64 letters, digits, `_` or `-`",
                value,
            )),
            ("source" | "data", value) => {
                violations.push(violation(&key, "string_type", "must be a string", value))
            }
            (_, value) => violations.push_with(|| {
                violation(
                    &key,
                    "extra_forbidden",
                    "unknown key; a check takes source, data and name",
                    value,
                )
            }),
        }
    }
    if !has_source && violations.is_empty() {
        violations.push(violation(
            "source",
            "missing",
            "Field required: the scenario text",
            Value::Null,
        ));
    }
    violations.or_ok(job)
}

/// The entry with this id, or 404.
fn served<'c>(catalog: &'c Catalog, id: &str) -> Result<&'c Entry, HttpError> {
    catalog.entry(id).ok_or_else(|| HttpError::NotFound(format!("no scenario `{id}` is served")))
}

/// The served version of an entry, or 404 when it never checked clean.
fn playable(entry: &Entry) -> Result<&Arc<crate::engine::Machine>, HttpError> {
    entry.machine.as_ref().ok_or_else(|| {
        HttpError::NotFound(format!(
            "scenario `{}` has never checked clean; see /diagnostics",
            entry.id
        ))
    })
}
