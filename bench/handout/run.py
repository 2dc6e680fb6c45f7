#!/usr/bin/env python3
"""Token handout from the warm pool, with real IAM keys minted in the AWS sandbox.

1. moto (the sandbox of tests/sandbox) and `spacecrab serve` with provider = "aws",
   `[aws] pool_size = POOL`, `[server] threads = THREADS` (64);
2. the pool fills: POOL keys minted through moto (CreateUser, PutUserPolicy,
   CreateAccessKey each) — the time it takes is reported;
3. for each rate in RATES, bench/handout/loadgen (built as `loadgen`) with
   CONNECTIONS keep-alive clients POSTs /api/v1/tokens (count=1, one token per
   request) for WARMUP + DURATION seconds: open-loop at that rate (latency from the
   scheduled send, so queueing counts), or closed-loop for rate 0 (maximum
   throughput; its latency is CONNECTIONS / throughput by Little's law);
4. /api/v1/metrics confirms every handout came from the pool (none minted on
   demand); the pool is refilled before the next rate.

moto is paused (SIGSTOP) while loadgen runs: the refill's IAM calls then hang as if
IAM were unreachable, which is the point of the pool (handouts never wait on IAM),
and moto's Python does not take CPU from the server on this 2-core machine — real
IAM is remote and costs the server nothing while it thinks. `--keep-iam` leaves moto
running (the refill then competes for the same cores).

    SPACECRAB_BIN=build/src/cli/spacecrab LOADGEN=build/bench/loadgen \
        python3 bench/handout/run.py [--pool 10000] [--connections 200] \
        [--rates 5000,0] [--duration 1] [--warmup 0.5] [--settle 5]

Needs moto_server, boto3. Results go to stdout (and bench/out/handout-*.json).
"""
import argparse
import json
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "sandbox"))

from harness import SpacecrabServer  # noqa: E402
from sandbox import Sandbox  # noqa: E402
from common import StoreTrace, loadgen, steal_seconds, thread_cpu, thread_names  # noqa: E402


