"""Summary, load(), samples(), runs(): results read back through the library."""
import json
import math
import time

import pytest

import aimeter
from aimeter import monitor
from conftest import AIMETER, run_python


def same(a, b):
    """Equal to the 15 significant digits the JSON report keeps."""
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-14)


@pytest.fixture
def run(db):
    # Waits for the samples the tests need rather than for a time: on a loaded machine a
    # fixed sleep gave fewer (test_samples_as_rows once saw 4).
    with aimeter.track("measured", interval="20ms", db=db, quiet=True, zone="FR") as t:
        deadline = time.monotonic() + 30
        while (t.live() or {}).get("samples", 0) < 8 and time.monotonic() < deadline:
            time.sleep(0.02)
    return t.summary


def test_summary_figures_match_the_report(run, db):
    doc = run.to_dict()
    assert doc["schema"] == "aimeter.report/1"
    assert run.run_id == doc["run"]["id"]
    # The attributes are the library's doubles; the JSON report prints 15 significant digits.
    assert same(run.energy_j, doc["energy"]["total_j"]) and run.energy_j > 0
    assert same(run.carbon_g, doc["carbon"]["g"]) and run.carbon_g > 0
    assert run.zone == "FR" and same(run.intensity_g_per_kwh, doc["carbon"]["intensity_g_per_kwh"])
    # energy per component adds up to the devices counted in the total
    in_total = sum(d["energy_j"] for d in doc["energy"]["devices"] if d["in_total"])
    assert math.isclose(run.energy_j, in_total, rel_tol=1e-9)
    assert set(run.energy_by_component) >= {"cpu"}
    assert run.energy_by_device["cpu0"] == run.energy_by_component["cpu"]
    assert run.cost is None and run.currency is None  # no price given


def test_to_json_is_the_library_rendering(run, db):
    import subprocess
    cli = subprocess.run([str(AIMETER), "report", run.run_id, "--format", "json", "--db", db],
                         capture_output=True, text=True)
    if cli.returncode == 0:  # the same bytes as the CLI's report
        assert json.loads(cli.stdout) == json.loads(run.to_json())
    assert json.loads(run.to_json(indent=2)) == run.to_dict()
    d = run.to_dict()
    d["run"]["id"] = "changed"
    assert run.to_dict()["run"]["id"] == run.run_id  # to_dict() is a copy


def test_str_is_the_text_report_and_repr_is_short(run):
    text = str(run)
    assert text.startswith("aimeter report") and f"run {run.run_id}" in text
    assert "Total energy" in text
    r = repr(run)
    assert r.startswith("<aimeter.Summary run ") and run.run_id in r and " J" in r and "\n" not in r
    assert "| Metric" in run.markdown() or "|" in run.markdown()


def test_load_last_prefix_and_errors(run, db):
    assert aimeter.load("last", db=db).run_id == run.run_id
    assert aimeter.load(run.run_id[:15], db=db).run_id == run.run_id
    assert aimeter.load(db=db).to_dict() == run.to_dict()
    with pytest.raises(aimeter.AimeterError) as e:
        aimeter.load("19990101-000000-000000", db=db)
    assert e.value.errno == 2  # ENOENT
    with pytest.raises(aimeter.AimeterError):
        aimeter.load("last", db=str(run.db) + ".missing")


def test_load_uses_the_default_store(monkeypatch, tmp_path):
    store = tmp_path / "env-store.db"
    monkeypatch.setenv("AIMETER_DB", str(store))
    with aimeter.track("envdb", quiet=True) as t:
        pass
    assert t.summary.db == str(store)
    assert aimeter.load().run_id == t.run_id


def test_samples_as_rows(run):
    rows = run.samples(as_frame=False)
    assert isinstance(rows, list) and len(rows) >= 5
    first = rows[0]
    assert list(first)[:2] == ["time_s", "wall_time"]
    assert isinstance(first["wall_time"], str) and first["wall_time"].endswith("Z")
    times = [r["time_s"] for r in rows]
    assert times == sorted(times) and all(isinstance(t, float) for t in times)
    power = [k for k in first if k.startswith("cpu0.power")]
    assert power, list(first)
    values = [r[power[0]] for r in rows]
    assert all(v is None or isinstance(v, float) for v in values)
    assert any(isinstance(v, float) and v > 0 for v in values)


