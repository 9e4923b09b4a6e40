//! Recorded trajectories (docs/evaluating.md): `eval --out` records every episode, `serve
//! --record` every episode of any client, and `replay` reproduces them bit for bit, catches a
//! tampered or re-versioned one, re-grades and forks.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};
use support::server::Server;
use support::shopops;

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("results file")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shopops-traj-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

#[test]
fn eval_records_every_episode_and_every_one_replays() {
    let dir = temp("eval");
    let out = dir.join("results.jsonl");
    let run = shopops(&["eval", "--seeds", "3", "--trials", "2", "--out", path(&out)]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let episodes = lines(&out);
    assert_eq!(episodes.len(), 3 * 3 * 2, "tasks × seeds × trials");
    let first = &episodes[0];
    assert_eq!(first["format_version"], 1);
    assert_eq!(first["agent"], json!({"kind": "policy", "name": "rule"}));
    assert_eq!(first["status"], "finished");
    assert_eq!(
        (first["task"].as_str(), first["seed"].as_u64()),
        (Some("refund_policy_recovery"), Some(1))
    );
    assert_eq!((episodes[1]["seed"].as_u64(), episodes[1]["trial"].as_u64()), (Some(1), Some(1)));
    let steps = first["steps"].as_array().expect("steps");
    assert_eq!(first["summary"]["steps"].as_u64(), Some(steps.len() as u64));
    let sum: f64 = steps.iter().map(|s| s["reward"].as_f64().expect("reward")).sum();
    assert!((sum - first["total_reward"].as_f64().expect("total")).abs() < 1e-3);

    let metadata: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("metadata.json")).expect("metadata"),
    )
    .expect("JSON");
    assert_eq!(metadata["episodes"], json!({"finished": 18, "failed": 0, "abandoned": 0}));
    assert_eq!(metadata["seeds"], json!([1, 2, 3]));
    assert_eq!(metadata["trials"], 2);
    assert_eq!(metadata["pass_threshold"], 0.95);
    assert_eq!(metadata["scenarios"].as_array().map(Vec::len), Some(3));

    let replay = shopops(&["replay", path(&out)]);
    assert_eq!(replay.status.code(), Some(0), "{}", stdout(&replay));
    assert_eq!(stdout(&replay), "18 episodes replay bit for bit\n");
}

#[test]
fn a_tampered_trajectory_is_caught_at_its_step() {
    let dir = temp("tampered");
    let out = dir.join("results.jsonl");
    assert!(
        shopops(&["eval", "--seeds", "1", "--task", "sla_queue_juggle", "--out", path(&out)])
            .status
            .success()
    );
    let mut episode = lines(&out).remove(0);
    episode["steps"][2]["reward"] = json!(0.75);
    std::fs::write(&out, format!("{episode}\n")).expect("write");
    let replay = shopops(&["replay", path(&out)]);
    assert_eq!(replay.status.code(), Some(1));
    let text = stdout(&replay);
    assert!(
        text.contains(":1: sla_queue_juggle seed 1 trial 0: step 3: `reward` was recorded as 0.75"),
        "{text}"
    );
    assert!(text.ends_with("1 of 1 episodes do not replay\n"), "{text}");

    // A newer format is named as such.
    std::fs::write(&out, "{\"format_version\": 2}\n").expect("write");
    let future = shopops(&["replay", path(&out)]);
    assert_eq!(future.status.code(), Some(2));
    let error = String::from_utf8_lossy(&future.stderr);
    assert!(
        error.contains(
            "results.jsonl:1: trajectory format version 2 (this ShopOps reads version 1)"
        ),
        "{error}"
    );
}

