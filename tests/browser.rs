//! The HTML report of `shopops view --html` in a real browser: headless Chromium loads it from
//! disk with networking off, its DOM holds the tables and the plots, and its screenshot is a
//! real image, far from blank.
//!
//! Needs Debian's `chromium` (`.ci/run` installs it; `CHROMIUM` names another binary). Without
//! it the test is skipped with a notice, but under CI (`CI` set) it fails.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::chromium::{HEADLESS, chromium};

mod support;

const RULE: &str = "tests/fixtures/trajectories/rule/results.jsonl";
const RANDOM: &str = "tests/fixtures/trajectories/random/results.jsonl";
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 1600;

/// Runs headless `browser` on `page` with `mode` (`--dump-dom`, `--screenshot=…`), a fresh
/// profile and nothing fetched; killed after two minutes. Its stdout and stderr go to files
/// (a pipe nobody reads would stall a large DOM dump); returns stdout.
fn headless(browser: &Path, scratch: &Path, mode: &str, page: &Path) -> String {
    let run = scratch.join(format!("run-{}", mode.len()));
    std::fs::create_dir_all(&run).expect("mkdir");
    let (stdout, stderr) = (run.join("stdout"), run.join("stderr"));
    let file = |path: &Path| std::fs::File::create(path).expect("an output file");
    let mut child = Command::new(browser)
        .args(HEADLESS)
        .args([
            &format!("--user-data-dir={}", run.join("profile").display()),
            &format!("--window-size={WIDTH},{HEIGHT}"),
            mode,
            &format!("file://{}", page.display()),
        ])
        .stdin(Stdio::null())
        .stdout(file(&stdout))
        .stderr(file(&stderr))
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium runs") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {mode} took over two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |path: &Path| std::fs::read_to_string(path).expect("chromium's output");
    assert!(status.success(), "chromium {mode}: {status}: {}", read(&stderr));
    read(&stdout)
}

/// Width and height of a PNG, from its header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && &png[12..16] == b"IHDR", "not a PNG");
    let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes"));
    (word(16), word(20))
}

#[test]
fn chromium_renders_the_report_with_its_tables_and_plots() {
    let Some(browser) = chromium("the browser test") else { return };
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("mkdir");
    let report = scratch.join("report.html");
    let output = Command::new(env!("CARGO_BIN_EXE_shopops"))
        .args(["view", RULE, RANDOM, "--html"])
        .arg(&report)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("shopops runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    // The DOM the browser built: every table, plot and transcript is there.
    let dom = headless(&browser, &scratch, "--dump-dom", &report);
    assert!(dom.contains("<h1>ShopOps results</h1>"), "{dom}");
    assert_eq!(
        dom.matches("<table").count(),
        5,
        "runs, summary, components, failures, failing episodes"
    );
    assert!(dom.contains("<th>pass^2</th>"));
    assert_eq!(dom.matches("<svg class=\"plot\"").count(), 6, "a plot per task and agent");
    assert!(dom.contains("<rect class=\"pass\"") && dom.contains("<rect class=\"fail\""));
    assert!(dom.contains("class=\"threshold\""));
    assert_eq!(dom.matches("<details id=\"episode-").count(), 18, "every transcript");

    // The screenshot: the right size and far from blank. A blank page of the same size,
    // screenshot the same way, is the yardstick: PNG compresses a uniform page to little.
    let screenshot = scratch.join("report.png");
    headless(&browser, &scratch, &format!("--screenshot={}", screenshot.display()), &report);
    let blank = scratch.join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").expect("write");
    let blank_png = scratch.join("blank.png");
    headless(&browser, &scratch, &format!("--screenshot={}", blank_png.display()), &blank);
    let png = std::fs::read(&screenshot).expect("the screenshot");
    let blank_bytes = std::fs::read(&blank_png).expect("the blank screenshot").len();
    assert_eq!(png_size(&png), (WIDTH, HEIGHT));
    assert!(png.len() > 50_000, "a {} byte screenshot is too small to hold the report", png.len());
    assert!(
        png.len() > 5 * blank_bytes,
        "the screenshot ({} bytes) is hardly bigger than a blank page's ({blank_bytes} bytes)",
        png.len()
    );
    eprintln!("screenshot: {}", screenshot.display());
}
