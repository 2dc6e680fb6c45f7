"""The AWS sandbox (tests/sandbox/) writes what a real CloudTrail trail would.

The real `aws` CLI and boto3 call through the sandbox's endpoint; the trail
bucket in moto's S3 must then hold gzip files under the real key layout with
the records AWS would write — and nothing for calls AWS would not log.
"""

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SANDBOX_DIR = os.path.join(HERE, "..", "sandbox")
sys.path.insert(0, SANDBOX_DIR)

from botocore.exceptions import ClientError  # noqa: E402

from sandbox import Sandbox, moto_available  # noqa: E402

DENY_ALL = json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
LOG_KEY_RE = re.compile(r"^AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/"
                        r"\1_CloudTrail_\2_\3\4\5T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$")
DIGEST_KEY_RE = re.compile(r"^AWSLogs/\d{12}/CloudTrail-Digest/")


def mint_user(sb, name="jenkins-deploy", path="/ci/"):
    iam = sb.client("iam")
    iam.create_user(UserName=name, Path=path)
    iam.put_user_policy(UserName=name, PolicyName="baseline-access", PolicyDocument=DENY_ALL)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def aws(sb, creds, *args):
    return subprocess.run(["aws", "--endpoint-url", sb.endpoint, *args], env=sb.aws_cli_env(creds),
                          capture_output=True, text=True, timeout=120)


