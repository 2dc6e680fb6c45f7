#!/usr/bin/env python3
"""Ingest benchmark, in one go (see bench/README.md, section "Ingest").

  python3 bench/ingest/run_bench.py [--corpus DIR] [--size-mb 1100] [--repeat 3]

Generates the corpus if missing (gen_trail.py: >= 1 GB of CloudTrail JSON as
gzip files in S3 layout, 10,000 tokens, ~3,000 uses), seeds the tokens into a
fresh store, warms the page cache, then runs on one core (taskset -c 0):
  floor      libdeflate-gunzip -c over every file, to /dev/null
  spacecrab  spacecrab ingest DIR (default mode, --no-enrich, and --fast)
  python     python_reference.py (gzip + json.loads + dict lookup per file)
  jq         libdeflate-gunzip -c | jq selecting the same records
and prints wall time, CPU time (user+sys), peak RSS and matches for each,
plus spacecrab's RSS on half the corpus (RSS must not grow with the corpus),
and the load average. Each spacecrab run must record exactly the ground
truth's uses (truth.json; a subset of them for half the corpus) or the bench
fails.
Wall time is only meaningful on an otherwise idle machine; CPU time is
reported because shared machines are rarely idle.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import trail_testlib as lib  # noqa: E402

JQ_FILTER = ('.Records[] | (.userIdentity // {}) as $u | ($u.accessKeyId // "") as $k '
             '| select(if $k != "" then $keys[0][$k] != null '
             'else ($u.type == "IAMUser" and $users[0][(($u.accountId // "") + "/" + ($u.userName // ""))] != null) end) '
             '| .eventID')


def timed(cmd, shell=False, env=None):
    """Runs cmd under /usr/bin/time; returns (wall, cpu, max_rss_kb, stdout)."""
    fmt = "%e %U %S %M"
    full = ["/usr/bin/time", "-f", fmt, "taskset", "-c", "0"] + (["sh", "-c", cmd] if shell else cmd)
    r = subprocess.run(full, capture_output=True, env=env)
    if r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (cmd, r.stderr.decode()[-2000:]))
    wall, user, sys_, rss = r.stderr.decode().strip().splitlines()[-1].split()
    return float(wall), float(user) + float(sys_), int(rss), r.stdout.decode()


def best(runs):
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs), runs[-1][3]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(ROOT, "bench", "out", "ingest-corpus"))
    ap.add_argument("--size-mb", type=float, default=1100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-slow", action="store_true", help="run python and jq once only")
    a = ap.parse_args()
    if not lib.BIN:
        lib.BIN = os.path.join(ROOT, "build", "src", "cli", "spacecrab")
    if not os.path.exists(os.path.join(a.corpus, "truth.json")):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_trail.py"), a.corpus, "--size-mb", str(a.size_mb)],
                       check=True)
    with open(os.path.join(a.corpus, "truth.json")) as f:
        truth = json.load(f)
    tokens_path = os.path.join(a.corpus, "tokens.json")
    with open(tokens_path) as f:
        tokens = json.load(f)
    trail = os.path.join(a.corpus, "trail")
    files = sorted(os.path.join(d, n) for d, _, ns in os.walk(trail) for n in ns if n.endswith(".json.gz"))
    logs = [p for p in files if "CloudTrail-Digest/" not in p and "CloudTrail-Insight/" not in p]
    compressed = sum(os.path.getsize(p) for p in logs)
    work = tempfile.mkdtemp(prefix="sc-bench-")
    try:
        list_path = os.path.join(work, "files.txt")
        with open(list_path, "w") as f:
            f.write("\n".join(logs) + "\n")
        half = os.path.join(work, "half")
        os.makedirs(half)
        for p in logs[: len(logs) // 2]:
            os.symlink(p, os.path.join(half, os.path.basename(p)))
        keys = {t["access_key_id"]: 1 for t in tokens}
        users = {"%s/%s" % (t["account_id"], t["user_name"]): 1 for t in tokens}
        for name, obj in (("keys.json", keys), ("users.json", users)):
            with open(os.path.join(work, name), "w") as f:
                json.dump(obj, f)
        subprocess.run("cat %s > /dev/null" % " ".join(logs), shell=True, check=True)  # warm the page cache
        load_before = os.getloadavg()[0]

        results = {}
        results["floor: libdeflate-gunzip -c"] = best(
            [timed("xargs -a %s libdeflate-gunzip -c > /dev/null" % list_path, shell=True) for _ in range(a.repeat)])

        truth_ids = set(truth["use_event_ids"])

        def spacecrab(extra, inputs):
            runs = []
            for _ in range(a.repeat):
                ws = lib.Workspace()
                try:
                    ws.seed_tokens(tokens)
                    runs.append(timed(ws.ingest_cmd(inputs, extra=("--no-progress",) + extra)))
                    # Every run must record exactly the ground truth's uses (all of
                    # them for the whole corpus, a subset of them for half of it).
                    recorded = {e for e, _ in ws.events()}
                    if inputs == trail and recorded != truth_ids:
                        raise RuntimeError("%s: recorded %d uses, %d missing, %d not in the ground truth"
                                           % (extra, len(recorded), len(truth_ids - recorded), len(recorded - truth_ids)))
                    if not recorded <= truth_ids:
                        raise RuntimeError("%s: %d recorded uses are not in the ground truth" % (extra, len(recorded - truth_ids)))
                finally:
                    ws.close()
            w, c, m, out = best(runs)
            summary = json.loads(out.strip().splitlines()[-1])
            return w, c, m, str(summary["detections"]) + " (%d new)" % summary["new_detections"]

        results["spacecrab ingest"] = spacecrab((), trail)
        # Enrichment's cost: the same run without it (default [enrich]: Debian's Tor GeoIP files).
        results["spacecrab ingest --no-enrich"] = spacecrab(("--no-enrich",), trail)
        results["spacecrab ingest --fast"] = spacecrab(("--fast",), trail)
        results["spacecrab ingest, half corpus"] = spacecrab((), half)
        slow_repeat = 1 if a.skip_slow else a.repeat
        results["python reference"] = best(
            [timed([sys.executable, os.path.join(HERE, "python_reference.py"), tokens_path] + logs)
             for _ in range(slow_repeat)])
        if shutil.which("jq"):
            results["jq"] = best([timed(
                "xargs -a %s libdeflate-gunzip -c | jq -r --slurpfile keys %s/keys.json --slurpfile users %s/users.json '%s' | wc -l"
                % (list_path, work, work, JQ_FILTER), shell=True) for _ in range(slow_repeat)])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    floor_wall, floor_cpu = results["floor: libdeflate-gunzip -c"][:2]
    sc_wall, sc_cpu = results["spacecrab ingest"][:2]
    print("corpus: %d files, %.1f MB gzip, %.1f MB JSON, %d tokens, %d uses (+ duplicates)"
          % (len(logs), compressed / 1e6, truth["bytes"] / 1e6, len(tokens), len(truth["use_event_ids"])))
    print("load average: %.1f before, %.1f after (1 min)" % (load_before, os.getloadavg()[0]))
    print("| run | wall s | CPU s | x floor (wall) | x floor (CPU) | MB/s (JSON, CPU) | peak RSS MB | matches |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, (wall, cpu, rss, out) in results.items():
        print("| %s | %.2f | %.2f | %.2f | %.2f | %.0f | %.1f | %s |" % (
            name, wall, cpu, wall / floor_wall, cpu / floor_cpu,
            truth["bytes"] / 1e6 / cpu if "half" not in name else 0.5 * truth["bytes"] / 1e6 / cpu,
            rss / 1024, out.strip().splitlines()[-1] if out.strip() else ""))
    py_cpu = results["python reference"][1]
    py_wall = results["python reference"][0]
    print("\nspacecrab vs floor: %.2fx CPU, %.2fx wall; vs python: %.1fx faster (CPU), %.1fx (wall)"
          % (sc_cpu / floor_cpu, sc_wall / floor_wall, py_cpu / sc_cpu, py_wall / sc_wall))


if __name__ == "__main__":
    main()
