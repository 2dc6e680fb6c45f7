"""`spacecrab ingest s3://...` against moto_server with signature checks on:
ground truth through S3, a wrong secret refused, late files with older
names picked up on resume, and SIGKILL mid-bucket then resume."""

import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.environ.get("SPACECRAB_SOURCE_DIR", "../.."), "bench", "ingest"))
import gen_trail  # noqa: E402
import trail_testlib as lib  # noqa: E402

ACCOUNTS = ["111122223333", "222233334444"]


@unittest.skipUnless(lib.BIN and shutil.which("moto_server"), "needs SPACECRAB_BIN and moto_server")
class IngestS3(unittest.TestCase):
    def setUp(self):
        self.moto = lib.Moto()
        self.ws = lib.Workspace()
        self.tokens = gen_trail.make_tokens(30, ACCOUNTS, seed=3)
        self.ws.seed_tokens(self.tokens)
        self.trail = os.path.join(self.ws.dir, "trail")

    def tearDown(self):
        self.ws.close()
        self.moto.stop()

    def bucket_with(self, truth_kw):
        truth = gen_trail.generate(self.trail, self.tokens, **truth_kw)
        self.moto.s3.create_bucket(Bucket="org-trail")
        self.moto.upload_tree("org-trail", self.trail)
        return truth

    def test_ground_truth_through_s3(self):
        truth = self.bucket_with(dict(size_mb=3, uses=50, seed=21, records_per_file=150))
        out = self.ws.ingest_json(self, "s3://org-trail/", env=self.moto.env())
        self.assertEqual(out["quarantined"], 0)
        self.assertEqual(out["files"], truth["files"] - 2)  # digest and insight never fetched
        self.assertEqual({e for e, _ in self.ws.events()}, set(truth["use_event_ids"]))
        self.assertEqual(self.ws.token_counts(), truth["per_token"])
        # A prefix at account level works too, and finds nothing new.
        acct = ACCOUNTS[0]
        again = self.ws.ingest_json(self, "s3://org-trail/AWSLogs/%s/" % acct, env=self.moto.env())
        self.assertEqual(again["new_detections"], 0)
        self.assertGreater(again["files"], 0)

    def test_wrong_secret_is_refused(self):
        self.bucket_with(dict(size_mb=0.2, uses=2, seed=2))
        r = self.ws.ingest("s3://org-trail/", env=self.moto.env(secret="x" * 40))
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"403", r.stderr)
        self.assertEqual(self.ws.events(), [])

    def test_late_file_with_older_name_is_read_on_resume(self):
        truth = self.bucket_with(dict(size_mb=1, uses=10, seed=4, records_per_file=100, digests=False))
        first = self.ws.ingest_json(self, "s3://org-trail/", env=self.moto.env(), extra=("--resume",))
        self.assertEqual(first["new_detections"], len(truth["use_event_ids"]))
        # Nothing new: the checkpoint means nothing is re-read.
        idle = self.ws.ingest_json(self, "s3://org-trail/", env=self.moto.env(), extra=("--resume",))
        self.assertEqual(idle["files"], 0)
        # A file delivered late, named for a time before files already read.
        tok = self.tokens[2]
        rng = gen_trail.random.Random(9)
        t = gen_trail.dt.datetime(2024, 5, 1, 0, 1)
        use = gen_trail.record(rng, t, tok["account_id"], "us-east-1",
                               gen_trail._ident("IAMUser", tok["account_id"], tok["user_name"], tok["access_key_id"]),
                               event_id="late-use")
        late = os.path.join(self.ws.dir, "late")
        path = gen_trail.Trail(late).path(tok["account_id"], "us-east-1", t, rng)
        gen_trail.Trail(late).write(path, [use])
        self.moto.upload_tree("org-trail", late)
        again = self.ws.ingest_json(self, "s3://org-trail/", env=self.moto.env(), extra=("--resume",))
        self.assertEqual(again["files"], 1)
        self.assertEqual(again["new_detections"], 1)
        self.assertIn("late-use", {e for e, _ in self.ws.events()})

    def test_sigkill_mid_bucket_then_resume_records_every_use_once(self):
        truth = self.bucket_with(dict(size_mb=12, uses=120, seed=8, records_per_file=100))
        proc = subprocess.Popen(self.ws.ingest_cmd("s3://org-trail/", extra=("--resume",)), env=self.moto.env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            try:
                if len(self.ws.events()) > 0:
                    break
            except Exception:
                pass
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        self.assertLess(len(self.ws.events()), len(truth["use_event_ids"]), "finished before the kill")
        out = self.ws.ingest_json(self, "s3://org-trail/", env=self.moto.env(), extra=("--resume",))
        self.assertLess(out["files"], truth["files"] - 2)  # resumed, not restarted
        ids = [e for e, _ in self.ws.events()]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(set(ids), set(truth["use_event_ids"]))
        self.assertEqual(self.ws.token_counts(), truth["per_token"])


if __name__ == "__main__":
    unittest.main()


@unittest.skipUnless(lib.BIN and shutil.which("moto_server"), "needs SPACECRAB_BIN and moto_server")
class ServePollsS3(unittest.TestCase):
    """`spacecrab serve` with [ingest] s3: polls the bucket, survives SIGKILL
    mid-bucket, and after restart every use is recorded exactly once."""

    def setUp(self):
        self.moto = lib.Moto()
        self.ws = lib.Workspace()
        self.tokens = gen_trail.make_tokens(20, ACCOUNTS, seed=12)
        self.ws.seed_tokens(self.tokens)
        self.proc = None

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.ws.close()
        self.moto.stop()

    def serve(self):
        env = self.moto.env()
        env.update(SPACECRAB_INGEST_S3="s3://org-trail/AWSLogs/", SPACECRAB_INGEST_POLL_SECONDS="1")
        self.proc = subprocess.Popen([lib.BIN, "serve", "--config", self.ws.config], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_for(self, n, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if len(self.ws.events()) >= n:
                    return True
            except Exception:
                pass
            if self.proc.poll() is not None:
                self.fail("serve exited with %s" % self.proc.returncode)
            time.sleep(0.05)
        return False

    def test_sigkill_mid_bucket_then_restart(self):
        trail = os.path.join(self.ws.dir, "trail")
        truth = gen_trail.generate(trail, self.tokens, size_mb=12, uses=120, seed=31, records_per_file=100)
        self.moto.s3.create_bucket(Bucket="org-trail")
        self.moto.upload_tree("org-trail", trail)
        self.serve()
        self.assertTrue(self.wait_for(1), "no use recorded by the poller")
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        self.assertLess(len(self.ws.events()), len(truth["use_event_ids"]), "finished before the kill")
        self.serve()
        self.assertTrue(self.wait_for(len(truth["use_event_ids"])), "not every use recorded after restart")
        time.sleep(2.5)  # two more polls: nothing may be recorded twice
        ids = [e for e, _ in self.ws.events()]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(set(ids), set(truth["use_event_ids"]))
        self.assertEqual(self.ws.token_counts(), truth["per_token"])
        # A late file, named for a time before the newest file of its prefix
        # (but within the lateness window), is picked up by the running poller.
        tok = self.tokens[0]
        rng = gen_trail.random.Random(77)
        leaf = "/%s/CloudTrail/us-east-1/" % tok["account_id"]
        newest = max(gen_trail.dt.datetime.strptime(os.path.basename(p).split("_")[3], "%Y%m%dT%H%MZ")
                     for p in truth["file_paths"] if leaf in p)
        t = newest - gen_trail.dt.timedelta(minutes=7)
        use = gen_trail.record(rng, t, tok["account_id"], "us-east-1",
                               gen_trail._ident("IAMUser", tok["account_id"], tok["user_name"], tok["access_key_id"]),
                               event_id="late-serve-use")
        late = os.path.join(self.ws.dir, "late")
        gen_trail.Trail(late).write(gen_trail.Trail(late).path(tok["account_id"], "us-east-1", t, rng), [use])
        self.moto.upload_tree("org-trail", late)
        self.assertTrue(self.wait_for(len(truth["use_event_ids"]) + 1, timeout=30), "late file not read")
