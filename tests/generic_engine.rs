//! The engine knows no task (game spec §13): the shipped tasks are pure data under
//! `scenarios/`, so no file under `src/` may name a shipped task, case or SKU.
//!
//! Every file under `src/` is read, comments and docs included. Only `#[cfg(test)]` items of
//! Rust files are skipped: unit tests may use realistic ids as fixtures, and they are not part
//! of the built crate. (The sources are rustfmt-formatted, so such an item ends at the first
//! line that closes it at the attribute's own indentation.)

use std::fs;
use std::path::{Path, PathBuf};

/// Names that belong to the shipped scenarios only.
const FORBIDDEN: &[&str] = &[
    "refund_policy_recovery",
    "sla_queue_juggle",
    "fraud_stockout_cascade",
    "RPR-1",
    "SLA-1",
    "SLA-2",
    "SLA-3",
    "SLA-4",
    "SLA-5",
    "HARD-1",
    "HARD-2",
    "HARD-3",
    "HARD-4",
    "HARD-5",
    "HARD-6",
    "HARD-7",
    "tablet-purple",
    "wireless-headset",
    "console-pro",
    "earbuds-lite",
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Whether `c` could continue an identifier or id next to a match (`SLA-1` is not `SLA-10`).
fn joins(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// The forbidden names on `line`, as whole words.
fn names_in(line: &str) -> Vec<&'static str> {
    FORBIDDEN
        .iter()
        .copied()
        .filter(|name| {
            line.match_indices(name).any(|(at, _)| {
                !joins(line[..at].chars().next_back())
                    && !joins(line[at + name.len()..].chars().next())
            })
        })
        .collect()
}

/// Per line of a Rust file: whether it belongs to a `#[cfg(test)]` item.
fn test_only_lines(text: &str) -> Vec<bool> {
    let lines: Vec<&str> = text.lines().collect();
    let mut skip = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim() != "#[cfg(test)]" {
            i += 1;
            continue;
        }
        let indent = &line[..line.len() - line.trim_start().len()];
        let close = format!("{indent}}}");
        let start = i;
        // Further attributes, then the item: one line ending in `;`, or a block closed at the
        // attribute's indentation.
        let mut j = i + 1;
        while j < lines.len() && lines[j].trim_start().starts_with("#[") {
            j += 1;
        }
        let end = if j < lines.len() && lines[j].trim_end().ends_with('{') {
            (j + 1..lines.len()).find(|&k| lines[k].trim_end() == close).unwrap_or(lines.len() - 1)
        } else {
            (j..lines.len()).find(|&k| lines[k].trim_end().ends_with(';')).unwrap_or(j)
        };
        for flag in &mut skip[start..=end.min(lines.len() - 1)] {
            *flag = true;
        }
        i = end + 1;
    }
    skip
}

#[test]
fn no_file_under_src_names_a_shipped_task_case_or_sku() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    files(&root.join("src"), &mut paths);
    assert!(paths.len() > 20, "found only {} files under src/", paths.len());
    let mut offences = Vec::new();
    for path in &paths {
        let Ok(text) = fs::read_to_string(path) else {
            // Not text: it cannot spell an id in a way the engine could read back as one.
            continue;
        };
        let rust = path.extension().is_some_and(|e| e == "rs");
        let skip = if rust { test_only_lines(&text) } else { vec![false; text.lines().count()] };
        for (n, line) in text.lines().enumerate() {
            if skip[n] {
                continue;
            }
            let names = names_in(line);
            if !names.is_empty() {
                let file = path.strip_prefix(&root).unwrap_or(path).display();
                offences.push(format!(
                    "{file}:{}: {} in `{}`",
                    n + 1,
                    names.join(", "),
                    line.trim()
                ));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the engine must know no task; shipped names found under src/:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_scanner_finds_names_and_skips_only_test_items() {
    assert_eq!(names_in("let id = \"SLA-1\";"), ["SLA-1"]);
    assert_eq!(
        names_in("/// e.g. `HARD-7` or refund_policy_recovery"),
        ["refund_policy_recovery", "HARD-7"]
    );
    assert!(names_in("SLA-10 XSLA-1 HARD-1x my_sla_queue_juggle_2").is_empty());

    let text = "fn a() {}\n#[cfg(test)]\nmod tests {\n    fn b() {\n    }\n}\nfn c() {}\n    #[cfg(test)]\n    use x;\nfn d() {}\n";
    let skip = test_only_lines(text);
    assert_eq!(skip, [false, true, true, true, true, true, false, true, true, false]);
}
