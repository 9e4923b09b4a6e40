//! The server answers any request body, over HTTP, WebSocket and MCP, without panicking, never
//! with a 5xx, and always in the shape the protocol spec promises.
//!
//! The input is text, one request per line; the first character of a line says what the rest
//! of it is:
//!
//! | | request | invariants |
//! |---|---|---|
//! | `r` | `POST /reset` body | not 5xx; a JSON body; 200 is an envelope with `reward` null, `done` false |
//! | `s` | `POST /step` body | not 5xx; a JSON body; 200 is an envelope with a finite `reward` |
//! | `m` | `POST /mcp` body (JSON-RPC) | 200 with one JSON-RPC response; 202 and no body only for a notification |
//! | `c` | `POST /check` body | not 5xx; a JSON body |
//! | `g` | `GET /state?` + query | not 5xx; a JSON body |
//! | `h` | `METHOD PATH BODY`, any route | not 5xx |
//! | `w` | a WebSocket text message | exactly one JSON reply of type observation, state, mcp or error, none only for `close` and an MCP notification |
//!
//! HTTP requests go through the server's real router (body limit, routing, extractors,
//! handlers) in process, on a single-threaded Tokio runtime; WebSocket messages go through
//! [`shopops::server::answer_message`], what a session does with each text frame, on one
//! session per input (a `close` ends it; the next message opens a new one). The server state
//! (stored HTTP episodes, MCP sessions) lives across inputs, within small bounds. The served
//! scenarios are loaded once from `scenarios/` beside this crate.
#![no_main]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use shopops::catalog::Catalog;
use shopops::server::{Answer, App, Checker, Limits, LiveGame, answer_message, router};
use tokio::runtime::Runtime;
use tower_service::Service;

/// The server under test: its state, its router and a runtime to drive the router on.
struct Server {
    app: Arc<App>,
    router: Router,
    runtime: Runtime,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios"));
        let paths = vec![dir];
        let catalog = Catalog::load(&paths).expect("the shipped scenarios load");
        // Small stores: the fuzzer makes many episodes and sessions; eviction is exercised too.
        let limits = Limits { http_episodes: 64, max_sessions: 64, ..Limits::default() };
        let app = App::new(catalog, paths, limits, Checker::InProcess);
        let router = router(app.clone());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a Tokio runtime");
        Server { app, router, runtime }
    })
}

fuzz_target!(|data: &[u8]| {
    let server = server();
    let text = String::from_utf8_lossy(data);
    // The WebSocket session's episode; `None` before its first reset.
    let mut session: Option<LiveGame> = None;
    for line in text.split('\n') {
        let mut chars = line.chars();
        let Some(kind) = chars.next() else { continue };
        let rest = chars.as_str();
        match kind {
            'r' => http(server, Method::POST, "/reset", rest, Expect::Envelope { reset: true }),
            's' => http(server, Method::POST, "/step", rest, Expect::Envelope { reset: false }),
            'm' => http(server, Method::POST, "/mcp", rest, Expect::JsonRpc),
            'c' => http(server, Method::POST, "/check", rest, Expect::Json),
            'g' => http(server, Method::GET, &format!("/state?{rest}"), "", Expect::Json),
            'h' => {
                let mut words = rest.splitn(3, ' ');
                let method = Method::from_bytes(words.next().unwrap_or_default().as_bytes());
                let path = words.next().unwrap_or("/");
                if let Ok(method) = method {
                    http(server, method, path, words.next().unwrap_or_default(), Expect::Any);
                }
            }
            'w' => websocket(server, &mut session, rest),
            _ => {}
        }
    }
});

/// What a reply must look like, beyond never being a 5xx.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// A JSON body, and on 200 an envelope (of a reset, else of a step).
    Envelope { reset: bool },
    /// HTTP 200 with a JSON-RPC 2.0 response, or 202 with no body for a notification.
    JsonRpc,
    /// A JSON body.
    Json,
    /// Anything (some routes answer with text).
    Any,
}

