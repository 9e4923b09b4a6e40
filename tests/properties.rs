//! Robustness: the front half of the pipeline (parsing, YAML loading, checking and, for a
//! clean check, compiling) never panics, whatever the input. Bad input is a diagnostic.
//!
//! Inputs are random bytes, random strings, soups of the language's own tokens, and real
//! scenario files with random byte ranges deleted, inserted or replaced.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::Index;
use shopops::check::check_paths;
use shopops::compile::{compile, to_dot};
use shopops::diag::{render_human, render_json};
use shopops::source::{FileId, SourceMap};
use shopops::syntax::{parse_expr, parse_file};

const PRELUDE: &str = include_str!("../scenarios/prelude.shop");
const TASK: &str = include_str!("../scenarios/fraud_stockout_cascade.shop");
const TASK_FILE: &str = "fraud_stockout_cascade.shop";
const CASES: &str = include_str!("../scenarios/data/fraud_stockout_cascade.yaml");
const CASES_FILE: &str = "data/fraud_stockout_cascade.yaml";

/// Pieces of `.shop` and YAML syntax, so random input gets past the first token.
const TOKENS: &[&str] = &[
    "scenario",
    "import",
    "action",
    "event",
    "blocker",
    "check",
    "response",
    "reject",
    "on",
    "grade",
    "end",
    "truncate",
    "desk",
    "text",
    "verdict",
    "truth",
    "param",
    "cost",
    "reward",
    "when",
    "after",
    "with",
    "message",
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "true",
    "false",
    "null",
    "=",
    "==",
    "!=",
    "<=",
    ">=",
    "<",
    ">",
    "+",
    "-",
    "*",
    "/",
    "..",
    ".",
    ",",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "\"\"\"",
    "$45.00",
    "$1,800.00",
    "20m",
    "2h",
    "35%",
    "12.5%",
    "1200bp",
    "12",
    "0.05",
    "\"text {fact}\"",
    "order",
    "case.sku",
    "pct(value, 30%)",
    "#",
    "\n",
    " ",
    "\t",
    "é",
    "→",
    ":",
    "- ",
    "  ",
    "cases:",
    "- id: X-1",
    "facts:",
    "summary:",
    "draws:",
    "{ a: 50%, b: 50% }",
    "=x",
    "'",
    "&a",
    "*a",
    "!!str",
    "---",
    "|",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..80).prop_map(|tokens| {
        tokens.iter().enumerate().fold(String::new(), |mut text, (i, token)| {
            if i % 3 == 0 {
                text.push(' ');
            }
            text.push_str(token);
            text
        })
    })
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(any::<u8>(), 0..512)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        "[ -~\n\t]{0,256}",
        token_soup(),
    ]
}

/// One random edit of a file's bytes.
#[derive(Clone, Debug)]
enum Edit {
    Delete { at: Index, len: usize },
    Insert { at: Index, text: String },
    Replace { at: Index, len: usize, text: String },
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(TOKENS).prop_map(str::to_string),
        "[ -~\n]{0,12}",
        prop::collection::vec(any::<u8>(), 0..8)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<Index>(), 1..64usize).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<Index>(), fragment()).prop_map(|(at, text)| Edit::Insert { at, text }),
        (any::<Index>(), 1..16usize, fragment()).prop_map(|(at, len, text)| Edit::Replace {
            at,
            len,
            text
        }),
    ]
}

/// Applies edits to the bytes of `text`; broken UTF-8 becomes U+FFFD.
fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for edit in edits {
        let position = |at: &Index| at.index(bytes.len() + 1);
        match edit {
            Edit::Delete { at, len } => {
                let start = position(at);
                let end = (start + len).min(bytes.len());
                bytes.drain(start..end);
            }
            Edit::Insert { at, text } => {
                let start = position(at);
                bytes.splice(start..start, text.bytes());
            }
            Edit::Replace { at, len, text } => {
                let start = position(at);
                let end = (start + len).min(bytes.len());
                bytes.splice(start..end, text.bytes());
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(edit(), 1..6)
}

/// A scratch directory for one test, emptied first.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("properties").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).expect("scratch directory");
    dir
}

/// Writes a scenario (prelude, task file, case data) into `dir`, checks the directory, renders
/// every diagnostic and, when the check is clean, compiles and dumps the scenario.
fn check_scenario(dir: &Path, prelude: &str, task: &str, cases: &str) {
    std::fs::write(dir.join("prelude.shop"), prelude).unwrap();
    std::fs::write(dir.join(TASK_FILE), task).unwrap();
    std::fs::write(dir.join(CASES_FILE), cases).unwrap();
    let report = check_paths(&[dir.to_path_buf()]).expect("files just written are readable");
    let _ = render_human(&report.diagnostics, &report.sources, false, 80);
    let _ = render_json(&report.diagnostics, &report.sources);
    for diagnostic in &report.diagnostics {
        assert!(!diagnostic.message.is_empty(), "{diagnostic:?} has no message");
        for label in &diagnostic.labels {
            let text = &report.sources.file(label.span.file).text;
            let (start, end) = (label.span.start as usize, label.span.end as usize);
            assert!(end <= text.len(), "{diagnostic:?} points past its file");
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "{diagnostic:?} splits a character"
            );
        }
    }
    for checked in report.checked {
        if checked.has_errors || checked.program.scenario.is_none() {
            continue;
        }
        let scenario = compile(checked, &report.sources).expect("a clean scenario compiles");
        let _ = to_dot(&scenario);
        serde_json::to_string(&scenario).expect("a compiled scenario serializes");
    }
}

