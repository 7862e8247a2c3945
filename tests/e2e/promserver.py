"""What the tests of the Prometheus endpoint share: a run serving /metrics until the test lets
it finish, HTTP fetches that wait for the server to listen, promtool's lint, sample lookups,
and a real Prometheus server (Debian's `prometheus`): loopback only, its
own data directory under the test's tmp_path, a 1 s scrape interval. Shared by
test_prometheus.py and test_grafana.py. Waits use generous deadlines; nothing here asserts on
when a scrape happened."""
import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

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


def prometheus_binary():
    """The server, or a skip (a failure in CI, where .ci/run installs it)."""
    server = shutil.which("prometheus")
    if not server:
        if os.environ.get("CI"):
            pytest.fail("prometheus is missing (apt-get install prometheus)")
        pytest.skip("prometheus is not installed")
    return server


@contextlib.contextmanager
def until_go(proc, go):
    """Holds a scraped aimeter whose command waits for the file go; at the end of the block
    go is written, the run ends (a minute at most) and whatever is left is killed."""
    try:
        yield
    finally:
        go.touch()
        try:
            proc.wait(timeout=60)
        finally:
            kill_tree(proc)


class Prometheus:
    """The running server's HTTP API."""

    def __init__(self, base, log):
        self.base, self.log = base, log

    def api(self, path, **params):
        """The `data` of a GET on /api/v1/PATH; None while the server is not answering
        yet or answers an error."""
        url = f"{self.base}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        try:
            status, _, body = fetch(url, timeout=5)
        except (ConnectionError, urllib.error.URLError):
            return None
        if status != 200:
            return None
        return json.loads(body)["data"]

    def query(self, expr, **params):
        """The result list of an instant query (empty while there is no data)."""
        data = self.api("query", query=expr, **params)
        return data["result"] if data else []

    def wait_for(self, expr, ok, timeout=60):
        """Queries expr until ok(result) holds (or the deadline): returns the last result."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.query(expr)
            if ok(result) or time.monotonic() > deadline:
                return result
            time.sleep(0.2)

    def log_tail(self):
        return self.log.read_text()[-2000:]


@contextlib.contextmanager
def prometheus_server(tmp_path, config):
    """Debian's prometheus with config (the text of prometheus.yml) on a free loopback port,
    its own data directory and log (tmp_path / "prometheus.log"): yields its port."""
    server = prometheus_binary()
    port = free_port()
    cfg = tmp_path / "prometheus.yml"
    cfg.write_text(config)
    with open(tmp_path / "prometheus.log", "w") as out:
        proc = subprocess.Popen([server, f"--config.file={cfg}",
                                 f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                                 f"--web.listen-address=127.0.0.1:{port}"],
                                stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


@contextlib.contextmanager
def prometheus(tmp_path, targets, job="aimeter"):
    """Prometheus scraping targets ("127.0.0.1:PORT", or a list of them, each its own
    `instance`) every second until the block ends."""
    if isinstance(targets, str):
        targets = [targets]
    listed = ", ".join(f"'{t}'" for t in targets)
    config = ("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
              f"scrape_configs:\n  - job_name: {job}\n"
              f"    static_configs:\n      - targets: [{listed}]\n")
    with prometheus_server(tmp_path, config) as port:
        yield Prometheus(f"http://127.0.0.1:{port}", tmp_path / "prometheus.log")


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
def serving_run(tmp_path, db, name="prom-e2e", interval="50ms", prelude=""):
    """`aimeter run --prometheus` over two fake NVML GPUs, its command (the shell text prelude,
    then) waiting for a file: yields (base URL, stop, the process, its stderr file); the run
    lasts until stop()."""
    port = free_port()
    go = tmp_path / "go"
    proc, _, err = popen_aimeter(
        "run", "-q", "--sources", "procfs,nvml", "-i", interval, "--db", db, "--name", name,
        "--prometheus", f"127.0.0.1:{port}", "--",
        "sh", "-c", f"{prelude}while [ ! -e {go} ]; do sleep 0.02; done",
        out_dir=tmp_path, env=gpu_env())
    with until_go(proc, go):
        yield f"http://127.0.0.1:{port}", go.touch, proc, err
