//! What the server measurement examples share: the action cycle their sessions step, a
//! WebSocket exchange that does not parse replies (so the machine's cores go to the server), and
//! one HTTP request on a kept-alive connection.

use std::io::{Read, Write};
use std::net::TcpStream;

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

pub(crate) mod args;
pub(crate) mod cycle;

pub(crate) use cycle::{Reply, step_message};

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

/// One request on a kept-alive HTTP/1.1 connection (a JSON `body` for a POST): whether the
/// answer's status is 200, and its body. `Err` when the connection fails or closes first.
pub(crate) fn request(
    stream: &mut TcpStream,
    address: &str,
    path: &str,
    body: Option<&str>,
) -> Result<(bool, Vec<u8>), ()> {
    let request = match body {
        Some(body) => format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        ),
        None => format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n"),
    };
    stream.write_all(request.as_bytes()).map_err(|_| ())?;
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 16384];
    loop {
        let read = stream.read(&mut chunk).map_err(|_| ())?;
        if read == 0 {
            return Err(());
        }
        buffer.extend_from_slice(&chunk[..read]);
        let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let payload = &buffer[end + 4..];
        if payload.len() >= length {
            return Ok((head.starts_with("http/1.1 200"), payload[..length].to_vec()));
        }
    }
}
