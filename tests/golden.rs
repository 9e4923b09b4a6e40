//! Golden runs of the `shopops` binary: the `rule` transcripts of seed 1 of each shipped task,
//! the JSON-lines protocol of `run` without a policy, and the JSON shape of `eval`.
//!
//! A changed transcript changes what the baseline does: review it as a change to the game
//! (`cargo insta review`).

use std::io::Write;
use std::process::{Output, Stdio};

use serde_json::Value;
use sha2::{Digest, Sha256};

mod support;

use support::shopops_command as shopops;

const TASKS: [&str; 3] = ["refund_policy_recovery", "sla_queue_juggle", "fraud_stockout_cascade"];

/// Runs to completion; stdout as text, after checking the exit code is 0.
fn success(output: Output, what: &str) -> String {
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{what}: stdout {stdout}\nstderr {stderr}");
    stdout
}

/// `shopops ARGS` with `input` on stdin.
fn with_stdin(args: &[&str], input: &str) -> String {
    let mut child = shopops(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shopops starts");
    child.stdin.take().expect("stdin piped").write_all(input.as_bytes()).expect("stdin written");
    success(child.wait_with_output().expect("shopops finishes"), &args.join(" "))
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn rule_transcripts_of_seed_1() {
    for task in TASKS {
        let path = format!("scenarios/{task}.shop");
        let args = ["run", path.as_str(), "--policy", "rule", "--seed", "1"];
        let stdout = success(shopops(&args).output().expect("shopops runs"), task);
        insta::assert_snapshot!(format!("rule_{task}_seed_1"), stdout);
    }
}

#[test]
fn the_rule_transcripts_end_as_documented() {
    let run = |task: &str| {
        let path = format!("scenarios/{task}.shop");
        let args = ["run", path.as_str(), "--policy", "rule", "--seed", "1"];
        success(shopops(&args).output().expect("shopops runs"), task)
    };
    let easy = run("refund_policy_recovery");
    assert!(
        easy.contains(
            "ended: cases_closed after 6 steps, 21 minutes · grade 1.0000 · return 1.1300"
        ),
        "{easy}"
    );
    for task in &TASKS[1..] {
        let transcript = run(task);
        assert!(transcript.contains("\nended: cases_closed after "), "{task}: {transcript}");
    }
}

/// Three actions, the second not JSON at all.
const SCRIPT: &str = concat!(
    r#"{"action_type":"inspect_order"}"#,
    "\n",
    "this is not JSON\n",
    r#"{"action_type":"inspect_policy","case_id":"RPR-1"}"#,
    "\n",
);

#[test]
fn json_lines_run_reports_each_action() {
    let args = ["run", "scenarios/refund_policy_recovery.shop", "--seed", "7"];
    let stdout = with_stdin(&args, SCRIPT);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert_eq!(lines.len(), 4, "the reset, then one line per action: {stdout}");

    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    let envelope =
        Some(vec!["observation".to_string(), "reward".into(), "done".into(), "metadata".into()]);
    for i in [0, 1, 3] {
        let mut found = keys(&lines[i]).expect("an object");
        found.sort();
        let mut want = envelope.clone().expect("listed");
        want.sort();
        assert_eq!(found, want, "line {i}: {}", lines[i]);
        let observation = &lines[i]["observation"];
        assert!(observation.get("reward").is_none(), "reward travels in the envelope only");
        assert!(observation.get("done").is_none(), "done travels in the envelope only");
        assert_eq!(observation["current_task"], "refund_policy_recovery");
        assert_eq!(observation["metadata"]["seed"], 7);
        assert_eq!(lines[i]["done"], false);
    }
    assert_eq!(lines[0]["reward"], Value::Null, "reset has no reward");
    assert_eq!(lines[0]["observation"]["step_index"], 0);

    let error = &lines[2]["error"];
    assert_eq!(error["code"], "VALIDATION_ERROR", "{}", lines[2]);
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", lines[2]);
    assert_eq!(keys(&lines[2]), Some(vec!["error".to_string()]));

    // The request error consumed no step: the third action is step 2.
    let (first, third) = (&lines[1]["observation"], &lines[3]["observation"]);
    assert_eq!(first["step_index"], 1);
    assert_eq!(first["latest_tool_result"]["action_type"], "inspect_order");
    assert_eq!(third["step_index"], 2);
    assert_eq!(third["latest_tool_result"]["action_type"], "inspect_policy");
    for line in [&lines[1], &lines[3]] {
        assert!(line["reward"].is_number(), "{line}");
        assert_eq!(line["observation"]["metadata"]["last_action_error"], Value::Null);
    }
}

#[test]
fn json_lines_trajectory_hash_is_stable() {
    let args = ["run", "scenarios/refund_policy_recovery.shop", "--seed", "7"];
    let first = sha256(&with_stdin(&args, SCRIPT));
    let second = sha256(&with_stdin(&args, SCRIPT));
    assert_eq!(first, second, "same seed and actions, different trajectories");
    let other = sha256(&with_stdin(&["run", "scenarios/refund_policy_recovery.shop"], SCRIPT));
    assert_ne!(first, other, "seed 1 and seed 7 gave the same trajectory");
}

#[test]
fn eval_json_has_the_documented_shape() {
    let output = shopops(&["eval", "--format", "json", "--seeds", "20"]).output().expect("runs");
    let stdout = success(output, "eval");
    let report: Value = serde_json::from_str(&stdout).expect("eval --format json is JSON");
    let object = report.as_object().expect("an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["agent", "pass_threshold", "policy", "seeds", "tasks", "trials"], "{report}");
    assert_eq!(report["policy"], "rule", "the default policy");
    assert_eq!(report["agent"], serde_json::json!({"kind": "policy", "name": "rule"}));
    assert_eq!(report["pass_threshold"], 0.95, "the default threshold");
    assert_eq!(report["trials"], 1);
    assert_eq!(report["seeds"], 20);

    let tasks = report["tasks"].as_array().expect("tasks is a list");
    let ids: Vec<&str> = tasks.iter().map(|t| t["task"].as_str().expect("task id")).collect();
    assert_eq!(ids, TASKS, "one entry per shipped task, easy to hard");
    let difficulties: Vec<&str> =
        tasks.iter().map(|t| t["difficulty"].as_str().expect("difficulty")).collect();
    assert_eq!(difficulties, ["easy", "medium", "hard"]);
    for task in tasks {
        let mut keys: Vec<&str> =
            task.as_object().expect("an object").keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "agent",
                "ci95",
                "components",
                "difficulty",
                "episodes",
                "failing_components",
                "failures",
                "mean_grade",
                "mean_return",
                "mean_steps",
                "pass_hat_k",
                "task",
                "unfinished",
                "usage"
            ],
            "{task}"
        );
        let mean = task["mean_grade"].as_f64().expect("mean_grade is a number");
        assert!((0.0..=1.0).contains(&mean), "{task}");
        let ci = task["ci95"].as_array().expect("ci95 is a list");
        assert_eq!(ci.len(), 2, "{task}");
        let (lo, hi) = (ci[0].as_f64().expect("a number"), ci[1].as_f64().expect("a number"));
        assert!(0.0 <= lo && lo <= mean && mean <= hi && hi <= 1.0, "{task}");
        assert!(task["mean_return"].is_number(), "{task}");
        assert_eq!(task["episodes"], 20, "{task}");
        assert_eq!(task["pass_hat_k"].as_array().map(Vec::len), Some(1), "{task}");
        let components = task["components"].as_object().expect("components is an object");
        for name in ["outcome", "policy", "sla", "money", "closure", "diligence", "invalid_penalty"]
        {
            assert!(components.get(name).is_some_and(Value::is_number), "{name} in {task}");
        }
    }

    // Deterministic: the same command prints the same report.
    let again = shopops(&["eval", "--format", "json", "--seeds", "20"]).output().expect("runs");
    assert_eq!(success(again, "eval"), stdout);
}
