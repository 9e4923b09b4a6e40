//! Source files and byte spans into them.
//!
//! Every diagnostic points into a [`SourceMap`]: one `.shop` or YAML file per [`FileId`], and
//! [`Span`]s that name their file, so a label can point into any file of a scenario. Files
//! missing from the map are read from disk by [`read::read`], within the map's confinement.

pub mod read;
pub mod write;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use read::{MAX_FILE_BYTES, ReadError, Root, normalize};

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FileId(pub u32);

/// A byte range `[start, end)` in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span of `start..end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self { file, start: clamp(start), end: clamp(end.max(start)) }
    }

    /// The smallest span covering `self` and `other` (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span covers no byte.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// One loaded file.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as given (relative paths stay relative, for stable output).
    pub path: PathBuf,
    /// Full text.
    pub text: String,
    line_starts: Vec<usize>,
    /// A stand-in for a file that could not be read (empty; never found by [`SourceMap::find`]).
    unread: bool,
}

impl SourceFile {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = (offset as usize).min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }

    /// The bytes of the lines around `start..end`: from `context` lines before the line holding
    /// `start` to `context` lines after the one holding `end`. Returns the byte range and the
    /// 0-based number of its first line.
    pub fn lines_around(
        &self,
        start: u32,
        end: u32,
        context: usize,
    ) -> (std::ops::Range<usize>, usize) {
        let line_of = |offset: u32| {
            let offset = (offset as usize).min(self.text.len());
            self.line_starts.partition_point(|&s| s <= offset) - 1
        };
        let first = line_of(start).saturating_sub(context);
        let after_last = (line_of(end) + context + 1).min(self.line_starts.len());
        let to = self.line_starts.get(after_last).copied().unwrap_or(self.text.len());
        (self.line_starts[first]..to, first)
    }
}

/// All files of a scenario set, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    access: Access,
}

/// Which files missing from a map may be read from disk.
#[derive(Debug, Default)]
enum Access {
    /// Any (files the user named, and what they import).
    #[default]
    Anywhere,
    /// Only below this root.
    Below(Root),
    /// None (the root a map was confined to does not exist).
    Nowhere,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty map that reads files from disk only below `root` (for text from untrusted
    /// sources, such as a request body: its imports cannot reach the rest of the disk). The
    /// root is canonicalised here, once; when it does not exist, nothing is read from disk.
    pub fn confined(root: impl AsRef<Path>) -> Self {
        let access = Root::new(root.as_ref()).map_or(Access::Nowhere, Access::Below);
        Self { files: Vec::new(), access }
    }

    /// Reads a file missing from the map from disk, if the map may read it ([`read::read`]).
    pub fn read(&self, path: &Path) -> Result<String, ReadError> {
        match &self.access {
            Access::Anywhere => read::read(path, None),
            Access::Below(root) => read::read(path, Some(root)),
            Access::Nowhere => Err(ReadError::Outside),
        }
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> FileId {
        let text = text.into();
        let line_starts =
            std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        self.push(SourceFile { path: path.into(), text, line_starts, unread: false })
    }

    /// Adds an empty stand-in for a file that could not be read, so that a diagnostic can name
    /// it; [`SourceMap::find`] never returns it.
    pub fn add_unread(&mut self, path: impl Into<PathBuf>) -> FileId {
        self.push(SourceFile {
            path: path.into(),
            text: String::new(),
            line_starts: vec![0],
            unread: true,
        })
    }

    fn push(&mut self, file: SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 2^32 files"));
        self.files.push(file);
        id
    }

    /// The file behind an id.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The id of an already loaded path.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files.iter().position(|f| !f.unread && f.path == path).map(|i| FileId(i as u32))
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        let text = &self.file(span.file).text;
        text.get(span.start as usize..span.end as usize).unwrap_or("")
    }

    /// Every file, in load order.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_confined_to_a_missing_directory_reads_nothing() {
        let sources = SourceMap::confined("/nonexistent/shopops");
        let refused = sources.read(Path::new("/nonexistent/shopops/prelude.shop")).unwrap_err();
        assert!(matches!(refused, ReadError::Outside), "{refused}");
    }

    #[test]
    fn a_stand_in_for_an_unread_file_is_never_found() {
        let mut sources = SourceMap::new();
        let stand_in = sources.add_unread("prelude.shop");
        assert_eq!(sources.find(Path::new("prelude.shop")), None);
        let read = sources.add("prelude.shop", "check order\n");
        assert_eq!(sources.find(Path::new("prelude.shop")), Some(read));
        assert_eq!(sources.file(stand_in).line_col(0), (1, 1));
    }
}
