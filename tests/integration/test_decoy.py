"""The decoy endpoint driven by the real `aws` CLI (v1) and boto3.

Credentials are planted exactly as a deployer plants spacecrab's output: the
`aws-config` format (a ~/.aws/config profile with endpoint_url, read through
AWS_CONFIG_FILE) and the `env` format (AWS_* variables with AWS_ENDPOINT_URL).
The tests assert what the tools print and the CloudTrail-shaped records the
endpoint emits, including signature_verified / key_check ("key id only" for
the right key id with a wrong secret).

The endpoint is the stand-alone decoy_test_server (keys on its command line,
records as JSON lines) until `spacecrab serve` starts the decoy listener;
SPACECRAB_BUILD_DIR (set by ctest) locates it, DECOY_TEST_SERVER overrides.
Everything listens on 127.0.0.1 ephemeral ports and every process is bounded
in time and stopped. Standard library plus the preinstalled boto3/botocore.
"""


import json
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from unittest import mock

ACCOUNT = "123456789012"
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
# What no response may contain (AWS's own "security token" phrases aside).
PRODUCT_WORDS = ("spacecrab", "honey", "canary", "decoy", "trap", "httplib")
AWS_TOKEN_PHRASES = ("security token", "clienttokenid", "authenticationtoken",
                     "authentication token", "x-amz-security-token")


def build_dir():
    return os.environ.get("SPACECRAB_BUILD_DIR") or os.path.join(
        os.path.dirname(__file__), "..", "..", "build")


def endpoint_binary():
    path = os.environ.get("DECOY_TEST_SERVER") or os.path.join(
        build_dir(), "src", "decoy", "decoy_test_server")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"decoy_test_server not built at {path} "
                           "(cmake --build <dir> --target decoy_test_server)")
    return path


def mint_key_id(account=ACCOUNT):
    """AKIA + 16 base32 chars whose bits 7..46 of the first 48 encode the account."""
    raw = bytearray(secrets.token_bytes(10))
    v48 = int.from_bytes(raw[:6], "big")
    v48 = (v48 & ~0x7FFFFFFFFF80 & 0xFFFFFFFFFFFF) | (int(account) << 7)
    raw[:6] = v48.to_bytes(6, "big")
    bits = int.from_bytes(raw, "big")
    return "AKIA" + "".join(BASE32[(bits >> (5 * (15 - i))) & 31] for i in range(16))


def mint_secret():
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(40))


def aws_config_text(key_id, secret, endpoint_url, region="us-east-1", profile="default"):
    """The `aws-config` credential format."""
    header = "[default]" if profile == "default" else f"[profile {profile}]"
    return (f"{header}\nregion = {region}\noutput = json\nendpoint_url = {endpoint_url}\n"
            f"aws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")


def env_text(key_id, secret, endpoint_url, region="us-east-1"):
    """The `env` credential format (sh export lines)."""
    return (f"export AWS_ACCESS_KEY_ID={key_id}\nexport AWS_SECRET_ACCESS_KEY={secret}\n"
            f"export AWS_DEFAULT_REGION={region}\nexport AWS_ENDPOINT_URL={endpoint_url}\n")


def parse_env_text(text):
    out = {}
    for line in text.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        out[name] = value
    return out


def mentions_product(text):
    lower = text.lower()
    for phrase in AWS_TOKEN_PHRASES:
        lower = lower.replace(phrase, "")
    return any(w in lower for w in PRODUCT_WORDS) or "token" in lower


