"""Shared plumbing for the local alert receivers (tests/receivers/*.py).

Every receiver is a small process that listens on 127.0.0.1 only, prints one
JSON line {"port": N, ...} on stdout once it is ready, appends what it
received to a JSON-lines log (--log), and exits when its stdin closes or on
SIGTERM, so a test that dies never leaves one behind.

HTTP receivers also answer a control endpoint:
    POST /_control {"mode": "ok" | "429" | "500" | "400" | "slow:SECONDS"}
    GET  /_received                                      everything received so far
Standard library only.
"""
import json
import os
import signal
import sys
import threading


def announce(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def exit_when_stdin_closes():
    """Daemon thread: the parent test owns our stdin; when it goes, we go."""

    def watch():
        try:
            while sys.stdin.buffer.read(1024):
                pass
        except Exception:
            pass
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))


class Log:
    """Thread-safe JSON-lines log, also kept in memory for /_received."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.items = []

    def add(self, item):
        with self.lock:
            self.items.append(item)
            if self.path:
                with open(self.path, "a", encoding="utf-8") as f:
                    f.write(json.dumps(item) + "\n")
                    f.flush()

    def snapshot(self):
        with self.lock:
            return list(self.items)


class Mode:
    """What an HTTP receiver answers right now ("ok" or an HTTP status)."""

    def __init__(self, initial="ok"):
        self.lock = threading.Lock()
        self.value = initial

    def get(self):
        with self.lock:
            return self.value

    def set(self, value):
        with self.lock:
            self.value = value


def read_log(path):
    """Reads a receiver's JSON-lines log (tests use this)."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
