"""The first catch, end to end, with real IAM honey keys.

spacecrab serve (provider = "aws") mints keys in the AWS sandbox's account
(moto with signature checks); a deployer creates a token over the API; the
attacker — the real `aws` CLI and boto3 — runs sts get-caller-identity, iam
list-users, s3 ls and ec2 describe-regions with it; the sandbox's recorder
writes what CloudTrail would into the trail bucket after DELAY seconds;
spacecrab polls the bucket ([ingest] s3) and pages a local receiver that
speaks PagerDuty's Events API v2: one incident, one page, carrying the
token's location and owner, the attacker's user agent and calls.

The latency from the first attacker call to the page, minus the configured
delivery delay, is printed as "CATCH_LATENCY_SECONDS=<x>" (and written to
$SPACECRAB_CATCH_LATENCY_FILE when set) for bench/README.md.
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
sys.path.insert(0, os.path.join(HERE, "..", "sandbox"))
sys.path.insert(0, os.path.join(HERE, "..", "receivers"))

from harness import BIN, SpacecrabServer  # noqa: E402

try:
    from alert_harness import Receiver  # noqa: E402
    from sandbox import Sandbox, moto_available  # noqa: E402
    HAVE_SANDBOX = moto_available() and shutil.which("aws") is not None
except ImportError:
    HAVE_SANDBOX = False

DELAY = 2.0        # the sandbox's CloudTrail delivery delay, seconds
POLL_SECONDS = 1   # [ingest] poll_seconds
ROUTING_KEY = "R0ut1ngKeyForTheHoneyAccount0001"


def aws_env(sb):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": sb.admin["access_key_id"],
                "AWS_SECRET_ACCESS_KEY": sb.admin["secret_access_key"],
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
    return env


@unittest.skipUnless(BIN and HAVE_SANDBOX, "needs SPACECRAB_BIN, moto, boto3 and the aws CLI")
class FirstCatchWithIamKeys(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="sc_catch_")
        cls.sb = Sandbox(delay=DELAY).start()
        cls.pd = Receiver(cls.work, "http_receiver.py", "pagerduty")
        config = ('[provider]\ntype = "aws"\n\n'
                  '[aws]\nendpoint_url = "%s"\nregion = "us-east-1"\n\n'
                  '[ingest]\ns3 = ["s3://%s/AWSLogs/"]\npoll_seconds = %d\n\n'
                  '[sinks.oncall]\ntype = "pagerduty"\nrouting_key = "%s"\nurl = "http://127.0.0.1:%d"\n'
                  'retry_initial = "1s"\n'
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

    def test_attacker_calls_become_one_page(self):
        deploy = self.srv.create_api_key("deploy")["api_key"]
        item = self.srv.create_tokens(key=deploy, location="laptop-L-0042:~/.aws/credentials",
                                      owner="maria.garcia@example.com")[0]
        tok, c = item["token"], item["credentials"]
        self.assertEqual(tok["kind"], "aws")
        creds = (c["access_key_id"], c["secret_access_key"])
        # The deployer's own mint (CreateUser, CreateAccessKey ...) is in the trail
        # too, with the new key id in responseElements: it must not page.

        t0 = time.time()
        who = self.attacker_cli(creds, "sts", "get-caller-identity")
        self.assertEqual(who.returncode, 0, who.stderr)
        self.assertIn(tok["arn"], who.stdout)
        for args in (["iam", "list-users"], ["s3", "ls"], ["ec2", "describe-regions"]):
            r = self.attacker_cli(creds, *args)
            self.assertNotEqual(r.returncode, 0, "%s must be denied: %s" % (args, r.stdout))
        boto_sts = self.sb.client("sts", creds=creds, user_agent_extra="exfil-kit/0.3")
        self.assertEqual(boto_sts.get_caller_identity()["Account"], self.sb.account_id)

        deadline = time.time() + 90
        while time.time() < deadline and not self.triggers():
            time.sleep(0.1)
        pages = self.triggers()
        self.assertTrue(pages, "no page within 90 s; server log:\n" + self.srv.stderr_text()[-4000:])
        latency = pages[0]["at"] - t0 - DELAY
        line = "CATCH_LATENCY_SECONDS=%.2f (first attacker call to page, minus %.0f s delivery delay)" % (
            latency, DELAY)
        print("\n" + line, file=sys.stderr)
        if os.environ.get("SPACECRAB_CATCH_LATENCY_FILE"):
            with open(os.environ["SPACECRAB_CATCH_LATENCY_FILE"], "a") as f:
                f.write(line + "\n")

        # Let the rest of the calls arrive; still one incident, one page.
        time.sleep(DELAY + 3 * POLL_SECONDS + 2)
        pages = self.triggers()
        self.assertEqual(len({p["dedup_key"] for p in pages}), 1, pages)
        self.assertEqual(sum(1 for p in pages if p["new_incident"]), 1, pages)
        self.assertEqual(pages[0]["body"]["routing_key"], ROUTING_KEY)
        text = json.dumps([p["body"] for p in pages])
        for expected in ("laptop-L-0042:~/.aws/credentials", "maria.garcia@example.com", "aws-cli/"):
            self.assertIn(expected, text)
        # The trigger carries the calls of the first trail file that held a use;
        # calls delivered in later files reach the incident (and an update after
        # update_interval), so look in both.
        for expected in ("GetCallerIdentity", "ListUsers"):
            self.assertIn(expected, text + json.dumps(self.incident_events()))

        incidents = self.srv.request("GET", "/api/v1/incidents", key=self.srv.admin_key).json()["items"]
        self.assertEqual([i["token_id"] for i in incidents], [tok["id"]], incidents)
        names = {e["event_name"] for e in self.incident_events()}
        self.assertTrue({"GetCallerIdentity", "ListUsers", "ListBuckets", "DescribeRegions"} <= names, names)
        # Our own CreateUser/CreateAccessKey for the token are not uses.
        self.assertNotIn("CreateAccessKey", names)

    def test_doctor_sees_the_trail_bucket_and_a_logging_multi_region_trail(self):
        trails = self.sb.client("cloudtrail", via_proxy=False)
        trails.create_trail(Name="management-events", S3BucketName=self.sb.trail_bucket,
                            IsMultiRegionTrail=True)
        trails.start_logging(Name="management-events")
        r = subprocess.run([BIN, "doctor", "--json", "--config", self.srv.config_path], env=self.srv.env,
                           capture_output=True, text=True, timeout=120)
        doc = json.loads(r.stdout)
        checks = {c["name"]: c for c in doc["checks"]}
        self.assertEqual((r.returncode, doc["ok"]), (0, True), doc)
        self.assertIn("s3://%s/AWSLogs/ is readable" % self.sb.trail_bucket, checks["trail bucket"]["detail"])
        self.assertTrue(checks["trail management-events multi-region"]["ok"])
        self.assertTrue(checks["trail management-events logging"]["ok"])

    def incident_events(self):
        r = self.srv.request("GET", "/api/v1/events?limit=1000", key=self.srv.admin_key)
        self.assertEqual(r.status, 200, r)
        return r.json()["items"]


if __name__ == "__main__":
    unittest.main()
