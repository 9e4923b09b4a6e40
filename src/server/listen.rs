//! The accept loop: HTTP/1 connections (upgradable to WebSocket) under the request timeout, so
//! slow clients cannot pin connections (protocol spec §2; `--request-timeout`).
//!
//! `axum::serve` hides hyper's connection settings, so connections are served here with hyper
//! directly. One limit, three places:
//!
//! * **Headers**: hyper's header read timeout, counted from the connection (or from the previous
//!   response on a kept-alive one). A client that sent part of a request gets a 408 with a JSON
//!   `detail` and the connection closes; an idle kept-alive connection just closes (a 408 there
//!   could be read as the answer to the client's next request).
//! * **Body and answer**: [`request_guard`] bounds each request from its headers to its
//!   response: a body that never finishes is a 408 with a JSON `detail`. WebSocket sessions are
//!   not cut: an upgrade answers at once and the session runs outside the request.
//! * **Replies**: a client that reads nothing of a pending write for the timeout is
//!   disconnected, over HTTP and WebSocket alike ([`Guarded`]).

use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Sleep;

use super::Limits;

/// Serves `router` on `listener` until `shutdown` resolves, then lets open HTTP requests finish
/// (each is bounded by the timeout; WebSocket sessions end with the process).
pub(super) async fn run(
    listener: TcpListener,
    router: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let (timeout, max_connections) = (limits.request_timeout, limits.max_connections);
    let service = TowerToHyperService::new(router);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .max_buf_size(MAX_HEADER_BYTES)
        .max_headers(MAX_HEADERS);
    let connections_left = Arc::new(Semaphore::new(max_connections));
    // Each connection holds a receiver: the sender signals shutdown and sees them all gone.
    let (stop, connections) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        // At the connection limit, no more are accepted until one closes (they wait in the
        // kernel's backlog).
        let (stream, permit) = tokio::select! {
            accepted = accept(&listener, &connections_left) => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let header_timeout = Arc::new(AtomicBool::new(false));
        let io = TokioIo::new(Guarded::new(stream, timeout, header_timeout.clone()));
        let connection = http.serve_connection(io, service.clone()).with_upgrades();
        let mut stopping = connections.clone();
        tokio::spawn(async move {
            let mut connection = pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = stopping.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.as_mut().await
                }
            };
            if result.is_err_and(|error| error.is_timeout()) {
                header_timeout.store(true, Ordering::Relaxed);
            }
            drop(permit);
            // The connection drops here: its socket closes (after a 408, see `Guarded`).
        });
    }
    drop(listener);
    drop(connections);
    let _ = stop.send(());
    // Open requests get a moment to finish; the process ends promptly either way.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, stop.closed()).await;
    Ok(())
}

/// The next connection, once the connection limit allows one.
async fn accept(
    listener: &TcpListener,
    connections_left: &Arc<Semaphore>,
) -> io::Result<(TcpStream, OwnedSemaphorePermit)> {
    let permit = connections_left.clone().acquire_owned().await.map_err(io::Error::other)?;
    let (stream, _) = listener.accept().await?;
    Ok((stream, permit))
}

/// The most bytes of a request's head (request line and headers) read before its end; beyond
/// it, 431 (as Node's 16 KiB default). It is also the connection's read buffer.
const MAX_HEADER_BYTES: usize = 16 << 10;

/// The most headers a request may have; beyond it, 431.
const MAX_HEADERS: usize = 100;

/// How long open requests may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// After a failed accept: per-connection errors are skipped; others (out of file descriptors)
/// are logged and retried after a pause, as `axum::serve` does.
async fn accept_failed(error: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(error.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        eprintln!("shopops: accept failed: {error}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Middleware: a request not received and answered within the timeout is a 408 (closing the
/// connection: its body is unread). Plain-text error responses (axum's rejections of a query or
/// of a WebSocket upgrade) get the JSON body every other error has: `{"detail": "<text>"}`.
pub(super) async fn request_guard(
    State(limit): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) if is_plain_error(&response) => {
            let (mut parts, body) = response.into_parts();
            let text = axum::body::to_bytes(body, 64 << 10).await.unwrap_or_default();
            let detail = json!({"detail": String::from_utf8_lossy(&text)}).to_string();
            parts
                .headers
                .insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, axum::body::Body::from(detail))
        }
        Ok(response) => response,
        Err(_) => {
            let detail = format!(
                "request timeout: the request was not received and answered within {} s",
                limit.as_secs()
            );
            (
                StatusCode::REQUEST_TIMEOUT,
                [(header::CONNECTION, "close")],
                axum::Json(json!({"detail": detail})),
            )
                .into_response()
        }
    }
}

/// Whether a response is an error with a plain-text body.
fn is_plain_error(response: &Response) -> bool {
    let status = response.status();
    (status.is_client_error() || status.is_server_error())
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"text/plain"))
}

/// A connection's socket, watched for slow clients: writes that make no progress for the
/// timeout fail, and when hyper gives up on a request's headers (the flag) a partly received
/// request is answered with a 408 as the socket closes.
struct Guarded {
    stream: TcpStream,
    timeout: Duration,
    /// Set by the connection's task when hyper reports a header read timeout.
    header_timeout: Arc<AtomicBool>,
    /// Bytes arrived since the server last wrote: a request is (partly) in.
    request_pending: bool,
    /// Since when a write has been waiting for the client to read.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl Guarded {
    fn new(stream: TcpStream, timeout: Duration, header_timeout: Arc<AtomicBool>) -> Self {
        Guarded { stream, timeout, header_timeout, request_pending: false, stalled: None }
    }

    /// The outcome of a write: progress resets the stall clock; waiting longer than the timeout
    /// fails the write.
    fn wrote(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        if poll.is_ready() {
            self.stalled = None;
            self.request_pending = false;
            return poll;
        }
        let timeout = self.timeout;
        let stalled = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client read nothing for the request timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.request_pending = true;
        }
        poll
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_write(cx, data);
        this.wrote(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_write_vectored(cx, data);
        this.wrote(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        if self.request_pending && self.header_timeout.load(Ordering::Relaxed) {
            let detail = format!(
                "request timeout: the request headers did not arrive within {} s",
                self.timeout.as_secs()
            );
            let body = json!({"detail": detail}).to_string();
            let response = format!(
                "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            // Best effort and non-blocking: nothing has been written on this request, so the
            // socket's send buffer has room.
            let _ = self.stream.try_write(response.as_bytes());
        }
    }
}
