//! `shopops view` on committed results files (tests/fixtures/trajectories/: two seeds of every
//! task, the rule policy with two trials and a pass threshold of 0.9 in its metadata.json, the
//! random policy with one): the terminal summary, the failing episodes and a transcript as
//! snapshots; the JSON forms; the HTML report's shape and its escaping of hostile text.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

mod support;

use support::shopops;

const RULE: &str = "tests/fixtures/trajectories/rule/results.jsonl";
const RANDOM: &str = "tests/fixtures/trajectories/random/results.jsonl";

/// stdout of a run that must exit 0.
fn success(args: &[&str]) -> String {
    let output = shopops(args);
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{args:?}: {stdout}\n{stderr}");
    stdout
}

/// A scratch directory for this test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("view").join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

#[test]
fn summary_and_failures_of_two_runs() {
    insta::assert_snapshot!(success(&["view", RULE, RANDOM]));
}

#[test]
fn failed_lists_every_episode_that_did_not_pass() {
    insta::assert_snapshot!(success(&["view", "--failed", RULE, RANDOM]));
}

#[test]
fn a_transcript_by_number_and_by_task_seed_and_trial() {
    let by_number = success(&["view", RULE, RANDOM, "--episode", "14"]);
    insta::assert_snapshot!(by_number);
    let by_key =
        success(&["view", RULE, RANDOM, "--task", "refund_policy_recovery", "--seed", "2"]);
    assert!(by_key.contains(&by_number), "the random episode is one of the two selected");
    assert_eq!(by_key.matches("refund_policy_recovery (easy) · seed 2 ·").count(), 2, "{by_key}");
}

#[test]
fn the_threshold_comes_from_the_first_files_metadata_unless_given() {
    assert!(success(&["view", RULE]).contains("pass at grade ≥ 0.9\n"));
    assert!(success(&["view", RANDOM, RULE]).contains("pass at grade ≥ 0.95\n"));
    assert!(success(&["view", RULE, "--pass-threshold", "0.5"]).contains("≥ 0.5\n"));
}

#[test]
fn json_forms() {
    let summary: Value = serde_json::from_str(&success(&["view", RULE, "--format", "json"]))
        .expect("the summary is JSON");
    assert_eq!(summary["pass_threshold"], 0.9);
    assert_eq!(summary["files"], json!([RULE]));
    assert_eq!(summary["tasks"].as_array().map(Vec::len), Some(3));
    assert_eq!(summary["tasks"][0]["pass_hat_k"].as_array().map(Vec::len), Some(2));

    let failed: Value =
        serde_json::from_str(&success(&["view", RANDOM, "--failed", "--format", "json"]))
            .expect("the listing is JSON");
    let failed = failed.as_array().expect("a list");
    assert_eq!(failed.len(), 6, "no random episode passes");
    assert_eq!(failed[0]["place"], format!("{RANDOM}:1"));

    let episode: Value =
        serde_json::from_str(&success(&["view", RANDOM, "--episode", "2", "--format", "json"]))
            .expect("the episode is JSON");
    assert_eq!(episode[0]["seed"], 2);
    assert_eq!(episode[0]["agent"]["name"], "random");
}

