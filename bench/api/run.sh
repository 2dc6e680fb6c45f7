#!/usr/bin/env bash
# API benchmark on loopback, each phase against a fresh data directory:
#   1. decoy token creation rate: single creates (count=1) and batches
#      (count=1000), wrk with bench/api/create.lua;
#   2. GET /api/v1/tokens latency (wrk --latency) with exactly FILL tokens
#      (default 100,000) in the store: first page (limit 100), limit 1000,
#      and a mix of filters and a mid-table cursor.
#
#   bench/api/run.sh [path/to/spacecrab]     (default: build/src/cli/spacecrab)
#
# Environment: DURATION (seconds per wrk run, default 15), CONNECTIONS
# (default 4; keep it <= [server] threads = 8: cpp-httplib holds one pool
# thread per keep-alive connection), FILL (default 100000). Needs wrk, curl,
# jq. Raw output goes to bench/out/api-<UTC time>/, a summary to stdout.
# Bounded: every wrk/curl call has a timeout; servers are stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-${SPACECRAB_BIN:-build/src/cli/spacecrab}}
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-4}
FILL=${FILL:-100000}
for tool in wrk curl jq; do command -v $tool >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }; done
[ -x "$BIN" ] || { echo "bench: no spacecrab binary at $BIN (build first)" >&2; exit 1; }

OUT=bench/out/api-$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d /tmp/spacecrab-bench.XXXXXX)
mkdir -p "$OUT"
PID=""
stop_server() { if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; fi; }
trap 'stop_server; rm -rf "$WORK"' EXIT

start_server() {  # name -> sets ADDR, AUTH
  local dir=$WORK/$1
  mkdir -p "$dir"
  cat > "$dir/spacecrab.toml" <<TOML
[server]
listen = "127.0.0.1:0"
data_dir = "$dir/data"
threads = 8

[decoy]
listen = "127.0.0.1:0"
account_id = "123456789012"
TOML
  "$BIN" serve --config "$dir/spacecrab.toml" >"$OUT/server-$1.stdout" 2>"$OUT/server-$1.stderr" &
  PID=$!
  for _ in $(seq 100); do grep -q "listening on" "$OUT/server-$1.stdout" 2>/dev/null && break; sleep 0.1; done
  ADDR=$(grep -o 'listening on http://[^ ]*' "$OUT/server-$1.stdout" | awk '{print $3}')
  local key
  key=$(jq -r .api_key "$dir/data/client.json")
  [ -n "$ADDR" ] && [ -n "$key" ] || { echo "bench: server did not start" >&2; cat "$OUT/server-$1.stderr" >&2; exit 1; }
  AUTH="Authorization: Bearer $key"
}

wrk_run() {  # script, output, extra wrk args...
  local script=$1 out=$2; shift 2
  timeout $((DURATION + 60)) wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -H "$AUTH" \
    -s "$script" --latency "$@" "$ADDR" > "$out"
}

percentile() { awk -v p="$1%" '$1 == p {print $2}' "$2"; }

echo "$(nproc) cores; wrk ${DURATION}s x ${CONNECTIONS} connections; load average before: $(cut -d' ' -f1-3 /proc/loadavg)" \
  | tee "$OUT/summary.txt"

# ---- 1. creation ------------------------------------------------------------------
start_server create
COUNT=1 wrk_run bench/api/create.lua "$OUT/create_single.txt"
echo "POST /tokens count=1:    $(awk '/tokens_per_second/ {print $2}' "$OUT/create_single.txt") tokens/s" \
     "(latency p50 $(percentile 50 "$OUT/create_single.txt"), p99 $(percentile 99 "$OUT/create_single.txt");" \
     "$(grep errors_status "$OUT/create_single.txt"))" | tee -a "$OUT/summary.txt"
COUNT=1000 wrk_run bench/api/create.lua "$OUT/create_batch.txt"
echo "POST /tokens count=1000: $(awk '/tokens_per_second/ {print $2}' "$OUT/create_batch.txt") tokens/s" \
     "(latency p50 $(percentile 50 "$OUT/create_batch.txt"), p99 $(percentile 99 "$OUT/create_batch.txt");" \
     "$(grep errors_status "$OUT/create_batch.txt"))" | tee -a "$OUT/summary.txt"
stop_server

# ---- 2. listing with FILL tokens ------------------------------------------------------
start_server list
have=0
while [ "$have" -lt "$FILL" ]; do
  n=$(( FILL - have < 1000 ? FILL - have : 1000 ))
  curl -sf -o /dev/null --max-time 60 -H "$AUTH" -H 'Content-Type: application/json' \
       -d "{\"location\":\"fleet/host-$have\",\"owner\":\"team-$((have / 1000 % 10))\",\"count\":$n}" \
       "$ADDR/api/v1/tokens"
  have=$((have + n))
done
stored=$(curl -sf -H "$AUTH" "$ADDR/api/v1/metrics" | awk '/^spacecrab_tokens\{/ {n += $2} END {print n + 0}')
echo "tokens in store: $stored" | tee -a "$OUT/summary.txt"
MID=""  # the cursor after FILL/2 tokens
for _ in $(seq $((FILL / 2000))); do
  MID=$(curl -sf --max-time 30 -H "$AUTH" "$ADDR/api/v1/tokens?limit=1000${MID:+&cursor=$MID}" | jq -r .next_cursor)
done
[ -n "$MID" ] && [ "$MID" != null ] || { echo "bench: no mid-table cursor" >&2; exit 1; }

list() {  # name, paths...
  local name=$1; shift
  PATHS="$*" wrk_run bench/api/list.lua "$OUT/list_${name//[^a-z0-9]/_}.txt"
  echo "GET $name: $(grep p50_ms "$OUT/list_${name//[^a-z0-9]/_}.txt")" | tee -a "$OUT/summary.txt"
}
list "/tokens (limit 100)" "/api/v1/tokens"
list "/tokens?limit=1000" "/api/v1/tokens?limit=1000"
list "mixed filters+cursor (limit 100)" "/api/v1/tokens" "/api/v1/tokens?cursor=$MID" \
     "/api/v1/tokens?status=active&limit=100" "/api/v1/tokens?owner=team-3" \
     "/api/v1/tokens?location_prefix=fleet/host-5&limit=100"
stop_server
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); raw output in $OUT" | tee -a "$OUT/summary.txt"
