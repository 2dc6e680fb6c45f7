"""provider = "aws" with a warm pool: keys are minted ahead of demand in the
AWS sandbox (moto behind the CloudTrail recorder and a fault proxy), so a
token request is answered from the pool without waiting on IAM.

  - the pool fills to `[aws] pool_size`, each pooled key a deny-all IAM user
    with one key, and /metrics shows it;
  - with IAM throttling every call, tokens are still handed out from the
    pool (real keys whose secrets work), the refill's failures are counted,
    and once IAM recovers the pool fills again;
  - a restart keeps the pool (secrets sealed in the store): no new IAM users,
    and the keys handed out afterwards still authenticate;
  - `spacecrab reconcile` sees pooled keys as tracked, not as orphans;
  - with IAM not answering at all while the pool refills, SIGTERM still stops
    the service within seconds (the refill's call is abandoned, not waited out).
"""

import os
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sandbox"))

from harness import BIN  # noqa: E402
from test_iam_provider import HAVE_SANDBOX, POLICY, SandboxServerCase, is_deny_all  # noqa: E402

POOL = 5


def metric(text, name, **labels):
    """The value of one sample in Prometheus text, or None."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all('%s="%s"' % (k, v) in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


@unittest.skipUnless(BIN and HAVE_SANDBOX, "needs SPACECRAB_BIN, boto3 and moto")
class WarmPool(SandboxServerCase):
    AWS_EXTRA = "pool_size = %d\npool_refill_rate = 50\n" % POOL

    def metrics(self):
        r = self.srv.request("GET", "/api/v1/metrics", key=self.srv.admin_key)
        self.assertEqual(r.status, 200, r)
        return r.text

    def wait_ready(self, n, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            ready = metric(self.metrics(), "spacecrab_pool_ready_keys", account="default")
            if ready is not None and ready >= n:
                return ready
            time.sleep(0.2)
        self.fail("pool did not reach %d ready keys; metrics:\n%s\nstderr:\n%s"
                  % (n, self.metrics(), self.srv.stderr_text()[-3000:]))

    def works(self, key_id, secret):
        """Whether moto accepts the key: GetCallerIdentity signed with it."""
        sts = self.sb.client("sts", creds=(key_id, secret), via_proxy=False)
        return sts.get_caller_identity()["Arn"]

    def test_1_pool_fills_with_deny_all_users(self):
        self.wait_ready(POOL)
        text = self.metrics()
        self.assertEqual(metric(text, "spacecrab_pool_target_keys", account="default"), POOL)
        self.assertGreaterEqual(metric(text, "spacecrab_pool_minted_total", account="default"), POOL)
        pooled = 0
        for name in self.user_names():
            user, policies, keys = self.user_state(name)
            if POLICY not in policies:
                continue  # the sandbox's own admin
            pooled += 1
            self.assertTrue(is_deny_all(policies[POLICY]), name)
            self.assertEqual(list(keys.values()), ["Active"], name)
        self.assertGreaterEqual(pooled, POOL)
        # The start-up reconcile left the refill's first mints alone.
        self.assertNotIn("rolled back", self.srv.stderr_text())

    def test_2_handout_from_pool_while_iam_throttles(self):
        self.wait_ready(POOL)
        users_before = self.user_names()
        for action in ("CreateUser", "PutUserPolicy", "CreateAccessKey"):
            self.fp.add(action, "throttle", times=None)
        try:
            issued = []
            for i in range(POOL):
                issued.append(self.create(location="ci/runner-%d/.aws/credentials" % i))
            for item in issued:
                tok, creds = item["token"], item["credentials"]
                # Answered from the pool (IAM refuses every mint now): the
                # key existed before the request.
                self.assertIn(tok["user_name"], users_before)
                self.assertIn(tok["user_name"], self.works(tok["access_key_id"], creds["secret_access_key"]))
            # The refill keeps trying and says so.
            deadline = time.time() + 30
            while time.time() < deadline:
                errors = metric(self.metrics(), "spacecrab_pool_refill_errors_total", account="default")
                if errors and errors > 0:
                    break
                time.sleep(0.3)
            self.assertGreater(errors or 0, 0)
            text = self.metrics()
            self.assertEqual(metric(text, "spacecrab_pool_handouts_total", account="default", **{"from": "pool"}),
                             POOL)
            self.assertEqual(metric(text, "spacecrab_pool_handouts_total", account="default",
                                    **{"from": "on_demand"}), 0)
        finally:
            self.fp.clear()
        self.wait_ready(POOL)  # IAM is back: the pool fills again

    def test_3_restart_keeps_the_pool(self):
        self.wait_ready(POOL)
        users_before = self.user_names()
        data_dir = self.srv.data_dir
        self.assertEqual(self.srv.stop(), 0)
        self.old_servers.append(self.srv)
        type(self).start_server(data_dir=data_dir)
        self.wait_ready(POOL, timeout=10)
        self.assertEqual(self.user_names(), users_before, "the restart minted new keys")
        item = self.create(location="laptop-9/.aws/credentials")
        tok, secret = item["token"], item["credentials"]["secret_access_key"]
        self.assertIn(tok["user_name"], users_before)
        self.assertIn(tok["user_name"], self.works(tok["access_key_id"], secret))
        with self.assertRaises(Exception):  # the sandbox checks signatures
            self.works(tok["access_key_id"], secret[:-1] + ("A" if secret[-1] != "A" else "B"))
        # Nothing about the pool's secrets is in the database in plain text.
        db = os.path.join(data_dir, "spacecrab.db")
        with open(db, "rb") as f:
            raw = f.read()
        for path in (db + "-wal",):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    raw += f.read()
        self.assertNotIn(secret.encode(), raw)

    def test_4_reconcile_counts_pooled_keys_as_tracked(self):
        self.wait_ready(POOL)
        code, report = self.reconcile("--min-age", "0", "--dry-run")
        self.assertEqual(code, 0, report)
        for finding in report.get("drift", []):
            self.assertNotIn("untracked", finding.get("what", ""), finding)

    def test_5_sigterm_is_prompt_while_iam_does_not_answer(self):
        self.wait_ready(POOL)
        moto = self.sb._moto.proc
        moto.send_signal(signal.SIGSTOP)  # IAM accepts connections, never answers
        try:
            self.create(location="laptop-10/.aws/credentials")  # the refill now waits on IAM
            time.sleep(1.5)
            started = time.time()
            self.srv.proc.send_signal(signal.SIGTERM)
            try:
                code = self.srv.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.fail("serve still running 15 s after SIGTERM (IAM call timeouts are 30 s)")
            self.assertEqual(code, 0, self.srv.stderr_text()[-2000:])
            self.assertLess(time.time() - started, 15)
        finally:
            moto.send_signal(signal.SIGCONT)


if __name__ == "__main__":
    unittest.main()