@unittest.skipUnless(moto_available() and shutil.which("aws"), "needs moto and the aws CLI")
class SandboxRecordsLikeCloudTrail(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sb = Sandbox(delay=2, digest_every=2).start()

    @classmethod
    def tearDownClass(cls):
        cls.sb.stop()

    def test_attacker_aws_cli_calls_land_in_the_trail_bucket(self):
        sb = self.sb
        creds = mint_user(sb, "terraform-ci", "/ci/")
        outcomes = {}
        for args in (["sts", "get-caller-identity"], ["iam", "list-users"], ["s3", "ls"],
                     ["ec2", "describe-regions"]):
            outcomes[args[1]] = aws(sb, creds, *args)
        self.assertEqual(outcomes["get-caller-identity"].returncode, 0, outcomes["get-caller-identity"].stderr)
        self.assertIn("user/ci/terraform-ci", outcomes["get-caller-identity"].stdout)
        for name in ("list-users", "ls", "describe-regions"):
            self.assertNotEqual(outcomes[name].returncode, 0, f"{name} must be denied")

        def mine(records):
            return [r for r in records if r["userIdentity"].get("accessKeyId") == creds[0]]

        records = mine(sb.wait_for_records(lambda rs: len(mine(rs)) >= 4, timeout=30))
        by_name = {r["eventName"]: r for r in records}
        self.assertEqual(set(by_name), {"GetCallerIdentity", "ListUsers", "ListBuckets", "DescribeRegions"})

        gci = by_name["GetCallerIdentity"]
        self.assertNotIn("errorCode", gci)
        self.assertEqual(gci["eventSource"], "sts.amazonaws.com")
        self.assertTrue(gci["readOnly"])
        self.assertEqual(by_name["ListUsers"]["errorCode"], "AccessDenied")
        self.assertIn("arn:aws:iam::210987654321:user/ci/terraform-ci", by_name["ListUsers"]["errorMessage"])
        self.assertEqual(by_name["ListUsers"]["eventSource"], "iam.amazonaws.com")
        self.assertEqual(by_name["ListBuckets"]["errorCode"], "AccessDenied")
        self.assertEqual(by_name["ListBuckets"]["eventSource"], "s3.amazonaws.com")
        self.assertEqual(by_name["DescribeRegions"]["errorCode"], "Client.UnauthorizedOperation")
        for r in records:
            ident = r["userIdentity"]
            self.assertEqual(ident["type"], "IAMUser")
            self.assertEqual(ident["userName"], "terraform-ci")
            self.assertEqual(ident["arn"], "arn:aws:iam::210987654321:user/ci/terraform-ci")
            self.assertEqual(ident["accountId"], "210987654321")
            self.assertTrue(ident["principalId"])
            self.assertTrue(r["userAgent"].startswith("aws-cli/"), r["userAgent"])
            self.assertEqual(r["sourceIPAddress"], "127.0.0.1")
            self.assertEqual(r["recipientAccountId"], "210987654321")
            self.assertEqual(r["awsRegion"], "us-east-1")
            self.assertEqual(r["eventType"], "AwsApiCall")
            self.assertRegex(r["eventID"], r"^[0-9a-f-]{36}$")
            self.assertTrue(r["requestID"])
            self.assertRegex(r["eventTime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

        keys = sb.trail_objects()
        logs = [k for k in keys if "/CloudTrail/" in k]
        self.assertTrue(logs)
        for k in logs:
            self.assertRegex(k, LOG_KEY_RE)
        self.assertTrue(any(DIGEST_KEY_RE.match(k) for k in keys), "a digest file now and then")

    def test_the_providers_own_calls_are_recorded_with_the_key_in_response_elements(self):
        sb = self.sb
        key_id, secret = mint_user(sb, "svc-backup-prod", "/service-accounts/")

        def admin_calls(records):
            return [r for r in records if r["userIdentity"]["userName"] == sb.admin_user
                    and (r.get("requestParameters") or {}).get("userName") == "svc-backup-prod"]

        records = admin_calls(sb.wait_for_records(lambda rs: len(admin_calls(rs)) >= 3, timeout=30))
        by_name = {r["eventName"]: r for r in records}
        self.assertEqual(set(by_name), {"CreateUser", "PutUserPolicy", "CreateAccessKey"})
        self.assertEqual(by_name["CreateAccessKey"]["responseElements"]["accessKey"]["accessKeyId"], key_id)
        self.assertEqual(by_name["CreateAccessKey"]["userIdentity"]["accessKeyId"], sb.admin["access_key_id"])
        self.assertEqual(by_name["CreateUser"]["requestParameters"]["path"], "/service-accounts/")
        self.assertIn('"Deny"', by_name["PutUserPolicy"]["requestParameters"]["policyDocument"])
        self.assertFalse(by_name["CreateUser"]["readOnly"])
        # A trail never holds a secret.
        s3 = sb.client("s3", via_proxy=False)
        for k in sb.trail_objects():
            blob = gzip.decompress(s3.get_object(Bucket=sb.trail_bucket, Key=k)["Body"].read())
            self.assertNotIn(secret.encode(), blob)

    def test_bad_signatures_are_rejected_and_not_recorded(self):
        sb = self.sb
        key_id, _ = mint_user(sb, "datadog-integration", "/integrations/")
        before = len(sb.recorded())
        with self.assertRaises(ClientError) as wrong_secret:
            sb.client("sts", creds=(key_id, "x" * 40)).get_caller_identity()
        self.assertEqual(wrong_secret.exception.response["Error"]["Code"], "SignatureDoesNotMatch")
        with self.assertRaises(ClientError) as unknown:
            sb.client("iam", creds=("AKIAIOSFODNN7EXAMPLE", "x" * 40)).list_users()
        self.assertEqual(unknown.exception.response["Error"]["Code"], "InvalidClientTokenId")
        self.assertEqual(len(sb.recorded()), before)

    def test_s3_prefix_listing_verifies_through_the_endpoint(self):
        # moto alone rejects '%2F' in a signed query (see sig_repair.py); the
        # endpoint must accept a correct signature and still reject a wrong one.
        sb = self.sb
        s3 = sb.client("s3")
        s3.put_object(Bucket=sb.trail_bucket, Key="probe/a.txt", Body=b"x",
                      ContentType="application/octet-stream")
        got = s3.list_objects_v2(Bucket=sb.trail_bucket, Prefix="probe/")
        self.assertEqual([o["Key"] for o in got.get("Contents", [])], ["probe/a.txt"])
        bad = sb.client("s3", creds=(sb.admin["access_key_id"], "z" * 40))
        with self.assertRaises(ClientError) as err:
            bad.list_objects_v2(Bucket=sb.trail_bucket, Prefix="probe/")
        self.assertEqual(err.exception.response["Error"]["Code"], "SignatureDoesNotMatch")
        s3.delete_object(Bucket=sb.trail_bucket, Key="probe/a.txt")


@unittest.skipUnless(moto_available(), "needs moto")
class SandboxDelivery(unittest.TestCase):
    def test_records_wait_for_the_delivery_delay(self):
        with Sandbox(delay=3) as sb:
            sb.client("sts").get_caller_identity()
            started = time.monotonic()
            self.assertEqual([k for k in sb.trail_objects() if "/CloudTrail/" in k], [])
            records = sb.wait_for_records(lambda rs: len(rs) >= 1, timeout=20)
            self.assertEqual(len(records), 1)
            self.assertGreaterEqual(time.monotonic() - started, 2.5)

    def test_duplicates_are_delivered_again_in_a_later_file(self):
        with Sandbox(delay=0.2, duplicate_every=1) as sb:
            sb.client("sts").get_caller_identity()
            records = sb.wait_for_records(lambda rs: len(rs) >= 2, timeout=20)
            self.assertEqual(len(records), 2)
            self.assertEqual(records[0]["eventID"], records[1]["eventID"])


@unittest.skipUnless(moto_available(), "needs moto")
class SandboxCommandLine(unittest.TestCase):
    def test_prints_the_endpoint_and_exits_when_stdin_closes(self):
        proc = subprocess.Popen([sys.executable, os.path.join(SANDBOX_DIR, "sandbox.py"), "--port", "0",
                                 "--delay", "1", "--until-stdin-closes"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            info = json.loads(proc.stdout.readline())
            self.assertRegex(info["endpoint"], r"^http://127\.0\.0\.1:\d+$")
            import boto3
            sts = boto3.client("sts", endpoint_url=info["endpoint"], region_name="us-east-1",
                               aws_access_key_id=info["admin_access_key_id"],
                               aws_secret_access_key=info["admin_secret_access_key"])
            self.assertEqual(sts.get_caller_identity()["Account"], info["account_id"])
            proc.stdin.close()
            self.assertEqual(proc.wait(timeout=30), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    unittest.main()
