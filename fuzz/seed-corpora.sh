#!/usr/bin/env bash
# Builds the seed corpora fuzz/corpus/<target>/ from what the repository ships: the scenarios
# and their case data, the test fixtures, the rule policy's golden plays (as action JSON) and
# request examples of the protocol spec (valid and invalid). Idempotent: seeds are written
# under fixed names beside whatever the fuzzer has added. Needs only bash, sed and awk.
#
#   bash fuzz/seed-corpora.sh            # then: cargo +nightly fuzz run <target>
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/fuzz/corpus"
mkdir -p "$corpus"/{parse,compile,step,request}

# seed TARGET NAME: stdin into corpus/TARGET/seed-NAME.
seed() { cat >"$corpus/$1/seed-$2"; }

# Every scenario file and case data file, each with the path its seed name is made from.
shop_files=("$root"/scenarios/*.shop "$root"/tests/fixtures/scenarios/*.shop "$root"/tests/fixtures/check/*/main.shop)
name_of() { local rel="${1#"$root"/}"; rel="${rel%.*}"; echo "${rel//\//_}"; }

# --- parse: any .shop file; a few expressions.
for file in "${shop_files[@]}"; do
  seed parse "$(name_of "$file")" <"$file"
done
for expr in '$250.00' '60m' 'a.b.c' '(1 + 2) * 3 >= 4 and not x' 'f(x, "y", [1, 2])' '30% of order_value' '1..5'; do
  printf '%s' "$expr" | seed parse "expr-$(printf '%s' "$expr" | cksum | cut -d' ' -f1)"
done

