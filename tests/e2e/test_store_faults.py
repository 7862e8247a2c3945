"""A store that refuses commits mid-run (issue 11): no sample is lost while it comes back,
and a store that never does makes the report and the exit status say the run is incomplete.

The fault is injected by the store layer (AIMETER_TEST_STORE_FAULT: the commits of samples
numbered FIRST-LAST fail as on a full disk), so the test needs no mount and no timing: the
end of a run tries its commit three times, so "1-2" always recovers, however few commits
fell inside the run."""
import sqlite3

from conftest import run_aimeter, report_json

FAULT = "database or disk is full"


def stored_counts(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        samples, lost, warnings = con.execute(
            "SELECT samples, samples_lost, warnings FROM runs").fetchone()
        per_group = dict(con.execute("SELECT grp, SUM(n_ticks) FROM chunks GROUP BY grp"))
        # runs.samples counts the fastest rate group's ticks: the largest group here.
        return samples, lost, warnings, max(per_group.values(), default=0)
    finally:
        con.close()


def test_commits_that_fail_then_succeed_lose_nothing(db):
    r = run_aimeter("run", "-q", "-i", "10ms", "--db", db, "--", "sleep", "1",
                    env={"AIMETER_TEST_STORE_FAULT": "1-2"})
    assert r.returncode == 0, r.stderr
    samples, lost, warnings, stored = stored_counts(db)
    rep = report_json(db)
    # Every sample taken is in the chunks, and the run's count says so.
    assert lost == 0 and rep["sampling"]["samples_lost"] == 0
    assert rep["sampling"]["store_complete"] is True
    assert samples >= 10 and stored == samples, (samples, stored)
    assert rep["sampling"]["samples"] == samples
    # The "will retry" warning is kept with the run, not only printed.
    assert "commit failed" in warnings and "will retry" in warnings, warnings
    assert any("will retry" in w for w in rep["warnings"])


def test_a_store_that_never_frees_makes_the_run_incomplete(db, tmp_path):
    out = tmp_path / "run.json"
    r = run_aimeter("run", "-q", "-i", "10ms", "--db", db, "--json", out, "--", "sleep", "0.5",
                    env={"AIMETER_TEST_STORE_FAULT": "1-"})
    assert r.returncode == 74, (r.returncode, r.stderr)  # measured, the store incomplete
    assert "the store is incomplete" in r.stderr
    assert "LOST" in r.stderr, r.stderr  # the report printed at the end says it too
    samples, lost, warnings, stored = stored_counts(db)
    assert lost >= 5 and samples == 0 and stored == 0
    assert f"{lost} of {lost} samples could not be stored" in warnings, warnings
    assert FAULT in warnings
    rep = report_json(db)
    assert rep["sampling"]["samples_lost"] == lost
    assert rep["sampling"]["store_complete"] is False
    assert rep["run"]["exit_code"] == 0  # COMMAND's own status is still told
    for fmt in ("text", "markdown"):
        text = run_aimeter("report", "--db", db, "--format", fmt)
        assert text.returncode == 0, text.stderr
        assert f"LOST {lost} (the store is incomplete)" in text.stdout, text.stdout
        assert "completed (exit 0), store incomplete" in text.stdout
        assert "the run is incomplete" in text.stdout
    assert '"store_complete": false' in out.read_text()
