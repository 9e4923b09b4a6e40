//! Helpers for the unit tests that play compiled scenarios (engine, oracle).

use std::path::PathBuf;
use std::sync::Arc;

use super::Machine;
use crate::check::check_paths;
use crate::compile::compile;

/// The compiled scenarios under `paths` (relative to the crate).
pub(crate) fn machines(paths: &[&str]) -> Vec<Machine> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let paths: Vec<_> = paths.iter().map(|p| root.join(p)).collect();
    let report = check_paths(&paths).expect("the scenarios read");
    let sources = &report.sources;
    (report.checked.into_iter())
        .filter_map(|checked| compile(checked, sources))
        .map(|scenario| Machine::new(Arc::new(scenario)))
        .collect()
}

/// A xorshift draw in `0..n`: the same sequence for the same starting `state`.
pub(crate) fn draw(state: &mut u64, n: usize) -> usize {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state % n as u64) as usize
}
