//! Watching scenario files: a debounced, recursive watch that calls back once per burst of
//! changes to `.shop` or YAML files. Editors save by writing a temporary file and renaming it,
//! so directories are watched (never single files) and any event on a relevant path counts,
//! whatever its kind — but reads, which the reload itself causes. Links are not followed: a
//! linked directory is not watched, as the walk of the check does not enter it.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{Config, RecommendedWatcher, RecursiveMode, Watcher};

/// How long the files must be quiet before the callback runs.
pub const QUIET: Duration = Duration::from_millis(50);

/// The longest a burst of changes can delay the callback (saves every few milliseconds, e.g. by
/// a tool, still reload at this pace).
pub const MAX_WAIT: Duration = Duration::from_millis(250);

/// A running watch; dropping it stops watching.
pub struct Watch {
    _watcher: RecommendedWatcher,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watch")
    }
}

/// Watches `paths` (directories recursively; for a file, its directory) and calls `on_change`
/// once the scenario or case-data files have been quiet for [`QUIET`] after a change, or
/// [`MAX_WAIT`] after the first change of a burst, whichever comes first.
pub fn watch(
    paths: &[PathBuf],
    mut on_change: impl FnMut() + Send + 'static,
) -> notify::Result<Watch> {
    let (changed, changes) = channel();
    let on_event = move |event: notify::Result<notify::Event>| {
        let relevant = match event {
            Ok(event) => {
                changes_content(&event.kind) && event.paths.iter().any(|p| is_scenario_file(p))
            }
            // Lost events (e.g. an overflowed queue): reload to be safe.
            Err(_) => true,
        };
        if relevant {
            let _ = changed.send(());
        }
    };
    let config = Config::default().with_follow_symlinks(false);
    let mut watcher = RecommendedWatcher::new(on_event, config)?;
    for path in paths {
        let (target, mode) = if path.is_dir() {
            (path.as_path(), RecursiveMode::Recursive)
        } else {
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
            (parent.unwrap_or(Path::new(".")), RecursiveMode::NonRecursive)
        };
        watcher.watch(target, mode)?;
    }
    // Debounce: the thread ends when the watcher (and with it the sender) is dropped.
    std::thread::spawn(move || {
        while changes.recv().is_ok() {
            let first = Instant::now();
            while let Some(left) = MAX_WAIT.checked_sub(first.elapsed()) {
                match changes.recv_timeout(QUIET.min(left)) {
                    Ok(()) => continue,
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            on_change();
        }
    });
    Ok(Watch { _watcher: watcher })
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
