//! Soak run for `shopops serve` (docs/reliability.md, "Soak"): drives a running server with
//! busy WebSocket sessions and abandoned episodes while sampling its resident memory, to show
//! that memory plateaus. Starts nothing itself.
//!
//! * `--sessions` WebSocket sessions (default 256, tasks in turn) step a fixed action cycle,
//!   resetting with a new seed whenever an episode ends, until `--steps` steps in all (default
//!   1,000,000);
//! * meanwhile `--abandoned` episodes (default 100,000) are started and never continued: half
//!   HTTP resets without an `episode_id` (each stored under a fresh id until evicted), half
//!   WebSocket sessions that reset and then drop the connection with a TCP reset. The sessions
//!   wait when they get ahead, so the abandoned episodes spread evenly over the run (the HTTP
//!   store fills early and the rest of the run shows whether memory stays flat);
//! * the server's RSS (`/proc/PID/status`; `--pid`, else the one `shopops serve` process found,
//!   narrowed by the port if need be) is sampled every `--every` seconds (default 5) and for
//!   `--settle` seconds (default 10) after the load stops.
//!
//! It prints one line per sample (time, steps, abandoned episodes, RSS, errors), then the start,
//! peak, end and rested RSS, the spread of RSS over the second half of the load, and the errors
//! by kind. Exit status 1 when any request failed.
//!
//! ```sh
//! cargo build --release && target/release/shopops serve --port 8000 &
//! cargo run --release --example soak -- --pid $!
//! cargo run --release --example soak -- --address 127.0.0.1:8000 --steps 100000 --abandoned 10000
//! ```

mod common;
mod memory;

use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::args::Args;
use common::{exchange, request, step_message};
use memory::{rss_kib, status_kib};
use serde_json::json;
use tokio_tungstenite::MaybeTlsStream;

/// The shipped tasks, one per session in turn.
const TASKS: [&str; 3] = ["refund_policy_recovery", "sla_queue_juggle", "fraud_stockout_cascade"];
/// Concurrent abandoners of each kind (HTTP, WebSocket).
const ABANDONERS: usize = 3;
/// How many abandoned episodes the sessions' steps may run ahead of their share.
const SLACK: u64 = 1000;

struct Options {
    address: String,
    sessions: usize,
    steps: u64,
    abandoned: u64,
    pid: Option<u32>,
    every: u64,
    settle: u64,
}

const USAGE: &str = "\
Soak run for `shopops serve` (see the header of examples/soak.rs).

Usage: soak [--option value]...

Options:
  --address HOST:PORT  the server [default: 127.0.0.1:8000]
  --sessions N         busy WebSocket sessions [default: 256]
  --steps N            steps in all [default: 1000000]
  --abandoned N        episodes started and never continued [default: 100000]
  --pid PID            the server's process [default: the one `shopops serve` found]
  --every S            seconds between memory samples [default: 5]
  --settle S           seconds sampled after the load stops [default: 10]";

fn options() -> Options {
    let mut options = Options {
        address: "127.0.0.1:8000".into(),
        sessions: 256,
        steps: 1_000_000,
        abandoned: 100_000,
        pid: None,
        every: 5,
        settle: 10,
    };
    let (args, pairs) = Args::read(USAGE);
    for (option, value) in pairs {
        match option.as_str() {
            "--address" => options.address = value,
            "--sessions" => options.sessions = args.parse(&option, &value),
            "--steps" => options.steps = args.parse(&option, &value),
            "--abandoned" => options.abandoned = args.parse(&option, &value),
            "--pid" => options.pid = Some(args.parse(&option, &value)),
            "--every" => options.every = args.parse::<u64>(&option, &value).max(1),
            "--settle" => options.settle = args.parse(&option, &value),
            _ => args.fail(format_args!("unknown option {option}")),
        }
    }
    options
}

/// What the clients have done so far.
#[derive(Default)]
struct Counters {
    steps: AtomicU64,
    http_abandoned: AtomicU64,
    ws_abandoned: AtomicU64,
    step_errors: AtomicU64,
    http_errors: AtomicU64,
    ws_errors: AtomicU64,
    /// Abandoners still at work (the sessions wait for no one once they are done or gave up).
    abandoners: AtomicU64,
}

impl Counters {
    /// Whether the steps are ahead of the abandoned episodes (both as fractions of their
    /// totals), so the sessions should wait.
    fn ahead(&self, steps: u64, abandoned: u64) -> bool {
        let behind = self.abandoned() + SLACK;
        behind < abandoned
            && self.abandoners.load(Ordering::Relaxed) > 0
            && u128::from(self.steps.load(Ordering::Relaxed)) * u128::from(abandoned)
                > u128::from(behind) * u128::from(steps)
    }

    fn abandoned(&self) -> u64 {
        self.http_abandoned.load(Ordering::Relaxed) + self.ws_abandoned.load(Ordering::Relaxed)
    }

