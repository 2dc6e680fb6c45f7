"""Enrichment at detection time and the report, through the real binary:
`spacecrab ingest` stores country / Tor / cloud / tool on every detected
event (and `--no-enrich` does not), an explicitly configured data file that
is missing stops it with a clear error, and `spacecrab report` / GET
/api/v1/report on a running server show the placements and the attackers."""

import datetime as dt
import gzip
import json
import os
import sqlite3
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("SPACECRAB_SOURCE_DIR", os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE_DIR, "bench", "ingest"))
sys.path.insert(0, HERE)
import trail_testlib as lib  # noqa: E402
import harness  # noqa: E402

DATA = os.path.join(SOURCE_DIR, "tests", "data", "enrich")
ACCOUNT = "111122223333"
TOR_EXIT = "23.129.64.132"  # in tests/data/enrich/tor-exit-addresses.txt; US in Tor's GeoIP file
EC2 = "18.236.73.93"        # EC2 us-west-2 in the ip-ranges sample
CLI_UA = "aws-cli/2.4.23 Python/3.8.8 Windows/10 exe/AMD64 prompt/off command/iam.list-users"
ENRICH_TOML = '[enrich]\ntor_exit_list = "%s"\ncloud_ranges = "%s"\n' % (
    os.path.join(DATA, "tor-exit-addresses.txt"), os.path.join(DATA, "aws-ip-ranges-sample.json"))


def use_record(key, user, event_id, when, ip, ua, source="iam.amazonaws.com", name="ListUsers", account=ACCOUNT):
    return {"eventVersion": "1.09",
            "userIdentity": {"type": "IAMUser", "principalId": "AIDA" + key[4:], "accountId": account,
                             "arn": "arn:aws:iam::%s:user/%s" % (account, user), "userName": user,
                             "accessKeyId": key},
            "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "eventSource": source, "eventName": name,
            "awsRegion": "us-east-1", "sourceIPAddress": ip, "userAgent": ua, "requestParameters": None,
            "responseElements": None, "requestID": "req-" + event_id, "eventID": event_id, "readOnly": True,
            "eventType": "AwsApiCall", "recipientAccountId": account}


def write_trail(path, records):
    with gzip.open(path, "wt") as f:
        json.dump({"Records": records}, f)


