"""Push endpoints on a running `spacecrab serve`: EventBridge, CloudWatch Logs
(subscription payload and Firehose HTTP endpoint delivery), CloudTrail
documents. Tokens are created through the real API after the server started
(so the key index must follow them without a restart); uses are recorded
once across push and `spacecrab ingest` of the same records."""

import base64
import gzip
import json
import os
import sqlite3
import sys
import unittest

import requests

sys.path.insert(0, os.path.join(os.environ.get("SPACECRAB_SOURCE_DIR", "../.."), "bench", "ingest"))
import cli_harness  # noqa: E402
import gen_trail  # noqa: E402

RNG = gen_trail.random.Random(5)
T0 = gen_trail.dt.datetime(2024, 5, 1, 12, 0)


def use(tok, event_id, key=True):
    ident = gen_trail._ident("IAMUser", tok["account_id"], tok["user_name"], tok["access_key_id"] if key else "")
    return gen_trail.record(RNG, T0, tok["account_id"], "us-east-1", ident, event_id=event_id)


def lookalikes(tok, prefix):
    admin = gen_trail._ident("IAMUser", tok["account_id"], "admin", gen_trail.key_id(RNG))
    return [
        gen_trail.record(RNG, T0, tok["account_id"], "us-east-1", admin, "iam.amazonaws.com", "CreateAccessKey",
                         response={"accessKey": {"accessKeyId": tok["access_key_id"], "userName": tok["user_name"]}},
                         event_id=prefix + "-create"),
        gen_trail.record(RNG, T0, "999988887777", "us-east-1",
                         gen_trail._ident("IAMUser", "999988887777", tok["user_name"], ""), event_id=prefix + "-other"),
        gen_trail.record(RNG, T0, tok["account_id"], "us-east-1",
                         gen_trail._ident("AWSService", tok["account_id"], "ec2.amazonaws.com", ""),
                         request={"accessKeyId": tok["access_key_id"]}, event_id=prefix + "-service"),
    ]


def cwl_data(records, message_type="DATA_MESSAGE"):
    payload = {"messageType": message_type, "owner": "111122223333", "logGroup": "trail", "logStream": "s",
               "subscriptionFilters": ["all"],
               "logEvents": [{"id": str(i), "timestamp": 1, "message": json.dumps(r)} for i, r in enumerate(records)]}
    return base64.b64encode(gzip.compress(json.dumps(payload).encode())).decode()


