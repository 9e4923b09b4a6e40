#!/usr/bin/env bash
# The Python package's checks: builds the `shopops` package from ./python into a virtualenv
# under target/ (with the pinned tools below), then the extension crate's rustfmt and clippy,
# ruff, mypy, and pytest (Gymnasium's check_env on every shipped task, determinism against the
# `shopops run` binary built here and a `shopops serve` it starts, diagnostics, the vector
# environment, the TRL tool environment, the Ray example on a local cluster).
# Needs python3 (>= 3.10) with venv, cargo, and the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
venv="$root/target/python-venv"
# One target directory for the root crate, the extension crate and maturin's builds.
export CARGO_TARGET_DIR="$root/target"

step() { printf '\n--- %s\n' "$*"; }

step "virtualenv $venv"
[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
# websockets: RemoteEnv's client. ray: the Ray example's test (a local 2-CPU cluster); its
# wheel and dependencies add about 250 MB to the venv and 11 s to a first install.
"$venv/bin/python" -m pip install -q --disable-pip-version-check \
  maturin==1.16.0 gymnasium==1.4.0 mypy==2.4.1 pytest==9.2.0 ruff==0.17.6 transformers==5.25.0 \
  websockets==17.4 ray==2.60.0

step "pip install ./python (maturin, release)"
# No build isolation: the pinned maturin above builds it, with the shared target directory.
PATH="$venv/bin:$PATH" "$venv/bin/python" -m pip install -q --disable-pip-version-check \
  --no-build-isolation --no-deps --force-reinstall ./python

step "the extension crate: rustfmt, clippy"
# A target directory of its own: maturin's environment (PYO3_PYTHON, ...) differs, and pyo3's
# build script would rerun on every switch between the two.
(cd python && cargo fmt --check &&
  CARGO_TARGET_DIR="$root/target/python-clippy" cargo clippy --release --locked -- -D warnings)

step "ruff (the package, its tests, examples/python)"
"$venv/bin/ruff" check python examples/python
"$venv/bin/ruff" format --check python examples/python

step "mypy --strict (the package, against the native module's stubs, and its benchmarks)"
# The benchmarks import the tests' server helper (python/tests/server.py).
MYPYPATH=python/tests "$venv/bin/mypy" --strict --cache-dir "$root/target/mypy-cache" \
  python/shopops python/benchmarks

step "shopops binary, for the comparison with shopops run"
cargo build --release --locked --bin shopops

step "pytest"
SHOPOPS_BIN="$root/target/release/shopops" "$venv/bin/pytest" -q python/tests