@unittest.skipUnless(lib.BIN, "SPACECRAB_BIN not set")
class IngestEnrichment(unittest.TestCase):
    TOKEN = {"token_id": "tok_01HENRICH0000000000000001", "access_key_id": "AKIAQAAAAAAAAAAAAAAB",
             "account_id": ACCOUNT, "user_name": "svc-backup"}

    def workspace(self, toml=ENRICH_TOML):
        ws = lib.Workspace(toml)
        self.addCleanup(ws.close)
        ws.seed_tokens([self.TOKEN])
        trail = os.path.join(ws.dir, "trail")
        os.makedirs(trail)
        t0 = dt.datetime(2024, 5, 1, 12, 0, 0)
        write_trail(os.path.join(trail, "a.json.gz"), [
            use_record(self.TOKEN["access_key_id"], "svc-backup", "use-tor", t0, TOR_EXIT, CLI_UA),
            use_record(self.TOKEN["access_key_id"], "svc-backup", "use-ec2", t0, EC2, "python-requests/2.27.1",
                       source="sts.amazonaws.com", name="GetCallerIdentity"),
            use_record(self.TOKEN["access_key_id"], "svc-backup", "use-v6", t0,
                       "2001:67c:e60:c0c:192:42:116:16", "curl/8.4.0"),
        ])
        return ws, trail

    def stored_enrichment(self, ws):
        con = sqlite3.connect(ws.db, timeout=30)
        rows = dict(con.execute("SELECT id, enrichment_json FROM events").fetchall())
        con.close()
        return {k: json.loads(v) for k, v in rows.items()}

    def test_ingest_stores_enrichment_on_every_detection(self):
        ws, trail = self.workspace()
        out = ws.ingest_json(self, trail)
        self.assertEqual(out["new_detections"], 3)
        e = self.stored_enrichment(ws)
        self.assertEqual(e["use-tor"]["country"], "US")
        self.assertTrue(e["use-tor"]["tor_exit"])
        self.assertEqual(e["use-tor"]["tool"]["family"], "aws-cli")
        self.assertEqual(e["use-tor"]["tool"]["command"], "iam.list-users")
        self.assertEqual(e["use-ec2"]["cloud"], {"provider": "aws", "service": "EC2", "region": "us-west-2",
                                                 "prefix": e["use-ec2"]["cloud"]["prefix"]})
        self.assertFalse(e["use-ec2"]["tor_exit"])
        self.assertEqual(e["use-v6"]["ip_version"], 6)
        self.assertEqual(e["use-v6"]["country"], "NL")
        self.assertTrue(e["use-v6"]["tor_exit"])

    def test_no_enrich_switch_stores_plain_events(self):
        ws, trail = self.workspace()
        out = ws.ingest_json(self, trail, extra=("--no-enrich",))
        self.assertEqual(out["new_detections"], 3)
        self.assertEqual(set(map(json.dumps, self.stored_enrichment(ws).values())), {"{}"})

    def test_missing_configured_file_is_a_clear_start_up_error(self):
        ws, trail = self.workspace()
        with open(ws.config) as f:
            text = f.read()
        with open(ws.config, "w") as f:
            f.write(text.replace(os.path.join(DATA, "tor-exit-addresses.txt"), "/nonexistent/exits.txt"))
        r = ws.ingest(trail)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(b"/nonexistent/exits.txt", r.stderr)
        self.assertIn(b"[enrich]", r.stderr)
        self.assertEqual(ws.events(), [])

    def test_corrupt_configured_file_names_file_and_line(self):
        ws, trail = self.workspace()
        bad = os.path.join(ws.dir, "ip-ranges.json")
        with open(bad, "w") as f:
            f.write('{"prefixes": [{"ip_prefix": "not-a-prefix", "region": "x", "service": "EC2"}]}')
        with open(ws.config) as f:
            text = f.read()
        with open(ws.config, "w") as f:
            f.write(text.replace(os.path.join(DATA, "aws-ip-ranges-sample.json"), bad))
        r = ws.ingest(trail)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(bad.encode(), r.stderr)
        self.assertIn(b"not-a-prefix", r.stderr)

    def test_absent_default_tor_geoip_only_degrades(self):
        # The defaults point at Debian's files; pointing them elsewhere explicitly is an
        # error, but leaving them out (empty) just switches country lookups off.
        ws, trail = self.workspace(ENRICH_TOML + 'geoip_v4 = ""\ngeoip_v6 = ""\n')
        out = ws.ingest_json(self, trail)
        self.assertEqual(out["new_detections"], 3)
        e = self.stored_enrichment(ws)
        self.assertIsNone(e["use-tor"]["country"])
        self.assertTrue(e["use-tor"]["tor_exit"])


