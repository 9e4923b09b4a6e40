//! Reading a scenario or case-data file from disk: the one place the rules live.
//!
//! [`read`] reads regular files only, at most [`MAX_FILE_BYTES`] of them, and never blocks: a
//! FIFO, socket or device is refused before it is opened, and the open itself is non-blocking,
//! with the file type checked again on the opened handle. Within a [`Root`] a path is read only
//! when both its lexical form and its canonical form (every symbolic link resolved) lie below
//! the root, so neither `..` nor a link leads out of it.

use std::fmt;
use std::fs::{File, FileType, OpenOptions};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// The largest file read: 1 MiB (the shipped prelude is about 15 KB).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A directory (or file) reads are confined to, canonicalised once.
#[derive(Clone, Debug)]
pub struct Root {
    /// Absolute, with `.` and `..` removed but links kept: what paths are compared with
    /// before the file system is asked anything.
    lexical: PathBuf,
    /// With every link resolved.
    canonical: PathBuf,
}

impl Root {
    /// The root at `path` (the empty path is the current directory). Fails when it does not
    /// exist.
    pub fn new(path: &Path) -> io::Result<Root> {
        let path = if path.as_os_str().is_empty() { Path::new(".") } else { path };
        Ok(Root {
            lexical: normalize(&std::path::absolute(path)?),
            canonical: path.canonicalize()?,
        })
    }
}

