//! What `shopops dump` prints for the shipped scenarios, and the scenario version: a content
//! hash that follows the files' text, not where they live.

use std::path::{Path, PathBuf};

use shopops::check::check_paths;
use shopops::compile::{Scenario, compile, to_dot};
use shopops::diag::render_human;

const SHIPPED: [&str; 3] = ["refund_policy_recovery", "sla_queue_juggle", "fraud_stockout_cascade"];

/// Checks and compiles one scenario file, failing with the rendered diagnostics if it has errors.
fn compile_file(path: &Path) -> Scenario {
    let mut report = check_paths(&[path.to_path_buf()]).expect("scenario file is readable");
    let rendered = render_human(&report.diagnostics, &report.sources, false, 80);
    let checked = report.checked.remove(0);
    compile(checked, &report.sources)
        .unwrap_or_else(|| panic!("{} does not compile:\n{rendered}", path.display()))
}

fn shipped(name: &str) -> PathBuf {
    PathBuf::from(format!("scenarios/{name}.shop"))
}

/// A fresh, empty directory under cargo's per-target scratch directory.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dump").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Copies a shipped scenario with the files it reads (prelude and case data) into `dir`,
/// keeping their relative layout. Returns the copied scenario file.
fn copy_scenario(name: &str, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy("scenarios/prelude.shop", dir.join("prelude.shop")).unwrap();
    let data = format!("data/{name}.yaml");
    std::fs::copy(Path::new("scenarios").join(&data), dir.join(&data)).unwrap();
    let file = dir.join(format!("{name}.shop"));
    std::fs::copy(shipped(name), &file).unwrap();
    file
}

#[test]
fn json_dump_of_refund_policy_recovery() {
    let scenario = compile_file(&shipped("refund_policy_recovery"));
    insta::assert_json_snapshot!(scenario);
}

#[test]
fn json_dump_of_sla_queue_juggle() {
    let scenario = compile_file(&shipped("sla_queue_juggle"));
    insta::assert_json_snapshot!(scenario);
}

#[test]
fn json_dump_of_fraud_stockout_cascade() {
    let scenario = compile_file(&shipped("fraud_stockout_cascade"));
    insta::assert_json_snapshot!(scenario);
}

#[test]
fn dot_dump_of_fraud_stockout_cascade() {
    let scenario = compile_file(&shipped("fraud_stockout_cascade"));
    insta::assert_snapshot!(to_dot(&scenario));
}

#[test]
fn version_is_a_short_hex_hash() {
    for name in SHIPPED {
        let version = compile_file(&shipped(name)).version;
        assert_eq!(version.len(), 16, "{name}: {version}");
        assert!(version.chars().all(|c| c.is_ascii_hexdigit()), "{name}: {version}");
    }
}

#[test]
fn shipped_scenarios_have_distinct_versions() {
    let mut versions: Vec<String> =
        SHIPPED.iter().map(|name| compile_file(&shipped(name)).version).collect();
    versions.sort();
    versions.dedup();
    assert_eq!(versions.len(), SHIPPED.len());
}

#[test]
fn version_is_the_same_for_identical_copies_in_different_directories() {
    for name in SHIPPED {
        let original = compile_file(&shipped(name)).version;
        let first = compile_file(&copy_scenario(name, &scratch_dir(&format!("{name}-a"))));
        let second = compile_file(&copy_scenario(name, &scratch_dir(&format!("{name}-b/nested"))));
        assert_eq!(first.version, original, "{name}: copy differs from scenarios/");
        assert_eq!(second.version, original, "{name}: nested copy differs from scenarios/");
    }
}

#[test]
fn version_changes_when_a_yaml_value_changes() {
    let name = "refund_policy_recovery";
    let dir = scratch_dir("yaml-edit");
    let file = copy_scenario(name, &dir);
    let before = compile_file(&file).version;
    let data = dir.join(format!("data/{name}.yaml"));
    let text = std::fs::read_to_string(&data).unwrap();
    assert!(text.contains("satisfaction_bonus: 12%"));
    std::fs::write(&data, text.replace("satisfaction_bonus: 12%", "satisfaction_bonus: 13%"))
        .unwrap();
    let after = compile_file(&file);
    assert_ne!(after.version, before);
    let case = &after.cases[0];
    let bonus = case.values.iter().find(|(name, _)| *name == "satisfaction_bonus").unwrap();
    assert_eq!(bonus.1.kind, shopops::syntax::ast::ExprKind::Percent(1300), "edit took effect");
}

#[test]
fn version_changes_when_the_prelude_changes() {
    let name = "sla_queue_juggle";
    let dir = scratch_dir("prelude-edit");
    let file = copy_scenario(name, &dir);
    let before = compile_file(&file).version;
    let prelude = dir.join("prelude.shop");
    let text = std::fs::read_to_string(&prelude).unwrap();
    std::fs::write(&prelude, text.replace("hold_cost 5m", "hold_cost 6m")).unwrap();
    assert_ne!(compile_file(&file).version, before);
}
