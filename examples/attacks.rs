//! Hostile single clients against a running `shopops serve` with the default limits
//! (docs/reliability.md, "Attacks"). Starts nothing itself.
//!
//! For each attack in turn: the server's RSS (`/proc/PID/status`) at rest; the attack for
//! `--seconds` (default 5) while a bystander asks `GET /health` on a kept-alive connection and
//! another steps a WebSocket session of the hard task, each every 10 ms, and the RSS is sampled
//! every 100 ms (the peak); then the attack's connections close, and 2 s later the RSS "after".
//! `--only NAME` runs one attack. The attacks are the functions below, named as in [`ATTACKS`].
//!
//! It prints one Markdown table row per attack, and exits 1 when one breaks a bound: a bystander
//! p99 of 50 ms or more, a bystander request failing, any 5xx, a peak RSS of 256 MiB or more,
//! or an RSS after the attack more than 32 MiB above rest (plus the 32 MiB an episode store may
//! keep, for the attacks that fill one).
//!
//! ```sh
//! cargo build --release --bin shopops --example attacks
//! target/release/shopops serve --host 127.0.0.1 --port 8000 scenarios &
//! target/release/examples/attacks --address 127.0.0.1:8000 --pid $! --seconds 5
//! ```

mod common;
mod memory;

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream as StdStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use common::args::Args;
use common::{Socket, exchange, request, step_message};
use futures_util::{FutureExt, SinkExt, StreamExt};
use memory::rss_kib;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// The attacks, in the order they run.
const ATTACKS: [&str; 9] = [
    "ping-flood",
    "check-garbage",
    "check-large-data",
    "check-devices",
    "unknown-keys",
    "http-episodes",
    "mcp-sessions",
    "ws-big-messages",
    "slow-heads",
];
/// The task the bystander session plays, and the HTTP episodes and MCP sessions start.
const HARD_TASK: &str = "fraud_stockout_cascade";
/// A bystander's pause between requests (a bystander, not load).
const PACE: Duration = Duration::from_millis(10);
/// How often the server's RSS is sampled during an attack.
const SAMPLE: Duration = Duration::from_millis(100);
/// How long after an attack the RSS "after" is taken.
const SETTLE: Duration = Duration::from_secs(2);
/// A bystander request not answered within this fails.
const PATIENCE: Duration = Duration::from_secs(5);
/// How long an attack may take to stop after its time is up.
const GRACE: Duration = Duration::from_secs(5);
/// Bounds: bystander p99 (ms), peak RSS (MiB), RSS after above rest (MiB).
const MAX_P99_MS: f64 = 50.0;
const MAX_PEAK_MIB: f64 = 256.0;
const MAX_GROWTH_MIB: f64 = 32.0;
/// The attacks that fill an episode store, and what a store may keep (`--http-episode-bytes`,
/// by estimate): their RSS after may be that much higher.
const STORE_ATTACKS: [&str; 2] = ["http-episodes", "mcp-sessions"];
const STORE_BUDGET_MIB: f64 = 32.0;
/// Connections the holding attacks open (the server's caps: 1,024 sessions, 1,280
/// connections), how many at a time, and each opener's pause between them: faster bursts
/// overflow the server's listen backlog of 128, and a dropped handshake waits out a 1 s
/// retransmission.
const HELD: usize = 1000;
const OPENERS: usize = 8;
const OPEN_PACE: Duration = Duration::from_millis(4);

struct Options {
    address: String,
    pid: u32,
    seconds: u64,
    only: Option<String>,
}

const USAGE: &str = "\
Hostile single clients against a running `shopops serve` (see the header of examples/attacks.rs).

Usage: attacks --pid PID [--option value]...

