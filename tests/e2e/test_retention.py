"""Retention of a long run (docs/retention.md): `aimeter run --retain 3s --downsample-after 1s`
under the fake NVML (two GPUs) at 10 ms, with a command that waits for a file the test writes.
While it runs the store keeps only the last seconds of samples, older ones as coarser means,
and its size stops growing; afterwards `report` and `export` read the run. Nothing here
depends on timing: the test waits for each state of the store, with generous deadlines, and
asserts on what the store holds."""
import csv
import io
import sqlite3
import time
from pathlib import Path

import pytest

from conftest import gpu_env, kill_tree, popen_aimeter, report_json, run_aimeter

pytestmark = pytest.mark.slow

RETAIN_NS = 3_000_000_000
STEP_NS = 500_000_000


def store_state(db):
    """(run duration ns, chunk rows, oldest chunk start ns, pages in use, downsampled chunk
    rows) of the store's one run, or None before the run has samples."""
    if not Path(db).exists():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        row = con.execute("SELECT duration_ns FROM runs").fetchone()
        if row is None:
            return None
        n, oldest = con.execute("SELECT COUNT(*), MIN(t_first_ns) FROM chunks").fetchone()
        # A downsampled chunk's ticks sit on its buckets' last ns (store/sql/retention.c).
        coarse = con.execute("SELECT COUNT(*) FROM chunks WHERE t_last_ns % ? = ? - 1",
                             (STEP_NS, STEP_NS)).fetchone()[0]
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        free = con.execute("PRAGMA freelist_count").fetchone()[0]
        return row[0], n, oldest, pages - free, coarse
    except sqlite3.OperationalError:  # the schema is being created
        return None
    finally:
        con.close()


def wait_for(db, proc, cond, what, timeout=180.0):
    deadline = time.monotonic() + timeout
    while True:
        st = store_state(db)
        if st and cond(st):
            return st
        assert proc.poll() is None, f"aimeter ended before {what}"
        assert time.monotonic() < deadline, f"never {what}: {st}"
        time.sleep(0.2)


def test_a_long_run_keeps_a_bounded_store(tmp_path, db):
    go = tmp_path / "go"
    proc, _, err = popen_aimeter(
        "run", "-q", "--sources", "procfs,nvml", "-i", "10ms", "--db", db, "--name", "kept",
        "--retain", "3s", "--downsample-after", "1s", "--downsample-step", "500ms", "--",
        "sh", "-c", f"while [ ! -e {go} ]; do sleep 0.02; done",
        out_dir=tmp_path, env=gpu_env())
    try:
        # Once the run is past twice its retention, the first seconds are gone.
        first = wait_for(db, proc, lambda s: s[0] > 2 * RETAIN_NS and s[2] is not None
                         and s[2] > RETAIN_NS // 2 and s[4] > 0, "pruned and downsampled")
        # Three retentions later the store holds about as much as then, not three times more.
        later = wait_for(db, proc, lambda s: s[2] is not None and s[2] > first[0] + RETAIN_NS,
                         "pruned again")
        assert later[0] > first[0] + RETAIN_NS
        assert later[1] <= 2 * first[1] + 10, (first, later)
        assert later[3] <= 2 * first[3] + 16, (first, later)
        go.touch()
        assert proc.wait(timeout=120) == 0, Path(err).read_text()
    finally:
        go.touch()
        kill_tree(proc)

    rep = report_json(db)
    assert rep["run"]["status"] == "completed"
    # The run's energy comes from the writer's own accounting, not the samples left.
    gpus = [d for d in rep["energy"]["devices"] if d["kind"] == "gpu"]
    assert len(gpus) == 2 and all(d["energy_j"] > 0 for d in gpus), gpus
    assert rep["energy"]["total_j"] >= sum(d["energy_j"] for d in gpus) * (1 - 1e-12)
    assert any("retention" in w for w in rep["warnings"]), rep["warnings"]
    text = run_aimeter("report", "--db", db)
    assert text.returncode == 0, text.stderr

    out = run_aimeter("export", "--csv", "-", "--db", db)
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    times = [float(r[0]) for r in rows[1:]]
    assert times == sorted(times)
    # The export starts where the retention left off: neither the run's start nor every
    # 10 ms tick since; the oldest rows kept are 0.5 s apart.
    assert times[0] > 2 * RETAIN_NS / 1e9
    assert 0.45 <= times[1] - times[0] <= 0.55, times[:5]
    assert len(times) < (times[-1] - times[0]) / 0.01 * 0.9
