"""provider = "aws": the real `spacecrab serve` minting IAM honey keys in the
AWS sandbox (moto with signature checks, behind the CloudTrail recorder).

Everything is checked in moto's own IAM state (users, the deny-all inline
policy, access keys) through an admin client that talks to moto directly:

  - token create / revoke / rotate / delete / expiry over the REST API;
  - throttling and 5xx from IAM (tests/sandbox/fault_proxy.py) are retried,
    or rolled back when they persist;
  - a crash (SIGKILL) between CreateUser and CreateAccessKey, and one right
    after CreateAccessKey, then `spacecrab reconcile` (or a restart, whose
    start-up reconcile does the same): no orphan user, no key without its
    token, no token without its key;
  - `spacecrab doctor` on the same account.

The end-to-end catch (a page from a real attacker's calls) is in
test_iam_catch.py.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sandbox"))

from harness import BIN, SpacecrabServer  # noqa: E402

try:
    from botocore.exceptions import ClientError  # noqa: E402
    from fault_proxy import FaultProxy  # noqa: E402
    from sandbox import Sandbox, moto_available  # noqa: E402
    HAVE_SANDBOX = moto_available()
except ImportError:  # no boto3/moto on this machine
    HAVE_SANDBOX = False

POLICY = "baseline-access"
LURE_WORDS = ("spacecrab", "honey", "canary", "decoy", "trap", "token")


def aws_env(sb):
    """Only the sandbox admin's keys: nothing from the real ~/.aws leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": sb.admin["access_key_id"],
                "AWS_SECRET_ACCESS_KEY": sb.admin["secret_access_key"],
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
    return env


def aws_config(endpoint, extra=""):
    return ('[provider]\ntype = "aws"\n\n[aws]\nendpoint_url = "%s"\nregion = "us-east-1"\n%s\n'
            % (endpoint, extra))


def is_deny_all(doc):
    if isinstance(doc, str):
        doc = json.loads(doc)
    st = doc["Statement"]
    st = st if isinstance(st, list) else [st]
    return any(s.get("Effect") == "Deny" and s.get("Action") in ("*", ["*"]) and
               s.get("Resource") in ("*", ["*"]) for s in st)


class SandboxServerCase(unittest.TestCase):
    """One sandbox, one fault proxy and one server per test class."""

    DELAY = 1.0

    @classmethod
    def setUpClass(cls):
        cls.sb = Sandbox(delay=cls.DELAY).start()
        cls.iam = cls.sb.client("iam", via_proxy=False)  # unrecorded, sees moto's real state
        cls.fp = FaultProxy(cls.sb.endpoint).start()
        cls.srv = None
        cls.old_servers = []
        cls.start_server()

    # More [aws] keys for a subclass. These tests drive IAM on every request
    # (faults, crashes between calls): no warm pool (test_warm_pool.py has it).
    AWS_EXTRA = "pool_size = 0\n"

    @classmethod
    def start_server(cls, data_dir=None):
        cls.srv = SpacecrabServer(extra_config=aws_config(cls.fp.endpoint, cls.AWS_EXTRA),
                                  env=aws_env(cls.sb), data_dir=data_dir).start()

    @classmethod
    def tearDownClass(cls):
        for srv in cls.old_servers + [cls.srv]:
            if srv:
                srv.cleanup()
        cls.fp.stop()
        cls.sb.stop()

    # ---- helpers -------------------------------------------------------------
    def create(self, **fields):
        fields.setdefault("location", "laptop-L-0042:~/Downloads/accessKeys.csv")
        fields.setdefault("owner", "it-ops@example.com")
        r = self.srv.request("POST", "/api/v1/tokens", key=self.srv.admin_key, json_body=fields)
        self.assertEqual(r.status, 201, r)
        return r.json()["items"][0]

    def call(self, method, path, expect=200, body=None):
        r = self.srv.request(method, path, key=self.srv.admin_key, json_body=body)
        self.assertEqual(r.status, expect, r)
        return r.json()

    def user_state(self, name):
        """(user, {policy: document}, {key id: status}) from moto, or None."""
        try:
            user = self.iam.get_user(UserName=name)["User"]
        except ClientError as e:
            if e.response["Error"]["Code"] == "NoSuchEntity":
                return None
            raise
        policies = {p: self.iam.get_user_policy(UserName=name, PolicyName=p)["PolicyDocument"]
                    for p in self.iam.list_user_policies(UserName=name)["PolicyNames"]}
        keys = {k["AccessKeyId"]: k["Status"]
                for k in self.iam.list_access_keys(UserName=name)["AccessKeyMetadata"]}
        return user, policies, keys

    def user_names(self):
        return {u["UserName"] for u in self.iam.list_users()["Users"]}

    def cli(self, *args, timeout=120):
        return subprocess.run([BIN, *args, "--config", self.srv.config_path], env=self.srv.env,
                              capture_output=True, text=True, timeout=timeout)

    def reconcile(self, *args):
        r = self.cli("reconcile", "--json", *args)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return r.returncode, json.loads(r.stdout)


