#!/usr/bin/env bash
# Property-based HTTP testing of a running `shopops serve` against its own /openapi.json with
# schemathesis (pinned): every check (no 5xx, status codes, content types, headers and bodies
# as documented, schema-violating input rejected, schema-valid input accepted), over the
# coverage, fuzzing and stateful phases (the links reset -> step/state continue episodes by id).
# Bounded for CI: a fixed number of examples per operation and a hard time limit.
#
#   bash tests/conformance/schemathesis.sh URL [VENV]
#
# URL is the server's base (http://127.0.0.1:PORT). VENV is a Python venv to install
# schemathesis into (default $CONFORMANCE_VENV, else target/conformance-venv; made if missing).
# tests/conformance/run.sh calls it with its own server and venv.
#
# Environment:
#   SCHEMATHESIS_EXAMPLES  test cases per operation and phase (default 100)
#   SCHEMATHESIS_SEED      generation seed (default 1: CI runs are reproducible)
#   SCHEMATHESIS_LIMIT     hard limit on the run, in seconds (default 150)
set -euo pipefail
cd "$(dirname "$0")/../.."
url=${1:?usage: schemathesis.sh URL [VENV]}
venv=${2:-${CONFORMANCE_VENV:-target/conformance-venv}}
version=4.32.5

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
venv=$(cd "$venv" && pwd)
if ! "$venv/bin/python" -c "import importlib.metadata as m; assert m.version('schemathesis') == '$version'" 2>/dev/null; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$version"
fi

# Schemathesis writes its example database and cache into the working directory: use a scratch
# one. The configuration turns off one check for two operations: POST /mcp is JSON-RPC, whose
# every answer (parse errors included) is HTTP 200 by design (protocol spec §7), or 202 with no
# body for a notification; POST /step reads an action's scalars leniently, as pydantic's lax
# mode does (README, "Lenient scalars": `"expedite": 0` is false), while the published schema
# describes canonical input, so a lax value sent to a stored episode is rightly accepted.
# GET /events (a stream that never ends) and GET /ws (a WebSocket upgrade) are left out.
work=$(mktemp -d /tmp/shopops-schemathesis.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat >"$work/schemathesis.toml" <<'TOML'
[[operations]]
include-path = "/mcp"
checks.negative_data_rejection.enabled = false

[[operations]]
include-path = "/step"
checks.negative_data_rejection.enabled = false

# A server-sent event stream never ends (the studio's browser tests cover it), and /ws is a
# WebSocket upgrade (tests/server.rs, tests/ws_abuse.rs and the official client cover it).
[[operations]]
include-path = "/events"
enabled = false

[[operations]]
include-path = "/ws"
enabled = false
TOML

cd "$work"
started=$SECONDS
status=0
timeout --kill-after=10 "${SCHEMATHESIS_LIMIT:-150}" \
  "$venv/bin/schemathesis" --no-color --config-file "$work/schemathesis.toml" run "$url/openapi.json" \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-100}" --seed "${SCHEMATHESIS_SEED:-1}" \
  --generation-database none --workers 2 --request-timeout 10 \
  || status=$?
echo "schemathesis: exit $status after $((SECONDS - started)) s"
[ "$status" = 124 ] && echo "schemathesis: over the time limit (SCHEMATHESIS_LIMIT)" >&2
exit "$status"
