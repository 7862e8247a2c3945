"""Phases, markers and records through a tracker (the C API under it) and the module-level
functions; what they become in the report's `workload`; their errors and threads."""
import sqlite3
import threading
import time
import warnings

import pytest

import aimeter
from conftest import run_python


def track(db, name="work", **kw):
    return aimeter.track(name, db=db, quiet=True, interval="20ms", **kw)


def test_phases_marks_and_records_reach_the_report(db):
    with track(db) as t:
        t.phase("prefill")
        time.sleep(0.15)
        t.record("tokens", 300)
        t.phase("decode")
        time.sleep(0.25)
        t.record("tokens", 700)
        t.record("loss", 0.5)
        t.record("loss", 0.25)
        t.mark("checkpoint saved")
    s = t.summary
    work = s.report["workload"]
    assert [p["name"] for p in work["phases"]] == ["prefill", "decode"]
    assert work["marks"] == 1 and work["dropped_events"] == 0

    prefill, decode = s.phase("prefill"), s.phase("decode")
    assert [p.name for p in s.phases] == ["prefill", "decode"]
    for p, slept in ((prefill, 0.15), (decode, 0.25)):
        assert p.instances == 1 and p.unterminated == 0
        # at least the sleep inside it; how much more is the scheduler's business
        assert slept <= p.duration_s <= s.duration_s, p.duration_s
        assert p.energy_j > 0 and p.carbon_g > 0
        assert p.mean_power_w == pytest.approx(p.energy_j / p.duration_s, rel=1e-9)
        assert p.peak_power_w > 0
        assert p.share == pytest.approx(p.share_pct / 100)
        assert sum(p.energy_by_device.values()) >= p.energy_j * (1 - 1e-9)
    assert prefill.first_s < decode.first_s
    # the tokens recorded while each phase was open count in it
    assert prefill.records == {"tokens": 300} and decode.records["tokens"] == 700
    assert decode.records["loss"] == pytest.approx(0.375)   # a gauge's mean in the phase
    assert prefill.energy_j + decode.energy_j <= s.energy_j * (1 + 1e-9)

    tokens, loss = s.records["tokens"], s.records["loss"]
    assert (tokens.kind, tokens.count, tokens.total) == ("counter", 2, 1000)
    assert (loss.kind, loss.count, loss.last, loss.min, loss.max) == ("gauge", 2, 0.25, 0.25, 0.5)
    assert loss.j_per_unit is None
    assert set(s.efficiency) == {"tokens"}
    assert tokens.j_per_unit == pytest.approx(s.energy_j / 1000, rel=1e-9)
    assert s.j_per("tokens") == tokens.j_per_unit and s.j_per("nothing") is None
    assert tokens.units_per_j == pytest.approx(1 / tokens.j_per_unit)
    assert tokens.kwh_per_1000 == pytest.approx(tokens.j_per_unit * 1000 / 3.6e6)
    # read back from the store, the same
    again = aimeter.load(t.run_id, db=db)
    assert [p.name for p in again.phases] == ["prefill", "decode"]
    assert again.records["tokens"].total == 1000
    with pytest.raises(KeyError, match="no phase 'train'"):
        s.phase("train")


def stored_phases(db, run_id):
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT phase, start_ns, end_ns FROM phases WHERE run_id = ? "
                           "ORDER BY start_ns", (run_id,)).fetchall()
    finally:
        con.close()
    return rows