@unittest.skipUnless(BIN and HAVE_SANDBOX, "needs SPACECRAB_BIN, boto3 and moto")
class IamProviderLifecycle(SandboxServerCase):
    def test_mint_makes_a_deny_all_user_with_one_key_and_a_plausible_name(self):
        item = self.create()
        tok, creds = item["token"], item["credentials"]
        self.assertEqual(tok["kind"], "aws")
        self.assertEqual(tok["account_id"], self.sb.account_id)
        self.assertEqual(creds["access_key_id"], tok["access_key_id"])
        self.assertNotIn("endpoint_url", creds)  # real AWS keys need no endpoint
        user, policies, keys = self.user_state(tok["user_name"])
        self.assertEqual(user["Arn"], tok["arn"])
        self.assertEqual(keys, {tok["access_key_id"]: "Active"})
        self.assertEqual(list(policies), [POLICY])
        self.assertTrue(is_deny_all(policies[POLICY]), policies)
        for word in LURE_WORDS:
            self.assertNotIn(word, tok["arn"].lower())
        self.assertEqual(self.iam.list_user_tags(UserName=tok["user_name"])["Tags"], [])
        # The key works as an identity and is denied everything else.
        who = self.sb.client("sts", creds=(creds["access_key_id"], creds["secret_access_key"]))
        self.assertEqual(who.get_caller_identity()["Arn"], tok["arn"])
        with self.assertRaises(ClientError) as denied:
            self.sb.client("iam", creds=(creds["access_key_id"], creds["secret_access_key"])).list_users()
        self.assertEqual(denied.exception.response["Error"]["Code"], "AccessDenied")

    def test_many_tokens_get_distinct_users(self):
        r = self.srv.request("POST", "/api/v1/tokens", key=self.srv.admin_key,
                             json_body={"location": "ci:repo-x", "count": 5})
        self.assertEqual(r.status, 201, r)
        names = [i["token"]["user_name"] for i in r.json()["items"]]
        self.assertEqual(len(set(n.lower() for n in names)), 5, names)
        for n in names:
            self.assertIsNotNone(self.user_state(n), n)

    def test_revoke_deactivates_the_key_and_keeps_the_user(self):
        tok = self.create()["token"]
        self.assertEqual(self.call("POST", "/api/v1/tokens/%s/revoke" % tok["id"])["status"], "revoked")
        _, policies, keys = self.user_state(tok["user_name"])
        self.assertEqual(keys, {tok["access_key_id"]: "Inactive"})
        self.assertTrue(is_deny_all(policies[POLICY]))

    def test_rotate_adds_a_key_to_the_same_user_and_retires_the_old(self):
        old = self.create()["token"]
        r = self.srv.request("POST", "/api/v1/tokens/%s/rotate" % old["id"], key=self.srv.admin_key)
        self.assertEqual(r.status, 201, r)
        new = r.json()["items"][0]["token"]
        self.assertEqual((new["user_name"], new["arn"]), (old["user_name"], old["arn"]))
        _, policies, keys = self.user_state(old["user_name"])
        self.assertEqual(keys, {old["access_key_id"]: "Inactive", new["access_key_id"]: "Active"})
        self.assertTrue(is_deny_all(policies[POLICY]))
        # A second rotation makes room by dropping the oldest inactive key (IAM allows two).
        r = self.srv.request("POST", "/api/v1/tokens/%s/rotate" % new["id"], key=self.srv.admin_key)
        self.assertEqual(r.status, 201, r)
        newer = r.json()["items"][0]["token"]
        _, _, keys = self.user_state(old["user_name"])
        self.assertEqual(keys, {new["access_key_id"]: "Inactive", newer["access_key_id"]: "Active"})
        # The dropped key's token stays a matchable tombstone.
        self.assertEqual(self.srv.list_all_tokens(access_key_id=old["access_key_id"])[0]["status"], "revoked")

    def test_delete_removes_key_then_policy_and_user_with_the_last_key(self):
        old = self.create()["token"]
        new = self.call("POST", "/api/v1/tokens/%s/rotate" % old["id"], expect=201)["items"][0]["token"]
        self.assertEqual(self.call("DELETE", "/api/v1/tokens/" + new["id"])["status"], "deleted")
        _, policies, keys = self.user_state(old["user_name"])
        self.assertEqual(keys, {old["access_key_id"]: "Inactive"})  # the sibling keeps the user
        self.assertIn(POLICY, policies)
        self.call("DELETE", "/api/v1/tokens/" + old["id"])
        self.assertIsNone(self.user_state(old["user_name"]))
        # Deleting again is a no-op; the tombstones stay.
        self.call("DELETE", "/api/v1/tokens/" + old["id"])
        self.assertEqual(self.srv.list_all_tokens(access_key_id=old["access_key_id"])[0]["status"], "deleted")

    def test_expiry_really_deactivates_the_key(self):
        tok = self.create(expires_in="1s")["token"]
        deadline = time.time() + 30  # the expiry job runs every 5 s
        status = None
        while time.time() < deadline:
            status = self.call("GET", "/api/v1/tokens/" + tok["id"])["status"]
            if status == "expired":
                break
            time.sleep(0.5)
        self.assertEqual(status, "expired")
        _, _, keys = self.user_state(tok["user_name"])
        self.assertEqual(keys, {tok["access_key_id"]: "Inactive"})

    def test_throttling_and_5xx_are_retried_without_the_caller_noticing(self):
        self.fp.add("CreateUser", "throttle", times=2)
        self.fp.add("PutUserPolicy", "5xx", times=1)
        self.fp.add("CreateAccessKey", "throttle", times=1)
        before = len(self.fp.calls)
        tok = self.create()["token"]
        calls = self.fp.calls[before:]
        self.assertEqual(calls.count("CreateUser"), 3, calls)
        self.assertEqual(calls.count("PutUserPolicy"), 2, calls)
        self.assertEqual(calls.count("CreateAccessKey"), 2, calls)
        _, policies, keys = self.user_state(tok["user_name"])
        self.assertEqual(keys, {tok["access_key_id"]: "Active"})
        self.assertTrue(is_deny_all(policies[POLICY]))

    def test_persistent_5xx_rolls_the_mint_back(self):
        users_before = self.user_names()
        tokens_before = len(self.srv.list_all_tokens())
        rule = self.fp.add("CreateAccessKey", "5xx", times=None)
        try:
            r = self.srv.request("POST", "/api/v1/tokens", key=self.srv.admin_key,
                                 json_body={"location": "never-issued"}, timeout=120)
        finally:
            self.fp.clear()
        self.assertGreaterEqual(r.status, 500, r)
        self.assertGreaterEqual(rule.fired, 2)  # retried before giving up
        self.assertEqual(self.user_names(), users_before)  # the half-made user is gone
        self.assertEqual(len(self.srv.list_all_tokens()), tokens_before)
        code, report = self.reconcile("--min-age", "0", "--dry-run")
        self.assertEqual((code, report["errors"], report["drift"]), (0, [], []), report)

    def test_z_reconcile_finds_nothing_to_repair_after_all_that(self):
        # Runs last (unittest sorts by name): every operation above left IAM and the store in step.
        code, report = self.reconcile("--min-age", "0")
        self.assertEqual(code, 0, report)
        self.assertEqual((report["repairs"], report["drift"], report["errors"]), ([], [], []), report)
        self.assertEqual(report["account_id"], self.sb.account_id)
        self.assertGreater(report["tokens_examined"], 5)
        # Every active aws token has its Active key in IAM; nothing else carries the deny policy.
        tracked = set()
        for t in self.srv.list_all_tokens(kind="aws"):
            tracked.add(t["user_name"])
            if t["status"] == "active":
                _, _, keys = self.user_state(t["user_name"])
                self.assertEqual(keys.get(t["access_key_id"]), "Active", t)
        for name in self.user_names() - tracked:
            self.assertNotIn(POLICY, self.iam.list_user_policies(UserName=name)["PolicyNames"], name)

    def test_doctor_checks_identity_permissions_and_store(self):
        r = self.cli("doctor", "--json", "--write-probe")
        doc = json.loads(r.stdout)
        checks = {c["name"]: c for c in doc["checks"]}
        for name in ("config", "store", "aws credentials", "aws identity", "iam read", "iam write"):
            self.assertTrue(checks[name]["ok"], checks.get(name))
        self.assertIn(self.sb.account_id, checks["aws identity"]["detail"])
        self.assertNotIn(self.sb.admin["secret_access_key"], r.stdout + r.stderr)
        # No trail in this account yet: doctor says so and fails.
        self.assertFalse(checks["cloudtrail"]["ok"], checks["cloudtrail"])
        self.assertIn("no trail", checks["cloudtrail"]["detail"])
        self.assertEqual((doc["ok"], r.returncode), (False, 1))

        trails = self.sb.client("cloudtrail", via_proxy=False)
        trails.create_trail(Name="org-audit", S3BucketName=self.sb.trail_bucket)
        trails.start_logging(Name="org-audit")
        checks = {c["name"]: c for c in json.loads(self.cli("doctor", "--json").stdout)["checks"]}
        self.assertFalse(checks["trail org-audit multi-region"]["ok"])  # single-region: blind spots
        self.assertIn("single-region", checks["trail org-audit multi-region"]["detail"])
        self.assertTrue(checks["trail org-audit logging"]["ok"], checks)
        trails.update_trail(Name="org-audit", IsMultiRegionTrail=True)
        r = self.cli("doctor", "--json")
        doc = json.loads(r.stdout)
        self.assertEqual((doc["ok"], r.returncode), (True, 0), doc)


