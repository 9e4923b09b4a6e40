//! Hot-reload figures for `shopops serve --watch`: how long from saving a scenario file to the
//! server answering with its new version, and what a storm of reloads does to WebSocket sessions
//! stepping meanwhile (compared with the same load without it). Runs its own server on a copy of
//! `scenarios/` in a temporary directory, and removes both at the end.
//!
//! ```sh
//! cargo build --release && cargo build --release --example reload_latency
//! target/release/examples/reload_latency
//! target/release/examples/reload_latency --bin target/release/shopops --edits 20 --clients 32 \
//!     --seconds 10 --storm-ms 25 --storm-file fraud_stockout_cascade.shop --save write
//! ```
//!
//! `--save write` (the default) saves as `std::fs::write` does: truncate, then write in place;
//! `--save rename` writes a hidden temporary file and renames it over the scenario file.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::args::Args;
use common::cycle::CYCLE;
use common::{exchange, request, step_message};
use serde_json::{Value, json};

/// The task the sessions play.
const TASK: &str = "fraud_stockout_cascade";

/// The scenario edited for the save → served figures, and its file.
const EDITED: &str = "sla_queue_juggle";

/// How often `/scenarios` is polled after a save.
const POLL: Duration = Duration::from_millis(2);

/// The quiet time between two timed saves.
const BETWEEN_EDITS: Duration = Duration::from_millis(300);

/// How long a save may take to be served before it counts as missed.
const GIVE_UP: Duration = Duration::from_secs(5);

struct Options {
    bin: PathBuf,
    edits: usize,
    clients: usize,
    seconds: u64,
    storm_ms: u64,
    storm_file: String,
    rename: bool,
}

const USAGE: &str = "\
Hot-reload figures for `shopops serve --watch` (see the header of examples/reload_latency.rs).

Usage: reload_latency [--option value]...

Options:
  --bin PATH          the shopops binary [default: target/release/shopops]
  --edits N           scenario saves timed [default: 20]
  --clients N         WebSocket sessions stepping meanwhile [default: 32]
  --seconds S         how long the storm and its baseline run [default: 10]
  --storm-ms MS       milliseconds between the storm's saves [default: 25]
  --storm-file FILE   the scenario file the storm saves [default: fraud_stockout_cascade.shop]
  --save write|rename how a save is made [default: write]";

fn options() -> Options {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut options = Options {
        bin: root.join("target/release/shopops"),
        edits: 20,
        clients: 32,
        seconds: 10,
        storm_ms: 25,
        storm_file: format!("{TASK}.shop"),
        rename: false,
    };
    let (args, pairs) = Args::read(USAGE);
    for (option, value) in pairs {
        match option.as_str() {
            "--bin" => options.bin = value.into(),
            "--edits" => options.edits = args.parse(&option, &value),
            "--clients" => options.clients = args.parse(&option, &value),
            "--seconds" => options.seconds = args.parse(&option, &value),
            "--storm-ms" => options.storm_ms = args.parse(&option, &value),
            "--storm-file" => options.storm_file = value,
            "--save" if value == "write" || value == "rename" => options.rename = value == "rename",
            "--save" => args.fail(format_args!("--save takes write or rename, not {value:?}")),
            _ => args.fail(format_args!("unknown option {option}")),
        }
    }
    options
}

/// Every stderr line of the server, with the instant it was read.
type Log = Arc<Mutex<Vec<(Instant, String)>>>;

/// The server and its scenario directory; dropping it kills the one and removes the other.
struct Server {
    child: Child,
    dir: PathBuf,
    address: String,
    log: Log,
}