    fn errors(&self) -> u64 {
        [&self.step_errors, &self.http_errors, &self.ws_errors]
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }
}

#[tokio::main]
async fn main() {
    let options = options();
    let pid = options.pid.unwrap_or_else(|| find_server(&options.address));
    let counters = Arc::new(Counters::default());
    counters.abandoners.store(2 * ABANDONERS as u64, Ordering::Relaxed);
    let started = Instant::now();
    let mut samples: Vec<(f64, u64, u64)> = Vec::new();
    let start_rss = rss_kib(pid);
    println!(
        "soak: {} sessions to {} steps, {} abandoned episodes, server pid {pid} at {}",
        options.sessions, options.steps, options.abandoned, options.address
    );
    println!(
        "{:>7} {:>10} {:>10} {:>10} {:>7}",
        "t (s)", "steps", "abandoned", "RSS (MiB)", "errors"
    );
    let print = |t: f64, counters: &Counters, rss: u64| {
        println!(
            "{t:>7.0} {:>10} {:>10} {:>10.1} {:>7}",
            counters.steps.load(Ordering::Relaxed),
            counters.abandoned(),
            rss as f64 / 1024.0,
            counters.errors()
        );
    };
    print(0.0, &counters, start_rss);

    let mut load = Vec::new();
    for index in 0..options.sessions {
        let (address, counters) = (options.address.clone(), counters.clone());
        let totals = (options.steps, options.abandoned);
        load.push(tokio::spawn(stepper(address, index, counters, totals)));
    }
    let share = options.abandoned / 2;
    for worker in 0..ABANDONERS {
        let quota = |all: u64| {
            all / ABANDONERS as u64 + u64::from((worker as u64) < all % ABANDONERS as u64)
        };
        let (address, shared) = (options.address.clone(), counters.clone());
        let http = quota(share);
        load.push(tokio::task::spawn_blocking(move || http_abandoner(&address, &shared, http)));
        let ws = quota(options.abandoned - share);
        load.push(tokio::spawn(ws_abandoner(options.address.clone(), counters.clone(), ws)));
    }

    let every = Duration::from_secs(options.every);
    let mut next = Instant::now() + every;
    while load.iter().any(|task| !task.is_finished()) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if Instant::now() >= next {
            next += every;
            let (t, rss) = (started.elapsed().as_secs_f64(), rss_kib(pid));
            samples.push((t, counters.steps.load(Ordering::Relaxed), rss));
            print(t, &counters, rss);
        }
    }
    let loaded = started.elapsed().as_secs_f64();
    let end_rss = rss_kib(pid);
    samples.push((loaded, counters.steps.load(Ordering::Relaxed), end_rss));
    print(loaded, &counters, end_rss);
    tokio::time::sleep(Duration::from_secs(options.settle)).await;
    let rested = rss_kib(pid);
    print(started.elapsed().as_secs_f64(), &counters, rested);

    let mib = |kib: u64| kib as f64 / 1024.0;
    let peak = samples.iter().map(|s| s.2).chain([start_rss, end_rss]).max().unwrap_or(0);
    let second_half: Vec<u64> =
        samples.iter().filter(|s| s.0 >= loaded / 2.0).map(|s| s.2).collect();
    let (low, high) = (
        second_half.iter().copied().min().unwrap_or(end_rss),
        second_half.iter().copied().max().unwrap_or(end_rss),
    );
    let steps = counters.steps.load(Ordering::Relaxed);
    println!(
        "load: {loaded:.0} s, {steps} steps ({:.0} steps/s), {} abandoned episodes ({} HTTP, {} WebSocket)",
        steps as f64 / loaded,
        counters.abandoned(),
        counters.http_abandoned.load(Ordering::Relaxed),
        counters.ws_abandoned.load(Ordering::Relaxed),
    );
    println!(
        "RSS: start {:.1} MiB, peak {:.1} MiB (kernel high-water mark {:.1} MiB), end {:.1} MiB, \
         after {} s at rest {:.1} MiB",
        mib(start_rss),
        mib(peak),
        mib(status_kib(pid, "VmHWM:")),
        mib(end_rss),
        options.settle,
        mib(rested)
    );
    println!(
        "RSS over the second half of the load: {:.1} to {:.1} MiB ({:+.1} MiB)",
        mib(low),
        mib(high),
        mib(high) - mib(low)
    );
    println!(
        "errors: {} (steps {}, HTTP resets {}, abandoned WebSocket sessions {})",
        counters.errors(),
        counters.step_errors.load(Ordering::Relaxed),
        counters.http_errors.load(Ordering::Relaxed),
        counters.ws_errors.load(Ordering::Relaxed)
    );
    if counters.errors() > 0 {
        std::process::exit(1);
    }
}

