"""The WattsOnAI interface: aimeter.monitor.start(**options) / stop()."""
import csv
import json
import threading
import time

import pytest

import aimeter
from aimeter import monitor
from conftest import run_python, stored_runs

# The paper's case study (seed 000, section 4) with the argument names of the WattsOnAI
# README: it must run unchanged once the import line names aimeter.
SEED_SNIPPET = """
from aimeter import monitor
import time
try:
    monitor.start(task_name="clean", sampling_interval=0.1, output_format="csv",
                  additional_metrics=[], indices=[0, 1])
    time.sleep(0.4)   # the workload
finally:
    monitor.stop()
"""


@pytest.fixture(autouse=True)
def _no_monitor_left():
    yield
    if monitor.current() is not None:  # a failed test must not leak its run into the next
        monitor.current()._stop(3, -1)


def test_seed_snippet_runs_unchanged(tmp_path, fake_gpus, db):
    r = run_python(SEED_SNIPPET, env={"AIMETER_DB": db}, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    # stop() printed the report (not quiet): the GPUs the indices chose are in it.
    assert "aimeter report" in r.stderr
    assert "GPU energy (gpu0)" in r.stderr and "GPU energy (gpu1)" in r.stderr
    runs = stored_runs(db)
    assert len(runs) == 1
    run = runs[0]
    assert run["name"] == "clean" and run["status"] == "completed"
    # output_format="csv": the time series next to the script, named after task and run.
    out = tmp_path / f"clean_{run['id']}.csv"
    assert out.is_file(), sorted(p.name for p in tmp_path.iterdir())
    with open(out) as f:
        rows = list(csv.reader(f))
    assert rows[0][:2] == ["time_s", "wall_time"]
    assert any(h.startswith("gpu0.power") for h in rows[0]) and any(h.startswith("gpu1.") for h in rows[0])
    assert len(rows) >= 4  # at 100 ms over 0.4 s


def test_seed_names_map_onto_the_options(db, fake_gpus):
    monitor.start(task_name="exp2", sampling_interval=0.05, indices=[1], db=db, quiet=True,
                  additional_metrics=["CPU", "DRAM"])
    time.sleep(0.15)
    s = monitor.stop()
    assert s.name == "exp2"
    assert s.report["sampling"]["interval_s"] == 0.05
    gpus = [d["name"] for d in s.report["devices"] if d["kind"] == "gpu"]
    assert gpus == ["gpu1"]


def test_start_stop_returns_the_summary(db, capsys):
    t = monitor.start(name="region", interval="50ms", db=db)
    assert isinstance(t, aimeter.Tracker) and t.running
    assert len(t.run_id) > 10
    time.sleep(0.2)
    s = monitor.stop()
    assert isinstance(s, aimeter.Summary)
    assert s.run_id == t.run_id and s.name == "region" and s.status == "completed"
    assert s.exit_code is None  # no child command: nothing exited
    assert s.duration_s >= 0.2
    assert s.energy_j > 0 and s.carbon_g > 0
    assert s.db == db
    # The report is printed on stderr unless quiet; stdout is the program's.
    out = capsys.readouterr()
    assert out.out == ""
    assert f"run {s.run_id}" in out.err and "Total energy" in out.err
    assert monitor.current() is None


def test_quiet_prints_nothing(db, capsys):
    monitor.start(db=db, quiet=True)
    monitor.stop()
    assert capsys.readouterr().err == ""


def test_double_start_raises_and_keeps_the_first_run(db):
    first = monitor.start(name="first", db=db, quiet=True)
    with pytest.raises(RuntimeError, match="already started"):
        monitor.start(name="second", db=db, quiet=True)
    assert monitor.current() is first
    s = monitor.stop()
    assert s.name == "first"
    assert [r["name"] for r in stored_runs(db)] == ["first"]


def test_stop_without_start_returns_none_with_a_warning():
    with pytest.warns(RuntimeWarning, match="without a running monitor.start"):
        assert monitor.stop() is None


def test_second_stop_returns_none(db):
    monitor.start(db=db, quiet=True)
    assert monitor.stop() is not None
    with pytest.warns(RuntimeWarning):
        assert monitor.stop() is None


def test_failed_start_leaves_nothing_running(db):
    with pytest.raises(aimeter.AimeterError) as e:
        monitor.start(db=db, quiet=True, intensity_file="/nonexistent/intensity.csv")
    assert e.value.errno == 2 and "cannot start measuring" in str(e.value)
    assert monitor.current() is None
    monitor.start(db=db, quiet=True)  # and a later start works
    assert monitor.stop().status == "completed"


def test_unknown_option_names_the_valid_ones():
    with pytest.raises(TypeError) as e:
        monitor.start(sampling_intervall=0.1)
    msg = str(e.value)
    assert "sampling_intervall" in msg and "sampling_interval" in msg and "task_name" in msg
    assert monitor.current() is None


@pytest.mark.parametrize("options, match", [
    ({"interval": 0}, "at least"),
    ({"interval": "fast"}, "bad duration"),
    ({"sampling_interval": -1}, "at least"),
    ({"zone": "XX-NOWHERE"}, "zone"),
    ({"intensity": -5}, "intensity"),
    ({"gpus": "0,,1"}, "gpus"),
    ({"metrics": "nonsense"}, "metrics"),
    ({"sources": "nosuchsource"}, "sources"),
    ({"price": 0.2}, "currency"),
    ({"price": "0.2EUR", "currency": "USD"}, "disagree"),
    ({"pue": 9}, "pue"),
    ({"output_format": "xml"}, "output_format"),
    ({"additional_metrics": ["GPUfancy"]}, "additional_metrics"),
])
def test_bad_values_raise_value_error(db, options, match):
    with pytest.raises(ValueError, match=match):
        monitor.start(db=db, quiet=True, **options)
    assert monitor.current() is None


@pytest.mark.parametrize("options", [
    {"name": "a", "task_name": "b"},
    {"interval": 0.1, "sampling_interval": 0.1},
    {"gpus": [0], "indices": [0]},
    {"interval": True},
    {"currency": "EUR"},
])
def test_conflicting_or_mistyped_options_raise_type_error(options):
    with pytest.raises(TypeError):
        monitor.start(**options)


def test_interval_forms(db):
    import datetime
    for value, expected in ((0.05, 0.05), ("20ms", 0.02), (datetime.timedelta(milliseconds=30), 0.03), (1, 1.0)):
        monitor.start(interval=value, db=db, quiet=True)
        s = monitor.stop()
        assert s.report["sampling"]["interval_s"] == pytest.approx(expected), value


def test_csv_and_json_outputs(db, tmp_path):
    monitor.start(name="out", interval="20ms", db=db, quiet=True, csv=tmp_path / "series.csv",
                  json=str(tmp_path / "summary.json"))
    time.sleep(0.1)
    s = monitor.stop()
    assert s.csv_path == str(tmp_path / "series.csv")
    doc = json.loads((tmp_path / "summary.json").read_text())
    assert doc == s.to_dict() and doc["run"]["id"] == s.run_id
    header = (tmp_path / "series.csv").read_text().splitlines()[0]
    assert header.startswith("time_s,wall_time,")
    # Issue 11: beside it, how each column was obtained (docs/cli.md, "CSV columns").
    cols = list(csv.DictReader((tmp_path / "series.columns.csv").read_text().splitlines()))
    assert [c["column"] for c in cols] == next(csv.reader([header]))[2:]
    assert {c["method"] for c in cols} <= {"measured", "derived", "estimated"}


def test_output_format_json_and_mysql(db, tmp_path):
    monitor.start(task_name="exp1", output_format="json", db=db, quiet=True)
    s = monitor.stop()
    assert (tmp_path / f"exp1_{s.run_id}.json").is_file()
    # "mysql" (WattsOnAI's database output) is the store, which is always written.
    monitor.start(task_name="exp1", output_format="mysql", db=db, quiet=True)
    s2 = monitor.stop()
    assert aimeter.load(s2.run_id, db=db).run_id == s2.run_id
    assert not list(tmp_path.glob(f"exp1_{s2.run_id}.*"))


def test_threads_start_and_stop_concurrently(db):
    n = 8
    barrier = threading.Barrier(n)
    started, refused, errors = [], [], []

    def starter(i):
        barrier.wait()
        try:
            started.append(monitor.start(name=f"t{i}", db=db, quiet=True))
        except RuntimeError:
            refused.append(i)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=starter, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(started) == 1 and len(refused) == n - 1

    summaries = []
    barrier = threading.Barrier(n)

    def stopper():
        barrier.wait()
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            summaries.append(monitor.stop())

    threads = [threading.Thread(target=stopper) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    real = [s for s in summaries if s is not None]
    assert len(real) == 1 and summaries.count(None) == n - 1
    assert real[0].run_id == started[0].run_id
    assert len(stored_runs(db)) == 1 and stored_runs(db)[0]["status"] == "completed"


def test_library_warnings_reach_the_aimeter_logger(db, fake_gpus, caplog):
    monitor.start(gpus="0,5", db=db, quiet=True)  # gpu 5 does not exist: the library warns
    s = monitor.stop()
    assert any(r.name == "aimeter" and "names no single one" in r.getMessage() for r in caplog.records)
    assert [d["name"] for d in s.report["devices"] if d["kind"] == "gpu"] == ["gpu0"]
