//! The OpenEnv server (`shopops serve`, protocol spec `openenv-protocol.md`): HTTP routes,
//! WebSocket sessions and MCP over a [`Catalog`] of compiled scenarios, plus the scenario API
//! for authors (`/scenarios`, `/diagnostics`, `POST /check`, `GET /events`, `POST /save`),
//! `POST /trajectory`, and the studio page at `/web` (docs/studio.md).
//!
//! Every episode holds the `Arc` of the scenario version it started on; the catalog can be
//! swapped ([`App::replace_catalog`]) without touching running episodes.

mod checker;
mod documents;
mod episodes;
mod errors;
mod events;
mod http;
mod limits;
mod listen;
mod mcp;
mod openapi;
mod record;
mod save;
mod scenarios;
mod slots;
mod store;
mod tasks;
mod trajectories;
mod web;
mod ws;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, get, post};

pub use checker::{CHECK_JOB_COMMAND, Checker, run_check_job};
pub use limits::Limits;
pub use record::{LiveGame, RecordOptions, Recording};
pub use ws::{Answer, answer_message};

use crate::catalog::{Catalog, Status};
use slots::Slots;
use store::{Bounds, Store};

/// Everything the handlers share.
#[derive(Debug)]
pub struct App {
    catalog: RwLock<Arc<Catalog>>,
    paths: Vec<PathBuf>,
    limits: Limits,
    http_episodes: Store<http::HttpEpisode>,
    mcp_sessions: Store<store::Shared>,
    slots: Arc<Slots>,
    /// Permits for `POST /check`: the checks that may run at once.
    checks: Arc<tokio::sync::Semaphore>,
    /// Where checks run.
    checker: Checker,
    /// Where finished and abandoned episodes are recorded (`serve --record`), if anywhere.
    recording: Option<Arc<Recording>>,
    /// Whether `POST /save` may write files (`serve --allow-save`).
    allow_save: bool,
    /// The version of the catalog served, sent on every swap (for `GET /events`).
    catalog_changes: tokio::sync::watch::Sender<String>,
    /// The event streams open (`GET /events`).
    event_streams: Arc<Slots>,
}

/// What a server does beyond serving: record episodes, let the studio save files.
#[derive(Debug, Default)]
pub struct Options {
    /// Record every episode here (`serve --record`).
    pub recording: Option<Arc<Recording>>,
    /// Let `POST /save` write scenario files (`serve --allow-save`).
    pub allow_save: bool,
}

impl App {
    /// A server over `catalog`, loaded from `paths`, within `limits`, running its checks with
    /// `checker`.
    pub fn new(
        catalog: Catalog,
        paths: Vec<PathBuf>,
        limits: Limits,
        checker: Checker,
    ) -> Arc<Self> {
        Self::with_options(catalog, paths, limits, checker, Options::default())
    }

    /// As [`App::new`], with `options` (recording, saving).
    pub fn with_options(
        catalog: Catalog,
        paths: Vec<PathBuf>,
        limits: Limits,
        checker: Checker,
        options: Options,
    ) -> Arc<Self> {
        let (catalog_changes, _) = tokio::sync::watch::channel(catalog.version().to_string());
        Arc::new(App {
            catalog: RwLock::new(Arc::new(catalog)),
            paths,
            http_episodes: Store::new(Bounds {
                count: limits.http_episodes,
                bytes: limits.http_episode_bytes,
                ttl: limits.http_ttl,
            }),
            mcp_sessions: Store::new(Bounds {
                count: limits.max_sessions,
                bytes: limits.http_episode_bytes,
                ttl: limits.idle_timeout,
            }),
            slots: Slots::new(limits.max_sessions),
            checks: Arc::new(tokio::sync::Semaphore::new(limits.max_checks)),
            checker,
            limits,
            recording: options.recording,
            allow_save: options.allow_save,
            catalog_changes,
            event_streams: Slots::new(events::MAX_EVENT_STREAMS),
        })
    }

    /// `game` as the server plays it over `transport`: recorded if the server records.
    fn live(&self, game: crate::engine::Game, transport: record::Transport) -> LiveGame {
        LiveGame::new(game, self.recording.as_ref(), transport)
    }

    /// The scenarios served now.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Serves `catalog` from now on; running episodes keep their scenario versions.
    pub fn replace_catalog(&self, catalog: Catalog) {
        let version = catalog.version().to_string();
        *self.catalog.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(catalog);
        self.catalog_changes.send_replace(version);
    }

