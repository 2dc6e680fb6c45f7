"""An attack end to end: a decoy token used with the real `aws` CLI against
`spacecrab serve`, one incident, one page per sink, then ack / resolve and
`alert test` through the `spacecrab` CLI.

The server runs with two sinks: a signed webhook and PagerDuty, each pointed
at a receiver from tests/receivers/ (http_receiver.py) on 127.0.0.1. Needs
SPACECRAB_BIN; every process is bounded in time and stopped.
"""
import json
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

ACCOUNT = "123456789012"
LOCATION = "build-agent-3:/home/ci/.aws/credentials"
OWNER = "platform-team"
WEBHOOK_SECRET = "whsec-test-0123456789"
ROUTING_KEY = "R" * 32
CALL_TIMEOUT = 60


def wait_for(predicate, timeout=15, interval=0.1):
    """Polls until predicate() returns something truthy; returns the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@unittest.skipUnless(os.environ.get("SPACECRAB_BIN"), "SPACECRAB_BIN not set")
class IncidentFlowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from harness import SpacecrabServer
        cls.work = Workdir().__enter__()
        cls.tmp = tempfile.mkdtemp(prefix="sc-incidents-")
        cls.srv = None
        try:
            cls.hook = cls.work.start("http_receiver.py", "webhook", "--secret", WEBHOOK_SECRET,
                                      name="webhook")
            cls.pd = cls.work.start("http_receiver.py", "pagerduty", name="pagerduty")
            # Default update_interval (60s): the ListUsers update is held
            # back; resolving must still reach PagerDuty at once (the stage
            # supersedes queued updates when it queues the resolve).
            sinks = ('[sinks.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:%d/hook"\n'
                     'secret = "%s"\n\n'
                     '[sinks.pd]\ntype = "pagerduty"\nurl = "http://127.0.0.1:%d"\n'
                     'routing_key = "%s"\n'
                     % (cls.hook.port, WEBHOOK_SECRET, cls.pd.port, ROUTING_KEY))
            cls.srv = SpacecrabServer(extra_config=sinks, decoy_account_id=ACCOUNT)
            cls.srv.start()
            item = cls.srv.create_tokens(location=LOCATION, owner=OWNER)[0]
            cls.token, cls.credentials = item["token"], item["credentials"]
            if not cls.credentials.get("endpoint_url"):
                raise unittest.SkipTest("decoy credentials carry no endpoint_url")
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.srv:
            cls.srv.cleanup()
        cls.work.__exit__(None, None, None)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- helpers ---------------------------------------------------------------
    def aws(self, *args):
        """The attacker: the aws CLI with the token's keys, no other AWS settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=self.tmp, AWS_ACCESS_KEY_ID=self.credentials["access_key_id"],
                   AWS_SECRET_ACCESS_KEY=self.credentials["secret_access_key"],
                   AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE=os.path.join(self.tmp, "no-config"),
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(self.tmp, "no-credentials"))
        return subprocess.run(["aws", *args, "--endpoint-url", self.credentials["endpoint_url"]],
                              env=env, capture_output=True, text=True, timeout=CALL_TIMEOUT)

    def cli(self, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPACECRAB_")}
        env.update(SPACECRAB_ADDR=self.srv.addr, SPACECRAB_API_KEY=self.srv.admin_key)
        return subprocess.run([os.environ["SPACECRAB_BIN"], *args], env=env, capture_output=True,
                              text=True, timeout=CALL_TIMEOUT)

    def cli_json(self, *args):
        out = self.cli(*args, "--json")
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)

    def incidents(self):
        return self.cli_json("incident", "list", "--token", self.token["id"])["items"]

    def pd_messages(self, dedup_key, action=None):
        return [m for m in self.pd.received() if m.get("dedup_key") == dedup_key and
                (action is None or m.get("event_action") == action)]

    def hook_messages(self, dedup_key, kind=None):
        return [m for m in self.hook.received() if m.get("dedup_key") == dedup_key and
                (kind is None or m.get("kind") == kind)]

    # ---- the attack -----------------------------------------------------------
    def test_1_attack_pages_once_then_ack_and_resolve(self):
        who = self.aws("sts", "get-caller-identity")
        self.assertEqual(who.returncode, 0, who.stderr)
        self.assertEqual(json.loads(who.stdout)["Account"], ACCOUNT)
        users = self.aws("iam", "list-users")
        self.assertNotEqual(users.returncode, 0)
        self.assertIn("AccessDenied", users.stderr)

        # One incident for (token, 127.0.0.1) holding both calls.
        found = wait_for(lambda: [i for i in self.incidents() if i["event_count"] >= 2], 10)
        self.assertEqual(len(found), 1, self.incidents())
        incident = found[0]
        self.assertEqual(len(self.incidents()), 1)
        inc_id = incident["id"]
        self.assertTrue(inc_id.startswith("inc_"), inc_id)
        self.assertEqual(incident["token_id"], self.token["id"])
        self.assertEqual(incident["source_ip"], "127.0.0.1")
        self.assertEqual(incident["status"], "open")
        self.assertEqual(incident["event_count"], 2)
        self.assertEqual(incident["actions"], ["sts:GetCallerIdentity", "iam:ListUsers"])
        self.assertTrue(incident["paged"])

        # Exactly one trigger per sink, keyed by the incident, naming the placement.
        self.assertTrue(wait_for(lambda: self.pd_messages(inc_id, "trigger"), 10), self.pd.received())
        self.assertTrue(wait_for(lambda: self.hook_messages(inc_id, "trigger"), 10),
                        self.hook.received())
        time.sleep(1)  # a second page would have arrived by now
        pd_new = [m for m in self.pd.received() if m.get("new_incident")]
        self.assertEqual([m["dedup_key"] for m in pd_new], [inc_id])
        pd_trigger = pd_new[0]["body"]
        self.assertEqual(pd_trigger["routing_key"], ROUTING_KEY)
        self.assertEqual(pd_trigger["payload"]["source"], LOCATION)
        self.assertEqual(pd_trigger["payload"]["group"], OWNER)
        self.assertFalse([m for m in self.pd.received() if "invalid" in m], self.pd.received())
        hook_triggers = self.hook_messages(inc_id, "trigger")
        self.assertEqual(len(hook_triggers), 1, self.hook.received())
        self.assertEqual(len([m for m in self.hook.received() if m.get("kind") == "trigger"]), 1)
        self.assertFalse([m for m in self.hook.received() if m.get("bad_signature")])
        alert = hook_triggers[0]["body"]["alert"]
        self.assertEqual(alert["token"]["location"], LOCATION)
        self.assertEqual(alert["token"]["owner"], OWNER)
        self.assertEqual(alert["source"]["key_check"], "verified")  # the attacker has the secret

        # show: the incident with its token and events, newest first.
        shown = self.cli_json("incident", "show", inc_id)
        self.assertEqual(shown["token"]["location"], LOCATION)
        self.assertEqual(shown["token"]["owner"], OWNER)
        self.assertEqual([e["event_name"] for e in shown["events"]],
                         ["ListUsers", "GetCallerIdentity"])
        self.assertFalse(shown["events_truncated"])
        human = self.cli("incident", "show", inc_id)
        self.assertEqual(human.returncode, 0, human.stderr)
        self.assertIn(LOCATION, human.stdout)
        self.assertIn("iam:ListUsers", human.stdout)

        # event list --incident: the same two uses, in arrival order.
        events = self.cli_json("event", "list", "--incident", inc_id)["items"]
        self.assertEqual([e["event_name"] for e in events], ["GetCallerIdentity", "ListUsers"])
        for e in events:
            self.assertEqual((e["incident_id"], e["token_id"], e["source_ip"]),
                             (inc_id, self.token["id"], "127.0.0.1"))
            self.assertEqual(e["access_key_id"], self.credentials["access_key_id"])
            self.assertIsInstance(e["enrichment"], dict)
        self.assertEqual(events[1]["error_code"], "AccessDenied")
        listed = self.cli("event", "list", "--token", self.token["id"])
        self.assertIn("iam:ListUsers", listed.stdout)

        # ack, then resolve: PagerDuty gets a resolve with the same dedup key.
        ack = self.cli("incident", "ack", inc_id)
        self.assertEqual(ack.returncode, 0, ack.stderr)
        self.assertIn("acknowledged", ack.stdout)
        self.assertEqual(self.cli_json("incident", "list", "--status", "acknowledged")["items"][0]["id"],
                         inc_id)
        resolve = self.cli("incident", "resolve", inc_id)
        self.assertEqual(resolve.returncode, 0, resolve.stderr)
        self.assertTrue(wait_for(lambda: self.pd_messages(inc_id, "resolve"), 10), self.pd.received())
        self.assertEqual(len(self.pd_messages(inc_id, "resolve")), 1)
        self.assertEqual(self.pd_messages(inc_id, "resolve")[0]["body"]["routing_key"], ROUTING_KEY)
        self.assertTrue(wait_for(lambda: self.hook_messages(inc_id, "resolve"), 10))
        self.assertEqual(self.cli_json("incident", "show", inc_id)["status"], "resolved")

        again = self.cli("incident", "ack", inc_id)
        self.assertEqual(again.returncode, 1)
        self.assertIn("resolved", again.stderr)
        missing = self.cli("incident", "show", "inc_" + "0" * 26)
        self.assertEqual(missing.returncode, 1)

        # The outbox shows what went where, without payloads.
        rows = self.cli_json("alert", "outbox", "--incident", inc_id)["items"]
        self.assertEqual({(r["sink"], r["kind"]) for r in rows if r["kind"] != "update"},
                         {("hook", "trigger"), ("pd", "trigger"), ("hook", "resolve"),
                          ("pd", "resolve")})
        self.assertTrue(all(r["state"] == "sent" for r in rows), rows)
        self.assertFalse(any("payload" in r for r in rows))

    def test_2_alert_test_reaches_every_sink(self):
        before_pd, before_hook = len(self.pd.received()), len(self.hook.received())
        out = self.cli("alert", "test", "--json")
        self.assertEqual(out.returncode, 0, out.stderr)
        doc = json.loads(out.stdout)
        self.assertTrue(doc["ok"], doc)
        self.assertEqual(sorted((c["sink"], c["type"], c["ok"]) for c in doc["items"]),
                         [("hook", "webhook", True), ("pd", "pagerduty", True)])
        pd_new = self.pd.received()[before_pd:]
        triggers = [m for m in pd_new if m.get("event_action") == "trigger"]
        self.assertEqual(len(triggers), 1, pd_new)
        self.assertIn("[TEST]", triggers[0]["body"]["payload"]["summary"])
        # The sample is resolved again at once, under its own dedup key.
        self.assertEqual([m["dedup_key"] for m in pd_new if m.get("event_action") == "resolve"],
                         [triggers[0]["dedup_key"]])
        hook_new = [m for m in self.hook.received()[before_hook:] if m.get("verified")]
        self.assertIn("trigger", [m["kind"] for m in hook_new])
        self.assertIn("[TEST]", json.dumps(hook_new))

        one = self.cli("alert", "test", "--sink", "pd")
        self.assertEqual(one.returncode, 0, one.stderr)
        self.assertIn("pagerduty", one.stdout)
        self.assertNotIn("webhook", one.stdout)
        unknown = self.cli("alert", "test", "--sink", "nope")
        self.assertEqual(unknown.returncode, 1)
        self.assertIn("nope", unknown.stderr)

    def test_3_dead_pages_are_listed_and_retried(self):
        self.pd.control("400")  # PagerDuty rejects: final, dead-lettered at once
        try:
            failed = self.cli("alert", "test", "--sink", "pd", "--json")
            self.assertEqual(failed.returncode, 1, failed.stdout)
            doc = json.loads(failed.stdout)
            self.assertFalse(doc["ok"])
            self.assertFalse(doc["items"][0]["ok"])
            self.assertTrue(doc["items"][0]["error"])

            item = self.srv.create_tokens(location="laptop-0042:~/Downloads", owner=OWNER)[0]
            self.credentials, token = item["credentials"], item["token"]
            self.assertEqual(self.aws("sts", "get-caller-identity").returncode, 0)
            dead = wait_for(lambda: self.cli_json("alert", "outbox", "--state", "dead",
                                                  "--sink", "pd")["items"], 10)
            self.assertEqual(len(dead), 1, dead)
            inc_id = dead[0]["incident_id"]
            self.assertEqual(self.cli_json("incident", "show", inc_id)["token_id"], token["id"])
            self.assertTrue(dead[0]["last_error"])
            table = self.cli("alert", "outbox", "--state", "dead")
            self.assertIn(inc_id, table.stdout)
        finally:
            self.pd.control("ok")
        retry = self.cli("alert", "retry", "--sink", "pd", "--incident", inc_id)
        self.assertEqual(retry.returncode, 0, retry.stderr)
        self.assertIn("requeued 1", retry.stdout)
        self.assertTrue(wait_for(lambda: self.pd_messages(inc_id, "trigger"), 10), self.pd.received())
        self.assertEqual(self.cli_json("alert", "outbox", "--incident", inc_id, "--sink", "pd")
                         ["items"][0]["state"], "sent")
        # The webhook was never held back by PagerDuty's failure.
        self.assertEqual(len(wait_for(lambda: self.hook_messages(inc_id, "trigger"), 5)), 1)

    def test_4_wrong_secret_pages_as_key_id_only(self):
        item = self.srv.create_tokens(location="wiki/page-with-key-id", owner=OWNER)[0]
        right = item["credentials"]
        self.credentials = dict(right, secret_access_key="x" * 40)  # key id leaked, not the secret
        try:
            out = self.aws("sts", "get-caller-identity")
        finally:
            self.credentials = right
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("SignatureDoesNotMatch", out.stderr)
        found = wait_for(lambda: self.cli_json("incident", "list", "--token",
                                               item["token"]["id"])["items"], 10)
        self.assertEqual(len(found), 1)
        inc_id = found[0]["id"]
        trigger = wait_for(lambda: self.hook_messages(inc_id, "trigger"), 10)
        self.assertEqual(len(trigger), 1, self.hook.received())
        self.assertEqual(trigger[0]["body"]["alert"]["source"]["key_check"], "key_id_only")
        pd = wait_for(lambda: self.pd_messages(inc_id, "trigger"), 10)
        self.assertIn("key_id_only", json.dumps(pd[0]["body"]["payload"]["custom_details"]))
        event = self.cli_json("event", "list", "--incident", inc_id)["items"][0]
        self.assertEqual(event["enrichment"]["key_check"], "key_id_only")
        self.assertIs(event["enrichment"]["signature_verified"], False)


if __name__ == "__main__":
    unittest.main()
