"""The `spacecrab` CLI against the real server: init, serve, token and apikey
commands with --json and --format, exit codes and one-line errors, and config
errors that name the key and the file."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from cli_harness import BIN, CaptureEndpoint, Deployment, base_env, run

KEY_ID = re.compile(r"^AKIA[A-Z2-7]{16}$")
SECRET = re.compile(r"^[A-Za-z0-9+/]{40}$")


@unittest.skipUnless(BIN and os.path.exists(BIN), "SPACECRAB_BIN not built")
class TokenAndApiKeyCommands(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.endpoint = CaptureEndpoint()
        cls.dep = Deployment(decoy_endpoint_url=cls.endpoint.url).start()

    @classmethod
    def tearDownClass(cls):
        cls.dep.stop()
        cls.endpoint.stop()

    def create(self, location, *extra):
        doc = self.dep.cli_json(self, "token", "create", "--location", location, "--owner", "sec@example.com",
                                *extra)
        self.assertEqual(len(doc["items"]), 1)
        return doc["items"][0]

    def test_init_json_names_key_and_config(self):
        init = self.dep.init
        self.assertTrue(init["api_key"].startswith("sck_"))
        self.assertEqual(init["config"], self.dep.config)
        self.assertTrue(os.path.exists(init["config"]))
        self.assertEqual(os.stat(os.path.join(self.dep.data_dir, "client.json")).st_mode & 0o777, 0o600)

    def test_create_json_is_the_api_answer_with_credentials(self):
        item = self.create("ci:repo-x:variables", "--notes", "CI vars", "--tag", "env=prod", "--tag", "team=ci",
                           "--expires", "90d", "--planted-at", "2026-01-02T03:04:05Z")
        token, creds = item["token"], item["credentials"]
        self.assertTrue(token["id"].startswith("tok_"))
        self.assertEqual(token["status"], "active")
        self.assertEqual(token["location"], "ci:repo-x:variables")
        self.assertEqual(token["tags"], {"env": "prod", "team": "ci"})
        self.assertEqual(token["planted_at"], "2026-01-02T03:04:05Z")
        self.assertTrue(token["expires_at"])
        self.assertRegex(creds["access_key_id"], KEY_ID)
        self.assertRegex(creds["secret_access_key"], SECRET)
        self.assertEqual(creds["access_key_id"], token["access_key_id"])
        self.assertEqual(creds.get("endpoint_url"), self.endpoint.url)

    def test_create_format_csv_prints_only_the_console_file(self):
        r = self.dep.cli("token", "create", "--location", "laptop-7:~/Downloads/accessKeys.csv", "--owner", "o",
                         "--format", "csv")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.split("\n")
        self.assertEqual(lines[0], "Access key ID,Secret access key")
        key_id, secret = lines[1].split(",")
        self.assertRegex(key_id, KEY_ID)
        self.assertRegex(secret, SECRET)
        self.assertEqual(lines[2:], [""])

    def test_create_count_renders_one_file(self):
        r = self.dep.cli("token", "create", "--location", "vault:batch", "--owner", "o", "--count", "3",
                         "--format", "aws-credentials", "--profile", "backup")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(re.findall(r"^\[(.*)\]$", r.stdout, re.M), ["backup", "backup-2", "backup-3"])

    def test_aws_config_format_sends_the_real_aws_cli_to_the_decoy_endpoint(self):
        if not shutil.which("aws"):
            self.skipTest("aws CLI not installed")
        r = self.dep.cli("token", "create", "--location", "laptop-9:~/.aws/config", "--owner", "o",
                         "--format", "aws-config")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("endpoint_url = " + self.endpoint.url, r.stdout)
        key_id = re.search(r"aws_access_key_id = (\S+)", r.stdout).group(1)
        with tempfile.TemporaryDirectory() as home:
            cfg = os.path.join(home, "config")
            with open(cfg, "w") as f:
                f.write(r.stdout)
            env = base_env(HOME=home, AWS_CONFIG_FILE=cfg, AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "none"))
            for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_ENDPOINT_URL",
                      "AWS_DEFAULT_REGION"):
                env.pop(k, None)
            before = len(self.endpoint.requests)
            aws = subprocess.run(["aws", "sts", "get-caller-identity"], env=env, capture_output=True, text=True,
                                 timeout=60)
        self.assertNotEqual(aws.returncode, 0)
        signed = [q for q in self.endpoint.requests[before:] if key_id in q["headers"].get("Authorization", "")]
        self.assertTrue(signed, "the aws CLI did not use endpoint_url from the profile: " + aws.stderr)

    def test_list_filters_pages_and_table(self):
        a = self.create("fleet:host-a:/home/x/.aws/credentials", "--tag", "batch=list-test")["token"]
        b = self.create("fleet:host-b:/home/y/.aws/credentials", "--tag", "batch=list-test")["token"]
        doc = self.dep.cli_json(self, "token", "list", "--location-prefix", "fleet:host-")
        self.assertEqual([t["id"] for t in doc["items"]], [a["id"], b["id"]])
        self.assertIn("next_cursor", doc)
        self.assertEqual(self.dep.cli_json(self, "token", "list", "--tag", "batch=list-test")["items"][0]["id"],
                         a["id"])
        first = self.dep.cli_json(self, "token", "list", "--location-prefix", "fleet:host-", "--limit", "1")
        self.assertEqual([t["id"] for t in first["items"]], [a["id"]])
        self.assertTrue(first["next_cursor"])
        second = self.dep.cli_json(self, "token", "list", "--location-prefix", "fleet:host-", "--limit", "1",
                                   "--cursor", first["next_cursor"])
        self.assertEqual([t["id"] for t in second["items"]], [b["id"]])
        every = self.dep.cli_json(self, "token", "list", "--location-prefix", "fleet:host-", "--limit", "1", "--all")
        self.assertEqual([t["id"] for t in every["items"]], [a["id"], b["id"]])
        self.assertIsNone(every["next_cursor"])
        table = self.dep.cli("token", "list", "--location-prefix", "fleet:host-")
        self.assertEqual(table.returncode, 0, table.stderr)
        rows = [line.split("\t") for line in table.stdout.strip().split("\n")]
        self.assertEqual(rows[0][:4], ["ID", "STATUS", "KIND", "ACCESS KEY"])
        self.assertEqual([r[0] for r in rows[1:]], [a["id"], b["id"]])
        bad = self.dep.cli("token", "list", "--status", "sleeping")
        self.assertEqual(bad.returncode, 2)

    def test_show_update_revoke_delete_lifecycle(self):
        t = self.create("vendor-y:vault")["token"]
        shown = self.dep.cli_json(self, "token", "show", t["id"])
        self.assertEqual(shown["id"], t["id"])
        self.assertNotIn("secret_access_key", json.dumps(shown))
        human = self.dep.cli("token", "show", t["id"])
        self.assertIn("location:      vendor-y:vault", human.stdout)

        updated = self.dep.cli_json(self, "token", "update", t["id"], "--notes", "moved", "--owner", "new@example.com",
                                    "--tag", "k=v")
        self.assertEqual((updated["notes"], updated["owner"], updated["tags"]), ("moved", "new@example.com", {"k": "v"}))
        self.assertEqual(self.dep.cli_json(self, "token", "show", t["id"])["notes"], "moved")
        planted = self.dep.cli_json(self, "token", "update", t["id"], "--planted-at", "2026-03-04T05:06:07Z")
        self.assertEqual(planted["planted_at"], "2026-03-04T05:06:07Z")
        cleared = self.dep.cli_json(self, "token", "update", t["id"], "--planted-at", "none")
        self.assertIsNone(cleared.get("planted_at"))
        nothing = self.dep.cli("token", "update", t["id"])
        self.assertEqual(nothing.returncode, 1)
        self.assertIn("nothing to update", nothing.stderr)

        revoked = self.dep.cli_json(self, "token", "revoke", t["id"])
        self.assertEqual(revoked["status"], "revoked")
        ids = [x["id"] for x in self.dep.cli_json(self, "token", "list", "--status", "revoked", "--all")["items"]]
        self.assertIn(t["id"], ids)
        plain = self.dep.cli("token", "revoke", t["id"])  # idempotent
        self.assertEqual((plain.returncode, plain.stdout), (0, "revoked %s\n" % t["id"]))

        self.dep.cli_json(self, "token", "delete", t["id"])
        self.assertEqual(self.dep.cli_json(self, "token", "show", t["id"])["status"], "deleted")

    def test_rotate_issues_new_key_and_retires_old(self):
        item = self.create("laptop-3:~/.env")
        old = item["token"]
        r = self.dep.cli("token", "rotate", old["id"], "--format", "env")
        self.assertEqual(r.returncode, 0, r.stderr)
        new_key = re.search(r"^export AWS_ACCESS_KEY_ID=(\S+)$", r.stdout, re.M).group(1)
        self.assertRegex(new_key, KEY_ID)
        self.assertNotEqual(new_key, old["access_key_id"])
        self.assertIn("export AWS_ENDPOINT_URL=" + self.endpoint.url, r.stdout)
        after = self.dep.cli_json(self, "token", "show", old["id"])
        self.assertEqual(after["status"], "revoked")

    def test_errors_are_one_line_and_non_zero(self):
        r = self.dep.cli("token", "show", "tok_01ARZ3NDEKTSV4RRFFQ69G5FAV")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertEqual(len(r.stderr.strip().split("\n")), 1, r.stderr)
        self.assertRegex(r.stderr, r"^spacecrab: .*\(HTTP 404\)$")
        r = self.dep.cli("token", "create", "--location", "x", "--owner", "o", "--format", "yaml")
        self.assertEqual(r.returncode, 1)
        self.assertIn("valid: json, aws-credentials, aws-config, csv, env, powershell, dockerfile, k8s-secret", r.stderr)
        r = self.dep.cli("token", "create", "--owner", "o")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--location", r.stderr)
        r = self.dep.cli("token", "list", api_key="sck_" + "A" * 43)
        self.assertEqual(r.returncode, 1)
        self.assertIn("HTTP 401", r.stderr)

    def test_apikey_create_list_revoke_and_scopes(self):
        created = self.dep.cli_json(self, "apikey", "create", "--name", "fleet", "--scope", "deploy")
        secret = created["api_key"]
        self.assertTrue(secret.startswith("sck_"))
        listed = self.dep.cli_json(self, "apikey", "list")
        mine = [k for k in listed["items"] if k["id"] == created["id"]]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["scope"], "deploy")
        self.assertNotIn(secret, json.dumps(listed))
        # A deploy key can create tokens but not manage API keys.
        ok = self.dep.cli("token", "create", "--location", "deploy:test", "--owner", "o", "--format", "json",
                          api_key=secret)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertRegex(json.loads(ok.stdout)["AccessKeyId"], KEY_ID)
        denied = self.dep.cli("apikey", "list", api_key=secret)
        self.assertEqual(denied.returncode, 1)
        self.assertIn("HTTP 403", denied.stderr)
        # Human create: only the secret on stdout.
        plain = self.dep.cli("apikey", "create", "--name", "reader", "--scope", "read")
        self.assertEqual(plain.returncode, 0, plain.stderr)
        self.assertRegex(plain.stdout, r"^sck_[A-Za-z0-9_-]{43}\n$")
        revoked = self.dep.cli("apikey", "revoke", created["id"])
        self.assertEqual(revoked.returncode, 0, revoked.stderr)
        after = self.dep.cli("token", "list", api_key=secret)
        self.assertEqual(after.returncode, 1)
        self.assertIn("HTTP 401", after.stderr)

    def test_client_file_is_found_through_config_without_environment(self):
        r = run(["token", "list", "--json", "--config", self.dep.config], env=base_env())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("items", json.loads(r.stdout))
        r = run(["token", "list"], env=base_env(), cwd=tempfile.gettempdir())
        self.assertEqual(r.returncode, 1)
        self.assertIn("SPACECRAB_ADDR is not set", r.stderr)


@unittest.skipUnless(BIN and os.path.exists(BIN), "SPACECRAB_BIN not built")
class ConfigAndInitErrors(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sc_cli_cfg_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, text):
        path = os.path.join(self.dir, "spacecrab.toml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_bad_listen_names_file_line_and_key(self):
        path = self.write('[server]\ndata_dir = "%s"\nlisten = "127.0.0.1:99999"\n' % self.dir)
        r = run(["serve", "--config", path], timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(path + ":3: [server] listen:", r.stderr)

    def test_unknown_key_is_an_error(self):
        path = self.write('[decoy]\naccount = "123456789012"\n')
        r = run(["serve", "--config", path], timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(path + ":2: [decoy] account: unknown key", r.stderr)

    def test_bad_environment_override_names_the_variable(self):
        path = self.write('[server]\ndata_dir = "%s"\n' % self.dir)
        r = run(["serve", "--config", path], env=base_env(SPACECRAB_DECOY_ACCOUNT_ID="12345"), timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("environment variable SPACECRAB_DECOY_ACCOUNT_ID: [decoy] account_id", r.stderr)

    def test_init_refuses_to_overwrite_and_rejects_bad_flags(self):
        cfg = os.path.join(self.dir, "spacecrab.toml")
        args = ["init", "--non-interactive", "--config", cfg, "--data-dir", os.path.join(self.dir, "d"),
                "--listen", "127.0.0.1:0"]
        self.assertEqual(run(args).returncode, 0)
        again = run(args)
        self.assertEqual(again.returncode, 1)
        self.assertIn("--force", again.stderr)
        bad = run(["init", "--non-interactive", "--config", os.path.join(self.dir, "x.toml"),
                   "--data-dir", os.path.join(self.dir, "x"), "--listen", "nohost"])
        self.assertEqual(bad.returncode, 1)
        self.assertIn("[server] listen", bad.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "x.toml")))

    def test_interactive_init_takes_answers_from_stdin(self):
        cfg = os.path.join(self.dir, "asked.toml")
        answers = "\n".join([os.path.join(self.dir, "asked-data"), "127.0.0.1:0", "aws", "123456789012", "",
                             "-", "http://127.0.0.1:5000", "eu-west-1", "-"]) + "\n"
        r = run(["init", "--config", cfg], input_text=answers)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Admin API key", r.stdout)
        self.assertRegex(r.stdout, r"\n  sck_[A-Za-z0-9_-]{43}\n")
        with open(cfg) as f:
            text = f.read()
        self.assertIn('provider = "aws"', text)
        self.assertIn('account_id = "123456789012"', text)
        self.assertIn('endpoint_url = "http://127.0.0.1:5000"', text)
        self.assertIn('region = "eu-west-1"', text)


if __name__ == "__main__":
    unittest.main()
