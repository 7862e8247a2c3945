"""What the tests of `aimeter agent` share (test_agent.py, test_top.py): an agent under the fake
NVML (two GPUs) with its own control socket (AIMETER_AGENT_SOCKET, never the machine's) and a
loopback HTTP port, its jobs' commands, and waits for conditions with a generous deadline
(nothing asserts on timing)."""
import json
import os
import shutil
import signal
import socket
import tempfile
import time

import pytest

from conftest import AIMETER, gpu_env, kill_tree, popen_aimeter, run_aimeter
from promserver import fetch, free_port

DEADLINE = 60


def wait_until(cond, what, timeout=DEADLINE):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def talk(sock_path, lines, timeout=DEADLINE):
    """lines to an agent's control socket on one connection; the reply lines."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        s.sendall("".join(ln + "\n" for ln in lines).encode())
        buf = b""
        while buf.count(b"\n") < len(lines):
            chunk = s.recv(4096)
            assert chunk, buf
            buf += chunk
    return buf.decode().splitlines()


def stop_agent(proc):
    """SIGTERM, waited for; whatever is left of its process group killed."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=DEADLINE)
        finally:
            kill_tree(proc)


@pytest.fixture
def sock_dir():
    """A short directory for the agent's socket (a socket path holds 107 bytes)."""
    d = tempfile.mkdtemp(prefix="aim-ag-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


class Agent:
    def __init__(self, tmp_path, db, sock, extra=()):
        self.sock, self.db, self.port = sock, db, free_port()
        self.env = gpu_env(AIMETER_AGENT_SOCKET=sock)
        # `aimeter` for the commands a joined run starts
        self.env["PATH"] = f"{AIMETER.parent}:{os.environ['PATH']}"
        self.proc, _, self.err = popen_aimeter(
            "agent", "--sources", "procfs,nvml", "-i", "50ms", "--db", db,
            "--listen", f"127.0.0.1:{self.port}", *extra, out_dir=tmp_path, env=self.env)
        # The start line comes once the socket listens (a stale file may be there before).
        wait_until(lambda: "control socket" in self.err.read_text() or self.proc.poll() is not None,
                   "the agent's start line")
        assert self.proc.poll() is None, self.err.read_text()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = self.base + "/metrics"

    def aimeter(self, *args, job=None, **kw):
        """aimeter args as a job on the node: SLURM_JOB_ID=job when job is given."""
        env = dict(self.env)
        env.pop("SLURM_JOB_ID", None)
        if job:
            env["SLURM_JOB_ID"] = job
        return run_aimeter(*args, env=env, **kw)

    def metrics(self):
        status, _, text = fetch(self.url)
        assert status == 200, text
        return text

    def live(self):
        """GET /api/live, parsed."""
        status, _, text = fetch(self.base + "/api/live")
        assert status == 200, text
        return json.loads(text)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=DEADLINE)


@pytest.fixture
def agent(tmp_path, db, sock_dir):
    a = Agent(tmp_path, db, os.path.join(sock_dir, "agent.sock"))
    try:
        yield a
    finally:
        stop_agent(a.proc)
