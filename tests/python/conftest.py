"""Shared pieces of the Python package tests: they drive the real libaimeter through the
package in python/ (ctypes), in this process or in a child /usr/bin/python3.

The library is $AIMETER_BUILD/src/lib/libaimeter.so.0 (AIMETER_BUILD defaults to
<repo>/build), given to the package through AIMETER_LIBRARY. Every test gets its own store
under tmp_path (AIMETER_DB and XDG_DATA_HOME point there too) and a clean environment: no
rank variables of a launcher, no fixture roots.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("AIMETER_BUILD") or REPO / "build").resolve()
LIBRARY = BUILD / "src" / "lib" / "libaimeter.so.0"
AIMETER = BUILD / "src" / "cli" / "aimeter"
FAKE_NVML = BUILD / "tests" / "fakes" / "libfake_nvml.so"
PYTHON = "/usr/bin/python3"
PACKAGE_DIR = REPO / "python"

os.environ["AIMETER_LIBRARY"] = str(LIBRARY)
# An agent running on this machine (aimeter agent, docs/agent.md) must not take the tests'
# runs and messages: clients and `aimeter run` look for it here, where none listens
# (test_agent.py points it at its own agents).
os.environ["AIMETER_AGENT_SOCKET"] = os.path.join(tempfile.gettempdir(), "aimeter-tests-no-agent",
                                                  "agent.sock")
sys.path.insert(0, str(PACKAGE_DIR))

RANK_VARS = ("LOCAL_RANK", "RANK", "WORLD_SIZE", "SLURM_LOCALID", "SLURM_PROCID", "SLURM_NTASKS",
             "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE",
             "MPI_LOCALRANKID", "PMI_RANK", "PMI_SIZE", "MV2_COMM_WORLD_LOCAL_RANK",
             "MV2_COMM_WORLD_RANK", "MV2_COMM_WORLD_SIZE")
# What tells a job apart (the ranks' control socket, python/aimeter/_control.py), and an outer
# `aimeter run`'s socket: a test must not inherit them.
JOB_VARS = ("AIMETER_CONTROL", "AIMETER_JOB_ID", "SLURM_JOB_ID", "SLURM_STEP_ID",
            "TORCHELASTIC_RUN_ID", "PMIX_NAMESPACE", "OMPI_MCA_ess_base_jobid")

# Two fake H100s (tests/fixtures/nvml/README.md says what they draw).
NVML_SCENARIO = REPO / "tests" / "fixtures" / "nvml" / "two-h100.scenario"


@pytest.fixture(scope="session", autouse=True)
def _library_exists():
    if not LIBRARY.is_file():
        pytest.exit(f"libaimeter not found at {LIBRARY}: build first, or set AIMETER_BUILD",
                    returncode=2)


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("AIMETER_DB", str(tmp_path / "default-store" / "aimeter.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    for var in ("AIMETER_SYSFS_ROOT", "AIMETER_PROCFS_ROOT", "AIMETER_GPUS", "CUDA_VISIBLE_DEVICES",
                "AIMETER_NVML_LIBRARY", "AIMETER_DCGM_LIBRARY", "AIMETER_FAKE_NVML_SCENARIO") + RANK_VARS + JOB_VARS:
        monkeypatch.delenv(var, raising=False)
    # Control sockets (aimeter run's, a job's) in a private directory of this test, with a short
    # path: a socket path holds at most 107 bytes, and tmp_path can be longer.
    runtime = tempfile.mkdtemp(prefix="aim-")
    monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)
    monkeypatch.chdir(tmp_path)  # files a test writes by default (output_format="csv") land here
    yield
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def db(tmp_path):
    """A store path (not created yet)."""
    return str(tmp_path / "runs.db")


@pytest.fixture
def fake_gpus(monkeypatch):
    """Two fake NVIDIA GPUs for this test (the library reads the variables when a run starts)."""
    if not FAKE_NVML.is_file():
        pytest.fail(f"fake NVML not built: {FAKE_NVML}")
    monkeypatch.setenv("AIMETER_NVML_LIBRARY", str(FAKE_NVML))
    monkeypatch.setenv("AIMETER_FAKE_NVML_SCENARIO", str(NVML_SCENARIO))


def run_python(code, *, env=None, cwd=None, timeout=60):
    """Runs code in a fresh /usr/bin/python3 that imports the package from python/."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(PACKAGE_DIR)
    if env:
        full_env.update({k: str(v) for k, v in env.items()})
    return subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=full_env,
                          cwd=cwd, timeout=timeout)


def run_under_aimeter(script, db, *args, env=None, timeout=60):
    """Runs a Python script (text) as `aimeter run [args] --db DB -- /usr/bin/python3 SCRIPT`,
    with the package from python/ on PYTHONPATH; returns the CompletedProcess."""
    path = Path(db).with_suffix(".script.py")
    path.write_text(script)
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(PACKAGE_DIR)
    if env:
        full_env.update({k: str(v) for k, v in env.items()})
    return subprocess.run([str(AIMETER), "run", "-q", "--sources", "procfs,estimate", "-i", "20ms",
                           "--db", str(db), *args, "--", PYTHON, str(path)],
                          capture_output=True, text=True, env=full_env, timeout=timeout)


def stored_runs(db):
    """The runs in a store, newest first, as `aimeter ls --json` lists them."""
    import aimeter
    return aimeter.runs(db=db)
