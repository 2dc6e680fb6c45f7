"""Test harness for the alert integration tests: starts receivers from this
directory and the pipeline driver (sc_alert_driver), all on 127.0.0.1,
every process bounded in time and cleaned up.
"""
import json
import os
import select
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DEBIAN_PYTHON = "/usr/bin/python3"  # has python3-aiosmtpd


def driver_path():
    explicit = os.environ.get("SC_ALERT_DRIVER")
    if explicit:
        return explicit
    build = os.environ.get("SPACECRAB_BUILD_DIR")
    if not build:
        raise RuntimeError("set SPACECRAB_BUILD_DIR (or SC_ALERT_DRIVER) to find sc_alert_driver")
    path = os.path.join(build, "src", "alert", "sc_alert_driver")
    if not os.path.exists(path):
        raise RuntimeError(path + " is not built: cmake --build BUILD --target sc_alert_driver")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """One receiver process; .port once ready; .received() reads its log."""

    def __init__(self, workdir, script, *args, python="python3", name=None):
        self.log = os.path.join(workdir, (name or script.replace(".py", "")) + "-" +
                                str(time.monotonic_ns()) + ".jsonl")
        cmd = [python, os.path.join(HERE, script)] + list(args) + ["--log", self.log]
        # stderr to a file: a chatty receiver must never block on a full pipe.
        self.err_path = self.log + ".stderr"
        with open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=err, cwd=HERE)
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        line = self.proc.stdout.readline() if ready else b""
        if not line:
            self.stop()
            with open(self.err_path, errors="replace") as f:
                raise RuntimeError(script + " did not start: " + f.read())
        self.port = json.loads(line)["port"]

    def received(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def control(self, mode):
        req = urllib.request.Request("http://127.0.0.1:%d/_control" % self.port,
                                     data=json.dumps({"mode": mode}).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read())

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # receivers exit when stdin closes
                self.proc.wait(timeout=5)
            except Exception:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.proc.stdout:
            self.proc.stdout.close()


def event(eid, token, ip, at, name="GetCallerIdentity", source="sts.amazonaws.com", **extra):
    e = {"id": eid, "token_id": token, "source_ip": ip, "event_time": at,
         "event_source": source, "event_name": name, "aws_region": "us-east-1",
         "user_agent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1", "request_id": "req-" + eid}
    e.update(extra)
    return e


class Workdir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="sc-alert-")
        self.receivers = []
        return self

    def start(self, script, *args, **kw):
        r = Receiver(self.path, script, *args, **kw)
        self.receivers.append(r)
        return r

    def file(self, name, text):
        p = os.path.join(self.path, name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def run_driver(self, config, events=(), tokens=None, args=(), timeout=60, background=False,
                   env=None):
        cfg = self.file("spacecrab.toml", config)
        cmd = [driver_path(), "--config", cfg]
        if events:
            cmd += ["--events", self.file("events.jsonl",
                                          "".join(json.dumps(e) + "\n" for e in events))]
        if tokens is not None:
            cmd += ["--tokens", self.file("tokens.json", json.dumps(tokens))]
        cmd += list(args)
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.path}
        full_env.update(env or {})
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=self.path, env=full_env)
        if background:
            return proc
        return finish(proc, timeout)

    def __exit__(self, *exc):
        for r in self.receivers:
            r.stop()
        shutil.rmtree(self.path, ignore_errors=True)


def finish(proc, timeout):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError("driver timed out: " + err.decode())
    summary = json.loads(out) if out.strip().startswith(b"{") else None
    return proc.returncode, summary, err.decode()


def reap(proc):
    """Kills the driver if it still runs and closes its pipes."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)
    for f in (proc.stdout, proc.stderr):
        if f and not f.closed:
            f.close()


def wait_for(predicate, timeout=10, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
