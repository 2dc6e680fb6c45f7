#!/usr/bin/env python3
"""An AWS sandbox for tests: moto with signature and policy checks, a
CloudTrail-like recorder in front of it, and the honey account's trail bucket.

    sb = Sandbox(delay=2).start()
    sb.endpoint            # give this to spacecrab and to the attacker's tools
    sb.admin               # {"access_key_id", "secret_access_key", "user_name", "arn"}
    ...
    sb.flush(); sb.trail_records()  # what the trail bucket holds
    sb.stop()

or as a program, printing one JSON line with the same facts and running
until SIGINT/SIGTERM (or until stdin closes, with --until-stdin-closes):

    python3 tests/sandbox/sandbox.py --port 0 --delay 5

Everything goes through `endpoint` (IAM, STS, S3, EC2 ... moto serves them
all on one port and tells them apart by the signature's service). Calls
through it are recorded like a real multi-region management-events trail:
the provider's own CreateUser/CreateAccessKey/PutUserPolicy included (a
matcher must not count those as uses). Deviations from AWS, on purpose or
inherited from moto: an Inactive key still authenticates in moto; key ids
do not encode the account id; UserIds are not AIDA...
"""

import argparse
import gzip
import json
import os
import secrets
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from moto_process import MotoProcess, moto_available  # noqa: E402,F401
from proxy import IdentityDirectory, RecordingProxy  # noqa: E402
from trail_writer import TrailDelivery  # noqa: E402

