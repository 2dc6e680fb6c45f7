"""Allowlists through the real `spacecrab serve`: a use that matches
`[incidents] allow_user_agents` / `allow_token_tags` is recorded and shown
with its reason, and nobody is paged; the same key used by anyone else pages.

The attacker is the real `aws` CLI against the decoy endpoint; the paging
service is tests/receivers/http_receiver.py (PagerDuty contract) on 127.0.0.1.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "receivers"))
from alert_harness import Workdir  # noqa: E402

ROUTING_KEY = "A" * 32


def wait_for(predicate, timeout=15, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@unittest.skipUnless(os.environ.get("SPACECRAB_BIN"), "SPACECRAB_BIN not set")
class AllowlistTest(unittest.TestCase):
    def setUp(self):
        from harness import SpacecrabServer
        self.work = Workdir().__enter__()
        self.tmp = tempfile.mkdtemp(prefix="sc-allow-")
        self.pd = self.work.start("http_receiver.py", "pagerduty", name="pd")
        config = ('[incidents]\nallow_user_agents = ["*red-team-runner* # quarterly exercise"]\n'
                  'allow_token_tags = ["purpose=drill"]\n\n'
                  '[sinks.pd]\ntype = "pagerduty"\nurl = "http://127.0.0.1:%d"\n'
                  'routing_key = "%s"\n' % (self.pd.port, ROUTING_KEY))
        self.srv = SpacecrabServer(extra_config=config).start()

    def tearDown(self):
        self.srv.cleanup()
        self.work.__exit__(None, None, None)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def attack(self, credentials, user_agent_extra=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=self.tmp, AWS_ACCESS_KEY_ID=credentials["access_key_id"],
                   AWS_SECRET_ACCESS_KEY=credentials["secret_access_key"],
                   AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE=os.path.join(self.tmp, "no-config"),
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(self.tmp, "no-credentials"))
        if user_agent_extra:
            env["AWS_EXECUTION_ENV"] = user_agent_extra  # appended to the aws CLI's user agent
        out = subprocess.run(["aws", "sts", "get-caller-identity", "--endpoint-url",
                              credentials["endpoint_url"]], env=env, capture_output=True,
                             text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)

    def incidents(self, token_id):
        r = self.srv.request("GET", "/api/v1/incidents?token_id=" + token_id, key=self.srv.admin_key)
        self.assertEqual(r.status, 200, r)
        return r.json()["items"]

    def test_allowlisted_uses_are_shown_with_reason_and_never_page(self):
        plain = self.srv.create_tokens(location="laptop/dev-7", owner="dev")[0]
        drill = self.srv.create_tokens(location="drill/box", owner="sec",
                                       tags={"purpose": "drill"})[0]

        self.attack(plain["credentials"], user_agent_extra="red-team-runner")
        self.attack(drill["credentials"])
        by_agent = wait_for(lambda: self.incidents(plain["token"]["id"]))
        by_tag = wait_for(lambda: self.incidents(drill["token"]["id"]))
        self.assertEqual(len(by_agent), 1)
        self.assertEqual(len(by_tag), 1)
        self.assertTrue(by_agent[0]["allowlisted"])
        self.assertIn("quarterly exercise", by_agent[0]["allowlist_reason"])
        self.assertTrue(by_tag[0]["allowlisted"])
        self.assertIn("purpose=drill", by_tag[0]["allowlist_reason"])
        self.assertFalse(by_agent[0]["paged"] or by_tag[0]["paged"])

        # Someone else with the plain key: that pages.
        attacker = self.srv.create_tokens(location="ci/vars", owner="ops")[0]
        self.attack(attacker["credentials"])
        self.assertTrue(wait_for(lambda: [m for m in self.pd.received()
                                          if m.get("event_action") == "trigger"], 10))
        time.sleep(1)
        triggers = [m for m in self.pd.received() if m.get("event_action") == "trigger"]
        self.assertEqual(len(triggers), 1, triggers)
        self.assertEqual(triggers[0]["body"]["payload"]["source"], "ci/vars")


if __name__ == "__main__":
    unittest.main()
