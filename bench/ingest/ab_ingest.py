#!/usr/bin/env python3
"""Two spacecrab builds ingesting the bench corpus alternately (default mode, one
core), each run on a fresh store seeded with the corpus's tokens: whether a change
moved the cost beyond the machine's noise. The corpus comes from run_bench.py.

    python3 bench/ingest/ab_ingest.py OLD_BIN NEW_BIN [--runs 4]
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import trail_testlib as lib  # noqa: E402
from run_bench import timed  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--runs", type=int, default=4, help="runs of each build")
    ap.add_argument("--corpus", default=os.path.join(ROOT, "bench", "out", "ingest-corpus"))
    args = ap.parse_args()
    with open(os.path.join(args.corpus, "tokens.json")) as f:
        tokens = json.load(f)
    trail = os.path.join(args.corpus, "trail")
    subprocess.run(["sh", "-c", "find %s -type f -exec cat {} + > /dev/null" % shlex.quote(trail)],
                   check=True)  # page cache warm, as in run_bench.py
    builds = {"A": args.a, "B": args.b}
    cpu = {"A": [], "B": []}
    for i in range(args.runs):
        for name in ("A", "B") if i % 2 == 0 else ("B", "A"):  # alternate who goes first
            lib.BIN = builds[name]
            ws = lib.Workspace()
            try:
                ws.seed_tokens(tokens)
                wall, c, rss, _ = timed(ws.ingest_cmd(trail, extra=("--no-progress",)))
            finally:
                ws.close()
            cpu[name].append(c)
            print("%s: wall %.2f s, CPU %.2f s, peak RSS %.1f MB" % (name, wall, c, rss / 1024), flush=True)
    for name in ("A", "B"):
        v = sorted(cpu[name])
        print("%s (%s): CPU s %s; median %.2f" % (name, builds[name], ", ".join("%.2f" % x for x in v),
                                                 statistics.median(v)))


if __name__ == "__main__":
    main()