Options:
  --pid PID             the server's process, whose memory is watched (required)
  --address HOST:PORT   the server [default: 127.0.0.1:8000]
  --seconds S           how long each attack runs [default: 5]
  --only NAME           run this attack only (the names are in the source's ATTACKS)";

fn options() -> Options {
    let (mut address, mut pid, mut seconds, mut only) =
        ("127.0.0.1:8000".to_string(), None, 5, None);
    let (args, pairs) = Args::read(USAGE);
    for (option, value) in pairs {
        match option.as_str() {
            "--address" => address = value,
            "--pid" => pid = Some(args.parse(&option, &value)),
            "--seconds" => seconds = args.parse(&option, &value),
            "--only" if ATTACKS.contains(&value.as_str()) => only = Some(value),
            "--only" => args.fail(format_args!("--only takes one of {}", ATTACKS.join(", "))),
            _ => args.fail(format_args!("unknown option {option}")),
        }
    }
    let Some(pid) = pid else { args.fail("--pid PID (the server's process) is needed") };
    Options { address, pid, seconds, only }
}

fn main() {
    let options = options();
    assert!(rss_kib(options.pid) > 0, "no VmRSS in /proc/{}/status", options.pid);
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let started = Instant::now();
    println!(
        "| attack | RSS rest → peak → after (MiB) | bystander /health p50/p99/max (ms) \
         | bystander WS step p50/p99/max (ms) | what the attacker saw |"
    );
    println!("|---|---|---|---|---|");
    let mut broken = Vec::new();
    let chosen = ATTACKS.iter().filter(|name| options.only.as_deref().is_none_or(|o| o == **name));
    for name in chosen {
        broken
            .extend(measure(&runtime, &options, name).into_iter().map(|b| format!("{name}: {b}")));
    }
    let elapsed = started.elapsed().as_secs_f64();
    if broken.is_empty() {
        eprintln!("attacks: every bound held ({elapsed:.0} s)");
    } else {
        for bound in &broken {
            eprintln!("attacks: bound broken: {bound}");
        }
        eprintln!("attacks: {} bounds broken ({elapsed:.0} s)", broken.len());
        std::process::exit(1);
    }
}

/// Runs one attack with its bystanders, prints its row, and returns the bounds it broke.
fn measure(
    runtime: &tokio::runtime::Runtime,
    options: &Options,
    name: &'static str,
) -> Vec<String> {
    let pid = options.pid;
    let rest = rss_kib(pid);
    let stop = Arc::new(AtomicBool::new(false));
    let (ready, bystanders_ready) = std::sync::mpsc::channel();
    let bystander = |watch: fn(&str, &AtomicBool, Sender<()>) -> Watch| {
        let (address, stop, ready) = (options.address.clone(), stop.clone(), ready.clone());
        std::thread::spawn(move || watch(&address, &stop, ready))
    };
    let (health, ws) = (bystander(health_bystander), bystander(ws_bystander));
    // Both are connected (or have failed) before the attack starts.
    for _ in 0..2 {
        let _ = bystanders_ready.recv_timeout(PATIENCE);
    }
    let until = Instant::now() + Duration::from_secs(options.seconds);
    let address = options.address.clone();
    let running = runtime.spawn(async move {
        timeout_at(until + GRACE, attack(name, address, until))
            .await
            .unwrap_or_else(|_| Seen::broke("the attack did not stop within 5 s of its end"))
    });
    let mut peak = rest;
    while !running.is_finished() {
        std::thread::sleep(SAMPLE);
        peak = peak.max(rss_kib(pid));
    }
    let seen = runtime.block_on(running).unwrap_or_else(|_| Seen::broke("the attack panicked"));
    stop.store(true, Ordering::Relaxed);
    let mut health = health.join().expect("the /health bystander");
    let mut ws = ws.join().expect("the WebSocket bystander");
    std::thread::sleep(SETTLE);
    let after = rss_kib(pid);

    let mib = |kib: u64| kib as f64 / 1024.0;
    let (health_ms, ws_ms) = (health.spread(), ws.spread());
    let figures = |[p50, p99, max]: [f64; 3]| format!("{p50:.2}/{p99:.2}/{max:.2}");
    println!(
        "| {name} | {:.1} → {:.1} → {:.1} | {} | {} | {} |",
        mib(rest),
        mib(peak),
        mib(after),
        figures(health_ms),
        figures(ws_ms),
        seen.describe()
    );
    let mut broken = seen.broken;
    for (who, watch, [_, p99, _]) in [("/health", &health, health_ms), ("WS step", &ws, ws_ms)] {
        if p99 >= MAX_P99_MS {
            broken.push(format!("bystander {who} p99 {p99:.1} ms (bound {MAX_P99_MS} ms)"));
        }
        if let Some(first) = &watch.first_failure {
            broken
                .push(format!("bystander {who}: {} failures, the first: {first}", watch.failures));
        }
    }
    if mib(peak) >= MAX_PEAK_MIB {
        broken.push(format!("peak RSS {:.1} MiB (bound {MAX_PEAK_MIB} MiB)", mib(peak)));
    }
    // What an episode store keeps, it keeps by design until its episodes expire.
    let kept = if STORE_ATTACKS.contains(&name) { STORE_BUDGET_MIB } else { 0.0 };
    if mib(after) > mib(rest) + MAX_GROWTH_MIB + kept {
        broken.push(format!(
            "RSS after {:.1} MiB, {:.1} MiB above rest (bound {} MiB)",
            mib(after),
            mib(after) - mib(rest),
            MAX_GROWTH_MIB + kept
        ));
    }
    broken
}

/// Runs the named attack until `until`, closing its connections at the end.
async fn attack(name: &str, address: String, until: Instant) -> Seen {
    let address = address.as_str();
    match name {
        "ping-flood" => {
            let address = address.to_string();
            tokio::task::spawn_blocking(move || ping_flood(&address, until))
                .await
                .unwrap_or_else(|_| Seen::broke("the ping flood panicked"))
        }
        "check-garbage" => check_garbage(address, until).await,
        "check-large-data" => check_large_data(address, until).await,
        "check-devices" => check_devices(address, until).await,
        "unknown-keys" => unknown_keys(address, until).await,
        "http-episodes" => http_episodes(address, until).await,
        "mcp-sessions" => mcp_sessions(address, until).await,
        "ws-big-messages" => ws_big_messages(address, until).await,
        "slow-heads" => slow_heads(address, until).await,
        other => unreachable!("{other} is not in ATTACKS"),
    }
}

/// One WebSocket (frames made by hand) sending 125-byte masked pings as fast as the server
/// takes them and never reading: with its pongs unread the server stops reading (held back),
/// and cuts it off after the request timeout (30 s).
fn ping_flood(address: &str, until: Instant) -> Seen {
    let mut seen = Seen::default();
    let Some(mut stream) = raw_ws(address) else {
        seen.count("no WebSocket handshake");
        return seen;
    };
    let burst = masked_frame(0x89, &[7u8; 125]).repeat(64);
    // Short write timeouts, so that a held-back writer still sees the time.
    if stream.set_write_timeout(Some(SAMPLE)).is_err() {
        seen.count("no write timeout");
        return seen;
    }
    let started = Instant::now();
    let (mut sent, mut at, mut stalled, mut closed) = (0usize, 0, None, None);
    while Instant::now() < until {
        match stream.write(&burst[at..]) {
            Ok(0) => closed = Some(started.elapsed()),
            Ok(written) => {
                sent += written;
                at = (at + written) % burst.len();
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                stalled.get_or_insert(started.elapsed());
            }
            Err(_) => closed = Some(started.elapsed()),
        }
        if closed.is_some() {
            break;
        }
    }
    let taken = format!("{:.1} MiB of pings taken", sent as f64 / (1 << 20) as f64);
    seen.note = Some(match (closed, stalled) {
        (Some(t), _) => format!("closed after {:.1} s ({taken})", t.as_secs_f64()),
        (None, Some(t)) => format!("held back after {:.1} s ({taken})", t.as_secs_f64()),
        (None, None) => format!("never held back ({taken})"),
    });
    seen
}

/// A WebSocket handshake on a plain socket: the socket after the server's 101.
fn raw_ws(address: &str) -> Option<StdStream> {
    let mut stream = StdStream::connect(address).ok()?;
    stream.set_read_timeout(Some(PATIENCE)).ok()?;
    let request = format!(
        "GET /ws HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).ok()?;
        head.push(byte[0]);
    }
    head.starts_with(b"HTTP/1.1 101").then_some(stream)
}

/// A masked client frame with a payload under 126 bytes; `first` is the FIN, RSV and opcode
/// byte.
fn masked_frame(first: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126, "a short payload");
    let key = [0x37, 0xfa, 0x21, 0x3d];
    let mut frame = vec![first, 0x80 | payload.len() as u8];
    frame.extend_from_slice(&key);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    frame
}

