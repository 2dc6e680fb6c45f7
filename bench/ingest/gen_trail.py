#!/usr/bin/env python3
"""Generates CloudTrail trails with known ground truth, for tests and benchmarks.

Writes gzip files in the S3 key layout a trail bucket has
(AWSLogs/ACCT/CloudTrail/REGION/YYYY/MM/DD/ACCT_CloudTrail_REGION_YYYYMMDDTHHmmZ_X.json.gz),
mostly background records, plus:
  uses       records whose caller is one of our keys (or, with no key, one of
             our IAM users in its account: console sign-in) -> must be found;
  look-alikes our own CreateAccessKey/UpdateAccessKey naming a key in
             requestParameters/responseElements, other accounts' users with the
             same user name, AWS service events -> must not be found;
  duplicates some uses written again into a later file (same eventID);
  digest/insight files under CloudTrail-Digest/ and CloudTrail-Insight/
             that even contain a use -> must be skipped.
Ground truth (the eventIDs of the uses) goes to truth.json.

Library use (tests): make_tokens(), generate(). Command line (bench):
  gen_trail.py OUT_DIR --size-mb 1100 --tokens 10000 --uses 3000 --seed 1
writes OUT_DIR/trail/AWSLogs/..., OUT_DIR/tokens.json and OUT_DIR/truth.json.
Standard library only.
"""

import argparse
import datetime as dt
import gzip
import json
import os
import random
import string
import uuid

B32 = string.ascii_uppercase + "234567"
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]
SERVICES = [("s3.amazonaws.com", ["GetObject", "PutObject", "ListBuckets", "HeadObject"]),
            ("ec2.amazonaws.com", ["DescribeInstances", "RunInstances", "DescribeVolumes"]),
            ("sts.amazonaws.com", ["AssumeRole", "GetCallerIdentity"]),
            ("kms.amazonaws.com", ["Decrypt", "GenerateDataKey"]),
            ("lambda.amazonaws.com", ["Invoke", "ListFunctions20150331"]),
            ("iam.amazonaws.com", ["ListUsers", "GetRole", "ListAttachedRolePolicies"])]
AGENTS = ["aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12",
          "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1 lang/python#3.11.8",
          "aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1", "console.amazonaws.com",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0"]
USER_NAMES = ["svc-backup-prod", "jenkins-deploy", "m.garcia", "a.chen", "terraform-ci",
              "ops-readonly", "data-pipeline", "k.novak", "gitlab-runner", "reporting-etl"]


def key_id(rng, prefix="AKIA"):
    return prefix + "".join(rng.choice(B32) for _ in range(16))


def make_tokens(n, accounts, seed=1, retired_every=7):
    """Our issued keys: every `retired_every`-th one revoked/deleted (still matchable)."""
    rng = random.Random(seed)
    tokens = []
    for i in range(n):
        status = "active" if i % retired_every else ("revoked", "deleted", "expired")[i // retired_every % 3]
        tokens.append({"token_id": "tok_%026d" % i, "access_key_id": key_id(rng),
                       "account_id": accounts[i % len(accounts)],
                       "user_name": "%s-%d" % (rng.choice(USER_NAMES), i), "status": status})
    return tokens


def _ident(kind, account, user, key):
    if kind == "IAMUser":
        d = {"type": "IAMUser", "principalId": "AIDA" + key[4:] if key else "AIDAXXXXXXXXXXXXXXXXX",
             "arn": "arn:aws:iam::%s:user/%s" % (account, user), "accountId": account, "userName": user}
        if key:
            d["accessKeyId"] = key
        return d
    if kind == "AssumedRole":
        return {"type": "AssumedRole", "principalId": "AROAEXAMPLE:%s" % user,
                "arn": "arn:aws:sts::%s:assumed-role/app-role/%s" % (account, user), "accountId": account,
                "accessKeyId": key, "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "app-role",
                "arn": "arn:aws:iam::%s:role/app-role" % account, "accountId": account},
                "attributes": {"creationDate": "2024-05-01T00:00:00Z", "mfaAuthenticated": "false"}}}
    return {"type": "AWSService", "invokedBy": user}


