"""aimeter report --format html and aimeter run --html: one self-contained document (the
contract in docs/report-json.md, "aimeter.html/1"), checked by structure: it parses as HTML,
its embedded data parses as JSON and holds what the store holds (the JSON report, every
series, the phases and markers, the what-if zones), a hostile run name cannot end the data
element, and nothing in it points outside the file. The runs are the golden store's
(tests/fixtures/store/golden.sql) and some measured through the fake NVML. Drawing it is the
front end's test (web/)."""
import csv
import io
import json
import math
import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import (EX_CANTCREAT, EX_USAGE, assert_one_error, gpu_env, ls_json,
                      report_json, run_aimeter)
# R1: FR, 4 epochs; R4: 2 GPUs, 3 epochs with a step each, 3 marks; R5: no GPU, 100 g/kWh,
# prefill and decode left open; R0: the idle baseline (no phases)
from test_golden import R1, R4, R5, load_store

R0 = "20261207-083154-1c4460"
RUNS = [R0, R1, "20261207-083155-27198a", "20261207-083157-45b4c2", R4, R5]
DEFAULT_ZONES = ["WORLD", "SE", "FR", "GB", "DE", "US", "CN", "IN", "PL"]


@pytest.fixture
def golden(tmp_path):
    db = tmp_path / "golden.db"
    load_store(db)
    return db


class Document(HTMLParser):
    """The elements of a document, and the text of each script element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.scripts, self.title = [], [], ""
        self._in = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "title"):
            self._in = (tag, dict(attrs))
            if tag == "script":
                self.scripts.append([dict(attrs), ""])

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in and self._in[0] == "script":
            self.scripts[-1][1] += data
        elif self._in and self._in[0] == "title":
            self.title += data


def parse(text):
    doc = Document()
    doc.feed(text)
    doc.close()
    return doc


def data_of(text):
    """DATA, parsed by HTML rules first (what a browser hands to JSON.parse)."""
    doc = parse(text)
    found = [body for attrs, body in doc.scripts if attrs.get("id") == "aimeter-data"]
    assert len(found) == 1, [a for a, _ in doc.scripts]
    assert doc.scripts[0][0] == {"type": "application/json", "id": "aimeter-data"}
    return json.loads(found[0]), doc


def html_report(db, run, *args):
    r = run_aimeter("report", run, "--db", db, "--format", "html", *args)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout


def series_names(report):
    names = []
    for d in report["devices"]:
        for m in d["metrics"]:
            inst = f"[{m['instance']}]" if m["instance"] is not None else ""
            names.append(f"{d['name']}.{m['key']}{inst}")
    return names


def no_external_reference(text):
    bad = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//""",
                     text, re.I)
    assert not bad, bad


