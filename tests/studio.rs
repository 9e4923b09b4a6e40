//! The studio (`/web`) in a real headless Chromium against the real binary on loopback: the
//! scenarios listed and updated live, the hard task's graph with a node opened, the easy task
//! played to grade 1.0 by filling the action forms (and the trajectory downloaded), a scenario
//! broken and fixed in the editor (its diagnostic at the right line, the save and the reload),
//! and a recorded trajectory stepped through. No test sees a console error. Each saves a
//! screenshot in `target/studio-screenshots/`.
//!
//! Needs Debian's `chromium` (`.ci/run` installs it; `CHROMIUM` names another binary). Without
//! it the tests are skipped with a notice, but under CI (`CI` set) they fail.

#![cfg(all(feature = "server", feature = "watch"))]

#[path = "studio/cdp.rs"]
mod cdp;
mod support;

use support::chromium::chromium;

use std::path::{Path, PathBuf};

use cdp::Browser;
use serde_json::{Value, json};
use support::copy_dir;
use support::server::Server;

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("studio").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

/// A copy of the shipped scenarios in `dir`.
fn workspace(dir: &Path) -> PathBuf {
    let scenarios = dir.join("scenarios");
    copy_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")), &scenarios);
    scenarios
}

fn screenshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/studio-screenshots")
        .join(format!("{name}.png"))
}

/// The page of `view` on `server`.
fn page(server: &Server, view: &str) -> String {
    format!("http://{}/web/#{view}", server.address)
}

/// Asserts the page logged no error, then saves its screenshot.
async fn finish(browser: &mut Browser, name: &str) {
    browser.screenshot(&screenshot_path(name)).await;
    assert!(browser.errors.is_empty(), "console errors: {:#?}", browser.errors);
}

