//! A real `shopops serve` on a loopback port, and small clients for it: HTTP over a plain
//! socket and WebSocket over tokio-tungstenite.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
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
        Server::spawn(Command::new(env!("CARGO_BIN_EXE_shopops")), dir, extra)
    }

    /// As [`Server::start_on`], run in the directory `cwd`, so that `path` can be `.` or a bare
    /// file name.
    pub(crate) fn start_in(cwd: &Path, path: &str, extra: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_shopops"));
        command.current_dir(cwd);
        Server::spawn(command, path, extra)
    }

    fn spawn(mut command: Command, path: &str, extra: &[&str]) -> Server {
        let mut child = command
            .args(["serve", "--host", "127.0.0.1", "--port", "0"])
            .args(extra)
            .arg(path)
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

    /// One HTTP request: the status, the headers and the raw body.
    pub(crate) fn raw_http(&self, method: &str, path: &str, body: &str) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.address,
            body.len()
        );
        stream.write_all(head.as_bytes()).expect("send");
        stream.write_all(body.as_bytes()).expect("send");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read");
        let end = response.windows(4).position(|w| w == b"\r\n\r\n").expect("headers end");
        let headers = String::from_utf8_lossy(&response[..end]).to_string();
        let status = headers[9..12].parse().expect("status");
        (status, headers, response[end + 4..].to_vec())
    }

    /// The server's resident memory, in KiB (Linux).
    pub(crate) fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
        line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).expect("a number")
    }

    /// Sends SIGTERM and waits up to `within` for the process to end; whether it did.
    pub(crate) fn terminate_within(&mut self, within: Duration) -> bool {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
        assert!(sent.success(), "kill -TERM {pid}");
        let started = std::time::Instant::now();
        while started.elapsed() < within {
            if self.child.try_wait().expect("wait").is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
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

impl Server {
    /// Opens a WebSocket at `path` (with its query, e.g. `/ws?session_id=x`).
    pub(crate) async fn connect_path(&self, path: &str) -> Ws {
        let url = format!("ws://{}{path}", self.address);
        let (socket, _) = tokio_tungstenite::connect_async(url).await.expect("websocket connect");
        Ws(socket)
    }

    /// A WebSocket handshake over a plain socket, for hand-made frames ([`client_frame`]): the
    /// socket after the server's 101.
    pub(crate) fn raw_ws(&self) -> RawWs {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        let request = format!(
            "GET /ws HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
            self.address
        );
        stream.write_all(request.as_bytes()).expect("send");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).expect("handshake reply");
            head.push(byte[0]);
        }
        assert!(head.starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&head));
        RawWs(stream)
    }
}

/// One client frame: `first` is the FIN, RSV and opcode byte; the payload is masked when
/// `masked` (as clients must), its length encoded in the shortest form.
pub(crate) fn client_frame(first: u8, masked: bool, payload: &[u8]) -> Vec<u8> {
    let mask_bit = if masked { 0x80 } else { 0 };
    let mut frame = vec![first];
    match payload.len() {
        n if n < 126 => frame.push(mask_bit | n as u8),
        n if n <= 0xFFFF => {
            frame.push(mask_bit | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(mask_bit | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    if masked {
        let key = [0x37, 0xfa, 0x21, 0x3d];
        frame.extend_from_slice(&key);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    } else {
        frame.extend_from_slice(payload);
    }
    frame
}

/// A WebSocket over a plain socket: frames written and read by hand.
pub(crate) struct RawWs(pub TcpStream);

impl RawWs {
    /// Writes bytes as they are (a write error, the server having closed, is ignored).
    pub(crate) fn send(&mut self, bytes: &[u8]) {
        let _ = self.0.write_all(bytes);
    }

    /// The next server frame: its opcode and payload (`None` at the end of the stream).
    pub(crate) fn frame(&mut self) -> Option<(u8, Vec<u8>)> {
        let mut head = [0u8; 2];
        self.0.read_exact(&mut head).ok()?;
        let length = match head[1] & 0x7F {
            126 => {
                let mut n = [0u8; 2];
                self.0.read_exact(&mut n).ok()?;
                u64::from(u16::from_be_bytes(n))
            }
            127 => {
                let mut n = [0u8; 8];
                self.0.read_exact(&mut n).ok()?;
                u64::from_be_bytes(n)
            }
            n => u64::from(n),
        };
        let mut payload = vec![0u8; usize::try_from(length).ok()?];
        self.0.read_exact(&mut payload).ok()?;
        Some((head[0] & 0x0F, payload))
    }

    /// The text frames before the server's close, and the close code (`None` when the
    /// connection ended without a close frame).
    pub(crate) fn until_close(&mut self) -> (Vec<String>, Option<u16>) {
        let mut texts = Vec::new();
        while let Some((opcode, payload)) = self.frame() {
            match opcode {
                0x1 => texts.push(String::from_utf8_lossy(&payload).into_owned()),
                0x8 => {
                    // A close frame without a code reads as 1005 ("no status"), as RFC 6455 has it.
                    let code = match payload[..] {
                        [high, low, ..] => u16::from_be_bytes([high, low]),
                        _ => 1005,
                    };
                    return (texts, Some(code));
                }
                _ => {}
            }
        }
        (texts, None)
    }
}
