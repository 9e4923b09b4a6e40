#!/usr/bin/env bash
# OpenEnv conformance harness: starts `shopops serve` on a free loopback port and runs against it
#   1. ../shared/tools/openenv_probe.py once per task (all groups, 5 steps);
#   2. `openenv validate --url` and `openenv validate <dir>` (0.10.0) on a clean export, plus the
#      legacy (openenv-core 0.2.x) directory checks of protocol spec §8.1;
#   3. tests/conformance/client_episodes.py: full episodes with the official GenericEnvClient;
#   4. tests/inference/test_inference.py: inference.py against a stub LLM;
#   5. tests/conformance/task_api.py: the task API as OpenEnv 0.10 reads it, the manifest's
#      declared task counts against the server, reset by split with the official client;
#      then schemathesis against /openapi.json;
#   6. the server runs with --record: every episode above is recorded, the official client's
#      episodes finished, and `shopops replay` reproduces every recording bit for bit.
# Run from anywhere (it cd's to the repository root). Exits non-zero when any check fails.
#
# Environment:
#   SHOPOPS_BIN         server binary to test, used as is (default: target/release/shopops,
#                       built with `cargo build --release --locked --bin shopops`; a no-op when fresh)
#   CONFORMANCE_VENV    venv with openenv==0.10.0 (default: target/conformance-venv, made if missing)
#   CONFORMANCE_EXPORT  what `openenv validate <dir>` sees: `head` (git archive HEAD) or `worktree`
#                       (tracked + untracked, non-ignored files); default head when HEAD has an
#                       openenv.yaml, else worktree
set -euo pipefail
cd "$(dirname "$0")/../.."
probe=../shared/tools/openenv_probe.py
tasks=(refund_policy_recovery sla_queue_juggle fraud_stockout_cascade)

results=()
failed=0
pass() { results+=("PASS  $1"); echo "--- PASS: $1"; }
fail() { results+=("FAIL  $1"); echo "--- FAIL: $1"; failed=1; }
step() { printf '\n=== conformance: %s\n' "$*"; }

# --- venv ----------------------------------------------------------------------------------
venv=${CONFORMANCE_VENV:-target/conformance-venv}
step "venv $venv (openenv==0.10.0, websockets, openai)"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
venv=$(cd "$venv" && pwd)
py=$venv/bin/python
if ! "$py" -c 'import importlib.metadata as m, websockets, openai; assert m.version("openenv") == "0.10.0"' 2>/dev/null; then
  "$py" -m pip install --quiet --disable-pip-version-check 'openenv==0.10.0' websockets openai
fi
"$py" -c 'import importlib.metadata as m; print("openenv", m.version("openenv"), "websockets", m.version("websockets"))'

# --- server --------------------------------------------------------------------------------
if [ -n "${SHOPOPS_BIN:-}" ]; then
  bin=$SHOPOPS_BIN
else
  step "cargo build --release --locked --bin shopops"
  cargo build --release --locked --bin shopops
  bin=target/release/shopops
fi
[ -x "$bin" ] || { echo "no executable server binary at $bin" >&2; exit 1; }

work=$(mktemp -d /tmp/shopops-conformance.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
recorded=$work/recorded
step "start: $bin serve --host 127.0.0.1 --port $port --record $recorded scenarios"
"$bin" serve --host 127.0.0.1 --port "$port" --record "$recorded" scenarios >"$work/server.log" 2>&1 &
server_pid=$!
server_log() { echo "--- server log (tail)"; tail -n 40 "$work/server.log" || true; }

health() {
  "$py" - "$url/health" <<'PY'
import json, sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
try:
    with opener.open(sys.argv[1], timeout=2) as r:
        sys.exit(0 if r.status == 200 and json.load(r).get("status") == "healthy" else 1)
except Exception:
    sys.exit(1)
PY
}
deadline=$((SECONDS + 30))
until health; do
  if ! kill -0 "$server_pid" 2>/dev/null; then server_log; echo "server exited" >&2; exit 1; fi
  if [ $SECONDS -ge $deadline ]; then server_log; echo "no healthy /health within 30 s" >&2; exit 1; fi
  sleep 0.3
done
echo "healthy at $url"

# --- 1. probe per task -----------------------------------------------------------------------
for task in "${tasks[@]}"; do
  step "probe ($task)"
  if "$py" "$probe" "$url" --reset-kwargs "{\"task\":\"$task\"}" --steps 5 --reward-range=-1,1; then
    pass "probe $task"
  else
    fail "probe $task"
  fi
done

# --- 2. validators ---------------------------------------------------------------------------
step "openenv validate --url $url"
if "$venv/bin/openenv" validate --url "$url"; then pass "openenv validate --url"; else fail "openenv validate --url"; fi

export_mode=${CONFORMANCE_EXPORT:-}
if [ -z "$export_mode" ]; then
  if git cat-file -e HEAD:openenv.yaml 2>/dev/null; then export_mode=head; else export_mode=worktree; fi
fi
pkg=$work/package
mkdir -p "$pkg"
case $export_mode in
  head) git archive HEAD | tar -x -C "$pkg" ;;
  worktree)
    git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
      if [ -f "$f" ] && [ ! -L "$f" ]; then mkdir -p "$pkg/$(dirname "$f")" && cp -p "$f" "$pkg/$f"; fi
    done ;;
  *) echo "CONFORMANCE_EXPORT must be head or worktree" >&2; exit 2 ;;
