"""Idle baseline (--idle, --idle-baseline: total, idle and net energy and carbon per component)
and embodied carbon (--embodied: amortised, reported apart from the operational carbon)."""
import sqlite3

import json

from conftest import FIXTURES, report_json, run_aimeter, rel_close

SOURCES = ("--sources", "procfs,estimate")
FIXTURE_ENV = {"AIMETER_PROCFS_ROOT": str(FIXTURES / "procfs" / "basic" / "proc")}


def baseline_run(db, cpu_pct, energy_factor=1.0):
    """A baseline run on the fixture tree whose stored CPU use is then set to cpu_pct (None:
    not measured) and its devices' energy multiplied by energy_factor: a synthetic store, so
    the checks never depend on what the machine is doing."""
    r = run_aimeter("run", "-q", *SOURCES, "--db", db, "--name", "baseline", "--", "sleep",
                    "0.4", env=FIXTURE_ENV)
    assert r.returncode == 0, r.stderr
    base = report_json(db)["run"]["id"]
    con = sqlite3.connect(db)
    con.execute("UPDATE series SET mean = ? WHERE run_id = ? AND metric_key = 'cpu.util'",
                (cpu_pct, base))
    con.execute("UPDATE devices SET energy_j = energy_j * ? WHERE run_id = ?",
                (energy_factor, base))
    con.commit()
    con.close()
    return base


def test_busy_baseline_is_flagged_and_a_negative_net_says_why(db):
    # A baseline taken at 100 % CPU that drew 3 × what the run draws: net negative (issue 11:
    # net -1.20 J printed without a word).
    base = baseline_run(db, 100.0, energy_factor=3.0)
    r = run_aimeter("run", *SOURCES, "--db", db, "--idle-baseline", base, "--", "sleep", "0.4",
                    env=FIXTURE_ENV)
    assert r.returncode == 0, r.stderr
    warning = (f"aimeter: warning: idle baseline {base} was not idle: the CPU was 100.0 % busy "
               "on average (idle means at most 10 %)")
    assert warning in r.stderr
    rep = report_json(db)
    assert any("was not idle" in w for w in rep["warnings"])  # stored with the run
    idle = rep["idle"]
    assert idle["baseline_cpu_pct"] == 100.0 and idle["baseline_idle"] is False
    assert idle["idle_max_cpu_pct"] == 10
    assert idle["net_j"] < 0
    assert "baseline was not idle" in idle["net_negative_why"]
    for d in idle["devices"]:
        assert (d["net_negative_why"] is None) == (d["net_j"] >= 0)
    text = run_aimeter("report", "--db", db).stdout
    assert "it was NOT idle: the CPU was 100.0 % busy on average" in text
    for line in text.splitlines():  # every negative net figure says why on its line
        if " net " in line.lower() and "J " in line and " -" in line.split("J ")[0]:
            assert "negative because" in line, line
    md = run_aimeter("report", "--db", db, "--format", "markdown").stdout
    assert "negative because the baseline was not idle" in md


def test_idle_baseline_checked_and_negative_net_explained_when_idle(db):
    # An idle baseline (2 % CPU) that still drew more than the run: no warning, but the
    # negative net says why.
    base = baseline_run(db, 2.0, energy_factor=3.0)
    r = run_aimeter("run", "-q", *SOURCES, "--db", db, "--idle-baseline", base, "--", "sleep",
                    "0.4", env=FIXTURE_ENV)
    assert r.returncode == 0, r.stderr
    assert "was not idle" not in r.stderr
    idle = report_json(db)["idle"]
    assert idle["baseline_idle"] is True and idle["baseline_cpu_pct"] == 2.0
    assert idle["net_j"] < 0 and "baseline drew more than this run" in idle["net_negative_why"]
    # Not measured at all: said so, no warning.
    base = baseline_run(db, None)
    r = run_aimeter("run", "-q", *SOURCES, "--db", db, "--idle-baseline", base, "--", "true",
                    env=FIXTURE_ENV)
    assert "was not idle" not in r.stderr
    assert report_json(db)["idle"]["baseline_idle"] is None
    assert "could not be checked idle" in run_aimeter("report", "--db", db).stdout


