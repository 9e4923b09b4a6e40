//! Seed splits end to end on the real binary: reset by split and index over HTTP, WebSocket
//! and MCP (and refusals naming the splits), OpenEnv 0.10's task API, `/openapi.json`'s
//! description of both, and `run --split` / `eval --split`.

#![cfg(feature = "server")]

mod support;

use std::process::Command;

use serde_json::{Value, json};
use support::server::Server;

fn post(server: &Server, path: &str, body: Value) -> (u16, Value) {
    server.http("POST", path, Some(&body.to_string()))
}

/// The task and seed an envelope's observation shows.
fn played(envelope: &Value) -> (String, u64) {
    let meta = &envelope["observation"]["metadata"];
    (meta["task"].as_str().unwrap_or_default().to_string(), meta["seed"].as_u64().unwrap_or(0))
}

#[test]
fn http_reset_plays_the_indexed_row_of_a_split() {
    let server = Server::start(&[]);
    // Tasks in load order (files sorted by path), 100 test seeds each.
    let cases = [
        (json!({"split": "test", "index": 0}), ("fraud_stockout_cascade", 1)),
        (json!({"split": "test", "index": 250}), ("sla_queue_juggle", 51)),
        (json!({"split": "train", "index": 9_800}), ("refund_policy_recovery", 201)),
        (
            json!({"task": "sla_queue_juggle", "split": "test", "index": 50}),
            ("sla_queue_juggle", 51),
        ),
        (
            json!({"tier": "easy", "split": "validation", "index": 7}),
            ("refund_policy_recovery", 108),
        ),
        (json!({"task": "sla_queue_juggle", "split": "test", "seed": 9}), ("sla_queue_juggle", 9)),
    ];
    for (body, (task, seed)) in cases {
        let (status, reply) = post(&server, "/reset", body.clone());
        assert_eq!(status, 200, "{body}: {reply}");
        assert_eq!(played(&reply), (task.to_string(), seed), "{body}");
    }
    // The same episode as reset by its seed.
    let by_index = post(
        &server,
        "/reset",
        json!({"task": "sla_queue_juggle", "split": "test",
        "index": 50, "episode_id": "same"}),
    );
    let by_seed = post(
        &server,
        "/reset",
        json!({"task": "sla_queue_juggle", "seed": 51, "episode_id": "same"}),
    );
    assert_eq!(by_index, by_seed);
    // No index: a random seed of the split.
    let (status, reply) =
        post(&server, "/reset", json!({"task": "sla_queue_juggle", "split": "test"}));
    assert_eq!(status, 200);
    assert!((1..=100).contains(&played(&reply).1), "{reply}");
}

#[test]
fn http_reset_refuses_what_does_not_fit_a_split_with_a_422_naming_it() {
    let server = Server::start(&[]);
    let cases = [
        (
            json!({"split": "dev", "index": 0}),
            "split",
            "unknown_split",
            "the splits are test, validation, train",
        ),
        (
            json!({"task": "sla_queue_juggle", "split": "dev"}),
            "split",
            "unknown_split",
            "the splits of `sla_queue_juggle` are test, validation, train",
        ),
        (json!({"split": "test", "index": 300}), "index", "index_out_of_range", "indices 0 to 299"),
        (
            json!({"task": "sla_queue_juggle", "split": "test", "index": 100}),
            "index",
            "index_out_of_range",
            "split `test` of `sla_queue_juggle` has 100 seeds (1..100)",
        ),
        (
            json!({"task": "sla_queue_juggle", "split": "test", "seed": 500}),
            "seed",
            "seed_not_in_split",
            "seed 500 is not in split `test` of `sla_queue_juggle` (1..100)",
        ),
        (json!({"split": "test", "seed": 5, "index": 2}), "index", "seed_and_index", "not both"),
        (json!({"index": 3}), "index", "index_without_split", "give the split too"),
        (json!({"split": "test", "index": -1}), "index", "greater_than_equal", "greater than"),
        (json!({"split": 7}), "split", "string_type", "split must be a string"),
    ];
    for (body, field, kind, text) in cases {
        let (status, reply) = post(&server, "/reset", body.clone());
        assert_eq!(status, 422, "{body}: {reply}");
        let item = &reply["detail"][0];
        assert_eq!(item["loc"], json!(["body", field]), "{body}: {reply}");
        assert_eq!(item["type"], kind, "{body}: {reply}");
        assert!(item["msg"].as_str().unwrap_or_default().contains(text), "{body}: {reply}");
    }
}

