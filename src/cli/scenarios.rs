//! Loading scenarios for `run` and `eval`: check, compile, make executable.

use std::path::PathBuf;
use std::sync::Arc;

use crate::check::check_paths;
use crate::compile::compile;
use crate::diag::render_human;
use crate::engine::Machine;

/// Checks and compiles the scenario files under `paths`; on any error prints the diagnostics
/// and returns `Err` with a one-line summary.
pub(super) fn load(paths: &[PathBuf]) -> Result<Vec<Arc<Machine>>, String> {
    let report = check_paths(paths).map_err(|e| format!("cannot read the given paths: {e}"))?;
    if report.errors() > 0 {
        eprint!("{}", render_human(&report.diagnostics, &report.sources, false, super::width()));
        return Err(format!("{} error(s) in the scenarios; see `shopops check`", report.errors()));
    }
    let sources = report.sources;
    let machines: Vec<Arc<Machine>> = report
        .checked
        .into_iter()
        .filter_map(|checked| compile(checked, &sources))
        .map(|scenario| Arc::new(Machine::new(Arc::new(scenario))))
        .collect();
    if machines.is_empty() {
        return Err("no scenario found (a scenario file has a `scenario` block)".to_string());
    }
    Ok(machines)
}
