//! A no-work server, the baseline of `examples/loadgen.rs --baseline`: the same WebSocket
//! endpoint on the same stack as `shopops serve` (Tokio's multi-threaded runtime, axum, hyper,
//! tungstenite, the server's socket settings), answering every text message with one fixed
//! observation frame, without reading the message or stepping anything. The frame is a real
//! one: the server's own reply (`answer_message`) to a step of the load generator's action
//! cycle on `--task`, the median-sized one of a whole episode.
//!
//! ```sh
//! cargo run --release --example echo_server -- --port 8001 --task fraud_stockout_cascade &
//! cargo run --release --example loadgen -- --mode ws --baseline 127.0.0.1:8001
//! ```

#[path = "common/args.rs"]
mod args;
#[path = "common/cycle.rs"]
mod cycle;

use std::path::PathBuf;

use args::Args;
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use serde_json::json;
use shopops::catalog::Catalog;
use shopops::server::{Answer, App, Checker, Limits, answer_message};

/// The server's initial socket read buffer (`src/server/ws.rs`).
const SOCKET_BUFFER_BYTES: usize = 4096;

const USAGE: &str = "\
A no-work server, the baseline of loadgen --baseline (see the header of examples/echo_server.rs).

Usage: echo_server [--option value]...

Options:
  --port N   the loopback port it listens on [default: 8001]
  --task ID  the task whose median reply frame it answers with [default: fraud_stockout_cascade]";

#[tokio::main]
async fn main() {
    let mut port = 8001;
    let mut task = "fraud_stockout_cascade".to_string();
    let (args, pairs) = Args::read(USAGE);
    for (option, value) in pairs {
        match option.as_str() {
            "--port" => port = args.parse(&option, &value),
            "--task" => task = value,
            _ => args.fail(format_args!("unknown option {option}")),
        }
    }
    let frame = observation_frame(&task);
    eprintln!("echo_server: {} byte frames on 127.0.0.1:{port}", frame.len());
    let router = Router::new().route("/ws", get(upgrade)).with_state(frame);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
    axum::serve(listener, router).await.expect("serve");
}

/// The server's reply to a step of the load generator's cycle on `task`, median-sized over one
/// episode (a step that does not end it, so load generators never reset).
fn observation_frame(task: &str) -> Utf8Bytes {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let catalog = Catalog::load(std::slice::from_ref(&dir)).expect("the shipped scenarios load");
    let app = App::new(catalog, vec![dir], Limits::default(), Checker::InProcess);
    let mut game = None;
    let reset = json!({"type": "reset", "data": {"task": task, "seed": 1}}).to_string();
    let mut frames = vec![text_of(answer_message(&app, &mut game, &reset))];
    for round in 0.. {
        let frame = text_of(answer_message(&app, &mut game, &cycle::step_message(round)));
        let reply = cycle::Reply(frame);
        assert!(reply.is_observation(), "{}", reply.0);
        if reply.done() {
            break;
        }
        frames.push(reply.0);
    }
    frames.sort_by_key(String::len);
    frames.swap_remove(frames.len() / 2).into()
}

/// The text of a reply.
fn text_of(answer: Answer) -> String {
    match answer {
        Answer::Reply(text) => text,
        other => panic!("the server answered {other:?}"),
    }
}

/// `GET /ws` with the server's socket settings.
async fn upgrade(State(frame): State<Utf8Bytes>, upgrade: WebSocketUpgrade) -> Response {
    let limit = Limits::default().max_frame_bytes;
    upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_write_buffer_size(2 * limit)
        .on_upgrade(move |socket| session(socket, frame))
}

/// Answers every text message with `frame` until the client leaves.
async fn session(mut socket: WebSocket, frame: Utf8Bytes) {
    while let Some(Ok(message)) = socket.recv().await {
        let answer = match message {
            Message::Text(_) => Message::Text(frame.clone()),
            Message::Close(_) => return,
            Message::Binary(_) | Message::Ping(_) | Message::Pong(_) => continue,
        };
        if socket.send(answer).await.is_err() {
            return;
        }
    }
}
