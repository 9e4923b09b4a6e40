//! Helpers shared by integration tests.
// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

pub(crate) mod chromium;
pub(crate) mod fixtures;
pub(crate) mod openai_stub;
pub(crate) mod server;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A `Command` for `shopops ARGS` from the package root, without colour, at a fixed width.
pub(crate) fn shopops_command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shopops"));
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80");
    command
}

/// Runs `shopops ARGS` (see [`shopops_command`]) to completion.
pub(crate) fn shopops(args: &[&str]) -> Output {
    shopops_command(args).output().expect("shopops runs")
}

/// Copies a directory tree.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").map(|e| e.expect("entry")) {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Polls `probe` until it returns `Some`, for at most 30 s (generous: CI machines are shared).
pub(crate) fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