/// Three clients looping `POST /check` with garbage sources (one each); two checks run at once,
/// beyond that 429.
async fn check_garbage(address: &str, until: Instant) -> Seen {
    let loads = ["a\n".repeat(120_000), "a ".repeat(120_000), "a @\n".repeat(60_000)]
        .map(|source| ("/check", fixed(&json!({ "source": source }))));
    post_loop(address, until, loads.into(), count_status).await
}

/// Two clients looping `POST /check` with a shipped scenario whose case data has 45,000 unused
/// `let`s (a warning each; the body stays under the 1 MiB limit of `/check`).
async fn check_large_data(address: &str, until: Instant) -> Seen {
    let data = include_str!("../scenarios/data/refund_policy_recovery.yaml");
    let lets: String = (0..45_000).map(|i| format!("      x{i}: {i}\n")).collect();
    let body = fixed(&json!({
        "source": include_str!("../scenarios/refund_policy_recovery.shop"),
        "data": data.replacen("    let:\n", &format!("    let:\n{lets}"), 1),
        "name": "refund_policy_recovery",
    }));
    post_loop(address, until, vec![("/check", body.clone()), ("/check", body)], count_status).await
}

/// Two clients looping `POST /check` with a source importing a device and a file outside the
/// served directory; no answer may show the file (`root:`).
async fn check_devices(address: &str, until: Instant) -> Seen {
    let loads = ["/dev/zero", "/etc/passwd"]
        .map(|path| ("/check", fixed(&json!({ "source": format!("import \"{path}\"\n") }))));
    let judge: Judge = |status, body, seen| {
        count_status(status, body, seen);
        if body.windows(5).any(|w| w == b"root:") {
            seen.broken.push("an answer shows /etc/passwd (`root:`)".into());
        }
    };
    post_loop(address, until, loads.into(), judge).await
}