#[test]
fn a_changed_scenario_is_refused_then_regraded() {
    let dir = temp("regrade");
    let scenarios = dir.join("scenarios");
    support::copy_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")), &scenarios);
    let out = dir.join("results.jsonl");
    let eval = ["eval", path(&scenarios), "--task", "refund_policy_recovery", "--seeds", "4"];
    assert!(shopops(&[&eval[..], &["--out", path(&out)]].concat()).status.success());

    // The author moves grade weight from outcome to policy.
    let file = scenarios.join("refund_policy_recovery.shop");
    let text = std::fs::read_to_string(&file).expect("scenario");
    let edited = text
        .replace("weight outcome 0.40", "weight outcome 0.30")
        .replace("weight policy 0.25", "weight policy 0.35");
    assert_ne!(text, edited, "the weights are where the test expects them");
    std::fs::write(&file, edited).expect("edit");

    let refused = shopops(&["replay", path(&out), "--scenarios", path(&scenarios)]);
    assert_eq!(refused.status.code(), Some(1));
    let text = stdout(&refused);
    assert!(text.contains("the scenario is now version"), "{text}");
    assert!(text.contains("re-grade it with `shopops replay --regrade`"), "{text}");

    let regraded_file = dir.join("regraded.jsonl");
    let regrade = shopops(&[
        "replay",
        path(&out),
        "--scenarios",
        path(&scenarios),
        "--regrade",
        "--out",
        path(&regraded_file),
    ]);
    assert_eq!(regrade.status.code(), Some(0));
    let text = stdout(&regrade);
    // The rule baseline scores below full outcome on some seeds: those grades move.
    let changed: usize = text
        .lines()
        .last()
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(
        changed > 0 && text.ends_with(&format!("{changed} of 4 episodes changed grade\n")),
        "{text}"
    );
    assert!(text.contains("grade 0."), "{text}");
    assert!(
        text.contains("    weight outcome 0.4000 → 0.3000\n    weight policy 0.2500 → 0.3500\n"),
        "{text}"
    );
    // The same actions get the same answers up to the last step, whose terminal reward
    // follows the grade.
    assert!(text.contains("    first change: step "), "{text}");
    // The re-graded file replays on the new version.
    let again = shopops(&["replay", path(&regraded_file), "--scenarios", path(&scenarios)]);
    assert_eq!(stdout(&again), "4 episodes replay bit for bit\n");
}

#[test]
fn resume_keeps_what_finished_and_plays_the_rest() {
    let dir = temp("resume");
    let out = dir.join("results.jsonl");
    assert!(shopops(&["eval", "--seeds", "2", "--out", path(&out)]).status.success());
    let before = std::fs::read_to_string(&out).expect("file");
    // A run killed while writing leaves a cut-off last line: it is dropped, not fatal.
    std::fs::write(&out, format!("{before}{{\"format_version\":1,\"task\"")).expect("append");
    let resumed = shopops(&["eval", "--seeds", "3", "--out", path(&out), "--resume"]);
    assert!(resumed.status.success(), "{}", String::from_utf8_lossy(&resumed.stderr));
    let episodes = lines(&out);
    assert_eq!(episodes.len(), 9);
    let mut keys: Vec<(String, u64)> = episodes
        .iter()
        .map(|e| (e["task"].as_str().expect("task").to_string(), e["seed"].as_u64().expect("seed")))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 9, "no episode twice");
    // The kept episodes are the very lines written before.
    let kept: Vec<&str> = before.lines().collect();
    let now = std::fs::read_to_string(&out).expect("file");
    assert!(kept.iter().all(|line| now.lines().any(|l| l == *line)));
}

#[test]
fn a_fork_plays_the_recorded_prefix_then_the_what_if() {
    let dir = temp("fork");
    let out = dir.join("results.jsonl");
    assert!(
        shopops(&["eval", "--seeds", "1", "--task", "refund_policy_recovery", "--out", path(&out)])
            .status
            .success()
    );
    let fork = dir.join("fork.jsonl");
    let run = shopops(&[
        "replay",
        path(&out),
        "--episode",
        "1",
        "--at",
        "2",
        "--then",
        r#"[{"action_type": "close_case"}]"#,
        "--out",
        path(&fork),
    ]);
    assert_eq!(run.status.code(), Some(0));
    let text = stdout(&run);
    assert!(text.contains("\nrecorded: grade "), "{text}");
    assert!(text.contains("   3  close_case"), "the what-if's transcript: {text}");
    assert!(
        text.contains("what-if (recorded steps 1–2, then 1 actions): unfinished after 3 steps"),
        "{text}"
    );
    let forked = lines(&fork).remove(0);
    let recorded = lines(&out).remove(0);
    assert_eq!(forked["steps"][0], recorded["steps"][0]);
    assert_eq!(forked["steps"][1], recorded["steps"][1]);
    assert_eq!(forked["steps"][2]["action"], json!({"action_type": "close_case"}));
    assert!(forked["steps"][2]["last_action_error"].is_string(), "closing unresolved is refused");
}

