//! `GET /events`: server-sent events that tell the studio when the served catalog changes
//! (`serve --watch` reloads). One `catalog` event on connect and one after every swap, each
//! carrying the catalog's version; the page then fetches `/scenarios` and `/diagnostics`.
//! Streams are few and cheap: at most [`MAX_EVENT_STREAMS`] at once (429 beyond), and each holds
//! one of the server's `--max-connections` like any open connection.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use serde_json::json;
use tokio::sync::watch;

use super::App;
use super::errors::HttpError;
use super::slots::Slot;

/// The most event streams open at once.
pub(crate) const MAX_EVENT_STREAMS: usize = 64;

/// How often an idle stream sends a comment, so proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// `GET /events`.
pub(crate) async fn stream(State(app): State<Arc<App>>) -> Response {
    let Some(slot) = app.event_streams.acquire() else {
        return HttpError::Busy(format!(
            "{MAX_EVENT_STREAMS} event streams are open, the most this server keeps; retry later"
        ))
        .into_response();
    };
    let mut changes = app.catalog_changes.subscribe();
    changes.mark_changed();
    Sse::new(catalog_events(changes, slot))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response()
}

/// One `catalog` event per catalog version seen, holding `slot` while the stream lives.
fn catalog_events(
    changes: watch::Receiver<String>,
    slot: Slot,
) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold((changes, slot), |(mut changes, slot)| async move {
        changes.changed().await.ok()?;
        let version = changes.borrow_and_update().clone();
        let event = Event::default().event("catalog").data(json!({"version": version}).to_string());
        Some((Ok(event), (changes, slot)))
    })
}
