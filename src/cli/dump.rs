//! `shopops dump`

use std::path::{Path, PathBuf};

use crate::check::check_paths;
use crate::compile::{compile, to_dot};
use crate::diag::render_human;

/// Output formats of `dump`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum DumpFormat {
    /// The compiled scenario as JSON.
    Json,
    /// The compiled scenario as RON.
    Ron,
    /// The dependency graph in Graphviz DOT.
    Dot,
}

/// Compiles `file` and prints it; on check errors prints them and exits 1.
pub(super) fn run(file: &Path, format: DumpFormat) -> Result<u8, String> {
    let report = check_paths(&[PathBuf::from(file)])
        .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
    let errors = report.errors();
    let scenario = report.checked.into_iter().next().and_then(|c| compile(c, &report.sources));
    let Some(scenario) = scenario else {
        if errors == 0 {
            return Err(format!("`{}` has no `scenario` block: nothing to dump", file.display()));
        }
        eprint!("{}", render_human(&report.diagnostics, &report.sources, false, super::width()));
        return Ok(1);
    };
    let text = match format {
        DumpFormat::Json => serde_json::to_string_pretty(&scenario).map_err(|e| e.to_string())?,
        DumpFormat::Ron => {
            let config = ron::ser::PrettyConfig::new().struct_names(true);
            ron::ser::to_string_pretty(&scenario, config).map_err(|e| e.to_string())?
        }
        DumpFormat::Dot => to_dot(&scenario),
    };
    super::emit(&format!("{}\n", text.trim_end()));
    Ok(0)
}
