//! The module graph points down the pipeline: every `crate::MODULE` path in `src/` names a
//! module of a lower layer than the one it is written in (or the same module). An upward
//! import fails here with the file and line, so the structure the README describes stays.

use std::fs;
use std::path::{Path, PathBuf};

/// Layers, lowest first. A module may use modules of strictly lower layers only.
const LAYERS: &[&[&str]] = &[
    // Leaves: files and spans; the language's vocabulary; the public wire format.
    &["source", "lang", "wire"],
    &["diag"],
    &["syntax"],
    &["data"],
    &["check"],
    &["compile"],
    &["engine"],
    &["catalog", "trajectory", "oracle"],
    &["policy"],
    &["prove", "agent"],
    &["server", "watch"],
    &["cli"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::NAME` on a line, outside `//` comments.
fn crate_paths(line: &str) -> Vec<&str> {
    let code = line.split("//").next().unwrap_or("");
    code.match_indices("crate::")
        .filter(|(i, _)| !code[..*i].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .map(|(i, m)| {
            let rest = &code[i + m.len()..];
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
            &rest[..end.unwrap_or(rest.len())]
        })
        .collect()
}

#[test]
fn every_import_points_down_the_pipeline() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let first = relative.components().next().expect("a component");
        let module = first.as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let from = layer(&module).unwrap_or_else(|| panic!("module `{module}` has no layer"));
        let text = fs::read_to_string(&file).expect("readable");
        for (number, line) in text.lines().enumerate() {
            for target in crate_paths(line) {
                if target == module {
                    continue;
                }
                let to = layer(target)
                    .unwrap_or_else(|| panic!("`crate::{target}` has no layer ({file:?})"));
                if to >= from {
                    upward.push(format!(
                        "{}:{}: {module} uses crate::{target}",
                        relative.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(upward.is_empty(), "imports against the pipeline:\n{}", upward.join("\n"));
}

#[test]
fn the_parser_of_paths_reads_use_lines() {
    assert_eq!(crate_paths("use crate::check::scope::Trigger;"), ["check"]);
    assert_eq!(crate_paths("    x: crate::wire::usd(1), // crate::cli"), ["wire"]);
    assert!(crate_paths("use shopops_crate::x;").is_empty());
}
