//! The OpenEnv server, driven over loopback as clients drive it: HTTP routes and their errors,
//! WebSocket sessions (isolation, capacity, malformed input, limits), MCP.

#![cfg(feature = "server")]

mod support;

use serde_json::{Value, json};
use support::server::Server;

fn reset(task: &str, seed: u64, id: &str) -> Value {
    json!({"type": "reset", "data": {"task": task, "seed": seed, "episode_id": id}})
}

fn step(action: Value) -> Value {
    json!({"type": "step", "data": action})
}

fn state() -> Value {
    json!({"type": "state"})
}

#[tokio::test]
async fn interleaved_sessions_stay_independent() {
    let server = Server::start(&[]);
    let (mut a, mut b) = (server.connect().await, server.connect().await);
    let first = a.request(&reset("refund_policy_recovery", 7, "ep-a")).await;
    let other = b.request(&reset("sla_queue_juggle", 9, "ep-b")).await;
    assert_eq!(first["data"]["observation"]["current_task"], "refund_policy_recovery");
    assert_eq!(other["data"]["observation"]["current_task"], "sla_queue_juggle");
    for round in 1..=3 {
        let reply = a.request(&step(json!({"action_type": "inspect_order"}))).await;
        assert_eq!(reply["type"], "observation", "{reply}");
        assert_eq!(reply["data"]["observation"]["step_index"], round);
        if round < 3 {
            b.request(&step(json!({"action_type": "inspect_policy"}))).await;
        }
    }
    let (state_a, state_b) = (a.request(&state()).await, b.request(&state()).await);
    assert_eq!(state_a["data"]["episode_id"], "ep-a");
    assert_eq!(state_a["data"]["step_count"], 3);
    assert_eq!(state_b["data"]["episode_id"], "ep-b");
    assert_eq!(state_b["data"]["step_count"], 2);
    assert_eq!(state_b["data"]["task"], "sla_queue_juggle");
}

#[tokio::test]
async fn same_seed_gives_the_same_episode_over_websocket_and_http() {
    let server = Server::start(&[]);
    let mut ws = server.connect().await;
    let over_ws = ws.request(&reset("sla_queue_juggle", 123, "same")).await["data"].clone();
    let body = json!({"task": "sla_queue_juggle", "seed": 123, "episode_id": "same"});
    let (status, over_http) = server.http("POST", "/reset", Some(&body.to_string()));
    assert_eq!(status, 200);
    assert_eq!(over_ws, over_http);
    let action = json!({"action_type": "inspect_order"});
    let ws_step = ws.request(&step(action.clone())).await["data"].clone();
    let request = json!({"action": action, "episode_id": "same"}).to_string();
    assert_eq!((200, ws_step), server.http("POST", "/step", Some(&request)));
}

