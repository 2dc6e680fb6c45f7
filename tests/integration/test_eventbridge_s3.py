"""The same CloudTrail event through EventBridge and through S3 pages once.

spacecrab serve (provider = "aws") mints a key in the AWS sandbox (moto with
signature checks) and polls the sandbox's trail bucket ([ingest] s3). The
attacker runs the real `aws` CLI with the key. The sandbox's recorder builds
the CloudTrail records at call time and writes them to the bucket DELAY
seconds later, as CloudTrail does. Before that delivery, the test pushes the
same records to /api/v1/ingest/eventbridge wrapped as EventBridge delivers
them ("AWS API Call via CloudTrail", record in "detail", one event per
request, deploy-scope key): that is the near-real-time path of
docs/aws-setup.md step 8. Then S3 delivers the file and spacecrab polls it;
then the records read back from the bucket (boto3, gzip {"Records": [...]})
are pushed once more, as EventBridge's at-least-once delivery may.

One incident, one PagerDuty trigger (new_incident once), each event stored
once, and the ingest counters show the duplicates seen and collapsed.
"""

import os
import re
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

DELAY = 12.0       # the sandbox's CloudTrail delivery delay: the push must come first
POLL_SECONDS = 1   # [ingest] poll_seconds
ROUTING_KEY = "R0ut1ngKeyForTheHoneyAccount0002"


def aws_env(sb):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": sb.admin["access_key_id"],
                "AWS_SECRET_ACCESS_KEY": sb.admin["secret_access_key"],
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
    return env


def eventbridge_event(record, n):
    """What an EventBridge rule on "AWS API Call via CloudTrail" sends an API destination."""
    return {"version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1%03d" % n,
            "detail-type": "AWS API Call via CloudTrail",
            "source": "aws." + record["eventSource"].split(".")[0],
            "account": record["recipientAccountId"] if "recipientAccountId" in record
            else record["userIdentity"]["accountId"],
            "time": record["eventTime"], "region": record["awsRegion"], "resources": [],
            "detail": record}


def metric(text, name):
    m = re.search(r"^%s (\d+)$" % re.escape(name), text, re.M)
    return int(m.group(1)) if m else None