/// Two clients looping `POST /reset` and `POST /step` with 85,000 unknown keys (about 850 KB,
/// over the 64 KiB body limit), and WebSocket sessions one after another sending a step
/// message of 85,000 unknown keys (over the 64 KiB message limit).
async fn unknown_keys(address: &str, until: Instant) -> Seen {
    let keys: Map<String, Value> = (0..85_000).map(|i| (format!("k{i}"), json!(0))).collect();
    let message = json!({"type": "step", "data": keys}).to_string();
    let body = fixed(&Value::Object(keys));
    let loads = vec![("/reset", body.clone()), ("/step", body)];
    let (mut seen, sessions) = tokio::join!(
        post_loop(address, until, loads, count_status),
        oversized_messages(address, until, message.into())
    );
    seen.merge(sessions);
    seen
}

/// WebSocket sessions one after another, each sending `message` and counting what came back.
async fn oversized_messages(address: &str, until: Instant, message: Utf8Bytes) -> Seen {
    let mut seen = Seen::default();
    let url = format!("ws://{address}/ws");
    while let Ok(outcome) = timeout_at(until, oversized_once(&url, message.clone())).await {
        seen.count(outcome);
    }
    seen
}

/// One session sending `message`: what came back.
async fn oversized_once(url: &str, message: Utf8Bytes) -> String {
    let Ok((mut socket, _)) = tokio_tungstenite::connect_async(url).await else {
        return "WS refused".into();
    };
    let sent = socket.send(Message::Text(message)).await.is_ok();
    loop {
        match socket.next().await {
            Some(Ok(Message::Close(frame))) => {
                return format!("WS close {}", frame.map_or(1005, |f| u16::from(f.code)));
            }
            Some(Ok(Message::Text(text))) => return format!("WS reply {}", error_code(&text)),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None if sent => return "WS dropped after the message".into(),
            Some(Err(_)) | None => return "WS dropped during the message".into(),
        }
    }
}

