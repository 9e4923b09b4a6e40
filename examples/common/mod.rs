//! What the server measurement examples share: the action cycle their sessions step, and a
//! WebSocket exchange that does not parse replies (so the machine's cores go to the server).

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

/// The actions every session cycles through (valid or rule-invalid, all accepted steps).
pub(crate) const CYCLE: [&str; 5] = [
    "inspect_order",
    "inspect_policy",
    "inspect_customer_history",
    "inspect_inventory",
    "close_case",
];

/// A reply's JSON text (serde_json writes objects' keys in order, without spaces).
pub(crate) struct Reply(pub(crate) String);

impl Reply {
    /// Whether it is an observation frame.
    pub(crate) fn is_observation(&self) -> bool {
        self.0.starts_with(r#"{"type":"observation","data":"#)
    }

    /// Whether the episode it reports is done.
    pub(crate) fn done(&self) -> bool {
        self.0.contains(r#""done":true"#)
    }
}

/// A client WebSocket.
pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Sends a message and returns the reply's text (`None` when the socket closed or failed).
pub(crate) async fn exchange(socket: &mut Socket, text: &str) -> Option<Reply> {
    socket.send(Message::text(text)).await.ok()?;
    loop {
        match socket.next().await?.ok()? {
            Message::Text(reply) => return Some(Reply(reply.to_string())),
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}