def test_phase_sequencing_and_nesting(db):
    with track(db) as t:
        a = t.phase("a")
        b = t.phase("b")                        # ends a
        assert not a.open and b.open and t._book.open_phases() == ["b"]
        with t.phase("c") as c:                 # ends b too; c belongs to the block
            assert not b.open and t._book.open_phases() == ["c"]
            d = t.phase("d")                    # nests in c
            e = t.phase("e")                    # ends d, not c
            assert t._book.open_phases() == ["c", "e"] and not d.open
            with t.phase("f"):                  # ends e; nests in c
                t.phase("g")
                assert t._book.open_phases() == ["c", "f", "g"]
            assert t._book.open_phases() == ["c"] and e.open is False
        assert not c.open and t._book.open_phases() == []
        h = t.phase("h")
        i = t.phase("i", nest=True)             # inside h, ending nothing
        assert h.open and i.open and t._book.open_phases() == ["h", "i"]
        t.phase("j")                            # ends h (the current phase()) and i in it
        assert not h.open and not i.open and t._book.open_phases() == ["j"]
        t.end_phase()
        assert t._book.open_phases() == []
        k = t.phase("k")
        t.phase("k", nest=True)
        t.end_phase("k")                        # the innermost k
        assert k.open
        k.end()
        k.end()                                 # ending twice is harmless
        assert t._book.open_phases() == []
    rows = stored_phases(db, t.run_id)
    assert [r[0] for r in rows] == list("abcdefghijkk")
    span = {name: (s, e) for name, s, e in rows}
    assert span["a"][1] <= span["b"][0] and span["b"][1] <= span["c"][0]
    assert span["c"][0] <= span["d"][0] and span["g"][1] <= span["f"][1] <= span["c"][1]
    assert span["i"][1] == span["h"][1]
    assert all(p.unterminated == 0 for p in t.summary.phases)


def test_a_normal_stop_ends_open_phases_a_failure_leaves_them_unterminated(db):
    with track(db) as ok:
        ok.phase("train")
        ok.phase("inner", nest=True)
    assert [(p.name, p.unterminated) for p in ok.summary.phases] == [("train", 0), ("inner", 0)]
    with pytest.raises(RuntimeError, match="boom"):
        with track(db) as bad:
            bad.phase("train")
            raise RuntimeError("boom")
    assert bad.summary.status == "failed"
    assert bad.summary.phase("train").unterminated == 1


def test_errors_are_python_exceptions_and_leave_the_run_alone(db):
    t = track(db)
    with pytest.raises(RuntimeError, match="not running"):
        t.phase("early")
    with t:
        for bad in ("", "a\nphase begin x", "tab\there", " lead", "trail ", "x" * 129, "é" * 65):
            with pytest.raises(ValueError):
                t.phase(bad)
        with pytest.raises(TypeError):
            t.phase(3)
        with pytest.raises(ValueError, match="control characters"):
            t.mark("two\nlines")
        for key in ("Tokens", "1st", "a b", "tok/s", "", "k" * 49):
            with pytest.raises(ValueError, match="record key"):
                t.record(key, 1)
        for value in (float("nan"), float("inf"), 10 ** 400):
            with pytest.raises(ValueError):
                t.record("tokens", value)
        for value in ("12", None, True, [1]):
            with pytest.raises(TypeError):
                t.record("tokens", value)
        with pytest.raises(ValueError, match="'counter'.*'gauge'"):
            t.record("loss", 1.0, kind="average")
        t.record("loss", 1.0)
        with pytest.raises(ValueError, match="'loss' is a gauge in this run"):
            t.record("loss", 1.0, kind="counter")
        with pytest.raises(RuntimeError, match="no phase is open"):
            t.end_phase()
        t.phase("x" * 128)                               # the longest name is fine
        t.phase("naïve – ünïcode")
        with pytest.raises(ValueError, match="no open phase called 'x'.*naïve"):
            t.end_phase("x")
        t.record("k" * 48, 2)
    with pytest.raises(RuntimeError, match="has stopped"):
        t.record("tokens", 1)
    s = t.summary
    assert s.dropped_events == 0  # nothing refused reached the run
    assert [p.name for p in s.phases] == ["x" * 128, "naïve – ünïcode"]
    assert set(s.records) == {"loss", "k" * 48}