@unittest.skipUnless(harness.BIN, "SPACECRAB_BIN not set")
class ReportCommand(unittest.TestCase):
    """Two placements like the original experiment (public git: most keys used within
    the hour; paste site: few, a day later), ingested, then reported."""

    def setUp(self):
        self.server = harness.SpacecrabServer(extra_config=ENRICH_TOML).start()
        self.addCleanup(self.server.cleanup)
        planted = dt.datetime(2026, 3, 1, 0, 0, 0)
        self.planted = planted
        gh = self.server.create_tokens(location="github/org/repo", count=10, planted_at="2026-03-01T00:00:00Z")
        pb = self.server.create_tokens(location="pastebin/abc", count=10, planted_at="2026-03-01T00:00:00Z")
        records = []
        for i, item in enumerate(gh[:8]):
            t = item["token"]
            records.append(use_record(t["access_key_id"], t["user_name"], "gh-%d" % i,
                                      planted + dt.timedelta(minutes=28 + i // 2), TOR_EXIT, "python-requests/2.27.1",
                                      source="sts.amazonaws.com", name="GetCallerIdentity", account=t["account_id"]))
        for i, item in enumerate(pb[:1]):
            t = item["token"]
            records.append(use_record(t["access_key_id"], t["user_name"], "pb-%d" % i,
                                      planted + dt.timedelta(hours=20), EC2, CLI_UA, account=t["account_id"]))
        trail = os.path.join(self.server.dir, "trail")
        os.makedirs(trail)
        write_trail(os.path.join(trail, "uses.json.gz"), records)
        r = subprocess.run([harness.BIN, "ingest", "--config", self.server.config_path, "--json", "--no-progress",
                            trail], env=self.server.env, capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout.splitlines()[-1])["new_detections"], 9)
        self.reader = self.server.create_api_key("read")["api_key"]

    def cli(self, *args):
        env = dict(self.server.env, SPACECRAB_ADDR=self.server.addr, SPACECRAB_API_KEY=self.reader)
        return subprocess.run([harness.BIN, "report", *args], env=env, capture_output=True, text=True, timeout=60)

    def test_api_report_shows_shares_delays_and_attackers(self):
        r = self.server.request("GET", "/api/v1/report", key=self.reader)
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        places = {p["placement"]: p for p in doc["placements"]}
        self.assertEqual((places["github"]["planted"], places["github"]["used"]), (10, 8))
        self.assertEqual(places["github"]["share_used"], 0.8)
        self.assertEqual((places["pastebin"]["planted"], places["pastebin"]["used"]), (10, 1))
        self.assertEqual(doc["tor"]["events"], 8)
        self.assertEqual({c["key"] for c in doc["top"]["countries"]}, {"US"})
        self.assertEqual({t["key"] for t in doc["top"]["tools"]}, {"python-requests/2.27.1", "aws-cli/2.4.23"})
        # A window before the paste use leaves it out.
        r = self.server.request("GET", "/api/v1/report?to=2026-03-01T12:00:00Z", key=self.reader)
        self.assertEqual(r.json()["summary"]["events"], 8)
        # Without a key: 401.
        self.assertEqual(self.server.request("GET", "/api/v1/report").status, 401)

    def test_cli_text_json_and_csv(self):
        text = self.cli()
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn("github", text.stdout)
        self.assertIn("80.0%", text.stdout)
        self.assertIn("10.0%", text.stdout)
        self.assertIn(TOR_EXIT, text.stdout)
        js = self.cli("--json", "--from", "2026-03-01T00:00:00Z", "--to", "2026-03-02T00:00:00Z")
        self.assertEqual(js.returncode, 0, js.stderr)
        self.assertEqual(json.loads(js.stdout)["summary"]["events"], 9)
        csv = self.cli("--csv", "countries")
        self.assertEqual(csv.returncode, 0, csv.stderr)
        self.assertTrue(csv.stdout.startswith("key,events,tokens"), csv.stdout)
        self.assertIn("US,9,9,", csv.stdout)
        bad = self.cli("--from", "yesterday")
        self.assertEqual(bad.returncode, 1)
        self.assertIn("from", bad.stderr)

    def test_decoy_endpoint_uses_are_enriched_too(self):
        import boto3
        import time
        item = self.server.create_tokens(location="laptop/L-0042")[0]
        c = item["credentials"]
        sts = boto3.client("sts", aws_access_key_id=c["access_key_id"], aws_secret_access_key=c["secret_access_key"],
                           endpoint_url=c["endpoint_url"], region_name="us-east-1")
        sts.get_caller_identity()
        deadline = time.time() + 15
        events = []
        while time.time() < deadline and not events:
            r = self.server.request("GET", "/api/v1/events?token_id=" + item["token"]["id"], key=self.reader)
            self.assertEqual(r.status, 200, r)
            events = r.json()["items"]
            time.sleep(0.1)
        self.assertEqual(len(events), 1)
        e = events[0]["enrichment"]
        self.assertEqual(e["key_check"], "verified")  # the decoy's own keys are kept
        self.assertEqual(e["ip_version"], 4)
        self.assertIn(e["tool"]["family"], ("boto3", "botocore"))


if __name__ == "__main__":
    unittest.main()
