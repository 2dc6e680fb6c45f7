"""Every alert sink against a real local receiver on 127.0.0.1.

The pipeline (incident stage -> outbox -> dispatcher -> sink) runs in
sc_alert_driver with sinks configured from a real spacecrab.toml; receivers
are the processes in tests/receivers/. Needs SPACECRAB_BUILD_DIR (set by
ctest) or SC_ALERT_DRIVER.
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "receivers"))
from alert_harness import DEBIAN_PYTHON, HERE, Workdir, event  # noqa: E402

T0 = "2026-11-23T17:00:0%dZ"
TOKENS = [{"id": "tok_A", "location": "laptop-0042:~/Downloads", "owner": "alice",
           "access_key_id": "AKIAEXAMPLEAAAAAAAAA", "tags": {"team": "red"}},
          {"id": "tok_B", "location": "ci:repo-x", "owner": "bob", "status": "revoked",
           "retired_at": "2026-11-01T00:00:00Z"}]


def attack():
    """tok_A probed from one address and enumerated from another; tok_B (revoked) probed."""
    return [
        event("e1", "tok_A", "203.0.113.9", T0 % 0),
        event("e2", "tok_A", "198.51.100.20", T0 % 1),
        event("e3", "tok_A", "198.51.100.20", T0 % 2, "ListUsers", "iam.amazonaws.com"),
        event("e4", "tok_A", "198.51.100.20", T0 % 3, "ListBuckets", "s3.amazonaws.com",
              error_code="AccessDenied"),
        event("e5", "tok_B", "2001:db8::5", T0 % 4,
              enrichment={"country": "NL", "asn": 1101, "tor_exit": True,
                          "tool": {"family": "aws-cli", "version": "2.15.0"}}),
    ]


class PagerDutyTest(unittest.TestCase):
    def test_triggers_once_per_incident_and_resolves(self):
        with Workdir() as w:
            pd = w.start("http_receiver.py", "pagerduty")
            rc, summary, err = w.run_driver(
                '[sinks.pd]\ntype = "pagerduty"\nurl = "http://127.0.0.1:%d"\n'
                'routing_key_env = "PD_ROUTING_KEY"\nupdate_interval = "0s"\n' % pd.port,
                attack(), TOKENS, ["--resolve-all", "--drain-timeout", "20"],
                env={"PD_ROUTING_KEY": "R" * 32})
            self.assertEqual(rc, 0, err)
            got = pd.received()
            self.assertFalse([g for g in got if "invalid" in g], got)
            incidents = {i["id"]: i for i in summary["incidents"]}
            self.assertEqual(len(incidents), 3)  # (tok_A, 2 sources) + (tok_B, 1)
            new = [g["dedup_key"] for g in got if g.get("new_incident")]
            self.assertEqual(sorted(new), sorted(incidents))  # one page per incident
            resolves = [g["dedup_key"] for g in got if g["event_action"] == "resolve"]
            self.assertEqual(sorted(resolves), sorted(incidents))
            for g in got:
                self.assertEqual(g["body"]["routing_key"], "R" * 32)
            triggers = [g["body"] for g in got if g["event_action"] == "trigger"]
            by_source = {t["payload"]["custom_details"]["source"]["ip"]: t for t in triggers}
            retired = by_source["2001:db8::5"]
            self.assertEqual(retired["payload"]["severity"], "error")
            self.assertEqual(retired["payload"]["class"], "retired_token_use")
            self.assertIn("revoked", retired["payload"]["summary"])
            self.assertEqual(retired["payload"]["custom_details"]["source"]["country"], "NL")
            self.assertTrue(retired["payload"]["custom_details"]["source"]["tor_exit"])
            self.assertEqual(retired["payload"]["custom_details"]["source"]["tool"], "aws-cli 2.15.0")
            enum = [t for t in triggers if t["payload"]["custom_details"]["source"]["ip"] ==
                    "198.51.100.20"][-1]
            self.assertEqual(enum["payload"]["source"], "laptop-0042:~/Downloads")
            self.assertEqual(enum["payload"]["group"], "alice")
            self.assertEqual(enum["payload"]["custom_details"]["incident"]["profile"], "enumeration")
            self.assertEqual(enum["payload"]["custom_details"]["token"]["tags"], {"team": "red"})
            self.assertTrue(enum["links"][0]["href"].endswith("/incidents/" + enum["dedup_key"]))

    def test_bad_request_is_dead_lettered_not_retried(self):
        with Workdir() as w:
            pd = w.start("http_receiver.py", "pagerduty", "--mode", "400")
            rc, summary, err = w.run_driver(
                '[sinks.pd]\ntype = "pagerduty"\nurl = "http://127.0.0.1:%d"\nrouting_key = "k"\n'
                % pd.port, attack()[:1], TOKENS, ["--drain-timeout", "10"])
            self.assertEqual(rc, 0, err)
            self.assertEqual(len(summary["dead"]), 1)
            self.assertIn("HTTP 400", summary["dead"][0]["error"])
            self.assertNotIn("routing", summary["dead"][0]["error"].lower().replace("routing_key", ""))
            self.assertEqual(len(pd.received()), 1)  # tried once


class WebhookTest(unittest.TestCase):
    CONFIG = ('[sinks.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:%d/in"\nsecret = "%s"\n'
              'headers = ["X-Team: secops"]\n')

    def test_receiver_verifies_the_signature(self):
        with Workdir() as w:
            hook = w.start("http_receiver.py", "webhook", "--secret", "shared-s3cret")
            rc, summary, err = w.run_driver(self.CONFIG % (hook.port, "shared-s3cret"), attack(),
                                            TOKENS, ["--resolve-all"])
            self.assertEqual(rc, 0, err)
            got = hook.received()
            self.assertTrue(got)
            self.assertTrue(all(g.get("verified") for g in got), got)
            kinds = {}
            for g in got:
                kinds.setdefault(g["dedup_key"], []).append(g["kind"])
                self.assertEqual(g["body"]["dedup_key"], g["dedup_key"])
            self.assertEqual(len(kinds), 3)
            for seq in kinds.values():
                self.assertEqual(seq[0], "trigger")
                self.assertEqual(seq[-1], "resolve")

    def test_wrong_secret_is_rejected_and_dead_lettered(self):
        with Workdir() as w:
            hook = w.start("http_receiver.py", "webhook", "--secret", "right")
            rc, summary, err = w.run_driver(self.CONFIG % (hook.port, "wrong"), attack()[:1],
                                            TOKENS)
            self.assertEqual(rc, 0, err)
            self.assertTrue(hook.received()[0]["bad_signature"])
            self.assertIn("HTTP 401", summary["dead"][0]["error"])


class SmtpTest(unittest.TestCase):
    def config(self, port, extra=""):
        return ('[sinks.mail]\ntype = "smtp"\nserver = "smtp://127.0.0.1:%d"\n'
                'from = "alerts@sc.example.com"\nto = ["secops@example.com", "oncall@example.com"]\n'
                'retry_initial = "200ms"\nupdate_interval = "0s"\n%s' % (port, extra))

    def test_multipart_mail_threaded_per_incident(self):
        with Workdir() as w:
            smtp = w.start("smtp_receiver.py", python=DEBIAN_PYTHON)
            rc, summary, err = w.run_driver(self.config(smtp.port, 'starttls = "off"\n'),
                                            attack()[1:4], TOKENS, ["--resolve-all"])
            self.assertEqual(rc, 0, err)
            mails = smtp.received()
            self.assertGreaterEqual(len(mails), 2)  # trigger (+updates) + resolve
            first = mails[0]
            self.assertEqual(first["mail_from"], "alerts@sc.example.com")
            self.assertEqual(first["rcpt_tos"], ["secops@example.com", "oncall@example.com"])
            self.assertIn("multipart/alternative", first["content_types"])
            self.assertIn("text/plain", first["content_types"])
            self.assertIn("text/html", first["content_types"])
            self.assertIn("laptop-0042:~/Downloads", first["subject"])
            self.assertIn("Owner: alice", first["text"])
            self.assertIn("<td>alice</td>", first["html"])
            self.assertIsNone(first["in_reply_to"])
            last = mails[-1]
            self.assertTrue(last["subject"].startswith("Resolved: "))
            self.assertEqual(last["in_reply_to"], first["message_id"])
            self.assertFalse(first["tls"])

    def test_starttls_and_auth(self):
        with Workdir() as w:
            cert, key = os.path.join(w.path, "cert.pem"), os.path.join(w.path, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                            "-keyout", key, "-out", cert, "-subj", "/CN=localhost",
                            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                           check=True, capture_output=True, timeout=60)
            smtp = w.start("smtp_receiver.py", "--tls-cert", cert, "--tls-key", key,
                           "--require-starttls", "--auth", "mailer:pa55", python=DEBIAN_PYTHON)
            extra = ('starttls = "required"\nusername = "mailer"\npassword_env = "SMTP_PW"\n'
                     'ca_file = "%s"\nsend = "trigger"\n' % cert)
            rc, summary, err = w.run_driver(self.config(smtp.port, extra), attack()[:1], TOKENS,
                                            env={"SMTP_PW": "pa55"})
            self.assertEqual(rc, 0, err)
            mails = [m for m in smtp.received() if "mail_from" in m]
            self.assertEqual(len(mails), 1, smtp.received())
            self.assertTrue(mails[0]["tls"])
            self.assertEqual(mails[0]["user"], "mailer")

    def test_temporary_failure_is_retried(self):
        with Workdir() as w:
            smtp = w.start("smtp_receiver.py", "--fail-first", "2", python=DEBIAN_PYTHON)
            rc, summary, err = w.run_driver(self.config(smtp.port, 'starttls = "off"\n'),
                                            attack()[:1], TOKENS)
            self.assertEqual(rc, 0, err)
            got = smtp.received()
            self.assertEqual([g.get("rejected") for g in got[:2]], [451, 451])
            self.assertEqual(len([g for g in got if "mail_from" in g]), 1)
            self.assertEqual(summary["sinks"]["mail"]["failed_attempts"], 2)


class SyslogTest(unittest.TestCase):
    def test_udp_rfc5424_and_tcp_cef(self):
        with Workdir() as w:
            sl = w.start("syslog_receiver.py")
            rc, summary, err = w.run_driver(
                '[sinks.udp]\ntype = "syslog"\naddress = "udp://127.0.0.1:%d"\nfacility = "auth"\n'
                '[sinks.tcp]\ntype = "syslog"\naddress = "tcp://127.0.0.1:%d"\nformat = "cef"\n'
                % (sl.port, sl.port), attack()[:1], TOKENS)
            self.assertEqual(rc, 0, err)
            got = sl.received()
            self.assertFalse([g for g in got if "invalid" in g], got)
            udp = [g for g in got if g["transport"] == "udp"]
            tcp = [g for g in got if g["transport"] == "tcp"]
            self.assertEqual(len(udp), 1)
            self.assertEqual(len(tcp), 1)
            inc = summary["incidents"][0]["id"]
            self.assertEqual(udp[0]["facility"], 4)  # auth
            self.assertEqual(udp[0]["severity"], 2)  # critical
            self.assertEqual(udp[0]["msgid"], "trigger")
            self.assertEqual(udp[0]["sd"]["incident"], inc)
            self.assertIn("First use of a key", udp[0]["msg"])
            self.assertTrue(tcp[0]["msg"].startswith("CEF:0|spacecrab|spacecrab|1|first_use|"))
            self.assertIn("externalId=" + inc, tcp[0]["msg"])


class ExecTest(unittest.TestCase):
    def test_program_gets_json_on_stdin_and_a_clean_environment(self):
        with Workdir() as w:
            log = os.path.join(w.path, "exec.jsonl")
            cmd = json.dumps([DEBIAN_PYTHON, os.path.join(HERE, "exec_receiver.py"), log])
            rc, summary, err = w.run_driver(
                "[sinks.prog]\ntype = \"exec\"\ncommand = '%s'\ntimeout = \"10s\"\n" % cmd,
                attack()[:1], TOKENS, env={"DATABASE_URL": "postgresql://secret"})
            self.assertEqual(rc, 0, err)
            with open(log) as f:
                runs = [json.loads(l) for l in f]
            self.assertEqual(len(runs), 1)
            msg = runs[0]["message"]
            self.assertEqual(msg["kind"], "trigger")
            self.assertEqual(msg["dedup_key"], summary["incidents"][0]["id"])
            self.assertEqual(msg["alert"]["token"]["location"], "laptop-0042:~/Downloads")
            env = runs[0]["env"]
            self.assertNotIn("DATABASE_URL", env)
            self.assertNotIn("HOME", env)
            self.assertEqual(env["ALERT_KIND"], "trigger")
            self.assertEqual(env["ALERT_DEDUP_KEY"], msg["dedup_key"])


class ChatAndFileTest(unittest.TestCase):
    def test_slack_teams_and_jsonl(self):
        with Workdir() as w:
            chat = w.start("http_receiver.py", "chat")
            out = os.path.join(w.path, "alerts.jsonl")
            rc, summary, err = w.run_driver(
                '[sinks.slack]\ntype = "slack"\nurl = "http://127.0.0.1:%d/slack"\n'
                '[sinks.teams]\ntype = "teams"\nurl = "http://127.0.0.1:%d/teams"\n'
                '[sinks.file]\ntype = "jsonl"\npath = "%s"\n' % (chat.port, chat.port, out),
                attack()[:1], TOKENS)
            self.assertEqual(rc, 0, err)
            got = {g["path"]: g["body"] for g in chat.received()}
            self.assertEqual(got["/slack"]["blocks"][0]["type"], "header")
            self.assertIn("laptop-0042", got["/slack"]["text"])
            card = got["/teams"]["attachments"][0]["content"]
            self.assertEqual(card["type"], "AdaptiveCard")
            with open(out) as f:
                lines = [json.loads(l) for l in f]
            self.assertEqual(len(lines), 1)
            self.assertEqual(lines[0]["kind"], "trigger")


class AllowlistTest(unittest.TestCase):
    def test_allowlisted_source_is_recorded_but_does_not_page(self):
        with Workdir() as w:
            pd = w.start("http_receiver.py", "pagerduty")
            rc, summary, err = w.run_driver(
                '[sinks.pd]\ntype = "pagerduty"\nurl = "http://127.0.0.1:%d"\nrouting_key = "k"\n'
                % pd.port, attack(), TOKENS,
                ["--allow-cidr", "198.51.100.0/24 # red team", "--allow-user-agent", "re:^never"])
            self.assertEqual(rc, 0, err)
            allowed = [i for i in summary["incidents"] if i["allowlisted"]]
            self.assertEqual(len(allowed), 1)
            self.assertEqual(allowed[0]["allowlist_reason"], "source 198.51.100.0/24 (red team)")
            self.assertEqual(allowed[0]["event_count"], 3)
            paged = {g["dedup_key"] for g in pd.received()}
            self.assertEqual(len(paged), 2)
            self.assertNotIn(allowed[0]["id"], paged)


if __name__ == "__main__":
    unittest.main()
