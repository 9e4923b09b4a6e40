//! `shopops check`

use std::ops::Range;
use std::path::PathBuf;

use crate::check::check_paths;
use crate::diag::{Format, render_human, render_json, to_json};
use crate::oracle::SearchOptions;

/// How to check.
#[derive(Clone, Debug)]
pub(super) struct CheckOptions {
    /// Output format.
    pub(super) format: Format,
    /// Fail on warnings too.
    pub(super) deny_warnings: bool,
    /// Prove every scenario once it checks clean.
    pub(super) prove: Option<ProveOptions>,
}

/// How to prove.
#[derive(Clone, Debug)]
pub(super) struct ProveOptions {
    /// The seeds of every scenario.
    pub(super) seeds: Range<u64>,
    /// How hard the oracle searches.
    pub(super) search: SearchOptions,
    /// Where to write the best plays as trajectories.
    pub(super) emit_solutions: Option<PathBuf>,
}

/// Checks `paths` (and proves them with `--prove`); exit code 0 when clean, 1 on errors (or
/// warnings with `deny_warnings`).
pub(super) fn run(paths: &[PathBuf], options: &CheckOptions) -> Result<u8, String> {
    let mut report = check_paths(paths).map_err(|e| format!("cannot read the given paths: {e}"))?;
    let scenarios = report.checked.iter().filter(|c| c.program.scenario.is_some()).count();
    let proofs = match &options.prove {
        Some(prove) if report.errors() == 0 => {
            Some(super::prove::prove(&mut report, scenarios, prove)?)
        }
        _ => None,
    };
    match options.format {
        Format::Human => {
            print!(
                "{}",
                render_human(
                    &report.diagnostics,
                    &report.sources,
                    super::use_color(),
                    super::width()
                )
            );
            if let Some(proofs) = &proofs {
                super::emit(&super::prove::table(proofs));
            }
            let (errors, warnings) = (report.errors(), report.warnings());
            let proved = if proofs.is_some() { " and proved" } else { "" };
            super::emit(&format!(
                "checked{proved} {scenarios} scenario{}: {errors} error{}, {warnings} warning{}\n",
                plural(scenarios),
                plural(errors),
                plural(warnings)
            ));
        }
        Format::Json => {
            let text = match &proofs {
                None => render_json(&report.diagnostics, &report.sources),
                Some(proofs) => serde_json::to_string_pretty(&serde_json::json!({
                    "diagnostics": to_json(&report.diagnostics, &report.sources),
                    "proofs": proofs,
                }))
                .map_err(|e| e.to_string())?,
            };
            super::emit(&format!("{text}\n"));
        }
    }
    let failed = report.errors() > 0 || (options.deny_warnings && report.warnings() > 0);
    Ok(u8::from(failed))
}

/// Checks `paths` on every change until interrupted; on a terminal the screen is cleared first.
#[cfg(feature = "watch")]
pub(super) fn watch(paths: &[PathBuf], options: &CheckOptions) -> Result<u8, String> {
    use std::io::IsTerminal;
    let (changed, changes) = std::sync::mpsc::channel();
    let _watch = crate::watch::watch(paths, move || {
        let _ = changed.send(());
    })
    .map_err(|e| format!("cannot watch the given paths: {e}"))?;
    loop {
        if std::io::stdout().is_terminal() {
            super::emit("\x1b[2J\x1b[H");
        }
        run(paths, options)?;
        eprintln!("watching for changes (Ctrl-C to stop)");
        if changes.recv().is_err() {
            return Ok(0);
        }
        while changes.try_recv().is_ok() {}
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
