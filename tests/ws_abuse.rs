//! Hostile clients against the real binary (docs/reliability.md, "Hostile HTTP and WebSocket
//! input"): malformed messages, malformed and oversized frames, protocol violations, floods,
//! abrupt disconnects and slow clients. Every case expects a clear error frame, a close code or
//! a 408; through all of it a well-behaved session plays on exactly as it would alone and
//! `/health` stays healthy. Also: ids carry 128 random bits, and no client reaches another's
//! episode without its id.
//!
//! tests/server.rs covers the first malformed messages, step and state before a reset, the
//! `close` message, idle close, the session cap and a plain oversized frame; they are not
//! repeated here.

#![cfg(feature = "server")]

mod support;

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::SinkExt;
use serde_json::{Value, json};
use support::server::{Server, Ws, client_frame};
use tokio_tungstenite::MaybeTlsStream;
use tokio_tungstenite::tungstenite::Message;

/// `--max-frame-bytes` of the servers here.
const FRAME_LIMIT: usize = 4096;
/// `--max-sessions` of the servers here.
const SESSIONS: usize = 32;

/// The error code of an error frame, else the reply's type.
fn code(reply: &Value) -> &str {
    let code = if reply["type"] == "error" { &reply["data"]["code"] } else { &reply["type"] };
    code.as_str().unwrap_or("?")
}

