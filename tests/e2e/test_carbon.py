"""Carbon as a time series: --intensity-file, --pue, --price, the report's method lines, bad
files, `aimeter whatif --zones`, and a store of schema 1 migrated (docs/methodology.md,
"Carbon")."""
import csv
import io
import json
import re
import sqlite3
import time
from pathlib import Path

import pytest

from conftest import (EX_DATAERR, EX_NOINPUT, EX_USAGE, FIXTURES, assert_one_error, rel_close,
                      report_json, run_aimeter)


def run_ok(db, *args, cmd=("sleep", "0.3")):
    r = run_aimeter("run", "--db", db, "-i", "50ms", *args, "--", *cmd)
    assert r.returncode == 0, f"exit {r.returncode}\n{r.stderr}"
    return r


def iso(unix_s):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(unix_s))) + \
        ".%03dZ" % int(round((unix_s % 1) * 1000) % 1000)


def parse_iso(text):
    """'2026-11-21T14:03:12.345Z' -> Unix seconds."""
    import calendar
    main, ms = text.rstrip("Z").split(".")
    return calendar.timegm(time.strptime(main, "%Y-%m-%dT%H:%M:%S")) + int(ms) / 1000


# ------------------------------------------------------------------ a series that changes

def expected_carbon_from_csv(db, step_unix_s, before, after, start_unix_s):
    """Σ ΔE × I(t) worked out here from the exported samples: the power of every device in the
    total integrated by trapezoids between its valid samples (as aimeter does), its first
    sample held back to the run's start (docs/methodology.md), each interval's energy split
    at the step by time."""
    r = run_aimeter("export", "--db", db, "--csv", "-")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    b = step_unix_s - start_unix_s
    total = grams = 0.0
    for col in ("cpu0.power [W]", "dram0.power [W]"):
        last = None
        for row in rows:
            if not row.get(col):
                continue
            t, p = float(row["time_s"]), float(row[col])
            if last is None and t > 0:
                last = (0.0, p)
            if last is not None and t > last[0]:
                t0, p0 = last
                e = 0.5 * (p0 + p) * (t - t0)
                share = min(max((b - t0) / (t - t0), 0.0), 1.0)
                grams += (e * share * before + e * (1 - share) * after) / 3.6e6
                total += e
            last = (t, p)
    return total, grams


def test_intensity_file_that_changes_mid_run(db, tmp_path):
    step = time.time() + 1.0
    f = tmp_path / "grid.csv"
    f.write_text("timestamp,g_per_kwh\n"
                 f"{iso(step - 3600)},100\n"
                 f"{int(step)}.{int(step * 1000) % 1000:03d},500\n")
    step = int(step * 1000) / 1000
    r = run_ok(db, "--intensity-file", f, "--sources", "procfs,estimate", cmd=("sleep", "2"))
    rep = report_json(db)
    start = parse_iso(rep["run"]["start_time"])
    end = parse_iso(rep["run"]["end_time"])
    assert start < step < end, "the step must fall inside the run for this test to mean anything"

    c = rep["carbon"]
    assert c["n_points"] == 2
    assert [p["g_per_kwh"] for p in c["series"]] == [100, 500]
    assert c["source"].startswith("file grid.csv, 2 points")
    assert c["zone"] is None and c["signal"] == "average" and c["basis"] == "unknown"
    kwh = rep["energy"]["total_kwh"]
    assert 100 * kwh < c["g"] < 500 * kwh
    assert 100 < c["intensity_g_per_kwh"] < 500
    assert rel_close(c["g"], kwh * c["intensity_g_per_kwh"])

    total, grams = expected_carbon_from_csv(db, step, 100, 500, start)
    # Integrated power is stored at 1 µW and the run integrated it as stored: the export's
    # figures give the run's energy (the time column's rounding aside).
    assert total == pytest.approx(rep["energy"]["total_j"], rel=1e-5)
    assert c["g"] == pytest.approx(grams, rel=1e-2)

    # Per component, adding up to the total.
    per = [d["carbon_g"] for d in rep["energy"]["devices"] if d["in_total"]]
    assert sum(per) == pytest.approx(c["g"], rel=1e-9)

    text = r.stderr
    assert re.search(r"^\s*Intensity\s+[0-9.]+ g/kWh\s+Σ energy × intensity\(t\) × PUE over 2 "
                     r"intensity points \(average, basis unknown; file grid.csv", text, re.M), text
    assert re.search(r"^\s*CPU carbon \(cpu0\)\s+[0-9.]+ g CO2e", text, re.M), text
    # The file covers the run: no warning about it.
    assert "intensity file" not in text

    # Re-priced from the stored samples with the same file: the same carbon (the stored
    # samples are quantised to the metric's resolution, hence not bit for bit).
    w = run_aimeter("whatif", "--db", db, "--intensity-file", f, "--json")
    assert w.returncode == 0, w.stderr
    doc = json.loads(w.stdout)
    base, again = doc["scenarios"][0], doc["scenarios"][1]
    assert base["baseline"] and again["label"] == "grid.csv"
    assert again["carbon_g"] == pytest.approx(c["g"], rel=1e-3)
    assert again["ratio"] == pytest.approx(1.0, rel=1e-12)


