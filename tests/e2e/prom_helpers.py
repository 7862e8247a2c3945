"""What the tests of the Prometheus endpoint share (test_prometheus.py,
test_prometheus_abuse.py): a run serving /metrics until the test lets it finish, HTTP fetches
that wait for the server to listen, promtool's lint and sample lookups. Nothing here depends on
timing: waits have deadlines and assert nothing about when things happened."""
import contextlib
import socket
import subprocess
import time
import urllib.error
import urllib.request

from conftest import gpu_env, kill_tree, popen_aimeter


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, method="GET", accept=None, timeout=20.0):
    """(status, content type, body); retried while the server is not listening yet."""
    req = urllib.request.Request(url, method=method)
    if accept:
        req.add_header("Accept", accept)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers.get("Content-Type"), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type"), e.read().decode()
        except (ConnectionError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def promtool_check(text):
    """promtool's lint of the exposition: (exit status, output)."""
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


def sample_lines(text, name):
    return [l for l in text.splitlines() if l.startswith(name + "{")]


def sample_value(text, name):
    """The value of the one sample called name (the self-metrics have one each)."""
    lines = sample_lines(text, name)
    assert len(lines) == 1, (name, text[-2000:])
    return float(lines[0].rsplit(" ", 1)[1])


@contextlib.contextmanager
def serving_run(tmp_path, db, name="prom-e2e", interval="50ms"):
    """`aimeter run --prometheus` over two fake NVML GPUs, its command waiting for a file:
    yields (base URL, stop, the process, its stderr file); the run lasts until stop()."""
    port = free_port()
    go = tmp_path / "go"
    proc, _, err = popen_aimeter(
        "run", "-q", "--sources", "procfs,nvml", "-i", interval, "--db", db, "--name", name,
        "--prometheus", f"127.0.0.1:{port}", "--",
        "sh", "-c", f"while [ ! -e {go} ]; do sleep 0.02; done",
        out_dir=tmp_path, env=gpu_env())
    try:
        yield f"http://127.0.0.1:{port}", go.touch, proc, err
    finally:
        go.touch()
        try:
            proc.wait(timeout=60)
        finally:
            kill_tree(proc)
