//! WebSocket sessions (`/ws`, protocol spec §5, §6.2): one connection, one session, one
//! episode at a time; exactly one reply per request, in order (none to an MCP notification);
//! errors never end the session.

use std::pin::Pin;
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use futures_util::Sink;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::{Instant, timeout_at};

use super::App;
use super::LiveGame;
use super::episodes::{self, ResetArgs};
use super::errors::{Violation, frame, validation_frame};
use super::mcp;
use super::record::Transport;
use super::slots::Slot;
use crate::engine::{ENVELOPE_CAPACITY, Observed};
use crate::wire::action_from_value;

/// Close code of a normal end (close request, idle timeout, capacity refusal).
const NORMAL: u16 = 1000;
/// Close code of a frame that breaks the WebSocket protocol (RFC 6455 §7.4.1).
const PROTOCOL_ERROR: u16 = 1002;
/// Close code of a text message that is not UTF-8.
const NOT_UTF8: u16 = 1007;
/// Close code of a message over the size limit.
const TOO_BIG: u16 = 1009;
/// How long the answer to a client's close frame may take to go out.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(1);
/// Read buffer of a socket, and the chunk it reads in: a step or reset message is a few hundred
/// bytes, and a larger one grows the buffer as it arrives (10,000 idle sessions: 3 KiB each
/// less than with 4 KiB).
const SOCKET_BUFFER_BYTES: usize = 1024;

/// The query of `/ws`.
#[derive(Debug, Deserialize)]
pub(crate) struct WsQuery {
    session_id: Option<String>,
}

/// `GET /ws`: upgrades to a session.
pub(crate) async fn upgrade(
    State(app): State<Arc<App>>,
    Query(query): Query<WsQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    // The slot is taken before the handshake is answered, so a client that sees its connection
    // open holds one: sessions are admitted in the order their handshakes complete.
    let slot = app.slots.acquire();
    let limit = app.limits.max_frame_bytes;
    upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        // Small buffers that grow on demand: an idle session costs a few KiB, not 256.
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(0)
        // The outgoing queue: one reply and the pong owed, never more (see `session`).
        .max_write_buffer_size(outgoing_bound(limit))
        .on_upgrade(move |socket| session(app, socket, slot, query.session_id))
}

/// What the session does after a message: send a reply, send nothing (an MCP notification),
/// or close the connection (`close`).
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// Send this text frame.
    Reply(String),
    /// Send nothing.
    Nothing,
    /// Close the connection.
    Close,
}

/// Runs one session until the client closes, disconnects or idles out; without a `slot`, refuses
/// it (the server is at capacity).
async fn session(
    app: Arc<App>,
    mut socket: WebSocket,
    slot: Option<Slot>,
    session_id: Option<String>,
) {
    let Some(_slot) = slot else {
        let (active, max) = (app.slots.active(), app.slots.max());
        let mut refusal = frame(
            "CAPACITY_REACHED",
            format!(
                "Server at capacity: {active}/{max} sessions active. Cannot accept new connections."
            ),
        );
        refusal["data"]["active_sessions"] = json!(active);
        refusal["data"]["max_sessions"] = json!(max);
        let _ = send(&mut socket, &refusal).await;
        close(&mut socket, NORMAL, "server at capacity").await;
        return;
    };
    if let Some(id) = session_id {
        let message =
            format!("unknown session `{id}`: attaching to MCP sessions over /ws is not supported");
        let _ = send(&mut socket, &frame("SESSION_ERROR", message)).await;
        close(&mut socket, NORMAL, "unknown session").await;
        return;
    }
    let mut game: Option<LiveGame> = None;
    let idle = app.limits.idle_timeout;
    let mut deadline = Instant::now() + idle;
    loop {
        let message = match timeout_at(deadline, socket.recv()).await {
            Err(_) => return close(&mut socket, NORMAL, "idle timeout").await,
            Ok(None) => return,
            Ok(Some(Err(error))) => {
                let (code, reason) = unreadable(&error);
                return close(&mut socket, code, reason).await;
            }
            Ok(Some(Ok(message))) => message,
        };
        let next = match message {
            // The socket queues the pong; it is sent before anything more is read, so a client
            // that pings without reading is held back like one that sends requests without
            // reading (and cut off after the request timeout), instead of queueing pongs.
            // Pings do not count as activity.
            Message::Ping(_) => {
                if flush(&mut socket).await.is_err() {
                    return;
                }
                continue;
            }
            Message::Pong(_) => continue,
            Message::Close(_) => {
                // The socket has queued its answering close frame; reading on sends it.
                let _ = tokio::time::timeout(CLOSE_GRACE, socket.recv()).await;
                return;
            }
            Message::Binary(_) => Answer::Reply(
                frame(
                    "INVALID_JSON",
                    "Invalid JSON: binary frames are not accepted; send each message as a text frame",
                )
                .to_string(),
            ),
            Message::Text(text) => answer_message(&app, &mut game, text.as_str()),
        };
        deadline = Instant::now() + idle;
        match next {
            Answer::Reply(reply) => {
                if socket.send(Message::Text(reply.into())).await.is_err() {
                    return;
                }
            }
            Answer::Nothing => {}
            Answer::Close => return close(&mut socket, NORMAL, "closed by the client").await,
        }
    }
}

