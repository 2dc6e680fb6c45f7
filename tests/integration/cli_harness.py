"""Runs the real `spacecrab` binary for the CLI and fleet tests.

A Deployment is one `spacecrab init --non-interactive` into a temporary
directory plus one `spacecrab serve --config` on an ephemeral 127.0.0.1 port
(the server prints "listening on http://HOST:PORT" once bound). Every process
it starts is stopped in stop(); every call is bounded in time.
"""

import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

BIN = os.environ.get("SPACECRAB_BIN", "")
CALL_TIMEOUT = 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(**extra):
    """The environment for child processes: no SPACECRAB_* leaking in from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPACECRAB_")}
    env.update(extra)
    return env


def run(args, env=None, cwd=None, input_text=None, timeout=CALL_TIMEOUT):
    return subprocess.run([BIN, *args], env=env if env is not None else base_env(), cwd=cwd,
                          input=input_text, capture_output=True, text=True, timeout=timeout)


class CaptureEndpoint:
    """An HTTP endpoint that records every request (method, path, headers) and
    answers 403 like AWS does to a key it does not like."""

    def __init__(self):
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append({"method": self.command, "path": self.path,
                                       "headers": dict(self.headers), "body": body})
                payload = (b'<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>'
                           b'<Message>The security token included in the request is invalid.</Message>'
                           b'</Error><RequestId>1</RequestId></ErrorResponse>')
                self.send_response(403)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Deployment:
    def __init__(self, decoy_endpoint_url=""):
        self.dir = tempfile.mkdtemp(prefix="sc_cli_it_")
        self.config = os.path.join(self.dir, "spacecrab.toml")
        self.data_dir = os.path.join(self.dir, "data")
        self.decoy_endpoint_url = decoy_endpoint_url
        self.proc = None
        self.addr = None
        self.init = None
        self.stdout_lines = []
        self.stderr_lines = []

    # ---- lifecycle ---------------------------------------------------------
    def start(self):
        args = ["init", "--non-interactive", "--json", "--config", self.config,
                "--data-dir", self.data_dir, "--listen", "127.0.0.1:0",
                "--decoy-listen", "127.0.0.1:%d" % free_port()]
        if self.decoy_endpoint_url:
            args += ["--decoy-endpoint-url", self.decoy_endpoint_url]
        r = run(args)
        if r.returncode != 0:
            raise RuntimeError("init failed (%d): %s" % (r.returncode, r.stderr))
        self.init = json.loads(r.stdout)
        self.proc = subprocess.Popen([BIN, "serve", "--config", self.config], env=base_env(),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready = threading.Event()

        def pump(stream, lines, watch):
            for line in stream:
                lines.append(line)
                m = watch and re.search(r"listening on (http://\S+)", line)
                if m:
                    self.addr = m.group(1)
                    ready.set()

        threading.Thread(target=pump, args=(self.proc.stdout, self.stdout_lines, True), daemon=True).start()
        threading.Thread(target=pump, args=(self.proc.stderr, self.stderr_lines, False), daemon=True).start()
        deadline = time.time() + 30
        while not ready.wait(0.1):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("server did not start: " + "".join(self.stderr_lines[-20:]))
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- calling the CLI ---------------------------------------------------
    def env(self, api_key=None, **extra):
        return base_env(SPACECRAB_ADDR=self.addr, SPACECRAB_API_KEY=api_key or self.init["api_key"], **extra)

    def cli(self, *args, api_key=None, env=None, cwd=None):
        return run(list(args), env=env if env is not None else self.env(api_key), cwd=cwd)

    def cli_json(self, testcase, *args, api_key=None):
        r = self.cli(*args, "--json", api_key=api_key)
        testcase.assertEqual(r.returncode, 0, "spacecrab %s: %s" % (" ".join(args), r.stderr))
        return json.loads(r.stdout)