@unittest.skipUnless(BIN and HAVE_SANDBOX, "needs SPACECRAB_BIN, boto3 and moto")
class IamCrashRecovery(SandboxServerCase):
    """SIGKILL the server in the middle of a mint; reconcile cleans up."""

    def kill_server(self):
        os.kill(self.srv.proc.pid, signal.SIGKILL)

    def mint_and_die(self, mode):
        users_before = self.user_names()
        self.fp.add("CreateAccessKey", mode, on_fire=self.kill_server)
        with self.assertRaises(Exception):  # the server dies mid-request
            self.srv.request("POST", "/api/v1/tokens", key=self.srv.admin_key,
                             json_body={"location": "lost-in-a-crash"}, timeout=60)
        self.srv.proc.wait(10)
        self.assertEqual(self.srv.proc.returncode, -signal.SIGKILL)
        self.fp.clear()
        made = self.user_names() - users_before
        self.assertEqual(len(made), 1, made)
        return made.pop()

    def restart_and_check_no_token_lost(self):
        data_dir = self.srv.data_dir
        self.srv.stop()
        self.old_servers.append(self.srv)  # its directory holds data_dir: removed at the end
        type(self).start_server(data_dir=data_dir)
        self.assertEqual([t for t in self.srv.list_all_tokens() if t["location"] == "lost-in-a-crash"], [])
        # No token without its key: every active aws token's key is in IAM.
        for t in self.srv.list_all_tokens(kind="aws", status="active"):
            _, _, keys = self.user_state(t["user_name"])
            self.assertEqual(keys.get(t["access_key_id"]), "Active", t)

    def test_restart_reconciles_what_the_crash_left(self):
        # serve's IAM maintenance task reconciles at start-up: intents opened
        # before the new process began are finished or rolled back.
        orphan = self.mint_and_die("kill_before")
        self.assertIsNotNone(self.user_state(orphan))
        data_dir = self.srv.data_dir
        self.srv.stop()
        self.old_servers.append(self.srv)
        type(self).start_server(data_dir=data_dir)
        deadline = time.time() + 30
        while time.time() < deadline and orphan in self.user_names():
            time.sleep(0.2)
        self.assertNotIn(orphan, self.user_names(), self.srv.stderr_text()[-3000:])
        # The pass logs its repairs once it has made them all: the user can be
        # gone from IAM a moment before the line is written.
        while time.time() < deadline and "rolled back half-made user" not in self.srv.stderr_text():
            time.sleep(0.1)
        self.assertIn("rolled back half-made user", self.srv.stderr_text())
        code, report = self.reconcile("--min-age", "0", "--dry-run")
        self.assertEqual((report["repairs"], report["drift"], report["errors"]), ([], [], []), report)

    def test_crash_between_create_user_and_create_access_key(self):
        survivor = self.create(location="made-before-the-crash")["token"]
        orphan = self.mint_and_die("kill_before")
        _, policies, keys = self.user_state(orphan)
        self.assertEqual((list(policies), keys), ([POLICY], {}))  # half made: user + deny, no key
        # A dry run reports without touching; --min-age guards in-flight work.
        code, report = self.reconcile("--dry-run", "--min-age", "0")
        self.assertEqual(code, 0, report)
        self.assertIn(orphan, {f["user_name"] for f in report["drift"]}, report)
        self.assertIsNotNone(self.user_state(orphan))
        code, report = self.reconcile()  # default --min-age 10m: too young to touch
        self.assertIsNotNone(self.user_state(orphan))
        code, report = self.reconcile("--min-age", "0")
        self.assertEqual(code, 0, report)
        self.assertIn(("rolled back half-made user", orphan),
                      {(f["what"], f["user_name"]) for f in report["repairs"]}, report)
        self.assertIsNone(self.user_state(orphan))
        self.assertIsNotNone(self.user_state(survivor["user_name"]))
        code, report = self.reconcile("--min-age", "0")
        self.assertEqual((report["repairs"], report["drift"], report["errors"]), ([], [], []), report)
        self.restart_and_check_no_token_lost()

    def test_crash_after_create_access_key_before_the_token_is_stored(self):
        orphan = self.mint_and_die("kill_after")
        _, _, keys = self.user_state(orphan)
        self.assertEqual(len(keys), 1)  # IAM made the key; its secret died with the server
        code, report = self.reconcile("--min-age", "0")
        self.assertEqual(code, 0, report)
        repaired = {(f["what"], f["user_name"]) for f in report["repairs"]}
        self.assertIn(("deleted key no token holds", orphan), repaired, report)
        self.assertIn(("rolled back half-made user", orphan), repaired, report)
        self.assertIsNone(self.user_state(orphan))
        self.restart_and_check_no_token_lost()