@unittest.skipUnless(cli_harness.BIN, "SPACECRAB_BIN not set")
class IngestPush(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = cli_harness.Deployment().start()
        cls.key = cls.d.init["api_key"]
        cls.auth = {"Authorization": "Bearer " + cls.key}
        r = requests.post(cls.d.addr + "/api/v1/tokens", headers=cls.auth, timeout=30,
                          json={"location": "push-test", "owner": "tests", "count": 3})
        assert r.status_code in (200, 201), r.text
        cls.tokens = []
        for item in r.json()["items"]:
            t = item["token"]
            cls.tokens.append({"token_id": t["id"], "access_key_id": t["access_key_id"],
                               "account_id": t["account_id"], "user_name": t["user_name"]})
        cls.db = os.path.join(cls.d.data_dir, "spacecrab.db")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def post(self, path, body, headers=None, raw=False):
        h = dict(self.auth) if headers is None else headers
        data = body if raw else json.dumps(body).encode()
        return requests.post(self.d.addr + "/api/v1/ingest/" + path, data=data, headers=h, timeout=30)

    def event_ids(self):
        con = sqlite3.connect(self.db, timeout=30)
        try:
            return {r[0] for r in con.execute("SELECT id FROM events")}
        finally:
            con.close()

    def event_count(self, token_id):
        r = requests.get(self.d.addr + "/api/v1/tokens/" + token_id, headers=self.auth, timeout=30)
        body = r.json()
        return (body.get("token") or body)["event_count"]

    def test_eventbridge(self):
        tok = self.tokens[0]
        env = {"version": "0", "id": "1", "detail-type": "AWS API Call via CloudTrail", "source": "aws.sts",
               "detail": use(tok, "eb-use-1")}
        r = self.post("eventbridge", env)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["new_detections"], 1)
        self.assertEqual(self.post("eventbridge", env).json()["new_detections"], 0)  # duplicate
        for rec in lookalikes(tok, "eb"):
            r = self.post("eventbridge", dict(env, detail=rec))
            self.assertEqual(r.json()["detections"], 0, rec["eventID"])
        self.assertIn("eb-use-1", self.event_ids())
        self.assertEqual(self.post("eventbridge", env, headers={}).status_code, 401)
        self.assertEqual(self.post("eventbridge", env, headers={"Authorization": "Bearer sck_wrong"}).status_code, 401)
        bad = self.post("eventbridge", b'{"detail": {"eventID": ', raw=True)
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.headers["Content-Type"].split(";")[0], "application/problem+json")

    def test_cloudwatch_subscription_and_firehose(self):
        tok = self.tokens[1]
        fh = {"X-Amz-Firehose-Access-Key": self.key}
        r = self.post("cloudwatch", {"awslogs": {"data": cwl_data([use(tok, "cw-use-1")] + lookalikes(tok, "cw"))}},
                      headers=fh)
        self.assertEqual(r.status_code, 200, r.text)  # answered as to Firehose: it carries its header
        ids = self.event_ids()
        self.assertIn("cw-use-1", ids)
        self.assertFalse({"cw-create", "cw-other", "cw-service"} & ids)
        delivery = {"requestId": "fh-req-1", "timestamp": 1714564800000,
                    "records": [{"data": cwl_data([use(tok, "fh-use-1"), use(tok, "fh-console", key=False)])},
                                {"data": cwl_data([], "CONTROL_MESSAGE")}]}
        headers = {"X-Amz-Firehose-Access-Key": self.key, "X-Amz-Firehose-Request-Id": "fh-req-1",
                   "Content-Type": "application/json"}
        r = self.post("cloudwatch", delivery, headers=headers)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["requestId"], "fh-req-1")
        self.assertIsInstance(r.json()["timestamp"], int)
        self.assertTrue({"fh-use-1", "fh-console"} <= self.event_ids())
        r = self.post("cloudwatch", delivery, headers=dict(headers, **{"X-Amz-Firehose-Access-Key": "nope"}))
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json()["requestId"], "fh-req-1")
        self.assertIn("errorMessage", r.json())

    def test_cloudtrail_document_and_dedup_with_file_ingest(self):
        tok = self.tokens[2]
        before = self.event_count(tok["token_id"])
        doc = {"Records": [use(tok, "ct-use-1"), use(tok, "ct-use-2")] + lookalikes(tok, "ct")}
        r = self.post("cloudtrail", gzip.compress(json.dumps(doc).encode()), raw=True,
                      headers=dict(self.auth, **{"Content-Type": "application/octet-stream"}))
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["new_detections"], 2)
        self.assertEqual(self.event_count(tok["token_id"]), before + 2)
        # The same records arriving by the polling path collapse on eventID.
        path = os.path.join(self.d.dir, "same.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        out = cli_harness.run(["ingest", "--config", self.d.config, "--json", path])
        self.assertEqual(out.returncode, 0, out.stderr)
        summary = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertEqual((summary["detections"], summary["new_detections"]), (2, 0))
        self.assertEqual(self.event_count(tok["token_id"]), before + 2)
        truncated = self.post("cloudtrail", json.dumps(doc).encode()[:-5], raw=True)
        self.assertEqual(truncated.status_code, 400)

    def test_metrics_expose_ingest_counters(self):
        self.post("eventbridge", {"detail": use(self.tokens[0], "metrics-use")})
        r = requests.get(self.d.addr + "/api/v1/metrics", headers=self.auth, timeout=30)
        self.assertEqual(r.status_code, 200)
        self.assertIn("spacecrab_ingest_push_requests_total", r.text)
        self.assertIn('spacecrab_ingest_quarantined_total{reason="malformed_json"}', r.text)


if __name__ == "__main__":
    unittest.main()
