//! Writing a scenario or case-data file (the studio's save, `serve --allow-save`): the one
//! place the rules live. Only `.shop` and YAML files, at most [`MAX_FILE_BYTES`], below a
//! [`Root`] exactly as reads are confined (neither `..` nor a link leads out), never through a
//! link or onto anything but a regular file, and atomically: the text goes to a temporary file
//! beside the target, which is then renamed over it, so a watcher never sees half a file.

use std::fmt;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{MAX_FILE_BYTES, Root};

/// Why a file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The path, or a link in its directories, leads outside the root.
    Outside,
    /// Not a `.shop`, `.yaml` or `.yml` file, or a hidden one.
    NotScenarioFile,
    /// Something other than a regular file is in the way (what it is).
    NotRegular(&'static str),
    /// Over [`MAX_FILE_BYTES`].
    TooLarge,
    /// The operating system's error (a missing directory, permission denied, ...).
    Io(io::Error),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Outside => f.write_str("outside the directory the server serves"),
            WriteError::NotScenarioFile => f.write_str("not a .shop, .yaml or .yml file"),
            WriteError::NotRegular(kind) => write!(f, "not a regular file: {kind}"),
            WriteError::TooLarge => write!(f, "larger than {} KiB", MAX_FILE_BYTES / 1024),
            WriteError::Io(error) => error.fmt(f),
        }
    }
}

impl From<io::Error> for WriteError {
    fn from(error: io::Error) -> Self {
        WriteError::Io(error)
    }
}

/// Replaces (or creates) the file at `path` below `root` with `text` (module docs).
pub fn write(path: &Path, text: &str, root: &Root) -> Result<(), WriteError> {
    let name = path.file_name().and_then(|n| n.to_str()).ok_or(WriteError::NotScenarioFile)?;
    let scenario_file = [".shop", ".yaml", ".yml"].iter().any(|ext| name.ends_with(ext));
    if !scenario_file || name.starts_with('.') {
        return Err(WriteError::NotScenarioFile);
    }
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(WriteError::TooLarge);
    }
    if !root.holds(path)? {
        return Err(WriteError::Outside);
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(WriteError::NotRegular("a link")),
        Ok(meta) if !meta.is_file() => return Err(WriteError::NotRegular("not a file")),
        Ok(_) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(error.into()),
    }
    // Hidden, so the watcher ignores it; unique, and created fresh (never through a link).
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let temporary = path.with_file_name(format!(".{name}.{}-{nanos}.tmp", std::process::id()));
    let written = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    Ok(written?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("shopops-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("root/data")).unwrap();
        dir
    }

    #[test]
    fn writes_inside_the_root_only() {
        let dir = scratch("inside");
        let root = Root::new(&dir.join("root")).unwrap();
        write(&dir.join("root/a.shop"), "x", &root).unwrap();
        write(&dir.join("root/data/a.yaml"), "y", &root).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("root/a.shop")).unwrap(), "x");
        for outside in ["b.shop", "root/../b.shop", "root/data/../../b.shop"] {
            let error = write(&dir.join(outside), "x", &root).unwrap_err();
            assert!(matches!(error, WriteError::Outside), "{outside}: {error}");
        }
        for name in ["root/a.txt", "root/.a.shop", "root/data"] {
            assert!(write(&dir.join(name), "x", &root).is_err(), "{name}");
        }
        assert!(!dir.join("b.shop").exists());
        let leftovers = std::fs::read_dir(dir.join("root")).unwrap().count();
        assert_eq!(leftovers, 2, "a.shop and data/, no temporary file");
    }

    #[cfg(unix)]
    #[test]
    fn links_lead_nowhere() {
        let dir = scratch("links");
        let root = Root::new(&dir.join("root")).unwrap();
        std::fs::write(dir.join("secret.shop"), "s").unwrap();
        std::os::unix::fs::symlink(dir.join("secret.shop"), dir.join("root/link.shop")).unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("root/up")).unwrap();
        assert!(matches!(
            write(&dir.join("root/link.shop"), "x", &root),
            Err(WriteError::NotRegular(_))
        ));
        assert!(matches!(write(&dir.join("root/up/c.shop"), "x", &root), Err(WriteError::Outside)));
        assert_eq!(std::fs::read_to_string(dir.join("secret.shop")).unwrap(), "s");
        assert!(!dir.join("c.shop").exists());
    }
}