#[tokio::test]
async fn websocket_and_mcp_resets_take_a_split_too() {
    let server = Server::start(&[]);
    let mut ws = server.connect().await;
    let reply =
        ws.request(&json!({"type": "reset", "data": {"split": "test", "index": 150}})).await;
    assert_eq!(reply["type"], "observation", "{reply}");
    assert_eq!(played(&reply["data"]), ("refund_policy_recovery".to_string(), 51));
    let refused = ws.request(&json!({"type": "reset", "data": {"split": "dev"}})).await;
    assert_eq!(refused["type"], "error", "{refused}");
    let text = refused.to_string();
    assert!(text.contains("unknown split `dev`; the splits are test, validation, train"), "{text}");
    // The session survives a refused reset.
    let again = ws.request(&json!({"type": "state"})).await;
    assert_eq!(again["data"]["task"], "refund_policy_recovery", "{again}");

    let rpc = |params: Value| {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "openenv/session/create",
            "params": params});
        post(&server, "/mcp", body).1
    };
    assert!(rpc(json!({"split": "test", "index": 3}))["result"]["session_id"].is_string());
    let error = rpc(json!({"split": "test", "index": 1000}));
    assert_eq!(error["error"]["code"], -32602, "{error}");
    assert!(error.to_string().contains("out of range"), "{error}");
}

#[test]
fn the_task_api_lists_splits_and_tasks_as_openenv_0_10_serves_them() {
    let server = Server::start(&[]);
    assert_eq!(server.http("GET", "/list_environments", None), (200, json!(["shopops"])));
    let (status, splits) = server.http("GET", "/shopops/splits", None);
    assert_eq!(status, 200);
    assert_eq!(
        splits,
        json!([
            {"name": "test", "type": "test", "num_tasks": 300},
            {"name": "validation", "type": "validation", "num_tasks": 300},
            {"name": "train", "type": "train", "num_tasks": 29_400},
        ])
    );
    assert_eq!(
        post(&server, "/ShopOps/num_tasks", json!({"split": "train"})),
        (200, json!({"num_tasks": 29_400}))
    );
    let (status, task) = post(&server, "/shopops/task", json!({"split": "test", "index": 250}));
    assert_eq!(status, 200);
    let spec = json!({"id": "sla_queue_juggle-51", "index": 250, "split": "test",
        "task": "sla_queue_juggle", "difficulty": "medium", "seed": 51});
    assert_eq!(task, json!({"task": spec}));
    // A spec's split and index reset to its task and seed.
    let (_, reset) = post(&server, "/reset", json!({"split": "test", "index": 250}));
    assert_eq!(played(&reset), ("sla_queue_juggle".to_string(), 51));

    let (status, listed) = post(&server, "/shopops/tasks", json!({"split": "train"}));
    assert_eq!(status, 200);
    assert_eq!(listed["tasks"].as_array().map(Vec::len), Some(1_000));
    assert_eq!(
        (&listed["num_tasks"], &listed["truncated"], &listed["env_name"]),
        (&json!(29_400), &json!(true), &json!("shopops"))
    );
    let (_, tail) = post(&server, "/shopops/task_range", json!({"split": "test", "start": -2}));
    let seeds: Vec<&Value> = tail["tasks"].as_array().unwrap().iter().map(|t| &t["seed"]).collect();
    assert_eq!((seeds, &tail["truncated"]), (vec![&json!(99), &json!(100)], &json!(false)));
    let (_, middle) =
        post(&server, "/shopops/task_range", json!({"split": "test", "start": 99, "stop": 101}));
    let rows: Vec<(&Value, &Value)> =
        middle["tasks"].as_array().unwrap().iter().map(|t| (&t["task"], &t["seed"])).collect();
    assert_eq!(
        rows,
        [
            (&json!("fraud_stockout_cascade"), &json!(100)),
            (&json!("refund_policy_recovery"), &json!(1))
        ]
    );

    // Slice bounds however far out are clamped, as Python's are.
    let far = r#"{"split": "test", "start": -9223372036854775809, "stop": 1e30}"#;
    let (status, all) = server.http("POST", "/shopops/task_range", Some(far));
    assert_eq!((status, all["tasks"].as_array().map(Vec::len)), (200, Some(300)), "{all}");

    let (status, reply) = post(&server, "/shopops/task", json!({"split": "test", "index": 300}));
    assert_eq!(status, 400);
    assert!(reply["detail"].as_str().unwrap().contains("indices 0 to 299"), "{reply}");
    let (status, reply) = post(&server, "/shopops/tasks", json!({"split": "dev"}));
    assert_eq!(
        (status, reply),
        (400, json!({"detail": "unknown split `dev`; the splits are test, validation, train"}))
    );
    assert_eq!(post(&server, "/other/tasks", json!({"split": "test"})).0, 404);
    assert_eq!(server.http("GET", "/other/splits", None).0, 404);
    let (status, reply) = post(&server, "/shopops/task", json!({"split": "test", "x": 1}));
    assert_eq!(status, 422);
    let kinds: Vec<&Value> =
        reply["detail"].as_array().unwrap().iter().map(|i| &i["type"]).collect();
    assert_eq!(kinds, [&json!("missing"), &json!("extra_forbidden")], "{reply}");
}

