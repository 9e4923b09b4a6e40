//! A no-work server, the baseline of `examples/loadgen.rs --baseline`: the same WebSocket
//! endpoint on the same stack as `shopops serve` (Tokio's multi-threaded runtime, axum, hyper,
//! tungstenite, the server's socket settings), answering every text message with a fixed frame,
//! without reading the message or stepping anything. The frames are real ones: the server's own
//! replies (`answer_message`) to one load-generator session on `--task` (seed 1), the reset's
//! and then every step's of the action cycle through the one that ends the episode, answered in
//! that order, over and over, on each connection. So the load generator exchanges the same
//! messages with it as with the server — a reset after every episode's end included — and reads
//! replies of the same sizes.
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
use std::sync::Arc;

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
  --task ID  the task whose episode's reply frames it answers with [default: fraud_stockout_cascade]";

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
    let frames = episode_frames(&task);
    let bytes: usize = frames.iter().map(|frame| frame.len()).sum();
    let count = frames.len();
    eprintln!(
        "echo_server: {count} frames of {} bytes on average on 127.0.0.1:{port}",
        bytes / count
    );
    let router = Router::new().route("/ws", get(upgrade)).with_state(frames);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
    axum::serve(listener, router).await.expect("serve");
}

/// The server's replies to a load-generator session on `task` with seed 1: the reset's, then
/// every step's of the cycle through the one that ends the episode.
fn episode_frames(task: &str) -> Arc<[Utf8Bytes]> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let catalog = Catalog::load(std::slice::from_ref(&dir)).expect("the shipped scenarios load");
    let app = App::new(catalog, vec![dir], Limits::default(), Checker::InProcess);
    let mut game = None;
    let reset = json!({"type": "reset", "data": {"task": task, "seed": 1}}).to_string();
    let mut frames = vec![text_of(answer_message(&app, &mut game, &reset))];
    for round in 0.. {
        let reply =
            cycle::Reply(text_of(answer_message(&app, &mut game, &cycle::step_message(round))));
        assert!(reply.is_observation(), "{}", reply.0);
        let done = reply.done();
        frames.push(reply.0);
        if done {
            break;
        }
    }
    frames.into_iter().map(Utf8Bytes::from).collect()
}

/// The text of a reply.
fn text_of(answer: Answer) -> String {
    match answer {
        Answer::Reply(text) => text,
        other => panic!("the server answered {other:?}"),
    }
}

/// `GET /ws` with the server's socket settings.
async fn upgrade(State(frames): State<Arc<[Utf8Bytes]>>, upgrade: WebSocketUpgrade) -> Response {
    let limit = Limits::default().max_frame_bytes;
    upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_write_buffer_size(2 * limit)
        .on_upgrade(move |socket| session(socket, frames))
}

/// Answers the text messages with `frames`, in order and over again, until the client leaves.
async fn session(mut socket: WebSocket, frames: Arc<[Utf8Bytes]>) {
    for frame in frames.iter().cycle() {
        loop {
            match socket.recv().await {
                Some(Ok(Message::Text(_))) => break,
                Some(Ok(Message::Binary(_) | Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
            }
        }
        if socket.send(Message::Text(frame.clone())).await.is_err() {
            return;
        }
    }
}
