"""moto_server as a child process on an ephemeral 127.0.0.1 port.

Signature and policy checks: moto 5 authenticates a request only once
`ActionAuthenticatorMixin.request_count >= INITIAL_NO_AUTH_ACTION_COUNT`
(moto/core/authorization.py); each authorizable action before that passes
unchecked and bumps the counter. So the sandbox starts moto with
INITIAL_NO_AUTH_ACTION_COUNT = the number of bootstrap calls (create the
admin user, its allow-all policy, its key) and then proves checks are on.

The child gets PR_SET_PDEATHSIG so it dies with us even if we are killed.
"""

import ctypes
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

_RUNNING_RE = re.compile(r"Running on http://127\.0\.0\.1:(\d+)")


def _die_with_parent():
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def moto_available():
    return importlib.util.find_spec("moto") is not None or shutil.which("moto_server") is not None


class MotoProcess:
    def __init__(self, account_id=None, no_auth_actions=3, start_timeout=60.0):
        self.account_id = account_id
        self.no_auth_actions = no_auth_actions
        self.start_timeout = start_timeout
        self.port = None
        self.proc = None
        self.output = []

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        if importlib.util.find_spec("moto") is not None:
            argv = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"]
        else:
            argv = [shutil.which("moto_server"), "-H", "127.0.0.1", "-p", "0"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self.no_auth_actions)
        env["PYTHONUNBUFFERED"] = "1"
        if self.account_id:
            env["MOTO_ACCOUNT_ID"] = self.account_id
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env, preexec_fn=_die_with_parent)
        found = threading.Event()

        def drain():
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip()
                if len(self.output) < 200:
                    self.output.append(line)
                m = _RUNNING_RE.search(line)
                if m and not found.is_set():
                    self.port = int(m.group(1))
                    found.set()

        threading.Thread(target=drain, name="moto-output", daemon=True).start()
        deadline = time.monotonic() + self.start_timeout
        while not found.wait(0.1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("moto_server did not start: " + "\n".join(self.output[-20:]))
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None