#[test]
fn mistakes_exit_2() {
    for args in [
        &["view", RULE, "--episode", "99"][..],
        &["view", RULE, "--task", "refund_policy_recovery", "--seed", "9"],
        &["view", "tests/fixtures/trajectories/missing.jsonl"],
        &["view", RULE, "--pass-threshold", "2"],
        &["view", RULE, "--failed", "--episode", "1"],
    ] {
        let output = shopops(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

/// The rule and random results, plus two episodes full of markup and terminal escapes: a
/// model's finished episode and a failed one.
fn hostile_results(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(RANDOM))
        .expect("fixture");
    let mut finished: Value = serde_json::from_str(text.lines().next().expect("a line")).unwrap();
    finished["task"] = json!("<script>alert('task')</script>");
    finished["agent"] = json!({"kind": "llm", "name": "<img src=x onerror=alert(1)>"});
    finished["steps"][0]["turn"] = json!({
        "reply": "</pre><script>alert(\"reply\")</script>\u{1b}[31mred",
        "prompt_tokens": 1200, "completion_tokens": 40, "latency_ms": 900, "retries": 1,
        "unusable": "<b>bold</b>"
    });
    finished["usage"] = json!({"calls": 2, "prompt_tokens": 1200, "completion_tokens": 40,
        "latency_ms": 900});
    let mut failed = finished.clone();
    failed["status"] = json!("failed");
    failed["failure"] = json!("<script>alert('failure')</script> & \"quotes\"");
    for field in ["grade", "ending", "summary"] {
        failed[field] = Value::Null;
    }
    let file = dir.join("hostile.jsonl");
    std::fs::write(&file, format!("{finished}\n{failed}\n")).expect("write");
    file
}

#[test]
fn the_html_report_is_self_contained_well_formed_and_escaped() {
    let dir = scratch("html");
    let hostile = hostile_results(&dir);
    let out = dir.join("report.html");
    let stdout = success(&[
        "view",
        RULE,
        RANDOM,
        hostile.to_str().unwrap(),
        "--html",
        out.to_str().unwrap(),
    ]);
    assert!(stdout.starts_with(&format!("wrote {}", out.display())), "{stdout}");
    let html = std::fs::read_to_string(&out).expect("the report");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.trim_end().ends_with("</html>"));

    // Self-contained and inert: no script, nothing fetched.
    assert!(!html.to_lowercase().contains("<script"), "a script element");
    for fetch in ["<img", " src=\"", "<link", "url(", "@import", "https://"] {
        assert!(!html.contains(fetch), "`{fetch}` in the report");
    }
    assert_eq!(
        html.matches("http://").count(),
        html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );

    // The hostile strings appear only escaped.
    for escaped in [
        "&lt;script&gt;alert(&#39;task&#39;)&lt;/script&gt;",
        "&lt;img src=x onerror=alert(1)&gt;",
        "&lt;/pre&gt;&lt;script&gt;alert(&quot;reply&quot;)&lt;/script&gt;",
        "&lt;script&gt;alert(&#39;failure&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;",
        "unusable: &lt;b&gt;bold&lt;/b&gt;",
    ] {
        assert!(html.contains(escaped), "missing {escaped}");
    }
    assert!(!html.contains('\u{1b}'), "a terminal escape");

    // Balanced elements, and the parts the report promises.
    for element in ["table", "tr", "svg", "details", "summary", "pre", "figure", "h2", "h3"] {
        let opened = html.matches(&format!("<{element}>")).count()
            + html.matches(&format!("<{element} ")).count();
        let closed = html.matches(&format!("</{element}>")).count();
        assert_eq!(opened, closed, "<{element}> opened {opened} times, closed {closed}");
    }
    let groups = 3 * 2 + 1;
    assert_eq!(html.matches("<svg class=\"plot\"").count(), groups, "a plot per task and agent");
    assert_eq!(html.matches("<details id=\"episode-").count(), 12 + 6 + 2, "every transcript");
    for heading in
        ["Runs", "Summary per task and agent", "Grade distributions", "Failures", "Episodes"]
    {
        assert!(html.contains(&format!("{heading}</h2>")), "no {heading} section");
    }
    assert!(html.contains("<th>pass^2</th>") && html.contains("<th>tokens in / out</th>"));
    assert!(
        html.contains("<a href=\"#episode-19\">#19</a>"),
        "failing episodes link to transcripts"
    );
}

#[test]
fn terminal_transcripts_of_hostile_text_carry_no_escapes() {
    let dir = scratch("terminal");
    let hostile = hostile_results(&dir);
    let file = hostile.to_str().unwrap();
    for args in [
        &["view", file][..],
        &["view", file, "--failed"],
        &["view", file, "--episode", "1"],
        &["view", file, "--episode", "2"],
    ] {
        let stdout = success(args);
        assert!(!stdout.contains('\u{1b}'), "{args:?}: {stdout}");
    }
    let transcript = success(&["view", file, "--episode", "1"]);
    assert!(
        transcript.contains("model: 1200 + 40 tokens · 900 ms · 1 retries · unusable: <b>bold</b>"),
        "{transcript}"
    );
    let failed = success(&["view", file, "--episode", "2"]);
    assert!(failed.contains("\nfailed after "), "{failed}");
}
