"""REST API integration tests: the real `spacecrab serve` on an ephemeral
127.0.0.1 port, driven over real HTTP (see harness.py)."""

import concurrent.futures
import hashlib
import json
import os
import re
import subprocess
import time
import unittest
from urllib.parse import quote, urlencode

from harness import BIN, SpacecrabServer, account_id_from_access_key_id

TOK = "tok_01JZZZZZZZZZZZZZZZZZZZZZZZ"  # well formed, never issued


def problem(test, reply, status):
    """Asserts `reply` is an application/problem+json error with `status`."""
    test.assertEqual(reply.status, status, reply)
    test.assertTrue(reply.header("Content-Type").startswith("application/problem+json"), reply.headers)
    doc = reply.json()
    for field in ("type", "title", "status", "detail"):
        test.assertIn(field, doc)
    test.assertEqual(doc["status"], status)
    return doc


@unittest.skipUnless(BIN, "SPACECRAB_BIN not set")
class ApiTest(unittest.TestCase):
    def setUp(self):
        self.srv = SpacecrabServer(max_body_bytes=64 * 1024, decoy_account_id="271828182845").start()
        self.addCleanup(self.srv.cleanup)
        self.admin = self.srv.admin_key
        self.assertTrue(self.admin and self.admin.startswith("sck_"))

    def assertServing(self):
        self.assertEqual(self.srv.request("GET", "/api/v1/healthz").status, 200)

    # ---- public endpoints ------------------------------------------------------
    def test_health_ready_and_openapi_need_no_key(self):
        r = self.srv.request("GET", "/api/v1/healthz")
        self.assertEqual((r.status, r.json()), (200, {"status": "ok"}))
        r = self.srv.request("GET", "/api/v1/readyz")
        self.assertEqual((r.status, r.json()), (200, {"status": "ready"}))
        r = self.srv.request("GET", "/api/v1/openapi.json")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["openapi"], "3.0.3")
        problem(self, self.srv.request("GET", "/api/v1/metrics"), 401)

    # ---- authentication and scopes ------------------------------------------------
    def test_wrong_missing_and_revoked_keys_are_401(self):
        r = self.srv.request("GET", "/api/v1/tokens")
        problem(self, r, 401)
        self.assertEqual(r.header("WWW-Authenticate"), 'Bearer realm="api"')
        for bad in ("sck_" + "A" * 43, "sck_short", self.admin[:-1], self.admin + "x", "", "null"):
            r = self.srv.request("GET", "/api/v1/tokens", key=bad)
            problem(self, r, 401)
            self.assertIn("Bearer", r.header("WWW-Authenticate"))
        r = self.srv.request("GET", "/api/v1/tokens", headers={"Authorization": "Basic " + self.admin})
        problem(self, r, 401)
        reader = self.srv.create_api_key("read")
        self.assertEqual(self.srv.request("GET", "/api/v1/tokens", key=reader["api_key"]).status, 200)
        r = self.srv.request("DELETE", "/api/v1/apikeys/" + reader["id"], key=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertIsNotNone(r.json()["revoked_at"])
        problem(self, self.srv.request("GET", "/api/v1/tokens", key=reader["api_key"]), 401)
        listed = self.srv.request("GET", "/api/v1/apikeys", key=self.admin).json()["items"]
        self.assertTrue(all("api_key" not in k and "secret_hash" not in k for k in listed))
        # The last active admin key cannot be revoked (nobody could manage keys any more).
        admin_id = [k["id"] for k in listed if k["scope"] == "admin"][0]
        problem(self, self.srv.request("DELETE", "/api/v1/apikeys/" + admin_id, key=self.admin), 409)

    def test_every_scope(self):
        keys = {s: self.srv.create_api_key(s)["api_key"] for s in ("read", "deploy", "admin")}
        tok = self.srv.create_tokens(location="scope-test")[0]["token"]["id"]
        victim = self.srv.create_api_key("read", "victim")["id"]

        def calls():
            # (method, path, body, minimum scope); bodies valid so only scope decides.
            fresh = self.srv.create_tokens(location="scope-fresh")[0]["token"]["id"]
            return [
                ("GET", "/api/v1/tokens", None, "read"),
                ("GET", "/api/v1/tokens/" + tok, None, "read"),
                ("GET", "/api/v1/metrics", None, "read"),
                ("POST", "/api/v1/tokens", {"location": "x"}, "deploy"),
                ("PATCH", "/api/v1/tokens/" + tok, {"notes": "n"}, "deploy"),
                ("POST", "/api/v1/tokens/%s/rotate" % fresh, None, "deploy"),
                ("POST", "/api/v1/tokens/%s/revoke" % fresh, None, "admin"),
                ("DELETE", "/api/v1/tokens/" + fresh, None, "admin"),
                ("GET", "/api/v1/apikeys", None, "admin"),
                ("POST", "/api/v1/apikeys", {"name": "n", "scope": "read"}, "admin"),
                ("DELETE", "/api/v1/apikeys/" + victim, None, "admin"),
                ("GET", "/api/v1/audit", None, "admin"),
            ]

        rank = {"read": 0, "deploy": 1, "admin": 2}
        for scope in ("read", "deploy", "admin"):
            for method, path, body, need in calls():
                r = self.srv.request(method, path, key=keys[scope], json_body=body)
                if rank[scope] >= rank[need]:
                    self.assertIn(r.status, (200, 201), (scope, method, path, r))
                else:
                    doc = problem(self, r, 403)
                    self.assertIn(need, doc["detail"])
                    self.assertIn("insufficient_scope", r.header("WWW-Authenticate"))
        # Spelled out, as the issue states them:
        problem(self, self.srv.request("GET", "/api/v1/apikeys", key=keys["deploy"]), 403)
        problem(self, self.srv.request("DELETE", "/api/v1/tokens/" + tok, key=keys["deploy"]), 403)
        problem(self, self.srv.request("POST", "/api/v1/tokens", key=keys["read"],
                                       json_body={"location": "x"}), 403)
        self.assertEqual(self.srv.request("GET", "/api/v1/tokens/" + tok, key=keys["read"]).json()["status"],
                         "active")

    # ---- hostile and malformed input ---------------------------------------------
    def test_oversized_and_malformed_bodies_are_refused_and_the_server_keeps_serving(self):
        post = lambda **kw: self.srv.request("POST", "/api/v1/tokens", key=self.admin, **kw)
        big = json.dumps({"location": "x", "notes": "n" * (70 * 1024)})
        problem(self, post(body=big, content_type="application/json"), 413)
        self.assertServing()
        cases = [
            ('{"location": "x"', "body"),
            ("[1,2]", "body"),
            ("", "body"),
            ('{"location": 42}', "location"),
            ('{"location": "x", "count": "5"}', "count"),
            ('{"location": "x", "count": 1.5}', "count"),
            ('{"location": "x", "count": 0}', "count"),
            ('{"location": "x", "count": 1001}', "count"),
            ('{"location": "x", "count": 99999999999999999999999}', "count"),
            ('{"location": "x", "tags": ["a"]}', "tags"),
            ('{"location": "x", "tags": {"a": 1}}', "tags.a"),
            ('{"location": "x", "tags": {"bad key": "v"}}', "tags"),
            ('{"location": "x", "expires_at": "tomorrow"}', "expires_at"),
            ('{"location": "x", "expires_at": "2001-01-01T00:00:00Z"}', "expires_at"),
            ('{"location": "x", "expires_in": "forever"}', "expires_in"),
            ('{"location": "x", "format": "pdf"}', "format"),
            ('{"location": "x", "colour": "red"}', "colour"),
            ('{"owner": "nobody"}', "location"),
            ('{"location": "%s"}' % ("L" * 257), "location"),
            ('{"location": "x", "owner": "%s"}' % ("o" * 257), "owner"),
            ('{"location": "x", "notes": "%s"}' % ("n" * 2049), "notes"),
            ('{"location": "esc\\u001b[31m"}', "location"),
            ('{"location": "nul\\u0000"}', "location"),
            ('{"location": "x", "user_name": "has space"}', "user_name"),
            ('{"location": "x", "tags": {%s}}' % ",".join('"k%d":"v"' % i for i in range(33)), "tags"),
            ('{"location": ' + "[" * 5000 + "]" * 5000 + "}", "body"),
        ]
        for text, field in cases:
            doc = problem(self, post(body=text, content_type="application/json"), 400)
            self.assertIn(field, doc["detail"], (text[:80], doc))
        problem(self, post(body=b'{"location": "\xff\xfe"}', content_type="application/json"), 400)
        problem(self, post(body="location=x", content_type="application/x-www-form-urlencoded"), 415)
        problem(self, self.srv.request("GET", "/api/v1/tokens?colour=red", key=self.admin), 400)
        for q in ("limit=0", "limit=1001", "limit=ten", "status=gone", "kind=gcp", "cursor=nope",
                  "access_key_id=AKIA123", "tag=bad%20key", "limit=5&limit=6"):
            problem(self, self.srv.request("GET", "/api/v1/tokens?" + q, key=self.admin), 400)
        problem(self, self.srv.request("GET", "/api/v1/healthz", body="{}", content_type="application/json"), 400)
        problem(self, self.srv.request("GET", "/api/v1/nothing-here", key=self.admin), 404)
        r = self.srv.request("PUT", "/api/v1/tokens", key=self.admin, json_body={})
        problem(self, r, 405)
        self.assertEqual(r.header("Allow"), "POST, GET")
        problem(self, self.srv.request("GET", "/api/v1/tokens/not-an-id", key=self.admin), 404)
        problem(self, self.srv.request("GET", "/api/v1/tokens/" + TOK, key=self.admin), 404)
        problem(self, self.srv.request("PATCH", "/api/v1/tokens/" + TOK, key=self.admin,
                                       json_body={"notes": "x"}), 404)
        # Garbage on the wire: refused, and the next client is served.
        reply = self.srv.raw(b"THIS IS NOT HTTP\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 400"), reply[:100])
        reply = self.srv.raw(b"POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 200000\r\nConnection: close\r\n\r\n" + b"[" * 200000)
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:100])
        self.assertIn(b"application/problem+json", reply)
        self.assertServing()
        # Nothing was created by any of that.
        self.assertEqual(self.srv.list_all_tokens(), [])

    # ---- tokens -----------------------------------------------------------------------
    def test_create_returns_credentials_once_and_formats(self):
        items = self.srv.create_tokens(location="laptop-0042:~/Downloads", owner="m.garcia",
                                       notes="line 1\nline 2", tags={"os": "macos", "team": "ops"},
                                       format="csv", planted_at="2026-01-02T03:04:05Z")
        self.assertEqual(len(items), 1)
        token, creds = items[0]["token"], items[0]["credentials"]
        self.assertRegex(creds["access_key_id"], r"^AKIA[A-Z2-7]{16}$")
        self.assertRegex(creds["secret_access_key"], r"^[A-Za-z0-9+/]{40}$")
        self.assertEqual(creds["formatted"], "Access key ID,Secret access key\n%s,%s\n" %
                         (creds["access_key_id"], creds["secret_access_key"]))
        self.assertTrue(creds["endpoint_url"].startswith("http://127.0.0.1:"))
        for field in ("id", "kind", "status", "access_key_id", "account_id", "user_name", "arn", "location",
                      "owner", "notes", "tags", "created_at", "issued_at", "planted_at", "expires_at",
                      "first_used_at", "last_used_at", "event_count"):
            self.assertIn(field, token)
        self.assertNotIn("sealed_secret", token)
        self.assertEqual((token["kind"], token["status"], token["account_id"]), ("decoy", "active", "271828182845"))
        self.assertEqual(token["arn"], "arn:aws:iam::271828182845:user/" + token["user_name"])
        self.assertNotRegex(token["user_name"], r"[0-9a-f]{8}-|honey|canary|decoy|trap|token|spacecrab")
        self.assertEqual(token["planted_at"], "2026-01-02T03:04:05Z")
        self.assertRegex(token["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")
        shown = self.srv.request("GET", "/api/v1/tokens/" + token["id"], key=self.admin)
        self.assertEqual(shown.json(), token)
        self.assertNotIn(creds["secret_access_key"], shown.text)
        for fmt in ("json", "aws-credentials", "aws-config", "env", "powershell", "dockerfile", "k8s-secret"):
            c = self.srv.create_tokens(location="fmt", format=fmt)[0]["credentials"]
            self.assertIn(c["secret_access_key"] if fmt != "k8s-secret" else "data", c["formatted"], fmt)
        many = self.srv.create_tokens(location="batch", count=1000)
        self.assertEqual(len(many), 1000)
        self.assertEqual(len({i["credentials"]["access_key_id"] for i in many}), 1000)
        self.assertEqual(len({i["token"]["id"] for i in many}), 1000)

    def test_cursor_paging_and_filters(self):
        self.srv.create_tokens(location="fleet/eu/host", owner="alice", count=130, tags={"env": "prod"})
        self.srv.create_tokens(location="fleet/us/host", owner="bob", count=70, tags={"env": "dev"})
        ci = self.srv.create_tokens(location="ci:repo-x", owner="bob", tags={"env": "prod", "ci": "yes"})
        seen, cursor, pages = [], None, 0
        while True:
            q = "limit=45" + ("&cursor=" + cursor if cursor else "")
            doc = self.srv.request("GET", "/api/v1/tokens?" + q, key=self.admin).json()
            pages += 1
            self.assertLessEqual(len(doc["items"]), 45)
            seen += [t["id"] for t in doc["items"]]
            cursor = doc["next_cursor"]
            if cursor is None:
                break
        self.assertEqual(len(seen), 201)
        self.assertEqual(len(set(seen)), 201)
        self.assertEqual(seen, sorted(seen))  # ids sort by creation
        self.assertEqual(pages, 5)
        count = lambda **f: len(self.srv.list_all_tokens(page_size=50, **f))
        self.assertEqual(count(owner="alice"), 130)
        self.assertEqual(count(owner="bob"), 71)
        self.assertEqual(count(location_prefix="fleet/"), 200)
        self.assertEqual(count(location_prefix="fleet/us"), 70)
        self.assertEqual(count(tag="env=prod"), 131)
        self.assertEqual(count(tag="ci"), 1)
        self.assertEqual(count(kind="decoy"), 201)
        self.assertEqual(count(kind="aws"), 0)
        self.assertEqual(count(owner="bob", tag="env=prod"), 1)
        key_id = ci[0]["token"]["access_key_id"]
        found = self.srv.list_all_tokens(access_key_id=key_id)
        self.assertEqual([t["id"] for t in found], [ci[0]["token"]["id"]])
        self.srv.request("POST", "/api/v1/tokens/%s/revoke" % ci[0]["token"]["id"], key=self.admin)
        self.assertEqual(count(status="revoked"), 1)
        self.assertEqual(count(status="active"), 200)

    def test_update_revoke_delete_tombstone_and_rotate(self):
        token = self.srv.create_tokens(location="vault:vendor-y", owner="secops", expires_in="90d")[0]["token"]
        tid = token["id"]
        path = "/api/v1/tokens/" + tid
        r = self.srv.request("PATCH", path, key=self.admin,
                             json_body={"notes": "moved", "tags": {"a": "b"}, "planted_at": "2026-03-01T00:00:00Z"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["notes"], r.json()["tags"], r.json()["owner"]), ("moved", {"a": "b"}, "secops"))
        r = self.srv.request("PATCH", path, key=self.admin, json_body={"planted_at": None})
        self.assertIsNone(r.json()["planted_at"])
        problem(self, self.srv.request("PATCH", path, key=self.admin, json_body={}), 400)
        problem(self, self.srv.request("PATCH", path, key=self.admin, json_body={"status": "active"}), 400)

        # Rotate: new key, same placement; the old one revoked and linked.
        r = self.srv.request("POST", path + "/rotate", key=self.admin, json_body={"format": "env"})
        self.assertEqual(r.status, 201, r)
        item = r.json()["items"][0]
        new, creds = item["token"], item["credentials"]
        self.assertNotEqual(new["id"], tid)
        self.assertNotEqual(new["access_key_id"], token["access_key_id"])
        self.assertEqual((new["location"], new["owner"], new["user_name"], new["rotated_from"]),
                         ("vault:vendor-y", "secops", token["user_name"], tid))
        self.assertIsNotNone(new["expires_at"])
        self.assertIn(creds["secret_access_key"], creds["formatted"])
        old = self.srv.request("GET", path, key=self.admin).json()
        self.assertEqual((old["status"], old["replaced_by"]), ("revoked", new["id"]))
        self.assertIsNotNone(old["retired_at"])
        problem(self, self.srv.request("POST", path + "/rotate", key=self.admin), 409)

        # Revoke is idempotent; delete leaves a tombstone that stays listed and findable by key.
        nid = new["id"]
        r = self.srv.request("POST", "/api/v1/tokens/%s/revoke" % nid, key=self.admin)
        self.assertEqual(r.json()["status"], "revoked")
        self.assertEqual(self.srv.request("POST", "/api/v1/tokens/%s/revoke" % nid, key=self.admin).status, 200)
        r = self.srv.request("DELETE", "/api/v1/tokens/" + nid, key=self.admin)
        self.assertEqual((r.status, r.json()["status"]), (200, "deleted"))
        self.assertEqual(self.srv.request("GET", "/api/v1/tokens/" + nid, key=self.admin).json()["status"], "deleted")
        deleted = self.srv.list_all_tokens(status="deleted")
        self.assertEqual([t["id"] for t in deleted], [nid])
        self.assertEqual(self.srv.list_all_tokens(access_key_id=new["access_key_id"])[0]["status"], "deleted")
        self.assertEqual(self.srv.request("DELETE", "/api/v1/tokens/" + nid, key=self.admin).status, 200)
        problem(self, self.srv.request("POST", "/api/v1/tokens/%s/rotate" % nid, key=self.admin), 409)
        problem(self, self.srv.request("PATCH", "/api/v1/tokens/" + nid, key=self.admin,
                                       json_body={"notes": "x"}), 409)

    def test_tokens_expire_when_due(self):
        short = self.srv.create_tokens(location="short", expires_in="1s", count=2)
        keep = self.srv.create_tokens(location="long", expires_in="1h")[0]["token"]["id"]
        deadline = time.time() + 20  # expiry runs every 5 s
        while time.time() < deadline:
            if len(self.srv.list_all_tokens(status="expired")) == 2:
                break
            time.sleep(0.5)
        for item in short:
            t = self.srv.request("GET", "/api/v1/tokens/" + item["token"]["id"], key=self.admin).json()
            self.assertEqual(t["status"], "expired")
            self.assertIsNotNone(t["retired_at"])
        self.assertEqual(self.srv.request("GET", "/api/v1/tokens/" + keep, key=self.admin).json()["status"], "active")
        audit = self.srv.request("GET", "/api/v1/audit", key=self.admin).json()["items"]
        self.assertEqual(sum(1 for e in audit if e["action"] == "token.expire" and e["actor"] == "system:expiry"), 2)

    def test_every_minted_key_id_decodes_to_the_decoy_account(self):
        items = []
        for _ in range(4):
            items += self.srv.create_tokens(location="decode", count=250)
        self.assertEqual(len(items), 1000)
        for item in items:
            key_id = item["credentials"]["access_key_id"]
            self.assertEqual(account_id_from_access_key_id(key_id), "271828182845", key_id)
            self.assertEqual(item["token"]["account_id"], "271828182845")
        # Rotated keys too.
        r = self.srv.request("POST", "/api/v1/tokens/%s/rotate" % items[0]["token"]["id"], key=self.admin)
        self.assertEqual(account_id_from_access_key_id(r.json()["items"][0]["credentials"]["access_key_id"]),
                         "271828182845")

    def test_audit_records_every_mutating_call_without_secrets(self):
        deploy = self.srv.create_api_key("deploy")
        t = self.srv.create_tokens(key=deploy["api_key"], location="audit", count=3)
        tid = t[0]["token"]["id"]
        self.srv.request("PATCH", "/api/v1/tokens/" + tid, key=deploy["api_key"], json_body={"owner": "x"})
        self.srv.request("POST", "/api/v1/tokens/%s/rotate" % tid, key=deploy["api_key"])
        self.srv.request("POST", "/api/v1/tokens/%s/revoke" % t[1]["token"]["id"], key=self.admin)
        self.srv.request("DELETE", "/api/v1/tokens/" + t[2]["token"]["id"], key=self.admin)
        self.srv.request("DELETE", "/api/v1/apikeys/" + deploy["id"], key=self.admin)
        # Refused calls change nothing and are not audited as changes.
        self.srv.request("DELETE", "/api/v1/tokens/" + tid, key="sck_" + "B" * 43)
        entries = self.srv.request("GET", "/api/v1/audit", key=self.admin).json()["items"]
        actions = [e["action"] for e in reversed(entries)]
        # The first entry is the first-start admin key, made by the server itself.
        self.assertEqual(actions, ["apikey.create", "apikey.create", "token.create", "token.update",
                                   "token.rotate", "token.revoke", "token.delete", "apikey.revoke"])
        self.assertEqual(entries[-1]["actor"], "system:first-start")
        by_action = {e["action"]: e for e in reversed(entries)}
        self.assertEqual(by_action["token.create"]["actor"], "apikey:" + deploy["id"])
        self.assertEqual(by_action["token.create"]["source_ip"], "127.0.0.1")
        self.assertEqual(sorted(by_action["token.create"]["detail"]["ids"]), sorted(i["token"]["id"] for i in t))
        text = json.dumps(entries)
        for item in t:
            self.assertNotIn(item["credentials"]["secret_access_key"], text)
        self.assertNotIn(deploy["api_key"], text)
        for e in entries:
            self.assertRegex(e["at"], r"Z$")

    def test_concurrent_clients_get_distinct_tokens(self):
        def one(i):
            return self.srv.create_tokens(location="host-%d" % i)[0]["token"]["id"]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(one, range(200)))
        self.assertEqual(len(set(ids)), 200)
        self.assertEqual(len(self.srv.list_all_tokens()), 200)

    def test_metrics_count_requests_tokens_and_failures(self):
        reader = self.srv.create_api_key("read")["api_key"]
        self.srv.create_tokens(count=3)
        self.srv.request("GET", "/api/v1/tokens/" + TOK, key=reader)
        self.srv.request("GET", "/api/v1/tokens", key="sck_" + "C" * 43)
        self.srv.request("POST", "/api/v1/tokens", key=reader, json_body={"location": "x"})
        self.srv.request("POST", "/api/v1/tokens", key=self.admin, body="{", content_type="application/json")
        r = self.srv.request("GET", "/api/v1/metrics", key=reader)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/plain"))
        text = r.text
        for line in ('spacecrab_http_requests_total{method="GET",route="/api/v1/tokens/{id}",status="404"} 1',
                     'spacecrab_http_requests_total{method="POST",route="/api/v1/tokens",status="201"} 1',
                     'spacecrab_http_auth_failures_total{reason="invalid"} 1',
                     'spacecrab_http_auth_failures_total{reason="forbidden"} 1',
                     'spacecrab_http_bad_requests_total 1',
                     'spacecrab_tokens{status="active"} 3',
                     'spacecrab_tokens{status="deleted"} 0'):
            self.assertIn(line + "\n", text)
        self.assertRegex(text, r'spacecrab_http_request_duration_seconds_bucket\{method="POST",'
                               r'route="/api/v1/tokens",le="\+Inf"\} 3')
        self.assertNotIn(TOK, text)  # routes are labelled by pattern, never by raw path

    # ---- OpenAPI ----------------------------------------------------------------------
    def test_openapi_lists_every_route_the_server_serves(self):
        doc = self.srv.request("GET", "/api/v1/openapi.json").json()
        tid = self.srv.create_tokens(location="openapi")[0]["token"]["id"]
        kid = self.srv.create_api_key("read")["id"]
        expected = {
            ("post", "/api/v1/tokens"), ("get", "/api/v1/tokens"), ("get", "/api/v1/tokens/{id}"),
            ("patch", "/api/v1/tokens/{id}"), ("delete", "/api/v1/tokens/{id}"),
            ("post", "/api/v1/tokens/{id}/rotate"), ("post", "/api/v1/tokens/{id}/revoke"),
            ("post", "/api/v1/apikeys"), ("get", "/api/v1/apikeys"), ("delete", "/api/v1/apikeys/{id}"),
            ("get", "/api/v1/healthz"), ("get", "/api/v1/readyz"), ("get", "/api/v1/metrics"),
            ("get", "/api/v1/openapi.json"), ("get", "/api/v1/audit"),
        }
        documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
        self.assertLessEqual(expected, documented)
        all_methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        for path, ops in doc["paths"].items():
            concrete = path.replace("{id}", kid if "/apikeys/" in path else tid)
            # The server's Allow header (from a method it refuses, or a 405) must
            # name exactly the documented methods for this path: nothing served is undocumented.
            refused = [m for m in all_methods if m.lower() not in ops]
            self.assertTrue(refused, path)
            r = self.srv.request(refused[0], concrete, key=self.admin)
            self.assertEqual(r.status, 405, (path, r))
            self.assertEqual(sorted(r.header("Allow").lower().split(", ")), sorted(ops), path)
            for method, op in ops.items():
                self.assertIn("summary", op)
                self.assertIn("responses", op)
                if op.get("security"):
                    self.assertIn(op["x-required-scope"], ("read", "deploy", "admin"))
        # Every $ref resolves.
        refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(doc))
        self.assertTrue(refs)
        for name in refs:
            self.assertIn(name, doc["components"]["schemas"])
        # A request to an undocumented path is a 404, not something served.
        problem(self, self.srv.request("GET", "/api/v1/tokens/%s/secret" % tid, key=self.admin), 404)