def clean_env(home, **extra):
    """A process environment with no AWS settings from the machine running the tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=home, AWS_EC2_METADATA_DISABLED="true",
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "no-credentials"),
               AWS_CONFIG_FILE=os.path.join(home, "no-config"))
    env.update(extra)
    return env


def make_self_signed_cert(directory):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
    return cert, key


class DecoyEndpoint:
    """decoy_test_server on an ephemeral port; use as a context manager."""

    def __init__(self, directory, keys, tls=None, extra_args=()):
        self.directory = directory
        self.records_path = os.path.join(directory, f"records-{secrets.token_hex(4)}.jsonl")
        args = [endpoint_binary(), "--listen", "127.0.0.1:0", "--records", self.records_path]
        for key_id, secret, user, status in keys:
            args += ["--key", f"{key_id}:{secret}:{ACCOUNT}:{user}:{status}"]
        if tls:
            args += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        args += list(extra_args)
        self.args = args
        self.proc = None
        self.url = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        deadline = time.monotonic() + 15
        line = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if line.startswith("listening on "):
                self.url = line.split()[-1]
                return self
            if self.proc.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"endpoint did not start: {line!r} {self.proc.stderr.read()!r}")

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc:
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream:
                    stream.close()

    def records(self):
        if not os.path.exists(self.records_path):
            return []
        with open(self.records_path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def wait_for_records(self, count, timeout=10):
        """At least `count` records in total (they are written asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            records = self.records()
            if len(records) >= count or time.monotonic() > deadline:
                return records
            time.sleep(0.05)



CLI_TIMEOUT = 90
USER = "svc-backup-prod"


class EndpointTestCase(unittest.TestCase):
    """One endpoint per class with a good key, a revoked key and a known secret."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="decoy-it-")
        cls.key_id, cls.secret = mint_key_id(), mint_secret()
        cls.revoked_id, cls.revoked_secret = mint_key_id(), mint_secret()
        cls.endpoint = DecoyEndpoint(cls.tmp, [(cls.key_id, cls.secret, USER, "active"),
                                               (cls.revoked_id, cls.revoked_secret, "m.garcia",
                                                "revoked")])
        cls.endpoint.__enter__()
        cls.arn = f"arn:aws:iam::{ACCOUNT}:user/{USER}"

    @classmethod
    def tearDownClass(cls):
        cls.endpoint.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def new_records(self, before, expect):
        """The records added since `before` (a count), waiting for `expect` of them."""
        records = self.endpoint.wait_for_records(before + expect)
        return records[before:]

    def write_config(self, name, key_id, secret, endpoint_url=None):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(aws_config_text(key_id, secret, endpoint_url or self.endpoint.url))
        return path


class AwsCliTest(EndpointTestCase):
    """The aws CLI with an `aws-config` profile (endpoint_url in the profile)."""

    def aws(self, *args, config=None, env=None):
        config = config or self.write_config("config", self.key_id, self.secret)
        run_env = env or clean_env(self.tmp, AWS_CONFIG_FILE=config)
        return subprocess.run(["aws", *args], env=run_env, capture_output=True, text=True,
                              timeout=CLI_TIMEOUT)

    def test_profile_endpoint_url_is_honoured_by_this_cli(self):
        version = subprocess.run(["aws", "--version"], capture_output=True, text=True,
                                 timeout=CLI_TIMEOUT)
        self.assertRegex(version.stdout + version.stderr, r"aws-cli/1\.\d+.* botocore/1\.\d+")
        before = len(self.endpoint.records())
        self.aws("sts", "get-caller-identity")
        self.assertEqual(len(self.new_records(before, 1)), 1,
                         "the CLI did not send to the endpoint_url of the profile")

    def test_sts_get_caller_identity_prints_account_and_arn(self):
        before = len(self.endpoint.records())
        out = self.aws("sts", "get-caller-identity")
        self.assertEqual(out.returncode, 0, out.stderr)
        identity = json.loads(out.stdout)
        self.assertEqual(identity["Account"], ACCOUNT)
        self.assertEqual(identity["Arn"], self.arn)
        self.assertRegex(identity["UserId"], r"^AIDA[A-Z2-7]{17}$")
        (rec,) = self.new_records(before, 1)
        self.assertEqual(rec["eventSource"], "sts.amazonaws.com")
        self.assertEqual(rec["eventName"], "GetCallerIdentity")
        self.assertEqual(rec["userIdentity"]["accessKeyId"], self.key_id)
        self.assertEqual(rec["userIdentity"]["arn"], self.arn)
        self.assertEqual(rec["sourceIPAddress"], "127.0.0.1")
        self.assertIn("aws-cli/1.", rec["userAgent"])
        self.assertNotIn("errorCode", rec)
        self.assertIs(rec["signature_verified"], True)
        self.assertEqual(rec["key_check"], "verified")

    def test_s3_ls_is_access_denied(self):
        before = len(self.endpoint.records())
        out = self.aws("s3", "ls")
        self.assertEqual(out.returncode, 255)
        self.assertIn("An error occurred (AccessDenied) when calling the ListBuckets operation: "
                      "Access Denied", out.stderr)
        (rec,) = self.new_records(before, 1)
        self.assertEqual((rec["eventSource"], rec["eventName"]), ("s3.amazonaws.com", "ListBuckets"))
        self.assertEqual(rec["errorCode"], "AccessDenied")
        self.assertEqual(rec["key_check"], "verified")

    def test_iam_list_users_is_access_denied(self):
        before = len(self.endpoint.records())
        out = self.aws("iam", "list-users")
        self.assertEqual(out.returncode, 255)
        self.assertIn(
            "An error occurred (AccessDenied) when calling the ListUsers operation: User: "
            f"{self.arn} is not authorized to perform: iam:ListUsers on resource: "
            f"arn:aws:iam::{ACCOUNT}:user/ because no identity-based policy allows the "
            "iam:ListUsers action", out.stderr)
        (rec,) = self.new_records(before, 1)
        self.assertEqual((rec["eventSource"], rec["eventName"]), ("iam.amazonaws.com", "ListUsers"))
        self.assertEqual(rec["awsRegion"], "us-east-1")

    def test_ec2_describe_regions_is_unauthorized(self):
        before = len(self.endpoint.records())
        out = self.aws("ec2", "describe-regions", "--region", "eu-west-1")
        self.assertEqual(out.returncode, 255)
        self.assertIn("An error occurred (UnauthorizedOperation) when calling the DescribeRegions "
                      "operation: You are not authorized to perform this operation. User: "
                      f"{self.arn} is not authorized to perform: ec2:DescribeRegions",
                      out.stderr)
        (rec,) = self.new_records(before, 1)
        self.assertEqual((rec["eventSource"], rec["eventName"]),
                         ("ec2.amazonaws.com", "DescribeRegions"))
        self.assertEqual(rec["awsRegion"], "eu-west-1")
        self.assertEqual(rec["errorCode"], "UnauthorizedOperation")

    def test_presigned_url_fetched_with_curl(self):
        out = self.aws("s3", "presign", "s3://finance-backups/2024/payroll.csv")
        self.assertEqual(out.returncode, 0, out.stderr)
        url = out.stdout.strip()
        self.assertTrue(url.startswith(self.endpoint.url + "/finance-backups/2024/payroll.csv?"), url)
        before = len(self.endpoint.records())
        fetched = subprocess.run(["curl", "-s", "-i", "--max-time", "20", url],
                                 capture_output=True, text=True, timeout=CLI_TIMEOUT)
        self.assertTrue(fetched.stdout.startswith("HTTP/1.1 403"), fetched.stdout)
        self.assertIn("<Code>AccessDenied</Code><Message>Access Denied</Message>", fetched.stdout)
        self.assertIn("x-amz-request-id: ", fetched.stdout)
        self.assertFalse(mentions_product(fetched.stdout), fetched.stdout)
        (rec,) = self.new_records(before, 1)
        self.assertEqual(rec["eventName"], "GetObject")
        self.assertEqual(rec["requestParameters"]["bucketName"], "finance-backups")
        self.assertEqual(rec["requestParameters"]["key"], "2024/payroll.csv")
        self.assertEqual(rec["additionalEventData"]["AuthenticationMethod"], "QueryString")
        self.assertIn("curl/", rec["userAgent"])
        self.assertIs(rec["signature_verified"], True)

    def test_right_key_with_wrong_secret_is_recorded_as_key_id_only(self):
        config = self.write_config("config-wrong-secret", self.key_id, mint_secret())
        before = len(self.endpoint.records())
        out = self.aws("sts", "get-caller-identity", config=config)
        self.assertEqual(out.returncode, 255)
        self.assertIn("An error occurred (SignatureDoesNotMatch) when calling the "
                      "GetCallerIdentity operation: The request signature we calculated does not "
                      "match the signature you provided.", out.stderr)
        (rec,) = self.new_records(before, 1)
        self.assertEqual(rec["userIdentity"]["accessKeyId"], self.key_id)
        self.assertEqual(rec["userIdentity"]["userName"], USER)
        self.assertIs(rec["signature_verified"], False)
        self.assertEqual(rec["key_check"], "key_id_only")
        self.assertEqual(rec["errorCode"], "SignatureDoesNotMatch")

    def test_unknown_key_gets_invalid_client_token_id_and_no_record(self):
        config = self.write_config("config-unknown", mint_key_id(), mint_secret())
        before = len(self.endpoint.records())
        out = self.aws("sts", "get-caller-identity", config=config)
        self.assertEqual(out.returncode, 255)
        self.assertIn("An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity "
                      "operation: The security token included in the request is invalid.",
                      out.stderr)
        time.sleep(0.5)
        self.assertEqual(len(self.endpoint.records()), before)

    def test_revoked_key_looks_invalid_but_is_still_recorded(self):
        config = self.write_config("config-revoked", self.revoked_id, self.revoked_secret)
        before = len(self.endpoint.records())
        out = self.aws("iam", "list-users", config=config)
        self.assertIn("(InvalidClientTokenId)", out.stderr)
        (rec,) = self.new_records(before, 1)
        self.assertEqual(rec["userIdentity"]["accessKeyId"], self.revoked_id)
        self.assertEqual(rec["key_check"], "verified")

    def test_env_format_with_aws_endpoint_url(self):
        planted = parse_env_text(env_text(self.key_id, self.secret, self.endpoint.url,
                                          region="eu-central-1"))
        env = clean_env(self.tmp, **planted)
        before = len(self.endpoint.records())
        out = self.aws("sts", "get-caller-identity", env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["Arn"], self.arn)
        denied = self.aws("iam", "list-users", env=env)
        self.assertIn("(AccessDenied) when calling the ListUsers operation", denied.stderr)
        first, second = self.new_records(before, 2)
        self.assertEqual(first["awsRegion"], "eu-central-1")
        self.assertEqual((first["key_check"], second["key_check"]), ("verified", "verified"))


class Boto3Test(EndpointTestCase):
    """boto3 reading the same planted profile, and raw responses checked byte by byte."""

    def session(self, secret=None):
        import boto3
        config = self.write_config("boto3-config", self.key_id, secret or self.secret)
        # boto3 reads the environment lazily (credentials on first call), so
        # the planted environment stays in place for the whole test.
        patcher = mock.patch.dict(os.environ, clean_env(self.tmp, AWS_CONFIG_FILE=config),
                                  clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)
        return boto3.Session()

    def test_boto3_profile_calls(self):
        from botocore.exceptions import ClientError
        session = self.session()
        before = len(self.endpoint.records())
        identity = session.client("sts").get_caller_identity()
        self.assertEqual((identity["Account"], identity["Arn"]), (ACCOUNT, self.arn))
        expected = [
            (lambda: session.client("s3").list_buckets(), "AccessDenied"),
            (lambda: session.client("iam").list_users(), "AccessDenied"),
            (lambda: session.client("ec2").describe_instances(), "UnauthorizedOperation"),
            (lambda: session.client("dynamodb").list_tables(), "AccessDeniedException"),
            (lambda: session.client("secretsmanager").list_secrets(), "AccessDeniedException"),
            (lambda: session.client("s3").get_object(Bucket="prod-db-dumps", Key="latest.sql.gz"),
             "AccessDenied"),
        ]
        for call, code in expected:
            with self.assertRaises(ClientError) as caught:
                call()
            self.assertEqual(caught.exception.response["Error"]["Code"], code)
        records = self.new_records(before, 1 + len(expected))
        self.assertEqual([r["eventName"] for r in records],
                         ["GetCallerIdentity", "ListBuckets", "ListUsers", "DescribeInstances",
                          "ListTables", "ListSecrets", "GetObject"])
        self.assertEqual({r["key_check"] for r in records}, {"verified"})
        self.assertTrue(all("Boto3/" in r["userAgent"] for r in records))
        self.assertEqual(records[4]["eventSource"], "dynamodb.amazonaws.com")

    def test_boto3_presigned_urls_sigv2_and_sigv4(self):
        from botocore.config import Config
        session = self.session()
        before = len(self.endpoint.records())
        urls = [
            session.client("s3").generate_presigned_url(
                "get_object", Params={"Bucket": "hr", "Key": "salaries.xlsx"}, ExpiresIn=300),
            session.client("s3", config=Config(signature_version="s3v4")).generate_presigned_url(
                "get_object", Params={"Bucket": "hr", "Key": "salaries.xlsx"}, ExpiresIn=300),
        ]
        self.assertIn("X-Amz-Algorithm=AWS4-HMAC-SHA256", urls[1])
        for url in urls:
            with self.assertRaises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(url, timeout=20)
            self.assertEqual(caught.exception.code, 403)
        records = self.new_records(before, 2)
        self.assertEqual([r["key_check"] for r in records], ["verified", "verified"])
        self.assertEqual({r["auth_scheme"] for r in records}, {"sigv2-query", "sigv4-query"})

    def test_boto3_wrong_secret_is_key_id_only(self):
        from botocore.exceptions import ClientError
        session = self.session(secret=mint_secret())
        before = len(self.endpoint.records())
        with self.assertRaises(ClientError) as caught:
            session.client("s3").list_buckets()
        self.assertEqual(caught.exception.response["Error"]["Code"], "SignatureDoesNotMatch")
        (rec,) = self.new_records(before, 1)
        self.assertEqual(rec["key_check"], "key_id_only")

    def test_raw_responses_never_name_the_product(self):
        import botocore.auth
        import botocore.awsrequest
        import botocore.credentials
        creds = botocore.credentials.Credentials(self.key_id, self.secret)
        calls = [("sts", "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15", {}),
                 ("iam", "POST", "/", "Action=ListUsers&Version=2010-05-08", {}),
                 ("ec2", "POST", "/", "Action=DescribeRegions&Version=2016-11-15", {}),
                 ("dynamodb", "POST", "/", "{}", {"X-Amz-Target": "DynamoDB_20120810.ListTables",
                                                 "Content-Type": "application/x-amz-json-1.0"}),
                 ("s3", "GET", "/", "", {}), ("s3", "HEAD", "/b/k", "", {}),
                 ("lambda", "GET", "/2015-03-31/functions/", "", {})]
        for service, method, path, body, headers in calls:
            if method == "POST" and "Content-Type" not in headers:
                headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
            request = botocore.awsrequest.AWSRequest(method=method, url=self.endpoint.url + path,
                                                     data=body.encode(), headers=headers)
            signer = (botocore.auth.S3SigV4Auth if service == "s3" else botocore.auth.SigV4Auth)
            signer(creds, service, "us-east-1").add_auth(request)
            prepared = request.prepare()
            raw = urllib.request.Request(prepared.url, data=prepared.body or None,
                                         headers=dict(prepared.headers), method=method)
            try:
                with urllib.request.urlopen(raw, timeout=20) as reply:
                    status, reply_headers, reply_body = reply.status, reply.headers, reply.read()
            except urllib.error.HTTPError as err:
                status, reply_headers, reply_body = err.code, err.headers, err.read()
            self.assertIn(status, (200, 400, 403), (service, status))
            text = reply_body.decode("utf-8", "replace")
            self.assertFalse(mentions_product(text), (service, text))
            for name, value in reply_headers.items():
                self.assertFalse(mentions_product(f"{name}: {value}"), (service, name, value))
            self.assertTrue(any(n.lower() in ("x-amzn-requestid", "x-amz-request-id")
                                for n in reply_headers.keys()), (service, dict(reply_headers)))


class HttpsEndpointTest(unittest.TestCase):
    """The listener with a configured certificate; the record carries tlsDetails."""

    def test_https_listener_with_certificate(self):
        tmp = tempfile.mkdtemp(prefix="decoy-tls-")
        try:
            cert, key = make_self_signed_cert(tmp)
            key_id, secret = mint_key_id(), mint_secret()
            with DecoyEndpoint(tmp, [(key_id, secret, USER, "active")], tls=(cert, key)) as ep:
                self.assertTrue(ep.url.startswith("https://127.0.0.1:"), ep.url)
                config = os.path.join(tmp, "config")
                with open(config, "w", encoding="utf-8") as f:
                    f.write(aws_config_text(key_id, secret, ep.url))
                env = clean_env(tmp, AWS_CONFIG_FILE=config, AWS_CA_BUNDLE=cert)
                out = subprocess.run(["aws", "sts", "get-caller-identity"], env=env,
                                     capture_output=True, text=True, timeout=CLI_TIMEOUT)
                self.assertEqual(out.returncode, 0, out.stderr)
                self.assertEqual(json.loads(out.stdout)["Account"], ACCOUNT)
                plain = subprocess.run(["curl", "-s", "--max-time", "5", "-o", "/dev/null", "-w",
                                        "%{http_code}", ep.url.replace("https", "http") + "/"],
                                       capture_output=True, text=True, timeout=30)
                self.assertNotEqual(plain.stdout, "403", "plain HTTP must not be served")
                (rec,) = ep.wait_for_records(1)
                self.assertEqual(rec["key_check"], "verified")
                self.assertIn(rec["tlsDetails"]["tlsVersion"], ("TLSv1.2", "TLSv1.3"))
                self.assertTrue(rec["tlsDetails"]["cipherSuite"])
                self.assertEqual(rec["tlsDetails"]["clientProvidedHostHeader"],
                                 ep.url.removeprefix("https://"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class ServeDecoyTokenTest(unittest.TestCase):
    """The same flow against `spacecrab serve`, with a decoy token made through the API.

    Skipped (with the reason) while `spacecrab serve` does not yet start the
    decoy endpoint; runs as soon as it does.
    """

    @classmethod
    def setUpClass(cls):
        if not os.environ.get("SPACECRAB_BIN"):
            raise unittest.SkipTest("SPACECRAB_BIN not set")
        from harness import SpacecrabServer
        cls.srv = SpacecrabServer(decoy_account_id=ACCOUNT)
        cls.srv.start()
        try:
            items = cls.srv.create_tokens(location="ci-runner-7:/etc/backup.env", owner="secops",
                                          format="aws-config")
            cls.token = items[0]["token"]
            cls.credentials = items[0]["credentials"]
            endpoint = cls.credentials.get("endpoint_url", "")
            if not endpoint:
                raise unittest.SkipTest("decoy credentials carry no endpoint_url")
            host, _, port = endpoint.split("://", 1)[1].rstrip("/").rpartition(":")
            try:
                socket.create_connection((host, int(port)), timeout=2).close()
            except (OSError, ValueError):
                raise unittest.SkipTest(f"spacecrab serve does not run the decoy endpoint "
                                        f"at {endpoint} yet")
        except BaseException:
            cls.srv.cleanup()
            raise
        cls.tmp = tempfile.mkdtemp(prefix="decoy-serve-")

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def aws(self, config_text, *args):
        config = os.path.join(self.tmp, f"config-{secrets.token_hex(4)}")
        with open(config, "w", encoding="utf-8") as f:
            f.write(config_text)
        return subprocess.run(["aws", *args], env=clean_env(self.tmp, AWS_CONFIG_FILE=config),
                              capture_output=True, text=True, timeout=CLI_TIMEOUT)

    def token_state(self):
        r = self.srv.request("GET", "/api/v1/tokens/" + self.token["id"], key=self.srv.admin_key)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def wait_for_event_count(self, count, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            state = self.token_state()
            if state["event_count"] >= count or time.monotonic() > deadline:
                return state
            time.sleep(0.1)

    def test_planted_aws_config_flow_is_detected(self):
        planted = self.credentials["formatted"]
        self.assertIn("endpoint_url = ", planted)
        out = self.aws(planted, "sts", "get-caller-identity")
        self.assertEqual(out.returncode, 0, out.stderr)
        identity = json.loads(out.stdout)
        self.assertEqual((identity["Account"], identity["Arn"]), (ACCOUNT, self.token["arn"]))
        self.assertIn("(AccessDenied) when calling the ListUsers operation",
                      self.aws(planted, "iam", "list-users").stderr)
        self.assertIn("(AccessDenied) when calling the ListBuckets operation",
                      self.aws(planted, "s3", "ls").stderr)
        self.assertIn("(UnauthorizedOperation) when calling the DescribeRegions operation",
                      self.aws(planted, "ec2", "describe-regions").stderr)
        wrong = planted.replace(self.credentials["secret_access_key"], mint_secret())
        self.assertIn("(SignatureDoesNotMatch)", self.aws(wrong, "sts", "get-caller-identity").stderr)
        state = self.wait_for_event_count(5)
        self.assertEqual(state["event_count"], 5)
        self.assertTrue(state["first_used_at"])
        events = self.srv.request("GET", "/api/v1/events?token_id=" + self.token["id"],
                                  key=self.srv.admin_key)
        if events.status == 200:
            items = events.json()["items"]
            by_name = {e["event_name"]: e for e in items}
            self.assertEqual(set(by_name), {"GetCallerIdentity", "ListUsers", "ListBuckets",
                                            "DescribeRegions"})
            checks = sorted(str(e.get("enrichment", {}).get("key_check")) for e in items)
            self.assertEqual(checks.count("key_id_only"), 1, items)
            self.assertEqual(checks.count("verified"), 4, items)


if __name__ == "__main__":
    unittest.main()
