"""Launcher for the ShopOps OpenEnv server.

ShopOps is written in Rust; this module is only a thin launcher so that Python
tooling (`uv run server`, `python -m server.app`, `openenv validate`) can start
it. It finds the `shopops` binary and replaces the current process with
`shopops serve <arguments>`:

1. `$SHOPOPS_BIN`, if set;
2. `target/release/shopops` under the repository root;
3. `shopops` on `PATH`.

Arguments are passed through, e.g. `uv run server --port 8001 scenarios`.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_HINT = "cargo build --release --locked --bin shopops"


def find_binary() -> str | None:
    """Return the path of the shopops binary, or None when there is none."""
    explicit = os.environ.get("SHOPOPS_BIN")
    if explicit:
        return explicit
    local = REPO_ROOT / "target" / "release" / "shopops"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which("shopops")


def main() -> None:
    """Exec `shopops serve` with this process's arguments."""
    binary = find_binary()
    if binary is None:
        print(f"shopops binary not found: build it with `{BUILD_HINT}` "
              "or set SHOPOPS_BIN", file=sys.stderr)
        sys.exit(1)
    argv = [binary, "serve", *sys.argv[1:]]
    # As the Docker image runs it: freed buffers of 32 KiB or more go back to the system.
    env = {"MALLOC_MMAP_THRESHOLD_": "32768", **os.environ}
    try:
        os.execve(binary, argv, env)
    except OSError as exc:
        print(f"cannot run {binary}: {exc}; build it with `{BUILD_HINT}`", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