def test_values_any_number_like(db):
    class Tensor:                      # a one-element tensor, a numpy scalar: float() works
        def __float__(self):
            return 2.5
    with track(db) as t:
        t.record("tokens", 10 ** 18)
        t.record("tokens", 1)
        t.record("latency_s", Tensor())
        t.record("score", -1.5e-7)
        t.record("requests", 3, kind="gauge")   # the kind overrides the key's rule
    r = t.summary.records
    assert r["tokens"].total == pytest.approx(10 ** 18 + 1)
    assert r["latency_s"].last == 2.5 and r["score"].last == -1.5e-7
    assert r["requests"].kind == "gauge"


def test_module_level_functions_address_the_innermost_tracker(db):
    with track(db, "outer") as outer:
        aimeter.phase("o1")
        with track(db, "inner") as inner:
            aimeter.phase("i1")
            aimeter.record("tokens", 5)
            with aimeter.phase("i2"):
                aimeter.mark("in inner")
        aimeter.record("tokens", 7)
        aimeter.end_phase("o1")
    assert [p.name for p in inner.summary.phases] == ["i1", "i2"]
    assert inner.summary.records["tokens"].total == 5 and inner.summary.marks == 1
    assert [p.name for p in outer.summary.phases] == ["o1"]
    assert outer.summary.records["tokens"].total == 7 and outer.summary.marks == 0


def test_module_level_functions_with_nothing_measuring():
    for call in (lambda: aimeter.phase("x"), lambda: aimeter.mark("x"),
                 lambda: aimeter.record("tokens", 1), lambda: aimeter.end_phase()):
        with pytest.raises(RuntimeError, match="nothing is measuring this process"):
            call()


def test_many_threads_record_mark_and_nest_phases(db):
    n_threads, n = 8, 400
    errors = []
    start = threading.Barrier(n_threads)

    def worker(k):
        try:
            start.wait()
            for i in range(n):
                aimeter.record("tokens", 1)
                t.record("latency_s", 0.001 * i)
                if i % 100 == 0:
                    aimeter.mark(f"thread {k} at {i}")
                    with t.phase(f"burst {k}", nest=True):
                        t.record("samples", 2)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    with track(db) as t:
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_threads)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert errors == []
    s = t.summary
    assert s.records["tokens"].total == n_threads * n
    assert s.records["latency_s"].count == n_threads * n
    assert s.records["samples"].total == n_threads * (n // 100) * 2
    assert s.marks == n_threads * (n // 100)
    assert sorted(p.name for p in s.phases) == sorted(f"burst {k}" for k in range(n_threads))
    assert all(p.instances == n // 100 for p in s.phases)
    assert s.dropped_events == 0


def test_run_limits_warn_once_instead_of_raising(db):
    with track(db) as t:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for i in range(66):
                t.phase(f"p{i}")
        names = [str(w.message) for w in caught if "distinct phase names" in str(w.message)]
        assert len(names) == 1, names
    s = t.summary
    assert len(s.phases) == 64          # the run keeps 64 names; the rest are counted
    assert s.dropped_events == 4        # the two ignored phases' begins, and their ends


def test_a_forked_child_cannot_use_the_parents_tracker(db):
    r = run_python(f"""
import os, aimeter
t = aimeter.track("parent", db={db!r}, quiet=True, interval="20ms").start()
t.record("tokens", 1)
t2 = aimeter.track("second", db={db!r}, quiet=True, interval="20ms").start()
pid = os.fork()
if pid == 0:
    try:
        t.record("tokens", 100)
        code = 1
    except RuntimeError as e:
        code = 0 if "forked child" in str(e) else 2
    try:
        t2.mark("no book yet")          # a tracker that had sent nothing before the fork
        code += 8
    except RuntimeError as e:
        code += 0 if "forked child" in str(e) else 16
    try:
        aimeter.record("tokens", 100)   # no tracker of its own, no aimeter run
    except RuntimeError as e:
        code += 0 if "nothing is measuring" in str(e) else 4
    os._exit(code)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, status
t2.stop()
print(t.stop().records["tokens"].total)
""", timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1.0"
