//! The design loop on the real binary in a temp directory: `serve --watch` picks up new, broken,
//! fixed and deleted scenario files without a restart; episodes stay on the version they
//! started on; the scenario API and `check --watch` report what the author needs.

#![cfg(all(feature = "server", feature = "watch"))]

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use support::server::Server;
use support::{copy_dir, eventually};

/// A copy of `scenarios/` in a fresh temp directory, removed on drop.
struct Workspace(PathBuf);

impl Workspace {
    fn new(name: &str) -> Workspace {
        let dir = std::env::temp_dir().join(format!("shopops-watch-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")), &dir);
        Workspace(dir)
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }

    fn dir(&self) -> &str {
        self.0.to_str().expect("utf-8 temp path")
    }

    /// Replaces a file's text the way editors do: write a temporary file, rename it over.
    fn write(&self, relative: &str, text: &str) {
        let target = self.path(relative);
        let temporary = target.with_extension("tmp~");
        std::fs::write(&temporary, text).expect("write");
        std::fs::rename(&temporary, &target).expect("rename");
    }

    fn edit(&self, relative: &str, change: impl FnOnce(String) -> String) {
        let text = std::fs::read_to_string(self.path(relative)).expect("read");
        self.write(relative, &change(text));
    }

    /// Adds the fourth task (the warranty desk fixture) beside the shipped ones.
    fn add_warranty_desk(&self) {
        let fixtures = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/scenarios"));
        let data =
            std::fs::read_to_string(fixtures.join("data/warranty_claim_desk.yaml")).expect("data");
        self.write("data/warranty_claim_desk.yaml", &data);
        let source =
            std::fs::read_to_string(fixtures.join("warranty_claim_desk.shop")).expect("scenario");
        self.write(
            "warranty_claim_desk.shop",
            &source.replace("../../../scenarios/prelude.shop", "prelude.shop"),
        );
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn listing(server: &Server) -> Vec<Value> {
    let (status, body) = server.http("GET", "/scenarios", None);
    assert_eq!(status, 200);
    body.as_array().expect("a list").clone()
}

fn row(server: &Server, id: &str) -> Option<Value> {
    listing(server).into_iter().find(|row| row["id"] == id)
}

#[tokio::test]
async fn a_new_scenario_file_becomes_a_playable_task() {
    let workspace = Workspace::new("new");
    let server = Server::start_on(workspace.dir(), &["--watch"]);
    assert_eq!(listing(&server).len(), 3);
    workspace.add_warranty_desk();
    let added = eventually("the new task is listed", || row(&server, "warranty_claim_desk"));
    assert_eq!(added["status"], "ok");
    let mut ws = server.connect().await;
    let reset = json!({"type": "reset", "data": {"task": "warranty_claim_desk", "seed": 3}});
    let first = ws.request(&reset).await;
    assert_eq!(first["data"]["observation"]["current_task"], "warranty_claim_desk", "{first}");
    let stepped =
        ws.request(&json!({"type": "step", "data": {"action_type": "inspect_order"}})).await;
    assert_eq!(stepped["data"]["observation"]["step_index"], 1, "{stepped}");
    // The server logs the reload after it swaps the catalog: the line may trail the listing.
    eventually("the reload is logged", || {
        let log = server.log();
        log.iter()
            .any(|line| line.starts_with("reload: ") && line.contains("4 scenarios"))
            .then_some(())
    });
}

#[test]
fn a_broken_file_keeps_the_last_good_version_until_it_is_fixed() {
    let workspace = Workspace::new("broken");
    let server = Server::start_on(workspace.dir(), &["--watch"]);
    let good = row(&server, "refund_policy_recovery").expect("listed");
    let data = "data/refund_policy_recovery.yaml";
    workspace.edit(data, |text| text.replace("checks: [order, policy", "checks: [order, polcy"));
    let broken = eventually("the failure is recorded", || {
        row(&server, "refund_policy_recovery").filter(|row| row["status"] == "error")
    });
    assert_eq!(broken["version"], good["version"], "the last good version is still served");
    let (_, diagnostics) = server.http("GET", "/diagnostics", None);
    let first = &diagnostics[0];
    assert_eq!(first["code"], "SHOP004", "{diagnostics}");
    assert!(first["file"].as_str().unwrap().ends_with("refund_policy_recovery.yaml"));
    let body = json!({"task": "refund_policy_recovery", "seed": 1}).to_string();
    let (status, reset) = server.http("POST", "/reset", Some(&body));
    assert_eq!(status, 200, "the last good version still plays");
    assert_eq!(reset["metadata"]["scenario_version"], good["version"]);

    workspace.edit(data, |text| text.replace("polcy", "policy"));
    eventually("the fix is picked up", || {
        row(&server, "refund_policy_recovery").filter(|row| row["status"] == "ok")
    });
    let (_, diagnostics) = server.http("GET", "/diagnostics", None);
    assert_eq!(diagnostics, json!([]));
}

#[test]
fn a_file_caught_half_written_keeps_its_last_good_version() {
    let workspace = Workspace::new("emptied");
    let server = Server::start_on(workspace.dir(), &["--watch"]);
    let good = row(&server, "sla_queue_juggle").expect("listed");
    // What a reload sees in the middle of an in-place save: the file emptied.
    std::fs::write(workspace.path("sla_queue_juggle.shop"), "").expect("truncate");
    let emptied = eventually("the emptied file is noticed", || {
        row(&server, "sla_queue_juggle").filter(|row| row["status"] == "error")
    });
    assert_eq!(emptied["version"], good["version"]);
    let (status, _) = server.http("POST", "/reset", Some(r#"{"task":"sla_queue_juggle"}"#));
    assert_eq!(status, 200, "the task is still served");
}

#[tokio::test]
async fn an_episode_started_before_an_edit_finishes_on_its_old_version() {
    let workspace = Workspace::new("pinned");
    let server = Server::start_on(workspace.dir(), &["--watch"]);
    let mut ws = server.connect().await;
    let reset = json!({"type": "reset", "data": {"task": "refund_policy_recovery", "seed": 2}});
    let old = ws.request(&reset).await["data"]["metadata"]["scenario_version"].clone();
    // A change that alters the game: the desk's time limit.
    workspace.edit("refund_policy_recovery.shop", |text| {
        assert!(text.contains("time_limit 60m"), "the fixture this test edits changed");
        text.replace("time_limit 60m", "time_limit 90m")
    });
    let new = eventually("the edit is served", || {
        row(&server, "refund_policy_recovery").filter(|row| row["version"] != old)
    })["version"]
        .clone();
    let mut done = false;
    while !done {
        let reply =
            ws.request(&json!({"type": "step", "data": {"action_type": "close_case"}})).await;
        assert_eq!(reply["data"]["metadata"]["scenario_version"], old, "{reply}");
        assert_eq!(reply["data"]["metadata"]["time_limit_minutes"], 60);
        done = reply["data"]["done"] == true;
    }
    let again = ws.request(&reset).await;
    assert_eq!(again["data"]["metadata"]["scenario_version"], new);
    assert_eq!(again["data"]["metadata"]["time_limit_minutes"], 90);
}

#[test]
fn a_deleted_file_disappears_from_the_listing() {
    let workspace = Workspace::new("deleted");
    let server = Server::start_on(workspace.dir(), &["--watch"]);
    std::fs::remove_file(workspace.path("sla_queue_juggle.shop")).expect("remove");
    eventually("the task is gone", || row(&server, "sla_queue_juggle").is_none().then_some(()));
    let (status, body) = server.http("POST", "/reset", Some(r#"{"task":"sla_queue_juggle"}"#));
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"][0]["type"], "unknown_task");
}

#[test]
fn the_scenario_api_describes_what_is_served() {
    let server = Server::start(&[]);
    let (status, summary) = server.http("GET", "/scenarios/sla_queue_juggle", None);
    assert_eq!(status, 200);
    assert_eq!(summary["status"], "ok");
    assert_eq!(summary["cases"].as_array().unwrap().len(), 5);
    let actions: Vec<&str> = summary["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(actions.len(), 12, "{actions:?}");
    for key in ["blockers", "events", "reward_terms"] {
        assert!(!summary[key].as_array().unwrap().is_empty(), "{key}");
    }
    assert!(summary["facts"]["order"].as_array().is_some_and(|facts| !facts.is_empty()));
    assert_eq!(summary["grade_components"].as_object().unwrap().len(), 4);
    let (_, graph) = server.http("GET", "/scenarios/sla_queue_juggle/graph", None);
    assert!(graph["nodes"].as_array().unwrap().len() > 10);
    let (status, _) = server.http("GET", "/scenarios/sla_queue_juggle/graph?format=svg", None);
    assert_eq!(status, 422);
    let (_, source) = server.http("GET", "/scenarios/sla_queue_juggle/source", None);
    let paths: Vec<&str> =
        source["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(paths.iter().any(|p| p.ends_with("prelude.shop")), "{paths:?}");
    assert!(paths.iter().any(|p| p.ends_with("sla_queue_juggle.yaml")), "{paths:?}");
    assert_eq!(server.http("GET", "/scenarios/nope", None).0, 404);
}

#[test]
fn post_check_reports_diagnostics_and_reads_nothing_outside_the_served_directory() {
    let server = Server::start(&[]);
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/refund_policy_recovery.shop"
    ))
    .unwrap();
    let data = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/data/refund_policy_recovery.yaml"
    ))
    .unwrap();
    let clean = json!({"source": shipped, "data": data});
    let (status, diagnostics) = server.http("POST", "/check", Some(&clean.to_string()));
    assert_eq!((status, diagnostics), (200, json!([])));
    // The data is taken as the file the scenario's `cases` line names, whatever `name` is.
    let broken = json!({
        "source": shipped,
        "data": data.replace("checks: [order, policy", "checks: [order, polcy"),
        "name": "draft",
    });
    let (_, diagnostics) = server.http("POST", "/check", Some(&broken.to_string()));
    assert_eq!(diagnostics[0]["code"], "SHOP004", "{diagnostics}");
    let escape = json!({"source": "import \"../Cargo.toml\"\nimport \"/etc/hostname\"\n"});
    let (_, diagnostics) = server.http("POST", "/check", Some(&escape.to_string()));
    let messages: Vec<&str> = diagnostics
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["labels"].as_array().unwrap())
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages.iter().filter(|m| m.contains("outside the directory")).count(),
        2,
        "{diagnostics}"
    );
    let (status, body) = server.http("POST", "/check", Some(r#"{"source": 1, "name": "../x"}"#));
    assert_eq!(status, 422, "{body}");
}

#[test]
fn check_watch_reports_again_after_each_save() {
    let workspace = Workspace::new("check");
    let mut child = Command::new(env!("CARGO_BIN_EXE_shopops"))
        .args(["check", "--watch", workspace.dir()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start check --watch");
    let (sender, lines) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let next_summary = || loop {
        let line = lines.recv_timeout(Duration::from_secs(30)).expect("a report within 30 s");
        if line.starts_with("checked ") {
            return line;
        }
    };
    assert_eq!(next_summary(), "checked 3 scenarios: 0 errors, 0 warnings");
    workspace.edit("data/refund_policy_recovery.yaml", |t| {
        t.replace("checks: [order, policy", "checks: [order, polcy")
    });
    assert_eq!(next_summary(), "checked 3 scenarios: 1 error, 0 warnings");
    let _ = child.kill();
    let _ = child.wait();
}
