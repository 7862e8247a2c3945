"""aimeter.track: context manager, decorator, explicit start/stop; how a region ends."""
import asyncio
import os
import time

import pytest

import aimeter
from conftest import stored_runs


def test_context_manager(db):
    with aimeter.track("finetune", interval="20ms", db=db, quiet=True) as t:
        assert t.running and t.run_id
        time.sleep(0.1)
        live = t.live()
        assert live["samples"] >= 2 and live["elapsed_s"] >= 0.1 and live["energy_j"] >= 0
    assert not t.running and t.live() is None
    s = t.summary
    assert s.name == "finetune" and s.status == "completed" and s.run_id == t.run_id
    assert s.report["sampling"]["samples"] >= 5


def test_exception_inside_with_is_reraised_and_the_run_kept_as_failed(db):
    with pytest.raises(ZeroDivisionError):
        with aimeter.track("crash", interval="20ms", db=db, quiet=True) as t:
            time.sleep(0.06)
            1 / 0
    assert t.summary.status == "failed"
    stored = aimeter.load(t.run_id, db=db)
    assert stored.status == "failed" and stored.exit_code is None
    assert len(stored.samples(as_frame=False)) >= 3  # the data before the crash is there


def test_keyboard_interrupt_inside_with_is_interrupted(db):
    with pytest.raises(KeyboardInterrupt):
        with aimeter.track("ctrl-c", db=db, quiet=True) as t:
            raise KeyboardInterrupt
    assert aimeter.load(t.run_id, db=db).status == "interrupted"


@pytest.mark.parametrize("code, status, exit_code", [
    (0, "completed", 0), (None, "completed", 0), (3, "failed", 3), ("bye", "failed", 1)])
def test_system_exit_inside_with(db, code, status, exit_code):
    with pytest.raises(SystemExit):
        with aimeter.track(db=db, quiet=True) as t:
            raise SystemExit(code)
    s = aimeter.load(t.run_id, db=db)
    assert (s.status, s.exit_code) == (status, exit_code)


def test_report_is_printed_even_when_the_block_fails(db, capsys):
    with pytest.raises(ValueError):
        with aimeter.track("loud", db=db):
            raise ValueError("workload bug")
    assert "aimeter report" in capsys.readouterr().err


def test_explicit_start_stop_and_single_use(db):
    t = aimeter.track("manual", db=db, quiet=True)
    assert not t.running and t.run_id is None
    with pytest.raises(RuntimeError, match="never started"):
        t.stop()
    assert t.start() is t
    with pytest.raises(RuntimeError, match="already being measured"):
        t.start()
    s = t.stop()
    assert t.stop() is s  # stopping again returns the same summary
    with pytest.raises(RuntimeError, match="measures once"):
        t.start()


def test_decorator(db):
    @aimeter.track("train", db=db, quiet=True, interval="10ms")
    def train(epochs, lr=0.1):
        time.sleep(0.03)
        return epochs * lr

    assert train.__name__ == "train"
    assert train(3, lr=0.5) == 1.5
    first = train.last_summary
    assert first.name == "train" and first.status == "completed"
    train(1)
    assert train.last_summary.run_id != first.run_id  # one run per call
    assert [r["name"] for r in stored_runs(db)] == ["train", "train"]


def test_bare_decorator_is_named_after_the_function(monkeypatch, db):
    monkeypatch.setenv("AIMETER_DB", db)

    @aimeter.track
    def evaluate():
        return "done"

    assert evaluate() == "done"
    assert evaluate.last_summary.name.endswith("evaluate")
    assert stored_runs(db)[0]["name"] == evaluate.last_summary.name


def test_decorated_function_that_raises(db):
    @aimeter.track(db=db, quiet=True)
    def broken():
        raise RuntimeError("bad batch")

    with pytest.raises(RuntimeError, match="bad batch"):
        broken()
    assert broken.last_summary.status == "failed"


def test_recursion_is_one_run(db):
    @aimeter.track(db=db, quiet=True)
    def fact(n):
        return 1 if n <= 1 else n * fact(n - 1)

    assert fact(5) == 120
    assert len(stored_runs(db)) == 1


def test_async_function(db):
    @aimeter.track("serve", db=db, quiet=True)
    async def serve(x):
        await asyncio.sleep(0.02)
        return x + 1

    async def main():
        return await asyncio.gather(serve(1), serve(2))

    assert asyncio.run(main()) == [2, 3]
    runs = stored_runs(db)
    assert len(runs) == 2 and all(r["status"] == "completed" for r in runs)


def test_decorator_checks_options_when_decorating():
    with pytest.raises(TypeError, match="unknown option"):
        aimeter.track(intervall=1)
    with pytest.raises(TypeError, match="generator"):
        @aimeter.track()
        def gen():
            yield 1


def test_nested_regions_are_separate_runs(db):
    """Nesting is allowed: the inner region is a run of its own, overlapping the outer one
    (each covers the whole machine over its own span: do not add them up)."""
    with aimeter.track("outer", db=db, quiet=True) as outer:
        time.sleep(0.05)
        with aimeter.track("inner", db=db, quiet=True) as inner:
            time.sleep(0.05)
        time.sleep(0.05)
    o, i = outer.summary, inner.summary
    assert o.run_id != i.run_id and o.status == i.status == "completed"
    assert o.start_time <= i.start_time and i.end_time <= o.end_time
    assert i.duration_s < o.duration_s
    assert {r["name"] for r in stored_runs(db)} == {"outer", "inner"}


def test_name_given_twice():
    with pytest.raises(TypeError, match="twice"):
        aimeter.track("a", task_name="b")


def test_huge_interval_is_a_value_error_not_an_overflow():
    """interval=1e300 s does not fit the library's int64 nanoseconds: ValueError naming the
    bound (it was an OverflowError from ctypes at start)."""
    for value in (1e300, 1e10, 2 ** 70):
        with pytest.raises(ValueError, match="interval"):
            aimeter.track("x", interval=value)
    with pytest.raises(ValueError, match="sampling_interval"):
        aimeter.track("x", sampling_interval=1e300)


def test_nul_in_a_name_or_option_is_refused(db):
    """A NUL would cut the C string short ("a\\x00b" stored as "a"): ValueError, before
    anything is measured."""
    with pytest.raises(ValueError, match="NUL"):
        aimeter.track("a\x00b")
    with pytest.raises(ValueError, match="NUL"):
        with aimeter.track("ok", db=db, zone="F\x00R", quiet=True):
            pass
    assert not os.path.exists(db), "nothing was measured"


def test_output_that_is_the_store_is_refused(db, tmp_path, monkeypatch):
    """csv=/json= naming the store (or its -wal/-shm/-journal) wrote over every run at stop():
    refused when the tracker is made, as the CLI does."""
    with aimeter.track("first", db=db, quiet=True):
        pass
    before = open(db, "rb").read()
    for option in ("csv", "json"):
        for target in (db, db + "-wal", db + "-shm", db + "-journal"):
            with pytest.raises(ValueError, match="store"):
                aimeter.track("x", db=db, quiet=True, **{option: target})
    link = tmp_path / "link.db"
    os.link(db, link)
    with pytest.raises(ValueError, match="store"):
        aimeter.track("x", db=db, csv=link)
    monkeypatch.setenv("AIMETER_DB", db)
    with pytest.raises(ValueError, match="store"):
        aimeter.track("x", json=db)  # the default store
    assert open(db, "rb").read() == before
    assert [r["name"] for r in stored_runs(db)] == ["first"]
