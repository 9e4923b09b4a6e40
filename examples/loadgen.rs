//! Load generator for `shopops serve`: busy WebSocket sessions or HTTP clients stepping a fixed
//! action cycle, or many idle WebSocket sessions; reports steps/s, latency percentiles, errors
//! and (with `--pid`) the server's resident memory. With `--baseline ADDRESS` (WebSocket mode),
//! the same load runs first against a no-work server there (`examples/echo_server.rs`), and the
//! server's rate is reported as a share of it.
//!
//! ```sh
//! cargo run --release -- serve --port 8000 &
//! cargo run --release --example loadgen -- --mode ws --clients 64 --seconds 10 --pid $!
//! cargo run --release --example echo_server -- --port 8001 &
//! cargo run --release --example loadgen -- --mode ws --clients 64 --baseline 127.0.0.1:8001
//! cargo run --release --example loadgen -- --mode http --clients 4 --seconds 10
//! cargo run --release --example loadgen -- --mode idle --clients 10000 --task none --pid $!
//! ```

mod common;
mod memory;

use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::args::Args;
use common::cycle::CYCLE;
use common::{Reply, exchange, request, step_message};
use memory::rss_kib;
use serde_json::json;

/// What the clients do.
#[derive(Clone, Copy)]
enum Mode {
    /// Busy WebSocket sessions.
    Ws,
    /// Busy HTTP clients.
    Http,
    /// Idle WebSocket sessions.
    Idle,
}

struct Options {
    address: String,
    mode: Mode,
    clients: usize,
    seconds: u64,
    task: String,
    pid: Option<u32>,
    baseline: Option<String>,
}

const USAGE: &str = "\
Load generator for `shopops serve` (see the header of examples/loadgen.rs).

Usage: loadgen [--option value]...

Options:
  --address HOST:PORT   the server [default: 127.0.0.1:8000]
  --mode ws|http|idle   busy WebSocket sessions, busy HTTP clients, or idle WebSocket sessions
                        [default: ws]
  --clients N           sessions or clients [default: 64]
  --seconds S           how long busy clients run [default: 10]
  --task ID             the task they play [default: fraud_stockout_cascade]
  --pid PID             the server's process, to report its resident memory
  --baseline HOST:PORT  a no-work server (examples/echo_server.rs) to run the same load against
                        first (ws mode)";

fn options() -> Options {
    let mut options = Options {
        address: "127.0.0.1:8000".into(),
        mode: Mode::Ws,
        clients: 64,
        seconds: 10,
        task: "fraud_stockout_cascade".into(),
        pid: None,
        baseline: None,
    };
    let (args, pairs) = Args::read(USAGE);
    for (option, value) in pairs {
        match option.as_str() {
            "--address" => options.address = value,
            "--mode" => {
                options.mode = match value.as_str() {
                    "ws" => Mode::Ws,
                    "http" => Mode::Http,
                    "idle" => Mode::Idle,
                    _ => args.fail(format_args!("--mode takes ws, http or idle, not {value:?}")),
                }
            }
            "--clients" => options.clients = args.parse(&option, &value),
            "--seconds" => options.seconds = args.parse(&option, &value),
            "--task" => options.task = value,
            "--pid" => options.pid = Some(args.parse(&option, &value)),
            "--baseline" => options.baseline = Some(value),
            _ => args.fail(format_args!("unknown option {option}")),
        }
    }
    options
}

/// Latencies of one client, and its errors.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
}

#[tokio::main]
async fn main() {
    let options = options();
    let before = options.pid.map(rss_kib);
    if let Some(rss) = before {
        println!("server RSS before: {rss} KiB");
    }
    match options.mode {
        Mode::Idle => idle(&options, before.unwrap_or(0)).await,
        Mode::Ws => {
            let baseline = match &options.baseline {
                Some(address) => Some(busy(&options, address, true, "no-work").await),
                None => None,
            };
            let rate = busy(&options, &options.address, true, "ws").await;
            if let Some(baseline) = baseline {
                println!("ws / no-work: {:.1} %", 100.0 * rate / baseline.max(f64::MIN_POSITIVE));
            }
        }
        Mode::Http => {
            busy(&options, &options.address, false, "http").await;
        }
    }
}

