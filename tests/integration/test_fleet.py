"""deploy/fleet/plant-token.sh against the real server, run with dash (the
strictest POSIX sh here): one token per machine placement, written with mode
0600, location = hostname + absolute path, clear errors."""

import json
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import unittest

from cli_harness import BIN, Deployment, base_env

SOURCE_DIR = os.environ.get("SPACECRAB_SOURCE_DIR",
                            os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCRIPT = os.path.join(SOURCE_DIR, "deploy", "fleet", "plant-token.sh")
SH = shutil.which("dash") or "/bin/sh"


@unittest.skipUnless(BIN and os.path.exists(BIN), "SPACECRAB_BIN not built")
class PlantTokenScript(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dep = Deployment().start()
        r = cls.dep.cli("apikey", "create", "--name", "fleet", "--scope", "deploy", "--json")
        assert r.returncode == 0, r.stderr
        cls.deploy_key = json.loads(r.stdout)["api_key"]

    @classmethod
    def tearDownClass(cls):
        cls.dep.stop()

    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="sc_fleet_")

    def tearDown(self):
        shutil.rmtree(self.home, ignore_errors=True)

    def plant(self, *args, api_key=None, addr=None):
        env = base_env(SPACECRAB_ADDR=addr or self.dep.addr, SPACECRAB_API_KEY=api_key or self.deploy_key)
        return subprocess.run([SH, SCRIPT, *args], env=env, capture_output=True, text=True, timeout=60)

    def token_at(self, location):
        doc = self.dep.cli_json(self, "token", "list", "--location-prefix", location, "--all")
        return [t for t in doc["items"] if t["location"] == location]

    def test_plants_csv_with_owner_only_mode_and_host_location(self):
        target = os.path.join(self.home, "Downloads", "accessKeys.csv")
        r = self.plant(target, "csv", "laptop-team@example.com")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(target) as f:
            lines = f.read().split("\n")
        self.assertEqual(lines[0], "Access key ID,Secret access key")
        key_id, secret = lines[1].split(",")
        self.assertRegex(key_id, r"^AKIA[A-Z2-7]{16}$")
        self.assertEqual(len(secret), 40)
        self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(target)).st_mode), 0o700)
        location = socket.gethostname() + ":" + os.path.realpath(target)
        tokens = self.token_at(location)
        self.assertEqual(len(tokens), 1, location)
        self.assertEqual(tokens[0]["access_key_id"], key_id)
        self.assertEqual(tokens[0]["owner"], "laptop-team@example.com")
        self.assertTrue(tokens[0]["planted_at"])
        self.assertIn(tokens[0]["id"], r.stdout)

    def test_multiline_formats_survive_json_decoding(self):
        for fmt, first in (("aws-credentials", "[default]"), ("aws-config", "[default]"),
                           ("k8s-secret", "apiVersion: v1"), ("powershell", "$Env:AWS_ACCESS_KEY_ID = \""),
                           ("json", "{")):
            target = os.path.join(self.home, "f-" + fmt)
            r = self.plant(target, fmt, "o@example.com")
            self.assertEqual(r.returncode, 0, fmt + ": " + r.stderr)
            with open(target) as f:
                text = f.read()
            self.assertTrue(text.startswith(first), fmt + ": " + text)
            self.assertTrue(text.endswith("\n"), fmt)
            if fmt == "json":
                self.assertRegex(json.loads(text)["AccessKeyId"], r"^AKIA")

    def test_owner_with_quotes_is_escaped(self):
        target = os.path.join(self.home, "env")
        r = self.plant(target, "env", 'Ana "the admin" \\ ops')
        self.assertEqual(r.returncode, 0, r.stderr)
        tokens = self.token_at(socket.gethostname() + ":" + os.path.realpath(target))
        self.assertEqual(tokens[0]["owner"], 'Ana "the admin" \\ ops')

    def test_refuses_to_overwrite_unless_forced(self):
        target = os.path.join(self.home, "credentials")
        with open(target, "w") as f:
            f.write("real\n")
        r = self.plant(target, "aws-credentials", "o")
        self.assertEqual(r.returncode, 1)
        self.assertIn("exists", r.stderr)
        with open(target) as f:
            self.assertEqual(f.read(), "real\n")
        r = self.plant("-f", target, "aws-credentials", "o")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(target) as f:
            self.assertTrue(f.read().startswith("[default]\n"))

    def test_api_errors_and_usage_are_clear(self):
        r = self.plant(os.path.join(self.home, "x"), "csv", "o", api_key="sck_" + "B" * 43)
        self.assertEqual(r.returncode, 1)
        self.assertIn("HTTP 401", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.home, "x")))
        r = self.plant(os.path.join(self.home, "y"), "yaml", "o")
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown format", r.stderr)
        r = self.plant(os.path.join(self.home, "z"), "csv")
        self.assertEqual(r.returncode, 2)
        r = self.plant(os.path.join(self.home, "z"), "csv", "o", addr="http://127.0.0.1:1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot reach", r.stderr)

    def test_api_key_is_not_on_the_command_line(self):
        with open(SCRIPT) as f:
            script = f.read()
        self.assertIn("-H @-", script)
        self.assertNotIn('-H "Authorization: Bearer $SPACECRAB_API_KEY"', script)


if __name__ == "__main__":
    unittest.main()
