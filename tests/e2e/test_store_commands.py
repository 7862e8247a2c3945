"""`aimeter ls`, `report [RUN]` and `export`: reading the store back, from SQLite and PostgreSQL."""
import csv
import json
import re

import pytest

from conftest import (EX_NOINPUT, EX_USAGE, assert_one_error, ls_json, make_run,
                      report_json, run_aimeter)


@pytest.fixture
def db(store_url):
    """Every test here on both back-ends: an SQLite file and a PostgreSQL database
    (pgserver.py)."""
    return store_url


def test_ls_newest_first(db):
    first = make_run(db, name="first")
    second = make_run(db, name="second")
    runs = ls_json(db)
    assert [r["name"] for r in runs] == ["second", "first"]
    assert [r["id"] for r in runs] == [second, first]
    for r in runs:
        assert r["status"] == "completed"
        assert r["exit_code"] == 0
        assert r["stale"] is False
        assert r["energy_j"] > 0
        assert r["carbon_g"] >= 0
        assert r["duration_s"] > 0
    text = run_aimeter("ls", "--db", db)
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    assert re.match(r"ID\s+NAME\s+STARTED", lines[0])
    assert lines[1].startswith(second) and lines[2].startswith(first)
    assert "completed" in lines[1]


def test_ls_limit(db):
    make_run(db, name="a")
    make_run(db, name="b")
    runs = json.loads(run_aimeter("ls", "--json", "-n", "1", "--db", db).stdout)
    assert [r["name"] for r in runs] == ["b"]
    assert run_aimeter("ls", "-n", "0", "--db", db).returncode == EX_USAGE


def shortest_unique_prefix(ids, target):
    for n in range(1, len(target) + 1):
        p = target[:n]
        if sum(1 for i in ids if i.startswith(p)) == 1:
            return p
    return target


def test_report_run_references(db):
    a = make_run(db, name="alpha")
    b = make_run(db, name="beta")
    assert report_json(db)["run"]["id"] == b          # default: last
    assert report_json(db, "last")["run"]["id"] == b
    assert report_json(db, a)["run"]["id"] == a        # full id
    prefix = shortest_unique_prefix([a, b], a)
    assert report_json(db, prefix)["run"]["id"] == a   # unique prefix
    text = run_aimeter("report", a, "--db", db)
    assert text.returncode == 0
    assert text.stdout.startswith(f"aimeter report  run {a}  \"alpha\"")


def test_report_ambiguous_prefix(db):
    a = make_run(db)
    b = make_run(db)
    common = ""
    for x, y in zip(a, b):
        if x != y:
            break
        common += x
    assert common, "ids share at least the date"
    line = assert_one_error(run_aimeter("report", common, "--db", db), EX_USAGE)
    assert "ambiguous" in line.lower() or (a in line and b in line), line


def test_report_unknown_run(db):
    make_run(db)
    line = assert_one_error(run_aimeter("report", "19990101-000000-zzzzzz", "--db", db),
                            EX_NOINPUT)
    assert "19990101-000000-zzzzzz" in line or "no run" in line.lower()
    assert_one_error(run_aimeter("export", "nope", "--csv", "-", "--db", db), EX_NOINPUT)


def test_report_output_file(db, tmp_path):
    make_run(db)
    out = tmp_path / "r.md"
    r = run_aimeter("report", "-f", "markdown", "-o", out, "--db", db)
    assert r.returncode == 0 and r.stdout == ""
    assert out.read_text().startswith("###") or "|" in out.read_text()


def test_export_csv_and_json(db, tmp_path):
    run_id = make_run(db, "sleep", "0.5", interval="50ms")
    csv_path, json_path = tmp_path / "x.csv", tmp_path / "x.json"
    r = run_aimeter("export", run_id, "--csv", csv_path, "--json", json_path, "--db", db)
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(open(csv_path, newline="")))
    assert rows[0][:2] == ["time_s", "wall_time"]
    assert len(rows) >= 5
    summary = json.loads(json_path.read_text())
    assert summary["run"]["id"] == run_id
    assert summary == report_json(db, run_id)


def test_export_needs_an_output(db):
    make_run(db)
    assert_one_error(run_aimeter("export", "--db", db), EX_USAGE)


@pytest.mark.parametrize("outputs", [
    ["--csv", "-", "--json", "-"],
    ["--json", "{d}/out", "--columns", "{d}/out"],
    ["--csv", "{d}/x.csv", "--columns", "{d}/x.columns.csv"],
])
def test_export_outputs_must_differ(db, tmp_path, outputs):
    """As run's: two outputs on one file, or both on standard output, would mix."""
    make_run(db)
    args = [a.format(d=tmp_path) for a in outputs]
    r = run_aimeter("export", "--db", db, *args)
    line = assert_one_error(r, EX_USAGE)
    assert "same file" in line or "standard output" in line, line
    assert r.stdout == "" and not (tmp_path / "out").exists()


def test_export_json_to_stdout_defaults_to_last(db):
    make_run(db, name="one")
    last = make_run(db, name="two")
    r = run_aimeter("export", "--json", "-", "--db", db)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["run"]["id"] == last