def test_file_that_does_not_cover_the_run(db, tmp_path):
    now = time.time()
    f = tmp_path / "old.csv"
    f.write_text(f"{int(now) - 7200},250\n{int(now) - 3600},300\n")
    r = run_ok(db, "--intensity-file", f)
    rep = report_json(db)
    assert rep["carbon"]["intensity_g_per_kwh"] == 300
    warn = [w for w in rep["warnings"] if w.startswith("intensity file old.csv")]
    assert len(warn) == 1, rep["warnings"]
    assert "its last value, 300 g/kWh, was used after it" in warn[0]
    assert "intensity file old.csv covers until" in r.stderr


# ------------------------------------------------------------------ PUE and price

def test_pue_and_price(db):
    r = run_ok(db, "--intensity", "100", "--pue", "1.5", "--price", "0.30EUR")
    rep = report_json(db)
    e, c, cost = rep["energy"], rep["carbon"], rep["cost"]
    assert e["pue"] == 1.5 and e["pue_source"] == "given with --pue"
    assert rel_close(e["facility_j"], e["total_j"] * 1.5)
    assert rel_close(e["facility_kwh"], e["total_kwh"] * 1.5)
    assert rel_close(c["g"], e["total_kwh"] * 100 * 1.5)
    assert c["pue"] == 1.5
    assert cost["currency"] == "EUR" and cost["price_per_kwh"] == 0.30
    assert rel_close(cost["amount"], e["facility_kwh"] * 0.30)
    assert cost["method"] == "facility energy × 0.3 EUR/kWh (given with --price)"
    text = r.stderr
    assert re.search(r"^\s*Total energy\s+[0-9.]+ J\s+= [0-9.e-]+ kWh, IT equipment; from the run's start", text, re.M)
    assert re.search(r"^\s*Facility energy\s+[0-9.]+ J\s+= IT energy × PUE 1.5 \(given with "
                     r"--pue\)$", text, re.M), text
    assert re.search(r"^\s*Cost\s+[0-9.e-]+ EUR\s+facility energy × 0.3 EUR/kWh", text, re.M)


def test_pue_by_provider_and_currency_option(db):
    run_ok(db, "-q", "--pue", "aws", "--price", "0.21", "--currency", "usd")
    rep = report_json(db)
    assert rep["energy"]["pue"] > 1
    assert rep["energy"]["pue_source"].startswith("aws default: ")
    assert rep["cost"]["currency"] == "USD"


def test_no_price_no_cost_and_pue_one_by_default(db):
    run_ok(db, "-q")
    rep = report_json(db)
    assert rep["cost"] is None
    assert rep["energy"]["pue"] == 1
    assert rep["energy"]["facility_j"] == rep["energy"]["total_j"]


@pytest.mark.parametrize("args", [
    ["--pue", "0.9"], ["--pue", "6"], ["--pue", "nope"], ["--pue", "1,2"],
    ["--price", "0.21"], ["--price", "abc"], ["--price", "0.21EURO"],
    ["--price", "0.21EUR", "--currency", "USD"], ["--currency", "EUR"],
    ["--price", "-1EUR"],
])
def test_bad_carbon_options(db, args, tmp_path):
    marker = tmp_path / "ran"
    r = run_aimeter("run", "--db", db, *args, "--", "touch", marker)
    assert_one_error(r, EX_USAGE)
    assert not marker.exists()
    assert not Path(db).exists()


