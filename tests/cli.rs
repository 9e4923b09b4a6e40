//! The `shopops` binary: exit codes, output formats and colour, as a user or CI sees them.
//!
//! Exit codes: 0 clean, 1 diagnostics that fail the check, 2 usage or I/O errors.

use std::process::{Command, Output};

use serde_json::Value;

mod support;

use support::shopops;

const BROKEN: &str = "tests/fixtures/check/SHOP004_unknown_reference";
const WARNINGS_ONLY: &str = "tests/fixtures/check/SHOP011_unused";
const SHIPPED: [&str; 3] = [
    "scenarios/refund_policy_recovery.shop",
    "scenarios/sla_queue_juggle.shop",
    "scenarios/fraud_stockout_cascade.shop",
];

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally, not by a signal")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

#[test]
fn check_of_the_shipped_scenarios_exits_0() {
    let output = shopops(&["check", "scenarios/"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).contains("checked 3 scenarios: 0 errors, 0 warnings"));
}

#[test]
fn check_of_a_broken_fixture_exits_1_and_names_the_code() {
    let output = shopops(&["check", BROKEN]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("SHOP004"), "{}", stdout(&output));
}

#[test]
fn check_human_output_of_a_broken_fixture() {
    let output = shopops(&["check", BROKEN]);
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn check_json_output_is_an_array_of_diagnostic_objects() {
    let output = shopops(&["check", "--format", "json", BROKEN]);
    assert_eq!(code(&output), 1);
    let json: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    let diagnostics = json.as_array().expect("a JSON array");
    assert!(!diagnostics.is_empty());
    for diagnostic in diagnostics {
        let object = diagnostic.as_object().expect("each diagnostic is an object");
        for key in ["code", "severity", "message", "file", "line", "column", "labels", "help"] {
            assert!(object.contains_key(key), "missing `{key}` in {diagnostic}");
        }
        assert!(object["labels"].is_array());
    }
    assert_eq!(diagnostics[0]["code"], "SHOP004");
    assert_eq!(diagnostics[0]["severity"], "error");
}

#[test]
fn check_json_output_of_clean_scenarios_is_an_empty_array() {
    let output = shopops(&["check", "--format", "json", "scenarios"]);
    assert_eq!(code(&output), 0);
    let json: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    assert_eq!(json, Value::Array(Vec::new()));
}

#[test]
fn warnings_alone_exit_0() {
    let output = shopops(&["check", WARNINGS_ONLY]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).contains("SHOP011"));
    assert!(stdout(&output).contains("0 errors, 1 warning"));
}

#[test]
fn warnings_exit_1_with_deny_warnings() {
    let output = shopops(&["check", "--deny-warnings", WARNINGS_ONLY]);
    assert_eq!(code(&output), 1, "{}", stdout(&output));
}

#[test]
fn check_of_a_nonexistent_path_exits_2() {
    let output = shopops(&["check", "tests/fixtures/check/no_such_fixture"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).starts_with("error:"), "{}", stderr(&output));
}

#[test]
fn check_without_paths_exits_2() {
    assert_eq!(code(&shopops(&["check"])), 2);
}

#[test]
fn prove_of_a_sound_scenario_prints_its_score_bands_and_exits_0() {
    let output = shopops(&[
        "check",
        "--prove",
        "--seeds",
        "2",
        "tests/fixtures/scenarios/warranty_claim_desk.shop",
    ]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let out = stdout(&output);
    assert!(out.contains("checked and proved 1 scenario: 0 errors"), "{out}");
    assert!(out.contains("warranty_claim_desk") && out.contains("oracle min"), "{out}");
    assert!(stderr(&output).contains("proved 1 scenario(s) × 2 seed(s)"), "{}", stderr(&output));
}

#[test]
fn prove_json_lists_diagnostics_and_per_seed_proofs_and_exits_1_on_a_broken_scenario() {
    let output = shopops(&[
        "check",
        "--prove",
        "--seeds",
        "2",
        "--format",
        "json",
        "tests/fixtures/prove/SHOP018_farmable",
    ]);
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(json["diagnostics"][0]["code"], "SHOP018");
    let seeds = json["proofs"][0]["seeds"].as_array().expect("per-seed proofs");
    assert_eq!(seeds.len(), 2);
    assert_eq!(seeds[0]["seed"], 1);
    assert!(seeds[0]["oracle"].as_f64().is_some_and(|g| g >= 0.95));
    assert!(seeds[0]["farms"].as_array().is_some_and(|f| !f.is_empty()));
    for baseline in ["rule", "random", "noop", "close_all", "pay_all"] {
        assert!(seeds[0]["baselines"][baseline].is_number(), "{baseline}");
    }
}

#[test]
fn prove_is_not_attempted_when_the_check_fails() {
    let output = shopops(&["check", "--prove", BROKEN]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("SHOP004"));
    assert!(!stderr(&output).contains("proved"), "{}", stderr(&output));
}

#[test]
fn seeds_without_prove_is_a_usage_error() {
    assert_eq!(code(&shopops(&["check", "--seeds", "3", "scenarios/"])), 2);
}

#[test]
fn explain_prints_the_code_explanation() {
    let output = shopops(&["explain", "SHOP004"]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).starts_with("# SHOP004"), "{}", stdout(&output));
}

