//! A real `shopops serve` on a loopback port, and small clients for it: HTTP over a plain
//! socket and WebSocket over tokio-tungstenite.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream as AsyncStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The server process; killed on drop.
pub(crate) struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub(crate) address: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `shopops serve` on a free port with extra arguments over the shipped scenarios,
    /// waiting until it listens.
    pub(crate) fn start(extra: &[&str]) -> Server {
        Server::start_on(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"), extra)
    }

    /// Starts `shopops serve ... DIR`, waiting until it listens. Its log (stderr) is collected.
    pub(crate) fn start_on(dir: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_shopops"))
            .args(["serve", "--host", "127.0.0.1", "--port", "0"])
            .args(extra)
            .arg(dir)
            .stderr(Stdio::piped())
            .spawn()
            .expect("start shopops serve");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (listening, address) = std::sync::mpsc::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("http://").nth(1) {
                    let _ =
                        listening.send(rest.split_whitespace().next().unwrap_or("").to_string());
                }
                lines.lock().expect("log").push(line);
            }
        });
        let address = address
            .recv_timeout(Duration::from_secs(60))
            .expect("the server announces its address");
        Server { child, address, log }
    }

    /// The server's log lines so far.
    pub(crate) fn log(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    /// One HTTP request; the status and the body as JSON (`Null` when it is not JSON).
    pub(crate) fn http(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        let body = body.unwrap_or("");
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.address,
            body.len()
        );
        stream.write_all(request.as_bytes()).expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let status = response[9..12].parse().expect("status");
        let (_, payload) = response.split_once("\r\n\r\n").expect("headers end");
        (status, serde_json::from_str(payload).unwrap_or(Value::Null))
    }

    /// Whether `/health` answers healthy.
    pub(crate) fn healthy(&self) -> bool {
        self.http("GET", "/health", None) == (200, serde_json::json!({"status": "healthy"}))
    }

    /// Opens a WebSocket session.
    pub(crate) async fn connect(&self) -> Ws {
        let (socket, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", self.address))
            .await
            .expect("websocket connect");
        Ws(socket)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A WebSocket session.
pub(crate) struct Ws(pub WebSocketStream<MaybeTlsStream<AsyncStream>>);

impl Ws {
    /// Sends a text frame.
    pub(crate) async fn send_text(&mut self, text: &str) {
        self.0.send(Message::text(text)).await.expect("send");
    }

    /// Sends a message and returns the reply.
    pub(crate) async fn request(&mut self, message: &Value) -> Value {
        self.send_text(&message.to_string()).await;
        self.reply().await
    }

    /// Sends a binary frame.
    pub(crate) async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.0.send(Message::binary(bytes)).await.expect("send");
    }

    /// Sends raw text and returns the reply.
    pub(crate) async fn request_text(&mut self, text: &str) -> Value {
        self.send_text(text).await;
        self.reply().await
    }

    /// The next text frame as JSON (pongs skipped).
    pub(crate) async fn reply(&mut self) -> Value {
        loop {
            let next = tokio::time::timeout(Duration::from_secs(10), self.0.next())
                .await
                .expect("a reply within 10 s")
                .expect("the socket is open")
                .expect("a frame");
            match next {
                Message::Text(text) => return serde_json::from_str(&text).expect("JSON reply"),
                Message::Pong(_) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// The close frame's code, once the server closes.
    pub(crate) async fn closed_with(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(Duration::from_secs(10), self.0.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(_)) | None) => return None,
                Err(_) => panic!("the server did not close within 10 s"),
            }
        }
    }
}