@unittest.skipUnless(BIN, "SPACECRAB_BIN not set")
class LifecycleTest(unittest.TestCase):
    def test_first_start_prints_the_admin_key_once_and_restart_keeps_identity(self):
        srv = SpacecrabServer()
        self.addCleanup(srv.cleanup)
        srv.start()
        out = srv.stdout_text()
        self.assertEqual(out.count(srv.admin_key), 1)
        self.assertIn("listening on " + srv.addr, out)
        client = os.path.join(srv.data_dir, "client.json")
        self.assertEqual(os.stat(client).st_mode & 0o777, 0o600)
        with open(client) as f:
            self.assertEqual(json.load(f), {"addr": srv.addr, "api_key": srv.admin_key})
        with open(os.path.join(srv.data_dir, "decoy_account_id")) as f:
            account = f.read().strip()
        self.assertRegex(account, r"^\d{12}$")
        key_id = srv.create_tokens()[0]["credentials"]["access_key_id"]
        self.assertEqual(account_id_from_access_key_id(key_id), account)
        self.assertEqual(srv.stop(), 0)

        again = SpacecrabServer(data_dir=srv.data_dir)
        self.addCleanup(again.cleanup)
        again.start()
        self.assertNotIn("sck_", again.stdout_text())
        self.assertEqual(again.admin_key, srv.admin_key)  # client.json kept, address refreshed
        with open(client) as f:
            self.assertEqual(json.load(f)["addr"], again.addr)
        items = again.create_tokens()
        self.assertEqual(account_id_from_access_key_id(items[0]["credentials"]["access_key_id"]), account)
        self.assertEqual(len(again.list_all_tokens()), 2)
        self.assertEqual(again.stop(), 0)

    def test_sigterm_stops_cleanly_and_a_taken_port_fails_clearly(self):
        srv = SpacecrabServer().start()
        self.addCleanup(srv.cleanup)
        taken = SpacecrabServer(extra_config="")
        self.addCleanup(taken.cleanup)
        with open(taken.config_path) as f:
            text = f.read().replace('listen = "127.0.0.1:0"', 'listen = "127.0.0.1:%d"' % srv.port, 1)
        with open(taken.config_path, "w") as f:
            f.write(text)
        with self.assertRaises(RuntimeError) as err:
            taken.start()
        self.assertIn(str(srv.port), str(err.exception))
        self.assertEqual(srv.request("GET", "/api/v1/healthz").status, 200)
        started = time.time()
        self.assertEqual(srv.stop(), 0)
        self.assertLess(time.time() - started, 10)


