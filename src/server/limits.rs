//! [`Limits`]: every bound the server enforces, each with a flag and environment variable.

use std::time::Duration;

/// The server's bounds (protocol spec §5, §6). Nothing grows beyond them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Open connections (HTTP and WebSocket); at the limit, no more are accepted until one
    /// closes.
    pub max_connections: usize,
    /// Concurrent WebSocket sessions.
    pub max_sessions: usize,
    /// A WebSocket session without a client message for this long is closed.
    pub idle_timeout: Duration,
    /// HTTP episodes kept for continuation by `episode_id` (least recently used evicted).
    pub http_episodes: usize,
    /// Bytes the stored HTTP episodes may hold (least recently used evicted); MCP sessions have
    /// a budget of the same size.
    pub http_episode_bytes: usize,
    /// An HTTP episode not used for this long is evicted.
    pub http_ttl: Duration,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Largest `POST /check` body, in bytes (a scenario and its case data).
    pub max_check_bytes: usize,
    /// `POST /check` requests served at once; beyond it, 429 with `Retry-After`.
    pub max_checks: usize,
    /// Largest WebSocket message, in bytes.
    pub max_frame_bytes: usize,
    /// Slow clients: a request's headers must arrive within this (counted from the connection
    /// or the previous response), its body and answer within this again (else 408), and a
    /// client that reads nothing of a pending reply for this long is disconnected.
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        const KIB: usize = 1 << 10;
        const MIB: usize = 1 << 20;
        Limits {
            max_connections: 1280,
            max_sessions: 1024,
            idle_timeout: Duration::from_secs(900),
            http_episodes: 10_000,
            http_episode_bytes: 32 * MIB,
            http_ttl: Duration::from_secs(1800),
            max_body_bytes: 64 * KIB,
            max_check_bytes: MIB,
            max_checks: 2,
            max_frame_bytes: 64 * KIB,
            request_timeout: Duration::from_secs(30),
        }
    }
}
