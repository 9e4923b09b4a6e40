//! Request errors as the wire reports them: 422 items (`type`, `loc`, `msg`, `input`), HTTP
//! error responses, and WebSocket error frames.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::catalog::SelectError;
use crate::wire::{RequestError, RequestErrors};

/// One violation, shaped like the reference server's 422 items.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Violation {
    /// A short code (`missing`, `extra_forbidden`, `unknown_task`, ...).
    pub(crate) kind: String,
    /// Where: `["body", key]` for request keys, `[field]` for action fields.
    pub(crate) loc: Vec<Value>,
    /// One readable sentence.
    pub(crate) msg: String,
    /// The offending value.
    pub(crate) input: Value,
}

impl Violation {
    /// A violation of the request key `key` (located under `scope`, e.g. `body` or `data`).
    pub(crate) fn key(scope: &str, key: &str, kind: &str, msg: String, input: Value) -> Self {
        Violation { kind: kind.to_string(), loc: vec![json!(scope), json!(key)], msg, input }
    }

    /// The violations of an action, located relative to the action.
    pub(crate) fn actions(errors: RequestErrors) -> Vec<Self> {
        let violation = |error: RequestError| Violation {
            kind: error.kind.to_string(),
            loc: error.field.into_iter().map(Value::String).collect(),
            msg: error.message,
            input: error.input,
        };
        errors.into_iter().map(violation).collect()
    }

    /// A task selection error of reset.
    pub(crate) fn select(scope: &str, error: SelectError, input: Value) -> Self {
        Violation::key(scope, error.field, error.code, error.message, input)
    }

    /// The wire form.
    pub(crate) fn to_json(&self) -> Value {
        json!({"type": self.kind, "loc": self.loc, "msg": self.msg, "input": self.input})
    }
}

/// The violations as a list of wire items.
pub(crate) fn items(violations: &[Violation]) -> Value {
    Value::Array(violations.iter().map(Violation::to_json).collect())
}

/// The violations as one readable line (for error frames and MCP errors).
pub(crate) fn summary(violations: &[Violation]) -> String {
    let messages: Vec<&str> = violations.iter().map(|v| v.msg.as_str()).collect();
    messages.join("; ")
}

/// An HTTP error response (protocol spec §4.7).
#[derive(Debug)]
pub(crate) enum HttpError {
    /// 422 with every violation.
    Invalid(Vec<Violation>),
    /// 404: unknown path or episode.
    NotFound(String),
    /// 405 on a known path.
    MethodNotAllowed,
    /// 409: stepping a finished episode.
    Conflict(String),
    /// Another 4xx from reading the body (413 when over the limit).
    Body(StatusCode, String),
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let (status, detail) = match self {
            HttpError::Invalid(violations) => {
                (StatusCode::UNPROCESSABLE_ENTITY, items(&violations))
            }
            HttpError::NotFound(message) => (StatusCode::NOT_FOUND, json!(message)),
            HttpError::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, json!("Method Not Allowed"))
            }
            HttpError::Conflict(message) => (StatusCode::CONFLICT, json!(message)),
            HttpError::Body(status, message) => (status, json!(message)),
        };
        (status, axum::Json(json!({"detail": detail}))).into_response()
    }
}

/// A WebSocket error frame (protocol spec §5).
pub(crate) fn frame(code: &str, message: impl Into<String>) -> Value {
    json!({"type": "error", "data": {"message": message.into(), "code": code}})
}

/// A `VALIDATION_ERROR` frame carrying the violations.
pub(crate) fn validation_frame(violations: &[Violation]) -> Value {
    let mut frame = frame("VALIDATION_ERROR", summary(violations));
    frame["data"]["errors"] = items(violations);
    frame
}
