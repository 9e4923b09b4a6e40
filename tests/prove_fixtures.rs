//! `check --prove` catches broken scenarios, and only those: every fixture under
//! `tests/fixtures/prove/` reports exactly the codes its `# expect:` header lists (none, for the
//! sound ones) when proved over three seeds, and its rendered diagnostics match the snapshots in
//! `tests/snapshots/`. (The shipped scenarios are proved
//! sound over ten seeds by `.ci/run` in a release build; see the README's score bands.)

use std::collections::BTreeSet;
use std::path::PathBuf;

use shopops::check::{Report, check_paths};
use shopops::diag::{Code, render_human};
use shopops::oracle::SearchOptions;
use shopops::prove::prove_report;

mod support;

use support::fixtures::expected_codes;

const FIXTURES: &str = "tests/fixtures/prove";

fn fixtures() -> Vec<(String, PathBuf)> {
    support::fixtures::fixtures(FIXTURES)
}

/// Checks and proves a fixture over `seeds` with the oracle's `search`.
fn proved_with(
    fixture: &std::path::Path,
    seeds: std::ops::Range<u64>,
    search: SearchOptions,
) -> (Report, shopops::prove::Proof) {
    let mut report = check_paths(&[fixture.to_path_buf()]).expect("readable fixture");
    assert_eq!(report.errors(), 0, "{}: the fixture itself checks clean", fixture.display());
    let mut proofs = prove_report(&mut report, seeds, search, &|_| {});
    assert_eq!(proofs.len(), 1, "{}: one scenario proved", fixture.display());
    (report, proofs.remove(0))
}

/// Checks and proves a fixture over seeds 1–3, with the search budget its `# budget:` header
/// gives (the default without one).
fn proved(fixture: &std::path::Path) -> Report {
    let text = std::fs::read_to_string(fixture.join("main.shop")).expect("readable main.shop");
    let budget = text.lines().find_map(|line| line.strip_prefix("# budget:"));
    let search = match budget {
        Some(budget) => SearchOptions {
            budget: budget.trim().parse().expect("a whole number of steps"),
            ..SearchOptions::default()
        },
        None => SearchOptions::default(),
    };
    proved_with(fixture, 1..4, search).0
}

/// The fixture whose 13-step limit only a play that asks for the photo first and works the
/// other case while it comes can meet: the oracle finds that play and proves it optimal on
/// every seed.
#[test]
fn a_step_limit_only_interleaving_meets_is_proven_solvable() {
    let fixture = PathBuf::from(FIXTURES).join("interleaved_requests");
    let (report, proof) = proved_with(&fixture, 1..21, SearchOptions::default());
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    for seed in &proof.seeds {
        assert_eq!((seed.oracle, seed.upper_bound), (1.0, 1.0), "seed {}", seed.seed);
        assert!(seed.actions.len() <= 13, "seed {}: {} steps", seed.seed, seed.actions.len());
    }
}

#[test]
fn every_prove_code_has_a_fixture_named_after_it() {
    let names: Vec<String> = fixtures().into_iter().map(|(name, _)| name).collect();
    let codes = [
        Code::Unsolvable,
        Code::TrivialPolicyScores,
        Code::Farmable,
        Code::Unreached,
        Code::ProofBudget,
    ];
    for code in codes {
        assert!(
            names.iter().any(|n| n.starts_with(code.as_str())),
            "{code} has no fixture in {FIXTURES}"
        );
    }
    for (name, path) in fixtures() {
        let expected = expected_codes(&path);
        match name.split('_').next().filter(|prefix| prefix.starts_with("SHOP")) {
            Some(code) => {
                assert!(expected.contains(code), "{name}: its header does not list {code}")
            }
            None => {
                assert!(expected.is_empty(), "{name}: a fixture named for no code expects none")
            }
        }
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
