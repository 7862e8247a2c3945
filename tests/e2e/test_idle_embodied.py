"""Idle baseline (--idle, --idle-baseline: total, idle and net energy and carbon per component)
and embodied carbon (--embodied: amortised, reported apart from the operational carbon)."""
import sqlite3

from conftest import report_json, run_aimeter, rel_close

SOURCES = ("--sources", "procfs,estimate")


def test_idle_then_net_per_component(db):
    r = run_aimeter("run", *SOURCES, "--db", db, "--idle", "0.6s", "-i", "50ms", "--",
                    "timeout", "0.8", "sh", "-c", "while :; do :; done")
    assert r.returncode == 124, r.stderr  # the command's own exit (timeout)
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
        assert rel_close(d["net_carbon_g"] + d["idle_carbon_g"],
                         {x["device"]: x for x in rep["energy"]["devices"]}[d["device"]]["carbon_g"],
                         rel=1e-9)
    cpu = {d["device"]: d for d in idle["devices"]}["cpu0"]
    assert cpu["net_j"] > 0  # a busy loop draws more than the idle machine
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
