//! The OpenEnv server (`shopops serve`, protocol spec `openenv-protocol.md`): HTTP routes,
//! WebSocket sessions and MCP over a [`Catalog`] of compiled scenarios.
//!
//! Every episode holds the `Arc` of the scenario version it started on; the catalog can be
//! swapped ([`App::replace_catalog`]) without touching running episodes.

mod documents;
mod episodes;
mod errors;
mod http;
mod limits;
mod mcp;
mod openapi;
mod slots;
mod store;
mod ws;

use std::net::SocketAddr;
use std::sync::{Arc, PoisonError, RwLock};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use limits::Limits;

use crate::catalog::Catalog;
use slots::Slots;
use store::Store;

/// Everything the handlers share.
#[derive(Debug)]
pub struct App {
    catalog: RwLock<Arc<Catalog>>,
    limits: Limits,
    http_episodes: Store,
    mcp_sessions: Store,
    slots: Arc<Slots>,
}

impl App {
    /// A server over `catalog` within `limits`.
    pub fn new(catalog: Catalog, limits: Limits) -> Arc<Self> {
        Arc::new(App {
            catalog: RwLock::new(Arc::new(catalog)),
            http_episodes: Store::new(limits.http_episodes, limits.http_ttl),
            mcp_sessions: Store::new(limits.max_sessions, limits.idle_timeout),
            slots: Slots::new(limits.max_sessions),
            limits,
        })
    }

    /// The scenarios served now.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Serves `catalog` from now on; running episodes keep their scenario versions.
    pub fn replace_catalog(&self, catalog: Catalog) {
        *self.catalog.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(catalog);
    }
}

/// The routes of the protocol spec (§3) over `app`.
pub fn router(app: Arc<App>) -> Router {
    let body_limit = app.limits.max_body_bytes;
    Router::new()
        .route("/health", get(documents::health))
        .route("/metadata", get(documents::metadata))
        .route("/schema", get(documents::schema))
        .route("/openapi.json", get(openapi::document))
        .route("/reset", post(http::reset))
        .route("/step", post(http::step))
        .route("/state", get(http::state))
        .route("/mcp", post(mcp::http))
        .route("/ws", get(ws::upgrade))
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(app)
}

/// Serves `app` on `address` until Ctrl-C or SIGTERM.
pub async fn serve(app: Arc<App>, address: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    let bound = listener.local_addr()?;
    let catalog = app.catalog();
    let tasks: Vec<&str> = catalog.ids().collect();
    eprintln!("shopops: serving {} on http://{bound} ({} tasks)", tasks.join(", "), tasks.len());
    axum::serve(listener, router(app)).with_graceful_shutdown(shutdown()).await
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
