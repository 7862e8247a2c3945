"""Phases, markers and records from the measured command, through the control socket that
`aimeter run` exports as AIMETER_CONTROL (docs/control.md). Each on both store back-ends
(SQLite and PostgreSQL, pgserver.py)."""
import pytest

from conftest import AIMETER, report_json, run_aimeter
from fakeproc import run_tracked
from pgserver import query


@pytest.fixture
def db(store_url):
    return store_url

PY = "/usr/bin/python3"


def workload(script):
    """A shell command line for `aimeter run -- sh -c`, with `aimeter` on its PATH."""
    return ["sh", "-c", f'PATH="{AIMETER.parent}:$PATH"; {script}']


def phases_by_name(rep):
    return {p["name"]: p for p in rep["workload"]["phases"]}


def test_cpu_and_memory_phases_are_told_apart(db, tmp_path):
    """A CPU-bound phase (the host's 4 CPUs busy), then one that holds 1.5 GiB more and
    leaves the CPUs nearly idle: the report's phase rows must show the CPU's power higher in
    the first and the DRAM's in the second. On a fake procfs (fakeproc.py), with the phases
    from the Python package: busy loops and a real allocation measured what else the machine
    ran (its other load kept the CPU at 100 % in both phases)."""
    r = run_tracked(tmp_path, f"""
fp = FakeProc(ROOT, cpus=4)
fp.set(host_busy=0.2)
with fp.driving(), aimeter.track("phases", db={db!r}, interval="50ms",
                                 sources="procfs,proctree,estimate") as t:
    fp.set(host_busy=4.0, tree_cores=1.0)
    t.phase("cpu-bound")
    time.sleep(0.8)
    fp.set(host_busy=0.2, tree_cores=0.0, rss_bytes=1536 << 20, mem_used_bytes=(4 << 30) + (1536 << 20))
    t.phase("memory-bound")
    time.sleep(1.0)
""")
    assert r.returncode == 0, r.stderr
    assert "Phases" in r.stderr and "cpu-bound" in r.stderr and "memory-bound" in r.stderr
    rep = report_json(db)
    ph = phases_by_name(rep)
    assert set(ph) == {"cpu-bound", "memory-bound"}, ph.keys()

    def mean_w(phase, device):
        d = {x["device"]: x for x in ph[phase]["devices"]}[device]
        return d["energy_j"] / ph[phase]["duration_s"]

    assert mean_w("cpu-bound", "cpu0") > mean_w("memory-bound", "cpu0")
    assert mean_w("memory-bound", "dram0") > mean_w("cpu-bound", "dram0")
    for p in ph.values():
        assert p["duration_s"] >= 0.8, p
        assert p["unterminated"] == 0
        # the phase's energy is its devices' energy; nothing above the run's own
        assert abs(p["energy_j"] - sum(d["energy_j"] for d in p["devices"] if d["in_total"])) < 1e-9
    total = rep["energy"]["total_j"]
    assert sum(p["energy_j"] for p in ph.values()) <= total * (1 + 1e-9)


def test_records_give_efficiency_per_phase(db):
    script = ("aimeter phase begin decode; aimeter record tokens 300; sleep 0.3; "
              "aimeter record tokens 200; aimeter record loss 0.75; aimeter phase end; "
              "aimeter record tokens 500; aimeter phase begin train; sleep 0.2")
    r = run_aimeter("run", "-q", "--sources", "procfs,estimate", "--db", db, "--",
                    *workload(script))
    assert r.returncode == 0, r.stderr
    rep = report_json(db)
    recs = {x["key"]: x for x in rep["workload"]["records"]}
    assert recs["tokens"]["kind"] == "counter" and recs["tokens"]["total"] == 1000
    assert recs["loss"]["kind"] == "gauge" and recs["loss"]["last"] == 0.75
    total = rep["energy"]["total_j"]
    assert abs(recs["tokens"]["j_per_unit"] - total / 1000) < 1e-9 * total
    ph = phases_by_name(rep)
    assert ph["decode"]["records"] == {"tokens": 500, "loss": 0.75}
    assert ph["train"]["unterminated"] == 1  # still open when the command ended
    text = run_aimeter("report", "--db", db).stdout
    assert "Efficiency" in text and "train *" in text


def test_bad_messages_are_refused_and_the_run_goes_on(db):
    script = ("aimeter record Tokens 1; echo rc=$?; aimeter record tokens nan; echo rc=$?; "
              "aimeter phase end nothing-open; echo rc=$?; aimeter mark ok; echo rc=$?")
    r = run_aimeter("run", "-q", "--sources", "procfs,estimate", "--db", db, "--",
                    *workload(script))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["rc=65", "rc=65", "rc=0", "rc=0"], r.stdout
    assert "a record key is a-z first" in r.stderr
    assert "not a finite decimal number" in r.stderr
    rep = report_json(db)
    assert rep["workload"]["marks"] == 1
    assert rep["workload"]["dropped_events"] == 1  # the end with no phase open
    # Every format says so, not only JSON, though the run has no phase table (issue 11).
    text = run_aimeter("report", "--db", db).stdout
    assert "Workload: 1 event was not kept (limits: docs/control.md)" in text, text
    md = run_aimeter("report", "--db", db, "--format", "markdown").stdout
    assert "1 workload event was not kept (limits: docs/control.md)." in md, md