#[test]
fn openapi_describes_the_task_api_and_resets_by_split() {
    let server = Server::start(&[]);
    let (_, document) = server.http("GET", "/openapi.json", None);
    for path in [
        "/list_environments",
        "/{env}/splits",
        "/{env}/tasks",
        "/{env}/num_tasks",
        "/{env}/task",
        "/{env}/task_range",
    ] {
        assert!(document["paths"].get(path).is_some(), "{path} is not described");
    }
    let reset = &document["components"]["schemas"]["ResetRequest"];
    assert_eq!(reset["properties"]["split"]["enum"], json!(["test", "validation", "train", null]));
    let choices = reset["anyOf"].as_array().unwrap();
    let by_task_split = choices
        .iter()
        .find(|c| {
            c["properties"]["task"]["const"] == "sla_queue_juggle"
                && c["properties"]["split"]["const"] == "test"
        })
        .expect("a choice for sla_queue_juggle's test split");
    assert_eq!(by_task_split["anyOf"][0]["properties"]["index"]["maximum"], 99);
    assert_eq!(
        by_task_split["anyOf"][1]["properties"]["seed"]["anyOf"],
        json!([{"type": "integer", "minimum": 1, "maximum": 100}])
    );
}

fn shopops(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_shopops"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("shopops runs");
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8");
    (output.status.code().unwrap_or(-1), text(output.stdout), text(output.stderr))
}

#[test]
fn run_plays_the_indexed_seed_of_a_split() {
    let scenario = "scenarios/sla_queue_juggle.shop";
    let (code, by_split, _) =
        shopops(&["run", scenario, "--split", "test", "--index", "50", "--policy", "rule"]);
    assert_eq!(code, 0);
    let (_, by_seed, _) = shopops(&["run", scenario, "--seed", "51", "--policy", "rule"]);
    assert_eq!(by_split, by_seed);
    let (code, _, stderr) = shopops(&["run", scenario, "--split", "dev"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "unknown split `dev`; the splits of `sla_queue_juggle` are test, validation, train"
        ),
        "{stderr}"
    );
    let (code, _, stderr) = shopops(&["run", scenario, "--split", "test", "--index", "100"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("split `test` of `sla_queue_juggle` has 100 seeds (indices 0 to 99)"),
        "{stderr}"
    );
}

#[test]
fn eval_plays_the_seeds_of_a_split() {
    let json = |args: &[&str]| -> Value {
        let (code, stdout, stderr) = shopops(args);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str(&stdout).expect("JSON")
    };
    let base = ["eval", "--task", "refund_policy_recovery", "--format", "json", "--trials", "2"];
    // The first 5 validation seeds (101..105) are the plain seeds 101..105.
    let by_split = json(&[&base[..], &["--split", "validation", "--seeds", "5"]].concat());
    let by_seed = json(&[&base[..], &["--seed-base", "101", "--seeds", "5"]].concat());
    assert_eq!(by_split["split"], "validation");
    assert_eq!(by_split["seeds"], 5);
    assert_eq!(by_split["tasks"], by_seed["tasks"]);
    // The whole split without --seeds.
    let whole =
        json(&["eval", "--task", "refund_policy_recovery", "--format", "json", "--split", "test"]);
    assert_eq!((&whole["seeds"], &whole["tasks"][0]["episodes"]), (&json!(100), &json!(100)));
    let (code, _, stderr) = shopops(&["eval", "--split", "dev"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown split `dev`"), "{stderr}");
}