@pytest.mark.parametrize("args", [
    ["--price", "0.2", "--currency", "XXXX"], ["--price", "0.2", "--currency", "E1R"],
    ["--price", "0.2", "--currency", ""],
])
def test_bad_currency_blames_currency_not_price(db, args, tmp_path):
    r = run_aimeter("run", "--db", db, *args, "--", "true")
    line = assert_one_error(r, EX_USAGE)
    assert line.startswith("aimeter: bad --currency"), line
    assert "--price" not in line, line


# ------------------------------------------------------------------ bad files

def test_bad_intensity_file_fails_before_the_command(db, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("timestamp,g_per_kwh\n2026-01-05T12:00:00Z,100\n2026-01-05T12:05:00Z,-3\n")
    marker = tmp_path / "ran"
    r = run_aimeter("run", "--db", db, "--intensity-file", f, "--", "touch", marker)
    line = assert_one_error(r, EX_DATAERR)
    assert line == f"aimeter: {f}:3: negative value: -3"
    assert not marker.exists(), "the command must not run"
    assert not Path(db).exists(), "no store is created for a run that did not start"


def test_missing_intensity_file(db, tmp_path):
    marker = tmp_path / "ran"
    r = run_aimeter("run", "--db", db, "--intensity-file", tmp_path / "nope.csv", "--",
                    "touch", marker)
    line = assert_one_error(r, EX_NOINPUT)
    assert "nope.csv" in line and "No such file" in line
    assert not marker.exists()


def test_price_file(db, tmp_path):
    now = time.time()
    f = tmp_path / "tariff.csv"
    f.write_text(f"timestamp,price_per_kwh\n{int(now) - 60},0.10\n{int(now) + 3600},0.40\n")
    run_ok(db, "--price-file", f, "--currency", "GBP", "--intensity", "200")
    cost = report_json(db)["cost"]
    e = report_json(db)["energy"]
    # The run lies inside the first step: all at 0.10.
    assert cost["currency"] == "GBP" and cost["n_points"] == 2
    assert rel_close(cost["amount"], e["facility_kwh"] * 0.10)
    bad = tmp_path / "bad_tariff.csv"
    bad.write_text("1767614400,0.1,average\n")
    r = run_aimeter("run", "--db", db, "--price-file", bad, "--currency", "GBP", "--", "true")
    line = assert_one_error(r, EX_DATAERR)
    assert line.startswith(f"aimeter: {bad}:1: 3 columns")


# ------------------------------------------------------------------ whatif

def test_whatif_zones(db):
    run_ok(db, "-q", "--intensity", "100", "--pue", "1.2", cmd=("sleep", "0.5"))
    stored = report_json(db)
    r = run_aimeter("whatif", "--db", db, "--zones", "CA-SK,CA-MB,FR", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema"] == "aimeter.whatif/1"
    assert doc["run"] == stored["run"]["id"]
    assert doc["pue"] == 1.2 and doc["pue_is_runs"]
    sc = doc["scenarios"]
    assert [s["label"] for s in sc] == ["run", "CA-SK", "CA-MB", "FR"]
    assert sc[0]["baseline"] and sc[0]["intensity_g_per_kwh"] == 100
    # The replayed energy is the stored one up to the samples' quantisation.
    assert doc["energy_j"] == pytest.approx(stored["energy"]["total_j"], rel=1e-3)
    assert sc[0]["carbon_g"] == pytest.approx(stored["carbon"]["g"], rel=1e-3)
    for s in sc[1:]:
        i = s["intensity_g_per_kwh"]
        assert rel_close(s["carbon_g"], doc["energy_j"] / 3.6e6 * i * 1.2)
        assert rel_close(s["ratio"], i / 100)
        assert s["year"] >= 2019 and s["basis"] in ("lifecycle", "direct")
    ca_sk, ca_mb = sc[1], sc[2]
    assert ca_sk["carbon_g"] > 5 * ca_mb["carbon_g"], "Saskatchewan's grid is far dirtier"

    t = run_aimeter("whatif", "--db", db, "--zones", "CA-SK,FR", "--pue", "2")
    assert t.returncode == 0, t.stderr
    assert "PUE 2\n" in t.stdout
    assert re.search(r"^Zone\s+Intensity g/kWh\s+Signal\s+Basis\s+Year\s+Carbon g CO2e\s+vs run$",
                     t.stdout, re.M), t.stdout
    assert re.search(r"^run\s+100\s+average\s+unknown\s+-\s+[0-9.]+\s+1\.00$", t.stdout,
                     re.M), t.stdout
    assert re.search(r"^CA-SK\s+[0-9.]+\s+average\s+\w+\s+20\d\d\s+[0-9.]+\s+[0-9.]+$",
                     t.stdout, re.M), t.stdout


def test_whatif_errors(db, tmp_path):
    run_ok(db, "-q")
    assert_one_error(run_aimeter("whatif", "--db", db, "--zones", "XX-NOPE"), EX_USAGE)
    assert_one_error(run_aimeter("whatif", "--db", db), EX_USAGE)
    assert_one_error(run_aimeter("whatif", "nope", "--db", db, "--zones", "FR"), EX_NOINPUT)
    assert_one_error(run_aimeter("whatif", "--db", db, "--zones", "FR", "--pue", "0"), EX_USAGE)
    bad = tmp_path / "bad.csv"
    bad.write_text("1767614400,5\nfoo,6\n")
    line = assert_one_error(run_aimeter("whatif", "--db", db, "--intensity-file", bad),
                            EX_DATAERR)
    assert f"{bad}:2: " in line
    h = run_aimeter("whatif", "--help")
    assert h.returncode == 0 and "--zones" in h.stdout


# ------------------------------------------------------------------ an older store

def test_schema_1_store_is_migrated(tmp_path):
    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.executescript((FIXTURES / "store" / "schema1.sql").read_text())
    con.close()
    # Read-only commands do not migrate; a run does.
    r = run_aimeter("report", "--db", db)
    line = assert_one_error(r, EX_DATAERR)
    assert "older" in line
    run_ok(str(db), "-q")
    rep = report_json(db, "20260105-120000-aaaaaa")
    c = rep["carbon"]
    assert c["n_points"] == 1 and c["series"][0]["g_per_kwh"] == 56
    assert c["basis"] == "lifecycle" and c["signal"] == "average"
    assert rel_close(c["g"], 7485 / 3.6e6 * 56, rel=1e-12)
    assert rep["energy"]["pue"] == 1 and rep["energy"]["facility_j"] == 7485
    devs = {d["device"]: d for d in rep["energy"]["devices"]}
    assert rel_close(devs["cpu0"]["carbon_g"], 7000 / 3.6e6 * 56)
    assert devs["psys0"]["carbon_g"] is None
    assert rep["cost"] is None
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] >= 2  # migrated to the current one
    con.close()


# ------------------------------------------------------------------ documented queries

def test_documented_queries_run(db, tmp_path):
    """Every SQL block of docs/store.md runs on a real store; the carbon ones return the run."""
    now = time.time()
    f = tmp_path / "grid.csv"
    f.write_text(f"{int(now) - 60},120\n{int(now) + 3600},80\n")
    run_ok(db, "-q", "--intensity-file", f, "--pue", "1.1", "--price", "0.2EUR")
    doc = (Path(__file__).resolve().parents[2] / "docs" / "store.md").read_text()
    queries = re.findall(r"```sql\n(.*?)```", doc, re.S)
    assert len(queries) >= 7
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    results = [con.execute(q).fetchall() for q in queries]
    con.close()
    carbon = next(r for q, r in zip(queries, results) if "intensity_signal" in q)
    assert carbon and carbon[0][3] == 1.1 and carbon[0][-1] == "EUR"
    series = next(r for q, r in zip(queries, results) if "FROM run_intensity" in q)
    assert [v for _, v in series] == [120, 80]
    assert series[0][0].endswith("Z")
    shares = next(r for q, r in zip(queries, results) if "percent" in q)
    assert shares and sum(row[-1] for row in shares) == pytest.approx(100, abs=0.2)
