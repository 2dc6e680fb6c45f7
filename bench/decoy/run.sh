#!/usr/bin/env bash
# Decoy endpoint benchmark: requests/s and latency (p50/p99/p99.9) of SigV4-
# signed AWS requests on loopback, each one verified, answered and recorded.
#
#   bench/decoy/run.sh [path/to/decoy_test_server]   (default: build/src/decoy/decoy_test_server)
#
# Environment: DURATION (seconds per wrk run, default 15), CONNECTIONS
# (default 16 = the endpoint's worker threads: cpp-httplib holds one worker
# per keep-alive connection), WRK_THREADS (default 2). Needs wrk and python3
# with botocore. Writes raw output to bench/out/decoy-<timestamp>/ and prints
# a summary. Bounded: wrk runs under timeout; the endpoint is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-${DECOY_TEST_SERVER:-build/src/decoy/decoy_test_server}}
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-16}
WRK_THREADS=${WRK_THREADS:-2}
command -v wrk >/dev/null || { echo "bench: wrk is required" >&2; exit 1; }
[ -x "$BIN" ] || { echo "bench: no decoy_test_server at $BIN (build it first)" >&2; exit 1; }

OUT=bench/out/decoy-$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d /tmp/decoy-bench.XXXXXX)
mkdir -p "$OUT"
KEY_ID=AKIAQYLPMN5HHHFPZAM2
SECRET=$(python3 -c 'import secrets,string;print("".join(secrets.choice(string.ascii_letters+string.digits+"+/") for _ in range(40)))')

"$BIN" --listen 127.0.0.1:0 --records "$WORK/records.jsonl" --threads 16 \
  --key "$KEY_ID:$SECRET:123456789012:svc-backup-prod" >"$WORK/stdout" 2>"$OUT/server.stderr" &
PID=$!
cleanup() { kill -TERM $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 100); do grep -q "listening on" "$WORK/stdout" 2>/dev/null && break; sleep 0.1; done
URL=$(awk '/listening on/ {print $3}' "$WORK/stdout")
[ -n "$URL" ] || { echo "bench: endpoint did not start" >&2; cat "$OUT/server.stderr" >&2; exit 1; }

echo "endpoint $URL, $(nproc) cores, ${DURATION}s per run, $CONNECTIONS connections," \
     "$WRK_THREADS wrk threads, load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/summary.txt"
for mix in caller-identity mixed; do
  python3 bench/decoy/make_requests.py "$URL" "$KEY_ID" "$SECRET" "$mix" "$WORK/$mix.lua"
  before=$(wc -l < "$WORK/records.jsonl" 2>/dev/null || echo 0)
  timeout $((DURATION + 30)) wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s \
    -s "$WORK/$mix.lua" "$URL" > "$OUT/$mix.txt"
  sleep 1  # let the record writer drain
  after=$(wc -l < "$WORK/records.jsonl")
  printf '%-16s %8s req/s  p50 %s ms  p99 %s ms  p99.9 %s ms  statuses: %s  records: %s\n' "$mix" \
    "$(awk '/^requests_per_second/ {print $2}' "$OUT/$mix.txt")" \
    "$(awk '/^p50_ms/ {print $2}' "$OUT/$mix.txt")" "$(awk '/^p99_ms/ {print $2}' "$OUT/$mix.txt")" \
    "$(awk '/^p999_ms/ {print $2}' "$OUT/$mix.txt")" \
    "$(grep '^status_' "$OUT/$mix.txt" | sort | tr '\n' ' ')" "$((after - before))" | tee -a "$OUT/summary.txt"
done
kill -TERM $PID; wait $PID 2>/dev/null || true
echo "endpoint: $(tail -1 "$OUT/server.stderr")" | tee -a "$OUT/summary.txt"