def store_rows(db, sql, run):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, (run,)).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("run", RUNS)
def test_golden_runs(golden, run):
    text = html_report(golden, run)
    assert text.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    data, doc = data_of(text)
    assert data["schema"] == "aimeter.html/1"
    # the JSON report, the same object as report --format json gives
    report = report_json(golden, run)
    assert data["report"] == report
    assert doc.title == f"aimeter report: {report['run']['name']} ({run})"
    assert [t for t, _ in doc.tags][:6] == ["html", "head", "meta", "meta", "meta", "title"]
    csp = [a for t, a in doc.tags if t == "meta" and a.get("http-equiv")]
    assert csp and csp[0]["content"].startswith("default-src 'none'")
    assert any(t == "main" and a.get("id") == "aimeter-report" for t, a in doc.tags)
    assert len(doc.scripts) == 2 and doc.scripts[1][0] == {} and doc.scripts[1][1]
    no_external_reference(text)
    # every series, in the report's order, bounded by the buckets
    tl = data["timeline"]
    assert tl["buckets"] == 2000 and tl["x0"] == 0
    assert math.isclose(tl["x1"], report["run"]["duration_s"], rel_tol=1e-9)
    assert tl["start_time"] == report["run"]["start_time"]
    assert [s["name"] for s in tl["series"]] == series_names(report)
    for s in tl["series"]:
        assert len(s["t"]) == len(s["v"]) <= 2 * tl["buckets"]
        # times have 7 significant digits: the last may round past x1
        assert s["t"] == sorted(s["t"])
        assert all(tl["x0"] <= t <= tl["x1"] * (1 + 1e-6) for t in s["t"])
        assert s["samples"] == sum(v is not None for v in s["v"])  # 27 samples: all kept
        assert s["per_bucket"] == 0
        assert s["method"] in ("measured", "derived", "estimated")
    # phases and marks as the store has them
    phases = store_rows(golden, "SELECT phase, depth, start_ns, end_ns FROM phases "
                        "WHERE run_id = ? ORDER BY seq", run)
    assert [(p["name"], p["depth"], p["closed"]) for p in tl["phases"]] == \
        [(n, d, e is not None) for n, d, _, e in phases]
    for p, (_, _, s, e) in zip(tl["phases"], phases):
        assert math.isclose(p["t0"], s / 1e9, rel_tol=1e-9)
        if e is not None:
            assert math.isclose(p["t1"], e / 1e9, rel_tol=1e-9)
        else:
            assert math.isclose(p["t1"], tl["x1"], rel_tol=1e-9)
    marks = store_rows(golden, "SELECT text, t_ns FROM marks WHERE run_id = ? ORDER BY seq", run)
    assert [(m["text"], round(m["t"] * 1e9)) for m in tl["marks"]] == [(t, n) for t, n in marks]
    # the cumulative energy and carbon end at the run's
    e = tl["energy"]
    assert len(e["t"]) == len(e["kwh"]) == len(e["g"]) <= tl["buckets"] + 1
    assert e["t"] == sorted(e["t"]) and e["kwh"] == sorted(e["kwh"])
    facility_kwh = report["energy"]["facility_kwh"]
    assert math.isclose(e["kwh"][-1], facility_kwh, rel_tol=1e-6)
    assert math.isclose(e["g"][-1], report["carbon"]["g"], rel_tol=1e-6)
    # the what-if: the run's own zone first, then the default set
    w = data["whatif"]
    assert math.isclose(w["energy_kwh"], facility_kwh, rel_tol=1e-9)
    own = w["zones"][0]
    assert own["own"] is True and not any(z["own"] for z in w["zones"][1:])
    assert own["zone"] == report["carbon"]["zone"]
    assert math.isclose(own["carbon_g"], report["carbon"]["g"], rel_tol=1e-9)
    assert [z["zone"] for z in w["zones"][1:]] == [z for z in DEFAULT_ZONES if z != own["zone"]]
    for z in w["zones"][1:]:
        assert math.isclose(z["carbon_g"], facility_kwh * z["g_per_kwh"], rel_tol=1e-6)
    # the correlation matrix: square, r(a, a) = 1
    c = data["correlation"]
    if c is not None:
        assert len(c["r"]) == len(c["names"]) and all(len(row) == len(c["names"]) for row in c["r"])
        assert all(c["r"][i][i] == 1 for i in range(len(c["names"])))


def test_zones_and_buckets(golden):
    data, _ = data_of(html_report(golden, R4, "--zones", "CA-SK,FR@2010,SE", "--buckets", "10"))
    zones = [z["zone"] for z in data["whatif"]["zones"]]
    # the user's first (after the own), then the defaults not already there
    assert zones[1:4] == ["CA-SK", "FR@2010", "SE"]
    assert zones[4:] == [z for z in DEFAULT_ZONES if z != "SE"]
    tl = data["timeline"]
    assert tl["buckets"] == 10
    for s in tl["series"]:
        assert sum(v is not None for v in s["v"]) <= 4 * 10
        if None not in s["v"]:
            assert len(s["t"]) <= 2 * 10
            # 27 samples in 10 buckets: some bucket stands for more than 2
            if s["samples"] > 20:
                assert s["per_bucket"] > 2
    assert len(tl["energy"]["t"]) <= 11


def test_zones_leave_out_the_own_zone(golden):
    """R1 is priced in FR: --zones FR adds no second FR row (docs/cli.md)."""
    data, _ = data_of(html_report(golden, R1, "--zones", "FR,CA-SK,FR"))
    zones = [z["zone"] for z in data["whatif"]["zones"]]
    assert zones == ["FR", "CA-SK"] + [z for z in DEFAULT_ZONES if z != "FR"]


@pytest.mark.parametrize("args", [["--zones", "FR,NOWHERE"], ["--zones", "FR,,SE"],
                                  ["--buckets", "5"], ["--buckets", "x"]])
def test_bad_options(golden, tmp_path, args):
    out = tmp_path / "r.html"
    r = run_aimeter("report", R4, "--db", golden, "--format", "html", "-o", out, *args)
    assert_one_error(r, EX_USAGE)
    assert not out.exists()


def test_zones_only_for_html(golden):
    r = run_aimeter("report", R4, "--db", golden, "--zones", "FR")
    assert_one_error(r, EX_USAGE)


