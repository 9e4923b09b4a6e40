//! Issue 13 on the real binary: error answers stay small whatever the request (at most 20
//! violations listed, one `too_many_errors` item counting the rest, echoed strings cut to 256
//! characters); quoted numbers and booleans are read as pydantic's lax mode reads them, over
//! HTTP, WebSocket and MCP; an MCP notification gets no response; `episode_id` has one limit
//! wherever it is read.

#![cfg(feature = "server")]

mod support;

use serde_json::{Value, json};
use support::server::Server;

/// The most any error answer here may weigh.
const SMALL: usize = 8 * 1024;
/// Violations listed before the `too_many_errors` item.
const LISTED: usize = 20;
/// Unknown keys in the flood requests.
const KEYS: usize = 85_000;

/// `"k0":0,"k1":0,...`: `KEYS` unknown keys, about 850 KB.
fn unknown_keys() -> String {
    (0..KEYS).map(|i| format!(r#""k{i}":0"#)).collect::<Vec<_>>().join(",")
}

/// A 422 whose raw body is under [`SMALL`]: its `detail` list.
fn small_422(server: &Server, path: &str, body: &str) -> Vec<Value> {
    let (status, _, bytes) = server.raw_http("POST", path, body);
    assert_eq!(status, 422, "{path}: {}", String::from_utf8_lossy(&bytes));
    assert!(bytes.len() < SMALL, "{path}: a 422 of {} bytes", bytes.len());
    let reply: Value = serde_json::from_slice(&bytes).expect("JSON");
    reply["detail"].as_array().expect("a detail list").clone()
}

/// The `too_many_errors` item after `LISTED` listed ones, counting `unlisted`.
fn assert_capped(items: &[Value], unlisted: usize) {
    assert_eq!(items.len(), LISTED + 1, "{items:?}");
    let last = &items[LISTED];
    assert_eq!(last["type"], "too_many_errors", "{last}");
    assert_eq!((&last["loc"], &last["input"]), (&json!([]), &Value::Null), "{last}");
    assert_eq!(last["ctx"], json!({"max_listed": LISTED, "unlisted": unlisted}));
    let msg = last["msg"].as_str().expect("msg");
    assert!(msg.contains(&format!("{unlisted} more violations")), "{msg}");
    for item in &items[..LISTED] {
        assert_eq!(item["type"], "extra_forbidden", "{item}");
    }
}

#[test]
fn a_flood_of_unknown_keys_gets_twenty_items_and_a_count() {
    let keys = unknown_keys();
    // The default body limit (64 KiB) refuses the flood before it is read as JSON ...
    let (status, _, _) = Server::start(&[]).raw_http("POST", "/reset", &format!("{{{keys}}}"));
    assert_eq!(status, 413);
    // ... and with the spec's 1 MiB, the answer still lists 20 and counts the rest.
    let server = Server::start(&["--max-body-bytes", "1048576"]);
    let reset = small_422(&server, "/reset", &format!("{{{keys}}}"));
    assert_capped(&reset, KEYS - LISTED);
    assert_eq!(reset[0]["loc"], json!(["body", "k0"]));
    let step = format!(r#"{{"action":{{"action_type":"inspect_order",{keys}}}}}"#);
    let step = small_422(&server, "/step", &step);
    assert_capped(&step, KEYS - LISTED);
    assert_eq!(step[0]["loc"], json!(["k0"]), "action fields are located in the action");
    let check = small_422(&server, "/check", &format!(r#"{{"source":"",{keys}}}"#));
    assert_capped(&check, KEYS - LISTED);
    // Violations of the body and of the action share the one cap.
    let both: String = (0..15).map(|i| format!(r#","b{i}":0"#)).collect();
    let both = format!(r#"{{"action":{{"action_type":"inspect_order",{keys}}}{both}}}"#);
    let both = small_422(&server, "/step", &both);
    assert_capped(&both[..], KEYS + 15 - LISTED);
    assert_eq!((&both[0]["loc"], &both[15]["loc"]), (&json!(["body", "b0"]), &json!(["k0"])));
    assert!(server.healthy());
}

#[tokio::test]
async fn a_flood_of_unknown_keys_over_websocket_gets_a_small_validation_error() {
    // Over the default frame limit (64 KiB) the flood is refused with 1009; with 1 MiB, it
    // is read and answered small.
    let server = Server::start(&["--max-frame-bytes", "1048576"]);
    let mut ws = server.connect().await;
    ws.request(&json!({"type": "reset", "data": {"seed": 1}})).await;
    let keys = unknown_keys();
    ws.send_text(&format!(r#"{{"type":"step","data":{{"action_type":"inspect_order",{keys}}}}}"#))
        .await;
    let reply = ws.reply().await;
    let text = reply.to_string();
    assert!(text.len() < SMALL, "an error frame of {} bytes", text.len());
    assert_eq!(reply["data"]["code"], "VALIDATION_ERROR", "{reply}");
    assert_capped(reply["data"]["errors"].as_array().expect("errors"), KEYS - LISTED);
    let message = reply["data"]["message"].as_str().expect("message");
    assert!(message.ends_with("84980 more violations not listed (at most 20 are)"), "{message}");
    ws.send_text(&format!(r#"{{"type":"reset","data":{{{keys}}}}}"#)).await;
    let reply = ws.reply().await;
    assert!(reply.to_string().len() < SMALL);
    assert_capped(reply["data"]["errors"].as_array().expect("errors"), KEYS - LISTED);
    let state = ws.request(&json!({"type": "state"})).await;
    assert_eq!(state["data"]["step_count"], 0, "errors are not steps");
}

#[test]
fn a_mebibyte_string_in_an_error_comes_back_cut_to_256_characters() {
    let server = Server::start(&["--max-body-bytes", "4194304"]);
    let long = "x".repeat(1 << 20);
    let cut = format!("{}…[{} more characters]", "x".repeat(256), (1 << 20) - 256);
    let reset = small_422(&server, "/reset", &json!({"episode_id": long}).to_string());
    assert_eq!((&reset[0]["type"], &reset[0]["input"]), (&json!("string_too_long"), &json!(cut)));
    let step = json!({"action": {"action_type": "switch_case", "case_id": long}});
    let step = small_422(&server, "/step", &step.to_string());
    assert_eq!((&step[0]["loc"], &step[0]["input"]), (&json!(["case_id"]), &json!(cut)));
    // A long key is cut where it is repeated: in `loc` and in `msg`.
    let key = small_422(&server, "/reset", &json!({ long.as_str(): 1 }).to_string());
    assert_eq!(key[0]["loc"], json!(["body", cut]));
    assert!(key[0]["msg"].as_str().expect("msg").chars().count() < 300, "{}", key[0]["msg"]);
    // An array or object is echoed as its JSON text, cut.
    let list = json!({"action": {"action_type": "close_case", "metadata": vec![1; 300_000]}});
    let list = small_422(&server, "/step", &list.to_string());
    let input = list[0]["input"].as_str().expect("the array as text");
    assert!(input.starts_with("[1,1,1") && input.ends_with("more characters]"), "{input}");
    // Text that is not JSON is not echoed at all.
    let garbage = small_422(&server, "/step", &format!("{{{long}"));
    assert_eq!(garbage[0]["type"], "json_invalid");
}

/// A stored HTTP episode of the easy task with `seed`, under `id`.
fn reset(server: &Server, id: &str) {
    let body = json!({"task": "refund_policy_recovery", "seed": 7, "episode_id": id});
    assert_eq!(server.http("POST", "/reset", Some(&body.to_string())).0, 200);
}

/// What a step did, without the episode's id.
fn outcome(envelope: &Value) -> Value {
    json!([
        envelope["reward"],
        envelope["observation"]["latest_tool_result"],
        envelope["observation"]["resources"],
        envelope["observation"]["metadata"]["last_action_error"],
    ])
}

/// Quoted scalars and the plain ones they stand for.
fn lenient_actions() -> [(Value, Value); 3] {
    [
        (
            json!({"action_type": "issue_refund", "refund_amount_usd": "83.39"}),
            json!({"action_type": "issue_refund", "refund_amount_usd": 83.39}),
        ),
        (
            json!({"action_type": "ship_replacement", "expedite": "true"}),
            json!({"action_type": "ship_replacement", "expedite": true}),
        ),
        (
            json!({"action_type": "ship_replacement", "expedite": 0}),
            json!({"action_type": "ship_replacement"}),
        ),
    ]
}

#[test]
fn quoted_numbers_and_booleans_step_as_their_values_over_http() {
    let server = Server::start(&[]);
    for (i, (quoted, plain)) in lenient_actions().into_iter().enumerate() {
        let mut outcomes = Vec::new();
        for (side, action) in [("quoted", quoted.clone()), ("plain", plain)] {
            let id = format!("{side}-{i}");
            reset(&server, &id);
            let step = json!({"action": action, "episode_id": id}).to_string();
            let (status, reply) = server.http("POST", "/step", Some(&step));
            assert_eq!(status, 200, "{step}: {reply}");
            assert_eq!(reply["observation"]["step_index"], 1);
            outcomes.push(outcome(&reply));
        }
        assert_eq!(outcomes[0], outcomes[1], "{quoted}");
    }
    let state = server.http("GET", "/state?episode_id=quoted-0", None).1;
    assert_eq!(state["step_count"], 1);
}

#[tokio::test]
async fn quoted_numbers_and_booleans_step_over_websocket_and_mcp() {
    let server = Server::start(&[]);
    for (quoted, plain) in lenient_actions() {
        let mut outcomes = Vec::new();
        for action in [&quoted, &plain] {
            let mut ws = server.connect().await;
            let data = json!({"task": "refund_policy_recovery", "seed": 7, "episode_id": "w"});
            ws.request(&json!({"type": "reset", "data": data})).await;
            let reply = ws.request(&json!({"type": "step", "data": action})).await;
            assert_eq!(reply["type"], "observation", "{action}: {reply}");
            outcomes.push(outcome(&reply["data"]));
            // The same action as an MCP tool call on the session's episode.
            let mut arguments = action.clone();
            let name = arguments.as_object_mut().and_then(|a| a.remove("action_type"));
            let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": name, "arguments": arguments}});
            let reply = ws.request(&json!({"type": "mcp", "data": call})).await;
            let result = &reply["data"]["result"]["structuredContent"];
            assert_eq!(result["observation"]["step_index"], 2, "{action}: {reply}");
        }
        assert_eq!(outcomes[0], outcomes[1], "{quoted}");
        // Over HTTP MCP too (a throw-away episode).
        let mut arguments = quoted.clone();
        let name = arguments.as_object_mut().and_then(|a| a.remove("action_type"));
        let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": name, "arguments": arguments}});
        let (status, reply) = server.http("POST", "/mcp", Some(&call.to_string()));
        assert_eq!(status, 200);
        assert!(reply["result"]["structuredContent"]["reward"].is_number(), "{reply}");
    }
}

#[tokio::test]
async fn an_unreadable_boolean_is_still_a_422_of_the_same_shape() {
    let server = Server::start(&[]);
    let maybe = json!({"action_type": "ship_replacement", "expedite": "maybe"});
    let body = json!({"action": maybe}).to_string();
    let (status, reply) = server.http("POST", "/step", Some(&body));
    assert_eq!(status, 422);
    let item = &reply["detail"][0];
    assert_eq!(reply["detail"].as_array().map(Vec::len), Some(1), "{reply}");
    assert_eq!(
        (&item["type"], &item["loc"], &item["input"]),
        (&json!("bool_parsing"), &json!(["expedite"]), &json!("maybe"))
    );
    assert!(item["msg"].as_str().expect("msg").starts_with("expedite must be a boolean"));
    let mut ws = server.connect().await;
    ws.request(&json!({"type": "reset"})).await;
    let frame = ws.request(&json!({"type": "step", "data": maybe})).await;
    assert_eq!(frame["data"]["code"], "VALIDATION_ERROR");
    assert_eq!(frame["data"]["errors"], reply["detail"], "the same items over WebSocket");
    let call = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "ship_replacement", "arguments": {"expedite": "maybe"}}});
    let (_, rpc) = server.http("POST", "/mcp", Some(&call.to_string()));
    assert_eq!(rpc["error"]["code"], -32602, "{rpc}");
    assert!(rpc["error"]["message"].as_str().expect("message").contains("expedite"));
}

#[tokio::test]
async fn an_mcp_notification_gets_no_response() {
    let server = Server::start(&[]);
    for method in ["notifications/initialized", "tools/call", "openenv/session/create", "nope"] {
        let notification =
            json!({"jsonrpc": "2.0", "method": method, "params": {"name": "close_case"}});
        let (status, headers, body) = server.raw_http("POST", "/mcp", &notification.to_string());
        assert_eq!((status, body.len()), (202, 0), "{method}: {headers}");
    }
    // A request with a null id is a request, not a notification.
    let ping = json!({"jsonrpc": "2.0", "id": null, "method": "ping"}).to_string();
    assert_eq!(server.http("POST", "/mcp", Some(&ping)).1["result"], json!({}));
    // Something that is not a request is still answered, with a null id.
    let (status, reply) = server.http("POST", "/mcp", Some(r#"{"method":"ping"}"#));
    assert_eq!((status, &reply["error"]["code"]), (200, &json!(-32600)));
    // A batch is one error: MCP dropped batching.
    let batch = json!([{"jsonrpc": "2.0", "id": 1, "method": "ping"}]).to_string();
    let (status, reply) = server.http("POST", "/mcp", Some(&batch));
    assert_eq!(
        (status, &reply["id"], &reply["error"]["code"]),
        (200, &Value::Null, &json!(-32600))
    );
    // Over a WebSocket a notification gets no frame: the next reply is the next request's, and
    // a notified tools/call did not step the episode.
    let mut ws = server.connect().await;
    ws.request(&json!({"type": "reset"})).await;
    for method in ["notifications/initialized", "tools/call"] {
        let notification =
            json!({"jsonrpc": "2.0", "method": method, "params": {"name": "inspect_order"}});
        ws.send_text(&json!({"type": "mcp", "data": notification}).to_string()).await;
    }
    let state = ws.request(&json!({"type": "state"})).await;
    assert_eq!((&state["type"], &state["data"]["step_count"]), (&json!("state"), &json!(0)));
    let ping = json!({"type": "mcp", "data": {"jsonrpc": "2.0", "id": 9, "method": "ping"}});
    assert_eq!(ws.request(&ping).await["data"]["id"], 9);
}

#[test]
fn episode_id_has_one_limit_on_reset_step_and_state() {
    let server = Server::start(&[]);
    let long = "e".repeat(300);
    let step = json!({"action": {"action_type": "inspect_order"}, "episode_id": long});
    let cases = [
        ("POST", "/reset".to_string(), json!({"episode_id": long}).to_string(), "body"),
        ("POST", "/step".to_string(), step.to_string(), "body"),
        ("GET", format!("/state?episode_id={long}"), String::new(), "query"),
    ];
    for (method, path, body, scope) in cases {
        let (status, reply) = server.http(method, &path, Some(&body));
        assert_eq!(status, 422, "{method} {path}: {reply}");
        let item = &reply["detail"][0];
        assert_eq!(item["type"], "string_too_long", "{path}");
        assert_eq!(item["loc"], json!([scope, "episode_id"]), "{path}");
        assert_eq!(item["msg"], "episode_id must be at most 255 characters");
    }
    let fits = "e".repeat(255);
    reset(&server, &fits);
    assert_eq!(server.http("GET", &format!("/state?episode_id={fits}"), None).0, 200);
    let (status, reply) = server.http("GET", "/state?episode_id=", None);
    assert_eq!((status, &reply["detail"][0]["type"]), (422, &json!("string_too_short")));
    let empty = json!({"action": {"action_type": "inspect_order"}, "episode_id": ""});
    let (status, reply) = server.http("POST", "/step", Some(&empty.to_string()));
    assert_eq!((status, &reply["detail"][0]["type"]), (422, &json!("string_too_short")));
}
