"""provider = "aws" over an account pool: `[accounts.NAME]` tables, each reached by
assuming a role with STS (moto keeps one IAM per account, so what lands where is
checked in each account's own IAM).

  - placement respects each account's capacity (`max_users`) and says so
    when every account is full;
  - revoke goes to the token's own account;
  - one account failing (its role loses its permissions) does not stop
    handouts: they land in the other, and /metrics shows the failed one;
  - `spacecrab reconcile` and `spacecrab doctor` cover every account.
"""

import json
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sandbox"))

from harness import BIN, SpacecrabServer  # noqa: E402

try:
    import boto3  # noqa: E402
    from moto_process import MotoProcess, moto_available  # noqa: E402
    HAVE_MOTO = moto_available()
except ImportError:
    HAVE_MOTO = False

ACCOUNTS = {"blue": "111111111111", "green": "222222222222"}
ROLE = "key-admin"
ALLOW_ALL = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})
BOOTSTRAP_ACTIONS = 3 + 3 * len(ACCOUNTS)  # admin user; per account AssumeRole, CreateRole, PutRolePolicy


def role_arn(account):
    return "arn:aws:iam::%s:role/%s" % (account, ROLE)


class AccountPoolCase(unittest.TestCase):
    MAX_USERS = {}        # account name -> max_users
    POOL_SIZE = 0

    @classmethod
    def setUpClass(cls):
        cls.moto = MotoProcess(no_auth_actions=BOOTSTRAP_ACTIONS).start()
        anon = cls.client("iam", ("AKIAIOSFODNN7EXAMPLE", "x" * 40))
        anon.create_user(UserName="ops")
        anon.put_user_policy(UserName="ops", PolicyName="all", PolicyDocument=ALLOW_ALL)
        key = anon.create_access_key(UserName="ops")["AccessKey"]
        cls.admin = (key["AccessKeyId"], key["SecretAccessKey"])
        for account in ACCOUNTS.values():
            iam = cls.in_account(account)
            iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=TRUST)
            iam.put_role_policy(RoleName=ROLE, PolicyName="all", PolicyDocument=ALLOW_ALL)
        extra = '[provider]\ntype = "aws"\n\n[aws]\nendpoint_url = "%s"\nregion = "us-east-1"\npool_size = %d\n' % (
            cls.moto.endpoint, cls.POOL_SIZE)
        for name, account in ACCOUNTS.items():
            extra += '\n[accounts.%s]\nrole_arn = "%s"\n' % (name, role_arn(account))
            if name in cls.MAX_USERS:
                extra += "max_users = %d\n" % cls.MAX_USERS[name]
        env = {"AWS_ACCESS_KEY_ID": cls.admin[0], "AWS_SECRET_ACCESS_KEY": cls.admin[1],
               "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
        cls.srv = SpacecrabServer(extra_config=extra, env=env).start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()
        cls.moto.stop()

    @classmethod
    def client(cls, service, creds):
        return boto3.client(service, endpoint_url=cls.moto.endpoint, region_name="us-east-1",
                            aws_access_key_id=creds[0], aws_secret_access_key=creds[1])

    @classmethod
    def in_account(cls, account):
        """IAM of `account`, through the role (moto: AssumeRole picks the account)."""
        sts = cls.client("sts", cls.admin)
        c = sts.assume_role(RoleArn=role_arn(account), RoleSessionName="check")["Credentials"]
        return boto3.client("iam", endpoint_url=cls.moto.endpoint, region_name="us-east-1",
                            aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                            aws_session_token=c["SessionToken"])

    def users_in(self, account):
        return {u["UserName"] for u in self.in_account(account).list_users()["Users"]}

    def create(self, expect=201, **fields):
        fields.setdefault("location", "build-agent-7:/etc/ci/aws.env")
        r = self.srv.request("POST", "/api/v1/tokens", key=self.srv.admin_key, json_body=fields)
        self.assertEqual(r.status, expect, r)
        return r.json()

    def cli(self, *args):
        return subprocess.run([BIN, *args, "--config", self.srv.config_path], env=self.srv.env,
                              capture_output=True, text=True, timeout=120)

    def metrics(self):
        return self.srv.request("GET", "/api/v1/metrics", key=self.srv.admin_key).text


@unittest.skipUnless(BIN and HAVE_MOTO, "needs SPACECRAB_BIN, boto3 and moto")
class Placement(AccountPoolCase):
    MAX_USERS = {"blue": 2, "green": 3}

    def test_1_tokens_fill_each_account_to_its_capacity_then_stop(self):
        tokens = [self.create()["items"][0]["token"] for _ in range(5)]
        by_account = {}
        for t in tokens:
            by_account.setdefault(t["account_id"], set()).add(t["user_name"])
            self.assertTrue(t["arn"].startswith("arn:aws:iam::%s:user/" % t["account_id"]), t)
        self.assertEqual({a: len(u) for a, u in by_account.items()},
                         {ACCOUNTS["blue"]: 2, ACCOUNTS["green"]: 3})
        for name, account in ACCOUNTS.items():
            # Each user really is in the account its token names, and only there.
            self.assertTrue(by_account[account] <= self.users_in(account), name)
        r = self.srv.request("POST", "/api/v1/tokens", key=self.srv.admin_key,
                             json_body={"location": "one-too-many"})
        self.assertGreaterEqual(r.status, 400, r)
        self.assertIn("full", r.text)
        text = self.metrics()
        self.assertIn('spacecrab_account_users{account="blue",account_id="111111111111"} 2', text)
        self.assertIn('spacecrab_account_user_limit{account="green",account_id="222222222222"} 3', text)

    def test_2_revoke_goes_to_the_tokens_own_account(self):
        r = self.srv.request("GET", "/api/v1/tokens?limit=100", key=self.srv.admin_key)
        tok = next(t for t in r.json()["items"] if t["account_id"] == ACCOUNTS["blue"])
        r = self.srv.request("POST", "/api/v1/tokens/%s/revoke" % tok["id"], key=self.srv.admin_key)
        self.assertEqual(r.status, 200, r)
        keys = self.in_account(ACCOUNTS["blue"]).list_access_keys(UserName=tok["user_name"])
        self.assertEqual([k["Status"] for k in keys["AccessKeyMetadata"]], ["Inactive"])

    def test_3_reconcile_and_doctor_cover_every_account(self):
        r = self.cli("reconcile", "--json", "--min-age", "0", "--dry-run")
        self.assertEqual(r.returncode, 0, r.stderr)
        report = json.loads(r.stdout)
        self.assertEqual({a["name"]: a["account_id"] for a in report["accounts"]},
                         {"blue": ACCOUNTS["blue"], "green": ACCOUNTS["green"]})
        self.assertTrue(all(a["clean"] for a in report["accounts"]), report)
        self.assertEqual(report["tokens_examined"], 5)
        r = self.cli("doctor", "--json")
        checks = {c["name"]: c for c in json.loads(r.stdout)["checks"]}
        for name, account in ACCOUNTS.items():
            self.assertTrue(checks["[%s] aws identity" % name]["ok"], checks)
            self.assertIn(account, checks["[%s] aws identity" % name]["detail"])


@unittest.skipUnless(BIN and HAVE_MOTO, "needs SPACECRAB_BIN, boto3 and moto")
class OneAccountFails(AccountPoolCase):
    def test_handouts_go_on_in_the_other_account(self):
        # Someone removes blue's role permissions: every IAM call there is
        # denied. Blue comes first in the config (it wins ties), so each
        # handout below would go there if failures were not handled.
        self.in_account(ACCOUNTS["blue"]).delete_role_policy(RoleName=ROLE, PolicyName="all")
        tokens = [self.create()["items"][0]["token"] for _ in range(4)]
        self.assertEqual({t["account_id"] for t in tokens}, {ACCOUNTS["green"]})
        text = self.metrics()
        self.assertIn('spacecrab_account_healthy{account="blue",account_id="111111111111"} 0', text)
        self.assertIn('spacecrab_account_healthy{account="green",account_id="222222222222"} 1', text)


if __name__ == "__main__":
    unittest.main()
