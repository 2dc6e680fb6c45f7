#!/usr/bin/python3
"""The program an exec sink runs in the tests: "write your own" in Python.

    exec_receiver.py LOG [--fail-until FILE] [--exit N]

Reads the alert message JSON from stdin, checks its shape, and appends
{"message": ..., "env": {...}, "argv": [...]} to LOG. With --fail-until FILE
it exits 75 (EX_TEMPFAIL: retry later) while FILE does not exist, so a test can
hold the "ticket system" down and then bring it back. --exit N exits N after
logging (to test final failures).
"""
import json
import os
import sys


def main():
    args = sys.argv[1:]
    log = args[0]
    fail_until = args[args.index("--fail-until") + 1] if "--fail-until" in args else None
    exit_code = int(args[args.index("--exit") + 1]) if "--exit" in args else 0
    raw = sys.stdin.read()
    if fail_until and not os.path.exists(fail_until):
        sys.stderr.write("ticket system unavailable\n")
        return 75
    message = json.loads(raw)
    for key in ("kind", "dedup_key", "alert"):
        if key not in message:
            sys.stderr.write("missing " + key + "\n")
            return 65
    with open(log, "a", encoding="utf-8") as f:
        f.write(json.dumps({"message": message, "env": dict(os.environ), "argv": sys.argv}) + "\n")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