#[tokio::test]
async fn the_server_records_every_episode_of_every_transport() {
    let dir = temp("serve");
    let record = dir.join("recorded");
    let mut server = Server::start(&["--record", path(&record)]);

    // WebSocket: an episode played to its end (rule-breaking closes until the invalid limit).
    let mut ws = server.connect().await;
    ws.request(&json!({"type": "reset", "data": {"task": "sla_queue_juggle", "seed": 5}})).await;
    let mut done = false;
    for _ in 0..50 {
        let reply = ws.request(&json!({"type": "step", "data": {"action_type": "close_case", "metadata": {"big": "ignored"}}})).await;
        if reply["data"]["done"] == true {
            done = true;
            break;
        }
    }
    assert!(done, "the invalid-action limit ends the episode");
    // HTTP: an episode left after two steps, replaced by a reset of the same id.
    let reset = r#"{"task": "refund_policy_recovery", "seed": 9, "episode_id": "h"}"#;
    server.http("POST", "/reset", Some(reset));
    for action in ["inspect_order", "inspect_policy"] {
        let body = format!(r#"{{"action": {{"action_type": "{action}"}}, "episode_id": "h"}}"#);
        assert_eq!(server.http("POST", "/step", Some(&body)).0, 200);
    }
    server.http("POST", "/reset", Some(reset));
    // MCP: a session with one call, closed.
    let (_, created) = server.http("POST", "/mcp", Some(r#"{"jsonrpc": "2.0", "id": 1, "method": "openenv/session/create", "params": {"task": "fraud_stockout_cascade", "seed": 3}}"#));
    let session = created["result"]["session_id"].as_str().expect("session").to_string();
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "inspect_order", "session_id": session}});
    server.http("POST", "/mcp", Some(&call.to_string()));
    let close = json!({"jsonrpc": "2.0", "id": 3, "method": "openenv/session/close", "params": {"session_id": session}});
    server.http("POST", "/mcp", Some(&close.to_string()));
    drop(ws);
    assert!(server.terminate_within(Duration::from_secs(5)));

    let files: Vec<PathBuf> =
        std::fs::read_dir(&record).expect("record dir").map(|e| e.expect("entry").path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let recorded = lines(&files[0]);
    let find = |transport: &str| {
        recorded
            .iter()
            .find(|t| t["agent"]["name"] == transport)
            .unwrap_or_else(|| panic!("no {transport} episode in {recorded:?}"))
    };
    let websocket = find("websocket");
    assert_eq!(
        (websocket["status"].as_str(), websocket["task"].as_str()),
        (Some("finished"), Some("sla_queue_juggle"))
    );
    assert_eq!(websocket["ending"]["termination_reason"], "invalid_action_limit");
    assert_eq!(
        websocket["steps"][0]["action"],
        json!({"action_type": "close_case"}),
        "metadata is not recorded"
    );
    let http = find("http");
    assert_eq!(
        (http["status"].as_str(), http["steps"].as_array().map(Vec::len)),
        (Some("abandoned"), Some(2))
    );
    assert_eq!(http["episode_id"], "h");
    let mcp = find("mcp");
    assert_eq!((mcp["status"].as_str(), mcp["seed"].as_u64()), (Some("abandoned"), Some(3)));
    assert_eq!(recorded.len(), 3, "episodes without a step are not recorded: {recorded:?}");

    let replay = shopops(&["replay", path(&files[0])]);
    assert_eq!(stdout(&replay), "3 episodes replay bit for bit\n");
}
