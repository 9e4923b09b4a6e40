//! Fixture directories of broken scenarios: one per diagnostic code, named after it
//! (`SHOP004_unknown_reference`), whose `main.shop` lists the codes it must report in a first
//! `# expect: SHOP004 [SHOP0xx ...]` line.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The fixture directories under `root`, by name, in name order. Paths stay relative to the
/// package root so that rendered file names are the same on every machine.
pub(crate) fn fixtures(root: &str) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{root} is readable: {e}"))
        .map(|entry| entry.expect("readable fixture directory").path())
        .filter(|path| path.is_dir())
        .map(|path| (path.file_name().unwrap().to_string_lossy().into_owned(), path))
        .collect();
    found.sort();
    found
}

/// The codes a fixture's `# expect:` header lists.
pub(crate) fn expected_codes(fixture: &Path) -> BTreeSet<String> {
    let main = fixture.join("main.shop");
    let text = std::fs::read_to_string(&main)
        .unwrap_or_else(|e| panic!("{}: every fixture has a main.shop ({e})", fixture.display()));
    let header = text
        .lines()
        .find_map(|line| line.strip_prefix("# expect:"))
        .unwrap_or_else(|| panic!("{}: no `# expect:` header", main.display()));
    header.split([' ', ',']).filter(|c| !c.is_empty()).map(str::to_string).collect()
}
