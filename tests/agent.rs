//! `shopops eval --agent openai` against a scripted OpenAI-compatible stub on loopback, and
//! `shopops export`: what is recorded for tool calls, plain-text JSON, garbage, 429s, 500s,
//! 400s and slow replies; pass^k against a hand computation; resume after a kill; and the
//! exported transcripts being the messages the agent sent.

#![cfg(feature = "agent")]

mod support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use support::openai_stub::{
    Answer, Stub, episode_of, hold_call, newest_observation, plan_call, refund_task_plan, status,
    text,
};

const TASK: &str = "refund_policy_recovery";
const KEY: &str = "sk-test-never-recorded";

/// `shopops eval --agent openai` on the easy task against `stub`, with `extra` arguments.
fn eval_command(stub: &Stub, out: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shopops"));
    command
        .args(["eval", "--agent", "openai", "--base-url", &stub.base_url, "--model", "stub-model"])
        .args(["--task", TASK, "--format", "json", "--out"])
        .arg(out)
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("OPENAI_API_KEY", KEY)
        .env("NO_COLOR", "1");
    command
}

fn eval(stub: &Stub, out: &Path, extra: &[&str]) -> Value {
    let output = eval_command(stub, out, extra).output().expect("shopops runs");
    serde_json::from_str(&success(&output)).expect("eval --format json is JSON")
}