/// Four clients looping `POST /reset` of the hard task under fresh `episode_id`s, never
/// continued (the store keeps 32 MiB of them, by estimate).
async fn http_episodes(address: &str, until: Instant) -> Seen {
    let process = std::process::id();
    let loads = (0..4)
        .map(|client| {
            let body: Body = Arc::new(move |n| {
                let id = format!("attack-{process}-{client}-{n}");
                let body = json!({"task": HARD_TASK, "seed": n, "episode_id": id});
                body.to_string().into_bytes().into()
            });
            ("/reset", body)
        })
        .collect();
    post_loop(address, until, loads, count_status).await
}

/// Two clients looping `openenv/session/create` over `POST /mcp` (the sessions have a 32 MiB
/// budget, by estimate).
async fn mcp_sessions(address: &str, until: Instant) -> Seen {
    let create = fixed(&json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "openenv/session/create",
        "params": {"task": HARD_TASK},
    }));
    let judge: Judge = |status, body, seen| match serde_json::from_slice::<Value>(body) {
        Ok(reply) if status == 200 && reply["result"]["session_id"].is_string() => {
            seen.count("200 session")
        }
        Ok(reply) if status == 200 => seen.count(format!("200 error {}", reply["error"]["code"])),
        _ => count_status(status, body, seen),
    };
    post_loop(address, until, vec![("/mcp", create.clone()), ("/mcp", create)], judge).await
}

/// 1,000 WebSocket sessions, each sending one 60 KiB text message (a JSON string, not a
/// request: an error reply) and then idle until the end.
async fn ws_big_messages(address: &str, until: Instant) -> Seen {
    let url = format!("ws://{address}/ws");
    let text = Utf8Bytes::from(format!("\"{}\"", "a".repeat((60 << 10) - 2)));
    let open = move || {
        let (url, text) = (url.clone(), text.clone());
        async move {
            let Ok((mut socket, _)) = tokio_tungstenite::connect_async(&url).await else {
                return Err("refused".to_string());
            };
            socket.send(Message::Text(text)).await.map_err(|_| "send failed".to_string())?;
            loop {
                match socket.next().await {
                    Some(Ok(Message::Text(reply))) => {
                        return Ok((socket, format!("{} reply", error_code(&reply))));
                    }
                    Some(Ok(Message::Close(frame))) => {
                        return Err(format!("close {}", frame.map_or(1005, |f| u16::from(f.code))));
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(_)) | None => return Err("dropped".to_string()),
                }
            }
        }
    };
    let last = |socket: &mut Socket| match socket.next().now_or_never() {
        None => "held open",
        Some(_) => "closed early",
    };
    hold(until, open, last).await
}

/// 1,000 connections, each sending a 15 KiB partial request head and then nothing (a 408
/// comes after the request timeout, 30 s).
async fn slow_heads(address: &str, until: Instant) -> Seen {
    let start = format!("GET /health HTTP/1.1\r\nHost: {address}\r\nX-Pad: ");
    let head = Arc::new(format!("{start}{}", "a".repeat((15 << 10) - start.len())));
    let address = address.to_string();
    let open = move || {
        let (address, head) = (address.clone(), head.clone());
        async move {
            let mut stream =
                TcpStream::connect(&address).await.map_err(|_| "refused".to_string())?;
            stream.write_all(head.as_bytes()).await.map_err(|_| "send failed".to_string())?;
            Ok((stream, "15 KiB head sent".to_string()))
        }
    };
    let last = |stream: &mut TcpStream| match stream.try_read(&mut [0u8; 64]) {
        Err(e) if e.kind() == ErrorKind::WouldBlock => "held open, unanswered",
        Ok(0) | Err(_) => "closed early",
        Ok(_) => "answered early",
    };
    hold(until, open, last).await
}