    /// Checks and compiles the served paths again and swaps the result in atomically (see
    /// [`Catalog::reload`]: failing scenarios keep their last good version). Returns one line
    /// for the log: the set's version, its scenarios, diagnostics and the time taken.
    pub fn reload(&self) -> String {
        let started = Instant::now();
        let previous = self.catalog();
        match Catalog::reload(&self.paths, &previous) {
            Ok(catalog) => {
                let line = describe(&catalog, started.elapsed());
                self.replace_catalog(catalog);
                line
            }
            Err(error) => format!("reload failed, still serving {}: {error}", previous.version()),
        }
    }

    /// The paths the catalog is loaded from.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// The directory `POST /check` checks text in, and the only one it reads from (its source
    /// map is confined to it, which canonicalises it): the first served directory, or the
    /// directory of the first served file. The empty path (`serve .`, `serve x.shop`) is the
    /// current directory.
    fn check_base(&self) -> PathBuf {
        let first = self.paths.first().map(|p| crate::source::normalize(p)).unwrap_or_default();
        if first.as_os_str().is_empty() || first.is_dir() {
            first
        } else {
            first.parent().map(PathBuf::from).unwrap_or_default()
        }
    }
}

/// One line on a catalog: version, scenarios (ok and failing), diagnostics, time taken; then
/// one line per diagnostic.
fn describe(catalog: &Catalog, took: Duration) -> String {
    let failing: Vec<&str> =
        catalog.entries().filter(|e| e.status == Status::Error).map(|e| e.id.as_str()).collect();
    let mut line = format!(
        "reload: version {}, {} scenarios ({} failing{}), {} diagnostics ({} error{}), {:.1} ms",
        catalog.version(),
        catalog.entries().len(),
        failing.len(),
        if failing.is_empty() { String::new() } else { format!(": {}", failing.join(", ")) },
        catalog.diagnostics().len(),
        catalog.errors(),
        if catalog.errors() == 1 { "" } else { "s" },
        took.as_secs_f64() * 1e3,
    );
    for d in catalog.diagnostics() {
        line.push_str(&format!("\n  {} {}:{}:{}: {}", d.code, d.file, d.line, d.column, d.message));
    }
    line
}

/// Every route the server serves, by path: the one list the router is built from and
/// `/openapi.json` is checked against.
pub(crate) fn routes(app: &Arc<App>) -> Vec<(&'static str, MethodRouter<Arc<App>>)> {
    vec![
        ("/health", get(documents::health)),
        ("/metadata", get(documents::metadata)),
        ("/schema", get(documents::schema)),
        ("/openapi.json", get(openapi::document)),
        ("/reset", post(http::reset)),
        ("/step", post(http::step)),
        ("/state", get(http::state)),
        ("/mcp", post(mcp::http)),
        ("/ws", get(ws::upgrade)),
        ("/list_environments", get(tasks::environments)),
        ("/{env}/splits", get(tasks::splits)),
        ("/{env}/tasks", post(tasks::tasks)),
        ("/{env}/num_tasks", post(tasks::num_tasks)),
        ("/{env}/task", post(tasks::task)),
        ("/{env}/task_range", post(tasks::task_range)),
        ("/scenarios", get(scenarios::list)),
        ("/scenarios/{id}", get(scenarios::detail)),
        ("/scenarios/{id}/graph", get(scenarios::graph)),
        ("/scenarios/{id}/source", get(scenarios::source)),
        ("/diagnostics", get(scenarios::diagnostics)),
        ("/events", get(events::stream)),
        ("/trajectory", post(trajectories::build)),
        ("/save", post(save::save)),
        ("/web", get(web::redirect)),
        ("/web/", get(web::index)),
        ("/web/{file}", get(web::asset)),
        (
            "/check",
            post(scenarios::check)
                // Inner layers run later: this limit replaces the router's for `/check`, and
                // a check is admitted before its body is read.
                .layer(DefaultBodyLimit::max(app.limits.max_check_bytes))
                .layer(axum::middleware::from_fn_with_state(app.clone(), scenarios::admit)),
        ),
    ]
}

/// The routes of the protocol spec (§3) and the authoring API over `app`.
pub fn router(app: Arc<App>) -> Router {
    let body_limit = app.limits.max_body_bytes;
    routes(&app)
        .into_iter()
        .fold(Router::new(), |router, (path, route)| router.route(path, route))
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            app.limits.request_timeout,
            listen::request_guard,
        ))
        .with_state(app)
}

/// Serves `app` on `address` until Ctrl-C or SIGTERM.
pub async fn serve(app: Arc<App>, address: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    let bound = listener.local_addr()?;
    let catalog = app.catalog();
    let tasks: Vec<&str> = catalog.ids().collect();
    eprintln!("shopops: serving {} on http://{bound} ({} tasks)", tasks.join(", "), tasks.len());
    let limits = app.limits;
    listen::run(listener, router(app), &limits, shutdown()).await
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
