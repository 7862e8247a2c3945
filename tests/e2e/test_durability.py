"""What survives a killed aimeter, and several aimeter processes sharing one store."""
import csv
import io
import signal
import sqlite3
import subprocess
import time

import pytest

from conftest import (AIMETER, kill_tree, ls_json, popen_aimeter, report_json, run_aimeter,
                      wait_for_file)


def integrity(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def test_kill_9_keeps_what_was_committed(db, tmp_path):
    mark = tmp_path / "started"
    proc, out, err = popen_aimeter("run", "-q", "-i", "50ms", "--db", db, "-n", "killed", "--",
                                   "sh", "-c", f"touch {mark}; exec sleep 3", out_dir=tmp_path)
    try:
        assert wait_for_file(mark), err.read_text()
        time.sleep(1.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        kill_tree(proc)  # the orphaned `sleep 3`

    assert integrity(db) == "ok"
    runs = ls_json(db)
    assert len(runs) == 1 and runs[0]["name"] == "killed"
    assert runs[0]["status"] != "completed"
    assert runs[0]["stale"] is True, "the writer is dead; the run must not look alive"

    text = run_aimeter("ls", "--db", db)
    assert text.returncode == 0
    status = text.stdout.splitlines()[1].split()
    assert "completed" not in status and "running" not in status, text.stdout
    assert "incomplete" in status

    rep = report_json(db)
    assert rep["run"]["status"] != "completed"
    assert rep["sampling"]["samples"] >= 5
    report = run_aimeter("report", "--db", db)
    assert report.returncode == 0, report.stderr
    assert "incomplete" in report.stdout

    r = run_aimeter("export", "--csv", "-", "--db", db)
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout)))[1:]
    assert rows, "no samples survived"
    covered = float(rows[-1][0]) - float(rows[0][0])
    assert covered >= 0.5, f"only {covered:.2f} s of samples survived (commits are at least 1/s)"


@pytest.mark.slow
def test_three_concurrent_runs_share_one_store(db, mlp_train):
    commands = [[mlp_train, "10"], [mlp_train, "10"], ["sleep", "1"]]
    procs = [subprocess.Popen([str(AIMETER), "run", "-q", "-i", "20ms", "--db", db,
                               "-n", f"run{i}", "--", *cmd],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for i, cmd in enumerate(commands)]
    results = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, err
        assert "aimeter report" in err
    runs = ls_json(db)
    assert sorted(r["name"] for r in runs) == ["run0", "run1", "run2"]
    assert all(r["status"] == "completed" for r in runs)
    assert integrity(db) == "ok"
    for r in runs:
        rep = report_json(db, r["id"])
        assert rep["run"]["name"] == r["name"]
        assert rep["sampling"]["samples"] >= 3
        text = run_aimeter("report", r["id"], "--db", db)
        assert text.returncode == 0 and "Total energy" in text.stdout
        csv_out = run_aimeter("export", r["id"], "--csv", "-", "--db", db)
        assert csv_out.returncode == 0 and len(csv_out.stdout.splitlines()) >= 4