def metric(text, name, **labels):
    for line in text.splitlines():
        if line.startswith(name + "{") and all('%s="%s"' % kv in line for kv in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def metrics(srv):
    r = srv.request("GET", "/api/v1/metrics", key=srv.admin_key)
    assert r.status == 200, r
    return r.text


def wait_ready(srv, n, timeout):
    start = time.time()
    while time.time() - start < timeout:
        ready = metric(metrics(srv), "spacecrab_pool_ready_keys", account="default") or 0
        if ready >= n:
            return time.time() - start
        time.sleep(0.5)
    raise SystemExit("pool reached only %d of %d keys in %ds" % (ready, n, timeout))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pool", type=int, default=10000)
    ap.add_argument("--connections", type=int, default=200)
    ap.add_argument("--rates", default="5000,0", help="requests/s per run; 0 = closed loop")
    ap.add_argument("--duration", type=float, default=1)
    ap.add_argument("--warmup", type=float, default=0.5)
    ap.add_argument("--threads", type=int, default=64, help="[server] threads")
    ap.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                    help="an environment variable for the server (repeatable), e.g. GLIBC_TUNABLES=...")
    ap.add_argument("--keep-iam", action="store_true", help="do not pause moto during the runs")
    ap.add_argument("--timeline", help="directory for each run's per-request latencies (CSV), and a trace of "
                                       "the store's files and background threads during it (runN-store.csv)")
    ap.add_argument("--settle", type=float, default=5,
                    help="seconds of quiet after the pool is full, before each run")
    args = ap.parse_args()

    sb = Sandbox(delay=60).start()
    env = {"AWS_ACCESS_KEY_ID": sb.admin["access_key_id"],
           "AWS_SECRET_ACCESS_KEY": sb.admin["secret_access_key"],
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    env.update(kv.split("=", 1) for kv in args.server_env)
    extra = ('[provider]\ntype = "aws"\n\n[aws]\nendpoint_url = "%s"\nregion = "us-east-1"\n'
             'pool_size = %d\npool_refill_rate = 1000\n' % (sb.moto_endpoint, args.pool))
    srv = SpacecrabServer(extra_config=extra, env=env, threads=args.threads).start()
    results = []
    try:
        fill = wait_ready(srv, args.pool, timeout=3600)
        print("pool of %d IAM keys minted through the sandbox in %.1f s (%.0f keys/s)"
              % (args.pool, fill, args.pool / fill), flush=True)
        rates = [int(r) for r in args.rates.split(",")]
        for run_no, rate in enumerate(rates):
            # The pool fills ahead of demand (overnight, before the 9 a.m. check-in):
            # let the refill's own writes reach the database file before measuring.
            time.sleep(args.settle)
            before = metrics(srv)
            cpu_before = thread_cpu(srv.proc.pid)
            steal_before = steal_seconds()
            moto = sb._moto.proc
            if not args.keep_iam:
                moto.send_signal(signal.SIGSTOP)
            trace = None
            try:
                timeline = None
                if args.timeline:
                    os.makedirs(args.timeline, exist_ok=True)
                    timeline = os.path.join(args.timeline, "run%d-rate%d.csv" % (run_no, rate))
                    trace = StoreTrace(srv.proc.pid, srv.data_dir).start()
                r = loadgen(srv, args.connections, rate, args.duration, args.warmup, timeline)
            finally:
                if trace is not None:
                    trace.stop(os.path.join(args.timeline, "run%d-store.csv" % run_no))
                if not args.keep_iam:
                    moto.send_signal(signal.SIGCONT)
            after = metrics(srv)
            cpu_after = thread_cpu(srv.proc.pid)
            r["steal_s"] = round(steal_seconds() - steal_before, 2)
            used = sorted(((cpu_after[t] - cpu_before.get(t, 0), t) for t in cpu_after), reverse=True)
            r["server_cpu_s"] = round(sum(u for u, _ in used), 2)
            r["busiest_threads_cpu_s"] = [round(u, 2) for u, _ in used[:4]]
            # The named background threads (checkpoint, key index refresh, pool refill):
            # whether one of them ran during the measured run.
            names = thread_names(srv.proc.pid)
            r["background_cpu_s"] = {names[t]: round(u, 3) for u, t in used
                                     if names.get(t) in ("wal-checkpoint", "key-index", "pool-refill")}
            on_demand = ((metric(after, "spacecrab_pool_handouts_total", account="default", **{"from": "on_demand"}) or 0)
                         - (metric(before, "spacecrab_pool_handouts_total", account="default", **{"from": "on_demand"}) or 0))
            r["on_demand"] = int(on_demand)
            lat = r["latency_ms"]
            print("%s: %d answered, %d errors, %d still queued, %d minted on demand; %.0f tokens/s; "
                  "latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms; "
                  "server CPU %.2f s (busiest threads %s)"
                  % ("open loop at %d/s" % rate if rate else "closed loop",
                     r["count"], r["errors_status"] + r["errors_socket"], r["queued_at_end"],
                     r["on_demand"], r["completions_per_s"], lat["p50"], lat["p90"], lat["p99"],
                     lat["p99_9"], lat["max"], r["server_cpu_s"], r["busiest_threads_cpu_s"]), flush=True)
            print("  background threads' CPU during the run: %s" % ", ".join(
                "%s %.3f s" % kv for kv in sorted(r["background_cpu_s"].items())), flush=True)
            # A VM's CPUs can be taken away by its host: time nobody in the guest used.
            print("  CPU time the hypervisor took from the VM during the run (steal, both cores): %.2f s"
                  % r["steal_s"], flush=True)
            results.append(r)
            if run_no + 1 < len(rates):
                wait_ready(srv, args.pool, timeout=3600)  # refill before the next run
    finally:
        srv.cleanup()
        sb.stop()
    os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
    path = os.path.join(ROOT, "bench", "out", "handout-%d.json" % int(time.time()))
    with open(path, "w") as f:
        json.dump({"pool": args.pool, "connections": args.connections, "threads": args.threads,
                   "fill_seconds": fill,
                   "iam_paused": not args.keep_iam,
                   "runs": results}, f, indent=1)
    print("raw results:", path)


if __name__ == "__main__":
    main()