#[test]
fn explain_accepts_short_forms() {
    for short in ["shop4", "4", "SHOP4"] {
        let output = shopops(&["explain", short]);
        assert_eq!(code(&output), 0, "{short}");
        assert!(stdout(&output).starts_with("# SHOP004"), "{short}");
    }
}

#[test]
fn explain_of_an_unknown_code_exits_2() {
    let output = shopops(&["explain", "SHOP999"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("unknown code"), "{}", stderr(&output));
}

#[test]
fn dump_json_of_each_shipped_scenario_is_json() {
    for file in SHIPPED {
        let output = shopops(&["dump", file, "--format", "json"]);
        assert_eq!(code(&output), 0, "{file}: {}", stderr(&output));
        let json: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
        assert!(json["id"].is_string(), "{file}");
        assert!(json["version"].is_string(), "{file}");
    }
}

#[test]
fn dump_defaults_to_json() {
    let output = shopops(&["dump", SHIPPED[0]]);
    assert_eq!(code(&output), 0);
    serde_json::from_str::<Value>(&stdout(&output)).expect("stdout is JSON");
}

#[test]
fn dump_ron_of_each_shipped_scenario_exits_0() {
    for file in SHIPPED {
        let output = shopops(&["dump", file, "--format", "ron"]);
        assert_eq!(code(&output), 0, "{file}: {}", stderr(&output));
        assert!(stdout(&output).starts_with("Scenario("), "{file}");
    }
}

#[test]
fn dump_dot_of_each_shipped_scenario_is_a_digraph() {
    for file in SHIPPED {
        let output = shopops(&["dump", file, "--format", "dot"]);
        assert_eq!(code(&output), 0, "{file}: {}", stderr(&output));
        let dot = stdout(&output);
        assert!(dot.starts_with("digraph "), "{file}");
        assert!(dot.trim_end().ends_with('}'), "{file}");
    }
}

#[test]
fn dump_of_a_broken_scenario_exits_1_with_diagnostics_on_stderr() {
    let output = shopops(&["dump", &format!("{BROKEN}/main.shop")]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).is_empty());
    assert!(stderr(&output).contains("SHOP004"), "{}", stderr(&output));
}

#[test]
fn dump_of_a_library_file_exits_2() {
    let output = shopops(&["dump", "scenarios/prelude.shop"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("no `scenario` block"), "{}", stderr(&output));
}

#[test]
fn no_color_output_has_no_ansi_escapes() {
    for args in [
        &["check", BROKEN][..],
        &["check", WARNINGS_ONLY],
        &["check", "tests/fixtures/check"],
        &["dump", "scenarios/sla_queue_juggle.shop", "--format", "dot"],
    ] {
        let output = shopops(args);
        let all = format!("{}{}", stdout(&output), stderr(&output));
        assert!(!all.contains('\u{1b}'), "ANSI escape in output of {args:?}");
    }
}

/// Writes `text` to a scratch `.shop` file and checks it.
fn check_text(name: &str, text: &str) -> Output {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    shopops(&["check", "--format", "json", file.to_str().unwrap()])
}

#[test]
fn check_of_a_long_operator_chain_does_not_crash() {
    let output = check_text("long_sum.shop", &format!("end x when 1{}\n", " + 1".repeat(20_000)));
    assert!(matches!(output.status.code(), Some(0 | 1)), "{:?}", output.status);
}

#[test]
fn check_of_a_long_prefix_chain_does_not_crash() {
    let output =
        check_text("long_not.shop", &format!("end x when {}true\n", "not ".repeat(20_000)));
    assert!(matches!(output.status.code(), Some(0 | 1)), "{:?}", output.status);
}

#[test]
fn check_of_a_long_if_else_chain_does_not_crash() {
    let chain = "if true then 1 else ".repeat(20_000);
    let output = check_text("long_if.shop", &format!("end x when {chain}1\n"));
    assert_eq!(output.status.code(), Some(1), "{:?}", output.status);
    assert!(stdout(&output).contains("SHOP001"));
}

/// `shopops ARGS --help` with an empty environment: no colour, and no `[env: PORT=...]` values
/// of the machine the test runs on.
fn help_of(command: &[String]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_shopops"))
        .args(command)
        .arg("--help")
        .env_clear()
        .output()
        .expect("shopops runs");
    assert_eq!(code(&output), 0, "{command:?} --help: {}", stderr(&output));
    stdout(&output)
}

/// The subcommands a help text lists under `Commands:` (clap's own `help` left out).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// Every help text of the command tree, walked from the top-level help (so a subcommand added
/// later is covered without a change here), is snapshotted and free of rustdoc link syntax.
#[test]
fn every_help_text_is_snapshotted_and_plain_text() {
    let mut pending = vec![Vec::<String>::new()];
    let mut seen = Vec::new();
    while let Some(command) = pending.pop() {
        let help = help_of(&command);
        for link in ["[`", "`]", "]("] {
            assert!(!help.contains(link), "`{link}` in the help of {command:?}:\n{help}");
        }
        let words: Vec<&str> =
            std::iter::once("shopops").chain(command.iter().map(String::as_str)).collect();
        let name = words.join("_");
        let description = format!("{} --help", words.join(" "));
        insta::with_settings!({ omit_expression => true, description => description }, {
            insta::assert_snapshot!(format!("help_{name}"), help);
        });
        for sub in subcommands(&help) {
            pending.push(command.iter().cloned().chain([sub]).collect());
        }
        seen.push(name);
    }
    assert!(seen.len() > 6, "the walk found the subcommands: {seen:?}");
}
