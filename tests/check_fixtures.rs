//! Every diagnostic code has a fixture under `tests/fixtures/check/`, every fixture reports
//! exactly the codes its `# expect:` header lists, and its rendered diagnostics (human and
//! JSON) match the snapshots in `tests/snapshots/`.
//!
//! A fixture is a directory named after the code it demonstrates (`SHOP004_unknown_reference`)
//! holding a scenario `main.shop` whose first line is `# expect: SHOP004 [SHOP0xx ...]`, its own
//! copy of the prelude and its case data.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use shopops::check::{Report, check_paths};
use shopops::diag::{Code, render_human, render_json};

mod support;

use support::fixtures::expected_codes;

const FIXTURES: &str = "tests/fixtures/check";

fn fixtures() -> Vec<(String, PathBuf)> {
    support::fixtures::fixtures(FIXTURES)
}

fn check(fixture: &Path) -> Report {
    check_paths(&[fixture.to_path_buf()])
        .unwrap_or_else(|e| panic!("{}: cannot read fixture: {e}", fixture.display()))
}

fn reported_codes(report: &Report) -> BTreeSet<String> {
    report.diagnostics.iter().map(|d| d.code.to_string()).collect()
}

/// Snapshot settings. File names in the output are relative to the package root, so they
/// need no filtering.
fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_omit_expression(true);
    settings
}

/// Fixtures of the codes `check --prove` reports (tested in `tests/prove_fixtures.rs`).
const PROVE_FIXTURES: &str = "tests/fixtures/prove";

#[test]
fn every_code_has_a_fixture() {
    let names: Vec<String> = fixtures()
        .into_iter()
        .chain(support::fixtures::fixtures(PROVE_FIXTURES))
        .map(|(name, _)| name)
        .collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|code| !names.iter().any(|name| name.starts_with(code)))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fixture in {FIXTURES} or {PROVE_FIXTURES}: {missing:?}"
    );
}

#[test]
fn every_fixture_is_named_after_a_code_it_expects() {
    for (name, path) in fixtures() {
        let code = name.split('_').next().unwrap();
        assert!(Code::parse(code).is_some(), "{name}: not named after a code");
        assert!(
            expected_codes(&path).contains(code),
            "{name}: its `# expect:` header does not list {code}"
        );
    }
}

#[test]
fn every_fixture_reports_exactly_its_expected_codes() {
    let mut failures = Vec::new();
    for (name, path) in fixtures() {
        let expected = expected_codes(&path);
        let reported = reported_codes(&check(&path));
        if expected != reported {
            failures.push(format!("{name}: expected {expected:?}, reported {reported:?}"));
        }
    }
    assert!(failures.is_empty(), "fixtures with unexpected codes:\n{}", failures.join("\n"));
}

/// Human output (no colour, 80 columns) and JSON output of every fixture. Every fixture is
/// compared before the test fails, so one run lists every changed snapshot.
#[test]
fn fixture_diagnostics_match_snapshots() {
    let mut changed = Vec::new();
    for (name, path) in fixtures() {
        let report = check(&path);
        let human = render_human(&report.diagnostics, &report.sources, false, 80);
        let json = render_json(&report.diagnostics, &report.sources);
        for (kind, output) in [("human", human), ("json", json)] {
            let compared = std::panic::catch_unwind(|| {
                snapshot_settings().bind(|| {
                    insta::assert_snapshot!(format!("{name}.{kind}"), output);
                });
            });
            if compared.is_err() {
                changed.push(format!("{name}.{kind}"));
            }
        }
    }
    assert!(changed.is_empty(), "fixtures whose diagnostics changed: {changed:?}");
}

/// A misspelt weight's name (`SHOP004`, the cause) leaves a component without a weight
/// (`SHOP010`, its consequence): the cause is reported first, although it is written later.
#[test]
fn causes_are_reported_before_their_consequences() {
    let report = check(Path::new("tests/fixtures/check/SHOP010_misspelt_weight"));
    let codes: Vec<Code> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::UnknownReference, Code::Weights]);
    let (cause, consequence) = (&report.diagnostics[0], &report.diagnostics[1]);
    assert!(cause.span().start > consequence.span().start, "the cause is written after");
    assert_eq!(consequence.help.as_deref().map(|h| h.contains("`weight money 0.20`")), Some(true));
    let human = render_human(&report.diagnostics, &report.sources, false, 80);
    assert!(human.find("SHOP004") < human.find("SHOP010"), "{human}");
    for (name, path) in fixtures() {
        let stages: Vec<_> = check(&path).diagnostics.iter().map(|d| d.code.stage()).collect();
        assert!(stages.is_sorted(), "{name}: diagnostics not in stage order: {stages:?}");
    }
}

#[test]
fn every_diagnostic_points_inside_its_file() {
    for (name, path) in fixtures() {
        let report = check(&path);
        for diagnostic in &report.diagnostics {
            for label in &diagnostic.labels {
                let text = &report.sources.file(label.span.file).text;
                assert!(
                    label.span.end as usize <= text.len()
                        && text.is_char_boundary(label.span.start as usize)
                        && text.is_char_boundary(label.span.end as usize),
                    "{name}: {} label {:?} is outside its file",
                    diagnostic.code,
                    label.span
                );
            }
        }
    }
}

#[test]
fn shipped_scenarios_check_clean() {
    let report = check_paths(&[PathBuf::from("scenarios")]).expect("scenarios/ is readable");
    let rendered = render_human(&report.diagnostics, &report.sources, false, 80);
    assert_eq!(report.errors(), 0, "errors in scenarios/:\n{rendered}");
    assert_eq!(report.warnings(), 0, "warnings in scenarios/:\n{rendered}");
    let scenarios = report.checked.iter().filter(|c| c.program.scenario.is_some()).count();
    assert_eq!(scenarios, 3, "scenarios/ holds three scenarios");
}