/// A client that does everything right for as long as `running`, alongside the abuse: resets
/// with fixed seeds and ids, steps a fixed cycle, resets again when an episode ends. Returns
/// what it sent and every reply.
async fn steady_client(server: Arc<Server>, running: Arc<AtomicBool>) -> Vec<(Value, Value)> {
    let mut ws = server.connect().await;
    let mut transcript = Vec::new();
    let actions = ["inspect_order", "inspect_policy", "inspect_customer_history", "close_case"];
    let mut episode = 0;
    let mut done = true;
    let mut round = 0;
    while running.load(Ordering::Relaxed) || transcript.len() < 40 {
        let request = if done {
            episode += 1;
            json!({"type": "reset", "data": {"task": "sla_queue_juggle", "seed": 77 + episode,
                "episode_id": format!("steady-{episode}")}})
        } else {
            round += 1;
            json!({"type": "step", "data": {"action_type": actions[round % actions.len()]}})
        };
        let reply = ws.request(&request).await;
        assert_eq!(reply["type"], "observation", "the steady client was disturbed: {reply}");
        done = reply["data"]["done"] == true;
        transcript.push((request, reply));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    transcript
}

/// The same requests on a fresh session of a fresh server: the replies a client gets alone.
async fn replay_alone(transcript: &[(Value, Value)]) -> Vec<Value> {
    let server = Server::start(&[]);
    let mut ws = server.connect().await;
    let mut replies = Vec::new();
    for (request, _) in transcript {
        replies.push(ws.request(request).await);
    }
    replies
}

/// Messages that get an error frame (or an MCP error), each leaving the session and its
/// episode as they were.
fn bad_messages() -> Vec<(&'static str, Message, &'static str)> {
    let text = |s: &str| Message::text(s.to_string());
    let deep_list = format!("{}{}", "[".repeat(1500), "]".repeat(1500));
    let deep_data =
        format!(r#"{{"type":"reset","data":{}1{}}}"#, r#"{"a":"#.repeat(600), "}".repeat(600));
    let long_type = format!(r#"{{"type":"{}"}}"#, "x".repeat(3000));
    let long_id = format!(r#"{{"type":"reset","data":{{"episode_id":"{}"}}}}"#, "i".repeat(256));
    let padding = FRAME_LIMIT - r#"{"type":"state","pad":""}"#.len();
    let at_limit = format!(r#"{{"type":"state","pad":"{}"}}"#, " ".repeat(padding));
    assert_eq!(at_limit.len(), FRAME_LIMIT);
    vec![
        ("empty text", text(""), "INVALID_JSON"),
        ("whitespace only", text(" \n\t "), "INVALID_JSON"),
        ("JSON null", text("null"), "INVALID_JSON"),
        ("JSON string", text(r#""reset""#), "INVALID_JSON"),
        ("JSON number", text("42"), "INVALID_JSON"),
        ("truncated object", text(r#"{"type":"reset""#), "INVALID_JSON"),
        ("trailing garbage", text(r#"{"type":"state"} x"#), "INVALID_JSON"),
        ("1,500 nested lists", text(&deep_list), "INVALID_JSON"),
        ("600 nested objects in data", text(&deep_data), "INVALID_JSON"),
        ("number out of range", text(r#"{"type":"reset","data":{"seed":1e400}}"#), "INVALID_JSON"),
        ("lone surrogate escape", text(r#"{"type":"\ud800"}"#), "INVALID_JSON"),
        (
            "binary frame of valid JSON",
            Message::binary(br#"{"type":"state"}"#.to_vec()),
            "INVALID_JSON",
        ),
        ("empty binary frame", Message::binary(Vec::new()), "INVALID_JSON"),
        ("type in capitals", text(r#"{"type":"RESET"}"#), "UNKNOWN_TYPE"),
        ("type null", text(r#"{"type":null}"#), "UNKNOWN_TYPE"),
        ("type a list", text(r#"{"type":["reset"]}"#), "UNKNOWN_TYPE"),
        ("type an object", text(r#"{"type":{"name":"reset"}}"#), "UNKNOWN_TYPE"),
        ("3,000-character type", text(&long_type), "UNKNOWN_TYPE"),
        (
            "duplicate type keys, last unknown",
            text(r#"{"type":"state","type":"bogus"}"#),
            "UNKNOWN_TYPE",
        ),
        ("step data null", text(r#"{"type":"step","data":null}"#), "VALIDATION_ERROR"),
        ("step data a list", text(r#"{"type":"step","data":[]}"#), "VALIDATION_ERROR"),
        ("action without action_type", text(r#"{"type":"step","data":{}}"#), "VALIDATION_ERROR"),
        (
            "action_type a number",
            text(r#"{"type":"step","data":{"action_type":7}}"#),
            "VALIDATION_ERROR",
        ),
        (
            "amount a string",
            text(
                r#"{"type":"step","data":{"action_type":"issue_refund","refund_amount_usd":"lots"}}"#,
            ),
            "VALIDATION_ERROR",
        ),
        ("reset data a list", text(r#"{"type":"reset","data":[]}"#), "VALIDATION_ERROR"),
        ("reset data a string", text(r#"{"type":"reset","data":"go"}"#), "VALIDATION_ERROR"),
        ("seed a string", text(r#"{"type":"reset","data":{"seed":"7"}}"#), "VALIDATION_ERROR"),
        ("seed fractional", text(r#"{"type":"reset","data":{"seed":7.5}}"#), "VALIDATION_ERROR"),
        (
            "empty episode_id",
            text(r#"{"type":"reset","data":{"episode_id":""}}"#),
            "VALIDATION_ERROR",
        ),
        ("256-character episode_id", text(&long_id), "VALIDATION_ERROR"),
        (
            "episode_id a number",
            text(r#"{"type":"reset","data":{"episode_id":5}}"#),
            "VALIDATION_ERROR",
        ),
        ("task a number", text(r#"{"type":"reset","data":{"task":7}}"#), "VALIDATION_ERROR"),
        ("message exactly at the frame limit", text(&at_limit), "VALIDATION_ERROR"),
        ("mcp data a string", text(r#"{"type":"mcp","data":"x"}"#), "mcp"),
        (
            "mcp call on an unknown session",
            text(
                r#"{"type":"mcp","data":{"jsonrpc":"2.0","id":1,"method":"tools/call",
                "params":{"name":"inspect_order","arguments":{},"session_id":"nope"}}}"#,
            ),
            "mcp",
        ),
    ]
}

/// Hand-made frames, each on its own connection, and the close code each must end with (the
/// client's own close frame follows each, so a connection that survives closes with 1000).
fn bad_frames() -> Vec<(&'static str, Vec<u8>, &'static [&'static str], u16)> {
    let text = |payload: &[u8]| client_frame(0x81, true, payload);
    let state = br#"{"type":"state"}"#;
    let mut huge_header = vec![0x81, 0x80 | 127];
    huge_header.extend_from_slice(&(1u64 << 62).to_be_bytes());
    huge_header.extend_from_slice(&[1, 2, 3, 4]);
    let join = |parts: &[Vec<u8>]| parts.concat();
    let half = vec![b' '; FRAME_LIMIT / 2 + 1];
    vec![
        ("text frame over the limit", text(&vec![b' '; FRAME_LIMIT + 1]), &[], 1009),
        ("declared length of 2^62 bytes", huge_header, &[], 1009),
        (
            "fragments over the limit together",
            join(&[client_frame(0x01, true, &half), client_frame(0x80, true, &half)]),
            &[],
            1009,
        ),
        (
            "fragments under the limit",
            join(&[
                client_frame(0x01, true, br#"{"type":"#),
                client_frame(0x00, true, br#""sta"#),
                client_frame(0x80, true, br#"te"}"#),
            ]),
            &["state"],
            1000,
        ),
        (
            "ping between requests",
            join(&[client_frame(0x89, true, b"hi"), text(state)]),
            &["state"],
            1000,
        ),
        ("text that is not UTF-8", text(&[0x7b, 0xff, 0xfe, 0x7d]), &[], 1007),
        ("unmasked client frame", client_frame(0x81, false, state), &[], 1002),
        ("reserved bits set", client_frame(0xC1, true, state), &[], 1002),
        ("reserved opcode", client_frame(0x83, true, b"x"), &[], 1002),
        ("continuation without a start", client_frame(0x80, true, b"x"), &[], 1002),
        ("ping of 126 bytes", client_frame(0x89, true, &[0; 126]), &[], 1002),
        ("fragmented ping", client_frame(0x09, true, b"x"), &[], 1002),
        (
            "new message inside a fragmented one",
            join(&[client_frame(0x01, true, b"{"), text(state)]),
            &[],
            1002,
        ),
        ("close with a reserved code", client_frame(0x88, true, &1005u16.to_be_bytes()), &[], 1002),
        ("close without a code", client_frame(0x88, true, &[]), &[], 1005),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_sessions_leave_the_server_and_other_sessions_unharmed() {
    let limits = [FRAME_LIMIT.to_string(), SESSIONS.to_string()];
    let server =
        Arc::new(Server::start(&["--max-frame-bytes", &limits[0], "--max-sessions", &limits[1]]));
    let running = Arc::new(AtomicBool::new(true));
    let steady = tokio::spawn(steady_client(server.clone(), running.clone()));

    // Messages: an error frame each; the session and its episode stay as they were.
    let mut ws = server.connect().await;
    let reset = json!({"type": "reset", "data": {"seed": 3, "episode_id": "target"}});
    assert_eq!(code(&ws.request(&reset).await), "observation");
    ws.request(&json!({"type": "step", "data": {"action_type": "inspect_order"}})).await;
    for (name, message, expected) in bad_messages() {
        ws.0.send(message).await.expect("send");
        let reply = ws.reply().await;
        assert_eq!(code(&reply), expected, "{name}: {reply}");
        if reply["type"] == "error" {
            let text = reply["data"]["message"].as_str().unwrap_or_default();
            assert!(text.len() > 10, "{name}: the message must stand on its own: {reply}");
        }
        let state = ws.request(&json!({"type": "state"})).await;
        assert_eq!(
            (&state["data"]["episode_id"], &state["data"]["step_count"]),
            (&json!("target"), &json!(1)),
            "{name} changed the episode"
        );
    }
    for _ in 0..200 {
        ws.0.send(Message::Ping(b"are you there".to_vec().into())).await.expect("ping");
    }
    assert_eq!(ws.request(&json!({"type": "state"})).await["data"]["step_count"], 1);

    // Frames: each connection ends with the expected close code.
    let frames = {
        let server = server.clone();
        tokio::task::spawn_blocking(move || {
            bad_frames()
                .into_iter()
                .map(|(name, bytes, _, _)| {
                    let mut raw = server.raw_ws();
                    raw.send(&bytes);
                    raw.send(&client_frame(0x88, true, &1000u16.to_be_bytes()));
                    (name, raw.until_close())
                })
                .collect::<Vec<_>>()
        })
        .await
        .expect("raw frames")
    };
    for ((name, (texts, close)), (_, _, replies, expected)) in frames.into_iter().zip(bad_frames())
    {
        let codes: Vec<String> = texts
            .iter()
            .map(|t| code(&serde_json::from_str(t).expect("JSON frame")).to_string())
            .collect();
        assert_eq!(codes, replies, "{name}: replies");
        assert_eq!(close, Some(expected), "{name}: close code");
    }

    // An unknown session id: one SESSION_ERROR frame, then close 1000.
    let mut stranger = server.connect_path("/ws?session_id=nope").await;
    assert_eq!(code(&stranger.reply().await), "SESSION_ERROR");
    assert_eq!(stranger.closed_with().await, Some(1000));

    // A flood of 1,000 resets sent without waiting: 1,000 replies, in order.
    let mut flood = server.connect().await;
    for i in 0..1000 {
        let message =
            json!({"type": "reset", "data": {"seed": i, "episode_id": format!("flood-{i}")}});
        flood.0.feed(Message::text(message.to_string())).await.expect("feed");
    }
    flood.0.flush().await.expect("flush");
    for i in 0..1000 {
        let reply = flood.reply().await;
        assert_eq!(reply["data"]["observation"]["episode_id"], format!("flood-{i}"), "{reply}");
    }
    let state = flood.request(&json!({"type": "state"})).await;
    assert_eq!(state["data"]["episode_id"], "flood-999");

    // Abrupt disconnects mid-step, twice the session cap of them: a reset connection resets
    // (RST) right after sending a step, another drops mid-frame. Every slot comes back.
    for round in 0..SESSIONS {
        let mut doomed = server.connect().await;
        doomed.request(&json!({"type": "reset", "data": {"seed": round}})).await;
        doomed.send_text(r#"{"type":"step","data":{"action_type":"inspect_order"}}"#).await;
        reset_connection(doomed);
        let mut cut = server.connect().await;
        let frame =
            client_frame(0x81, true, br#"{"type":"step","data":{"action_type":"inspect_order"}}"#);
        let MaybeTlsStream::Plain(stream) = cut.0.get_mut() else { unreachable!("plain TCP") };
        tokio::io::AsyncWriteExt::write_all(stream, &frame[..frame.len() / 2]).await.expect("half");
        drop(cut);
    }
    drop((ws, flood, stranger));
    let admitted = fill_every_free_slot(&server, SESSIONS - 1).await;
    assert_eq!(admitted.len(), SESSIONS - 1, "slots were not freed by the disconnects");
    drop(admitted);

    // The steady client saw exactly what it sees alone, and the server is healthy.
    running.store(false, Ordering::Relaxed);
    let transcript = steady.await.expect("the steady client");
    let alone = replay_alone(&transcript).await;
    for ((request, reply), expected) in transcript.iter().zip(&alone) {
        assert_eq!(reply, expected, "the steady client's reply to {request} differs");
    }
    assert!(server.healthy());
    let log = server.log().join("\n");
    assert!(!log.contains("panicked"), "the server panicked:\n{log}");
}

/// Drops a session with a TCP reset (no close frame, no FIN).
fn reset_connection(ws: Ws) {
    if let MaybeTlsStream::Plain(stream) = ws.0.get_ref() {
        stream.set_zero_linger().expect("SO_LINGER 0");
    }
    drop(ws);
}

/// Opens `count` sessions, each answering `state` (not refused for capacity); retries for a
/// few seconds while the server notices the last disconnects.
async fn fill_every_free_slot(server: &Server, count: usize) -> Vec<Ws> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut open = Vec::new();
    while open.len() < count && Instant::now() < deadline {
        let mut ws = server.connect().await;
        let reply = ws.request(&json!({"type": "state"})).await;
        if reply["type"] == "state" {
            open.push(ws);
        } else {
            assert_eq!(code(&reply), "CAPACITY_REACHED", "{reply}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    open
}

/// Whether an id is 32 lowercase hex digits.
fn is_hex_128(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[tokio::test]
async fn ids_the_server_makes_carry_128_random_bits() {
    let server = Server::start(&[]);
    let mut ids = Vec::new();
    let mut ws = server.connect().await;
    for _ in 0..200 {
        let reply = ws.request(&json!({"type": "reset"})).await;
        ids.push(reply["data"]["observation"]["episode_id"].as_str().expect("id").to_string());
    }
    for _ in 0..100 {
        let (_, reply) = server.http("POST", "/reset", None);
        ids.push(reply["observation"]["episode_id"].as_str().expect("id").to_string());
        let create = json!({"jsonrpc": "2.0", "id": 1, "method": "openenv/session/create"});
        let (_, reply) = server.http("POST", "/mcp", Some(&create.to_string()));
        ids.push(reply["result"]["session_id"].as_str().expect("session id").to_string());
    }
    assert!(ids.iter().all(|id| is_hex_128(id)), "not 128-bit hex: {ids:?}");
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "an id repeated");
    // Every one of the 128 bits varies across the 400 ids (a counter or a clock would leave
    // high bits fixed); each stays fixed by chance with probability 2^-399.
    for bit in 0..128 {
        let value = |id: &String| {
            let digit = u8::from_str_radix(&id[bit / 4..bit / 4 + 1], 16).expect("hex");
            digit >> (3 - bit % 4) & 1
        };
        let ones = ids.iter().filter(|id| value(id) == 1).count();
        assert!(ones > 0 && ones < ids.len(), "bit {bit} never changes");
    }
}

#[tokio::test]
async fn no_client_reaches_another_clients_episode_without_its_id() {
    let server = Server::start(&[]);
    // A's HTTP episode, with a server-made id, one step in.
    let (_, reset) = server.http("POST", "/reset", Some(r#"{"seed":5}"#));
    let id = reset["observation"]["episode_id"].as_str().expect("id").to_string();
    let step = json!({"action": {"action_type": "inspect_order"}, "episode_id": id});
    assert_eq!(server.http("POST", "/step", Some(&step.to_string())).0, 200);
    let a_state = || server.http("GET", &format!("/state?episode_id={id}"), None);
    let before = a_state();
    assert_eq!(before.1["step_count"], 1);

    // B without the id: steps and reads throw-away episodes of its own.
    let (status, other) =
        server.http("POST", "/step", Some(r#"{"action":{"action_type":"close_case"}}"#));
    assert_eq!(status, 200);
    assert_ne!(other["observation"]["episode_id"], json!(id));
    let (_, fresh) = server.http("GET", "/state", None);
    assert_eq!(fresh["step_count"], 0);
    assert_ne!(fresh["episode_id"], json!(id));
    // Near misses are unknown ids: ids match exactly.
    let mut last_changed = id.clone();
    let flipped = if id.ends_with('0') { '1' } else { '0' };
    last_changed.replace_range(31.., &flipped.to_string());
    for guess in [last_changed, id[..31].to_string(), id.to_uppercase(), format!("{id} ")] {
        let path = format!("/state?episode_id={}", guess.replace(' ', "%20"));
        let (status, reply) = server.http("GET", &path, None);
        assert_eq!(status, 404, "{guess}: {reply}");
        let detail = format!("no episode `{guess}` is stored; reset first");
        assert_eq!(reply["detail"], detail, "a 404 names only the id asked for");
        let step = json!({"action": {"action_type": "close_case"}, "episode_id": guess});
        assert_eq!(server.http("POST", "/step", Some(&step.to_string())).0, 404, "{guess}");
    }

    // Other transports cannot reach it even with the id: WebSocket sessions and MCP sessions
    // are separate from HTTP episodes.
    let mut ws = server.connect().await;
    let same_id = json!({"type": "reset", "data": {"seed": 9, "episode_id": id}});
    assert_eq!(code(&ws.request(&same_id).await), "observation");
    ws.request(&json!({"type": "step", "data": {"action_type": "close_case"}})).await;
    let mut attach = server.connect_path(&format!("/ws?session_id={id}")).await;
    assert_eq!(code(&attach.reply().await), "SESSION_ERROR");
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "close_case", "arguments": {}, "session_id": id}});
    let (_, reply) = server.http("POST", "/mcp", Some(&call.to_string()));
    assert_eq!(reply["error"]["code"], -32602, "{reply}");
    let create = json!({"jsonrpc": "2.0", "id": 2, "method": "openenv/session/create"});
    let (_, session) = server.http("POST", "/mcp", Some(&create.to_string()));
    let session = session["result"]["session_id"].as_str().expect("session id").to_string();
    assert_eq!(server.http("GET", &format!("/state?episode_id={session}"), None).0, 404);

    assert_eq!(a_state(), before, "A's episode was touched");
}

#[test]
fn slow_clients_get_408_or_are_cut_off_while_others_are_served() {
    let server = Arc::new(Server::start(&["--request-timeout", "1"]));
    let connect = || {
        let stream = TcpStream::connect(&server.address).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        stream
    };
    let response = |mut stream: TcpStream| {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    };
    // A WebSocket session idle for longer than the request timeout is not cut by it.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut ws = runtime.block_on(server.connect());

    // Headers trickled a line every 100 ms: 408 once the timeout is over, then closed.
    let trickle = {
        let mut stream = connect();
        std::thread::spawn(move || {
            let started = Instant::now();
            let _ = stream.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n");
            let mut reader = stream.try_clone().expect("clone");
            let writer = std::thread::spawn(move || {
                while stream.write_all(b"X-Slow: yes\r\n").is_ok() {
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
            let mut bytes = Vec::new();
            let _ = reader.read_to_end(&mut bytes);
            let _ = writer.join();
            (String::from_utf8_lossy(&bytes).into_owned(), started.elapsed())
        })
    };
    // A body that never finishes: 408.
    let mut body = connect();
    body.write_all(b"POST /reset HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"se")
        .expect("send");
    // A connection that never sends a byte: closed, nothing written.
    let idle = connect();
    // A client that pipelines requests and reads none of the replies: cut off.
    let mut deaf = connect();
    let request = b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n";
    deaf.write_all(&request.repeat(2000)).expect("send");

    // Meanwhile a well-behaved client is answered at once, again and again.
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(1500) {
        let asked = Instant::now();
        assert!(server.healthy());
        assert!(
            asked.elapsed() < Duration::from_millis(900),
            "a health check took {:?}",
            asked.elapsed()
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let (trickled, took) = trickle.join().expect("trickle");
    assert!(trickled.starts_with("HTTP/1.1 408 "), "{trickled}");
    assert!(trickled.contains(r#"{"detail":"request timeout: the request headers"#), "{trickled}");
    assert!(took < Duration::from_secs(5), "the trickling client was held {took:?}");
    let unfinished = response(body);
    assert!(unfinished.starts_with("HTTP/1.1 408 "), "{unfinished}");
    let detail = unfinished.split("\r\n\r\n").nth(1).unwrap_or_default();
    let detail: Value = serde_json::from_str(detail).expect("a JSON body");
    assert!(detail["detail"].as_str().is_some_and(|d| d.contains("1 s")), "{detail}");
    assert_eq!(response(idle), "", "an idle connection is closed without a reply");
    std::thread::sleep(Duration::from_millis(1500));
    let mut heard = Vec::new();
    let _ = deaf.read_to_end(&mut heard);
    let answered = heard.windows(15).filter(|w| w == b"HTTP/1.1 200 OK").count();
    assert!(answered < 2000, "a client that reads nothing got all {answered} replies");

    let state = runtime.block_on(ws.request(&json!({"type": "state"})));
    assert_eq!(state["type"], "state", "the WebSocket session survived the timeout: {state}");
    assert!(server.healthy());
}

#[test]
fn requests_the_router_rejects_get_a_json_detail_too() {
    let server = Server::start(&[]);
    let cases: &[(&str, u16)] = &[
        ("/state?episode_id=a&episode_id=b", 400),
        ("/ws?session_id=a&session_id=b", 400),
        ("/ws", 400),
        ("/scenarios/nope", 404),
    ];
    for (path, status) in cases {
        let (got, body) = server.http("GET", path, None);
        assert_eq!(got, *status, "{path}: {body}");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.len() > 10, "{path}: a JSON detail that says what is wrong: {body}");
    }
}