# --- compile: a scenario, NUL, its case data (and for some, NUL and a prelude), with the
# import and the case data path rewritten to the names the target gives them.
as_fuzz_scenario() {
  sed -E -e 's#^import "[^"]*prelude\.shop"#import "prelude.shop"#' \
    -e 's#^(  cases )"[^"]*"#\1"cases.yaml"#' "$1"
}
cases_of() { # the case data file a scenario names, resolved beside it
  local path
  path="$(sed -nE 's#^  cases "([^"]*)".*#\1#p' "$1" | head -n1)"
  [ -n "$path" ] && [ -f "$(dirname "$1")/$path" ] && echo "$(dirname "$1")/$path"
}
for file in "${shop_files[@]}"; do
  grep -q '^scenario ' "$file" || continue
  cases="$(cases_of "$file" || true)"
  { as_fuzz_scenario "$file"; printf '\0'; [ -n "$cases" ] && cat "$cases"; } |
    seed compile "$(name_of "$file")"
done
for file in "$root"/scenarios/refund_policy_recovery.shop "$root"/tests/fixtures/scenarios/warranty_claim_desk.shop; do
  { as_fuzz_scenario "$file"; printf '\0'; cat "$(cases_of "$file")"; printf '\0'; cat "$root/scenarios/prelude.shop"; } |
    seed compile "$(name_of "$file")-with-prelude"
done

# --- step: the rule policy's golden plays of seed 1, one action JSON per line after the seed.
# A transcript line reads `step  action [argument]  reward  clock ...`.
golden_actions() {
  awk '
    $1 ~ /^[0-9]+$/ && $2 ~ /^[a-z_]+$/ {
      type = $2; arg = $3; extra = ""
      if (type == "switch_case") extra = ",\"case_id\":\"" arg "\""
      else if (type == "issue_refund") { sub(/^\$/, "", arg); extra = ",\"refund_amount_usd\":" arg }
      else if (type == "ship_replacement" && arg == "expedite") extra = ",\"expedite\":true"
      else if (type == "escalate_risk") extra = ",\"escalation_reason\":\"" arg "\""
      else if (type == "add_internal_note") extra = ",\"note_code\":\"" arg "\""
      printf "{\"action_type\":\"%s\"%s}\n", type, extra
    }' "$1"
}
tasks=()
for snap in "$root"/tests/snapshots/golden__rule_*_seed_1.snap; do
  [ -f "$snap" ] || continue
  task="$(basename "$snap" .snap)"; task="${task#golden__rule_}"; task="${task%_seed_1}"
  tasks+=("$task")
  { echo 1; golden_actions "$snap"; } | seed step "golden-$task"
done
seed step every-type <<'EOF'
42
{"action_type":"inspect_order"}
{"action_type":"inspect_policy"}
{"action_type":"inspect_inventory"}
{"action_type":"inspect_customer_history"}
{"action_type":"request_evidence"}
{"action_type":"contact_carrier"}
{"action_type":"issue_refund","refund_amount_usd":12.5}
{"action_type":"ship_replacement","expedite":false}
{"action_type":"escalate_risk","escalation_reason":"policy_exception"}
{"action_type":"add_internal_note","note_code":"follow_up"}
{"action_type":"close_case"}
{"action_type":"switch_case","case_id":"SLA-2"}
{"action_type":"switch_case","case_id":"HARD-3","metadata":{"why":"hold"}}
{"action_type":"escalate_risk","escalation_reason":"sla_risk","case_id":null}
{"action_type":"escalate_risk","escalation_reason":"vip_recovery"}
{"action_type":"add_internal_note","note_code":"late_delivery_credit"}
{"action_type":"issue_refund","refund_amount_usd":0.005}
{"action_type":"issue_refund","refund_amount_usd":1e30}
EOF
seed step invalid <<'EOF'
18446744073709551615
{}
{"action_type":"refund"}
{"action_type":"issue_refund","refund_amount_usd":-1}
{"action_type":"issue_refund","refund_amount_usd":"12"}
{"action_type":"inspect_order","bogus":1}
{"action_type":"switch_case","case_id":"NOPE-1"}
{"action_type":"switch_case"}
{"action_type":"add_internal_note","note_code":"Has Space"}
{"action_type":"add_internal_note","note_code":"a_note_code_that_is_far_too_long_to_be_accepted_by_the_validation_x"}
{"action_type":"escalate_risk","escalation_reason":"boredom"}
{"action_type":"ship_replacement","expedite":"yes"}
{"action_type":"close_case","refund_amount_usd":5}
{"action_type":"inspect_order","metadata":[]}
{"action_type":null}
[{"action_type":"inspect_order"}]
"inspect_order"
null
{bad
{"action_type":"inspect_order","action_type":"close_case"}
{"action_type":"issue_refund","refund_amount_usd":1e400}
{"action_type":"issue_refund","refund_amount_usd":92233720368547758.07}
EOF

# --- request: one request per line, `r` reset, `s` step, `m` MCP, `c` check, `g` state query,
# `h` any route, `w` a WebSocket message (fuzz_targets/request.rs).
json_string() { # a file's text as a JSON string
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' "$1" | awk '{printf "%s\\n", $0}' | sed -e 's/^/"/' -e 's/$/"/'
}
seed request http <<'EOF'
r
r{}
r{"task":"refund_policy_recovery","seed":42,"episode_id":"demo-ep-1"}
s{"action":{"action_type":"inspect_order"},"episode_id":"demo-ep-1"}
s{"action":{"action_type":"issue_refund","refund_amount_usd":109.73},"episode_id":"demo-ep-1","timeout_s":1.5,"request_id":"r-1"}
gepisode_id=demo-ep-1
g
s{"action":{"action_type":"inspect_policy"}}
r{"tier":"hard","seed":0}
r{"task":"sla_queue_juggle","tier":"medium","seed":18446744073709551615}
EOF
seed request http-invalid <<'EOF'
r{"seed":-1}
r{"seed":1.5}
r{"seed":18446744073709551616}
r{"episode_id":""}
r{"task":"nope"}
r{"tier":"legendary"}
r{"task":"refund_policy_recovery","tier":"hard"}
r{"bogus":true}
r[1,2]
r{bad
s{}
s{bad
s{"action":{"action_type":"inspect_order","bogus":1}}
s{"action":{"action_type":"inspect_order"},"episode_id":"never-stored"}
s{"action":{"action_type":"inspect_order"},"timeout_s":0,"request_id":7,"extra":null}
s"action"
gepisode_id=never-stored
gepisode_id=%zz&x=1
EOF
seed request mcp <<'EOF'
m{}
m{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}
m{"jsonrpc":"2.0","id":2,"method":"tools/list"}
m{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"inspect_order","arguments":{}}}
m{"jsonrpc":"2.0","id":4,"method":"openenv/session/create","params":{"seed":7,"task":"sla_queue_juggle"}}
m{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"switch_case","arguments":{"case_id":"SLA-2"},"session_id":"nope"}}
m{"jsonrpc":"2.0","id":6,"method":"openenv/session/close","params":{"session_id":"nope"}}
m{"jsonrpc":"2.0","id":"x","method":"ping"}
m{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"reset"}}
m{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"issue_refund","arguments":{"action_type":"issue_refund"}}}
m{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"issue_refund","arguments":{"refund_amount_usd":-3}}}
m{"jsonrpc":"1.0","id":10,"method":"ping"}
m{"jsonrpc":"2.0","method":"nope","params":[]}
m[]
m{bad
EOF
seed request routes <<'EOF'
hGET /health
hGET /metadata
hGET /schema
hGET /scenarios
hGET /scenarios/refund_policy_recovery
hGET /scenarios/sla_queue_juggle/graph
hGET /scenarios/fraud_stockout_cascade/source
hGET /scenarios/nope
hGET /diagnostics
hDELETE /reset
hPUT /step {}
hGET /nope
hPOST /reset {"seed":3}
EOF
{
  printf 'c{"source":%s,"data":%s}\n' \
    "$(json_string "$root/tests/fixtures/scenarios/warranty_claim_desk.shop" | sed 's#\.\./\.\./\.\./scenarios/prelude\.shop#prelude.shop#')" \
    "$(json_string "$root/tests/fixtures/scenarios/data/warranty_claim_desk.yaml")"
  echo 'c{"source":"scenario x {}"}'
  echo 'c{"source":"import \"../../etc/passwd\"\n"}'
  echo 'c{"name":"","source":1,"data":[]}'
  echo 'c{}'
} | seed request check
seed request websocket <<'EOF'
w{"type":"state"}
w{"type":"step","data":{"action_type":"inspect_order"}}
w{"type":"reset"}
w{"type":"reset","data":{"seed":7,"episode_id":"ep-1","task":"sla_queue_juggle"}}
w{"type":"step","data":{"action_type":"inspect_order"}}
w{"type":"state"}
w{"type":"mcp","data":{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"inspect_inventory","arguments":{}}}}
w{"type":"mcp","data":{"jsonrpc":"2.0","id":2,"method":"tools/list"}}
w{"type":"close"}
w{"type":"step","data":{"action_type":"close_case"}}
EOF
seed request websocket-invalid <<'EOF'
wnot json
w[]
w{}
w{"type":""}
w{"type":"nope"}
w{"type":7}
w{"type":"step"}
w{"type":"step","data":{"action_type":"inspect_order","bogus":1}}
w{"type":"reset","data":{"seed":7},"extra":1}
w{"type":"reset","data":[1]}
w{"type":"reset","data":{"seed":-1,"task":"nope"}}
w{"type":"mcp"}
w{"type":"close","data":null,"x":1}
EOF
# The golden plays over WebSocket, over HTTP with continuation, and over MCP.
for task in "${tasks[@]}"; do
  snap="$root/tests/snapshots/golden__rule_${task}_seed_1.snap"
  {
    printf 'w{"type":"reset","data":{"seed":1,"task":"%s"}}\n' "$task"
    golden_actions "$snap" | sed 's/^/w{"type":"step","data":/; s/$/}/'
    echo 'w{"type":"state"}'
  } | seed request "ws-golden-$task"
  {
    printf 'r{"seed":1,"task":"%s","episode_id":"golden-%s"}\n' "$task" "$task"
    golden_actions "$snap" | sed "s/^/s{\"action\":/; s/\$/,\"episode_id\":\"golden-$task\"}/"
    printf 'gepisode_id=golden-%s\n' "$task"
  } | seed request "http-golden-$task"
done

for target in parse compile step request; do
  echo "fuzz/corpus/$target: $(find "$corpus/$target" -maxdepth 1 -name 'seed-*' | wc -l) seeds ($(find "$corpus/$target" -maxdepth 1 -type f | wc -l) files)"
done
