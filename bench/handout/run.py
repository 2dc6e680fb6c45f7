#!/usr/bin/env python3
"""Token handout from the warm pool, with real IAM keys minted in the AWS sandbox.

1. moto (the sandbox of tests/sandbox) and `spacecrab serve` with provider = "aws",
   `[aws] pool_size = POOL`, `[server] threads = 256`;
2. the pool fills: POOL keys minted through moto (CreateUser, PutUserPolicy,
   CreateAccessKey each) — the time it takes is reported;
3. wrk with CONNECTIONS keep-alive clients POSTs /api/v1/tokens (count=1, one
   token per request) for DURATION seconds: latency p50/p90/p99 and tokens/s;
4. /api/v1/metrics confirms every handout came from the pool (none minted on demand).

moto is paused (SIGSTOP) while wrk runs: the refill's IAM calls then hang as if IAM
were unreachable, which is the point of the pool (handouts never wait on IAM), and
moto's Python does not take CPU from the server on this 2-core machine — real IAM
is remote and costs the server nothing while it thinks. `--keep-iam` leaves moto
running (the refill then competes for the same cores).

    SPACECRAB_BIN=build/src/cli/spacecrab python3 bench/handout/run.py [--pool 10000]
        [--connections 200] [--duration 1] [--repeat 3]

Needs moto_server, boto3, wrk. Results go to stdout (and bench/out/handout-*.txt).
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "sandbox"))

from harness import SpacecrabServer  # noqa: E402
from sandbox import Sandbox  # noqa: E402


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


def wrk(srv, connections, duration):
    cmd = ["wrk", "-t2", "-c%d" % connections, "-d%ds" % duration, "--timeout", "10s", "--latency",
           "-H", "Authorization: Bearer %s" % srv.admin_key, "-s", os.path.join(ROOT, "bench", "api", "create.lua"),
           srv.addr]
    out = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, COUNT="1"), check=True).stdout
    lat = {}
    for pct in ("50", "75", "90", "99"):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % pct, out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        lat[pct] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    rate = float(re.search(r"tokens_per_second (\d+)", out).group(1))
    errors = re.search(r"requests (\d+) errors_status (\d+) errors_socket (\d+)", out)
    return {"p50_ms": lat["50"], "p90_ms": lat["90"], "p99_ms": lat["99"], "tokens_per_s": rate,
            "requests": int(errors.group(1)), "errors": int(errors.group(2)) + int(errors.group(3)),
            "raw": out}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pool", type=int, default=10000)
    ap.add_argument("--connections", type=int, default=200)
    ap.add_argument("--duration", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep-iam", action="store_true", help="do not pause moto during the runs")
    args = ap.parse_args()

    sb = Sandbox(delay=60).start()
    env = {"AWS_ACCESS_KEY_ID": sb.admin["access_key_id"],
           "AWS_SECRET_ACCESS_KEY": sb.admin["secret_access_key"],
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    extra = ('[provider]\ntype = "aws"\n\n[aws]\nendpoint_url = "%s"\nregion = "us-east-1"\n'
             'pool_size = %d\npool_refill_rate = 1000\n' % (sb.moto_endpoint, args.pool))
    srv = SpacecrabServer(extra_config=extra, env=env, threads=256).start()
    results = []
    try:
        fill = wait_ready(srv, args.pool, timeout=3600)
        print("pool of %d IAM keys minted through the sandbox in %.1f s (%.0f keys/s)"
              % (args.pool, fill, args.pool / fill), flush=True)
        for i in range(args.repeat):
            before = metrics(srv)
            moto = sb._moto.proc
            if not args.keep_iam:
                moto.send_signal(signal.SIGSTOP)
            try:
                r = wrk(srv, args.connections, args.duration)
            finally:
                if not args.keep_iam:
                    moto.send_signal(signal.SIGCONT)
            after = metrics(srv)
            on_demand = ((metric(after, "spacecrab_pool_handouts_total", account="default", **{"from": "on_demand"}) or 0)
                         - (metric(before, "spacecrab_pool_handouts_total", account="default", **{"from": "on_demand"}) or 0))
            r["on_demand"] = int(on_demand)
            print("run %d: %d requests, %d errors, %d minted on demand; tokens/s %.0f; "
                  "latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms"
                  % (i + 1, r["requests"], r["errors"], r["on_demand"], r["tokens_per_s"],
                     r["p50_ms"], r["p90_ms"], r["p99_ms"]), flush=True)
            results.append(r)
            wait_ready(srv, args.pool, timeout=3600)  # refill before the next run
    finally:
        srv.cleanup()
        sb.stop()
    os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
    path = os.path.join(ROOT, "bench", "out", "handout-%d.json" % int(time.time()))
    with open(path, "w") as f:
        json.dump({"pool": args.pool, "connections": args.connections, "fill_seconds": fill,
                   "iam_paused": not args.keep_iam,
                   "runs": results}, f, indent=1)
    print("raw results:", path)


if __name__ == "__main__":
    main()
