//! A scripted OpenAI-compatible chat completions endpoint on loopback, for driving
//! `shopops eval --agent openai`: every request is recorded, and a script answers it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// What the stub answers one request with.
pub(crate) enum Answer {
    /// 200 with a completion whose message is this.
    Message(Value),
    /// This status and body, with `Retry-After` if given.
    Status { code: u16, body: String, retry_after: Option<&'static str> },
    /// The answer after a pause.
    Slow(Duration, Box<Answer>),
}

/// The script: the request body and its 0-based index among all requests → the answer.
pub(crate) type Script = dyn Fn(&Value, usize) -> Answer + Send + Sync;

/// A running stub. Its thread lives until the test process ends.
pub(crate) struct Stub {
    /// `http://127.0.0.1:PORT/v1`.
    pub(crate) base_url: String,
    requests: Arc<Mutex<Vec<Value>>>,
}

impl Stub {
    /// Starts a stub on a free loopback port.
    pub(crate) fn start(script: impl Fn(&Value, usize) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let address: SocketAddr = listener.local_addr().expect("bound");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let counter = Arc::new(AtomicUsize::new(0));
        let recorded = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (script, recorded, counter) =
                    (script.clone(), recorded.clone(), counter.clone());
                std::thread::spawn(move || serve(stream, &*script, &recorded, &counter));
            }
        });
        Stub { base_url: format!("http://{address}/v1"), requests }
    }

    /// The request bodies received so far, in arrival order.
    pub(crate) fn requests(&self) -> Vec<Value> {
        self.requests.lock().expect("not poisoned").clone()
    }
}

/// Answers one connection's one request, then closes it.
fn serve(stream: TcpStream, script: &Script, recorded: &Mutex<Vec<Value>>, counter: &AtomicUsize) {
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let index = {
        let mut recorded = recorded.lock().expect("not poisoned");
        recorded.push(body.clone());
        counter.fetch_add(1, Ordering::SeqCst)
    };
    let mut answer = script(&body, index);
    while let Answer::Slow(pause, inner) = answer {
        std::thread::sleep(pause);
        answer = *inner;
    }
    let (code, text, retry_after) = match answer {
        Answer::Message(message) => {
            let completion = json!({
                "id": format!("stub-{index}"),
                "object": "chat.completion",
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
            });
            (200, completion.to_string(), None)
        }
        Answer::Status { code, body, retry_after } => (code, body, retry_after),
        Answer::Slow(..) => unreachable!("unwrapped above"),
    };
    let mut head = format!(
        "HTTP/1.1 {code} Stub\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n",
        text.len()
    );
    if let Some(seconds) = retry_after {
        head.push_str(&format!("Retry-After: {seconds}\r\n"));
    }
    let mut stream = reader.into_inner();
    let _ = stream.write_all(format!("{head}\r\n{text}").as_bytes());
}

/// A message that calls the tool `name` with `arguments`.
pub(crate) fn tool_call(name: &str, arguments: Value) -> Answer {
    Answer::Message(json!({
        "role": "assistant",
        "content": null,
        "tool_calls": [{
            "id": "call_stub",
            "type": "function",
            "function": {"name": name, "arguments": arguments.to_string()},
        }],
    }))
}

/// A message with this text and no tool call.
pub(crate) fn text(content: &str) -> Answer {
    Answer::Message(json!({"role": "assistant", "content": content}))
}

/// A status answer with `Retry-After: 0`.
pub(crate) fn status(code: u16) -> Answer {
    Answer::Status {
        code,
        body: json!({"error": {"message": format!("stub says {code}")}}).to_string(),
        retry_after: Some("0"),
    }
}

/// The observation the newest message of a request shows: the JSON line of its last
/// message (the desk at the start of the shift, or the newest tool result).
pub(crate) fn newest_observation(request: &Value) -> Value {
    let messages = request["messages"].as_array().expect("messages");
    let text = messages.last().and_then(|m| m["content"].as_str()).expect("a text message last");
    let line = text.lines().last().expect("a desk line");
    serde_json::from_str(line).expect("the desk is one line of JSON")
}

/// The best action for `refund_policy_recovery` given its observation (the spec's optimal
/// plan, as tests/engine.rs plays it, read off the desk so that holds in between do not
/// matter): the three reviews, the top of the refund band, the note, close. Returns the
/// action type and its other fields.
pub(crate) fn refund_task_plan(observation: &Value) -> (&'static str, Value) {
    let case = &observation["active_case"];
    let facts = &observation["metadata"]["known_facts"];
    let checked = |check: &str| {
        case["completed_checks"].as_array().expect("checks").iter().any(|c| c == check)
    };
    if !checked("order") {
        ("inspect_order", json!({}))
    } else if !checked("policy") {
        ("inspect_policy", json!({}))
    } else if !checked("history") {
        ("inspect_customer_history", json!({}))
    } else if case["resolution_action"].is_null() {
        let value = case["order_value_usd"].as_f64().expect("value");
        let max_pct = facts["refund_max_pct"].as_i64().expect("refund_max_pct");
        let credit = facts["prior_credit_usd"].as_f64().expect("prior_credit_usd");
        let cents = (value * 100.0).round() as i64;
        let top = (cents * max_pct * 100 + 5000) / 10_000 - (credit * 100.0).round() as i64;
        ("issue_refund", json!({"refund_amount_usd": top as f64 / 100.0}))
    } else if case["notes"].as_array().expect("notes").is_empty() {
        ("add_internal_note", json!({"note_code": facts["note_code"]}))
    } else {
        ("close_case", json!({}))
    }
}

/// The plan's next step as a tool call.
pub(crate) fn plan_call(request: &Value) -> Answer {
    let (name, arguments) = refund_task_plan(&newest_observation(request));
    tool_call(name, arguments)
}

/// A hold: `switch_case` to the active case.
pub(crate) fn hold_call(request: &Value) -> Answer {
    let active = newest_observation(request)["active_case"]["case_id"].clone();
    tool_call("switch_case", json!({"case_id": active}))
}

/// The episode id of the request's episode (`eval-SEED-TRIAL`), from its newest observation.
pub(crate) fn episode_of(request: &Value) -> (u64, u32) {
    let id = newest_observation(request)["episode_id"].as_str().expect("episode_id").to_string();
    let mut parts = id.trim_start_matches("eval-").split('-');
    let seed = parts.next().and_then(|s| s.parse().ok()).expect("seed");
    let trial = parts.next().and_then(|s| s.parse().ok()).expect("trial");
    (seed, trial)
}