def test_idle_then_net_per_component(db):
    # A static fixture procfs tree: the same draw whatever the machine is doing, so nothing
    # here depends on its load (the arithmetic is what is checked).
    r = run_aimeter("run", *SOURCES, "--db", db, "--idle", "0.6s", "-i", "50ms", "--",
                    "sh", "-c", "sleep 0.5; exit 3", env=FIXTURE_ENV)
    assert r.returncode == 3, r.stderr  # the command's own exit
    assert "measuring the idle baseline for 0.6 s" in r.stderr
    assert "Net energy" in r.stderr and "Idle energy" in r.stderr
    rep = report_json(db)
    idle = rep["idle"]
    assert idle["found"] is True
    # The baseline is a run of its own in the store, named so.
    con = sqlite3.connect(db)
    (name, status) = con.execute("SELECT name, status FROM runs WHERE id = ?",
                                 (idle["baseline_run"],)).fetchone()
    assert (name, status) == ("idle baseline", "completed")
    (stored,) = con.execute("SELECT idle_run_id FROM runs WHERE id = ?",
                            (rep["run"]["id"],)).fetchone()
    assert stored == idle["baseline_run"]
    con.close()
    duration = rep["run"]["duration_s"]
    for d in idle["devices"]:
        assert rel_close(d["idle_j"], d["idle_power_w"] * duration, rel=1e-9)
        assert rel_close(d["net_j"], d["total_j"] - d["idle_j"], rel=1e-9, abs_tol=1e-12)
        if d["total_j"] == 0:  # the fixture's CPU: no use, no energy, no carbon share
            continue
        assert rel_close(d["net_carbon_g"] + d["idle_carbon_g"],
                         {x["device"]: x for x in rep["energy"]["devices"]}[d["device"]]["carbon_g"],
                         rel=1e-9)
    # the fixture's CPU use cannot be taken (its counters never move): not checked, said so
    assert idle["baseline_cpu_pct"] is None and idle["baseline_idle"] is None
    assert rel_close(idle["net_j"], sum(d["net_j"] for d in idle["devices"]), rel=1e-9)
    # Operational carbon is the total, unchanged by the baseline.
    assert rel_close(rep["carbon"]["g"], idle["idle_carbon_g"] + idle["net_carbon_g"], rel=1e-9)


def test_idle_baseline_reused_and_missing(db):
    r = run_aimeter("run", "-q", *SOURCES, "--db", db, "--name", "quiet machine", "--",
                    "sleep", "0.3")
    assert r.returncode == 0, r.stderr
    base = report_json(db)["run"]["id"]
    r = run_aimeter("run", "-q", *SOURCES, "--db", db, "--idle-baseline", base[:12], "--", "true")
    assert r.returncode == 0, r.stderr
    assert report_json(db)["idle"]["baseline_run"] == base
    r = run_aimeter("run", "-q", *SOURCES, "--db", db, "--idle-baseline", "nope", "--", "true")
    assert r.returncode == 66
    assert "idle baseline: no run matches 'nope'" in r.stderr
    # The baseline deleted afterwards: the report says so instead of failing.
    r = run_aimeter("run", "-q", *SOURCES, "--db", db, "--idle-baseline", base, "--", "true")
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("DELETE FROM runs WHERE id = ?", (base,))
    con.commit()
    con.close()
    assert report_json(db)["idle"]["found"] is False
    assert "is not in this store any more" in run_aimeter("report", "--db", db).stdout


def test_embodied_is_apart_from_operational_carbon(db):
    r = run_aimeter("run", *SOURCES, "--db", db, "--embodied", "--", "sleep", "0.3")
    assert r.returncode == 0, r.stderr
    rep = report_json(db)
    emb = rep["embodied"]
    assert emb["g"] > 0
    seconds = rep["run"]["duration_s"]
    for d in emb["devices"]:
        expected = d["kg_co2e"] * 1000 * seconds / (d["lifetime_years"] * 365.25 * 86400)
        assert rel_close(d["g"], expected, rel=1e-9), d
    assert rel_close(emb["g"], sum(d["g"] for d in emb["devices"]), rel=1e-12)
    assert "NOT included in the carbon above" in r.stderr
    # Without --embodied, nothing.
    run_aimeter("run", "-q", *SOURCES, "--db", db, "--", "true")
    rep = report_json(db)
    assert rep["embodied"] is None and rep["idle"] is None
