#!/usr/bin/env bash
# API benchmark: decoy token creation rate and GET /tokens latency with
# 100,000 tokens in the store, on loopback, against a fresh data directory.
#
#   bench/api/run.sh [path/to/spacecrab]     (default: build/src/cli/spacecrab)
#
# Environment: DURATION (seconds per wrk run, default 15), CONNECTIONS
# (default 4; must stay <= [server] threads, which is 8: cpp-httplib holds one
# pool thread per keep-alive connection), FILL (tokens in the store for the
# list runs, default 100000). Needs wrk, curl and jq. Writes the raw output to
# bench/out/api-<timestamp>/ and prints a summary. Bounded: every step has a
# timeout; the server is stopped on exit.
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
cat > "$WORK/spacecrab.toml" <<TOML
[server]
listen = "127.0.0.1:0"
data_dir = "$WORK/data"
threads = 8

[decoy]
listen = "127.0.0.1:0"
account_id = "123456789012"
TOML

"$BIN" serve --config "$WORK/spacecrab.toml" >"$OUT/server.stdout" 2>"$OUT/server.stderr" &
PID=$!
cleanup() { kill -TERM $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 100); do grep -q "listening on" "$OUT/server.stdout" 2>/dev/null && break; sleep 0.1; done
ADDR=$(grep -o 'listening on http://[^ ]*' "$OUT/server.stdout" | awk '{print $3}')
KEY=$(jq -r .api_key "$WORK/data/client.json")
[ -n "$ADDR" ] && [ -n "$KEY" ] || { echo "bench: server did not start" >&2; cat "$OUT/server.stderr" >&2; exit 1; }
AUTH="Authorization: Bearer $KEY"
WRK=(timeout $((DURATION + 30)) wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -H "$AUTH")
echo "server $ADDR, $(nproc) cores, duration ${DURATION}s, ${CONNECTIONS} connections," \
     "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/summary.txt"

count_tokens() {
  curl -sf -H "$AUTH" "$ADDR/api/v1/metrics" | awk '/^spacecrab_tokens\{/ {n += $2} END {print n + 0}'
}

# 1. Single creates: one token per request.
COUNT=1 "${WRK[@]}" -s bench/api/create.lua --latency "$ADDR" > "$OUT/create_single.txt"
echo "create, 1 per request:    $(grep tokens_per_second "$OUT/create_single.txt" | awk '{print $2}') tokens/s" \
     "(p50 $(awk '/ 50%/ {print $2}' "$OUT/create_single.txt"), p99 $(awk '/ 99%/ {print $2}' "$OUT/create_single.txt"))" | tee -a "$OUT/summary.txt"

# 2. Batches: count=1000 per request.
COUNT=1000 "${WRK[@]}" -s bench/api/create.lua --latency "$ADDR" > "$OUT/create_batch.txt"
echo "create, 1000 per request: $(grep tokens_per_second "$OUT/create_batch.txt" | awk '{print $2}') tokens/s" \
     "(p50 $(awk '/ 50%/ {print $2}' "$OUT/create_batch.txt"), p99 $(awk '/ 99%/ {print $2}' "$OUT/create_batch.txt"))" | tee -a "$OUT/summary.txt"

# 3. Fill up to FILL tokens (batches of 1000), then measure listing.
have=$(count_tokens)
while [ "$have" -lt "$FILL" ]; do
  n=$(( FILL - have < 1000 ? FILL - have : 1000 ))
  curl -sf -o /dev/null --max-time 60 -H "$AUTH" -H 'Content-Type: application/json' \
       -d "{\"location\":\"fill\",\"owner\":\"fill\",\"count\":$n}" "$ADDR/api/v1/tokens"
  have=$((have + n))
done
echo "tokens in store: $(count_tokens)" | tee -a "$OUT/summary.txt"

# A cursor from the middle of the table (after FILL/2 tokens), for deep pages.
MID=""
for _ in $(seq $((FILL / 2000))); do
  MID=$(curl -sf --max-time 30 -H "$AUTH" "$ADDR/api/v1/tokens?limit=1000${MID:+&cursor=$MID}" | jq -r .next_cursor)
done
[ -n "$MID" ] && [ "$MID" != null ] || { echo "bench: no mid-table cursor" >&2; exit 1; }

run_list() {  # name, paths...
  local name=$1; shift
  PATHS="$*" "${WRK[@]}" -s bench/api/list.lua --latency "$ADDR" > "$OUT/list_$name.txt"
  echo "GET $name: $(grep p50_ms "$OUT/list_$name.txt")" | tee -a "$OUT/summary.txt"
}
run_list first-page-100 "/api/v1/tokens"
run_list page-1000 "/api/v1/tokens?limit=1000"
run_list mixed "/api/v1/tokens" "/api/v1/tokens?cursor=$MID" "/api/v1/tokens?status=active&limit=50" \
               "/api/v1/tokens?owner=bench&limit=100" "/api/v1/tokens?location_prefix=fill&limit=100"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); raw output: $OUT" | tee -a "$OUT/summary.txt"
