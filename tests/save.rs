//! `POST /save` on the real binary: refused without `--allow-save`; with it, confined to the
//! served directory exactly as `POST /check`'s reads are, and atomic.

#![cfg(all(feature = "server", feature = "watch"))]

mod support;

use std::path::{Path, PathBuf};

use serde_json::json;
use support::copy_dir;
use support::server::Server;

fn workspace(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("save").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")), &dir.join("scenarios"));
    dir
}

fn save(server: &Server, path: &Path, text: &str) -> u16 {
    let body = json!({"path": path.display().to_string(), "text": text}).to_string();
    server.http("POST", "/save", Some(&body)).0
}

#[test]
fn without_the_flag_nothing_is_written() {
    let dir = workspace("off");
    let server = Server::start_on(dir.join("scenarios").to_str().expect("utf-8"), &["--watch"]);
    let target = dir.join("scenarios/refund_policy_recovery.shop");
    let before = std::fs::read_to_string(&target).expect("read");
    assert_eq!(save(&server, &target, "changed"), 403);
    assert_eq!(std::fs::read_to_string(&target).expect("read"), before);
}

#[test]
fn with_the_flag_writes_stay_inside_the_served_directory() {
    let dir = workspace("on");
    let root = dir.join("scenarios");
    let server = Server::start_on(root.to_str().expect("utf-8"), &["--watch", "--allow-save"]);
    std::fs::write(dir.join("outside.shop"), "kept").expect("write");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("outside.shop"), root.join("link.shop")).expect("link");
        std::os::unix::fs::symlink(&dir, root.join("up")).expect("link");
    }
    let refused = [
        dir.join("outside.shop"),
        root.join("../outside.shop"),
        root.join("data/../../escape.shop"),
        root.join("link.shop"),
        root.join("up/escape.shop"),
        root.join("notes.txt"),
        root.join(".hidden.shop"),
        PathBuf::from("/tmp/shopops-save-escape.shop"),
    ];
    for path in &refused {
        assert_eq!(save(&server, path, "x"), 403, "{}", path.display());
    }
    assert_eq!(std::fs::read_to_string(dir.join("outside.shop")).expect("read"), "kept");
    assert!(!dir.join("escape.shop").exists() && !root.join("notes.txt").exists());
    assert!(!Path::new("/tmp/shopops-save-escape.shop").exists());
    let (status, _) = server.http("POST", "/save", Some(r#"{"path": 1, "extra": true}"#));
    assert_eq!(status, 422);
    // Inside: written whole, no temporary file left, and served after the reload.
    let target = root.join("refund_policy_recovery.shop");
    let text = std::fs::read_to_string(&target).expect("read") + "\n# saved\n";
    assert_eq!(save(&server, &target, &text), 200);
    assert_eq!(std::fs::read_to_string(&target).expect("read"), text);
    let leftovers: Vec<_> = std::fs::read_dir(&root)
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
