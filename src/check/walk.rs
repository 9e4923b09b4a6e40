//! The walk of `shopops check PATH...` and of the served set: every `*.shop` file under the
//! given paths, read into a source map. Nothing outside the given paths is read through the
//! walk: linked directories are not entered, and a linked `.shop` file is read only when it
//! resolves below the path it was found under. A file or directory that cannot be read is a
//! `SHOP012` diagnostic, never a failed walk.

use std::io;
use std::path::{Path, PathBuf};

use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Root, SourceMap, Span, normalize, read};

/// The files a walk found.
#[derive(Debug, Default)]
pub(super) struct Walk {
    /// Every file read, and a stand-in for every one that could not be.
    pub sources: SourceMap,
    /// The `.shop` files found, in path order (the unreadable ones as their stand-ins).
    pub roots: Vec<FileId>,
    /// The roots that could not be read.
    pub unread: Vec<FileId>,
    /// Why files or directories could not be read.
    pub diagnostics: Vec<Diagnostic>,
}

/// Walks `paths` (directories recursively, in path order). Only a given path that does not
/// exist, or a given directory that cannot be listed, is an I/O error.
pub(super) fn walk(paths: &[PathBuf]) -> io::Result<Walk> {
    let mut walk = Walk::default();
    let mut found = Vec::new();
    for path in paths {
        // The error names the path: a caller may have been given several.
        let at =
            |error: io::Error| io::Error::new(error.kind(), format!("{}: {error}", path.display()));
        let root = Root::new(path).map_err(at)?;
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(at)?;
            walk.descend(entries, &root, path, &mut found);
        } else {
            found.push((normalize(path), root));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.dedup_by(|a, b| a.0 == b.0);
    for (path, root) in found {
        let id = match read::read(&path, Some(&root)) {
            Ok(text) => walk.sources.add(path, text),
            Err(error) => {
                let id = walk.unreadable(&path, format!("cannot read `{}`", path.display()), error);
                walk.unread.push(id);
                id
            }
        };
        walk.roots.push(id);
    }
    Ok(walk)
}

impl Walk {
    /// Collects the `.shop` files below a directory. Entries are told apart by their own type,
    /// not their target's, so a linked directory is never entered (the walk cannot loop, and
    /// the file watch, which does not follow links either, sees the same files).
    fn descend(
        &mut self,
        entries: std::fs::ReadDir,
        root: &Root,
        dir: &Path,
        found: &mut Vec<(PathBuf, Root)>,
    ) {
        let listed: io::Result<Vec<(PathBuf, std::fs::FileType)>> =
            entries.map(|entry| entry.and_then(|e| Ok((e.path(), e.file_type()?)))).collect();
        let mut listed = match listed {
            Ok(listed) => listed,
            Err(error) => {
                self.unreadable(dir, format!("cannot list `{}`", dir.display()), error);
                return;
            }
        };
        listed.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, kind) in listed {
            if kind.is_dir() {
                match std::fs::read_dir(&path) {
                    Ok(entries) => self.descend(entries, root, &path, found),
                    Err(error) => {
                        self.unreadable(&path, format!("cannot list `{}`", path.display()), error);
                    }
                }
            } else if path.extension().is_some_and(|e| e == "shop") {
                found.push((normalize(&path), root.clone()));
            }
        }
    }

    /// Reports a file or directory that could not be read, at a stand-in for it.
    fn unreadable(
        &mut self,
        path: &Path,
        message: String,
        error: impl std::fmt::Display,
    ) -> FileId {
        let id = self.sources.add_unread(normalize(path));
        self.diagnostics.push(
            Diagnostic::new(Code::Import, Span::new(id, 0, 0), message)
                .label(error.to_string())
                .help(
                    "every `.shop` file under a checked directory is read: make it a readable \
                 file there, or move it out",
                ),
        );
        id
    }
}
