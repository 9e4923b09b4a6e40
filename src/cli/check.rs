//! `shopops check`

use std::path::PathBuf;

use crate::check::check_paths;
use crate::diag::{Format, render_human, render_json};

/// Checks `paths`; exit code 0 when clean, 1 on errors (or warnings with `deny_warnings`).
pub(super) fn run(paths: &[PathBuf], format: Format, deny_warnings: bool) -> Result<u8, String> {
    let report = check_paths(paths).map_err(|e| format!("cannot read the given paths: {e}"))?;
    match format {
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
            let scenarios = report.checked.iter().filter(|c| c.program.scenario.is_some()).count();
            let (errors, warnings) = (report.errors(), report.warnings());
            super::emit(&format!(
                "checked {scenarios} scenario{}: {errors} error{}, {warnings} warning{}\n",
                plural(scenarios),
                plural(errors),
                plural(warnings)
            ));
        }
        Format::Json => {
            super::emit(&format!("{}\n", render_json(&report.diagnostics, &report.sources)))
        }
    }
    let failed = report.errors() > 0 || (deny_warnings && report.warnings() > 0);
    Ok(u8::from(failed))
}

/// Checks `paths` on every change until interrupted; on a terminal the screen is cleared first.
#[cfg(feature = "watch")]
pub(super) fn watch(paths: &[PathBuf], format: Format, deny_warnings: bool) -> Result<u8, String> {
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
        run(paths, format, deny_warnings)?;
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
