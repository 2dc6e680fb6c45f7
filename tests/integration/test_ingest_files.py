"""`spacecrab ingest` over local files: generated trails with known ground
truth (uses, look-alikes, duplicates, digest files), the public corpus, bad
files, stdin, and a SIGKILL mid-run."""

import gzip
import json
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


@unittest.skipUnless(lib.BIN, "SPACECRAB_BIN not set")
class IngestFiles(unittest.TestCase):
    def setUp(self):
        self.ws = lib.Workspace()
        self.tokens = gen_trail.make_tokens(30, ACCOUNTS, seed=7)
        self.ws.seed_tokens(self.tokens)
        self.trail = os.path.join(self.ws.dir, "trail")

    def tearDown(self):
        self.ws.close()

    def test_every_use_found_once_and_nothing_else(self):
        truth = gen_trail.generate(self.trail, self.tokens, size_mb=4, uses=60, seed=11)
        self.assertGreater(len(truth["use_event_ids"]), 50)
        out = self.ws.ingest_json(self, self.trail)
        self.assertEqual(out["quarantined"], 0)
        self.assertGreaterEqual(out["skipped"], 2)  # CloudTrail-Digest/ and CloudTrail-Insight/
        self.assertEqual(out["new_detections"], len(truth["use_event_ids"]))
        self.assertGreaterEqual(out["detections"], out["new_detections"])  # duplicates seen, collapsed
        ids = {e for e, _ in self.ws.events()}
        self.assertEqual(ids, set(truth["use_event_ids"]))
        self.assertNotIn("digest-CloudTrail-Digest", ids)
        self.assertEqual(self.ws.token_counts(), truth["per_token"])
        # A re-run (retro-hunt again) records nothing new.
        again = self.ws.ingest_json(self, self.trail)
        self.assertEqual(again["new_detections"], 0)
        self.assertEqual(again["detections"], out["detections"])
        self.assertEqual(self.ws.token_counts(), truth["per_token"])

    def test_public_corpus_parses_cleanly_with_no_detections(self):
        corpus = os.path.join(lib.SOURCE_DIR, "..", "shared", "corpus")
        if not os.path.isdir(corpus):
            self.skipTest("no shared corpus beside the checkout")
        out = self.ws.ingest_json(self, corpus)
        self.assertEqual(out["quarantined"], 0)
        self.assertEqual(out["files"], 4)
        self.assertGreater(out["records"], 10)
        self.assertEqual(out["detections"], 0)
        self.assertEqual(self.ws.events(), [])

    def test_bad_files_are_quarantined_and_good_ones_still_flow(self):
        tok = self.tokens[1]
        good = gen_trail.Trail(self.trail)
        rng = gen_trail.random.Random(3)
        use = gen_trail.record(rng, gen_trail.dt.datetime(2024, 5, 1), tok["account_id"], "us-east-1",
                               gen_trail._ident("IAMUser", tok["account_id"], tok["user_name"], tok["access_key_id"]),
                               event_id="good-use")
        os.makedirs(self.trail, exist_ok=True)
        good.write(os.path.join(self.trail, "a_good.json.gz"), [use])
        blob = gzip.compress(json.dumps({"Records": [use] * 50}).encode())
        with open(os.path.join(self.trail, "b_corrupt.json.gz"), "wb") as f:
            f.write(blob[:len(blob) // 2])  # truncated gzip
        with open(os.path.join(self.trail, "c_truncated.json"), "w") as f:
            f.write(json.dumps({"Records": [use]})[:-3])
        big = dict(use, eventID="big", requestParameters={"pad": "x" * 5000})
        with open(os.path.join(self.trail, "d_big_record.json"), "w") as f:
            json.dump({"Records": [big]}, f)
        with open(os.path.join(self.trail, "e_not_cloudtrail.json"), "w") as f:
            f.write('{"hello": "world"}')
        ws = lib.Workspace(extra_toml="[ingest]\nmax_record_bytes = 4096\n")
        try:
            ws.seed_tokens(self.tokens)
            out = ws.ingest_json(self, self.trail)
            self.assertEqual(out["files"], 5)
            self.assertEqual(out["quarantined"], 4)
            self.assertEqual({e for e, _ in ws.events()}, {"good-use"})
            notes = [n for n in os.listdir(os.path.join(ws.data, "quarantine")) if n.endswith(".reason.json")]
            self.assertEqual(len(notes), 4)
            reasons = []
            for n in notes:
                with open(os.path.join(ws.data, "quarantine", n)) as f:
                    reasons.append(json.load(f)["kind"])
            self.assertEqual(sorted(reasons), ["corrupt_gzip", "malformed_json", "malformed_json", "record_too_large"])
        finally:
            ws.close()

    def test_standard_input(self):
        truth = gen_trail.generate(self.trail, self.tokens, size_mb=0.5, uses=5, seed=5, digests=False,
                                   lookalikes=False, duplicates=0)
        total = set()
        for path in truth["file_paths"]:
            with open(path, "rb") as f:
                out = self.ws.ingest_json(self, "-", input_bytes=f.read())
            self.assertEqual(out["files"], 1)
        total = {e for e, _ in self.ws.events()}
        self.assertEqual(total, set(truth["use_event_ids"]))

    def test_sigkill_mid_run_then_rerun_records_every_use_once(self):
        # Inputs: part one, a FIFO nobody writes to (the run blocks there, part
        # way through), part two. Kill it there, then re-run everything.
        truth = gen_trail.generate(self.trail, self.tokens, size_mb=8, uses=120, seed=13, records_per_file=100)
        logs = sorted(p for p in truth["file_paths"] if "/CloudTrail/" in p)
        half = len(logs) // 2
        part1, part2 = os.path.join(self.ws.dir, "part1"), os.path.join(self.ws.dir, "part2")
        for dest, paths in ((part1, logs[:half]), (part2, logs[half:])):
            os.makedirs(dest)
            for p in paths:
                os.link(p, os.path.join(dest, os.path.basename(p)))
        part1_ids = set()
        for p in logs[:half]:
            with gzip.open(p) as f:
                part1_ids |= {r["eventID"] for r in json.load(f)["Records"]} & set(truth["use_event_ids"])
        fifo = os.path.join(self.ws.dir, "blocked.fifo")
        os.mkfifo(fifo)
        proc = subprocess.Popen(self.ws.ingest_cmd(part1, fifo, part2), env=lib.clean_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 120
            while time.time() < deadline and {e for e, _ in self.ws.events()} != part1_ids:
                self.assertIsNone(proc.poll(), "ingest exited early")
                time.sleep(0.05)
            self.assertEqual({e for e, _ in self.ws.events()}, part1_ids)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        self.assertLess(len(part1_ids), len(truth["use_event_ids"]))
        out = self.ws.ingest_json(self, self.trail)
        self.assertEqual(out["quarantined"], 0)
        ids = [e for e, _ in self.ws.events()]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(set(ids), set(truth["use_event_ids"]))
        self.assertEqual(self.ws.token_counts(), truth["per_token"])

if __name__ == "__main__":
    unittest.main()
