//! Headless Chromium for the browser tests: where it is, and how it is started.

use std::io::Write as _;
use std::path::PathBuf;

/// Flags for a headless Chromium that fetches nothing on its own (this machine's network is
/// closed; without them it keeps trying).
pub(crate) const HEADLESS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// The browser: `CHROMIUM`, else `chromium` on the `PATH`. Without one the caller's test is
/// skipped, with a notice naming `what`, but under CI (`CI` set) it fails.
pub(crate) fn chromium(what: &str) -> Option<PathBuf> {
    let found = std::env::var_os("CHROMIUM").map(PathBuf::from).or_else(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path).map(|dir| dir.join("chromium")).find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but there is no chromium: install it (apt-get install -y chromium)"
        );
        // Straight to stderr, past the test harness's capture, so the skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "{what} skipped: no chromium on the PATH (apt-get install -y chromium)"
        );
    }
    found
}