/// Answers one text message of a WebSocket session as the server does, without the socket: the
/// reply frame (an error frame included), nothing for an MCP notification, or `Close` for
/// `close`, after which the server closes the connection. `game` is the session's episode,
/// `None` until its first reset. Synchronous and free of I/O, so a session can be driven
/// directly (the `request` fuzz target does).
pub fn answer_message(app: &App, game: &mut Option<LiveGame>, text: &str) -> Answer {
    match request(app, game, text) {
        Ok(answer) => answer,
        Err(error) => Answer::Reply(error.to_string()),
    }
}

/// The answer to one text message, or its error frame.
fn request(app: &App, game: &mut Option<LiveGame>, text: &str) -> Result<Answer, Value> {
    let message: Value = serde_json::from_str(text)
        .map_err(|error| frame("INVALID_JSON", format!("Invalid JSON: {error}")))?;
    let Value::Object(mut envelope) = message else {
        return Err(frame("INVALID_JSON", "Invalid JSON: a message must be a JSON object"));
    };
    let kind = match envelope.remove("type") {
        Some(Value::String(kind)) => kind,
        Some(other) => return Err(frame("UNKNOWN_TYPE", format!("Unknown message type: {other}"))),
        None => return Err(frame("UNKNOWN_TYPE", "Unknown message type: `type` is missing")),
    };
    if !matches!(kind.as_str(), "reset" | "step" | "state" | "close" | "mcp") {
        return Err(frame("UNKNOWN_TYPE", format!("Unknown message type: {kind}")));
    }
    let data = envelope.remove("data");
    if let Some(extra) = envelope.keys().next() {
        let message = format!("unknown key `{extra}` beside `type` and `data`");
        return Err(frame("VALIDATION_ERROR", message));
    }
    let played = match kind.as_str() {
        "reset" => {
            let new = ResetArgs::parse(data.unwrap_or(Value::Null), "data")
                .and_then(|args| args.start(&app.catalog(), "data"))
                .map_err(|violations| validation_frame(&violations))?;
            game.insert(app.live(new, Transport::WebSocket))
        }
        "step" => step(game, data)?,
        "state" => return Ok(Answer::Reply(reply("state", &episodes::state(game.as_deref())))),
        "mcp" => {
            let response = mcp::respond(app, data.unwrap_or(Value::Null), Some(game));
            return Ok(response.map_or(Answer::Nothing, |r| Answer::Reply(reply("mcp", &r))));
        }
        _ => return Ok(Answer::Close),
    };
    Ok(Answer::Reply(observation_reply(&played.observed())))
}

/// `{"type":"observation","data":ENVELOPE}`, the envelope written straight from the episode into
/// the reply's buffer (no owned observation, intermediate text or JSON value).
fn observation_reply(observed: &Observed<'_>) -> String {
    const HEAD: &str = r#"{"type":"observation","data":"#;
    let mut bytes = Vec::with_capacity(ENVELOPE_CAPACITY);
    bytes.extend_from_slice(HEAD.as_bytes());
    observed.write_envelope(&mut bytes);
    bytes.push(b'}');
    String::from_utf8(bytes).unwrap_or_default()
}

/// Takes a step for a `step` message: the session's game, stepped.
fn step(game: &mut Option<LiveGame>, data: Option<Value>) -> Result<&mut LiveGame, Value> {
    let data = data.ok_or_else(|| {
        frame("VALIDATION_ERROR", "a step message needs `data`: the action object")
    })?;
    let action =
        action_from_value(data).map_err(|errors| validation_frame(&Violation::actions(errors)))?;
    let game = game
        .as_mut()
        .ok_or_else(|| frame("EXECUTION_ERROR", "no episode yet: send a reset first"))?;
    game.step(&action).map_err(|error| frame("EXECUTION_ERROR", error.to_string()))?;
    Ok(game)
}

/// `{"type": kind, "data": data}` as text.
fn reply(kind: &str, data: &Value) -> String {
    reply_text(kind, &data.to_string())
}

/// `{"type": kind, "data": <data_json>}` from data already serialised.
fn reply_text(kind: &str, data_json: &str) -> String {
    format!(r#"{{"type":"{kind}","data":{data_json}}}"#)
}

/// The close code and reason for a message the socket could not read: over the size limit,
/// text that is not UTF-8, or any other protocol violation (the socket's error names which).
fn unreadable(error: &axum::Error) -> (u16, &'static str) {
    let text = error.to_string();
    if text.contains("Space limit exceeded") {
        (TOO_BIG, "message over the size limit")
    } else if text.contains("UTF-8") {
        (NOT_UTF8, "text message that is not UTF-8")
    } else {
        (PROTOCOL_ERROR, "WebSocket protocol violation")
    }
}

/// The most a session's outgoing queue holds, in bytes: room for a reply as large as the largest
/// message a client may send, and a pong.
pub(crate) fn outgoing_bound(max_frame_bytes: usize) -> usize {
    2 * max_frame_bytes.max(SOCKET_BUFFER_BYTES)
}

/// Writes out what the socket has queued (the pong owed to a ping).
async fn flush(socket: &mut WebSocket) -> Result<(), axum::Error> {
    std::future::poll_fn(|cx| Pin::new(&mut *socket).poll_flush(cx)).await
}

async fn send(socket: &mut WebSocket, value: &Value) -> Result<(), axum::Error> {
    socket.send(Message::Text(value.to_string().into())).await
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = CloseFrame { code, reason: reason.into() };
    let _ = socket.send(Message::Close(Some(frame))).await;
}
