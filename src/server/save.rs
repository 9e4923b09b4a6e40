//! `POST /save`: the studio's editor writes a scenario or case-data file, only when the server
//! was started with `serve --allow-save` (off by default; for trusted local use: anyone who
//! reaches the server can then change what it serves). The write is confined to the served
//! directory exactly as `POST /check` reads are, and atomic (see [`crate::source::write`]);
//! `--watch` (which the flag requires) then reloads and serves the new version.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::App;
use super::errors::{HttpError, Violation, Violations};
use super::http::json_body;
use crate::source::Root;
use crate::source::write::{WriteError, write};

/// The longest path a save may name, in bytes.
const MAX_PATH_BYTES: usize = 1024;

/// `POST /save`: `{"path", "text"}` (the path as `/scenarios/{id}/source` lists it) →
/// `{"saved": path, "bytes": n}`; 403 when saving is off or the path is refused.
pub(crate) async fn save(
    State(app): State<Arc<App>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, HttpError> {
    if !app.allow_save {
        return Err(HttpError::Body(
            StatusCode::FORBIDDEN,
            "saving is off: start the server with `serve --watch --allow-save` (trusted local \
             use only)"
                .into(),
        ));
    }
    let (path, text) = parse(json_body(body)?).map_err(HttpError::Invalid)?;
    let refused = |error: WriteError| {
        let status = match error {
            WriteError::Io(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WriteError::Outside
            | WriteError::NotScenarioFile
            | WriteError::NotRegular(_)
            | WriteError::TooLarge => StatusCode::FORBIDDEN,
        };
        HttpError::Body(status, format!("cannot save {}: {error}", path.display()))
    };
    let root = Root::new(&app.check_base()).map_err(|e| refused(WriteError::Io(e)))?;
    let bytes = text.len();
    let (target, content) = (path.clone(), text);
    tokio::task::spawn_blocking(move || write(&target, &content, &root))
        .await
        .map_err(|e| refused(WriteError::Io(std::io::Error::other(e))))?
        .map_err(refused)?;
    Ok(Json(json!({"saved": path.display().to_string(), "bytes": bytes})))
}

/// The path and text of a save; every violation is found.
fn parse(body: Value) -> Result<(PathBuf, String), Violations> {
    let Value::Object(object) = body else {
        let msg = "the body must be {\"path\": ..., \"text\": ...}".to_string();
        return Err(Violations::one(Violation::whole("body", "model_type", msg, body)));
    };
    let mut violations = Violations::new();
    let (mut path, mut text) = (None, None);
    for (key, value) in object {
        match (key.as_str(), value) {
            ("path", Value::String(p)) if !p.is_empty() && p.len() <= MAX_PATH_BYTES => {
                path = Some(PathBuf::from(p))
            }
            ("text", Value::String(t)) => text = Some(t),
            ("path" | "text", value) => violations.push(Violation::key(
                "body",
                &key,
                "string_type",
                format!("{key} must be a string (a path of 1 to {MAX_PATH_BYTES} bytes)"),
                value,
            )),
            (_, value) => violations.push_with(|| {
                let msg = format!("unknown key `{key}`; a save takes path and text");
                Violation::key("body", &key, "extra_forbidden", msg, value)
            }),
        }
    }
    for (missing, key) in [(path.is_none(), "path"), (text.is_none(), "text")] {
        if missing && violations.is_empty() {
            let msg = format!("Field required: {key}");
            violations.push(Violation::key("body", key, "missing", msg, Value::Null));
        }
    }
    match (path, text) {
        (Some(path), Some(text)) if violations.is_empty() => Ok((path, text)),
        _ => Err(violations),
    }
}
