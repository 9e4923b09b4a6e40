//! `shopops dump`

use std::path::Path;

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

pub(super) fn run(_file: &Path, _format: DumpFormat) -> Result<u8, String> {
    Err("not yet".into())
}
