#!/usr/bin/env python3
"""The per-file work today's serverless detectors do: gunzip, json.loads, and a
dict lookup of userIdentity.accessKeyId (plus the IAM user rule) per record.
Usage: python_reference.py TOKENS.json FILE... ; prints the number of matches."""
import gzip
import json
import sys


def main():
    with open(sys.argv[1]) as f:
        tokens = json.load(f)
    keys = {t["access_key_id"]: t["token_id"] for t in tokens}
    users = {(t["account_id"], t["user_name"]): t["token_id"] for t in tokens}
    hits = 0
    for path in sys.argv[2:]:
        if "CloudTrail-Digest/" in path or "CloudTrail-Insight/" in path:
            continue
        with gzip.open(path, "rb") as f:
            doc = json.loads(f.read())
        for rec in doc.get("Records", []):
            who = rec.get("userIdentity") or {}
            key = who.get("accessKeyId")
            if key:
                if key in keys:
                    hits += 1
            elif who.get("type") == "IAMUser" and (who.get("accountId"), who.get("userName")) in users:
                hits += 1
    print(hits)


if __name__ == "__main__":
    main()
