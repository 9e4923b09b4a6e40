//! `shopops serve`: the OpenEnv server over a directory of scenarios.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::catalog::Catalog;
use crate::server::{App, Checker, Limits, Options, RecordOptions, Recording, serve};

/// Where to listen, what to serve, and every limit (each with an environment variable).
#[derive(Debug, Args)]
pub(super) struct ServeArgs {
    /// Directory (or files) of scenarios to serve.
    #[arg(default_value = "scenarios")]
    scenarios: Vec<PathBuf>,
    /// Address to bind.
    #[arg(long, env = "HOST", default_value = "0.0.0.0")]
    host: IpAddr,
    /// Port to listen on.
    #[arg(long, env = "PORT", default_value_t = 8000)]
    port: u16,
    /// Open connections, HTTP and WebSocket; at the limit no more are accepted until one closes.
    #[arg(long, env = "SHOPOPS_MAX_CONNECTIONS", default_value_t = Limits::default().max_connections, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    max_connections: usize,
    /// Concurrent WebSocket sessions; further connections get `CAPACITY_REACHED`.
    #[arg(long, env = "SHOPOPS_MAX_SESSIONS", default_value_t = Limits::default().max_sessions)]
    max_sessions: usize,
    /// Seconds without a client message before a WebSocket session is closed.
    #[arg(long, env = "SHOPOPS_IDLE_TIMEOUT", default_value_t = Limits::default().idle_timeout.as_secs())]
    idle_timeout: u64,
    /// HTTP episodes kept for continuation by `episode_id` (least recently used evicted).
    #[arg(long, env = "SHOPOPS_HTTP_EPISODES", default_value_t = Limits::default().http_episodes)]
    http_episodes: usize,
    /// Bytes the stored HTTP episodes may hold (estimated per episode; least recently used
    /// evicted); MCP sessions get a budget of the same size.
    #[arg(long, env = "SHOPOPS_HTTP_EPISODE_BYTES", default_value_t = Limits::default().http_episode_bytes)]
    http_episode_bytes: usize,
    /// Seconds an unused HTTP episode is kept.
    #[arg(long, env = "SHOPOPS_HTTP_TTL", default_value_t = Limits::default().http_ttl.as_secs())]
    http_ttl: u64,
    /// Largest request body, in bytes.
    #[arg(long, env = "SHOPOPS_MAX_BODY_BYTES", default_value_t = Limits::default().max_body_bytes)]
    max_body_bytes: usize,
    /// Largest `POST /check` body, in bytes.
    #[arg(long, env = "SHOPOPS_MAX_CHECK_BYTES", default_value_t = Limits::default().max_check_bytes)]
    max_check_bytes: usize,
    /// `POST /check` requests served at once (429 with `Retry-After` beyond).
    #[arg(long, env = "SHOPOPS_MAX_CHECKS", default_value_t = Limits::default().max_checks, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    max_checks: usize,
    /// Largest WebSocket message, in bytes.
    #[arg(long, env = "SHOPOPS_MAX_FRAME_BYTES", default_value_t = Limits::default().max_frame_bytes)]
    max_frame_bytes: usize,
    /// Seconds a client has to send a request's headers, then again its body (408 beyond), and
    /// at most this long without reading a pending reply before it is disconnected.
    #[arg(
        long,
        env = "SHOPOPS_REQUEST_TIMEOUT",
        default_value_t = Limits::default().request_timeout.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    request_timeout: u64,
    /// Record every episode played (any transport; finished, or abandoned when left
    /// unfinished) as trajectories in JSON Lines files in this directory.
    #[arg(long, env = "SHOPOPS_RECORD", value_name = "DIR")]
    record: Option<PathBuf>,
    /// Bytes per recording file before the next one is started.
    #[arg(long, env = "SHOPOPS_RECORD_FILE_BYTES", default_value_t = 64 << 20, requires = "record")]
    record_file_bytes: u64,
    /// Recording files kept; past it, the oldest this server wrote is deleted.
    #[arg(long, env = "SHOPOPS_RECORD_FILES", default_value_t = 16, requires = "record", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    record_files: usize,
    /// Recompile on every change to a `.shop` or YAML file and serve the new versions; a
    /// scenario that fails the check keeps its last good version.
    #[cfg(feature = "watch")]
    #[arg(long)]
    watch: bool,
    /// Let the studio (`/web`) save scenario files: `POST /save` writes inside the served
    /// directory, and `--watch` serves the new version. For trusted local use only: anyone who
    /// can reach the server can then change its files.
    #[cfg(feature = "watch")]
    #[arg(long, requires = "watch")]
    allow_save: bool,
}

/// Loads the scenarios and serves them until interrupted.
pub(super) fn run(args: ServeArgs) -> Result<u8, String> {
    #[cfg(feature = "watch")]
    let watching = args.watch;
    #[cfg(not(feature = "watch"))]
    let watching = false;
    // The design loop starts even with errors (its first reload serves what checks clean).
    let catalog =
        if watching { Catalog::default() } else { super::scenarios::load(&args.scenarios)? };
    let limits = Limits {
        max_connections: args.max_connections,
        max_sessions: args.max_sessions,
        idle_timeout: Duration::from_secs(args.idle_timeout),
        http_episodes: args.http_episodes,
        http_episode_bytes: args.http_episode_bytes,
        http_ttl: Duration::from_secs(args.http_ttl),
        max_body_bytes: args.max_body_bytes,
        max_check_bytes: args.max_check_bytes,
        max_checks: args.max_checks,
        max_frame_bytes: args.max_frame_bytes,
        request_timeout: Duration::from_secs(args.request_timeout),
    };
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| format!("cannot start the runtime: {e}"))?;
    let address = SocketAddr::new(args.host, args.port);
    // Checks run in child processes of this binary (killed when their request is given up on,
    // their memory returned when they exit); in process if the binary cannot be found.
    let checker = std::env::current_exe().map_or(Checker::InProcess, Checker::Subprocess);
    let recording = match &args.record {
        Some(dir) => Some(
            Recording::start(RecordOptions {
                dir: dir.clone(),
                file_bytes: args.record_file_bytes,
                max_files: args.record_files,
            })
            .map_err(|e| format!("cannot record into {}: {e}", dir.display()))?,
        ),
        None => None,
    };
    #[cfg(feature = "watch")]
    let allow_save = args.allow_save;
    #[cfg(not(feature = "watch"))]
    let allow_save = false;
    let options = Options { recording: recording.clone(), allow_save };
    let app = App::with_options(catalog, args.scenarios.clone(), limits, checker, options);
    #[cfg(feature = "watch")]
    let _watch = if watching {
        let reloading = app.clone();
        let watch =
            crate::watch::watch(&args.scenarios, move || eprintln!("{}", reloading.reload()))
                .map_err(|e| format!("cannot watch the scenarios: {e}"))?;
        eprintln!("{}", app.reload());
        Some(watch)
    } else {
        None
    };
    let served = runtime.block_on(serve(app, address));
    // Work still running (a check, a session) does not hold the process up.
    runtime.shutdown_timeout(Duration::from_millis(100));
    if let Some(recording) = recording {
        recording.finish();
    }
    served.map_err(|e| format!("cannot serve on {address}: {e}"))?;
    Ok(0)
}