@unittest.skipUnless(BIN and HAVE_SANDBOX, "needs SPACECRAB_BIN, moto, boto3 and the aws CLI")
class EventBridgeAndS3PageOnce(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="sc_ebs3_")
        cls.sb = Sandbox(delay=DELAY).start()
        cls.pd = Receiver(cls.work, "http_receiver.py", "pagerduty")
        # update_interval long: a page within this test is a new incident or a
        # duplicate that should not have been one, never a routine update.
        config = ('[provider]\ntype = "aws"\n\n'
                  '[aws]\nendpoint_url = "%s"\nregion = "us-east-1"\n\n'
                  '[ingest]\ns3 = ["s3://%s/AWSLogs/"]\npoll_seconds = %d\n\n'
                  '[sinks.oncall]\ntype = "pagerduty"\nrouting_key = "%s"\nurl = "http://127.0.0.1:%d"\n'
                  'retry_initial = "1s"\nupdate_interval = "10m"\n'
                  % (cls.sb.endpoint, cls.sb.trail_bucket, POLL_SECONDS, ROUTING_KEY, cls.pd.port))
        cls.srv = SpacecrabServer(extra_config=config, env=aws_env(cls.sb)).start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()
        cls.pd.stop()
        cls.sb.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    def attacker_cli(self, creds, *args):
        return subprocess.run(["aws", "--endpoint-url", self.sb.endpoint, *args],
                              env=self.sb.aws_cli_env(creds), capture_output=True, text=True,
                              timeout=120)

    def triggers(self):
        return [m for m in self.pd.received() if m.get("event_action") == "trigger"]

    def metrics(self):
        r = self.srv.request("GET", "/api/v1/metrics", key=self.srv.admin_key)
        self.assertEqual(r.status, 200, r)
        return (metric(r.text, "spacecrab_ingest_detections_total"),
                metric(r.text, "spacecrab_ingest_detections_new_total"))

    def push(self, key, records, first):
        for n, rec in enumerate(records):
            r = self.srv.request("POST", "/api/v1/ingest/eventbridge", key=key,
                                 json_body=eventbridge_event(rec, n))
            self.assertEqual(r.status, 200, r)
            body = r.json()
            self.assertEqual(body["detections"], 1, (rec["eventName"], body))
            self.assertEqual(body["new_detections"], 1 if first else 0, (rec["eventName"], body))

    def test_same_event_through_eventbridge_and_s3_pages_once(self):
        deploy = self.srv.create_api_key("deploy")["api_key"]
        item = self.srv.create_tokens(key=deploy, location="build-agent-17:/etc/ci/aws.env",
                                      owner="platform@example.com")[0]
        tok, c = item["token"], item["credentials"]
        self.assertEqual(tok["kind"], "aws")
        key_id = c["access_key_id"]
        creds = (key_id, c["secret_access_key"])

        who = self.attacker_cli(creds, "sts", "get-caller-identity")
        self.assertEqual(who.returncode, 0, who.stderr)
        denied = self.attacker_cli(creds, "iam", "list-users")
        self.assertNotEqual(denied.returncode, 0, denied.stdout)

        def uses(records):
            return [r for r in records if r.get("userIdentity", {}).get("accessKeyId") == key_id]

        # The records as the recorder built them, not yet in the bucket.
        deadline = time.time() + 10
        built = uses(self.sb.recorded())
        while len(built) < 2 and time.time() < deadline:
            time.sleep(0.05)
            built = uses(self.sb.recorded())
        ids = {r["eventID"] for r in built}
        self.assertEqual({r["eventName"] for r in built}, {"GetCallerIdentity", "ListUsers"}, built)
        self.assertEqual(len(ids), 2)
        self.assertFalse(ids & {r["eventID"] for r in self.sb.trail_records()},
                         "delivered before the push: raise DELAY")

        # 1. EventBridge first: new uses, they page.
        self.push(deploy, built, first=True)
        self.assertFalse(ids & {r["eventID"] for r in self.sb.trail_records()},
                         "delivered during the push: raise DELAY")
        self.assertEqual(self.metrics(), (2, 2))
        deadline = time.time() + 30
        while time.time() < deadline and not self.triggers():
            time.sleep(0.1)
        self.assertTrue(self.triggers(), "no page from the push; log:\n" + self.srv.stderr_text()[-4000:])

        # 2. S3 delivers the same records; the poll reads them: duplicates.
        delivered = uses(self.sb.wait_for_records(
            lambda recs: ids <= {r["eventID"] for r in recs}, timeout=DELAY + 30))
        self.assertEqual({r["eventID"] for r in delivered}, ids, "the bucket never got the records")
        deadline = time.time() + 30
        while time.time() < deadline and self.metrics()[0] < 4:
            time.sleep(0.2)
        self.assertEqual(self.metrics(), (4, 2), self.srv.stderr_text()[-4000:])

        # 3. EventBridge delivers again (at least once): still duplicates.
        self.push(deploy, delivered, first=False)
        detections, new = self.metrics()
        self.assertEqual((detections, new), (6, 2))
        self.assertGreater(detections, new)

        # Give a wrong second page time to go out.
        time.sleep(3 * POLL_SECONDS + 3)
        pages = self.triggers()
        self.assertEqual(len(pages), 1, pages)
        self.assertEqual(sum(1 for p in pages if p["new_incident"]), 1, pages)
        self.assertEqual(pages[0]["body"]["routing_key"], ROUTING_KEY)
        self.assertIn("build-agent-17:/etc/ci/aws.env", str(pages[0]["body"]))

        incidents = self.srv.request("GET", "/api/v1/incidents", key=self.srv.admin_key).json()["items"]
        self.assertEqual([i["token_id"] for i in incidents], [tok["id"]], incidents)
        r = self.srv.request("GET", "/api/v1/events?limit=1000&token_id=" + tok["id"], key=self.srv.admin_key)
        self.assertEqual(r.status, 200, r)
        stored = [e["id"] for e in r.json()["items"]]
        self.assertEqual(sorted(stored), sorted(ids), r.json()["items"])
        r = self.srv.request("GET", "/api/v1/tokens/" + tok["id"], key=self.srv.admin_key)
        body = r.json()
        self.assertEqual((body.get("token") or body)["event_count"], 2, body)


if __name__ == "__main__":
    unittest.main()