/// One busy session: steps the cycle until `target` steps in all, resetting with a new seed
/// whenever an episode ends, waiting while ahead of the abandoned episodes (of `abandoned`);
/// reconnects after a failure.
async fn stepper(address: String, index: usize, counters: Arc<Counters>, totals: (u64, u64)) {
    let (target, abandoned) = totals;
    let task = TASKS[index % TASKS.len()];
    let mut seed = index as u64 * 1_000_000;
    let mut failures = 0;
    'connect: while counters.steps.load(Ordering::Relaxed) < target && failures < 100 {
        let Ok((mut socket, _)) =
            tokio_tungstenite::connect_async(format!("ws://{address}/ws")).await
        else {
            counters.step_errors.fetch_add(1, Ordering::Relaxed);
            failures += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let mut done = true;
        let mut round = 0;
        while counters.steps.load(Ordering::Relaxed) < target {
            while counters.ahead(target, abandoned) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            if done {
                seed += 1;
                let reset = json!({"type": "reset", "data": {"task": task, "seed": seed}});
                if !exchange(&mut socket, &reset.to_string())
                    .await
                    .is_some_and(|r| r.is_observation())
                {
                    counters.step_errors.fetch_add(1, Ordering::Relaxed);
                    failures += 1;
                    continue 'connect;
                }
            }
            let step = step_message(round);
            round += 1;
            match exchange(&mut socket, &step).await {
                Some(reply) if reply.is_observation() => {
                    counters.steps.fetch_add(1, Ordering::Relaxed);
                    done = reply.done();
                }
                _ => {
                    counters.step_errors.fetch_add(1, Ordering::Relaxed);
                    failures += 1;
                    continue 'connect;
                }
            }
        }
    }
}

/// Starts `quota` HTTP episodes (resets without an id, stored under a fresh one) and never
/// continues them, over keep-alive connections.
fn http_abandoner(address: &str, counters: &Counters, quota: u64) {
    let mut stream = None;
    let mut failures = 0;
    let mut n = 0;
    while n < quota && failures < 100 {
        let task = TASKS[n as usize % TASKS.len()];
        let body = json!({"task": task, "seed": n}).to_string();
        let connection = match stream.as_mut() {
            Some(connection) => connection,
            None => match TcpStream::connect(address) {
                Ok(connection) => stream.insert(connection),
                Err(_) => {
                    counters.http_errors.fetch_add(1, Ordering::Relaxed);
                    failures += 1;
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
            },
        };
        if post_ok(connection, address, "/reset", &body) {
            counters.http_abandoned.fetch_add(1, Ordering::Relaxed);
            n += 1;
        } else {
            counters.http_errors.fetch_add(1, Ordering::Relaxed);
            failures += 1;
            stream = None;
        }
    }
    counters.abandoners.fetch_sub(1, Ordering::Relaxed);
}

/// Opens `quota` WebSocket sessions, resets each and drops it with a TCP reset (no close
/// frame; no TIME_WAIT left on this side either).
async fn ws_abandoner(address: String, counters: Arc<Counters>, quota: u64) {
    let mut failures = 0;
    let mut n = 0;
    while n < quota && failures < 100 {
        let reset =
            json!({"type": "reset", "data": {"task": TASKS[n as usize % TASKS.len()], "seed": n}});
        let opened = tokio_tungstenite::connect_async(format!("ws://{address}/ws")).await;
        let Ok((mut socket, _)) = opened else {
            counters.ws_errors.fetch_add(1, Ordering::Relaxed);
            failures += 1;
            continue;
        };
        if exchange(&mut socket, &reset.to_string()).await.is_some_and(|r| r.is_observation()) {
            counters.ws_abandoned.fetch_add(1, Ordering::Relaxed);
            n += 1;
        } else {
            counters.ws_errors.fetch_add(1, Ordering::Relaxed);
            failures += 1;
        }
        if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
            let _ = stream.set_zero_linger();
        }
    }
    counters.abandoners.fetch_sub(1, Ordering::Relaxed);
}

/// A keep-alive POST; whether the answer was a 200 (its body read in full).
fn post_ok(stream: &mut TcpStream, address: &str, path: &str, body: &str) -> bool {
    request(stream, address, path, Some(body)).is_ok_and(|(ok, _)| ok)
}

/// The one `shopops serve` process (narrowed to the one with `--port PORT` of the address when
/// there are several).
fn find_server(address: &str) -> u32 {
    let port = address.rsplit(':').next().unwrap_or_default();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let args: Vec<String> =
            cmdline.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        let serving = args.first().is_some_and(|a| a.ends_with("shopops"))
            && args.iter().any(|a| a == "serve");
        if serving {
            let on_port = args.windows(2).any(|w| w[0] == "--port" && w[1] == port);
            found.push((pid, on_port));
        }
    }
    if found.len() > 1 {
        found.retain(|(_, on_port)| *on_port);
    }
    match found[..] {
        [(pid, _)] => pid,
        _ => panic!("found {} `shopops serve` processes for {address}; pass --pid", found.len()),
    }
}