impl Root {
    /// Whether `path` lies below the root: its lexical form, and its parent directory with
    /// every link resolved (the file itself need not exist; a write replaces it, never
    /// following a link in its place).
    pub fn holds(&self, path: &Path) -> io::Result<bool> {
        if !normalize(&std::path::absolute(path)?).starts_with(&self.lexical) {
            return Ok(false);
        }
        let parent = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        Ok(parent.canonicalize()?.starts_with(&self.canonical))
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// The path, or the file a link in it leads to, is outside the root.
    Outside,
    /// A directory, FIFO, socket or device (what it is).
    NotRegular(&'static str),
    /// Over [`MAX_FILE_BYTES`].
    TooLarge,
    /// Not UTF-8 text.
    NotText,
    /// The operating system's error (missing, permission denied, a link loop, ...).
    Io(io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Outside => f.write_str("outside the directory this check may read"),
            ReadError::NotRegular(kind) => write!(f, "not a regular file: {kind}"),
            ReadError::TooLarge => write!(f, "larger than {} KiB", MAX_FILE_BYTES / 1024),
            ReadError::NotText => f.write_str("not UTF-8 text"),
            ReadError::Io(error) => error.fmt(f),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(error: io::Error) -> Self {
        ReadError::Io(error)
    }
}

/// Reads the text of the file at `path`, below `root` when one is given (module docs).
pub fn read(path: &Path, root: Option<&Root>) -> Result<String, ReadError> {
    if let Some(root) = root
        && !normalize(&std::path::absolute(path)?).starts_with(&root.lexical)
    {
        return Err(ReadError::Outside);
    }
    let canonical = path.canonicalize()?;
    if root.is_some_and(|root| !canonical.starts_with(&root.canonical)) {
        return Err(ReadError::Outside);
    }
    // Checked before opening too, so that a device is never opened (opening some has effects).
    regular(std::fs::metadata(&canonical)?.file_type())?;
    let file = open(&canonical)?;
    regular(file.metadata()?.file_type())?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    String::from_utf8(bytes).map_err(|_| ReadError::NotText)
}

/// Opens for reading without blocking (a FIFO swapped in after the check above opens at once)
/// and without following a link swapped in for the last component.
#[cfg(unix)]
fn open(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW).open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

fn regular(kind: FileType) -> Result<(), ReadError> {
    if kind.is_file() { Ok(()) } else { Err(ReadError::NotRegular(describe(kind))) }
}

#[cfg(unix)]
fn describe(kind: FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn describe(kind: FileType) -> &'static str {
    if kind.is_dir() { "a directory" } else { "a special file" }
}

/// Removes `.` and resolvable `..` components, for stable paths in output.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A fresh directory holding `root/` (what reads are confined to) and `outside/`.
    struct Dirs(PathBuf);

    impl Dirs {
        fn new(name: &str) -> Dirs {
            let dir =
                std::env::temp_dir().join(format!("shopops-read-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(dir.join("root/sub")).expect("mkdir");
            std::fs::create_dir_all(dir.join("outside")).expect("mkdir");
            std::fs::write(dir.join("root/ok.shop"), "check order\n").expect("write");
            std::fs::write(dir.join("outside/secret"), "canary\n").expect("write");
            Dirs(dir)
        }

        fn path(&self, relative: &str) -> PathBuf {
            self.0.join(relative)
        }

        fn root(&self) -> Root {
            Root::new(&self.path("root")).expect("root exists")
        }
    }

    impl Drop for Dirs {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Reads on another thread, failing the test if the read takes more than two seconds.
    fn read_soon(path: PathBuf, root: Option<Root>) -> Result<String, String> {
        let (done, result) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = done.send(read(&path, root.as_ref()).map_err(|e| e.to_string()));
        });
        result.recv_timeout(Duration::from_secs(2)).expect("the read returns within 2 s")
    }

    #[test]
    fn a_regular_file_below_the_root_is_read() {
        let dirs = Dirs::new("regular");
        assert_eq!(
            read_soon(dirs.path("root/ok.shop"), Some(dirs.root())),
            Ok("check order\n".into())
        );
        assert_eq!(read_soon(dirs.path("outside/secret"), None), Ok("canary\n".into()));
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dirs = Dirs::new("fifo");
        let fifo = dirs.path("root/pipe.shop");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("run mkfifo");
        assert!(made.success(), "mkfifo");
        assert_eq!(read_soon(fifo, Some(dirs.root())), Err("not a regular file: a FIFO".into()));
    }

    #[test]
    fn devices_and_directories_are_refused() {
        assert_eq!(read_soon("/dev/zero".into(), None), Err("not a regular file: a device".into()));
        let dirs = Dirs::new("directory");
        assert_eq!(
            read_soon(dirs.path("root/sub"), Some(dirs.root())),
            Err("not a regular file: a directory".into())
        );
    }

    #[test]
    fn a_file_over_the_cap_is_refused() {
        let dirs = Dirs::new("size");
        let at_cap = "x".repeat(MAX_FILE_BYTES as usize);
        std::fs::write(dirs.path("root/at_cap.shop"), &at_cap).expect("write");
        std::fs::write(dirs.path("root/over.shop"), format!("{at_cap}x")).expect("write");
        assert_eq!(
            read_soon(dirs.path("root/at_cap.shop"), None).map(|t| t.len()),
            Ok(at_cap.len())
        );
        assert_eq!(
            read_soon(dirs.path("root/over.shop"), None),
            Err("larger than 1024 KiB".into())
        );
    }

    #[test]
    fn nothing_outside_the_root_is_read() {
        let dirs = Dirs::new("outside");
        let outside = Err("outside the directory this check may read".to_string());
        let secret = dirs.path("outside/secret");
        assert_eq!(read_soon(secret.clone(), Some(dirs.root())), outside);
        assert_eq!(
            read_soon(dirs.path("root/sub/../../outside/secret"), Some(dirs.root())),
            outside
        );
        assert_eq!(read_soon("/dev/zero".into(), Some(dirs.root())), outside);
        // Not even whether a file exists out there is told.
        assert_eq!(read_soon(dirs.path("outside/missing"), Some(dirs.root())), outside);
    }

    #[test]
    fn links_are_followed_only_when_they_stay_below_the_root() {
        let dirs = Dirs::new("links");
        let link = |target: PathBuf, name: &str| {
            std::os::unix::fs::symlink(target, dirs.path(name)).expect("symlink");
        };
        link(dirs.path("outside/secret"), "root/secret.shop");
        link(dirs.path("outside"), "root/out");
        link(dirs.path("root/ok.shop"), "root/sub/inside.shop");
        link(dirs.path("root/loop.shop"), "root/loop.shop");
        let outside = Err("outside the directory this check may read".to_string());
        assert_eq!(read_soon(dirs.path("root/secret.shop"), Some(dirs.root())), outside);
        assert_eq!(read_soon(dirs.path("root/out/secret"), Some(dirs.root())), outside);
        assert_eq!(
            read_soon(dirs.path("root/sub/inside.shop"), Some(dirs.root())),
            Ok("check order\n".into())
        );
        let looped = read_soon(dirs.path("root/loop.shop"), Some(dirs.root())).unwrap_err();
        assert!(looped.contains("symbolic links"), "{looped}");
    }

    #[test]
    fn text_must_be_utf8() {
        let dirs = Dirs::new("utf8");
        std::fs::write(dirs.path("root/binary.shop"), [0xff, 0xfe, 0x00]).expect("write");
        assert_eq!(read_soon(dirs.path("root/binary.shop"), None), Err("not UTF-8 text".into()));
    }

    #[test]
    fn the_empty_root_is_the_current_directory() {
        let root = Root::new(Path::new("")).expect("the current directory exists");
        assert_eq!(root.canonical, std::env::current_dir().unwrap().canonicalize().unwrap());
        assert!(Root::new(Path::new("/nonexistent/shopops")).is_err());
    }
}