/// As [`eval`] for a run in which some episode fails: the report is printed all the same, and
/// the exit status is 1.
fn eval_failing(stub: &Stub, out: &Path, extra: &[&str]) -> Value {
    let output = eval_command(stub, out, extra).output().expect("shopops runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("episode(s) failed; the first"), "{stderr}");
    serde_json::from_slice(&output.stdout).expect("eval --format json is JSON")
}

fn success(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "exit {:?}: {stderr}", output.status);
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

/// The trajectories of a results file.
fn lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("results file");
    text.lines().map(|line| serde_json::from_str(line).expect("a JSON line")).collect()
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("agent-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn action_types(trajectory: &Value) -> Vec<&str> {
    trajectory["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["action"]["action_type"].as_str().expect("action_type"))
        .collect()
}

const PLAN: [&str; 6] = [
    "inspect_order",
    "inspect_policy",
    "inspect_customer_history",
    "issue_refund",
    "add_internal_note",
    "close_case",
];

#[test]
fn tool_calls_that_follow_the_plan_finish_every_episode_with_grade_one() {
    let stub = Stub::start(|request, _| plan_call(request));
    let out = scratch("tools").join("results.jsonl");
    let report = eval(&stub, &out, &["--seeds", "2", "--concurrency", "2"]);

    let trajectories = lines(&out);
    assert_eq!(trajectories.len(), 2);
    for t in &trajectories {
        assert_eq!(t["status"], "finished", "{t}");
        assert_eq!(t["grade"]["score"], 1.0);
        assert_eq!(t["agent"], json!({"kind": "llm", "name": "stub-model"}));
        assert_eq!(action_types(t), PLAN);
        for step in t["steps"].as_array().unwrap() {
            let turn = &step["turn"];
            assert_eq!(
                (&turn["prompt_tokens"], &turn["completion_tokens"]),
                (&json!(100), &json!(10))
            );
            assert_eq!(turn["retries"], 0);
            assert!(turn.get("unusable").is_none());
            assert!(
                turn["reply"]
                    .as_str()
                    .unwrap()
                    .starts_with(step["action"]["action_type"].as_str().unwrap())
            );
        }
        assert_eq!(t["usage"]["calls"], 6);
        assert_eq!(t["usage"]["prompt_tokens"], 600);
    }
    let task = &report["tasks"][0];
    assert_eq!(task["pass_hat_k"], json!([1.0]));
    assert_eq!(task["mean_grade"], 1.0);
    assert_eq!(report["usage"]["completion_tokens"], 120);
    assert!(report["cost_usd"].is_null(), "no prices, no cost");

    let request = &stub.requests()[0];
    assert_eq!(request["model"], "stub-model");
    assert_eq!(request["temperature"], 0.0);
    assert_eq!(request["tool_choice"], "auto");
    let tools: Vec<&str> = request["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(tools.len(), 12);
    assert!(tools.contains(&"switch_case") && tools.contains(&"issue_refund"));
    let system = request["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("Inspect the order first"),
        "the brief is in the system prompt: {system}"
    );
    assert!(system.contains("12 steps"), "the limits are in the system prompt: {system}");

    let metadata: Value = serde_json::from_str(
        &std::fs::read_to_string(out.with_file_name("metadata.json")).expect("metadata.json"),
    )
    .expect("JSON");
    let settings = &metadata["settings"];
    assert_eq!(settings["base_url"], stub.base_url.as_str());
    assert_eq!(settings["model"], "stub-model");
    assert_eq!(settings["concurrency"], 2);
    assert_eq!(settings["tool_mode"], "tools");
    assert_eq!(settings["api_key_env"], "OPENAI_API_KEY");
    assert_eq!(metadata["episodes"]["finished"], 2);
    assert_eq!(metadata["usage"]["calls"], 12);
    let text = std::fs::read_to_string(out.with_file_name("metadata.json")).unwrap();
    assert!(!text.contains(KEY) && !std::fs::read_to_string(&out).unwrap().contains(KEY));
}

#[test]
fn pass_hat_k_over_three_trials_matches_the_hand_computation() {
    // Seed 1 passes every trial; seed 2 passes trial 0 only (the others hold until the end).
    let stub = Stub::start(|request, _| match episode_of(request) {
        (1, _) | (2, 0) => plan_call(request),
        _ => hold_call(request),
    });
    let out = scratch("pass-k").join("results.jsonl");
    let report = eval(&stub, &out, &["--seeds", "2", "--trials", "3", "--concurrency", "3"]);

    let trajectories = lines(&out);
    assert_eq!(trajectories.len(), 6);
    let passed: HashSet<(u64, u64)> = trajectories
        .iter()
        .filter(|t| t["grade"]["score"].as_f64().unwrap() >= 0.95)
        .map(|t| (t["seed"].as_u64().unwrap(), t["trial"].as_u64().unwrap()))
        .collect();
    assert_eq!(passed, HashSet::from([(1, 0), (1, 1), (1, 2), (2, 0)]));
    // pass^k = mean over seeds of C(c, k) / C(n, k) with n = 3; seed 1: c = 3, seed 2: c = 1.
    // k = 1: (3/3 + 1/3) / 2 = 0.6667; k = 2: (3/3 + 0/3) / 2 = 0.5; k = 3: (1 + 0) / 2 = 0.5.
    assert_eq!(report["tasks"][0]["pass_hat_k"], json!([0.6667, 0.5, 0.5]));
    assert_eq!(report["trials"], 3);
}

#[test]
fn json_mode_reads_the_first_object_in_the_text_and_holds_on_garbage() {
    let stub = Stub::start(|request, index| {
        if index == 0 {
            return text("Let me think about the order first.");
        }
        let (name, mut fields) = refund_task_plan(&newest_observation(request));
        fields["action_type"] = name.into();
        fields["reasoning"] = "a key actions do not have".into();
        text(&format!("Next:\n```json\n{fields}\n```"))
    });
    let out = scratch("json").join("results.jsonl");
    eval(&stub, &out, &["--seeds", "1", "--tool-mode", "json"]);

    let requests = stub.requests();
    assert!(requests.iter().all(|r| r.get("tools").is_none()), "json mode sends no tools");
    assert!(
        requests[0]["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("Reply with one JSON object")
    );
    let t = &lines(&out)[0];
    assert_eq!(t["status"], "finished");
    let first = &t["steps"][0];
    assert_eq!(
        first["action"],
        json!({"action_type": "switch_case", "case_id": "RPR-1"}),
        "garbage holds"
    );
    assert_eq!(first["turn"]["reply"], "Let me think about the order first.");
    let why = first["turn"]["unusable"].as_str().expect("the hold says why");
    assert!(why.contains("no JSON object"), "{why}");
    assert_eq!(action_types(t)[1..], PLAN);
    // The model's reply is echoed back in the conversation as the action taken.
    let later = &requests[2]["messages"];
    let assistant =
        later.as_array().unwrap().iter().rev().find(|m| m["role"] == "assistant").unwrap();
    assert_eq!(assistant["content"], r#"{"action_type":"inspect_order"}"#);
}

#[test]
fn a_429_is_retried_after_its_retry_after_and_counted_in_the_turn() {
    let stub =
        Stub::start(|request, index| if index == 0 { status(429) } else { plan_call(request) });
    let out = scratch("429").join("results.jsonl");
    eval(&stub, &out, &["--seeds", "1"]);

    let t = &lines(&out)[0];
    assert_eq!(t["status"], "finished");
    assert_eq!(t["steps"][0]["turn"]["retries"], 1);
    assert_eq!(t["steps"][1]["turn"]["retries"], 0);
    assert_eq!(t["usage"]["calls"], 7, "six steps, one retried call");
    assert_eq!(stub.requests().len(), 7);
}

#[test]
fn a_reply_slower_than_the_timeout_is_abandoned_and_retried() {
    let stub = Stub::start(|request, index| {
        let answer = plan_call(request);
        if index == 0 { Answer::Slow(Duration::from_secs(3), Box::new(answer)) } else { answer }
    });
    let out = scratch("slow").join("results.jsonl");
    eval(&stub, &out, &["--seeds", "1", "--timeout", "0.5"]);

    let t = &lines(&out)[0];
    assert_eq!(t["status"], "finished");
    assert_eq!(t["steps"][0]["turn"]["retries"], 1);
    assert!(t["steps"][0]["turn"]["latency_ms"].as_u64().unwrap() >= 500);
    assert_eq!(action_types(t), PLAN, "the retry plays the same episode on");
}

#[test]
fn server_errors_until_the_retries_run_out_fail_the_episode_with_the_reason() {
    let stub =
        Stub::start(|request, index| if index < 2 { plan_call(request) } else { status(500) });
    let out = scratch("500").join("results.jsonl");
    let report = eval_failing(&stub, &out, &["--seeds", "1", "--max-retries", "2"]);

    let t = &lines(&out)[0];
    assert_eq!(t["status"], "failed");
    assert_eq!(action_types(t), PLAN[..2], "the steps before the failure are kept");
    let failure = t["failure"].as_str().unwrap();
    assert!(failure.contains("step 3") && failure.contains("gave up after 3 calls"), "{failure}");
    assert!(failure.contains("HTTP 500: stub says 500"), "{failure}");
    assert!(t["grade"].is_null());
    assert_eq!(t["usage"]["calls"], 2 + 3);
    assert_eq!(stub.requests().len(), 5, "never retried into another trajectory");
    assert_eq!(report["tasks"][0]["unfinished"], 1);
    assert_eq!(report["tasks"][0]["failures"], json!({"failed": 1}));
}

#[test]
fn a_client_error_fails_the_episode_at_once_with_the_endpoints_message() {
    let stub = Stub::start(|_, _| Answer::Status {
        code: 400,
        body: json!({"error": {"message": "model `stub-model` does not exist"}}).to_string(),
        retry_after: None,
    });
    let out = scratch("400").join("results.jsonl");
    let report = eval_failing(&stub, &out, &["--seeds", "1"]);
    assert_eq!(report["tasks"][0]["failures"], json!({"failed": 1}));

    let t = &lines(&out)[0];
    assert_eq!(t["status"], "failed");
    assert_eq!(t["steps"], json!([]));
    assert!(t["failure"].as_str().unwrap().contains("HTTP 400: model `stub-model` does not exist"));
    assert_eq!(stub.requests().len(), 1, "a 400 is not retried");
}

#[test]
fn prices_give_a_cost_estimate() {
    let stub = Stub::start(|request, _| plan_call(request));
    let out = scratch("cost").join("results.jsonl");
    let args = ["--seeds", "1", "--price-prompt", "2.5", "--price-completion", "10"];
    let report = eval(&stub, &out, &args);
    // 600 prompt tokens at $2.5/M + 60 completion tokens at $10/M = 0.0015 + 0.0006.
    assert_eq!(report["cost_usd"], 0.0021);
}

#[test]
fn resume_after_a_kill_keeps_the_finished_episodes_and_plays_only_the_rest() {
    let slow =
        |request: &Value, _| Answer::Slow(Duration::from_millis(40), Box::new(plan_call(request)));
    let stub = Stub::start(slow);
    let out = scratch("resume").join("results.jsonl");
    let args = ["--seeds", "4", "--trials", "2", "--concurrency", "1"];
    let mut child = eval_command(&stub, &out, &args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("shopops starts");
    support::eventually("two episodes are written", || {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        (text.lines().count() >= 2).then_some(())
    });
    child.kill().expect("killed");
    child.wait().expect("reaped");
    let before = std::fs::read_to_string(&out).expect("results file");
    let kept: Vec<&str> = before.lines().filter(|l| l.ends_with('}')).collect();
    assert!((2..8).contains(&kept.len()), "killed mid-run: {} lines", kept.len());
    let asked_before = stub.requests().len();

    eval(&stub, &out, &[&args[..], &["--resume"]].concat());

    let after = std::fs::read_to_string(&out).expect("results file");
    let lines: Vec<&str> = after.lines().collect();
    let parse = |l: &&str| serde_json::from_str::<Value>(l).unwrap();
    let (kept_now, kept_then): (Vec<Value>, Vec<Value>) =
        (lines[..kept.len()].iter().map(parse).collect(), kept.iter().map(parse).collect());
    assert_eq!(kept_now, kept_then, "the finished episodes are kept as they were");
    let episodes: Vec<(u64, u64)> = lines
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|t| (t["seed"].as_u64().unwrap(), t["trial"].as_u64().unwrap()))
        .collect();
    let unique: HashSet<_> = episodes.iter().copied().collect();
    assert_eq!(episodes.len(), 8, "no duplicates: {episodes:?}");
    assert_eq!(unique, (1..=4).flat_map(|s| (0..2).map(move |t| (s, t))).collect());
    let kept_episodes: HashSet<_> = episodes[..kept.len()].iter().copied().collect();
    let replayed = stub.requests()[asked_before..]
        .iter()
        .map(episode_of)
        .map(|(s, t)| (s, u64::from(t)))
        .filter(|e| kept_episodes.contains(e))
        .count();
    assert_eq!(replayed, 0, "kept episodes are not played again");
}

/// `shopops export FILE ARGS`.
fn export(file: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shopops"))
        .arg("export")
        .arg(file)
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("shopops runs")
}

fn rows(output: &Output) -> Vec<Value> {
    success(output).lines().map(|l| serde_json::from_str(l).expect("a JSON row")).collect()
}

#[test]
fn export_writes_policy_episodes_as_tool_calling_conversations() {
    let out = scratch("export-policy").join("results.jsonl");
    let status = Command::new(env!("CARGO_BIN_EXE_shopops"))
        .args(["eval", "--policy", "rule", "--seeds", "2", "--format", "json", "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("eval runs");
    success(&status);
    let trajectories = lines(&out);
    let rows = rows(&export(&out, &["--format", "messages"]));
    assert_eq!(rows.len(), trajectories.len());
    for (row, t) in rows.iter().zip(&trajectories) {
        let keys: Vec<&str> = row.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["messages", "tools"]);
        assert_eq!(row["tools"].as_array().unwrap().len(), 12);
        assert_eq!(row["tools"][0]["type"], "function");
        let messages = row["messages"].as_array().unwrap();
        let steps = t["steps"].as_array().unwrap();
        assert_eq!(messages.len(), 2 + 2 * steps.len());
        assert_eq!(
            (&messages[0]["role"], &messages[1]["role"]),
            (&json!("system"), &json!("user"))
        );
        for (pair, step) in messages[2..].chunks(2).zip(steps) {
            let mut action = step["action"].clone();
            let name = action.as_object_mut().unwrap().remove("action_type").unwrap();
            let call = &pair[0]["tool_calls"];
            assert_eq!(pair[0]["role"], "assistant");
            assert_eq!(
                call,
                &json!([{"type": "function", "function": {"name": name, "arguments": action}}])
            );
            assert_eq!(pair[1]["role"], "tool");
            assert_eq!(pair[1]["name"], name);
            let result = pair[1]["content"].as_str().unwrap();
            let desk: Value = serde_json::from_str(result.lines().last().unwrap()).unwrap();
            assert_eq!(desk["reward"], step["reward"], "the tool result is the step's observation");
        }
    }
}

#[test]
fn exported_messages_are_the_messages_the_agent_sent() {
    let stub =
        Stub::start(|request, index| if index == 2 { text("no idea") } else { plan_call(request) });
    let out = scratch("export-agent").join("results.jsonl");
    eval(&stub, &out, &["--seeds", "1", "--history", "100"]);
    let row = &rows(&export(&out, &[]))[0];
    let exported = row["messages"].as_array().unwrap();

    let requests = stub.requests();
    assert_eq!(requests.len(), 7, "six planned steps and one hold");
    for (step, request) in requests.iter().enumerate() {
        let sent = request["messages"].as_array().unwrap();
        assert_eq!(sent[0], exported[0], "the system prompt");
        let newest = &sent[sent.len() - 1]["content"];
        assert_eq!(newest, &exported[1 + 2 * step]["content"], "the desk before step {}", step + 1);
    }
    let hold = exported[2 + 2 * 2 + 1]["content"].as_str().unwrap();
    assert!(hold.lines().next().unwrap().contains("Held: your reply could not be used"), "{hold}");
    assert_eq!(row["tools"], requests[0]["tools"], "the same tools");
}

#[test]
fn export_refuses_episodes_of_another_scenario_version() {
    let dir = scratch("export-version");
    let out = dir.join("results.jsonl");
    let played = Command::new(env!("CARGO_BIN_EXE_shopops"))
        .args(["eval", "--policy", "rule", "--seeds", "1", "--task", TASK, "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("eval runs");
    success(&played);
    let edited = dir.join("scenarios");
    support::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"), &edited);
    let shop = edited.join(format!("{TASK}.shop"));
    let source = std::fs::read_to_string(&shop).unwrap();
    std::fs::write(&shop, source + "\n# an edit\n").unwrap();

    let output = export(&out, &["--scenarios", edited.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("was played on version") && stderr.contains("--scenarios"), "{stderr}");
    assert!(output.stdout.is_empty());
}
