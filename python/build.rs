//! Copies the repository's shipped scenarios into the package (`shopops/scenarios/`) before
//! maturin collects the Python files, so the wheel carries them and needs no checkout. A copy,
//! not a link: OpenEnv's validator refuses a package source that holds links.

use std::fs;
use std::io;
use std::path::Path;

fn main() -> io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = root.join("../scenarios");
    println!("cargo:rerun-if-changed={}", shipped.display());
    let copy = root.join("shopops/scenarios");
    if copy.exists() {
        fs::remove_dir_all(&copy)?;
    }
    copy_tree(&shipped, &copy)
}

/// Copies the scenario files (`.shop`, `.yaml`) of `from` into `to`, recursively.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            copy_tree(&path, &to.join(entry.file_name()))?;
        } else if path.extension().is_some_and(|e| e == "shop" || e == "yaml") {
            fs::copy(&path, to.join(entry.file_name()))?;
        }
    }
    Ok(())
}
