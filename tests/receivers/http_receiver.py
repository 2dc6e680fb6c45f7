#!/usr/bin/env python3
"""HTTP receivers for alert sinks: the PagerDuty Events API v2 contract and a
generic webhook that verifies spacecrab's HMAC signature.

    http_receiver.py pagerduty --log FILE [--port N] [--mode ok|429|500|400|slow:SECONDS]
    http_receiver.py webhook   --log FILE --secret S [--port N] [--max-skew 300]
    http_receiver.py chat      --log FILE [--port N]     (Slack / Teams: any JSON, 200 "ok")

pagerduty: POST /v2/enqueue. The body is validated as PagerDuty does
(routing_key, event_action, dedup_key, and for triggers payload.summary <=
1024 chars, payload.source, payload.severity in critical|error|warning|info,
an ISO 8601 timestamp, custom_details an object, links [{href,text}]).
Invalid -> 400 {"status":"invalid event","errors":[...]}; valid -> 202
{"status":"success","dedup_key":...}. Like PagerDuty, a trigger for a dedup key
that is already open does not open a second incident: the log records
"new_incident": true only for the first trigger of each key (until resolved).

webhook: verifies X-Signature-256 == "sha256=" + hex(HMAC-SHA256(secret,
X-Signature-Timestamp + "." + raw body)) in constant time and the timestamp is
within --max-skew seconds; 401 otherwise. This is the reference receiver for
the documented webhook contract (src/alert/webhook_sink.h).
"""
import argparse
import hashlib
import hmac
import json
import sys
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from receiver_common import Log, Mode, announce, exit_when_stdin_closes

SEVERITIES = {"critical", "error", "warning", "info"}


def validate_pagerduty(body):
    errors = []
    if not isinstance(body, dict):
        return ["body must be a JSON object"]
    if not isinstance(body.get("routing_key"), str) or not body["routing_key"]:
        errors.append("routing_key is required")
    action = body.get("event_action")
    if action not in ("trigger", "acknowledge", "resolve"):
        errors.append("event_action must be trigger, acknowledge or resolve")
    key = body.get("dedup_key")
    if action in ("acknowledge", "resolve") and not key:
        errors.append("dedup_key is required for " + str(action))
    if key is not None and (not isinstance(key, str) or len(key) > 255):
        errors.append("dedup_key must be a string of at most 255 characters")
    if action == "trigger":
        p = body.get("payload")
        if not isinstance(p, dict):
            return errors + ["payload is required for trigger"]
        s = p.get("summary")
        if not isinstance(s, str) or not s or len(s) > 1024:
            errors.append("payload.summary must be 1..1024 characters")
        if not isinstance(p.get("source"), str) or not p["source"]:
            errors.append("payload.source is required")
        if p.get("severity") not in SEVERITIES:
            errors.append("payload.severity must be one of " + ", ".join(sorted(SEVERITIES)))
        ts = p.get("timestamp")
        if ts is not None:
            try:
                datetime.fromisoformat(ts.replace("Z", "+00:00"))
            except (AttributeError, ValueError):
                errors.append("payload.timestamp must be ISO 8601")
        if "custom_details" in p and not isinstance(p["custom_details"], dict):
            errors.append("payload.custom_details must be an object")
        for link in body.get("links", []):
            if not isinstance(link, dict) or not isinstance(link.get("href"), str):
                errors.append("links[] need href")
    return errors


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real endpoints do

    def log_message(self, *args):
        pass

    def reply(self, status, obj, content_type="application/json"):
        time.sleep(getattr(self, "delay", 0.0))
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        # Headers and body in one write: separate small writes meet Nagle and
        # delayed ACKs and cost 40 ms per request on keep-alive connections.
        self._headers_buffer.append(b"\r\n")
        self.wfile.write(b"".join(self._headers_buffer) + data)
        self._headers_buffer = []

    def do_GET(self):
        if self.path == "/_received":
            return self.reply(200, self.server.log.snapshot())
        self.reply(404, {"error": "not found"})

    def do_POST(self):
        self.delay = 0.0
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if self.path == "/_control":
            self.server.mode.set(json.loads(raw)["mode"])
            return self.reply(200, {"mode": self.server.mode.get()})
        mode = self.server.mode.get()
        if mode.startswith("slow:"):
            # Process (and log) at once but answer late: a sender that gives
            # up or dies meanwhile will send again a message we already have.
            self.delay = float(mode.split(":", 1)[1])
            mode = "ok"
        if mode != "ok":
            self.server.log.add({"rejected": int(mode), "at": time.time()})
            return self.reply(int(mode), {"status": "forced " + mode})
        getattr(self, "handle_" + self.server.kind)(raw)

    def handle_pagerduty(self, raw):
        if self.path != "/v2/enqueue":
            return self.reply(404, {"status": "unknown path " + self.path})
        try:
            body = json.loads(raw)
        except ValueError:
            return self.reply(400, {"status": "invalid event", "errors": ["not JSON"]})
        errors = validate_pagerduty(body)
        if errors:
            self.server.log.add({"invalid": errors, "body": body})
            return self.reply(400, {"status": "invalid event", "message": "Event object is invalid",
                                    "errors": errors})
        key = body.get("dedup_key")
        with self.server.lock:
            new = body["event_action"] == "trigger" and key not in self.server.open_keys
            if body["event_action"] == "trigger":
                self.server.open_keys.add(key)
            elif body["event_action"] == "resolve":
                self.server.open_keys.discard(key)
        self.server.log.add({"event_action": body["event_action"], "dedup_key": key,
                             "new_incident": new, "body": body, "at": time.time()})
        self.reply(202, {"status": "success", "message": "Event processed", "dedup_key": key})

    def handle_webhook(self, raw):
        ts = self.headers.get("X-Signature-Timestamp", "")
        sig = self.headers.get("X-Signature-256", "")
        want = "sha256=" + hmac.new(self.server.secret, ts.encode() + b"." + raw,
                                    hashlib.sha256).hexdigest()
        fresh = ts.isdigit() and abs(time.time() - int(ts)) <= self.server.max_skew
        if not hmac.compare_digest(sig.encode(), want.encode()) or not fresh:
            self.server.log.add({"bad_signature": True, "fresh": fresh, "at": time.time()})
            return self.reply(401, {"error": "bad signature"})
        body = json.loads(raw)
        self.server.log.add({"verified": True, "dedup_key": self.headers.get("X-Dedup-Key"),
                             "kind": body.get("kind"), "body": body, "at": time.time()})
        self.reply(200, {"ok": True})

    def handle_chat(self, raw):
        body = json.loads(raw)
        self.server.log.add({"path": self.path, "body": body, "at": time.time()})
        self.reply(200, b"ok", "text/plain")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["pagerduty", "webhook", "chat"])
    ap.add_argument("--log", default="")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mode", default="ok")
    ap.add_argument("--secret", default="")
    ap.add_argument("--max-skew", type=int, default=300)
    args = ap.parse_args()
    if args.kind == "webhook" and not args.secret:
        sys.exit("--secret is required for webhook")
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.kind = args.kind
    server.log = Log(args.log)
    server.mode = Mode(args.mode)
    server.secret = args.secret.encode()
    server.max_skew = args.max_skew
    server.open_keys = set()
    import threading
    server.lock = threading.Lock()
    exit_when_stdin_closes()
    announce(port=server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