@unittest.skipUnless(BIN and HAVE_SANDBOX, "needs SPACECRAB_BIN, moto_server and boto3")
class IamConfiguredNames(SandboxServerCase):
    """[aws] user_name_templates / path_templates / policy_name: the operator's
    own naming convention, checked in moto's IAM state."""
    AWS_EXTRA = ('pool_size = 0\n'
                 'user_name_templates = ["svc-{purpose}-{env}"]\n'
                 'path_templates = ["/service-accounts/"]\n'
                 'policy_name = "org-guardrail"\n')

    def test_minted_users_follow_the_configured_convention(self):
        names = [self.create(location="srv-%d:/etc/app.env" % i)["token"]["user_name"]
                 for i in range(5)]
        self.assertEqual(len(set(names)), 5, names)
        for name in names:
            self.assertRegex(name, r"^svc-[a-z0-9]+(-[a-z0-9]+)*-[a-z0-9]+$")
            user, policies, keys = self.user_state(name)
            self.assertEqual(user["Path"], "/service-accounts/")
            self.assertEqual(list(policies), ["org-guardrail"])
            self.assertTrue(is_deny_all(policies["org-guardrail"]))
            self.assertEqual(list(keys.values()), ["Active"])
            for word in LURE_WORDS:
                self.assertNotIn(word, name.lower())


if __name__ == "__main__":
    unittest.main()
