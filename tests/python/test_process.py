"""What needs a process of its own: exit without stop(), Ctrl-C at top level, fork, a
missing library, import cost hygiene."""
import aimeter
from conftest import run_python, stored_runs


def test_exit_without_stop_stores_the_run_as_interrupted(db):
    r = run_python(f"""
from aimeter import monitor
import time
monitor.start(task_name="forgot", db={db!r}, interval="20ms")
time.sleep(0.1)
""")
    assert r.returncode == 0, r.stderr
    assert "was still running at exit; stored as interrupted" in r.stderr
    assert "aimeter report" in r.stderr
    run = stored_runs(db)[0]
    assert run["name"] == "forgot" and run["status"] == "interrupted"
    assert len(aimeter.load(run["id"], db=db).samples(as_frame=False)) >= 3


def test_uncaught_keyboard_interrupt(db):
    r = run_python(f"""
import aimeter
aimeter.monitor.start(db={db!r}, quiet=True)
raise KeyboardInterrupt
""")
    assert r.returncode != 0 and "KeyboardInterrupt" in r.stderr
    assert stored_runs(db)[0]["status"] == "interrupted"


def test_quiet_exit_prints_nothing(db):
    r = run_python(f"""
import aimeter
t = aimeter.track("q", db={db!r}, quiet=True)
t.start()
""")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert stored_runs(db)[0]["status"] == "interrupted"


def test_forked_child_leaves_the_parents_run_alone(db):
    r = run_python(f"""
import os, time
import aimeter
t = aimeter.track("parent", db={db!r}, quiet=True, interval="20ms")
t.start()
pid = os.fork()
if pid == 0:
    # The child inherits the tracker but not the sampler threads: stopping it here must
    # neither hang nor end the parent's run, and its exit must not either.
    assert t.stop() is None
    raise SystemExit(0)  # a normal exit: atexit handlers run in the child too
_, status = os.waitpid(pid, 0)
assert status == 0, status
time.sleep(0.05)
s = t.stop()
print(s.status)
""", timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "completed"
    runs = stored_runs(db)
    assert len(runs) == 1 and runs[0]["status"] == "completed"


def test_start_warnings_reach_logging_before_stop(db, fake_gpus):
    # A fresh process: the log callback is installed on a thread after start() returns, and
    # what start() logged (gpu 5 does not exist) was kept by the library until then.
    r = run_python(f"""
import logging, time
from aimeter import monitor
seen = []
class Keep(logging.Handler):
    def emit(self, record):
        seen.append(record.getMessage())
logging.getLogger("aimeter").addHandler(Keep())
monitor.start(gpus="0,5", db={db!r}, quiet=True)
deadline = time.monotonic() + 5
while time.monotonic() < deadline and not any("names no single one" in m for m in seen):
    time.sleep(0.01)
print("before stop:", sum("names no single one" in m for m in seen))
monitor.stop()
print("after stop:", sum("names no single one" in m for m in seen))
""")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["before stop: 1", "after stop: 1"], r.stdout


def test_missing_library_fails_at_start_not_import(tmp_path):
    r = run_python("""
import aimeter
from aimeter import monitor
try:
    monitor.start()
except aimeter.LibraryNotFound as e:
    print("LibraryNotFound:", e)
""", env={"AIMETER_LIBRARY": str(tmp_path / "nope" / "libaimeter.so.0")})
    assert r.returncode == 0, r.stderr
    assert "LibraryNotFound:" in r.stdout and "nope" in r.stdout and "AIMETER_LIBRARY" in r.stdout


def test_import_is_light():
    r = run_python("""
import sys
import aimeter
from aimeter import monitor
heavy = [m for m in ("torch", "numpy", "pandas", "json", "csv", "re", "logging", "threading")
         if m in sys.modules]
print(",".join(heavy))
""")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


def test_versions_agree():
    assert aimeter.__version__ == aimeter.library_version()


def test_torch_training_with_forked_dataloader_workers(db):
    """A small real PyTorch loop on the CPU under track(), with DataLoader workers forked
    while the sampler runs: the workers must not disturb the run, and the run must see the
    Python process tree working."""
    import os
    import pytest
    pytest.importorskip("torch")
    if "asan" in os.environ.get("LD_PRELOAD", ""):
        # GCC 12's ASan allocator has no fork handlers: a worker forked while another thread
        # is inside malloc can wait forever on its lock (seen here). glibc's malloc is safe.
        pytest.skip("fork with threads running under an LD_PRELOADed ASan runtime")
    r = run_python(f"""
import torch, aimeter
torch.manual_seed(0)
x = torch.randn(512, 16); y = (x.sum(1, keepdim=True) > 0).float()
data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64,
                                   num_workers=2, shuffle=True)
model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
with aimeter.track("torch-train", db={db!r}, interval="20ms", quiet=True) as t:
    for epoch in range(3):
        for xb, yb in data:
            opt.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(xb), yb)
            loss.backward()
            opt.step()
s = t.summary
print(s.status, s.energy_j > 0, s.report["sampling"]["samples"] > 2)
""", timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["completed", "True", "True"]
    run = stored_runs(db)
    assert len(run) == 1 and run[0]["status"] == "completed"
