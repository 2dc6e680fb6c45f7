"""Delivery faults through the real `spacecrab serve`: a paging service that is
down for a while, and the process killed (SIGKILL) while pages are committed
but not yet sent.

Attacks are real: decoy tokens used with the `aws` CLI against the server's
decoy endpoint. Sinks point at receivers from tests/receivers/ on 127.0.0.1:
PagerDuty (which can be told to answer 500) and a signed webhook. Needs
SPACECRAB_BIN; every process is bounded in time and stopped.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "receivers"))
from alert_harness import Workdir  # noqa: E402

ACCOUNT = "210987654321"
WEBHOOK_SECRET = "whsec-faults-0123456789"
ROUTING_KEY = "F" * 32
CALL_TIMEOUT = 60


def wait_for(predicate, timeout=15, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@unittest.skipUnless(os.environ.get("SPACECRAB_BIN"), "SPACECRAB_BIN not set")
class ServeDeliveryFaultsTest(unittest.TestCase):
    def setUp(self):
        from harness import SpacecrabServer
        self.Server = SpacecrabServer
        self.work = Workdir().__enter__()
        self.tmp = tempfile.mkdtemp(prefix="sc-faults-")
        self.servers = []
        self.pd = self.work.start("http_receiver.py", "pagerduty", "--mode", "500", name="pd")
        self.hook = self.work.start("http_receiver.py", "webhook", "--secret", WEBHOOK_SECRET,
                                    name="hook")
        # Fast retries so the test is short; the production defaults are 1s..5m.
        self.sinks = ('[sinks.pd]\ntype = "pagerduty"\nurl = "http://127.0.0.1:%d"\n'
                      'routing_key = "%s"\nretry_initial = "200ms"\nretry_max = "1s"\n\n'
                      '[sinks.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:%d/hook"\n'
                      'secret = "%s"\n' % (self.pd.port, ROUTING_KEY, self.hook.port,
                                           WEBHOOK_SECRET))

    def tearDown(self):
        for s in self.servers:
            s.cleanup()
        self.work.__exit__(None, None, None)
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- helpers ---------------------------------------------------------------
    def serve(self):
        srv = self.Server(extra_config=self.sinks, decoy_account_id=ACCOUNT)
        self.servers.append(srv)
        return srv.start()

    def attack(self, credentials, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=self.tmp, AWS_ACCESS_KEY_ID=credentials["access_key_id"],
                   AWS_SECRET_ACCESS_KEY=credentials["secret_access_key"],
                   AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE=os.path.join(self.tmp, "no-config"),
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(self.tmp, "no-credentials"))
        out = subprocess.run(["aws", *args, "--endpoint-url", credentials["endpoint_url"]],
                             env=env, capture_output=True, text=True, timeout=CALL_TIMEOUT)
        self.assertEqual(out.returncode, 0, out.stderr)

    def incidents(self, srv):
        reply = srv.request("GET", "/api/v1/incidents?limit=100", key=srv.admin_key)
        self.assertEqual(reply.status, 200, reply)
        return reply.json()["items"]

    def outbox(self, srv, **query):
        q = "&".join("%s=%s" % kv for kv in query.items())
        reply = srv.request("GET", "/api/v1/alerts/outbox?" + q, key=srv.admin_key)
        self.assertEqual(reply.status, 200, reply)
        return reply.json()["items"]

    def pd_pages(self):
        """(dedup_key, action) of every request PagerDuty accepted, in arrival order."""
        return [(m["dedup_key"], m["event_action"]) for m in self.pd.received()
                if "event_action" in m and "invalid" not in m]

    def hook_pages(self):
        return [(m["dedup_key"], m["kind"]) for m in self.hook.received()
                if m.get("kind") and not m.get("bad_signature")]

    # ---- tests -----------------------------------------------------------------
    def test_paging_service_down_then_everything_arrives_in_order(self):
        srv = self.serve()
        items = srv.create_tokens(location="fleet/host-%d", owner="sre", count=3)
        for item in items:
            self.attack(item["credentials"], "sts", "get-caller-identity")
        incidents = wait_for(lambda: len(self.incidents(srv)) == 3 and self.incidents(srv), 15)
        self.assertTrue(incidents, self.incidents(srv))
        ids = sorted(i["id"] for i in incidents)

        # PagerDuty answers 500: it is retried, and the webhook is not held up.
        self.assertTrue(wait_for(lambda: sorted(k for k, kind in self.hook_pages()
                                                if kind == "trigger") == ids, 10),
                        self.hook.received())
        self.assertTrue(wait_for(lambda: len([m for m in self.pd.received()
                                              if m.get("rejected") == 500]) >= 3, 10))
        self.assertEqual(self.pd_pages(), [])
        pending = self.outbox(srv, sink="pd", state="pending")
        self.assertEqual(len(pending), 3, pending)
        self.assertTrue(all("500" in r["last_error"] for r in pending if r["attempts"]), pending)

        # A resolve while it is down queues behind that incident's trigger.
        first = ids[0]
        reply = srv.request("POST", "/api/v1/incidents/%s/resolve" % first, key=srv.admin_key,
                            json_body={})
        self.assertEqual(reply.status, 200, reply)
        time.sleep(1.5)
        self.pd.control("ok")

        self.assertTrue(wait_for(lambda: len(self.pd_pages()) == 4, 15), self.pd.received())
        pages = self.pd_pages()
        self.assertEqual(sorted(k for k, a in pages if a == "trigger"), ids)  # each once
        self.assertEqual([a for k, a in pages if k == first], ["trigger", "resolve"])
        new = [m["dedup_key"] for m in self.pd.received() if m.get("new_incident")]
        self.assertEqual(sorted(new), ids)
        self.assertTrue(wait_for(lambda: not self.outbox(srv, state="pending"), 10),
                        self.outbox(srv, state="pending"))
        self.assertEqual(self.outbox(srv, state="dead"), [])
        metrics = srv.request("GET", "/api/v1/metrics", key=srv.admin_key).text
        self.assertIn('spacecrab_alerts_sent_total{sink="pd"} 4', metrics)
        self.assertRegex(metrics, r'spacecrab_alert_send_failures_total\{sink="pd"\} [1-9]')

    def test_sigkill_with_pages_committed_but_unsent_then_restart_delivers_once(self):
        srv = self.serve()
        item = srv.create_tokens(location="vault/ci-deploy", owner="platform")[0]
        self.attack(item["credentials"], "sts", "get-caller-identity")
        incident = wait_for(lambda: self.incidents(srv), 15)
        self.assertEqual(len(incident), 1)
        inc_id = incident[0]["id"]
        # The webhook page went out; PagerDuty's is committed and failing.
        self.assertTrue(wait_for(lambda: ("%s" % inc_id, "trigger") in self.hook_pages(), 10))
        self.assertTrue(wait_for(lambda: [m for m in self.pd.received() if m.get("rejected")], 10))
        rows = self.outbox(srv, sink="pd")
        self.assertEqual([(r["kind"], r["state"]) for r in rows], [("trigger", "pending")])

        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(10)
        srv.stop()
        self.pd.control("ok")

        again = srv.start()  # same config, data directory and decoy port
        # The claim of the killed process is a lease; the next one sends once it lapses
        # or at once if the row was between tries.
        self.assertTrue(wait_for(lambda: (inc_id, "trigger") in self.pd_pages(), 60),
                        self.pd.received())
        time.sleep(1)
        self.assertEqual(self.pd_pages(), [(inc_id, "trigger")])
        self.assertEqual([m["dedup_key"] for m in self.pd.received() if m.get("new_incident")],
                         [inc_id])
        self.assertEqual(self.hook_pages(), [(inc_id, "trigger")])  # not sent twice
        self.assertEqual([(r["kind"], r["state"]) for r in self.outbox(again, sink="pd")],
                         [("trigger", "sent")])
        # The same attacker again after the restart joins the open incident: no new page.
        self.attack(item["credentials"], "sts", "get-caller-identity")
        self.assertTrue(wait_for(lambda: self.incidents(again)[0]["event_count"] == 2, 10))
        self.assertEqual(len(self.incidents(again)), 1)
        time.sleep(1)
        self.assertEqual([a for k, a in self.pd_pages() if a == "trigger"], ["trigger"])


if __name__ == "__main__":
    unittest.main()