/// `cases` per property, unless `PROPTEST_CASES` asks for more (or fewer).
fn config(cases: u32) -> ProptestConfig {
    let default = ProptestConfig { max_shrink_iters: 256, ..ProptestConfig::default() };
    if std::env::var_os("PROPTEST_CASES").is_some() {
        default
    } else {
        ProptestConfig { cases, ..default }
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn parse_file_never_panics(text in any_text()) {
        let _ = parse_file(FileId(0), &text);
    }

    #[test]
    fn parse_expr_never_panics(text in any_text(), offset in 0..1000usize) {
        let _ = parse_expr(FileId(0), offset, &text);
    }

    #[test]
    fn parse_expr_spans_stay_inside_the_text(text in token_soup()) {
        match parse_expr(FileId(0), 0, &text) {
            Ok(expr) => prop_assert!(expr.span.end as usize <= text.len()),
            Err(diagnostic) => prop_assert!(diagnostic.span().end as usize <= text.len()),
        }
    }

    #[test]
    fn yaml_loading_never_panics(text in any_text()) {
        let mut sources = SourceMap::new();
        let file = sources.add("cases.yaml", text);
        let _ = shopops::data::load(&sources, file);
    }

    #[test]
    fn loading_mutated_case_data_never_panics(edits in edits()) {
        let mut sources = SourceMap::new();
        let file = sources.add("cases.yaml", mutate(CASES, &edits));
        let _ = shopops::data::load(&sources, file);
    }
}

// Whole files: slower per case, so fewer cases.
proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn parsing_mutated_prelude_never_panics(edits in edits()) {
        let _ = parse_file(FileId(0), &mutate(PRELUDE, &edits));
    }

    #[test]
    fn checking_a_scenario_with_a_mutated_prelude_never_panics(edits in edits()) {
        let dir = scratch_dir("mutated_prelude");
        check_scenario(&dir, &mutate(PRELUDE, &edits), TASK, CASES);
    }

    #[test]
    fn checking_a_mutated_task_file_never_panics(edits in edits()) {
        let dir = scratch_dir("mutated_task");
        check_scenario(&dir, PRELUDE, &mutate(TASK, &edits), CASES);
    }

    #[test]
    fn checking_mutated_case_data_never_panics(edits in edits()) {
        let dir = scratch_dir("mutated_cases");
        check_scenario(&dir, PRELUDE, TASK, &mutate(CASES, &edits));
    }

    #[test]
    fn checking_random_files_never_panics(task in any_text(), cases in any_text()) {
        let dir = scratch_dir("random_files");
        check_scenario(&dir, PRELUDE, &format!("import \"prelude.shop\"\nscenario x {{\n{task}\n}}"), &cases);
    }
}

#[test]
fn the_unmutated_scenario_checks_clean_and_compiles() {
    let dir = scratch_dir("unmutated");
    check_scenario(&dir, PRELUDE, TASK, CASES);
    let mut report = check_paths(&[dir]).unwrap();
    assert_eq!(report.diagnostics, Vec::new());
    assert!(compile(report.checked.remove(0), &report.sources).is_some());
}

#[test]
fn brackets_nested_too_deeply_are_a_syntax_error() {
    let text = format!("end x when {}true{}\n", "(".repeat(100), ")".repeat(100));
    let errors = parse_file(FileId(0), &text).expect_err("too deep");
    assert_eq!(errors[0].code, shopops::diag::Code::Syntax);
}

#[test]
fn brackets_inside_strings_do_not_count_as_nesting() {
    let text = format!("text smiley = \"{}\"\n", "(".repeat(60));
    assert!(parse_file(FileId(0), &text).is_ok());
}
