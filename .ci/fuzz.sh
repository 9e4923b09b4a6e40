#!/usr/bin/env bash
# CI: every fuzz target (fuzz/, cargo-fuzz on nightly) for a bounded time from the seed
# corpora; any crash (panic, failed invariant, abort, timeout, out of memory) fails the step and
# leaves its input under fuzz/artifacts/<target>/. Installs the nightly toolchain and
# cargo-fuzz if missing; needs only the package registries.
#
#   FUZZ_SECONDS=25            seconds per target (default 25)
#   FUZZ_TARGETS="step"        the targets to run (default: all four)
#   FUZZ_TARGET_DIR=DIR        the build's directory (default: a cache outside the clone)
#
# The build is tuned for a short CI run (many codegen units, opt-level 1: a faster build, a
# fuzzer about as fast here), and kept outside the clone so that the next run only rebuilds
# what changed (about a minute on 2 cores, against six for a cold build). The long local runs
# of docs/reliability.md use cargo-fuzz's defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-25}"
read -r -a targets <<<"${FUZZ_TARGETS:-parse compile step request}"

if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
  cargo install --locked cargo-fuzz
fi

bash fuzz/seed-corpora.sh

# No sanitizer: the library forbids `unsafe`, so AddressSanitizer adds little to what panics
# report (debug assertions and overflow checks stay on) and makes the fuzzer several times slower.
target_dir="${FUZZ_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/shopops/fuzz-target}"
flags=(--sanitizer none --codegen-units 16 --target-dir "$target_dir")
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${CARGO_PROFILE_RELEASE_OPT_LEVEL:-1}"
started=$SECONDS
cargo +nightly fuzz build "${flags[@]}"
echo "fuzz build: $((SECONDS - started)) s"

for target in "${targets[@]}"; do
  echo "--- fuzz $target for ${seconds} s"
  # -timeout: one input taking longer is a hang, reported as a crash. The progress lines of
  # new inputs are left out of the log.
  if ! cargo +nightly fuzz run "${flags[@]}" "$target" -- \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
    { grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)' || true; }; then
    echo "fuzz target $target failed; the input is under fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
echo "fuzz: ${#targets[@]} targets, ${seconds} s each, no crash ($((SECONDS - started)) s with the build)"