def test_samples_as_dataframe(run):
    pandas = pytest.importorskip("pandas")
    frame = run.samples()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns)[:2] == ["time_s", "wall_time"]
    assert len(frame) == len(run.samples(as_frame=False))
    assert str(frame["wall_time"].dtype).startswith("datetime64")
    power = [c for c in frame.columns if c.startswith("cpu0.power")][0]
    assert frame[power].dtype.kind == "f"


def test_samples_without_pandas_is_a_list(db):
    # A child interpreter where pandas cannot be imported: samples() falls back to rows.
    code = f"""
import sys
sys.modules["pandas"] = None   # import pandas -> ImportError
import aimeter, time
with aimeter.track(db={db!r}, quiet=True, interval="20ms") as t:
    time.sleep(0.06)
rows = t.summary.samples()
assert isinstance(rows, list) and rows and "time_s" in rows[0], rows
try:
    t.summary.samples(as_frame=True)
except ImportError:
    print("ok")
"""
    r = run_python(code)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_runs_lists_the_store(db):
    for name in ("a", "b"):
        with aimeter.track(name, db=db, quiet=True):
            pass
    runs = aimeter.runs(db=db)
    assert [r["name"] for r in runs] == ["b", "a"]
    assert all(r["status"] == "completed" for r in runs)
    assert len(aimeter.runs(db=db, limit=1)) == 1


def test_gpu_energy_from_fake_gpus(db, fake_gpus):
    monitor.start(name="gpu", interval="50ms", db=db, quiet=True)
    time.sleep(0.3)
    s = monitor.stop()
    assert {"gpu0", "gpu1"} <= set(s.energy_by_device)
    assert s.energy_by_component["gpu"] == pytest.approx(
        s.energy_by_device["gpu0"] + s.energy_by_device["gpu1"])
    assert s.energy_by_device["gpu1"] >= 20  # 100 W for at least 0.2 s, in 10 J steps


def test_pue_and_price_when_the_library_has_them(db):
    from aimeter import _lib
    if not (_lib.has("aim_config_set_pue") and _lib.has("aim_config_set_price")):
        pytest.skip("this libaimeter has no PUE/price setters")
    with aimeter.track(db=db, quiet=True, pue=1.5, price="0.25EUR", intensity=100) as t:
        time.sleep(0.05)
    s = t.summary
    assert s.facility_j == pytest.approx(s.energy_j * 1.5)
    assert s.currency == "EUR"
    assert s.cost == pytest.approx(s.facility_j / 3.6e6 * 0.25)
    assert s.intensity_g_per_kwh == 100 and s.zone is None
    assert "EUR" in repr(s)
    with aimeter.track(db=db, quiet=True, price=0.1, currency="usd", pue="aws") as t2:
        pass
    assert t2.summary.currency.upper() == "USD"


def test_store_is_fixed_at_start(monkeypatch, tmp_path):
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    monkeypatch.setenv("AIMETER_DB", str(first))
    t = aimeter.track("pinned", quiet=True).start()
    monkeypatch.setenv("AIMETER_DB", str(second))  # the program changes its environment
    s = t.stop()
    assert s.db == str(first) and aimeter.load(s.run_id, db=first).name == "pinned"


def test_unwritable_store_fails_at_start_with_the_reason(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(aimeter.AimeterError) as e:
        monitor.start(db=blocker / "runs.db", quiet=True)
    assert e.value.errno > 0 and str(blocker) in str(e.value)
    assert monitor.current() is None
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not an sqlite database" * 200)
    with pytest.raises(aimeter.AimeterError) as e:
        monitor.start(db=garbage, quiet=True)
    assert e.value.errno == 74  # EBADMSG: not an aimeter store