/// One HTTP request through the router.
fn http(server: &Server, method: Method, uri: &str, body: &str, expect: Expect) {
    let Ok(request) = Request::builder().method(method).uri(uri).body(Body::from(body.to_owned()))
    else {
        return; // Not a request hyper would hand to the router (e.g. a malformed URI).
    };
    let (status, bytes) = server.runtime.block_on(async {
        let mut router = server.router.clone();
        std::future::poll_fn(|cx| Service::<Request<Body>>::poll_ready(&mut router, cx))
            .await
            .expect("the router is always ready");
        let response = router.call(request).await.expect("the router is infallible");
        let status = response.status();
        (status, to_bytes(response.into_body(), usize::MAX).await.expect("a whole body"))
    });
    let at = || format!("{uri} {body:?} -> {status} {}", String::from_utf8_lossy(&bytes));
    assert!(!status.is_server_error(), "a client input got a server error: {}", at());
    if let Expect::Any = expect {
        return;
    }
    if let Expect::JsonRpc = expect
        && status == StatusCode::ACCEPTED
    {
        assert!(is_notification(body) && bytes.is_empty(), "{}", at());
        return;
    }
    let reply: Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("the reply is not JSON ({e}): {}", at()));
    match expect {
        Expect::Envelope { reset } if status == StatusCode::OK => {
            assert!(reply["observation"].is_object(), "no observation: {}", at());
            assert!(reply["done"].is_boolean(), "no done: {}", at());
            if reset {
                assert!(reply["reward"].is_null() && reply["done"] == false, "{}", at());
            } else {
                let reward = reply["reward"].as_f64();
                assert!(reward.is_some_and(f64::is_finite), "step reward: {}", at());
            }
        }
        Expect::Envelope { .. } | Expect::Json => {
            assert!(
                reply["detail"].is_string() || reply["detail"].is_array() || status.is_success(),
                "{}",
                at()
            );
        }
        Expect::JsonRpc => {
            assert_eq!(status, StatusCode::OK, "{}", at());
            json_rpc(&reply, &at);
        }
        Expect::Any => {}
    }
}

/// A JSON-RPC 2.0 response: `jsonrpc`, `id`, and exactly one of `result` and `error`.
fn json_rpc(reply: &Value, at: &dyn Fn() -> String) {
    assert_eq!(reply["jsonrpc"], "2.0", "{}", at());
    let object = reply.as_object().expect("a JSON-RPC response is an object");
    assert!(object.contains_key("id"), "no id: {}", at());
    assert!(object.contains_key("result") != object.contains_key("error"), "{}", at());
    if let Some(error) = object.get("error") {
        assert!(error["code"].is_i64() && error["message"].is_string(), "{}", at());
    }
}

/// Whether `text` is a JSON-RPC notification: a request object without `id`.
fn is_notification(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|request| {
        request["jsonrpc"] == "2.0" && request["method"].is_string() && request.get("id").is_none()
    })
}

/// One text message on the input's WebSocket session.
fn websocket(server: &Server, session: &mut Option<LiveGame>, text: &str) {
    let answer = answer_message(&server.app, session, text);
    let message = serde_json::from_str::<Value>(text).unwrap_or_default();
    let is_close = message["type"] == "close";
    let reply = match answer {
        Answer::Reply(reply) => reply,
        Answer::Nothing => {
            let data = message.get("data").map(Value::to_string).unwrap_or_default();
            assert!(message["type"] == "mcp" && is_notification(&data), "no reply: {text:?}");
            return;
        }
        Answer::Close => {
            assert!(is_close, "closed on a message other than close: {text:?}");
            *session = None; // The server closes the connection; the next message opens another.
            return;
        }
    };
    let at = || format!("{text:?} -> {reply}");
    let reply: Value = serde_json::from_str(&reply)
        .unwrap_or_else(|e| panic!("the reply is not JSON ({e}): {}", at()));
    let kind = reply["type"].as_str().unwrap_or_else(|| panic!("a reply without type: {}", at()));
    let data = &reply["data"];
    match kind {
        "observation" => {
            assert!(data["observation"].is_object() && data["done"].is_boolean(), "{}", at());
            let reward = &data["reward"];
            assert!(reward.is_null() || reward.as_f64().is_some_and(f64::is_finite), "{}", at());
        }
        "state" => assert!(data.get("step_count").is_some(), "{}", at()),
        "mcp" => json_rpc(data, &at),
        "error" => assert!(data["code"].is_string() && data["message"].is_string(), "{}", at()),
        _ => panic!("a reply of unknown type: {}", at()),
    }
    assert!(
        !is_close || kind == "error",
        "a close message got a reply other than an error: {}",
        at()
    );
}