ADMIN_POLICY = json.dumps({"Version": "2012-10-17",
                           "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
_BOTO_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=10,
                      read_timeout=60, s3={"addressing_style": "path"})


class Sandbox:
    def __init__(self, *, port=0, delay=5.0, digest_every=3, duplicate_every=0,
                 account_id="210987654321", region="us-east-1", source_ip=None,
                 record_data_events=False, admin_user="ops-automation"):
        self.account_id = account_id
        self.region = region
        self.trail_bucket = f"aws-cloudtrail-logs-{account_id}-{secrets.token_hex(4)}"
        self.admin_user = admin_user
        self._port = port
        self._delay = delay
        self._digest_every = digest_every
        self._duplicate_every = duplicate_every
        self._source_ip = source_ip
        self._record_data_events = record_data_events
        self._moto = None
        self._proxy = None
        self._delivery = None
        self._records = []
        self._records_lock = threading.Lock()
        self.admin = None

    # ---- lifecycle ----------------------------------------------------------
    def start(self):
        self._moto = MotoProcess(account_id=self.account_id, no_auth_actions=3).start()
        try:
            self._bootstrap()
            direct_s3 = self.client("s3", via_proxy=False)
            direct_s3.create_bucket(Bucket=self.trail_bucket)
            self._delivery = TrailDelivery(direct_s3, self.trail_bucket, self.account_id,
                                           delay=self._delay, digest_every=self._digest_every,
                                           duplicate_every=self._duplicate_every).start()
            directory = IdentityDirectory(self.client("iam", via_proxy=False))
            self._proxy = RecordingProxy(self._moto.port, directory, self._on_record,
                                         self.account_id, port=self._port,
                                         source_ip=self._source_ip,
                                         record_data_events=self._record_data_events).start()
            self._proxy.repair.learn(self.admin["access_key_id"], self.admin["secret_access_key"])
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        if self._proxy:
            self._proxy.stop()
            self._proxy = None
        if self._delivery:
            try:
                self._delivery.stop()
            except Exception:
                pass
            self._delivery = None
        if self._moto:
            self._moto.stop()
            self._moto = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _bootstrap(self):
        # The first three authorizable actions run unchecked (see moto_process).
        anon = boto3.client("iam", endpoint_url=self._moto.endpoint, region_name="us-east-1",
                            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                            aws_secret_access_key="bootstrap-only", config=_BOTO_CONFIG)
        anon.create_user(UserName=self.admin_user)
        anon.put_user_policy(UserName=self.admin_user, PolicyName="AdministratorAccess",
                             PolicyDocument=ADMIN_POLICY)
        key = anon.create_access_key(UserName=self.admin_user)["AccessKey"]
        self.admin = {"access_key_id": key["AccessKeyId"],
                      "secret_access_key": key["SecretAccessKey"],
                      "user_name": self.admin_user,
                      "arn": f"arn:aws:iam::{self.account_id}:user/{self.admin_user}"}
        # Prove the checks are on: an unknown key and a wrong secret must fail.
        for creds, expected in (
                (("AKIAIOSFODNN7EXAMPLE", "x" * 40), "InvalidClientTokenId"),
                ((key["AccessKeyId"], "y" * 40), "SignatureDoesNotMatch")):
            try:
                self.client("iam", creds=creds, via_proxy=False).list_users()
                raise RuntimeError(f"moto accepted a bad signature (expected {expected})")
            except ClientError as e:
                if e.response["Error"]["Code"] != expected:
                    raise RuntimeError(f"moto auth check: expected {expected}, got {e.response['Error']}")

    # ---- use ----------------------------------------------------------------
    @property
    def endpoint(self):
        return self._proxy.endpoint

    @property
    def moto_endpoint(self):
        return self._moto.endpoint

    def client(self, service, creds=None, via_proxy=True, region=None, user_agent_extra=None):
        """A boto3 client; creds = (key id, secret) or None for the admin."""
        key_id, secret = creds or (self.admin["access_key_id"], self.admin["secret_access_key"])
        cfg = _BOTO_CONFIG if not user_agent_extra else _BOTO_CONFIG.merge(
            Config(user_agent_extra=user_agent_extra))
        return boto3.client(service, endpoint_url=self.endpoint if via_proxy else self.moto_endpoint,
                            region_name=region or self.region, aws_access_key_id=key_id,
                            aws_secret_access_key=secret, config=cfg)

    def aws_cli_env(self, creds=None):
        """Environment for the real `aws` CLI as this principal (use with --endpoint-url)."""
        key_id, secret = creds or (self.admin["access_key_id"], self.admin["secret_access_key"])
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
                    "AWS_DEFAULT_REGION": self.region, "AWS_CONFIG_FILE": os.devnull,
                    "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_ENDPOINT_URL": self.endpoint,
                    "AWS_MAX_ATTEMPTS": "1"})
        return env

    def _on_record(self, record):
        with self._records_lock:
            self._records.append(record)
        self._delivery.submit(record)

    def recorded(self):
        """Every record built so far (delivered or not), in call order."""
        with self._records_lock:
            return list(self._records)

    def flush(self):
        """Delivers pending records now instead of after the delay."""
        self._delivery.flush()

    def delivery_stats(self):
        return self._delivery.stats()

    def recorder_errors(self):
        return list(self._proxy.errors)

    def trail_objects(self, prefix="AWSLogs/"):
        # Straight to moto, so the sandbox's own reads are never recorded; no
        # Prefix parameter because moto mis-verifies signatures over '%2F'
        # (see sig_repair.py).
        s3 = self.client("s3", via_proxy=False)
        keys = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.trail_bucket):
            keys.extend(o["Key"] for o in page.get("Contents", []) if o["Key"].startswith(prefix))
        return keys

    def trail_records(self):
        """Every record in the trail bucket's log files (digests skipped)."""
        s3 = self.client("s3", via_proxy=False)
        out = []
        for key in self.trail_objects(f"AWSLogs/{self.account_id}/CloudTrail/"):
            data = s3.get_object(Bucket=self.trail_bucket, Key=key)["Body"].read()
            out.extend(json.loads(gzip.decompress(data))["Records"])
        return out

    def wait_for_records(self, predicate, timeout=30.0):
        """Polls the bucket until predicate(records) is true; returns the records."""
        deadline = time.monotonic() + timeout
        while True:
            records = self.trail_records()
            if predicate(records) or time.monotonic() > deadline:
                return records
            time.sleep(0.2)

    def describe(self):
        return {"endpoint": self.endpoint, "moto_endpoint": self.moto_endpoint,
                "account_id": self.account_id, "region": self.region,
                "trail_bucket": self.trail_bucket, "trail_prefix": f"AWSLogs/{self.account_id}/",
                "admin_access_key_id": self.admin["access_key_id"],
                "admin_secret_access_key": self.admin["secret_access_key"],
                "admin_arn": self.admin["arn"], "delivery_delay_seconds": self._delay}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, default=0, help="proxy (endpoint) port; 0 = ephemeral")
    p.add_argument("--delay", type=float, default=5.0, help="trail delivery delay, seconds")
    p.add_argument("--digest-every", type=int, default=3, help="a digest file every N log files")
    p.add_argument("--duplicate-every", type=int, default=0, help="deliver every Nth record twice")
    p.add_argument("--account-id", default="210987654321")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--source-ip", default=None, help="sourceIPAddress to record instead of the peer's")
    p.add_argument("--data-events", action="store_true", help="also record S3 data events")
    p.add_argument("--until-stdin-closes", action="store_true",
                   help="exit when stdin reaches EOF (for parents that may die)")
    args = p.parse_args(argv)

    sb = Sandbox(port=args.port, delay=args.delay, digest_every=args.digest_every,
                 duplicate_every=args.duplicate_every, account_id=args.account_id,
                 region=args.region, source_ip=args.source_ip,
                 record_data_events=args.data_events).start()
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    if args.until_stdin_closes:
        threading.Thread(target=lambda: (sys.stdin.buffer.read(), done.set()), daemon=True).start()
    print(json.dumps(sb.describe()), flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        sb.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
