//! Request errors as the wire reports them: 422 items (`type`, `loc`, `msg`, `input`), HTTP
//! error responses, and WebSocket error frames.
//!
//! However large the request, an answer stays small: at most [`MAX_LISTED`] violations are
//! listed, followed by one `too_many_errors` item counting the rest, and every string an item
//! repeats from the request is cut to [`MAX_ECHO_CHARS`] characters.

use std::io;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::catalog::SelectError;
use crate::wire::{Capped, MAX_LISTED, RequestError, RequestErrors};

/// The longest string (an `input`, a `loc` key, a `msg`) an error item carries, in characters;
/// longer ones end in `…[N more characters]`. Arrays and objects count by their JSON text.
pub(crate) const MAX_ECHO_CHARS: usize = 256;

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

/// The violations of one request: the first [`MAX_LISTED`] listed, the rest counted.
pub(crate) type Violations = Capped<Violation>;

impl Violation {
    /// A violation of the request key `key` (located under `scope`, e.g. `body` or `data`).
    pub(crate) fn key(scope: &str, key: &str, kind: &str, msg: String, input: Value) -> Self {
        Violation { kind: kind.to_string(), loc: vec![json!(scope), json!(key)], msg, input }
    }

    /// A violation of the whole request under `scope` (not an object, not JSON).
    pub(crate) fn whole(scope: &str, kind: &str, msg: String, input: Value) -> Self {
        Violation { kind: kind.to_string(), loc: vec![json!(scope)], msg, input }
    }

    /// The violations of an action, located relative to the action.
    pub(crate) fn actions(errors: RequestErrors) -> Violations {
        errors.map(|error: RequestError| Violation {
            kind: error.kind.to_string(),
            loc: error.field.into_iter().map(Value::String).collect(),
            msg: error.message,
            input: error.input,
        })
    }

    /// A task selection error of reset.
    pub(crate) fn select(scope: &str, error: SelectError, input: Value) -> Self {
        Violation::key(scope, error.field, error.code, error.message, input)
    }

    /// The wire form, every string from the request cut to [`MAX_ECHO_CHARS`].
    fn to_json(&self) -> Value {
        let loc: Vec<Value> = self.loc.iter().map(echo).collect();
        json!({"type": self.kind, "loc": loc, "msg": clip(&self.msg), "input": echo(&self.input)})
    }
}

/// The item that stands for the `unlisted` violations past the first [`MAX_LISTED`]; `loc` is
/// empty (the request as a whole), `ctx` gives the counts.
fn too_many(unlisted: usize) -> Value {
    json!({
        "type": "too_many_errors",
        "loc": [],
        "msg": unlisted_message(unlisted),
        "input": null,
        "ctx": {"max_listed": MAX_LISTED, "unlisted": unlisted},
    })
}

fn unlisted_message(unlisted: usize) -> String {
    format!("… and {unlisted} more violations not listed (at most {MAX_LISTED} are)")
}

/// The violations as a list of wire items, a `too_many_errors` item last when some are unlisted.
pub(crate) fn items(violations: &Violations) -> Value {
    let mut items: Vec<Value> = violations.iter().map(Violation::to_json).collect();
    if violations.unlisted() > 0 {
        items.push(too_many(violations.unlisted()));
    }
    Value::Array(items)
}

/// The violations as one readable line (for error frames and MCP errors).
pub(crate) fn summary(violations: &Violations) -> String {
    let mut messages: Vec<String> = violations.iter().map(|v| clip(&v.msg)).collect();
    if violations.unlisted() > 0 {
        messages.push(unlisted_message(violations.unlisted()));
    }
    messages.join("; ")
}

/// A string cut to [`MAX_ECHO_CHARS`] characters, with a marker counting the rest.
fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_ECHO_CHARS) {
        None => text.to_string(),
        Some((end, _)) => marked(&text[..end], text[end..].chars().count()),
    }
}

fn marked(kept: &str, more: usize) -> String {
    format!("{kept}…[{more} more characters]")
}