def test_hostile_name_stays_inside(golden):
    name = "</script><script>x</script>\u2028<!--"
    con = sqlite3.connect(golden)
    con.execute("UPDATE runs SET name = ? WHERE id = ?", (name, R4))
    con.commit()
    con.close()
    text = html_report(golden, R4)
    data, doc = data_of(text)
    assert data["report"]["run"]["name"] == name
    assert doc.title == f"aimeter report: {name} ({R4})"
    assert len(doc.scripts) == 2
    assert "<script>x" not in text
    body = text.split('id="aimeter-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in body and "\u2028" not in body


def test_output_file(golden, tmp_path):
    out = tmp_path / "report.html"
    r = run_aimeter("report", R4, "--db", golden, "--format", "html", "-o", out)
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r.stderr
    assert out.read_text(encoding="utf-8") == html_report(golden, R4)


def test_unwritable_output_first(golden, tmp_path):
    # checked before anything else: even an unknown run is not looked up
    r = run_aimeter("report", "nosuchrun", "--db", golden, "--format", "html", "-o",
                    tmp_path / "no" / "dir" / "r.html")
    line = assert_one_error(r, EX_CANTCREAT)
    assert "cannot write" in line and r.stdout == ""


def test_empty_and_one_sample_runs(golden, tmp_path):
    # R5 with no samples at all
    con = sqlite3.connect(golden)
    con.execute("DELETE FROM chunks WHERE run_id = ?", (R5,))
    con.commit()
    con.close()
    data, _ = data_of(html_report(golden, R5))
    tl = data["timeline"]
    assert tl["series"] and all(s["t"] == [] and s["samples"] == 0 for s in tl["series"])
    assert tl["energy"] == {"t": [], "kwh": [], "g": []}
    assert [p["name"] for p in tl["phases"]] == ["prefill", "decode"]


def test_one_sample_run(db):
    # an interval longer than the command: the first sample, and the last at the end
    r = run_aimeter("run", "-q", "--db", db, "-i", "10s", "--sources", "procfs", "--", "true")
    assert r.returncode == 0, r.stderr
    run = ls_json(db)[0]["id"]
    data, _ = data_of(html_report(db, run))
    tl = data["timeline"]
    assert tl["series"] and all(s["samples"] <= 2 for s in tl["series"])
    assert tl["phases"] == [] and tl["marks"] == []


def test_run_html_writes_the_file(db, tmp_path):
    out = tmp_path / "run.html"
    r = run_aimeter("run", "-qq", "--db", db, "-i", "50ms", "-n", "fake gpus", "--html", out,
                    "--", "sleep", "0.3", env=gpu_env())
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr == ""
    run = ls_json(db)[0]["id"]
    data, _ = data_of(out.read_text(encoding="utf-8"))
    assert data["report"]["run"]["id"] == run and data["report"]["run"]["name"] == "fake gpus"
    names = [s["name"] for s in data["timeline"]["series"]]
    assert "gpu0.power" in names and "gpu1.power" in names


def test_run_html_unwritable_before_the_command(db, tmp_path):
    marker = tmp_path / "ran"
    r = run_aimeter("run", "-q", "--db", db, "--html", tmp_path / "no" / "dir" / "r.html",
                    "--", "touch", marker)
    line = assert_one_error(r, EX_CANTCREAT)
    assert "cannot write" in line
    assert not marker.exists()
    assert not Path(db).exists() or ls_json(db) == []


def column_extremes(csv_text):
    """Per column of the export (name without the unit): (min, max) of its values."""
    rows = list(csv.reader(io.StringIO(csv_text)))
    head = rows[0]
    out = {}
    for i, h in enumerate(head[2:], start=2):
        vals = [float(r[i]) for r in rows[1:] if i < len(r) and r[i] != ""]
        if vals:
            out[h.rsplit(" [", 1)[0]] = (min(vals), max(vals))
    return out


@pytest.mark.slow
def test_long_run_decimated_with_peaks(db):
    """Many samples per bucket: each series at most 2 points per bucket (4 with a gap), and
    its extremes are the export's."""
    r = run_aimeter("run", "-q", "--db", db, "-i", "2ms", "--", "sleep", "1.5", env=gpu_env())
    assert r.returncode == 0, r.stderr
    run = ls_json(db)[0]["id"]
    data, _ = data_of(html_report(db, run, "--buckets", "20"))
    tl = data["timeline"]
    e = run_aimeter("export", run, "--db", db, "--csv", "-")
    assert e.returncode == 0, e.stderr
    extremes = column_extremes(e.stdout)
    decimated = 0
    for s in tl["series"]:
        vals = [v for v in s["v"] if v is not None]
        assert len(vals) <= 4 * 20 and len(s["t"]) <= 6 * 20
        if None not in s["v"]:
            assert len(s["t"]) <= 2 * 20
        decimated += s["per_bucket"] > 2
        if vals and s["name"] in extremes:
            lo, hi = extremes[s["name"]]
            assert math.isclose(min(vals), lo, rel_tol=1e-6, abs_tol=1e-6), s["name"]
            assert math.isclose(max(vals), hi, rel_tol=1e-6, abs_tol=1e-6), s["name"]
    assert decimated > 0, "no series had more than 2 samples in a bucket"
