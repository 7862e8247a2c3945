"""Shared pieces of the end-to-end tests: they drive the real `aimeter` binary.

The binary is $AIMETER_BUILD/src/cli/aimeter (AIMETER_BUILD defaults to <repo>/build), so
the same tests run against a normal and a sanitizer build. Every test gets its own store
under tmp_path, and AIMETER_DB / XDG_DATA_HOME point there too, so no test can touch the
user's real store even when it forgets --db.

Helpers are plain functions (tests import them with `from conftest import ...`) and the
most used ones are also fixtures.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("AIMETER_BUILD") or REPO / "build").resolve()
AIMETER = BUILD / "src" / "cli" / "aimeter"
MLP_TRAIN = BUILD / "examples" / "mlp-train"
FIXTURES = REPO / "tests" / "fixtures"
PYTHON = "/usr/bin/python3"
# An agent running on this machine (aimeter agent, docs/agent.md) must not take the tests'
# runs and messages: clients and `aimeter run` look for it here, where none listens
# (test_agent.py points it at its own agents).
os.environ["AIMETER_AGENT_SOCKET"] = os.path.join(tempfile.gettempdir(), "aimeter-tests-no-agent",
                                                  "agent.sock")

# Generous: sanitizer builds are several times slower, and CI machines are shared.
DEFAULT_TIMEOUT = 60

# sysexits-style codes from src/cli/cli.h (documented in docs/cli.md).
EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_UNAVAILABLE = 64, 65, 66, 69
EX_SOFTWARE, EX_CANTCREAT, EX_IOERR, EX_TEMPFAIL = 70, 73, 74, 75
EX_NOEXEC, EX_NOTFOUND = 126, 127


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes several seconds (kept in the default run)")


# ------------------------------------------------------------------ running aimeter

FAKE_NVML = BUILD / "tests" / "fakes" / "libfake_nvml.so"

# Two fake H100s (tests/fixtures/nvml/README.md says what they draw).
TWO_GPU_SCENARIO = FIXTURES / "nvml" / "two-h100.scenario"


def gpu_env(**extra):
    """The environment of a run measuring TWO_GPU_SCENARIO through the fake NVML."""
    assert FAKE_NVML.is_file(), f"fake NVML not built: {FAKE_NVML}"
    env = {"AIMETER_NVML_LIBRARY": FAKE_NVML, "AIMETER_FAKE_NVML_SCENARIO": TWO_GPU_SCENARIO}
    env.update(extra)
    return env


def run_aimeter(*args, timeout=DEFAULT_TIMEOUT, env=None, input=None, cwd=None):
    """Runs aimeter with args (str or Path); returns the CompletedProcess (text mode).

    stdin is /dev/null unless input is given, so a test never waits on the terminal."""
    cmd = [str(AIMETER)] + [str(a) for a in args]
    full_env = dict(os.environ)
    if env:
        full_env.update({k: str(v) for k, v in env.items()})
    return subprocess.run(cmd, input=input, stdin=None if input is not None else subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout, env=full_env,
                          cwd=cwd)


def popen_aimeter(*args, out_dir, env=None, cwd=None):
    """Starts aimeter in its own session (process group) with stdout/stderr in files.

    Files, not pipes: a grandchild that outlives aimeter (a killed shell's `sleep`) would
    keep a pipe open and hang the reader. The own process group lets kill_tree() clean up
    every orphan afterwards. Returns (Popen, stdout_path, stderr_path)."""
    out_dir = Path(out_dir)
    out_path, err_path = out_dir / "aimeter.stdout", out_dir / "aimeter.stderr"
    full_env = dict(os.environ)
    if env:
        full_env.update({k: str(v) for k, v in env.items()})
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen([str(AIMETER)] + [str(a) for a in args], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err, env=full_env, cwd=cwd,
                                start_new_session=True)
    return proc, out_path, err_path


def kill_tree(proc):
    """SIGKILLs whatever is left in proc's process group (popen_aimeter made it a leader)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def wait_for_file(path, timeout=20.0):
    """Polls until path exists; returns False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Path(path).exists():
            return True
        time.sleep(0.02)
    return False


# ------------------------------------------------------------------ reading results

def report_json(db, run="last"):
    r = run_aimeter("report", run, "--format", "json", "--db", db)
    assert r.returncode == 0, f"report {run} failed ({r.returncode}): {r.stderr}"
    return json.loads(r.stdout)


def ls_json(db):
    r = run_aimeter("ls", "--json", "--db", db)
    assert r.returncode == 0, f"ls failed ({r.returncode}): {r.stderr}"
    runs = json.loads(r.stdout)
    assert isinstance(runs, list)
    return runs


def make_run(db, *command, name=None, interval="50ms", extra=()):
    """A short measured run; returns its id. command defaults to `sleep 0.3`."""
    args = ["run", "-q", "--db", db, "-i", interval]
    if name:
        args += ["-n", name]
    args += list(extra)
    args += ["--"] + (list(command) if command else ["sleep", "0.3"])
    r = run_aimeter(*args)
    assert r.returncode == 0, f"aimeter run failed ({r.returncode}):\n{r.stderr}"
    runs = ls_json(db)
    assert runs, "the run is not in the store"
    return runs[0]["id"]


def error_lines(stderr):
    """aimeter's lines on stderr other than warnings."""
    return [ln for ln in stderr.splitlines()
            if ln.strip() and not ln.startswith("aimeter: warning:")]


def assert_one_error(r, code):
    """The command failed with `code` and said why in one line starting with 'aimeter:'."""
    assert r.returncode == code, (
        f"expected exit {code}, got {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}")
    lines = error_lines(r.stderr)
    assert len(lines) == 1, f"expected one error line, got:\n{r.stderr}"
    assert lines[0].startswith("aimeter: "), lines[0]
    assert len(lines[0]) > len("aimeter: ") + 5, "the message says nothing"
    return lines[0]


def device(report, name):
    for d in report["devices"]:
        if d["name"] == name:
            return d
    raise AssertionError(f"no device {name!r} in {[d['name'] for d in report['devices']]}")


def metric(dev, key):
    for m in dev["metrics"]:
        if m["key"] == key:
            return m
    raise AssertionError(f"no metric {key!r} on {dev['name']}: {[m['key'] for m in dev['metrics']]}")


def rel_close(a, b, rel=1e-9, abs_tol=1e-12):
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_tol)


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="session", autouse=True)
def _binary_exists():
    if not AIMETER.is_file():
        pytest.exit(f"aimeter binary not found at {AIMETER}: build first, or set AIMETER_BUILD",
                    returncode=2)


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path, monkeypatch):
    """No test may read or write the user's store, nor measure through a fixture tree by
    accident: the default store lives in tmp_path and the roots are the real ones. The
    control sockets' directories go to a runtime directory of the test's own, removed after
    it (a killed aimeter cannot remove its own); short, for the socket path's 108 bytes."""
    monkeypatch.setenv("AIMETER_DB", str(tmp_path / "default-store" / "aimeter.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("AIMETER_SYSFS_ROOT", raising=False)
    monkeypatch.delenv("AIMETER_PROCFS_ROOT", raising=False)
    # No time zone to guess a grid zone from, whatever the machine's: the world average,
    # unless a test points AIMETER_SYSTEM_ROOT at a fixture (test_carbon.py).
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setenv("AIMETER_SYSTEM_ROOT", str(tmp_path / "no-system-root"))
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    # Under ASan, what PLplot's font stack keeps until exit is not aimeter's leak (the file
    # says why); every test that draws a chart, test_docs' blocks among them, needs it.
    monkeypatch.setenv("LSAN_OPTIONS", f"suppressions={FIXTURES.parent / 'e2e' / 'plot.lsan.supp'}"
                       ":print_suppressions=0")
    runtime = tempfile.mkdtemp(prefix="aim-rt-")
    monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)
    yield
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def db(tmp_path):
    """A store path (not created yet) for --db."""
    return str(tmp_path / "runs.db")


@pytest.fixture
def mlp_train():
    if not MLP_TRAIN.is_file():
        pytest.fail(f"example workload not built: {MLP_TRAIN}")
    return str(MLP_TRAIN)


# PostgreSQL: the session's server, a fresh database, a store on either back-end (pgserver.py)
from pgserver import pg_server, pg_url, store_url  # noqa: E402,F401


@pytest.fixture(name="run_aimeter")
def _run_aimeter_fixture():
    return run_aimeter
