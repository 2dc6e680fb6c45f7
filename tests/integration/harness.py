"""Starts the real `spacecrab serve` for integration tests and talks to it over HTTP.

Reusable by any test that needs a running server:

    from harness import SpacecrabServer
    with SpacecrabServer(extra_config='[incidents]\\nwindow = "10m"\\n') as srv:
        r = srv.request("POST", "/api/v1/tokens", key=srv.admin_key, json_body={"location": "x"})
        assert r.status == 201, r.text

Each server gets its own temporary directory with a spacecrab.toml (DESIGN's
format), a data directory, and the process's stdout/stderr captured to files
(stdout.log, stderr.log) so tests can read or scan them. It listens on an
ephemeral 127.0.0.1 port: the harness waits for the "listening on
http://HOST:PORT" line and reads the first-start admin key from
<data_dir>/client.json. stop() sends SIGTERM and waits (bounded), then kills.

Only the Python standard library is used.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

BIN = os.environ.get("SPACECRAB_BIN", "")
START_TIMEOUT = 30
STOP_TIMEOUT = 15


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra):
    """The environment for the server: nothing SPACECRAB_* leaks in from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPACECRAB_")}
    env.update(extra)
    return env


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-cased names
        self.body = body        # bytes

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name.lower(), "")

    def __repr__(self):
        return "Reply(%d, %r)" % (self.status, self.text[:300])


class SpacecrabServer:
    """One `spacecrab serve` process with its own config and data directory.

    extra_config: TOML appended to the generated config (whole sections).
    data_dir: reuse a data directory (e.g. to test a restart); default: fresh.
    env: extra environment variables for the process.
    """

    def __init__(self, extra_config="", data_dir=None, env=None, max_body_bytes=None,
                 decoy_account_id=None, threads=None):
        if not BIN:
            raise RuntimeError("SPACECRAB_BIN is not set")
        self.dir = tempfile.mkdtemp(prefix="sc_api_it_")
        self.data_dir = data_dir or os.path.join(self.dir, "data")
        self.config_path = os.path.join(self.dir, "spacecrab.toml")
        self.stdout_path = os.path.join(self.dir, "stdout.log")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        server = ['listen = "127.0.0.1:0"', 'data_dir = "%s"' % self.data_dir]
        if max_body_bytes is not None:
            server.append("max_body_bytes = %d" % max_body_bytes)
        if threads is not None:
            server.append("threads = %d" % threads)
        decoy = ['listen = "127.0.0.1:%d"' % free_port()]
        if decoy_account_id:
            decoy.append('account_id = "%s"' % decoy_account_id)
        with open(self.config_path, "w") as f:
            f.write("[server]\n%s\n\n[decoy]\n%s\n\n%s" % ("\n".join(server), "\n".join(decoy), extra_config))
        self.env = clean_env(**(env or {}))
        self.proc = None
        self.addr = None
        self.host = None
        self.port = None
        self.admin_key = None
        self._stdout = None
        self._stderr = None

    # ---- lifecycle -----------------------------------------------------------
    def start(self):
        self._stdout = open(self.stdout_path, "ab")
        self._stderr = open(self.stderr_path, "ab")
        start_offset = self._stdout.tell()
        self.proc = subprocess.Popen([BIN, "serve", "--config", self.config_path], env=self.env,
                                     stdout=self._stdout, stderr=self._stderr, cwd=self.dir)
        deadline = time.time() + START_TIMEOUT
        while True:
            with open(self.stdout_path, "rb") as f:
                f.seek(start_offset)
                m = re.search(rb"listening on (http://(\S+):(\d+))", f.read())
            if m:
                self.addr = m.group(1).decode()
                self.host = m.group(2).decode()
                self.port = int(m.group(3))
                break
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %s:\n%s" % (self.proc.returncode, self.stderr_text()))
            if time.time() > deadline:
                self.stop()
                raise RuntimeError("server did not start in %ds:\n%s" % (START_TIMEOUT, self.stderr_text()))
            time.sleep(0.05)
        client_file = os.path.join(self.data_dir, "client.json")
        if os.path.exists(client_file):
            with open(client_file) as f:
                self.admin_key = json.load(f).get("api_key")
        return self

    def stop(self):
        """SIGTERM, then wait; returns the exit code (None if it had to be killed)."""
        code = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        elif self.proc:
            code = self.proc.returncode
        for f in (self._stdout, self._stderr):
            if f:
                f.close()
        self._stdout = self._stderr = None
        return code

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # ---- output --------------------------------------------------------------
    def stdout_text(self):
        with open(self.stdout_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr_text(self):
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    # ---- HTTP ----------------------------------------------------------------
    def request(self, method, path, key=None, json_body=None, body=None, content_type=None,
                headers=None, timeout=30):
        """One request on a fresh connection. `json_body` is encoded as JSON;
        `body` (bytes or str) is sent as is. Returns a Reply."""
        hdrs = dict(headers or {})
        if key is not None:
            hdrs["Authorization"] = "Bearer " + key
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            hdrs.setdefault("Content-Type", content_type or "application/json")
        elif body is not None:
            data = body.encode() if isinstance(body, str) else body
            if content_type:
                hdrs["Content-Type"] = content_type
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            payload = resp.read()
            return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload)
        finally:
            conn.close()

    def raw(self, data, timeout=10):
        """Sends raw bytes on a new socket; returns the first response (headers
        and Content-Length body), or whatever came before close/timeout."""
        with socket.create_connection((self.host, self.port), timeout=timeout) as s:
            try:
                s.sendall(data)
            except OSError:
                pass  # the server may answer and close before reading everything
            got = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += chunk
                    head, sep, rest = got.partition(b"\r\n\r\n")
                    if sep:
                        m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                        if len(rest) >= (int(m.group(1)) if m else 0):
                            break
            except (socket.timeout, ConnectionResetError):
                pass
            return got

    # ---- conveniences ----------------------------------------------------------
    def create_api_key(self, scope, name=None):
        r = self.request("POST", "/api/v1/apikeys", key=self.admin_key,
                         json_body={"name": name or scope + " key", "scope": scope})
        if r.status != 201:
            raise RuntimeError("creating %s key: %r" % (scope, r))
        return r.json()

    def create_tokens(self, key=None, **fields):
        fields.setdefault("location", "test-host:~/Downloads")
        r = self.request("POST", "/api/v1/tokens", key=key or self.admin_key, json_body=fields)
        if r.status != 201:
            raise RuntimeError("creating tokens: %r" % r)
        return r.json()["items"]

    def list_all_tokens(self, key=None, page_size=1000, **filters):
        """Follows next_cursor to the end; returns every token."""
        from urllib.parse import urlencode
        items, cursor = [], None
        while True:
            q = dict(filters, limit=page_size)
            if cursor:
                q["cursor"] = cursor
            r = self.request("GET", "/api/v1/tokens?" + urlencode(q), key=key or self.admin_key)
            if r.status != 200:
                raise RuntimeError("listing tokens: %r" % r)
            doc = r.json()
            items += doc["items"]
            cursor = doc["next_cursor"]
            if not cursor:
                return items


def account_id_from_access_key_id(key_id):
    """DESIGN's formula: (be48(base32decode(id[4:])[0:6]) & 0x7fffffffff80) >> 7, zero-padded."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    bits = 0
    for c in key_id[4:]:
        bits = (bits << 5) | alphabet.index(c)  # 16 chars = 80 bits
    raw = bits.to_bytes(10, "big")
    be48 = int.from_bytes(raw[0:6], "big")
    return "%012d" % ((be48 & 0x7FFFFFFFFF80) >> 7)