esac
step "openenv validate <clean export of $export_mode>"
if (cd "$pkg" && "$venv/bin/openenv" validate .); then
  pass "openenv validate . ($export_mode)"
else
  fail "openenv validate . ($export_mode)"
fi

step "legacy directory checks (openenv-core 0.2.x, protocol spec §8.1) on the same export"
if "$py" - "$pkg" <<'PY'
import sys
from pathlib import Path
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib
root = Path(sys.argv[1])
issues = []
for name in ("openenv.yaml", "pyproject.toml", "uv.lock", "server/app.py", "server/__init__.py"):
    if not (root / name).is_file():
        issues.append(f"missing {name}")
if (root / "pyproject.toml").is_file():
    project = tomllib.loads((root / "pyproject.toml").read_text()).get("project", {})
    if ":main" not in project.get("scripts", {}).get("server", ""):
        issues.append("[project.scripts] server must reference :main")
    if not any(d.lower().startswith("openenv") for d in project.get("dependencies", [])):
        issues.append("no openenv dependency")
if (root / "server/app.py").is_file():
    app = (root / "server/app.py").read_text()
    for needle in ("def main(", "__name__", "main()", 'if __name__ == "__main__":\n    main()'):
        if needle not in app:
            issues.append(f"server/app.py lacks {needle!r}")
for issue in issues:
    print("  -", issue)
print("legacy checks:", "ok" if not issues else f"{len(issues)} issue(s)")
sys.exit(1 if issues else 0)
PY
then pass "legacy directory checks"; else fail "legacy directory checks"; fi

# --- 3. full episodes with the official client ----------------------------------------------
step "client_episodes.py"
if "$py" tests/conformance/client_episodes.py --url "$url"; then
  pass "client episodes (sync + async, 3 tasks)"
else
  fail "client episodes (sync + async, 3 tasks)"
fi

# --- 4. the inference script's test ----------------------------------------------------------
step "tests/inference/test_inference.py"
if "$py" tests/inference/test_inference.py --env-url "$url"; then
  pass "inference test"
else
  fail "inference test"
fi

step "task_api.py (OpenEnv 0.10's task API, openenv.yaml's task counts, reset by split)"
if "$py" tests/conformance/task_api.py --url "$url" --package "$pkg"; then
  pass "task API (declared counts, routes, client reset by split)"
else
  fail "task API (declared counts, routes, client reset by split)"
fi

step "schemathesis against /openapi.json"; if bash tests/conformance/schemathesis.sh "$url" "$venv"; then pass "schemathesis (no 5xx, responses as documented)"; else fail "schemathesis"; fi

# --- summary ---------------------------------------------------------------------------------
if ! kill -0 "$server_pid" 2>/dev/null; then
  fail "server died during the run"
fi
[ "$failed" = 0 ] || server_log

# --- 6. recordings ---------------------------------------------------------------------------
step "serve --record: the recorded episodes replay bit for bit"
kill -TERM "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
if "$py" - "$recorded" "${tasks[@]}" <<'PY'
import json, sys
from collections import Counter
from pathlib import Path
files = sorted(Path(sys.argv[1]).glob("*.jsonl"))
# Lines end at "\n" only (JSON Lines): recorded strings may hold U+2028 and the like, which
# str.splitlines() would split at.
episodes = [json.loads(line) for f in files for line in f.read_text().split("\n") if line.strip()]
finished = Counter(e["task"] for e in episodes
                   if e["status"] == "finished" and e["agent"] == {"kind": "client", "name": "websocket"})
print(f"{len(episodes)} episodes recorded in {len(files)} file(s); finished over WebSocket: {dict(finished)}")
# client_episodes.py plays every task to the end twice (sync and async clients).
missing = [t for t in sys.argv[2:] if finished[t] < 2]
sys.exit(1 if missing or not episodes else 0)
PY
then
  if "$bin" replay "$recorded"/*.jsonl --scenarios scenarios; then
    pass "recorded episodes (client episodes finished; all replay bit for bit)"
  else
    fail "recorded episodes replay"
  fi
else
  fail "recorded episodes (the client episodes are missing)"
fi

printf '\n=== conformance summary\n'
printf '%s\n' "${results[@]}"
if [ "$failed" = 0 ]; then echo "conformance: PASS"; else echo "conformance: FAIL"; fi
exit "$failed"