def test_outside_a_run_and_after_it(db, tmp_path, monkeypatch):
    monkeypatch.delenv("AIMETER_CONTROL", raising=False)
    r = run_aimeter("mark", "hello")
    assert r.returncode == 69, r.stderr
    assert "not inside `aimeter run`" in r.stderr
    r = run_aimeter("mark", "hello", env={"AIMETER_CONTROL": str(tmp_path / "gone.sock")})
    assert r.returncode == 69
    assert "has it ended?" in r.stderr
    r = run_aimeter("record", "tokens", env={"AIMETER_CONTROL": str(tmp_path / "x")})
    assert r.returncode == 64


def test_many_processes_mark_at_once(db):
    script = ("for i in $(seq 1 20); do aimeter mark m$i & done; wait; "
              "aimeter phase begin after; sleep 0.1")
    r = run_aimeter("run", "-q", "--sources", "procfs,estimate", "--db", db, "--",
                    *workload(script))
    assert r.returncode == 0, r.stderr
    marks = sorted(t for (t,) in query(db, "SELECT text FROM marks"))
    assert marks == sorted(f"m{i}" for i in range(1, 21))
    [(n,)] = query(db, "SELECT count(*) FROM phases WHERE phase = 'after' AND end_ns IS NOT NULL")
    assert int(n) == 1


def test_corr_restricted_to_a_phase(db):
    """`aimeter corr --phase NAME` replays only the instances of that phase; an unknown phase
    is exit 66 with one line."""
    script = ("aimeter phase begin busy; timeout 0.6 sh -c 'while :; do :; done'; "
              "aimeter phase end busy; sleep 0.4; aimeter phase begin busy; "
              "timeout 0.6 sh -c 'while :; do :; done'; aimeter phase end busy")
    r = run_aimeter("run", "-q", "-i", "50ms", "--sources", "procfs,proctree,estimate",
                    "--db", db, "--", *workload(script))
    assert r.returncode == 0, r.stderr
    whole = run_aimeter("corr", "--db", db, "--format", "json")
    busy = run_aimeter("corr", "--db", db, "--format", "json", "--phase", "busy")
    assert whole.returncode == 0 and busy.returncode == 0, busy.stderr
    import json
    n_whole, n_busy = json.loads(whole.stdout)["ticks"], json.loads(busy.stdout)["ticks"]
    # two 0.6 s instances of a run of ~1.6 s at 50 ms: fewer ticks, but more than one instance
    assert 12 < n_busy < n_whole, (n_busy, n_whole)
    r = run_aimeter("corr", "--db", db, "--phase", "nope")
    assert r.returncode == 66
    assert 'no phase called "nope"' in r.stderr


def test_bottleneck_hints_per_phase(db, tmp_path):
    """The fake DCGM's GPU is memory-bound in decode (DRAM active 72 %, tensor active 4 %) and
    compute-bound in prefill (tensor active 80 %): each phase gets its hint with the evidence,
    from the metrics' time-weighted means over the phase."""
    from conftest import BUILD
    script_file = tmp_path / "phases.sh"
    step = tmp_path / "decode.step"
    script_file.write_text(
        "aimeter phase begin prefill; sleep 0.8; aimeter phase end prefill\n"
        f"touch {step}\n"
        "aimeter phase begin decode; sleep 1.2; aimeter phase end decode\n")
    # The trace switches when the workload says so (step_file), between the two phases: each
    # phase sees its own values however long a loaded machine takes to run the script (a
    # switch at a fixed time after the fake's start fell inside prefill then).
    scenario = tmp_path / "dcgm.scenario"
    scenario.write_text(f"step_file {step}\n"
                        "value 0 1004 0=0.8 1=0.04\nvalue 0 1005 0=0.2 1=0.72\n"
                        "value 0 1002 0=0.9 1=0.3\n")
    env = {"AIMETER_DCGM_LIBRARY": BUILD / "tests" / "fakes" / "libfake_dcgm.so",
           "AIMETER_FAKE_DCGM_SCENARIO": scenario, "AIMETER_GPUS": "all"}
    r = run_aimeter("run", "--sources", "procfs,dcgm", "-i", "100ms", "--db", db, "--",
                    *workload(f"sh {script_file}"), env=env)
    assert r.returncode == 0, r.stderr
    assert "Bottleneck hints (evidence, not certainty):" in r.stderr, r.stderr
    ph = phases_by_name(report_json(db))
    hints = {p: [(h["device"], h["hint"]) for h in ph[p]["hints"]] for p in ph}
    assert ("gpu0", "compute-bound?") in hints["prefill"], hints
    assert ("gpu0", "memory-bound?") in hints["decode"], hints
    ev = [h["evidence"] for h in ph["decode"]["hints"] if h["device"] == "gpu0"][0]
    assert ev.startswith("DRAM active ") and "while tensor active " in ev
    means = {(m["device"], m["key"]): m["mean"] for m in ph["decode"]["metric_means"]}
    assert means[("gpu0", "gpu.dram_active")] > 50
