"""Helpers shared by tests/integration/test_ingest*.py (and the bench):
a throwaway spacecrab data dir + config, tokens seeded into its store, runs
of `spacecrab ingest`, reading detections back, and a signature-checking
moto_server. Standard library + boto3 (preinstalled) only.

Tokens are inserted straight into the SQLite store (tokens table of
src/store/migrations.cpp) because a test must not depend on the REST API
being up; the API path is exercised by the push endpoint tests.
"""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time

BIN = os.environ.get("SPACECRAB_BIN", "")
SOURCE_DIR = os.environ.get("SPACECRAB_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPACECRAB_", "AWS_"))}
    env["HOME"] = extra.pop("HOME", env.get("HOME", "/tmp"))
    env.update(extra)
    return env


class Workspace:
    """A data dir, its config and its store."""

    def __init__(self, extra_toml=""):
        self.tmp = tempfile.TemporaryDirectory(prefix="sc-ingest-")
        self.dir = self.tmp.name
        self.data = os.path.join(self.dir, "data")
        self.db = os.path.join(self.data, "spacecrab.db")
        self.config = os.path.join(self.dir, "spacecrab.toml")
        with open(self.config, "w") as f:
            f.write('[server]\ndata_dir = "%s"\nlisten = "127.0.0.1:%d"\n\n[store]\nurl = "sqlite:%s"\n%s\n'
                    % (self.data, free_port(), self.db, extra_toml))
        os.makedirs(self.data, exist_ok=True)
        empty = os.path.join(self.dir, "empty")
        os.makedirs(empty)
        r = self.ingest(empty)  # creates and migrates the store
        if r.returncode != 0:
            raise RuntimeError("spacecrab ingest on an empty dir failed: %s %s" % (r.stdout, r.stderr))

    def close(self):
        self.tmp.cleanup()

    def seed_tokens(self, tokens):
        con = sqlite3.connect(self.db, timeout=30)
        with con:
            seq = con.execute("SELECT COALESCE(MAX(change_seq), 0) FROM tokens").fetchone()[0]
            for t in tokens:
                seq += 1
                con.execute(
                    "INSERT INTO tokens (id, kind, status, access_key_id, account_id, user_name, arn, location,"
                    " owner, notes, created_at, issued_at, change_seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (t["token_id"], "aws", t.get("status", "active"), t["access_key_id"], t["account_id"],
                     t["user_name"], "arn:aws:iam::%s:user/%s" % (t["account_id"], t["user_name"]),
                     "test-location", "tests", "", 1714521600000, 1714521600000, seq))
        con.close()

    def events(self):
        con = sqlite3.connect(self.db, timeout=30)
        rows = con.execute("SELECT id, token_id FROM events").fetchall()
        con.close()
        return rows

    def token_counts(self):
        con = sqlite3.connect(self.db, timeout=30)
        rows = dict(con.execute("SELECT id, event_count FROM tokens WHERE event_count > 0").fetchall())
        con.close()
        return rows

    def ingest_cmd(self, *inputs, extra=()):
        return [BIN, "ingest", "--config", self.config, "--json", *extra, *inputs]

    def ingest(self, *inputs, env=None, extra=(), input_bytes=None, timeout=600):
        return subprocess.run(self.ingest_cmd(*inputs, extra=extra), env=env or clean_env(), capture_output=True,
                              input=input_bytes, timeout=timeout)

    def ingest_json(self, testcase, *inputs, **kw):
        r = self.ingest(*inputs, **kw)
        testcase.assertEqual(r.returncode, 0, "stdout=%s stderr=%s" % (r.stdout[-2000:], r.stderr[-2000:]))
        return json.loads(r.stdout.decode().strip().splitlines()[-1])


class Moto:
    """moto_server on an ephemeral 127.0.0.1 port that checks SigV4 signatures.

    INITIAL_NO_AUTH_ACTION_COUNT=0 would reject every request, since no access
    key exists in moto's IAM yet; 3 lets us create a user, its policy and its
    key unauthenticated, after which every request must be signed by that key.
    """

    def __init__(self):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="3")
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(self.port)], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("moto_server did not start")
        import boto3
        iam = boto3.client("iam", endpoint_url=self.url, region_name="us-east-1",
                           aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
        iam.create_user(UserName="trail-reader")
        iam.put_user_policy(UserName="trail-reader", PolicyName="s3", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="trail-reader")["AccessKey"]
        self.key_id, self.secret = key["AccessKeyId"], key["SecretAccessKey"]
        self.s3 = boto3.client("s3", endpoint_url=self.url, region_name="us-east-1",
                               aws_access_key_id=self.key_id, aws_secret_access_key=self.secret)

    def env(self, secret=None):
        return clean_env(AWS_ACCESS_KEY_ID=self.key_id, AWS_SECRET_ACCESS_KEY=secret or self.secret,
                         SPACECRAB_AWS_ENDPOINT_URL=self.url, SPACECRAB_AWS_REGION="us-east-1")

    def upload_tree(self, bucket, root):
        n = 0
        for dirpath, _, files in os.walk(root):
            for name in files:
                path = os.path.join(dirpath, name)
                key = os.path.relpath(path, root)
                with open(path, "rb") as f:
                    self.s3.put_object(Bucket=bucket, Key=key, Body=f.read(), ContentType="application/octet-stream")
                n += 1
        return n

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()
