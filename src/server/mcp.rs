//! MCP over JSON-RPC 2.0 (`POST /mcp`, and `mcp` messages on a WebSocket; protocol spec §7).
//! One tool per action type; every request with an `id` gets one JSON-RPC response, error or
//! not. A notification (no `id`) gets none, as JSON-RPC 2.0 says: over HTTP it is answered
//! `202 Accepted` with an empty body, as MCP's Streamable HTTP transport says, and over a
//! WebSocket nothing is sent. ShopOps defines no notification, and MCP's
//! (`notifications/initialized`, `notifications/cancelled`) need no action, so a notification
//! is acknowledged and ignored: it never steps an episode or opens a session.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::App;
use super::LiveGame;
use super::episodes::{self, ResetArgs};
use super::errors::{Violation, summary};
use super::record::Transport;
use super::store::{lock, share};
use crate::wire::{ActionType, action_from_value, action_tools};

/// The MCP protocol revision `initialize` reports.
const PROTOCOL_VERSION: &str = "2025-06-18";

/// A JSON-RPC error: code and message.
type RpcError = (i64, String);

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;

/// `POST /mcp`: HTTP 200 with a JSON-RPC body, or 202 with none for a notification.
pub(crate) async fn http(
    State(app): State<Arc<App>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let request = match body.map(|bytes| serde_json::from_slice::<Value>(&bytes)) {
        Ok(Ok(request)) => request,
        Ok(Err(error)) => {
            let error = (PARSE_ERROR, format!("Parse error: {error}"));
            return Json(failure(Value::Null, error)).into_response();
        }
        Err(rejection) => {
            let error = (INVALID_REQUEST, rejection.body_text());
            return Json(failure(Value::Null, error)).into_response();
        }
    };
    match respond(&app, request, None) {
        Some(response) => Json(response).into_response(),
        None => StatusCode::ACCEPTED.into_response(),
    }
}

/// The response to one JSON-RPC message, `None` for a notification. Over a WebSocket, `own` is
/// the connection's episode, which `tools/call` without a `session_id` acts on; over HTTP such
/// a call plays a throw-away episode.
pub(crate) fn respond(
    app: &App,
    request: Value,
    own: Option<&mut Option<LiveGame>>,
) -> Option<Value> {
    let mut request = match request {
        Value::Object(request) => request,
        Value::Array(_) => {
            let message = "Invalid request: batches are not supported (MCP 2025-06-18 removed \
                           them); send one request per message";
            return Some(failure(Value::Null, (INVALID_REQUEST, message.into())));
        }
        _ => {
            let message = "Invalid request: not a JSON-RPC request object";
            return Some(failure(Value::Null, (INVALID_REQUEST, message.into())));
        }
    };
    let id = request.remove("id");
    let reply = |result: Result<Value, RpcError>| {
        let id = id.clone().unwrap_or(Value::Null);
        Some(match result {
            Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
            Err(error) => failure(id, error),
        })
    };
    if request.get("jsonrpc") != Some(&json!("2.0")) {
        return reply(Err((INVALID_REQUEST, "Invalid request: `jsonrpc` must be \"2.0\"".into())));
    }
    let Some(Value::String(method)) = request.remove("method") else {
        return reply(Err((INVALID_REQUEST, "Invalid request: `method` must be a string".into())));
    };
    // A notification gets no response (module documentation).
    id.as_ref()?;
    let params = match request.remove("params") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(params)) => params,
        Some(_) => return reply(Err((INVALID_PARAMS, "`params` must be an object".into()))),
    };
    reply(match method.as_str() {
        "initialize" => Ok(json!({
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "shopops", "version": env!("CARGO_PKG_VERSION")},
        })),
        "ping" => Ok(json!({})),
        "tools/list" => Ok(json!({"tools": tools()})),
        "tools/call" => call(app, params, own),
        "openenv/session/create" => create(app, params),
        "openenv/session/close" => close(app, &params),
        _ => Err((METHOD_NOT_FOUND, format!("Method not found: {method}"))),
    })
}

fn failure(id: Value, (code, message): RpcError) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// One tool per action type (`wire::action_tools`, which the language-model agent also uses).
fn tools() -> Vec<Value> {
    action_tools()
        .into_iter()
        .map(|tool| {
            json!({
                "name": tool.action_type.as_str(),
                "description": tool.description,
                "inputSchema": tool.input_schema,
            })
        })
        .collect()
}