/// An input as an error item repeats it: strings [`clip`]ped; an array or object whose JSON
/// text is longer than [`MAX_ECHO_CHARS`] becomes that text, clipped, as a string.
fn echo(input: &Value) -> Value {
    match input {
        Value::String(text) => Value::String(clip(text)),
        Value::Array(_) | Value::Object(_) => {
            let mut text = Prefix::default();
            // The writer never fails and values always serialise.
            let _ = serde_json::to_writer(&mut text, input);
            match text.more {
                0 => input.clone(),
                more => Value::String(marked(&String::from_utf8_lossy(&text.kept), more)),
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => input.clone(),
    }
}

/// A writer that keeps the first [`MAX_ECHO_CHARS`] characters of UTF-8 text and counts the
/// rest, so a large value is measured without being copied.
#[derive(Default)]
struct Prefix {
    kept: Vec<u8>,
    chars: usize,
    more: usize,
}

impl io::Write for Prefix {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        for &byte in bytes {
            let starts_char = byte & 0xC0 != 0x80;
            if starts_char {
                self.chars += 1;
            }
            if self.chars <= MAX_ECHO_CHARS {
                self.kept.push(byte);
            } else if starts_char {
                self.more += 1;
            }
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// An HTTP error response (protocol spec §4.7).
#[derive(Debug)]
pub(crate) enum HttpError {
    /// 422 with the violations.
    Invalid(Violations),
    /// 404: unknown path or episode.
    NotFound(String),
    /// 405 on a known path.
    MethodNotAllowed,
    /// 409: stepping a finished episode.
    Conflict(String),
    /// Another 4xx from reading the body (413 when over the limit).
    Body(StatusCode, String),
    /// 429 with `Retry-After`: a bounded resource (the checks running at once) is in use.
    Busy(String),
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
            HttpError::Busy(message) => {
                let detail = axum::Json(json!({"detail": message}));
                let retry = [(header::RETRY_AFTER, RETRY_AFTER_SECONDS)];
                return (StatusCode::TOO_MANY_REQUESTS, retry, detail).into_response();
            }
        };
        (status, axum::Json(json!({"detail": detail}))).into_response()
    }
}

/// What a 429 asks the client to wait, in seconds: a check takes well under a second.
const RETRY_AFTER_SECONDS: &str = "1";

/// A WebSocket error frame (protocol spec §5).
pub(crate) fn frame(code: &str, message: impl Into<String>) -> Value {
    json!({"type": "error", "data": {"message": message.into(), "code": code}})
}

/// A `VALIDATION_ERROR` frame carrying the violations.
pub(crate) fn validation_frame(violations: &Violations) -> Value {
    let mut frame = frame("VALIDATION_ERROR", summary(violations));
    frame["data"]["errors"] = items(violations);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown_keys(count: usize) -> Violations {
        let mut violations = Violations::new();
        for i in 0..count {
            let key = format!("k{i}");
            violations.push(Violation::key(
                "body",
                &key,
                "extra_forbidden",
                "unknown".into(),
                json!(i),
            ));
        }
        violations
    }

    #[test]
    fn past_the_cap_one_item_counts_the_rest() {
        let items = items(&unknown_keys(85_000));
        let items = items.as_array().unwrap();
        assert_eq!(items.len(), MAX_LISTED + 1);
        assert_eq!(items[0]["loc"], json!(["body", "k0"]));
        let last = &items[MAX_LISTED];
        assert_eq!(last["type"], "too_many_errors");
        assert_eq!((&last["loc"], &last["input"]), (&json!([]), &Value::Null));
        assert_eq!(last["ctx"], json!({"max_listed": MAX_LISTED, "unlisted": 85_000 - MAX_LISTED}));
        assert!(last["msg"].as_str().unwrap().contains("84980 more"), "{last}");
        assert!(summary(&unknown_keys(85_000)).ends_with("(at most 20 are)"));
        assert_eq!(super::items(&unknown_keys(MAX_LISTED)).as_array().unwrap().len(), MAX_LISTED);
    }

    #[test]
    fn long_strings_are_cut_with_a_marker() {
        let long = "é".repeat(1 << 20);
        let violation = Violation::key("body", &long, "string_too_long", long.clone(), json!(long));
        let item = violation.to_json();
        let expected = format!("{}…[{} more characters]", "é".repeat(256), (1 << 20) - 256);
        assert_eq!(item["input"], json!(expected));
        assert_eq!(item["loc"][1], json!(expected));
        assert_eq!(item["msg"], json!(expected));
        assert_eq!(clip(&"x".repeat(256)), "x".repeat(256));
    }

    #[test]
    fn large_arrays_and_objects_are_echoed_as_cut_json_text() {
        let small = json!({"a": [1, 2]});
        assert_eq!(echo(&small), small);
        let large = json!({"a": vec!["ü"; 100_000]});
        let text = large.to_string();
        let kept: String = text.chars().take(256).collect();
        let more = text.chars().count() - 256;
        assert_eq!(echo(&large), json!(format!("{kept}…[{more} more characters]")));
    }
}
