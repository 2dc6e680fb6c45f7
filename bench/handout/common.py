"""What run.py and decoy.py share: driving loadgen at the token endpoint,
reading a server's CPU time per thread, and tracing its store during a run."""
import json
import os
import subprocess
import threading
import time

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


def steal_seconds():
    """CPU time the hypervisor has taken from this VM (all CPUs, /proc/stat 'steal')."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK")


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


class StoreTrace:
    """Samples, every ~2 ms while a run goes, what the server's SQLite files and
    its named background threads are doing: the database file's size and
    modification time (a checkpoint writes it), the WAL's checkpoint sequence
    number (its header's bytes 12-15; it moves when the log restarts), the
    process's minor page faults and CPU ticks so far, the CPU time the
    hypervisor has taken from the VM so far (steal), and the scheduler state
    of each named thread (R running, S sleeping, D waiting on the disk).
    Written as CSV: the time is microseconds since start()."""

    def __init__(self, pid, data_dir, names=("wal-checkpoint", "key-index", "pool-refill")):
        self.pid, self.names = pid, names
        self.db = os.path.join(data_dir, "spacecrab.db")
        self.wal = self.db + "-wal"
        self.rows = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        tids = {n: t for t, n in thread_names(self.pid).items() if n in self.names}
        t0 = time.monotonic()
        while not self._stop.is_set():
            row = [int((time.monotonic() - t0) * 1e6)]
            try:
                st = os.stat(self.db)
                row += [st.st_size, st.st_mtime_ns]
            except OSError:
                row += ["", ""]
            try:
                with open(self.wal, "rb") as f:
                    head = f.read(16)
                row += [int.from_bytes(head[12:16], "big") if len(head) == 16 else ""]
            except OSError:
                row += [""]
            try:
                with open("/proc/%d/stat" % self.pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                row += [fields[7], int(fields[11]) + int(fields[12])]  # minflt; utime + stime
            except OSError:
                row += ["", ""]
            row.append(steal_seconds())
            for n in self.names:
                try:
                    with open("/proc/%d/task/%d/stat" % (self.pid, tids[n])) as f:
                        row.append(f.read().rsplit(")", 1)[1].split()[0])
                except (KeyError, OSError):
                    row.append("")
            self.rows.append(row)
            time.sleep(0.002)

    def start(self):
        self._thread.start()
        return self

    def stop(self, path):
        self._stop.set()
        self._thread.join()
        with open(path, "w") as f:
            f.write(",".join(["t_us", "db_bytes", "db_mtime_ns", "wal_checkpoint_seq", "minflt", "cpu_ticks", "steal_s"] + list(self.names)) + "\n")
            for row in self.rows:
                f.write(",".join(str(x) for x in row) + "\n")