@unittest.skipUnless(BIN, "SPACECRAB_BIN not set")
class NoSecretLeakTest(unittest.TestCase):
    """No token secret and no API key appears in plain text in the database
    (main file, WAL and shared memory, every byte), the data directory, the
    server's logs or the audit log.

    By design the first-start admin key is printed once to stdout and kept in
    <data_dir>/client.json (mode 0600) for the CLI: both are checked to hold it
    exactly there, and every other byte is scanned for it too."""

    def test_no_secret_in_database_logs_or_audit(self):
        srv = SpacecrabServer(env={"SPDLOG_LEVEL": "debug"}).start()  # access log on
        self.addCleanup(srv.cleanup)
        token_secrets, key_ids = [], []
        api_keys = [srv.admin_key]
        for scope in ("read", "deploy", "admin"):
            api_keys.append(srv.create_api_key(scope)["api_key"])
        deploy = api_keys[2]
        for body in ({"location": "a", "count": 50}, {"location": "b", "format": "aws-credentials"},
                     {"location": "c", "count": 5, "format": "json"}):
            for item in srv.create_tokens(key=deploy, **body):
                token_secrets.append(item["credentials"]["secret_access_key"])
                key_ids.append(item["credentials"]["access_key_id"])
        first = srv.list_all_tokens()[0]["id"]
        r = srv.request("POST", "/api/v1/tokens/%s/rotate" % first, key=deploy)
        token_secrets.append(r.json()["items"][0]["credentials"]["secret_access_key"])
        key_ids.append(r.json()["items"][0]["credentials"]["access_key_id"])
        # Uses of two keys at the decoy endpoint (the real aws CLI, signing with the
        # secret): events, an incident and pages to the console and alerts.jsonl.
        used = srv.create_tokens(key=deploy, location="d", count=2)
        for item in used:
            token_secrets.append(item["credentials"]["secret_access_key"])
            key_ids.append(item["credentials"]["access_key_id"])
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(AWS_ACCESS_KEY_ID=item["credentials"]["access_key_id"],
                       AWS_SECRET_ACCESS_KEY=item["credentials"]["secret_access_key"],
                       AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
                       AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
            out = subprocess.run(["aws", "sts", "get-caller-identity", "--endpoint-url",
                                  item["credentials"]["endpoint_url"]], env=env,
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
        alerts = os.path.join(srv.data_dir, "alerts.jsonl")
        deadline = time.time() + 15
        while time.time() < deadline and (not os.path.exists(alerts) or
                                          open(alerts).read().count('"trigger"') < 2):
            time.sleep(0.1)
        self.assertEqual(open(alerts).read().count('"kind":"trigger"'), 2)
        # Failed and refused calls with keys in them, too.
        srv.request("GET", "/api/v1/tokens?owner=" + quote(api_keys[1]), key=api_keys[1])
        srv.request("POST", "/api/v1/tokens", key=api_keys[1], json_body={"location": token_secrets[0]})
        srv.request("GET", "/api/v1/tokens", key=api_keys[3][:-1] + "x")
        srv.request("DELETE", "/api/v1/apikeys/" + srv.create_api_key("read")["id"], key=srv.admin_key)
        audit = srv.request("GET", "/api/v1/audit?limit=1000", key=srv.admin_key).text
        self.assertEqual(len(token_secrets), 59)

        def scan_everything(stage):
            blobs = {"audit log (API)": audit.encode(), "stderr": srv.stderr_text().encode()}
            for name in sorted(os.listdir(srv.data_dir)):
                with open(os.path.join(srv.data_dir, name), "rb") as f:
                    blobs["data/" + name] = f.read()
            stdout = srv.stdout_text().encode()
            client = blobs.pop("data/client.json")
            self.assertIn("data/alerts.jsonl", blobs)  # the alert history is scanned too
            db = b"".join(v for k, v in blobs.items() if k.startswith("data/spacecrab.db"))
            self.assertGreater(len(db), 0)
            # The scan sees the rows: every key id and every API key hash is in the files.
            for kid in key_ids:
                self.assertIn(kid.encode(), db, (stage, kid))
            for k in api_keys:
                self.assertIn(hashlib.sha256(k.encode()).hexdigest().encode(), db, stage)
            self.assertEqual(stdout.count(srv.admin_key.encode()), 1, stage)
            self.assertIn(srv.admin_key.encode(), client)
            for secret in token_secrets + api_keys:
                s = secret.encode()
                for name, blob in blobs.items():
                    self.assertNotIn(s, blob, "%s: secret %s... found in %s" % (stage, secret[:6], name))
                self.assertNotIn(s, client if secret != srv.admin_key else b"", stage)
                if secret != srv.admin_key:
                    self.assertNotIn(s, stdout, stage)

        scan_everything("running")  # WAL not yet checkpointed
        self.assertIn(" 201 ", srv.stderr_text())  # the access log was on
        self.assertEqual(srv.stop(), 0)
        scan_everything("stopped")


if __name__ == "__main__":
    unittest.main()
