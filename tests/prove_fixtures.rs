//! `check --prove` catches broken scenarios: every fixture under `tests/fixtures/prove/` reports
//! exactly the codes its `# expect:` header lists when proved over three seeds, and its rendered
//! diagnostics match the snapshots in `tests/snapshots/`. (The shipped scenarios are proved
//! sound over ten seeds by `.ci/run` in a release build; see the README's score bands.)

use std::collections::BTreeSet;
use std::path::PathBuf;

use shopops::check::{Report, check_paths};
use shopops::diag::{Code, render_human};
use shopops::prove::prove_report;

mod support;

use support::fixtures::expected_codes;

const FIXTURES: &str = "tests/fixtures/prove";

fn fixtures() -> Vec<(String, PathBuf)> {
    support::fixtures::fixtures(FIXTURES)
}

/// Checks and proves a fixture over seeds 1–3.
fn proved(fixture: &std::path::Path) -> Report {
    let mut report = check_paths(&[fixture.to_path_buf()]).expect("readable fixture");
    assert_eq!(report.errors(), 0, "{}: the fixture itself checks clean", fixture.display());
    let proofs = prove_report(&mut report, 1..4, &|_| {});
    assert_eq!(proofs.len(), 1, "{}: one scenario proved", fixture.display());
    report
}

#[test]
fn every_prove_code_has_a_fixture_named_after_it() {
    let names: Vec<String> = fixtures().into_iter().map(|(name, _)| name).collect();
    for code in [Code::Unsolvable, Code::TrivialPolicyScores, Code::Farmable, Code::Unreached] {
        assert!(
            names.iter().any(|n| n.starts_with(code.as_str())),
            "{code} has no fixture in {FIXTURES}"
        );
    }
    for (name, path) in fixtures() {
        let code = name.split('_').next().unwrap();
        assert!(expected_codes(&path).contains(code), "{name}: its header does not list {code}");
    }
}

#[test]
fn every_broken_fixture_is_caught_with_its_expected_codes() {
    let mut failures = Vec::new();
    let mut changed = Vec::new();
    for (name, path) in fixtures() {
        let report = proved(&path);
        let reported: BTreeSet<String> =
            report.diagnostics.iter().map(|d| d.code.to_string()).collect();
        let expected = expected_codes(&path);
        if reported != expected {
            failures.push(format!("{name}: expected {expected:?}, reported {reported:?}"));
        }
        let human = render_human(&report.diagnostics, &report.sources, false, 80);
        let compared = std::panic::catch_unwind(|| {
            let mut settings = insta::Settings::clone_current();
            settings.set_omit_expression(true);
            settings.bind(|| insta::assert_snapshot!(format!("{name}.human"), human));
        });
        if compared.is_err() {
            changed.push(name);
        }
    }
    assert!(failures.is_empty(), "fixtures with unexpected codes:\n{}", failures.join("\n"));
    assert!(changed.is_empty(), "fixtures whose diagnostics changed: {changed:?}");
}
