"""The public C API as an embedding program uses it: examples/measure_region.c."""
import json
import subprocess

from conftest import BUILD, run_aimeter


def test_embedded_session_is_stored_and_reported(db):
    example = BUILD / "examples" / "measure-region"
    r = subprocess.run([str(example), str(db)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "work done" in r.stdout
    assert "Total energy" in r.stdout
    # The run is in the store like any `aimeter run`, under the name the program gave it.
    ls = run_aimeter("ls", "--db", db, "--format", "json")
    assert ls.returncode == 0, ls.stderr
    runs = json.loads(ls.stdout)
    assert [run["name"] for run in runs] == ["measure-region"]
    assert runs[0]["status"] == "completed"
    rep = json.loads(run_aimeter("report", "--db", db, "--format", "json").stdout)
    assert rep["sampling"]["interval_s"] == 0.05
    assert rep["energy"]["total_j"] > 0
