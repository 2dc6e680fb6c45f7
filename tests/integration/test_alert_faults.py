"""Alert delivery under faults, against real receivers on 127.0.0.1:

* a sink that is down (connection refused) for a while: the other sink keeps
  paging meanwhile, and after it recovers every message arrives, in order per
  incident (trigger first, resolve last);
* an exec'd "ticket system" that answers "try later" (exit 75) for a while;
* sends that reach the receiver but time out at the sender, so they are
  retried: the receiver sees duplicates, yet each incident pages once
  (dedup key = incident id);
* SIGKILL with the SQLite outbox: after recording events, after the incident
  commit (before any send), and in the middle of a send. After a restart on
  the same database every page arrives and each incident's trigger opens one
  incident at the receiver.
"""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "receivers"))
from alert_harness import (DEBIAN_PYTHON, HERE, Workdir, event, finish, free_port,  # noqa: E402
                           reap, wait_for)


def storm_of_three():
    """Three incidents, each with several distinct actions (trigger + updates)."""
    events = []
    actions = [("sts.amazonaws.com", "GetCallerIdentity"), ("iam.amazonaws.com", "ListUsers"),
               ("s3.amazonaws.com", "ListBuckets"), ("ec2.amazonaws.com", "DescribeRegions")]
    n = 0
    for tok, ip in (("tok_A", "203.0.113.1"), ("tok_B", "203.0.113.2"), ("tok_A", "2001:db8::3")):
        for src, name in actions:
            events.append(event("e%d" % n, tok, ip, "2026-11-23T17:00:%02dZ" % n, name, src))
            n += 1
    return events


def sequences(entries, key="dedup_key", kind="event_action"):
    seq = {}
    for e in entries:
        if key in e:
            seq.setdefault(e[key], []).append(e[kind])
    return seq


class SinkOutageTest(unittest.TestCase):
    def test_down_sink_recovers_and_delivers_everything_in_order(self):
        with Workdir() as w:
            down_port = free_port()  # nothing listens here yet: connection refused
            hook = w.start("http_receiver.py", "webhook", "--secret", "s")
            config = ('[sinks.pd]\ntype = "pagerduty"\nurl = "http://127.0.0.1:%d"\n'
                      'routing_key = "k"\nretry_initial = "200ms"\nretry_max = "1s"\n'
                      'update_interval = "0s"\n'
                      '[sinks.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:%d/"\nsecret = "s"\n'
                      'update_interval = "0s"\n' % (down_port, hook.port))
            proc = w.run_driver(config, storm_of_three(), None,
                                ["--resolve-early", "--drain-timeout", "60"], background=True)
            try:
                # The healthy sink is not held up by the one that is down.
                self.assertTrue(wait_for(
                    lambda: sum(1 for g in hook.received() if g.get("kind") == "resolve") == 3, 10),
                    hook.received())
                time.sleep(2)  # PagerDuty stays down a little longer
                pd = w.start("http_receiver.py", "pagerduty", "--port", str(down_port))
                rc, summary, err = finish(proc, 60)
            finally:
                reap(proc)
            self.assertEqual(rc, 0, err)
            self.assertGreater(summary["sinks"]["pd"]["failed_attempts"], 0)
            self.assertEqual(summary["dead"], [])
            got = pd.received()
            self.assertFalse([g for g in got if "invalid" in g])
            seq = sequences(got)
            self.assertEqual(len(seq), 3)
            for key, actions in seq.items():
                self.assertEqual(actions[0], "trigger", actions)
                self.assertEqual(actions[-1], "resolve", actions)
                self.assertEqual(actions.count("resolve"), 1)
            news = [g["dedup_key"] for g in got if g.get("new_incident")]
            self.assertEqual(sorted(news), sorted(seq))
            # The newest picture made it: the last trigger/update carries all 4 actions.
            for key in seq:
                last = [g for g in got if g["dedup_key"] == key and g["event_action"] == "trigger"][-1]
                self.assertEqual(
                    len(last["body"]["payload"]["custom_details"]["incident"]["actions"]), 4)

    def test_exec_ticket_system_down_then_up(self):
        with Workdir() as w:
            log = os.path.join(w.path, "tickets.jsonl")
            up = os.path.join(w.path, "ticket-system-up")
            cmd = json.dumps([DEBIAN_PYTHON, os.path.join(HERE, "exec_receiver.py"), log,
                              "--fail-until", up])
            config = ("[sinks.tickets]\ntype = \"exec\"\ncommand = '%s'\nretry_initial = \"200ms\"\n"
                      "retry_max = \"1s\"\nupdate_interval = \"0s\"\n" % cmd)
            proc = w.run_driver(config, storm_of_three(), None,
                                ["--resolve-early", "--drain-timeout", "60"], background=True)
            try:
                time.sleep(2)
                self.assertFalse(os.path.exists(log))
                open(up, "w").close()
                rc, summary, err = finish(proc, 60)
            finally:
                reap(proc)
            self.assertEqual(rc, 0, err)
            self.assertGreater(summary["sinks"]["tickets"]["failed_attempts"], 0)
            with open(log) as f:
                runs = [json.loads(l)["message"] for l in f]
            seq = sequences(runs, "dedup_key", "kind")
            self.assertEqual(len(seq), 3)
            for kinds in seq.values():
                self.assertEqual(kinds[0], "trigger")
                self.assertEqual(kinds[-1], "resolve")


