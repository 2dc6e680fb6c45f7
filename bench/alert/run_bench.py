#!/usr/bin/env python3
"""Alert pipeline benchmarks (see bench/README.md, section "Alerting").

    python3 bench/alert/run_bench.py --build BUILD_DIR [--quick] [--alerts 5000]
                                     [--only throughput|storm]

1. Dispatcher throughput: N triggers for N incidents queued at once, delivered
   by the webhook sink (signed) to tests/receivers/http_receiver.py, which
   verifies each HMAC and logs each message. Reported for 1 and 4 workers.
2. Storm: 100,000 matching events across 50 tokens (one source each) within a
   minute of event time, fed through the incident stage in batches of 500,
   with a PagerDuty sink (default policy: 100/min rate limit, one update per
   incident per 60 s) and a webhook sink, both to local receivers. Checks one
   incident per (token, source) and pages <= incidents * (1 + ceil(T / 60 s)).
   Without --quick the feed is paced over 60 wall seconds (the realistic
   storm); with --quick it goes as fast as it can (measures the stage) and the
   update interval is 5 s so the run stays short.

Results go to bench/out/alert-<UTC time>/results.json and stdout.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "receivers"))
from alert_harness import Receiver  # noqa: E402


def driver(build, config_text, args, workdir, timeout):
    cfg = os.path.join(workdir, "bench.toml")
    with open(cfg, "w") as f:
        f.write(config_text)
    cmd = [os.path.join(build, "src", "alert", "sc_alert_driver"), "--config", cfg] + args
    out = subprocess.run(cmd, capture_output=True, timeout=timeout)
    if out.returncode != 0:
        raise SystemExit("driver failed: " + out.stderr.decode() + out.stdout.decode()[-2000:])
    return json.loads(out.stdout)


def throughput(build, workdir, alerts, workers):
    hook = Receiver(workdir, "http_receiver.py", "webhook", "--secret", "bench")
    try:
        s = driver(build, '[sinks.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:%d/"\n'
                   'secret = "bench"\nworkers = %d\n' % (hook.port, workers),
                   ["--throughput", str(alerts), "--drain-timeout", "300"], workdir, 400)
        received = len(hook.received())
    finally:
        hook.stop()
    return {"alerts": alerts, "workers": workers, "seconds": round(s["drain_seconds"], 3),
            "alerts_per_second": round(s["throughput_alerts_per_second"], 1),
            "received_and_verified": received, "dead": len(s["dead"])}


def storm(build, workdir, quick):
    pd = Receiver(workdir, "http_receiver.py", "pagerduty")
    hook = Receiver(workdir, "http_receiver.py", "webhook", "--secret", "bench")
    interval = 5 if quick else 60
    try:
        config = ('[sinks.pd]\ntype = "pagerduty"\nurl = "http://127.0.0.1:%d"\nrouting_key = "k"\n'
                  'update_interval = "%ds"\n'
                  '[sinks.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:%d/"\nsecret = "bench"\n'
                  'update_interval = "%ds"\n' % (pd.port, interval, hook.port, interval))
        args = ["--storm-events", "100000", "--storm-tokens", "50", "--storm-sources", "1",
                "--storm-batch", "500", "--drain-timeout", "300"]
        if not quick:
            args += ["--storm-pace", "60"]
        s = driver(build, config, args, workdir, 600)
        pd_got, hook_got = pd.received(), hook.received()
    finally:
        pd.stop()
        hook.stop()
    incidents = s["incidents"]
    duration = s["drain_seconds"]
    bound = len(incidents) * (1 + math.ceil(duration / interval))
    pd_pages = [g for g in pd_got if g.get("event_action") == "trigger"]
    return {
        "events": s["events"], "tokens": 50, "incidents": len(incidents),
        "one_incident_per_token_and_source":
            len({(i["token_id"], i["source_ip"]) for i in incidents}) == len(incidents) == 50,
        "events_in_incidents": sum(i["event_count"] for i in incidents),
        "feed_seconds": round(s["feed_seconds"], 3),
        "stage_events_per_second": round(s["events"] / max(s["feed_seconds"], 1e-9)),
        "run_seconds": round(duration, 1), "update_interval_seconds": interval,
        "pagerduty_messages": len(pd_pages),
        "pagerduty_new_incidents": sum(1 for g in pd_got if g.get("new_incident")),
        "webhook_messages": len(hook_got), "page_bound_per_sink": bound,
        "within_bound": len(pd_pages) <= bound and len(hook_got) <= bound,
        "sinks": s["sinks"], "dead": len(s["dead"]),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("SPACECRAB_BUILD_DIR", os.path.join(ROOT, "build")))
    ap.add_argument("--alerts", type=int, default=5000)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["throughput", "storm"])
    args = ap.parse_args()
    out_dir = os.path.join(ROOT, "bench", "out", "alert-" + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    os.makedirs(out_dir, exist_ok=True)
    results = {"machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()}}
    if args.only != "storm":
        results["throughput"] = [throughput(args.build, out_dir, args.alerts, w) for w in (1, 4)]
    if args.only != "throughput":
        results["storm"] = storm(args.build, out_dir, args.quick)
    for f in os.listdir(out_dir):  # keep results, not the receivers' logs
        if f.endswith(".jsonl") or f.endswith(".stderr") or f.endswith(".toml"):
            os.remove(os.path.join(out_dir, f))
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(json.dumps(results, indent=2))
    print("written to", os.path.relpath(out_dir, ROOT))


if __name__ == "__main__":
    main()