impl Server {
    /// Copies `scenarios/` into a fresh temporary directory and serves it with `--watch`.
    fn start(bin: &Path) -> Server {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir()
            .join(format!("shopops-reload-latency-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir).expect("create the temporary directory");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"), &dir)
            .expect("copy scenarios/");
        let spawned = Command::new(bin)
            .args(["serve", "--watch", "--host", "127.0.0.1", "--port", "0"])
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(error) => {
                let _ = std::fs::remove_dir_all(&dir);
                panic!("cannot start {}: {error} (cargo build --release first)", bin.display());
            }
        };
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Log::default();
        let (found, address) = mpsc::channel();
        let lines = log.clone();
        // Drains stderr to the end, so that the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if line.starts_with("shopops: serving")
                    && let Some((_, rest)) = line.split_once("http://")
                {
                    let _ = found.send(rest.split_whitespace().next().unwrap_or("").to_string());
                }
                lines.lock().unwrap_or_else(PoisonError::into_inner).push((Instant::now(), line));
            }
        });
        let mut server = Server { child, dir, address: String::new(), log };
        match address.recv_timeout(Duration::from_secs(30)) {
            Ok(address) => server.address = address,
            Err(_) => panic!("the server did not say where it serves: {:?}", server.lines()),
        }
        server
    }

    /// Every stderr line so far.
    fn lines(&self) -> Vec<(Instant, String)> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The `reload` lines logged from `from` to `to`.
    fn reloads(&self, from: Instant, to: Instant) -> Vec<(Instant, String)> {
        self.lines()
            .into_iter()
            .filter(|(at, line)| line.starts_with("reload") && *at >= from && *at <= to)
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            std::fs::create_dir(&target)?;
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Saves `file` as an editor would: reads it and writes it whole with `line` appended, in place
/// or (`rename`) through a hidden temporary file renamed over it.
fn append_line(file: &Path, line: &str, rename: bool) {
    let mut text = std::fs::read_to_string(file).expect("read the scenario file");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(line);
    text.push('\n');
    if rename {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("scenario");
        let temporary = file.with_file_name(format!(".{name}.tmp"));
        std::fs::write(&temporary, text).expect("write the temporary file");
        std::fs::rename(&temporary, file).expect("rename over the scenario file");
    } else {
        std::fs::write(file, text).expect("write the scenario file");
    }
}

/// Scenario count, failing count and compile time of a `reload: version ...` line.
fn reload_figures(line: &str) -> Option<(usize, usize, f64)> {
    let (head, tail) = line.split_once(" scenarios (")?;
    let scenarios = head.rsplit(' ').next()?.parse().ok()?;
    let failing = tail.split([' ', ')', ':']).next()?.parse().ok()?;
    let millis = line.rsplit(", ").next()?.strip_suffix(" ms")?.parse().ok()?;
    Some((scenarios, failing, millis))
}

fn main() {
    let options = options();
    let server = Server::start(&options.bin);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("reload latency: shopops serve --watch on a copy of scenarios/ ({cores} cores)");
    println!("server: {} on http://{}", options.bin.display(), server.address);
    for (_, line) in server.lines().iter().filter(|(_, l)| l.starts_with("reload")) {
        println!("  first {line}");
    }
    let mut http = Http::new(&server.address);
    save_to_served(&server, &mut http, &options);
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let storm = runtime.block_on(sessions_under_storm(&server, &options, true));
    // Lets the storm's last reloads land before the quiet run.
    std::thread::sleep(Duration::from_secs(1));
    let quiet = runtime.block_on(sessions_under_storm(&server, &options, false));
    println!(
        "\nsessions: {} WS clients on {TASK} stepping {}, {} s each",
        options.clients,
        CYCLE.join("/"),
        options.seconds
    );
    println!(
        "  {:<14} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>8}",
        "", "steps", "steps/s", "p50 ms", "p99 ms", "max ms", "step err", "resets", "refused"
    );
    for (name, run) in [("reload storm", &storm), ("no storm", &quiet)] {
        run.row(name);
    }
    for (name, run) in [("reload storm", &storm), ("no storm", &quiet)] {
        run.notes(name, &options);
    }
    drop(server);
    println!("\nserver killed, temporary directory removed");
}

/// Part 1: `edits` timed saves of one scenario file, each followed by polling `/scenarios` until
/// its version changes.
fn save_to_served(server: &Server, http: &mut Http, options: &Options) {
    let file = server.dir.join(format!("{EDITED}.shop"));
    let started = Instant::now();
    let mut before = loop {
        match http.version(EDITED) {
            Some(version) => break version,
            None if started.elapsed() < GIVE_UP => std::thread::sleep(POLL),
            None => panic!("{EDITED} is not served"),
        }
    };
    let first = Instant::now();
    let (mut served, mut logged, mut saves) = (Vec::new(), Vec::new(), Vec::new());
    let (mut missed, mut polls) = (0, 0);
    for n in 1..=options.edits {
        append_line(&file, &format!("# edit {n}"), options.rename);
        let saved = Instant::now();
        saves.push(saved);
        loop {
            let version = http.version(EDITED);
            polls += 1;
            if let Some(version) = version
                && version != before
            {
                served.push(saved.elapsed());
                before = version;
                break;
            }
            if saved.elapsed() > GIVE_UP {
                missed += 1;
                before = http.version(EDITED).unwrap_or(before);
                break;
            }
            std::thread::sleep(POLL);
        }
        std::thread::sleep(BETWEEN_EDITS);
    }
    let last = Instant::now();
    let reloads = server.reloads(first, last);
    // Reloads per save: those logged from one save to the next.
    let mut per_save = Vec::new();
    for (i, saved) in saves.iter().enumerate() {
        if let Some((at, _)) = reloads.iter().find(|(at, _)| at >= saved) {
            logged.push(*at - *saved);
        }
        let until = saves.get(i + 1).copied().unwrap_or(last);
        per_save.push(reloads.iter().filter(|(at, _)| at >= saved && *at < until).count());
    }
    let compile: Vec<Duration> = reloads
        .iter()
        .filter_map(|(_, line)| reload_figures(line))
        .map(|(_, _, millis)| Duration::from_secs_f64(millis / 1e3))
        .collect();
    println!(
        "\nsave -> served: {} saves of {EDITED}.shop (read, a comment appended, {}), \
         /scenarios polled every {} ms, {} ms between saves",
        options.edits,
        if options.rename { "renamed over" } else { "written whole in place" },
        POLL.as_millis(),
        BETWEEN_EDITS.as_millis()
    );
    println!("  {:<22} {:>7} {:>7} {:>7} {:>7}", "ms", "min", "median", "p90", "max");
    summary("save -> new version", &served);
    summary("save -> reload logged", &logged);
    summary("compile (reload line)", &compile);
    println!(
        "  {} of {} saves served ({missed} missed), {} reloads logged, {polls} polls",
        served.len(),
        options.edits,
        reloads.len()
    );
    let doubled: Vec<String> = per_save
        .iter()
        .enumerate()
        .filter(|(_, n)| **n != 1)
        .map(|(i, n)| format!("save {} -> {n}", i + 1))
        .collect();
    if !doubled.is_empty() {
        println!("  saves not followed by exactly one reload: {}", doubled.join(", "));
    }
}

fn summary(name: &str, values: &[Duration]) {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let at = |p: f64| percentile(&sorted, p);
    println!("  {name:<22} {:>7.1} {:>7.1} {:>7.1} {:>7.1}", at(0.0), at(0.5), at(0.9), at(1.0));
}

/// The `p` percentile of sorted durations, in ms (nearest rank, as in `loadgen`).
fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

/// One run of the sessions, with or without the storm.
struct Run {
    tally: Tally,
    elapsed: f64,
    storm_edits: usize,
    last_edit: Option<Instant>,
    reloads: Vec<(Instant, String)>,
}

impl Run {
    fn row(&self, name: &str) {
        let mut sorted = self.tally.latencies.clone();
        sorted.sort_unstable();
        println!(
            "  {name:<14} {:>8} {:>8.0} {:>8.3} {:>8.3} {:>8.3} {:>8} {:>7} {:>8}",
            sorted.len(),
            sorted.len() as f64 / self.elapsed,
            percentile(&sorted, 0.5),
            percentile(&sorted, 0.99),
            percentile(&sorted, 1.0),
            self.tally.errors - self.tally.reset_errors,
            self.tally.resets,
            self.tally.reset_errors
        );
    }

    fn notes(&self, name: &str, options: &Options) {
        let figures: Vec<_> = self.reloads.iter().filter_map(|(_, l)| reload_figures(l)).collect();
        let full = figures.iter().map(|f| f.0).max().unwrap_or(0);
        let short = figures.iter().filter(|f| f.0 < full).count();
        let failing = figures.iter().filter(|f| f.1 > 0).count();
        let failed = self.reloads.iter().filter(|(_, l)| l.starts_with("reload failed")).count();
        let mut compile: Vec<Duration> =
            figures.iter().map(|f| Duration::from_secs_f64(f.2 / 1e3)).collect();
        compile.sort_unstable();
        print!("  {name}: {} reloads logged", self.reloads.len());
        if !compile.is_empty() {
            print!(
                " (compile p50 {:.1} ms, max {:.1} ms)",
                percentile(&compile, 0.5),
                percentile(&compile, 1.0)
            );
        }
        println!();
        if self.storm_edits > 0 {
            println!(
                "    storm: {} saves of {} every {} ms ({}); reloads serving fewer scenarios: \
                 {short}, with failing scenarios: {failing}, failed: {failed}",
                self.storm_edits,
                options.storm_file,
                options.storm_ms,
                if options.rename { "temporary file renamed over it" } else { "written in place" }
            );
            let fewer =
                self.reloads.iter().find(|(_, l)| reload_figures(l).is_some_and(|f| f.0 < full));
            if let Some((_, line)) = fewer {
                println!("    e.g. {line}");
            }
            let after = self.last_edit.and_then(|edit| {
                self.reloads.iter().rev().find(|(at, _)| *at >= edit).map(|(at, _)| *at - edit)
            });
            match after {
                Some(gap) => println!(
                    "    last save picked up: a reload logged {:.1} ms after it",
                    gap.as_secs_f64() * 1e3
                ),
                None => println!("    last save NOT picked up: no reload logged after it"),
            }
        }
        for message in &self.tally.messages {
            println!("    error: {message}");
        }
    }
}

/// Part 2: `clients` sessions for `seconds`, with (`storm`) a save of the storm file every
/// `storm_ms` meanwhile.
async fn sessions_under_storm(server: &Server, options: &Options, storm: bool) -> Run {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let editor = storm.then(|| {
        let file = server.dir.join(&options.storm_file);
        let rename = options.rename;
        let interval = Duration::from_millis(options.storm_ms);
        std::thread::spawn(move || {
            let mut edits = 0;
            let mut last = None;
            while Instant::now() < deadline {
                append_line(&file, &format!("# storm {edits}"), rename);
                last = Some(Instant::now());
                edits += 1;
                let next = started + interval * edits;
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
            (edits as usize, last)
        })
    });
    let clients: Vec<_> = (0..options.clients)
        .map(|client| tokio::spawn(ws_client(server.address.clone(), client as u64, deadline)))
        .collect();
    let mut tally = Tally::default();
    for client in clients {
        let one = client.await.expect("client task");
        tally.latencies.extend(one.latencies);
        tally.errors += one.errors;
        tally.resets += one.resets;
        tally.reset_errors += one.reset_errors;
        for message in one.messages {
            if tally.messages.len() < 5 && !tally.messages.contains(&message) {
                tally.messages.push(message);
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (storm_edits, last_edit) = editor.map_or((0, None), |e| e.join().expect("storm thread"));
    // The debounce (50 ms) and a compile: the storm's last reload lands after the deadline.
    if storm {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let reloads = server.reloads(started, Instant::now());
    Run { tally, elapsed, storm_edits, last_edit, reloads }
}

/// Latencies and errors of one session.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
    resets: usize,
    reset_errors: usize,
    messages: Vec<String>,
}

impl Tally {
    fn error(&mut self, message: String) {
        self.errors += 1;
        let message: String = message.chars().take(200).collect();
        if self.messages.len() < 3 && !self.messages.contains(&message) {
            self.messages.push(message);
        }
    }
}

/// One WebSocket session stepping the cycle, resetting when an episode ends; a refused reset is
/// counted and tried again.
async fn ws_client(address: String, seed: u64, deadline: Instant) -> Tally {
    let mut tally = Tally::default();
    let socket = tokio_tungstenite::connect_async(format!("ws://{address}/ws")).await;
    let Ok((mut socket, _)) = socket else {
        tally.error("cannot connect".into());
        return tally;
    };
    let reset = json!({"type": "reset", "data": {"task": TASK, "seed": seed}}).to_string();
    let mut round = 0;
    let mut done = true;
    while Instant::now() < deadline {
        if done {
            tally.resets += 1;
            match exchange(&mut socket, &reset).await {
                Some(reply) if reply.is_observation() => done = false,
                Some(reply) => {
                    tally.reset_errors += 1;
                    tally.error(format!("reset: {}", reply.0));
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
                None => {
                    tally.error("reset: connection lost".into());
                    return tally;
                }
            }
        }
        let step = step_message(round);
        round += 1;
        let sent = Instant::now();
        match exchange(&mut socket, &step).await {
            Some(reply) if reply.is_observation() => {
                tally.latencies.push(sent.elapsed());
                done = reply.done();
            }
            Some(reply) => tally.error(format!("step: {}", reply.0)),
            None => {
                tally.error("step: connection lost".into());
                return tally;
            }
        }
    }
    tally
}

/// A keep-alive HTTP/1.1 client for `GET`s, reconnecting when the connection drops.
struct Http {
    address: String,
    stream: Option<TcpStream>,
}

impl Http {
    fn new(address: &str) -> Http {
        Http { address: address.to_string(), stream: None }
    }

    /// The served version of scenario `id`, from `GET /scenarios`.
    fn version(&mut self, id: &str) -> Option<String> {
        let body = self.get("/scenarios")?;
        let rows: Value = serde_json::from_slice(&body).ok()?;
        let row = rows.as_array()?.iter().find(|row| row["id"] == id)?;
        row["version"].as_str().map(String::from)
    }

    /// The body of a 200 response to `GET path`.
    fn get(&mut self, path: &str) -> Option<Vec<u8>> {
        for _ in 0..2 {
            if self.stream.is_none() {
                let stream = TcpStream::connect(&self.address).ok()?;
                let _ = stream.set_nodelay(true);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                self.stream = Some(stream);
            }
            let stream = self.stream.as_mut()?;
            match get(stream, &self.address, path) {
                Ok(body) => return body,
                Err(()) => self.stream = None,
            }
        }
        None
    }
}

/// One `GET` on a kept-alive connection: `Err` when the connection failed, else the body when
/// the status is 200.
fn get(stream: &mut TcpStream, address: &str, path: &str) -> Result<Option<Vec<u8>>, ()> {
    let (ok, body) = request(stream, address, path, None)?;
    Ok(ok.then_some(body))
}