/// Opens [`HELD`] connections with `open` ([`OPENERS`] at a time, each taking the next, so one
/// waiting on a dropped handshake holds up no others), counting what each saw, holds them until
/// `until`, counts what `last` says of each, and closes them.
async fn hold<C, F, O>(until: Instant, open: O, last: fn(&mut C) -> &'static str) -> Seen
where
    C: Send + 'static,
    F: Future<Output = Result<(C, String), String>> + Send,
    O: Fn() -> F + Clone + Send + 'static,
{
    let opened = Arc::new(AtomicUsize::new(0));
    let openers: Vec<_> = (0..OPENERS)
        .map(|_| {
            let (open, opened) = (open.clone(), opened.clone());
            tokio::spawn(async move {
                let mut seen = Seen::default();
                let mut held = Vec::new();
                while opened.fetch_add(1, Ordering::Relaxed) < HELD {
                    match timeout_at(until, open()).await {
                        Ok(Ok((connection, saw))) => {
                            seen.count(saw);
                            held.push(connection);
                        }
                        Ok(Err(saw)) => seen.count(saw),
                        Err(_) => break,
                    }
                    tokio::time::sleep(OPEN_PACE).await;
                }
                tokio::time::sleep_until(until).await;
                for connection in &mut held {
                    seen.count(last(connection));
                }
                seen
            })
        })
        .collect();
    let mut seen = Seen::default();
    for opener in openers {
        seen.merge(opener.await.unwrap_or_else(|_| Seen::broke("an opener panicked")));
    }
    seen
}

/// A request body, by request number.
type Body = Arc<dyn Fn(u64) -> Arc<[u8]> + Send + Sync>;

/// Counts an answer: its status and body.
type Judge = fn(u16, &[u8], &mut Seen);

/// The same body every time.
fn fixed(body: &Value) -> Body {
    let bytes: Arc<[u8]> = body.to_string().into_bytes().into();
    Arc::new(move |_| bytes.clone())
}

/// Counts the status.
fn count_status(status: u16, _: &[u8], seen: &mut Seen) {
    seen.count(status.to_string());
}

/// One hostile HTTP client per `(path, body)`, each POSTing its body on a kept-alive connection
/// as fast as it is answered, until `until`; `judge` counts the answers (a 5xx breaks a bound).
async fn post_loop(
    address: &str,
    until: Instant,
    loads: Vec<(&'static str, Body)>,
    judge: Judge,
) -> Seen {
    let clients: Vec<_> = loads
        .into_iter()
        .map(|(path, body)| {
            let mut client = Client { address: address.to_string(), stream: None };
            tokio::spawn(async move {
                let mut seen = Seen::default();
                let mut n = 0;
                while let Ok(answer) = timeout_at(until, client.post(path, &body(n))).await {
                    n += 1;
                    match answer {
                        Ok((status, reply)) => {
                            if status >= 500 {
                                seen.broken.push(format!("{path} answered {status}"));
                            }
                            judge(status, &reply, &mut seen);
                        }
                        Err(what) => {
                            seen.count(what);
                            tokio::time::sleep(PACE).await;
                        }
                    }
                }
                seen
            })
        })
        .collect();
    let mut seen = Seen::default();
    for client in clients {
        seen.merge(client.await.unwrap_or_else(|_| Seen::broke("a client panicked")));
    }
    seen
}

/// An HTTP/1.1 client on one kept-alive connection, reopened when the server closes it.
struct Client {
    address: String,
    stream: Option<TcpStream>,
}

impl Client {
    /// One POST: the answer's status and body, or what went wrong. On a kept-alive connection
    /// that turns out closed it is sent again on a new one.
    async fn post(&mut self, path: &str, body: &[u8]) -> Result<(u16, Vec<u8>), &'static str> {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n",
            self.address,
            body.len()
        );
        let reused = self.stream.is_some();
        match self.exchange(&head, body).await {
            Err(_) if reused => self.exchange(&head, body).await,
            answer => answer,
        }
    }

    /// Writes a request while reading the answer (the server may answer, say 413, before the
    /// body is in); the connection is kept only when both finished and the server keeps it.
    async fn exchange(&mut self, head: &str, body: &[u8]) -> Result<(u16, Vec<u8>), &'static str> {
        let stream = match &mut self.stream {
            Some(stream) => stream,
            None => {
                let stream = TcpStream::connect(&self.address).await.map_err(|_| "refused")?;
                // The head and the body are written apart: no waiting on delayed ACKs.
                stream.set_nodelay(true).map_err(|_| "refused")?;
                self.stream.insert(stream)
            }
        };
        let (answer, written) = {
            let (mut reader, mut writer) = stream.split();
            let write = async {
                writer.write_all(head.as_bytes()).await?;
                writer.write_all(body).await
            };
            let read = read_answer(&mut reader);
            tokio::pin!(write, read);
            let mut written = None;
            loop {
                tokio::select! {
                    result = &mut write, if written.is_none() => written = Some(result.is_ok()),
                    answer = &mut read => break (answer, written == Some(true)),
                }
            }
        };
        if !(written && answer.as_ref().is_ok_and(|(_, _, keep)| *keep)) {
            self.stream = None;
        }
        answer.map(|(status, body, _)| (status, body))
    }
}

