//! A small Chrome DevTools Protocol client: headless Chromium started with a fresh profile and
//! a debugging port on loopback, driven over one WebSocket to its page. Enough to load a page,
//! run JavaScript in it (clicks and typing are dispatched as the page's own events), wait for a
//! condition, take screenshots and collect console errors.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream as AsyncStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The page size every test uses: a laptop's width.
pub(crate) const WIDTH: u32 = 1280;
pub(crate) const HEIGHT: u32 = 900;

/// A headless Chromium; killed on drop.
pub(crate) struct Browser {
    child: Child,
    /// The page's protocol socket.
    socket: WebSocketStream<MaybeTlsStream<AsyncStream>>,
    next_id: u64,
    /// Console errors, uncaught exceptions and error log entries seen so far.
    pub(crate) errors: Vec<String>,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    /// Starts `binary` headless with a profile in `scratch`, nothing fetched but what a page
    /// asks for, and attaches to its first page.
    pub(crate) async fn start(binary: &Path, scratch: &Path) -> Browser {
        let profile = scratch.join("profile");
        let _ = std::fs::remove_dir_all(&profile);
        let mut child = Command::new(binary)
            .args(crate::support::chromium::HEADLESS)
            .args([
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                &format!("--user-data-dir={}", profile.display()),
                &format!("--window-size={WIDTH},{HEIGHT}"),
                "about:blank",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        let stderr = child.stderr.take().expect("stderr");
        let (found, endpoint) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = found.send(url.trim().to_string());
                }
            }
        });
        let endpoint = endpoint
            .recv_timeout(Duration::from_secs(60))
            .expect("chromium announces its DevTools endpoint");
        let port = endpoint.split(':').nth(2).and_then(|r| r.split('/').next()).expect("a port");
        let page = page_socket_url(port);
        let (socket, _) = tokio_tungstenite::connect_async(page).await.expect("attach to the page");
        let mut browser = Browser { child, socket, next_id: 0, errors: Vec::new() };
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            browser.call(domain, json!({})).await;
        }
        let metrics =
            json!({"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": false});
        browser.call("Emulation.setDeviceMetricsOverride", metrics).await;
        browser
    }

    /// Sends one command and waits for its result, noting the errors among the events read
    /// meanwhile.
    pub(crate) async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({"id": id, "method": method, "params": params}).to_string();
        self.socket.send(Message::Text(message.into())).await.expect("send a command");
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(60), self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("no answer to {method} within 60 s"))
                .expect("the browser is attached")
                .expect("a frame");
            let Message::Text(text) = frame else { continue };
            let value: Value = serde_json::from_str(&text).expect("JSON from the browser");
            if value["id"] == id {
                assert!(value.get("error").is_none(), "{method}: {}", value["error"]);
                return value["result"].clone();
            }
            self.note(&value);
        }
    }

    /// Records an event that reports an error.
    fn note(&mut self, event: &Value) {
        let params = &event["params"];
        let error = match event["method"].as_str() {
            Some("Runtime.exceptionThrown") => Some(params["exceptionDetails"].to_string()),
            Some("Runtime.consoleAPICalled") if params["type"] == "error" => {
                Some(params["args"].to_string())
            }
            Some("Log.entryAdded") if params["entry"]["level"] == "error" => {
                Some(params["entry"].to_string())
            }
            _ => None,
        };
        self.errors.extend(error);
    }

    /// Loads `url` and waits until its document has loaded.
    pub(crate) async fn open(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url})).await;
        self.wait("document.readyState === 'complete'", "the page loads").await;
    }

    /// The value of a JavaScript expression (awaited if a promise); panics if it throws.
    pub(crate) async fn eval(&mut self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "awaitPromise": true, "returnByValue": true}),
            )
            .await;
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression} threw: {}",
            result["exceptionDetails"]
        );
        result["result"]["value"].clone()
    }

    /// Waits up to 30 s until `expression` is truthy; its value.
    pub(crate) async fn wait(&mut self, expression: &str, what: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let value = self
                .eval(&format!(
                    "(() => {{ try {{ return {expression}; }} catch {{ return null; }} }})()"
                ))
                .await;
            let truthy = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                Value::Array(_) | Value::Object(_) => true,
            };
            if truthy {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting until {what} ({expression}); console errors: {:#?}",
                self.errors
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a PNG of the whole page (at most 3 screens high) to `path`.
    pub(crate) async fn screenshot(&mut self, path: &Path) {
        let height =
            self.eval("document.documentElement.scrollHeight").await.as_f64().unwrap_or(900.0);
        let clip = json!({"x": 0, "y": 0, "width": WIDTH, "height": height.min(3.0 * HEIGHT as f64), "scale": 1});
        let shot = self
            .call(
                "Page.captureScreenshot",
                json!({"format": "png", "clip": clip, "captureBeyondViewport": true}),
            )
            .await;
        let png = base64(shot["data"].as_str().expect("screenshot data"));
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::create_dir_all(path.parent().expect("a directory")).expect("mkdir");
        std::fs::write(path, png).expect("write the screenshot");
    }

    /// Puts `file` into the file input the expression `input` finds.
    pub(crate) async fn set_file(&mut self, input: &str, file: &Path) {
        let found = self.call("Runtime.evaluate", json!({"expression": input})).await;
        let object = found["result"]["objectId"].as_str().expect("the file input").to_string();
        let files = json!([file.display().to_string()]);
        self.call("DOM.setFileInputFiles", json!({"files": files, "objectId": object})).await;
    }

    /// Lets the page download files into `dir`.
    pub(crate) async fn downloads_into(&mut self, dir: &Path) {
        let params = json!({"behavior": "allow", "downloadPath": dir.display().to_string()});
        self.call("Page.setDownloadBehavior", params).await;
    }
}

/// The protocol URL of the browser's first page, from `/json/list` on the debugging port.
fn page_socket_url(port: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(mut stream) = TcpStream::connect(format!("127.0.0.1:{port}")) {
            // The DevTools server may keep the connection open: read until the JSON is whole.
            let request = format!("GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
            stream.write_all(request.as_bytes()).expect("ask for the targets");
            stream.set_read_timeout(Some(Duration::from_secs(2))).expect("a timeout");
            let mut response = String::new();
            let mut buffer = [0; 4096];
            while let Ok(n @ 1..) = stream.read(&mut buffer) {
                response.push_str(&String::from_utf8_lossy(&buffer[..n]));
                if response.trim_end().ends_with(']') {
                    break;
                }
            }
            let body = response.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
            if let Ok(Value::Array(targets)) = serde_json::from_str::<Value>(body)
                && let Some(page) = targets.iter().find(|t| t["type"] == "page")
            {
                return page["webSocketDebuggerUrl"].as_str().expect("a page socket").to_string();
            }
        }
        assert!(Instant::now() < deadline, "chromium lists no page");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Decodes standard base64 (the screenshot's encoding).
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &d)| n | u32::from(d) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}
