"""The safety net, end to end: a use that IAM knows of (GetAccessKeyLastUsed)
but no log record shows pages; a use the trail does show does not page twice.

spacecrab serve (provider = "aws") on the AWS sandbox (moto, which updates a
key's last-used date on every signed call, behind the CloudTrail recorder,
which — like CloudTrail — writes nothing for SimpleDB). The attacker is the
real `aws` CLI. `[aws] last_used_lag` is shortened to seconds so the test is
quick; in production it covers CloudTrail's delivery lag (default 30 min).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sandbox"))
sys.path.insert(0, os.path.join(HERE, "..", "receivers"))

from harness import BIN, SpacecrabServer  # noqa: E402

try:
    from alert_harness import Receiver  # noqa: E402
    from sandbox import Sandbox, moto_available  # noqa: E402
    HAVE_SANDBOX = moto_available() and shutil.which("aws") is not None
except ImportError:
    HAVE_SANDBOX = False

DELAY = 1.0   # the sandbox's CloudTrail delivery delay, seconds
LAG = 8       # [aws] last_used_lag, seconds: well past delivery + one poll
ROUTING_KEY = "L4stUsedRoutingKeyForTheAccount0"


def wait_for(predicate, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@unittest.skipUnless(BIN and HAVE_SANDBOX, "needs SPACECRAB_BIN, moto, boto3 and the aws CLI")
class LastUsedSafetyNet(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="sc_lastused_")
        self.sb = Sandbox(delay=DELAY).start()
        self.pd = Receiver(self.work, "http_receiver.py", "pagerduty")
        config = ('[provider]\ntype = "aws"\n\n'
                  '[aws]\nendpoint_url = "%s"\nregion = "us-east-1"\n'
                  'last_used_lag = "%ds"\nlast_used_sweep = "1s"\n\n'
                  '[ingest]\ns3 = ["s3://%s/AWSLogs/"]\npoll_seconds = 1\n\n'
                  '[sinks.oncall]\ntype = "pagerduty"\nrouting_key = "%s"\nurl = "http://127.0.0.1:%d"\n'
                  % (self.sb.endpoint, LAG, self.sb.trail_bucket, ROUTING_KEY, self.pd.port))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ACCESS_KEY_ID": self.sb.admin["access_key_id"],
                    "AWS_SECRET_ACCESS_KEY": self.sb.admin["secret_access_key"],
                    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
        self.srv = SpacecrabServer(extra_config=config, env=env).start()

    def tearDown(self):
        self.srv.cleanup()
        self.pd.stop()
        self.sb.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    def attacker_cli(self, creds, *args):
        # SimpleDB is a "preview" command in the aws CLI v1: enabled in a config file.
        cfg = os.path.join(self.work, "attacker-config")
        with open(cfg, "w") as f:
            f.write("[preview]\nsdb = true\n")
        env = dict(self.sb.aws_cli_env(creds), AWS_CONFIG_FILE=cfg)
        return subprocess.run(["aws", "--endpoint-url", self.sb.endpoint, "--region", "us-east-1",
                               "--cli-read-timeout", "5", *args], env=env, capture_output=True,
                              text=True, timeout=120)

    def triggers(self, token_id):
        incidents = self.srv.request("GET", "/api/v1/incidents?token_id=" + token_id,
                                     key=self.srv.admin_key).json()["items"]
        ids = {i["id"] for i in incidents}
        return [m for m in self.pd.received()
                if m.get("event_action") == "trigger" and m.get("dedup_key") in ids]

    def test_unlogged_use_pages_and_logged_use_does_not_page_twice(self):
        logged = self.srv.create_tokens(location="repo/ci.yml", owner="dev")[0]
        unlogged = self.srv.create_tokens(location="vault/old-backup", owner="ops")[0]
        creds = lambda item: (item["credentials"]["access_key_id"],  # noqa: E731
                              item["credentials"]["secret_access_key"])

        # A logged call: the trail shows it, it pages once.
        self.assertEqual(self.attacker_cli(creds(logged), "sts", "get-caller-identity").returncode, 0)
        # An unlogged one: SimpleDB calls never reach CloudTrail; IAM still sees the key used.
        self.attacker_cli(creds(unlogged), "sdb", "list-domains")

        pages = wait_for(lambda: self.triggers(unlogged["token"]["id"]), LAG + 30)
        self.assertEqual(len(pages), 1, self.pd.received())
        summary = pages[0]["body"]["payload"]["summary"]
        self.assertIn("vault/old-backup", summary)
        self.assertIn("no log record shows", json_text(pages[0]))
        self.assertIn("sdb", json_text(pages[0]))

        # The logged key paged once from its trail record, and the safety net,
        # having seen that record, adds nothing.
        self.assertEqual(len(wait_for(lambda: self.triggers(logged["token"]["id"]), 10)), 1)
        time.sleep(LAG + 3)
        self.assertEqual(len(self.triggers(logged["token"]["id"])), 1, self.pd.received())
        events = self.srv.request("GET", "/api/v1/events?token_id=" + logged["token"]["id"],
                                  key=self.srv.admin_key).json()["items"]
        self.assertEqual([e["event_name"] for e in events], ["GetCallerIdentity"])
        self.assertEqual(len(self.triggers(unlogged["token"]["id"])), 1)  # once per IAM date


def json_text(obj):
    import json
    return json.dumps(obj)


if __name__ == "__main__":
    unittest.main()