/// Busy clients of `address` for `seconds`; reports throughput and latency under `label`, and
/// returns the throughput (steps/s).
async fn busy(options: &Options, address: &str, websocket: bool, label: &str) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    let started = Instant::now();
    let clients: Vec<_> = (0..options.clients)
        .map(|client| {
            let (address, task) = (address.to_string(), options.task.clone());
            if websocket {
                tokio::spawn(ws_client(address, task, client as u64, deadline))
            } else {
                tokio::task::spawn_blocking(move || http_client(&address, &task, client, deadline))
            }
        })
        .collect();
    let mut total = Tally::default();
    for client in clients {
        let tally = client.await.expect("client task");
        total.latencies.extend(tally.latencies);
        total.errors += tally.errors;
    }
    let elapsed = started.elapsed().as_secs_f64();
    total.latencies.sort_unstable();
    let percentile = |p: f64| {
        let index = ((total.latencies.len() as f64 - 1.0) * p).round() as usize;
        total.latencies.get(index).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    let rate = total.latencies.len() as f64 / elapsed;
    println!(
        "{label} {} clients, {:.1} s: {} steps, {rate:.0} steps/s, p50 {:.3} ms, p99 {:.3} ms, {} errors",
        options.clients,
        elapsed,
        total.latencies.len(),
        percentile(0.5),
        percentile(0.99),
        total.errors
    );
    if let Some(rss) = options.pid.filter(|_| address == options.address).map(rss_kib) {
        println!("server RSS after: {rss} KiB");
    }
    rate
}

/// One WebSocket session stepping the cycle, resetting when an episode ends.
async fn ws_client(address: String, task: String, seed: u64, deadline: Instant) -> Tally {
    let mut tally = Tally::default();
    let Ok((mut socket, _)) = tokio_tungstenite::connect_async(format!("ws://{address}/ws")).await
    else {
        tally.errors += 1;
        return tally;
    };
    let reset = json!({"type": "reset", "data": {"task": task, "seed": seed}}).to_string();
    let mut round = 0;
    let mut done = true;
    while Instant::now() < deadline {
        if done && exchange(&mut socket, &reset).await.is_none() {
            tally.errors += 1;
            return tally;
        }
        let step = step_message(round);
        round += 1;
        let sent = Instant::now();
        match exchange(&mut socket, &step).await {
            Some(reply) if reply.is_observation() => {
                tally.latencies.push(sent.elapsed());
                done = reply.done();
            }
            _ => tally.errors += 1,
        }
    }
    tally
}

/// One HTTP client: a stored episode stepped by id over keep-alive connections.
fn http_client(address: &str, task: &str, client: usize, deadline: Instant) -> Tally {
    let mut tally = Tally::default();
    let id = format!("loadgen-{client}");
    let reset = json!({"task": task, "seed": client, "episode_id": id}).to_string();
    let mut round = 0;
    let mut done = true;
    let Ok(mut stream) = TcpStream::connect(address) else {
        tally.errors += 1;
        return tally;
    };
    while Instant::now() < deadline {
        if done && post(&mut stream, address, "/reset", &reset).is_none() {
            tally.errors += 1;
            return tally;
        }
        let step = json!({"action": {"action_type": CYCLE[round % CYCLE.len()]}, "episode_id": id});
        round += 1;
        let sent = Instant::now();
        match post(&mut stream, address, "/step", &step.to_string()) {
            Some(reply) => {
                tally.latencies.push(sent.elapsed());
                done = reply.done();
            }
            None => tally.errors += 1,
        }
    }
    tally
}

/// A keep-alive POST; the response body when the status is 200.
fn post(stream: &mut TcpStream, address: &str, path: &str, body: &str) -> Option<Reply> {
    let (ok, body) = request(stream, address, path, Some(body)).ok()?;
    ok.then(|| Reply(String::from_utf8_lossy(&body).into_owned()))
}

/// Opens `clients` idle sessions, each with a reset episode of `--task` (`none`: no reset), then
/// reports the server's RSS.
async fn idle(options: &Options, before: u64) {
    let mut sockets = Vec::with_capacity(options.clients);
    let reset = json!({"type": "reset", "data": {"task": options.task}}).to_string();
    let mut errors = 0;
    for _ in 0..options.clients {
        match tokio_tungstenite::connect_async(format!("ws://{}/ws", options.address)).await {
            Ok((mut socket, _)) => {
                let with_episode = options.task != "none";
                if with_episode
                    && !exchange(&mut socket, &reset).await.is_some_and(|r| r.is_observation())
                {
                    errors += 1;
                }
                sockets.push(socket);
            }
            Err(_) => errors += 1,
        }
    }
    println!("{} idle sessions open ({}), {errors} errors", sockets.len(), options.task);
    tokio::time::sleep(Duration::from_secs(1)).await;
    if let Some(rss) = options.pid.map(rss_kib) {
        println!(
            "server RSS with them: {rss} KiB ({:.1} KiB per session)",
            rss.saturating_sub(before) as f64 / sockets.len().max(1) as f64
        );
    }
}