/// Reads one HTTP answer: its status, its body (by `Content-Length`), and whether the
/// connection stays open.
async fn read_answer(
    reader: &mut (impl AsyncRead + Unpin),
) -> Result<(u16, Vec<u8>, bool), &'static str> {
    let mut buffer = Vec::new();
    let mut chunk = vec![0u8; 16 << 10];
    let mut more = async |buffer: &mut Vec<u8>| match reader.read(&mut chunk).await {
        Ok(0) => Err("closed unanswered"),
        Ok(read) => {
            buffer.extend_from_slice(&chunk[..read]);
            Ok(())
        }
        Err(_) => Err("reset unanswered"),
    };
    let end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        more(&mut buffer).await?;
    };
    let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
    let status = head.get(9..12).and_then(|s| s.parse().ok()).ok_or("not HTTP")?;
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let keep = !head.lines().any(|line| line == "connection: close");
    while buffer.len() < end + 4 + length {
        more(&mut buffer).await?;
    }
    Ok((status, buffer[end + 4..end + 4 + length].to_vec(), keep))
}

/// The `code` of an error frame (`-` for another reply).
fn error_code(text: &str) -> String {
    let reply: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    reply["data"]["code"].as_str().unwrap_or("-").to_string()
}

/// What an attacker saw: its outcomes by kind, a note, and the bounds it saw broken.
#[derive(Default)]
struct Seen {
    counts: BTreeMap<String, u64>,
    note: Option<String>,
    broken: Vec<String>,
}

impl Seen {
    /// Nothing seen but a broken bound.
    fn broke(what: &str) -> Seen {
        Seen { broken: vec![what.to_string()], ..Seen::default() }
    }

    fn count(&mut self, kind: impl Into<String>) {
        *self.counts.entry(kind.into()).or_default() += 1;
    }

    fn merge(&mut self, other: Seen) {
        for (kind, n) in other.counts {
            *self.counts.entry(kind).or_default() += n;
        }
        self.note = self.note.take().or(other.note);
        for bound in other.broken {
            if !self.broken.contains(&bound) {
                self.broken.push(bound);
            }
        }
    }