class DuplicateDeliveryTest(unittest.TestCase):
    def test_retried_sends_never_page_twice(self):
        with Workdir() as w:
            # Every answer comes after the sender's 500 ms timeout: the message
            # arrives, the sender does not know, and sends it again.
            pd = w.start("http_receiver.py", "pagerduty", "--mode", "slow:1.2")
            config = ('[sinks.pd]\ntype = "pagerduty"\nurl = "http://127.0.0.1:%d"\n'
                      'routing_key = "k"\ntimeout = "500ms"\nretry_initial = "100ms"\n'
                      'retry_max = "300ms"\nupdate_interval = "0s"\n' % pd.port)
            events = [event("e1", "tok_A", "203.0.113.1", "2026-11-23T17:00:00Z"),
                      event("e2", "tok_B", "203.0.113.2", "2026-11-23T17:00:01Z")]
            proc = w.run_driver(config, events, None, ["--drain-timeout", "60"], background=True)
            try:
                self.assertTrue(wait_for(lambda: len(pd.received()) >= 4, 20), pd.received())
                pd.control("ok")
                rc, summary, err = finish(proc, 60)
            finally:
                reap(proc)
            self.assertEqual(rc, 0, err)
            self.assertTrue(wait_for(lambda: len(pd.received()) >= 4, 5))
            triggers = [g for g in pd.received() if g.get("event_action") == "trigger"]
            per_key = {}
            for g in triggers:
                per_key.setdefault(g["dedup_key"], []).append(g["new_incident"])
            self.assertEqual(len(per_key), 2)
            self.assertGreater(len(triggers), 2)  # duplicates did arrive...
            for key, news in per_key.items():
                self.assertEqual(news.count(True), 1, (key, news))  # ...but paged once each


class CrashTest(unittest.TestCase):
    CONFIG = ('[sinks.pd]\ntype = "pagerduty"\nurl = "http://127.0.0.1:%d"\nrouting_key = "k"\n'
              'timeout = "%s"\nupdate_interval = "0s"\n')

    def crash_and_restart(self, crash_at):
        with Workdir() as w:
            pd = w.start("http_receiver.py", "pagerduty")
            db = os.path.join(w.path, "spacecrab.sqlite")
            config = self.CONFIG % (pd.port, "10s")
            rc, _, err = w.run_driver(config, storm_of_three(), None,
                                      ["--db", db, "--crash-at", crash_at])
            self.assertEqual(rc, -9, err)  # SIGKILL
            self.assertEqual(pd.received(), [])  # nothing was sent
            rc, summary, err = w.run_driver(config, (), None, ["--db", db, "--drain-timeout", "30"])
            self.assertEqual(rc, 0, err)
            got = pd.received()
            keys = {g["dedup_key"] for g in got}
            self.assertEqual(len(keys), 3, got)
            self.assertEqual(sorted(g["dedup_key"] for g in got if g["new_incident"]), sorted(keys))
            return summary

    def test_killed_after_commit_every_page_goes_out_after_restart(self):
        summary = self.crash_and_restart("commit")
        self.assertEqual(summary["backlog_events"], 0)  # incidents were committed

    def test_killed_after_recording_the_backlog_sweep_pages(self):
        summary = self.crash_and_restart("record")
        self.assertEqual(summary["backlog_events"], 12)  # all events, picked up on restart

    def test_killed_mid_send_the_resend_does_not_page_twice(self):
        with Workdir() as w:
            pd = w.start("http_receiver.py", "pagerduty", "--mode", "slow:30")
            db = os.path.join(w.path, "spacecrab.sqlite")
            config = self.CONFIG % (pd.port, "20s")
            events = storm_of_three()[:1]
            proc = w.run_driver(config, events, None, ["--db", db, "--lease-margin-ms", "0"],
                                background=True)
            try:
                # The page reached the receiver; its answer is still pending.
                self.assertTrue(wait_for(lambda: len(pd.received()) == 1, 20))
                proc.kill()  # SIGKILL before the outbox row is marked sent
                proc.wait(10)
            finally:
                reap(proc)
            self.assertEqual(proc.returncode, -9)
            pd.control("ok")
            # The claim lapses after the sink timeout (20 s + 0 margin), then it is resent.
            rc, summary, err = w.run_driver(config, (), None,
                                            ["--db", db, "--drain-timeout", "60"], timeout=90)
            self.assertEqual(rc, 0, err)
            got = pd.received()
            self.assertEqual([g["event_action"] for g in got], ["trigger", "trigger"])
            self.assertEqual(len({g["dedup_key"] for g in got}), 1)
            self.assertEqual([g["new_incident"] for g in got], [True, False])


if __name__ == "__main__":
    unittest.main()
