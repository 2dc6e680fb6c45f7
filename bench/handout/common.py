"""What run.py and decoy.py share: driving loadgen at the token endpoint, and
reading a server's CPU time per thread."""
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def loadgen(srv, connections, rate, duration, warmup, timeline=None):
    """POST /api/v1/tokens (count=1) from `connections` keep-alive clients; loadgen's JSON."""
    binary = os.environ.get("LOADGEN", os.path.join(ROOT, "build", "bench", "loadgen"))
    body = '{"location":"bench-host-{n}:~/Downloads","owner":"bench","count":1}'
    cmd = [binary, "--url", srv.addr + "/api/v1/tokens", "--method", "POST",
           "--header", "Authorization: Bearer %s" % srv.admin_key,
           "--header", "Content-Type: application/json", "--body-template", body,
           "--connections", str(connections), "--rate", str(rate), "--duration", str(duration),
           "--warmup", str(warmup), "--expect-status", "201", "--json"]
    if timeline:
        cmd += ["--timeline", timeline]
    run = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=600)
    return json.loads(run.stdout)


def thread_cpu(pid):
    """CPU seconds (user+sys) of each thread of `pid`, by thread id."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[int(tid)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return out


def thread_names(pid):
    """The name (comm) of each thread of `pid`, by thread id."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                out[int(tid)] = f.read().strip()
        except OSError:
            pass
    return out