def record(rng, t, account, region, ident, source=None, name=None, request=None, response=None,
           error=None, event_id=None):
    if source is None:
        source, names = rng.choice(SERVICES)
        name = rng.choice(names)
    r = {"eventVersion": "1.09", "userIdentity": ident,
         "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "eventSource": source, "eventName": name,
         "awsRegion": region, "sourceIPAddress": "%d.%d.%d.%d" % (rng.randint(1, 223), rng.randint(0, 255),
                                                                 rng.randint(0, 255), rng.randint(1, 254)),
         "userAgent": rng.choice(AGENTS),
         "requestParameters": request if request is not None else {
             "bucketName": "data-%d" % rng.randint(1, 500), "key": "path/%s.parquet" % uuid.UUID(int=rng.getrandbits(128)),
             "maxResults": rng.randint(1, 1000)},
         "responseElements": response,
         "requestID": "%032X" % rng.getrandbits(128), "eventID": event_id or str(uuid.UUID(int=rng.getrandbits(128))),
         "readOnly": name.startswith(("Get", "List", "Describe", "Head")), "eventType": "AwsApiCall",
         "managementEvent": True, "recipientAccountId": account, "eventCategory": "Management",
         "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                        "clientProvidedHostHeader": source.replace(".amazonaws.com", ".%s.amazonaws.com" % region)}}
    if error:
        r["errorCode"] = error
        r["errorMessage"] = "User is not authorized to perform this action"
    return r


def other_key(rng, taken, prefix="AKIA"):
    """A key id that is not one of ours."""
    while True:
        k = key_id(rng, prefix)
        if k not in taken:
            return k


def background(rng, t, account, region, taken=frozenset()):
    roll = rng.random()
    user = rng.choice(USER_NAMES)
    if roll < 0.45:
        ident = _ident("AssumedRole", account, user, other_key(rng, taken, "ASIA"))
    elif roll < 0.85:
        ident = _ident("IAMUser", account, user, other_key(rng, taken))
    else:
        ident = _ident("AWSService", account, rng.choice(["ec2.amazonaws.com", "lambda.amazonaws.com"]), "")
    return record(rng, t, account, region, ident)


class Trail:
    """Collects records per (account, region, 5-minute slot) and writes files."""

    def __init__(self, root, org=None):
        self.root, self.org, self.files = root, org, []

    def path(self, account, region, t, rng, kind="CloudTrail"):
        base = os.path.join(self.root, "AWSLogs", *( [self.org] if self.org else []), account, kind, region,
                            t.strftime("%Y"), t.strftime("%m"), t.strftime("%d"))
        name = "%s_%s_%s_%s_%s.json.gz" % (account, kind, region, t.strftime("%Y%m%dT%H%MZ"),
                                           "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(16)))
        return os.path.join(base, name)

    def write(self, path, records, level=6):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = json.dumps({"Records": records}, separators=(",", ":")).encode()
        with open(path, "wb") as f:
            f.write(gzip.compress(data, compresslevel=level))
        self.files.append(path)
        return len(data)


def generate(root, tokens, *, size_mb=2.0, uses=40, seed=1, records_per_file=400, other_account="999988887777",
             start=dt.datetime(2024, 5, 1, 0, 0), duplicates=0.1, lookalikes=True, digests=True, level=6,
             accounts=None):
    """Writes a trail under root; returns the ground truth
    {"use_event_ids": [...], "per_token": {token_id: count}, "files": n, "bytes": uncompressed}."""
    rng = random.Random(seed * 7919 + 104729)  # not make_tokens' sequence
    taken = {t["access_key_id"] for t in tokens}
    accounts = accounts or sorted({t["account_id"] for t in tokens} | {other_account})
    trail = Trail(root)
    target = int(size_mb * 1e6)
    # Uses come in bursts (an attacker tries a key several times in a few minutes).
    pending_uses = []
    left = uses
    while left > 0 and tokens:
        tok = rng.choice(tokens)
        burst = min(left, rng.randint(1, 30))
        pending_uses.append((tok, burst))
        left -= burst
    truth_ids, per_token, dups = [], {}, []
    written, slot = 0, 0
    n_files_est = max(1, target // (records_per_file * 1400))
    slots = rng.sample(range(max(n_files_est, len(pending_uses))), len(pending_uses))
    use_slots = dict(zip(slots, pending_uses))
    while written < target or use_slots or dups:
        t = start + dt.timedelta(minutes=5 * slot)
        account, region = accounts[slot % len(accounts)], REGIONS[(slot // len(accounts)) % len(REGIONS)]
        recs = [background(rng, t + dt.timedelta(seconds=rng.randint(0, 299)), account, region, taken)
                for _ in range(records_per_file)]
        u = use_slots.pop(slot, None) if use_slots else None
        if u is None and written >= target and use_slots:
            u = use_slots.pop(next(iter(use_slots)))
        if u:
            tok, burst = u
            for i in range(burst):
                ts = t + dt.timedelta(seconds=rng.randint(0, 299))
                if i == 0 and tok["user_name"]:
                    ident = _ident("IAMUser", tok["account_id"], tok["user_name"], "")  # console: no key
                    r = record(rng, ts, tok["account_id"], "us-east-1", ident, "signin.amazonaws.com",
                               "ConsoleLogin", request={}, error="Failed authentication")
                else:
                    ident = _ident("IAMUser", tok["account_id"], tok["user_name"], tok["access_key_id"])
                    r = record(rng, ts, tok["account_id"], region, ident, error="AccessDenied")
                recs.insert(rng.randrange(len(recs) + 1), r)
                truth_ids.append(r["eventID"])
                per_token[tok["token_id"]] = per_token.get(tok["token_id"], 0) + 1
                if rng.random() < duplicates:
                    dups.append(r)
            if lookalikes:
                admin = _ident("IAMUser", tok["account_id"], "admin", other_key(rng, taken))
                recs.append(record(rng, t, tok["account_id"], "us-east-1", admin, "iam.amazonaws.com", "CreateAccessKey",
                                   request={"userName": tok["user_name"]},
                                   response={"accessKey": {"accessKeyId": tok["access_key_id"], "status": "Active",
                                                           "userName": tok["user_name"], "createDate": "May 1, 2024"}}))
                recs.append(record(rng, t, tok["account_id"], "us-east-1", admin, "iam.amazonaws.com", "UpdateAccessKey",
                                   request={"accessKeyId": tok["access_key_id"], "status": "Inactive",
                                            "userName": tok["user_name"]}))
                recs.append(record(rng, t, other_account, region,
                                   _ident("IAMUser", other_account, tok["user_name"], other_key(rng, taken))))
                recs.append(record(rng, t, other_account, "us-east-1",
                                   _ident("IAMUser", other_account, tok["user_name"], ""), "signin.amazonaws.com",
                                   "ConsoleLogin", request={}))
                recs.append(record(rng, t, tok["account_id"], region, _ident("AWSService", tok["account_id"], "ec2.amazonaws.com", ""),
                                   request={"userName": tok["user_name"], "accessKeyId": tok["access_key_id"]}))
        elif dups and written >= target / 2:
            recs.extend(dups)
            dups = []
        written += trail.write(trail.path(account, region, t, rng), recs, level)
        slot += 1
    if digests and tokens:
        tok = tokens[0]
        t = start
        ident = _ident("IAMUser", tok["account_id"], tok["user_name"], tok["access_key_id"])
        for kind in ("CloudTrail-Digest", "CloudTrail-Insight"):
            trail.write(trail.path(tok["account_id"], "us-east-1", t, rng, kind),
                        [record(rng, t, tok["account_id"], "us-east-1", ident, event_id="digest-" + kind)])
    return {"use_event_ids": sorted(set(truth_ids)), "per_token": per_token, "files": len(trail.files),
            "bytes": written, "file_paths": trail.files}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--size-mb", type=float, default=1100)
    ap.add_argument("--tokens", type=int, default=10000)
    ap.add_argument("--uses", type=int, default=3000)
    ap.add_argument("--accounts", default="111122223333,222233334444")
    ap.add_argument("--records-per-file", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--level", type=int, default=6, help="gzip level (CloudTrail's files are level 6-like)")
    a = ap.parse_args()
    tokens = make_tokens(a.tokens, a.accounts.split(","), a.seed)
    truth = generate(os.path.join(a.out, "trail"), tokens, size_mb=a.size_mb, uses=a.uses, seed=a.seed,
                     records_per_file=a.records_per_file, duplicates=0.05, level=a.level)
    with open(os.path.join(a.out, "tokens.json"), "w") as f:
        json.dump(tokens, f)
    truth.pop("file_paths")
    with open(os.path.join(a.out, "truth.json"), "w") as f:
        json.dump(truth, f)
    print(json.dumps({k: v for k, v in truth.items() if k != "use_event_ids" and k != "per_token"}
                     | {"uses": len(truth["use_event_ids"])}))


if __name__ == "__main__":
    main()
