#!/usr/bin/env python3
"""Token handout under many clients with decoy tokens: the API server and store alone.

No AWS sandbox and no pool: every POST /api/v1/tokens (count=1) mints a decoy key
and stores it, so runs can be as long as wanted (run.py is bounded by the pool
size). For each rate, a fresh `spacecrab serve` (default config, [server] threads
THREADS) and bench/handout/loadgen with CONNECTIONS keep-alive clients for
WARMUP + DURATION seconds; reports loadgen's latency figures and the server's CPU
time per request (user+sys from /proc, start-up included).

    SPACECRAB_BIN=build/src/cli/spacecrab LOADGEN=build/bench/loadgen \\
        python3 bench/handout/decoy.py [--rates 4000,5000,0] [--duration 5] [--repeat 3]

--timeline DIR writes each run's per-request latencies (loadgen --timeline).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from harness import SpacecrabServer  # noqa: E402
from common import loadgen, thread_cpu  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rates", default="4000,5000,0", help="requests/s per run; 0 = closed loop")
    ap.add_argument("--connections", type=int, default=200)
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--warmup", type=float, default=1)
    ap.add_argument("--threads", type=int, default=32, help="[server] threads")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--timeline", help="directory for per-request CSVs")
    args = ap.parse_args()
    for rate in [int(r) for r in args.rates.split(",")]:
        for rep in range(args.repeat):
            srv = SpacecrabServer(threads=args.threads).start()
            try:
                timeline = None
                if args.timeline:
                    os.makedirs(args.timeline, exist_ok=True)
                    timeline = os.path.join(args.timeline, "rate%d-%d.csv" % (rate, rep))
                r = loadgen(srv, args.connections, rate, args.duration, args.warmup, timeline)
                cpu = sum(thread_cpu(srv.proc.pid).values())
            finally:
                srv.cleanup()
            sent = r["count"] * (args.duration + args.warmup) / args.duration
            lat = r["latency_ms"]
            print("%s: %.0f tokens/s, %d errors; latency p50 %.2f ms, p90 %.2f, p99 %.2f, "
                  "p99.9 %.2f, max %.2f; server CPU %.2f s (~%.0f us per request)"
                  % ("open loop at %d/s" % rate if rate else "closed loop", r["completions_per_s"],
                     r["errors_status"] + r["errors_socket"], lat["p50"], lat["p90"], lat["p99"],
                     lat["p99_9"], lat["max"], cpu, cpu / sent * 1e6), flush=True)


if __name__ == "__main__":
    main()