/// JavaScript that fills the input `name` of the form of `action` and submits it.
fn submit(action: &str, fields: &[(&str, &str)]) -> String {
    let mut script =
        format!("(() => {{ const f = document.querySelector('form[data-action={action}]');");
    for (name, value) in fields {
        script += &format!(
            "f.elements.namedItem({name:?}).value = {value:?}; f.elements.namedItem({name:?}).dispatchEvent(new Event('input'));"
        );
    }
    script + "f.querySelector('button[type=submit]').click(); return true; })()"
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

#[test]
fn the_scenarios_are_listed_and_follow_a_reload() {
    let Some(binary) = chromium("the studio tests") else { return };
    let dir = scratch("scenarios");
    let scenarios = workspace(&dir);
    let server = Server::start_on(scenarios.to_str().expect("utf-8"), &["--watch"]);
    runtime().block_on(async {
        let mut browser = Browser::start(&binary, &dir).await;
        browser.open(&page(&server, "scenarios")).await;
        let rows = browser.wait("document.querySelectorAll('#scenario-list tbody tr').length === 3 && [...document.querySelectorAll('#scenario-list tbody tr')].map(r => r.dataset.id + ' ' + r.cells[3].textContent)", "three scenarios are listed").await;
        assert_eq!(
            rows,
            json!(["fraud_stockout_cascade ok", "refund_policy_recovery ok", "sla_queue_juggle ok"])
        );
        let before = browser.eval("document.querySelector('#scenario-list tr[data-id=refund_policy_recovery]').cells[4].textContent").await;
        // A change on disk: the watcher reloads, the event stream tells the page.
        let file = scenarios.join("refund_policy_recovery.shop");
        let text = std::fs::read_to_string(&file).expect("read");
        std::fs::write(&file, text.replace("title ", "title  ")).expect("write");
        std::fs::write(&file, format!("{text}\n# edited\n")).expect("write");
        browser.wait("document.getElementById('live').textContent.startsWith('Reloaded')", "the page announces the reload").await;
        let after = browser.wait(&format!("(v => v !== {before} && v)(document.querySelector('#scenario-list tr[data-id=refund_policy_recovery]').cells[4].textContent)"), "the new version is listed").await;
        assert_ne!(after, before);
        finish(&mut browser, "scenarios").await;
    });
}

#[test]
fn the_hard_tasks_graph_opens_a_node() {
    let Some(binary) = chromium("the studio tests") else { return };
    let dir = scratch("graph");
    let server = Server::start(&[]);
    runtime().block_on(async {
        let mut browser = Browser::start(&binary, &dir).await;
        browser.open(&page(&server, "graph/fraud_stockout_cascade")).await;
        let (status, graph) = server.http("GET", "/scenarios/fraud_stockout_cascade/graph", None);
        assert_eq!(status, 200);
        let nodes = graph["nodes"].as_array().expect("nodes").len();
        let drawn = browser.wait(&format!("document.querySelectorAll('#graph-picture .node').length === {nodes} && document.querySelectorAll('#graph-picture .edge').length"), "every node is drawn").await;
        let grade = browser.wait("document.getElementById('graph-grade').textContent.includes('money') && document.getElementById('graph-grade').textContent", "the grade components are listed").await;
        assert_eq!(grade, json!("grade components: money 0.35outcome 0.3policy 0.2sla 0.15"));
        assert_eq!(drawn, json!(graph["edges"].as_array().expect("edges").len()));
        browser.eval("document.querySelector('[data-node=\"blocker:order_review_required\"]').dispatchEvent(new Event('click'))").await;
        let place = browser.wait("document.getElementById('graph-node-place')?.textContent", "the declaration is shown").await;
        assert!(place.as_str().expect("text").ends_with("prelude.shop:274"), "{place}");
        let text = browser.eval("document.getElementById('graph-node').textContent").await;
        let text = text.as_str().expect("text");
        assert!(text.contains("blocker order_review_required {"), "{text}");
        assert!(text.contains("clears by action inspect_order"), "{text}");
        finish(&mut browser, "graph").await;
    });
}

#[test]
fn the_easy_task_is_played_to_grade_one_by_filling_the_forms() {
    let Some(binary) = chromium("the studio tests") else { return };
    let dir = scratch("play");
    let downloads = dir.join("downloads");
    std::fs::create_dir_all(&downloads).expect("mkdir");
    let server = Server::start(&[]);
    runtime().block_on(async {
        let mut browser = Browser::start(&binary, &dir).await;
        browser.downloads_into(&downloads).await;
        browser.open(&page(&server, "play/refund_policy_recovery")).await;
        browser.wait("document.querySelectorAll('form[data-action]').length === 12", "a form per action").await;
        browser.wait("document.getElementById('play-task').value === 'refund_policy_recovery'", "the task is picked").await;
        browser.eval("document.getElementById('play-seed').value = '1'; document.querySelector('#play-start button[type=submit]').click(); true").await;
        browser.wait("!!document.querySelector('#play-observation .queue tr[data-case]')", "the observation").await;
        // What the server refuses comes back as its VALIDATION_ERROR frame, shown as is.
        browser.eval(&submit("inspect_order", &[("metadata", "not json")])).await;
        let refusal = browser.wait("document.querySelector('#play-errors .frame-error')?.textContent", "the validation error").await;
        assert!(refusal.as_str().expect("text").starts_with("VALIDATION_ERROR"), "{refusal}");
        browser.eval("document.querySelector('form[data-action=inspect_order] [name=metadata]').value = ''; true").await;
        for (step, action) in ["inspect_order", "inspect_policy", "inspect_customer_history"].iter().enumerate() {
            browser.eval(&submit(action, &[])).await;
            browser.wait(&format!("document.querySelectorAll('#play-log tbody tr').length === {}", step + 1), "the step is logged").await;
        }
        let fact = |name: &str| format!("document.querySelector('.known-facts tr[data-key={name}] td').textContent");
        let value = browser.eval("document.querySelector('#play-observation .case tr[data-key=order_value_usd] td').textContent").await;
        let max_pct = browser.eval(&fact("refund_max_pct")).await;
        let credit = browser.eval(&fact("prior_credit_usd")).await;
        let code = browser.eval(&fact("note_code")).await;
        let number = |v: &Value| v.as_str().expect("text").parse::<f64>().expect("a number");
        let cents = (number(&value) * 100.0).round() as i64;
        let top = (cents * number(&max_pct) as i64 * 100 + 5000) / 10_000 - (number(&credit) * 100.0).round() as i64;
        let amount = format!("{:.2}", top as f64 / 100.0);
        browser.eval(&submit("issue_refund", &[("refund_amount_usd", &amount)])).await;
        browser.wait("document.querySelectorAll('#play-log tbody tr').length === 4", "the refund").await;
        browser.eval(&submit("add_internal_note", &[("note_code", code.as_str().expect("a code"))])).await;
        browser.wait("document.querySelectorAll('#play-log tbody tr').length === 5", "the note").await;
        browser.eval(&submit("close_case", &[])).await;
        let score = browser.wait("document.getElementById('grade-score')?.textContent", "the grade").await;
        assert_eq!(score, json!("1"));
        let refused = browser.eval("document.querySelectorAll('#play-log tr.refused').length").await;
        assert_eq!(refused, json!(0));
        let components = browser.eval("document.querySelectorAll('#grade tbody tr').length").await;
        assert!(components.as_u64().expect("a count") > 1, "the grade's components: {components}");
        // The played episode downloads as a trajectory in the project's format.
        browser.eval("document.getElementById('play-download').click(); true").await;
        let file = support::eventually("the trajectory is downloaded", || {
            std::fs::read_dir(&downloads).ok()?.filter_map(Result::ok).map(|e| e.path()).find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        });
        let text = support::eventually("the download completes", || std::fs::read_to_string(&file).ok().filter(|t| t.ends_with('\n')));
        let trajectory: Value = serde_json::from_str(text.trim()).expect("one JSON line");
        assert_eq!(trajectory["format_version"], 1);
        assert_eq!(trajectory["status"], "finished");
        assert_eq!(trajectory["grade"]["score"], 1.0);
        assert_eq!(trajectory["steps"].as_array().expect("steps").len(), 6);
        assert_eq!(trajectory["agent"], json!({"kind": "client", "name": "studio"}));
        finish(&mut browser, "play").await;
    });
}

#[test]
fn a_broken_scenario_shows_its_diagnostic_and_a_fixed_one_saves_and_reloads() {
    let Some(binary) = chromium("the studio tests") else { return };
    let dir = scratch("editor");
    let scenarios = workspace(&dir);
    let server = Server::start_on(scenarios.to_str().expect("utf-8"), &["--watch", "--allow-save"]);
    runtime().block_on(async {
        let mut browser = Browser::start(&binary, &dir).await;
        browser.open(&page(&server, "editor/refund_policy_recovery")).await;
        browser.wait("document.getElementById('editor-status').textContent === 'Checks clean.'", "the served text checks clean").await;
        let original = browser.eval("document.getElementById('editor-shop').value").await;
        let original = original.as_str().expect("text").to_string();
        // Break it on line 3: the diagnostic comes back marked at that line.
        let mut lines: Vec<&str> = original.lines().collect();
        lines.insert(2, "bogus {");
        lines.insert(3, "}");
        let broken = lines.join("\n") + "\n";
        let typing = format!("(() => {{ const t = document.getElementById('editor-shop'); t.value = {}; t.dispatchEvent(new Event('input')); return true; }})()", json!(broken));
        browser.eval(&typing).await;
        let listed = browser.wait("document.querySelector('#editor-diagnostics li.error')?.textContent", "the diagnostic is listed").await;
        let listed = listed.as_str().expect("text");
        assert!(listed.contains("SHOP002") && listed.contains("refund_policy_recovery.shop:3:1"), "{listed}");
        assert!(listed.contains("help:"), "the help is shown: {listed}");
        let marked = browser.eval("[...document.querySelectorAll('#view-editor .code-box .gutter span.error')].map(s => s.textContent.trim())").await;
        assert_eq!(marked, json!(["3"]));
        let mark = browser.eval("document.querySelector('#view-editor .code-box .marks mark.error').textContent").await;
        assert_eq!(mark, json!("bogus"));
        browser.screenshot(&screenshot_path("editor-diagnostic")).await;
        // Fix it (with a visible change) and save: the watcher reloads, the page shows it.
        let fixed = original.replacen("title", "# saved from the studio\ntitle", 1);
        let typing = format!("(() => {{ const t = document.getElementById('editor-shop'); t.value = {}; t.dispatchEvent(new Event('input')); return true; }})()", json!(fixed));
        browser.eval(&typing).await;
        browser.wait("document.getElementById('editor-status').textContent === 'Checks clean.'", "the fix checks clean").await;
        browser.eval("document.getElementById('editor-save').click(); true").await;
        let saved = browser.wait("(t => t.startsWith('Reloaded') && t)(document.getElementById('editor-saved').textContent)", "the reload is shown").await;
        assert!(saved.as_str().expect("text").contains("refund_policy_recovery is now served"), "{saved}");
        let on_disk = std::fs::read_to_string(scenarios.join("refund_policy_recovery.shop")).expect("read");
        assert_eq!(on_disk, fixed);
        finish(&mut browser, "editor").await;
    });
}

#[test]
fn a_recorded_trajectory_is_stepped_through_and_forked() {
    let Some(binary) = chromium("the studio tests") else { return };
    let dir = scratch("inspect");
    let server = Server::start(&[]);
    // A trajectory file: the easy task played well but for one refused step (graded 0.98).
    let actions = json!([
        {"action_type": "inspect_order"}, {"action_type": "inspect_policy"},
        {"action_type": "inspect_customer_history"}, {"action_type": "close_case"},
        {"action_type": "issue_refund", "refund_amount_usd": 109.73},
        {"action_type": "add_internal_note", "note_code": "late_delivery_credit"},
        {"action_type": "close_case"},
    ]);
    let body = json!({"task": "refund_policy_recovery", "seed": 1, "actions": actions}).to_string();
    let (status, built) = server.http("POST", "/trajectory", Some(&body));
    assert_eq!(status, 200, "{built}");
    let file = dir.join("results.jsonl");
    std::fs::write(&file, format!("{}\n", built["trajectory"])).expect("write");
    runtime().block_on(async {
        let mut browser = Browser::start(&binary, &dir).await;
        browser.open(&page(&server, "inspect")).await;
        browser.set_file("document.getElementById('inspect-file')", &file).await;
        browser.eval("document.getElementById('inspect-file').dispatchEvent(new Event('change')); true").await;
        browser.wait("document.getElementById('inspect-at')?.textContent === 'step 0 of 7'", "the episode opens at its reset").await;
        let at = |step: u64| format!("document.querySelector('#inspect-observation .numbers')?.textContent.includes('step {step} of')");
        browser.wait(&at(0), "the reset's observation").await;
        for _ in 0..4 {
            browser.eval("document.getElementById('inspect-next').click(); true").await;
        }
        browser.wait(&at(4), "the fourth observation").await;
        let record = browser.eval("document.getElementById('inspect-step-record').textContent").await;
        assert!(record.as_str().expect("text").contains("cannot_close_with_blockers"), "{record}");
        browser.eval("document.getElementById('inspect-prev').click(); true").await;
        browser.wait(&at(3), "one step back").await;
        browser.eval("document.getElementById('inspect-last').click(); true").await;
        browser.wait("document.getElementById('grade-score')?.textContent === '0.98'", "the grade at the end").await;
        browser.eval("document.getElementById('inspect-first').click(); document.getElementById('inspect-next').click(); document.getElementById('inspect-next').click(); true").await;
        browser.wait(&at(2), "step 2").await;
        browser.screenshot(&screenshot_path("inspect")).await;
        // A what-if from step 2: Play replays two actions and hands over.
        browser.eval("document.getElementById('inspect-fork').click(); true").await;
        browser.wait("location.hash === '#play' && document.querySelectorAll('#play-log tbody tr').length === 2 && document.getElementById('play-status').textContent.includes('your move')", "the fork plays two steps").await;
        let enabled = browser.eval("!document.querySelector('form[data-action=close_case] button').disabled").await;
        assert_eq!(enabled, json!(true));
        finish(&mut browser, "inspect-fork").await;
    });
}
