//! What the server reads, on the real binary over a copy of `scenarios/` in a temp directory:
//! `POST /check` reads nothing outside the served directory, whether that is given as `.` or
//! as a bare file name, and through no `..`, absolute path or link; no read blocks or runs on
//! (`/dev/zero`, a FIFO); and every file a reload cannot use (a FIFO, a link loop, an
//! unreadable file, two files declaring one id) is a diagnostic, never a failed reload that
//! leaves the other scenarios' edits unserved. `shopops check` reports the same.

#![cfg(all(feature = "server", feature = "watch"))]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::server::Server;
use support::{copy_dir, eventually};

/// A temp directory holding `served/`, a copy of `scenarios/`, and `outside/` beside it with a
/// canary file whose unique text must never appear in an answer. Removed on drop.
struct Workspace {
    dir: PathBuf,
    served: String,
    canary: String,
}

impl Workspace {
    fn new(name: &str) -> Workspace {
        let dir =
            std::env::temp_dir().join(format!("shopops-confinement-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let served = dir.join("served");
        copy_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")), &served);
        std::fs::create_dir_all(dir.join("outside")).expect("mkdir");
        let canary = format!("canary_{name}_{}_q7x", std::process::id());
        std::fs::write(dir.join("outside/canary.txt"), format!("{canary} secret words\nline 2\n"))
            .expect("write the canary");
        let served = served.to_str().expect("utf-8 temp path").to_string();
        Workspace { dir, served, canary }
    }

    /// The served directory, absolute.
    fn served(&self) -> &str {
        &self.served
    }

    fn path(&self, relative: &str) -> PathBuf {
        Path::new(&self.served).join(relative)
    }

    fn outside(&self, relative: &str) -> PathBuf {
        self.dir.join("outside").join(relative)
    }

    /// Replaces a file's text the way editors do: write a temporary file, rename it over.
    fn edit(&self, relative: &str, change: impl FnOnce(String) -> String) {
        let target = self.path(relative);
        let text = std::fs::read_to_string(&target).expect("read");
        let temporary = target.with_extension("tmp~");
        std::fs::write(&temporary, change(text)).expect("write");
        std::fs::rename(&temporary, &target).expect("rename");
    }

    /// A symbolic link at `relative` (in the served directory) to `target`.
    fn link(&self, target: &Path, relative: &str) {
        std::os::unix::fs::symlink(target, self.path(relative)).expect("symlink");
    }

    fn mkfifo(&self, relative: &str) {
        let made = Command::new("mkfifo").arg(self.path(relative)).status().expect("run mkfifo");
        assert!(made.success(), "mkfifo {relative}");
    }

    /// Edits the medium task's time limit, a change every reload that happens serves.
    fn edit_sla_time_limit(&self) {
        self.edit("sla_queue_juggle.shop", |text| {
            assert!(text.contains("time_limit 150m"), "the file this test edits changed");
            text.replace("time_limit 150m", "time_limit 160m")
        });
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn row(server: &Server, id: &str) -> Option<Value> {
    let (status, listing) = server.http("GET", "/scenarios", None);
    assert_eq!(status, 200);
    listing.as_array().expect("a list").iter().find(|row| row["id"] == id).cloned()
}

/// Waits until the medium task's time-limit edit is served (by a reload that began after
/// every change made before the edit), and returns `/diagnostics` then.
fn after_the_sla_edit(server: &Server) -> Value {
    eventually("the edit of the medium task is served", || {
        let body = json!({"task": "sla_queue_juggle", "seed": 1}).to_string();
        let (_, reset) = server.http("POST", "/reset", Some(&body));
        (reset["metadata"]["time_limit_minutes"] == 160).then_some(())
    });
    assert!(!server.log().iter().any(|line| line.contains("reload failed")), "{:#?}", server.log());
    server.http("GET", "/diagnostics", None).1
}

/// The diagnostics of `/check` on `source`, and the whole answer as text.
fn check(server: &Server, source: &str) -> (Vec<Value>, String) {
    let (status, body) =
        server.http("POST", "/check", Some(&json!({"source": source}).to_string()));
    assert_eq!(status, 200, "{body}");
    (body.as_array().expect("a list").clone(), body.to_string())
}

/// The shipped easy task with its `cases` line pointing at `path`.
fn with_cases(path: &str) -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/refund_policy_recovery.shop"
    ))
    .expect("read");
    text.replace("cases \"data/refund_policy_recovery.yaml\"", &format!("cases \"{path}\""))
}

/// Whether some diagnostic is `code` at a file ending in `file`, with a label containing
/// `label`.
fn names(diagnostics: &[Value], code: &str, file: &str, label: &str) -> bool {
    diagnostics.iter().any(|d| {
        d["code"] == code
            && d["file"].as_str().is_some_and(|f| f.ends_with(file))
            && d["labels"].as_array().is_some_and(|labels| {
                labels.iter().any(|l| l["message"].as_str().is_some_and(|m| m.contains(label)))
            })
    })
}

/// `diagnostics` is exactly one diagnostic, of `code`, in `file`, with a label saying `label`.
fn assert_only(diagnostics: &Value, code: &str, file: &str, label: &str) {
    let list = diagnostics.as_array().expect("a diagnostics list");
    assert!(names(list, code, file, label), "{diagnostics}");
    assert_eq!(list.len(), 1, "{diagnostics}");
}

/// Every way out of the served directory a request could try, on one server: the canary is
/// never in the answer, and each attempt is refused with SHOP012.
fn assert_confined(server: &Server, workspace: &Workspace) {
    let canary = workspace.outside("canary.txt");
    let canary = canary.to_str().unwrap();
    for source in [
        format!("import \"{canary}\"\n"),
        "import \"../outside/canary.txt\"\n".to_string(),
        "import \"data/../../outside/canary.txt\"\n".to_string(),
        "import \"data/out/canary.txt\"\n".to_string(),
        with_cases(canary),
        with_cases("../outside/canary.txt"),
        with_cases("data/out/canary.txt"),
    ] {
        let (diagnostics, answer) = check(server, &source);
        assert!(!answer.contains(&workspace.canary), "the canary leaked for {source:?}: {answer}");
        assert!(!answer.contains("secret words"), "{answer}");
        assert!(
            names(&diagnostics, "SHOP012", "", "outside the directory this check may read"),
            "{source:?}: {answer}"
        );
    }
    // The same text inside the served directory is read, and its first word shows in the
    // answer: what the assertions above would have caught.
    std::fs::copy(workspace.outside("canary.txt"), workspace.path("data/inside.txt")).unwrap();
    let (_, answer) = check(server, "import \"data/inside.txt\"\n");
    assert!(answer.contains(&workspace.canary), "{answer}");
    std::fs::remove_file(workspace.path("data/inside.txt")).unwrap();
}

#[test]
fn post_check_reads_nothing_outside_a_directory_served_as_dot() {
    let workspace = Workspace::new("dot");
    workspace.link(&workspace.outside(""), "data/out");
    let server = Server::start_in(&workspace.path(""), ".", &[]);
    assert_confined(&server, &workspace);
    let (diagnostics, _) = check(&server, &with_cases("data/refund_policy_recovery.yaml"));
    assert!(diagnostics.is_empty(), "the served prelude and data are still found: {diagnostics:?}");
}

#[test]
fn post_check_reads_nothing_outside_the_directory_of_a_file_served_by_its_bare_name() {
    let workspace = Workspace::new("bare");
    workspace.link(&workspace.outside(""), "data/out");
    let server = Server::start_in(&workspace.path(""), "refund_policy_recovery.shop", &[]);
    assert_confined(&server, &workspace);
}

#[test]
fn importing_a_device_or_a_fifo_answers_at_once() {
    let workspace = Workspace::new("devices");
    workspace.mkfifo("pipe.shop");
    let server = Server::start_in(&workspace.path(""), ".", &["--watch"]);
    for (source, label) in [
        ("import \"/dev/zero\"\n", "outside the directory this check may read"),
        ("import \"pipe.shop\"\n", "not a regular file: a FIFO"),
        ("import \"data\"\n", "not a regular file: a directory"),
    ] {
        let started = Instant::now();
        let (diagnostics, answer) = check(&server, source);
        assert!(started.elapsed() < Duration::from_secs(2), "{source}: {:?}", started.elapsed());
        assert!(names(&diagnostics, "SHOP012", "", label), "{source}: {answer}");
    }
    assert!(server.healthy());
}

#[test]
fn a_file_over_a_mebibyte_is_refused() {
    let workspace = Workspace::new("large");
    let large = format!("# {}\n", "x".repeat(1024 * 1024));
    std::fs::write(workspace.path("data/large.shop"), large).unwrap();
    let server = Server::start_in(&workspace.path(""), ".", &["--watch"]);
    let (_, diagnostics) = server.http("GET", "/diagnostics", None);
    let diagnostics = diagnostics.as_array().unwrap();
    assert!(
        names(diagnostics, "SHOP012", "data/large.shop", "larger than 1024 KiB"),
        "{diagnostics:?}"
    );
    let (imported, answer) = check(&server, "import \"data/large.shop\"\n");
    assert!(names(&imported, "SHOP012", "", "larger than 1024 KiB"), "{answer}");
}

#[test]
fn a_fifo_in_the_served_directory_does_not_block_a_reload() {
    let workspace = Workspace::new("fifo");
    let server = Server::start_on(workspace.served(), &["--watch"]);
    workspace.mkfifo("pipe.shop");
    workspace.edit_sla_time_limit();
    let diagnostics = after_the_sla_edit(&server);
    assert_only(&diagnostics, "SHOP012", "pipe.shop", "not a regular file: a FIFO");
    assert!(row(&server, "pipe").is_none(), "a FIFO is not a scenario");
}

#[test]
fn two_files_declaring_one_id_are_shop020_and_other_edits_still_apply() {
    let workspace = Workspace::new("duplicate");
    let server = Server::start_on(workspace.served(), &["--watch"]);
    let easy = row(&server, "refund_policy_recovery").expect("listed");
    std::fs::copy(workspace.path("refund_policy_recovery.shop"), workspace.path("my_task.shop"))
        .unwrap();
    workspace.edit_sla_time_limit();
    let diagnostics = after_the_sla_edit(&server);
    let duplicate = &diagnostics[0];
    assert_eq!(duplicate["code"], "SHOP020", "{diagnostics}");
    let labelled: Vec<&str> = duplicate["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["file"].as_str().unwrap())
        .collect();
    assert!(labelled[0].ends_with("/refund_policy_recovery.shop"), "{labelled:?}");
    assert!(labelled[1].ends_with("/my_task.shop"), "{labelled:?}");
    let kept = row(&server, "refund_policy_recovery").unwrap();
    assert_eq!(kept["status"], "error");
    assert_eq!(kept["version"], easy["version"], "the last good version is still served");
    assert_eq!(row(&server, "my_task").unwrap()["status"], "error");
}

#[test]
fn an_unreadable_file_is_shop012() {
    let workspace = Workspace::new("unreadable");
    let server = Server::start_on(workspace.served(), &["--watch"]);
    let file = workspace.path("fraud_stockout_cascade.shop");
    let set_mode = |mode: &str| {
        let changed = Command::new("chmod").arg(mode).arg(&file).status().expect("run chmod");
        assert!(changed.success());
    };
    set_mode("000");
    if std::fs::read(&file).is_ok() {
        eprintln!("skipped: running as root, which reads a file of mode 000 anyway");
        set_mode("644");
        return;
    }
    workspace.edit_sla_time_limit();
    let diagnostics = after_the_sla_edit(&server);
    let diagnostics = diagnostics.as_array().unwrap();
    assert!(
        names(diagnostics, "SHOP012", "fraud_stockout_cascade.shop", "Permission denied"),
        "{diagnostics:?}"
    );
    assert_eq!(row(&server, "fraud_stockout_cascade").unwrap()["status"], "error");
    set_mode("644");
}

#[test]
fn a_link_loop_is_a_diagnostic_not_a_failed_reload() {
    let workspace = Workspace::new("loop");
    let server = Server::start_on(workspace.served(), &["--watch"]);
    let hard = row(&server, "fraud_stockout_cascade").expect("listed");
    // A served scenario replaced by a link to itself, and a directory linked to its parent.
    std::fs::remove_file(workspace.path("fraud_stockout_cascade.shop")).unwrap();
    workspace.link(Path::new("fraud_stockout_cascade.shop"), "fraud_stockout_cascade.shop");
    workspace.link(Path::new(".."), "data/again");
    workspace.edit_sla_time_limit();
    let diagnostics = after_the_sla_edit(&server);
    assert_only(&diagnostics, "SHOP012", "fraud_stockout_cascade.shop", "symbolic links");
    let kept = row(&server, "fraud_stockout_cascade").unwrap();
    assert_eq!((&kept["status"], &kept["version"]), (&json!("error"), &hard["version"]));
}

#[test]
fn a_linked_directory_outside_the_root_is_neither_walked_nor_watched() {
    let workspace = Workspace::new("linked");
    // A valid task outside the served directory, reached through `data/out`.
    let elsewhere = std::fs::read_to_string(workspace.path("sla_queue_juggle.shop"))
        .unwrap()
        .replace("scenario sla_queue_juggle", "scenario elsewhere_task")
        .replace(
            "import \"prelude.shop\"",
            &format!("import \"{}/prelude.shop\"", workspace.served()),
        )
        .replace("cases \"data/", &format!("cases \"{}/data/", workspace.served()));
    std::fs::write(workspace.outside("elsewhere.shop"), &elsewhere).unwrap();
    workspace.link(&workspace.outside(""), "data/out");
    let server = Server::start_on(workspace.served(), &["--watch"]);
    assert_eq!(server.http("GET", "/diagnostics", None).1, json!([]));
    assert!(row(&server, "elsewhere_task").is_none(), "the linked directory was walked");
    let reloads = || server.log().iter().filter(|l| l.starts_with("reload: ")).count();
    let before = reloads();
    std::fs::write(workspace.outside("elsewhere.shop"), format!("{elsewhere}\n")).unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(reloads(), before, "a change behind the link started a reload");
    // The same file in a real directory is served: what the assertions above would have seen.
    std::fs::write(workspace.path("data/elsewhere.shop"), &elsewhere).unwrap();
    let served =
        eventually("the task in a real directory is served", || row(&server, "elsewhere_task"));
    assert_eq!(served["status"], "ok");
}

#[test]
fn shopops_check_reports_what_the_server_reports() {
    let workspace = Workspace::new("cli");
    workspace.mkfifo("pipe.shop");
    workspace.link(Path::new("loop.shop"), "loop.shop");
    workspace.link(&workspace.outside(""), "data/out");
    std::fs::copy(workspace.path("refund_policy_recovery.shop"), workspace.path("my_task.shop"))
        .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_shopops"))
        .args(["check", "--format", "json", workspace.served()])
        .output()
        .expect("run shopops check");
    assert_eq!(output.status.code(), Some(1), "errors: exit status 1");
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let codes: Vec<(&str, &str)> = printed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["file"].as_str().unwrap()))
        .map(|(code, file)| (code, file.rsplit('/').next().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("SHOP012", "loop.shop"),
            ("SHOP012", "pipe.shop"),
            ("SHOP020", "refund_policy_recovery.shop")
        ],
        "{printed:#}"
    );
    let server = Server::start_on(workspace.served(), &["--watch"]);
    assert_eq!(server.http("GET", "/diagnostics", None).1, printed);
}

#[test]
fn shopops_check_reads_no_device_an_import_names() {
    let workspace = Workspace::new("cli-device");
    std::fs::write(workspace.path("probe.shop"), "import \"/dev/zero\"\n").unwrap();
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_shopops"))
        .args(["check", "--format", "json"])
        .arg(workspace.path("probe.shop"))
        .output()
        .expect("run shopops check");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert!(names(printed.as_array().unwrap(), "SHOP012", "probe.shop", "a device"), "{printed}");
}
