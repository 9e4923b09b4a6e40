//! Loading scenarios for `run` and `eval`: check, compile, make executable.

use std::path::PathBuf;
use std::sync::Arc;

use crate::catalog::{Catalog, LoadError};
use crate::diag::render_human;
use crate::engine::Machine;

/// Checks and compiles the scenario files under `paths`; on any error prints the diagnostics
/// and returns `Err` with a one-line summary.
pub(super) fn load(paths: &[PathBuf]) -> Result<Catalog, String> {
    Catalog::load(paths).map_err(|error| {
        if let LoadError::Invalid(report) = &error {
            eprint!(
                "{}",
                render_human(&report.diagnostics, &report.sources, false, super::width())
            );
        }
        error.to_string()
    })
}

/// As [`load`], the executable scenarios alone.
pub(super) fn machines(paths: &[PathBuf]) -> Result<Vec<Arc<Machine>>, String> {
    Ok(load(paths)?.machines().cloned().collect())
}