    /// The note, then the outcomes, most frequent first: `413 ×1,234, 200 ×12`.
    fn describe(&self) -> String {
        let mut counts: Vec<_> = self.counts.iter().collect();
        counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let counts = counts.into_iter().map(|(kind, n)| format!("{kind} ×{}", thousands(*n)));
        let all: Vec<String> = self.note.iter().cloned().chain(counts).collect();
        if all.is_empty() { "nothing".into() } else { all.join(", ") }
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A bystander's latencies and failures.
#[derive(Default)]
struct Watch {
    latencies: Vec<Duration>,
    failures: u64,
    first_failure: Option<String>,
}

impl Watch {
    fn fail(&mut self, what: &str) {
        self.failures += 1;
        self.first_failure.get_or_insert_with(|| what.to_string());
    }

    /// p50, p99 and the maximum, in milliseconds (zeros when nothing was answered).
    fn spread(&mut self) -> [f64; 3] {
        self.latencies.sort_unstable();
        let latencies = &self.latencies;
        let at = |p: f64| {
            let index = (latencies.len().saturating_sub(1) as f64 * p).round() as usize;
            latencies.get(index).map_or(0.0, |d| d.as_secs_f64() * 1e3)
        };
        [at(0.5), at(0.99), at(1.0)]
    }
}

/// Asks `GET /health` every [`PACE`] on a kept-alive connection until `stop`.
fn health_bystander(address: &str, stop: &AtomicBool, ready: Sender<()>) -> Watch {
    let connect = || {
        let stream = StdStream::connect(address).ok()?;
        stream.set_read_timeout(Some(PATIENCE)).ok()?;
        Some(stream)
    };
    let mut watch = Watch::default();
    let mut stream = connect();
    let _ = ready.send(());
    while !stop.load(Ordering::Relaxed) {
        match stream.as_mut() {
            None => {
                watch.fail("no connection");
                stream = connect();
            }
            Some(connection) => {
                let asked = Instant::now();
                match request(connection, address, "/health", None) {
                    Ok((true, _)) => watch.latencies.push(asked.elapsed()),
                    Ok((false, _)) => watch.fail("/health answered other than 200"),
                    Err(()) => {
                        watch.fail("/health failed or took over 5 s");
                        stream = None;
                    }
                }
            }
        }
        std::thread::sleep(PACE);
    }
    watch
}

/// Steps a WebSocket session of the hard task every [`PACE`] until `stop`, resetting when an
/// episode ends; the first failure ends it.
fn ws_bystander(address: &str, stop: &AtomicBool, ready: Sender<()>) -> Watch {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let mut watch = Watch::default();
        let opened =
            timeout(PATIENCE, tokio_tungstenite::connect_async(format!("ws://{address}/ws"))).await;
        let _ = ready.send(());
        let Ok(Ok((mut socket, _))) = opened else {
            watch.fail("/ws did not open");
            return watch;
        };
        let (mut done, mut seed, mut round) = (true, 0u64, 0);
        while !stop.load(Ordering::Relaxed) {
            if done {
                seed += 1;
                let reset = json!({"type": "reset", "data": {"task": HARD_TASK, "seed": seed}});
                let reply = timeout(PATIENCE, exchange(&mut socket, &reset.to_string())).await;
                if !matches!(reply, Ok(Some(ref r)) if r.is_observation()) {
                    watch.fail("a reset failed or took over 5 s");
                    return watch;
                }
            }
            let asked = Instant::now();
            match timeout(PATIENCE, exchange(&mut socket, &step_message(round))).await {
                Ok(Some(reply)) if reply.is_observation() => {
                    watch.latencies.push(asked.elapsed());
                    done = reply.done();
                }
                _ => {
                    watch.fail("a step failed or took over 5 s");
                    return watch;
                }
            }
            round += 1;
            tokio::time::sleep(PACE).await;
        }
        watch
    })
}
