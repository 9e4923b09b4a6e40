#!/usr/bin/env bash
# The Dockerfile's steps without a Docker engine: lint the Dockerfile, build the release binary
# with the builder stage's command, lay out the runtime image in a temp dir, run the image's CMD
# from there (as uid 65532 when root, on a free loopback port) and poll it with the HEALTHCHECK
# command, then stop it. Exits non-zero if any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "docker-steps: FAIL: $*" >&2; exit 1; }
step() { printf '\n=== docker-steps: %s\n' "$*"; }

step "lint Dockerfile"
[ "$(grep -c '^FROM ' Dockerfile)" -ge 2 ] || fail "not multi-stage"
grep -q '^FROM debian:bookworm-slim' Dockerfile || fail "runtime image is not debian:bookworm-slim"
grep -q '^USER 65532:65532$' Dockerfile || fail "no USER 65532:65532"
grep -q '^EXPOSE 8000$' Dockerfile || fail "no EXPOSE 8000"
grep -q '^HEALTHCHECK .* CMD ' Dockerfile || fail "no HEALTHCHECK"
grep -q '^WORKDIR /app$' Dockerfile || fail "no WORKDIR /app"
build_cmd='cargo build --release --locked --bin shopops'
grep -qF "RUN $build_cmd" Dockerfile || fail "builder does not run '$build_cmd'"
echo "ok"

step "builder: $build_cmd"
$build_cmd

step "runtime layout"
stage=$(mktemp -d /tmp/shopops-image.XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$stage"
}
trap cleanup EXIT
mkdir -p "$stage/usr/local/bin" "$stage/app" "$stage/tmp"
cp target/release/shopops "$stage/usr/local/bin/shopops"
cp -r scenarios "$stage/app/scenarios"
chmod -R a+rX,go-w "$stage" && chmod 0755 "$stage/usr/local/bin/shopops" && chmod 1777 "$stage/tmp"
find "$stage" -maxdepth 3 | sed "s|^$stage||" | sort | sed -n '2,20p'

step "run CMD as the image would (uid 65532, read-only files, free loopback port)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The image's CMD, with the image paths mapped into the staged layout and the port/host changed.
mapfile -t cmd < <(python3 - "$stage" "$port" <<'PY'
import json, re, sys
stage, port = sys.argv[1], sys.argv[2]
line = next(l for l in open("Dockerfile") if l.startswith("CMD "))
args = json.loads(line[4:])
subst = {"shopops": f"{stage}/usr/local/bin/shopops", "0.0.0.0": "127.0.0.1", "8000": port}
for a in args:
    a = subst.get(a, a)
    print(re.sub(r"^/app/", f"{stage}/app/", a))
PY
)
as_user=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  as_user=(setpriv --reuid=65532 --regid=65532 --clear-groups)
fi
echo "${as_user[*]:-(as $(id -un))} ${cmd[*]}"
touch "$stage/tmp/.started"
(cd "$stage/app" && exec env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp TMPDIR="$stage/tmp" \
  MALLOC_MMAP_THRESHOLD_=32768 \
  "${as_user[@]}" "${cmd[@]}") >"$stage/tmp/server.log" 2>&1 &
pid=$!

step "HEALTHCHECK (the Dockerfile's command, on port $port)"
hc=$(sed -n 's/^HEALTHCHECK .* CMD //p' Dockerfile)
hc=${hc//8000/$port}
healthy=""
for _ in $(seq 60); do
  kill -0 "$pid" 2>/dev/null || { cat "$stage/tmp/server.log" >&2; fail "server exited"; }
  if timeout 5 sh -c "$hc" 2>/dev/null; then healthy=1; break; fi
  sleep 0.5
done
[ -n "$healthy" ] || { cat "$stage/tmp/server.log" >&2; fail "no healthy /health within 30 s"; }
echo "healthy"
leftover=$(find "$stage" -newer "$stage/tmp/.started" ! -path "$stage/tmp*" | head -5)
[ -z "$leftover" ] || fail "server wrote outside /tmp: $leftover"

step "stop"
kill "$pid" && wait "$pid" 2>/dev/null || true
pid=""
echo "docker-steps: ok"