#[tokio::test]
async fn the_session_cap_refuses_with_capacity_reached_and_frees_on_disconnect() {
    let server = Server::start(&["--max-sessions", "2"]);
    let first = server.connect().await;
    let mut second = server.connect().await;
    second.request(&reset("refund_policy_recovery", 1, "kept")).await;
    let mut refused = server.connect().await;
    let refusal = refused.reply().await;
    assert_eq!(refusal["type"], "error");
    assert_eq!(refusal["data"]["code"], "CAPACITY_REACHED");
    assert_eq!(refusal["data"]["active_sessions"], 2);
    assert_eq!(refusal["data"]["max_sessions"], 2);
    assert_eq!(refused.closed_with().await, Some(1000));
    drop(first);
    // The slot frees as soon as the server sees the disconnect; poll with a generous deadline.
    let mut admitted = None;
    for _ in 0..100 {
        let mut next = server.connect().await;
        let reply = next.request(&state()).await;
        if reply["type"] == "state" {
            admitted = Some(next);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(admitted.is_some(), "a freed slot was never given to a new session");
    assert_eq!(second.request(&state()).await["data"]["episode_id"], "kept");
}

#[tokio::test]
async fn malformed_messages_get_error_frames_and_the_session_survives() {
    let server = Server::start(&[]);
    let mut ws = server.connect().await;
    ws.request(&reset("refund_policy_recovery", 5, "sturdy")).await;
    ws.request(&step(json!({"action_type": "inspect_order"}))).await;
    let cases: &[(&str, &str)] = &[
        ("{not json", "INVALID_JSON"),
        ("[1, 2]", "INVALID_JSON"),
        (r#"{"data": {}}"#, "UNKNOWN_TYPE"),
        (r#"{"type": ""}"#, "UNKNOWN_TYPE"),
        (r#"{"type": "nope"}"#, "UNKNOWN_TYPE"),
        (r#"{"type": 7}"#, "UNKNOWN_TYPE"),
        (r#"{"type": "step"}"#, "VALIDATION_ERROR"),
        (r#"{"type": "step", "data": {"action_type": "refund"}}"#, "VALIDATION_ERROR"),
        (
            r#"{"type": "step", "data": {"action_type": "inspect_order", "x": 1}}"#,
            "VALIDATION_ERROR",
        ),
        (
            r#"{"type": "step", "data": {"action_type": "issue_refund", "refund_amount_usd": -3}}"#,
            "VALIDATION_ERROR",
        ),
        (r#"{"type": "step", "data": "inspect_order"}"#, "VALIDATION_ERROR"),
        (r#"{"type": "state", "extra": true}"#, "VALIDATION_ERROR"),
        (r#"{"type": "reset", "data": {"seed": -1}}"#, "VALIDATION_ERROR"),
        (r#"{"type": "reset", "data": {"task": "no_such_task"}}"#, "VALIDATION_ERROR"),
        (r#"{"type": "reset", "data": {"tier": "legendary"}}"#, "VALIDATION_ERROR"),
        (
            r#"{"type": "reset", "data": {"task": "refund_policy_recovery", "tier": "hard"}}"#,
            "VALIDATION_ERROR",
        ),
        (r#"{"type": "reset", "data": {"bogus": 1}}"#, "VALIDATION_ERROR"),
        (r#"{"type": "mcp", "data": {"jsonrpc": "2.0", "id": 1, "method": "nope"}}"#, "mcp"),
    ];
    for (message, expected) in cases {
        let reply = ws.request_text(message).await;
        let code = if reply["type"] == "error" { &reply["data"]["code"] } else { &reply["type"] };
        assert_eq!(code, expected, "{message} -> {reply}");
        if reply["type"] == "error" {
            let text = reply["data"]["message"].as_str().unwrap_or_default();
            assert!(text.len() > 10, "{message}: the message must stand on its own: {reply}");
        }
    }
    ws.send_binary(vec![0, 159, 146]).await;
    assert_eq!(ws.reply().await["data"]["code"], "INVALID_JSON");
    let after = ws.request(&state()).await;
    assert_eq!(after["data"]["episode_id"], "sturdy");
    assert_eq!(after["data"]["step_count"], 1, "errors are not steps");
    assert!(server.healthy());
}

#[tokio::test]
async fn validation_errors_locate_every_violation() {
    let server = Server::start(&[]);
    let mut ws = server.connect().await;
    let reply = ws.request_text(r#"{"type":"step","data":{"case_id":3,"bogus":true}}"#).await;
    let locations: Vec<&Value> =
        reply["data"]["errors"].as_array().unwrap().iter().map(|e| &e["loc"]).collect();
    assert_eq!(locations, [&json!(["bogus"]), &json!(["action_type"]), &json!(["case_id"])]);
}

#[tokio::test]
async fn stepping_before_reset_and_after_done_are_execution_errors() {
    let server = Server::start(&[]);
    let mut ws = server.connect().await;
    let early = ws.request(&step(json!({"action_type": "inspect_order"}))).await;
    assert_eq!(early["data"]["code"], "EXECUTION_ERROR");
    assert_eq!(ws.request(&state()).await["data"], json!({"episode_id": null, "step_count": 0}));
    ws.request(&reset("refund_policy_recovery", 3, "short")).await;
    let mut done = false;
    let mut steps = 0;
    while !done {
        let reply = ws.request(&step(json!({"action_type": "close_case"}))).await;
        done = reply["data"]["done"].as_bool().expect("done flag");
        steps += 1;
        assert!(steps <= 100, "the episode never ended");
    }
    let late = ws.request(&step(json!({"action_type": "inspect_order"}))).await;
    assert_eq!(late["data"]["code"], "EXECUTION_ERROR");
    assert!(late["data"]["message"].as_str().unwrap().starts_with("episode_done"), "{late}");
    let again = ws.request(&reset("refund_policy_recovery", 3, "again")).await;
    assert_eq!(again["data"]["observation"]["episode_id"], "again");
}

#[tokio::test]
async fn oversized_frames_close_with_1009_and_idle_sessions_are_reaped() {
    let server = Server::start(&["--max-frame-bytes", "1024", "--idle-timeout", "1"]);
    let mut big = server.connect().await;
    big.send_text(&format!(r#"{{"type":"reset","data":{{"episode_id":"{}"}}}}"#, "x".repeat(4096)))
        .await;
    assert_eq!(big.closed_with().await, Some(1009));
    let mut idle = server.connect().await;
    assert_eq!(idle.closed_with().await, Some(1000));
    assert!(server.healthy());
}

/// The idle timeout counts from the last message, not from the connection: a session that
/// keeps talking outlives it several times over, and is reaped once it falls silent.
#[tokio::test]
async fn active_sessions_outlive_the_idle_timeout() {
    let server = Server::start(&["--idle-timeout", "1"]);
    let mut ws = server.connect().await;
    let started = std::time::Instant::now();
    let mut seed = 0;
    while started.elapsed() < std::time::Duration::from_millis(2600) {
        let reply = ws.request(&reset("refund_policy_recovery", seed, "busy")).await;
        assert_eq!(reply["type"], "observation", "closed while active: {reply}");
        seed += 1;
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    }
    let silent = std::time::Instant::now();
    assert_eq!(ws.closed_with().await, Some(1000));
    assert!(silent.elapsed() >= std::time::Duration::from_millis(500), "{:?}", silent.elapsed());
}

#[tokio::test]
async fn close_ends_the_session_without_a_reply() {
    let server = Server::start(&[]);
    let mut ws = server.connect().await;
    ws.send_text(r#"{"type":"close"}"#).await;
    assert_eq!(ws.closed_with().await, Some(1000));
}

#[test]
fn http_episodes_continue_by_id() {
    let server = Server::start(&[]);
    let (status, first) =
        server.http("POST", "/reset", Some(r#"{"seed":42,"episode_id":"http-1"}"#));
    assert_eq!(status, 200);
    assert_eq!(first["reward"], Value::Null);
    assert_eq!(first["observation"]["current_task"], "refund_policy_recovery");
    assert!(first["observation"].get("reward").is_none());
    let refund = r#"{"action":{"action_type":"issue_refund"},"episode_id":"http-1"}"#;
    let (status, invalid) = server.http("POST", "/step", Some(refund));
    assert_eq!(status, 200, "a rule-invalid action is a penalised step");
    let error =
        invalid["metadata"]["last_action_error"].as_str().expect("the error reaches the client");
    assert!(error.starts_with("refund_amount_required: "), "{error}");
    let (_, stored) = server.http("GET", "/state?episode_id=http-1", None);
    assert_eq!(stored["step_count"], 1);
    assert_eq!(server.http("GET", "/state?episode_id=nobody", None).0, 404);
    let unknown = r#"{"action":{"action_type":"inspect_order"},"episode_id":"nobody"}"#;
    assert_eq!(server.http("POST", "/step", Some(unknown)).0, 404);
    let close = r#"{"action":{"action_type":"close_case"},"episode_id":"http-1"}"#;
    while !server.http("POST", "/step", Some(close)).1["done"].as_bool().unwrap_or(true) {}
    let (status, body) = server.http("POST", "/step", Some(close));
    assert_eq!(status, 409, "{body}");
    let (status, fresh) = server.http("GET", "/state", None);
    assert_eq!((status, &fresh["step_count"]), (200, &json!(0)));
}

#[test]
fn bad_http_requests_get_4xx_with_a_detail() {
    let server = Server::start(&["--max-body-bytes", "4096"]);
    let huge = format!(r#"{{"episode_id":"{}"}}"#, "x".repeat(8192));
    let cases: &[(&str, &str, Option<&str>, u16, &str)] = &[
        ("POST", "/step", Some("{}"), 422, "missing"),
        ("POST", "/step", Some("{bad"), 422, "json_invalid"),
        (
            "POST",
            "/step",
            Some(r#"{"action":{"action_type":"inspect_order","bogus":1}}"#),
            422,
            "extra_forbidden",
        ),
        (
            "POST",
            "/step",
            Some(r#"{"action":{"action_type":"inspect_order"},"x":1}"#),
            422,
            "extra_forbidden",
        ),
        (
            "POST",
            "/step",
            Some(r#"{"action":{"action_type":"inspect_order"},"timeout_s":0}"#),
            422,
            "greater_than",
        ),
        ("POST", "/step", Some("[]"), 422, "model_type"),
        ("POST", "/reset", Some(r#"{"seed":-1}"#), 422, "greater_than_equal"),
        ("POST", "/reset", Some(r#"{"seed":1.5}"#), 422, "int_type"),
        ("POST", "/reset", Some(r#"{"seed":18446744073709551616}"#), 422, "less_than_equal"),
        ("POST", "/reset", Some(r#"{"task":"nope"}"#), 422, "unknown_task"),
        ("POST", "/reset", Some(r#"{"tier":"legendary"}"#), 422, "unknown_tier"),
        (
            "POST",
            "/reset",
            Some(r#"{"tier":"hard","task":"refund_policy_recovery"}"#),
            422,
            "task_tier_mismatch",
        ),
        ("POST", "/reset", Some(r#"{"episode_id":""}"#), 422, "string_too_short"),
        ("POST", "/reset", Some(&huge), 413, ""),
        ("GET", "/reset", None, 405, ""),
        ("GET", "/nowhere", None, 404, ""),
    ];
    for (method, path, body, status, kind) in cases {
        let (got, detail) = server.http(method, path, *body);
        assert_eq!(got, *status, "{method} {path} {body:?} -> {detail}");
        assert!(detail.get("detail").is_some(), "{method} {path}: {detail}");
        if !kind.is_empty() {
            assert_eq!(detail["detail"][0]["type"], *kind, "{method} {path} {body:?}");
        }
    }
    let (status, _) = server.http("POST", "/reset", None);
    assert_eq!(status, 200, "a bodiless reset is a default reset");
    let (_, hard) = server.http("POST", "/reset", Some(r#"{"tier":"hard"}"#));
    assert_eq!(hard["observation"]["difficulty"], "hard");
    assert!(server.healthy());
}

#[test]
fn documents_follow_the_protocol() {
    let server = Server::start(&[]);
    let (_, metadata) = server.http("GET", "/metadata", None);
    let mut keys: Vec<&str> = metadata.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["author", "description", "documentation_url", "name", "readme_content", "version"]
    );
    let (_, schema) = server.http("GET", "/schema", None);
    for key in ["action", "observation", "state"] {
        assert_eq!(schema[key]["$schema"], "https://json-schema.org/draft/2020-12/schema", "{key}");
    }
    for field in ["reward", "done", "metadata"] {
        assert!(schema["observation"]["properties"].get(field).is_some(), "{field}");
    }
    let (_, openapi) = server.http("GET", "/openapi.json", None);
    assert_eq!(openapi["openapi"], "3.1.0");
    assert_eq!(openapi["info"]["version"], "1.0.0");
    for path in ["/reset", "/step", "/state", "/health", "/metadata", "/schema", "/mcp"] {
        assert!(openapi["paths"].get(path).is_some(), "{path}");
    }
    let text = openapi.to_string();
    assert!(!text.contains("#/$defs/"), "every $ref resolves inside the document");
}

#[test]
fn mcp_lists_the_actions_as_tools_and_plays_them() {
    let server = Server::start(&[]);
    let rpc = |body: Value| {
        let (status, reply) = server.http("POST", "/mcp", Some(&body.to_string()));
        assert_eq!(status, 200, "every MCP answer is HTTP 200");
        reply
    };
    assert_eq!(rpc(json!({}))["error"]["code"], -32600);
    assert_eq!(server.http("POST", "/mcp", Some("{oops")).1["error"]["code"], -32700);
    assert_eq!(rpc(json!({"jsonrpc": "2.0", "id": 1, "method": "nope"}))["error"]["code"], -32601);
    let init = rpc(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}));
    assert_eq!(init["result"]["serverInfo"]["name"], "shopops");
    let tools = rpc(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
    let tools = tools["result"]["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 12);
    assert!(tools.iter().all(|t| t["inputSchema"]["properties"].get("action_type").is_none()));
    let session = rpc(json!({"jsonrpc": "2.0", "id": 3, "method": "openenv/session/create",
        "params": {"task": "sla_queue_juggle", "seed": 4}}));
    let id = session["result"]["session_id"].as_str().unwrap().to_string();
    let call = |name: &str, arguments: Value| {
        rpc(json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call",
            "params": {"name": name, "arguments": arguments, "session_id": id}}))
    };
    let inspected = call("inspect_order", json!({}));
    assert_eq!(inspected["result"]["isError"], false);
    assert_eq!(inspected["result"]["structuredContent"]["observation"]["step_index"], 1);
    assert_eq!(call("issue_refund", json!({}))["result"]["isError"], true);
    assert_eq!(call("inspect_order", json!({"bogus": 1}))["error"]["code"], -32602);
    assert_eq!(call("reset", json!({}))["error"]["code"], -32602);
    let closed = rpc(json!({"jsonrpc": "2.0", "id": 5, "method": "openenv/session/close",
        "params": {"session_id": id}}));
    assert_eq!(closed["result"]["closed"], true);
    assert_eq!(call("inspect_order", json!({}))["error"]["code"], -32602);
}