/// `tools/call`: one step with the named action.
fn call(
    app: &App,
    mut params: Map<String, Value>,
    own: Option<&mut Option<LiveGame>>,
) -> Result<Value, RpcError> {
    let name = match params.remove("name") {
        Some(Value::String(name)) => name,
        _ => return Err((INVALID_PARAMS, "tools/call needs `name`, an action type".into())),
    };
    if ActionType::parse(&name).is_none() {
        return Err((INVALID_PARAMS, format!("unknown tool `{name}`; see tools/list")));
    }
    let mut action = match params.remove("arguments") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(arguments)) => arguments,
        Some(_) => return Err((INVALID_PARAMS, "`arguments` must be an object".into())),
    };
    if action.contains_key("action_type") {
        return Err((
            INVALID_PARAMS,
            "the tool's name is its action type; drop `action_type`".into(),
        ));
    }
    action.insert("action_type".into(), Value::String(name));
    let action = action_from_value(Value::Object(action))
        .map_err(|errors| (INVALID_PARAMS, summary(&Violation::actions(errors))))?;
    let step = |game: &mut LiveGame| match game.step(&action) {
        Ok(()) => Ok(game.observed().envelope_value()),
        Err(error) => Err((INVALID_PARAMS, error.to_string())),
    };
    let response = match (params.remove("session_id"), own) {
        (Some(Value::String(id)), _) => {
            let shared = app.mcp_sessions.get(&id).ok_or_else(|| unknown_session(&id))?;
            let mut game = lock(&shared);
            step(&mut game)?
        }
        (Some(_), _) => return Err((INVALID_PARAMS, "`session_id` must be a string".into())),
        (None, Some(own)) => match own {
            Some(game) => step(game)?,
            None => return Err((INVALID_PARAMS, "no episode yet: send a reset first".into())),
        },
        (None, None) => step(&mut fresh(app)?)?,
    };
    let is_error = !response["metadata"]["last_action_error"].is_null();
    Ok(json!({
        "content": [{"type": "text", "text": response.to_string()}],
        "structuredContent": response,
        "isError": is_error,
    }))
}

/// A throw-away episode of the default task.
fn fresh(app: &App) -> Result<LiveGame, RpcError> {
    let game = ResetArgs::default()
        .start(&app.catalog(), "params")
        .map_err(|v| (INVALID_PARAMS, summary(&v)))?;
    Ok(app.live(game, Transport::Mcp))
}

/// `openenv/session/create`: a freshly reset episode kept under a new session id.
fn create(app: &App, params: Map<String, Value>) -> Result<Value, RpcError> {
    let game = ResetArgs::parse(Value::Object(params), "params")
        .and_then(|args| args.start(&app.catalog(), "params"))
        .map_err(|violations| (INVALID_PARAMS, summary(&violations)))?;
    let session_id = episodes::random_id();
    let (shared, cost) = share(&session_id, app.live(game, Transport::Mcp));
    app.mcp_sessions.insert(&session_id, shared, cost);
    Ok(json!({"session_id": session_id}))
}

/// `openenv/session/close`.
fn close(app: &App, params: &Map<String, Value>) -> Result<Value, RpcError> {
    let Some(Value::String(id)) = params.get("session_id") else {
        return Err((INVALID_PARAMS, "openenv/session/close needs `session_id`".into()));
    };
    if !app.mcp_sessions.remove(id) {
        return Err(unknown_session(id));
    }
    Ok(json!({"session_id": id, "closed": true}))
}

fn unknown_session(id: &str) -> RpcError {
    (INVALID_PARAMS, format!("unknown session `{id}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_list_and_the_language_model_agent_offer_the_same_tools() {
        let agent = crate::agent::function_tools();
        let mcp = tools();
        assert_eq!(mcp.len(), agent.len());
        for (mcp, agent) in mcp.iter().zip(&agent) {
            let function = &agent["function"];
            assert_eq!(mcp["name"], function["name"]);
            assert_eq!(mcp["description"], function["description"]);
            assert_eq!(mcp["inputSchema"], function["parameters"]);
        }
    }
}
