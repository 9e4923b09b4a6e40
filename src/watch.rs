//! Watching scenario files: a debounced, recursive watch that calls back once per burst of
//! changes to `.shop` or YAML files. Editors save by writing a temporary file and renaming it,
//! so directories are watched (never single files) and any event on a relevant path counts,
//! whatever its kind — but reads, which the reload itself causes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::RecursiveMode;
use notify::event::{AccessKind, AccessMode, EventKind};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

/// How long a burst of events must be quiet before the callback runs.
pub const DEBOUNCE: Duration = Duration::from_millis(50);

/// A running watch; dropping it stops watching.
pub struct Watch {
    _debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watch")
    }
}

/// Watches `paths` (directories recursively; for a file, its directory) and calls `on_change`
/// after each burst of changes to scenario or case-data files.
pub fn watch(
    paths: &[PathBuf],
    mut on_change: impl FnMut() + Send + 'static,
) -> notify::Result<Watch> {
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        let relevant = match result {
            Ok(events) => events
                .iter()
                .filter(|e| changes_content(&e.kind))
                .flat_map(|e| &e.paths)
                .any(|p| is_scenario_file(p)),
            // Lost events (e.g. an overflowed queue): reload to be safe.
            Err(_) => true,
        };
        if relevant {
            on_change();
        }
    })?;
    for path in paths {
        let (target, mode) = if path.is_dir() {
            (path.as_path(), RecursiveMode::Recursive)
        } else {
            (
                path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")),
                RecursiveMode::NonRecursive,
            )
        };
        debouncer.watch(target, mode)?;
    }
    Ok(Watch { _debouncer: debouncer })
}

/// Every event but a read: reading the files (the reload itself does) must not trigger a reload.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// A `.shop` or YAML file that is not an editor's temporary or backup file.
fn is_scenario_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    let temporary = name.starts_with('.') || name.ends_with('~') || name == "4913";
    let relevant = [".shop", ".yaml", ".yml"].iter().any(|ext| name.ends_with(ext));
    relevant && !temporary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_scenario_and_data_files_count() {
        for (name, counts) in [
            ("scenarios/a.shop", true),
            ("scenarios/data/a.yaml", true),
            ("scenarios/data/a.yml", true),
            ("scenarios/.a.shop.swp", false),
            ("scenarios/a.shop~", false),
            ("scenarios/4913", false),
            ("scenarios/.#a.shop", false),
            ("scenarios/README.md", false),
        ] {
            assert_eq!(is_scenario_file(Path::new(name)), counts, "{name}");
        }
    }
}
