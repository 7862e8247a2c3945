"""`aimeter zones` and `aimeter run --cloud`: the built-in intensity tables from the command line.

Expected values are copied from the reference rows named next to them; the precedence check
recomputes, in Python, which row of data/zones*.csv each code should give."""
import csv
import json
import os

import pytest

from conftest import EX_USAGE, REPO, assert_one_error, report_json, run_aimeter

# data/meson.build's order: the lookup precedence (data/README.md).
ZONE_FILES = ["zones.csv", "zones_odbl.csv", "zones_egrid.csv", "zones_china.csv",
              "zones_ga.csv", "zones_marginal.csv"]
NO_MATCH = 1


def zones(*args):
    return run_aimeter("zones", *args)


def zones_json(*args):
    r = zones("--json", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def expected_rows(signal):
    """For each code, the row a lookup must return: first file in precedence order, and in a
    file the lifecycle row before the direct one."""
    chosen = {}
    for name in ZONE_FILES:
        with open(REPO / "data" / name, encoding="utf-8", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["signal"] == signal]
        rows.sort(key=lambda r: r["basis"] != "lifecycle")
        for r in rows:
            chosen.setdefault(r["code"], r)
    return chosen


def test_help():
    r = zones("--help")
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.startswith("Usage: aimeter zones")
    for opt in ("--marginal", "--cloud", "--all", "--json"):
        assert opt in r.stdout
    assert "zones" in run_aimeter("--help").stdout


@pytest.mark.parametrize("signal, flags", [("average", ()), ("marginal", ("--marginal",))])
def test_every_code_gives_its_precedence_row(signal, flags):
    rows = zones_json(*flags)
    expected = expected_rows(signal)
    assert [z["code"] for z in rows] == sorted(expected)
    for z in rows:
        e = expected[z["code"]]
        assert z["g_per_kwh"] == float(e["g_per_kwh"]), z
        assert (z["basis"], z["year"], z["source"], z["licence"], z["signal"]) == \
               (e["basis"], int(e["year"]), e["source"], e["licence"], signal)


def test_query_and_text_table():
    r = zones("ca-sk")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:6] == ["CODE", "NAME", "G/KWH", "BASIS", "YEAR", "LICENCE"]
    # electricitymaps_yearly_2025.json: "CA-SK" carbonIntensity 485
    assert len(lines) == 2
    assert lines[1].startswith("CA-SK ")
    assert " 485.00  lifecycle  2025  ODbL 1.0 (Electricity Maps) " in lines[1]
    # names match too, case-insensitively
    codes = [z["code"] for z in zones_json("SASKATCHEWAN")]
    assert codes == ["CA-SK"]
    # owid_carbon_intensity_electricity_2000_2024.csv: "France,FRA,2024,44.18..."
    fr = [z for z in zones_json("fr") if z["code"] == "FR"]
    assert fr[0]["g_per_kwh"] == 44.18 and fr[0]["year"] == 2024


def test_all_shows_the_alternatives():
    rows = zones_json("--all", "CA-SK")
    # 2025 lifecycle 485 (used); 2024 direct 404.58 (electricitymaps_2024_zones_direct_
    # lifecycle.csv line 262); Green Algorithms 710 (2019)
    assert [(z["g_per_kwh"], z["basis"], z["year"], z["used"]) for z in rows] == [
        (485, "lifecycle", 2025, True), (404.58, "direct", 2024, False),
        (710, "direct", 2019, False)]
    text = zones("--all", "CA-SK").stdout
    assert "* CA-SK" in text and "the row --zone CODE uses" in text


def test_marginal():
    # IFI_Default_Grid_Factors_2021_v3.1_unfccc.csv: "France",...,158 (operating margin)
    fr = [z for z in zones_json("--marginal", "France") if z["code"] == "FR"]
    assert fr[0]["g_per_kwh"] == 158 and fr[0]["signal"] == "marginal"
    assert fr[0]["year"] == 2021 and fr[0]["basis"] == "direct"


def test_cloud_regions():
    rows = zones_json("--cloud", "aws:us-east-1")
    assert len(rows) == 1
    r = rows[0]
    # cloud_regions_electricitymaps_intensity_2021_2025.csv: "aws,us-east-1,N. Virginia,
    # US-MIDA-PJM,-77.4291,39.0067,..."; the zone row is electricitymaps_yearly_2025 PJM 418
    assert (r["cloud"], r["location"], r["region_zone"], r["code"]) == \
           ("aws:us-east-1", "N. Virginia", "US-MIDA-PJM", "US-MIDA-PJM")
    assert (r["lat"], r["lon"], r["g_per_kwh"]) == (39.0067, -77.4291, 418)
    assert r["region_licence"].startswith("ODbL")
    everything = zones_json("--cloud")
    providers = [z["provider"] for z in everything]
    assert (providers.count("aws"), providers.count("gcp"), providers.count("azure")) == \
           (33, 43, 55)
    # the query also matches the location and the zone
    assert {z["cloud"] for z in zones_json("--cloud", "stockholm")} >= {"aws:eu-north-1"}
    assert "aws:us-east-1" in {z["cloud"] for z in zones_json("--cloud", "us-mida-pjm")}
    # marginal: the region's country (IFI "United States",...,416)
    m = zones_json("--cloud", "--marginal", "aws:us-east-1")[0]
    assert (m["code"], m["g_per_kwh"], m["signal"]) == ("US", 416, "marginal")
    text = zones("--cloud", "us-east-1").stdout
    assert text.splitlines()[0].split()[:3] == ["REGION", "LOCATION", "ZONE"]
    assert "Region to zone:" in text


def test_no_match_exits_1():
    r = zones("no-such-zone")
    line = assert_one_error(r, NO_MATCH)
    assert "no-such-zone" in line
    assert r.stdout == ""
    r = zones("--json", "--cloud", "no-such-region")
    assert r.returncode == NO_MATCH
    assert json.loads(r.stdout) == []


def test_usage_errors():
    assert_one_error(zones("a", "b"), EX_USAGE)
    assert "--frobnicate" in assert_one_error(zones("--frobnicate"), EX_USAGE)


def test_run_with_cloud(db):
    r = run_aimeter("run", "--db", db, "-q", "-i", "100ms", "--cloud", "aws:us-east-1", "--",
                    "true")
    assert r.returncode == 0, r.stderr
    c = report_json(db)["carbon"]
    assert c["zone"] == "US-MIDA-PJM"
    assert c["intensity_g_per_kwh"] == 418


def test_run_with_unknown_cloud_region(db):
    line = assert_one_error(run_aimeter("run", "--db", db, "--cloud", "aws:mars-1", "--", "true"),
                            EX_USAGE)
    assert "cloud region" in line and "aws:mars-1" in line


def test_zone_guessed_from_the_time_zone_when_none_is_given(db, monkeypatch):
    """No --zone: the system's time zone (a fixture tree's /etc/timezone, Europe/Paris)
    gives FR, and the report says it was guessed and from what."""
    from conftest import FIXTURES
    monkeypatch.setenv("AIMETER_SYSTEM_ROOT", str(FIXTURES / "tz"))
    r = run_aimeter("run", "-q", "--sources", "procfs,estimate", "--db", db, "--", "true")
    assert r.returncode == 0, r.stderr
    carbon = report_json(db)["carbon"]
    assert carbon["zone"] == "FR", carbon
    assert "guessed from the time zone Europe/Paris" in carbon["source"], carbon
    # --zone wins over the guess
    r = run_aimeter("run", "-q", "--sources", "procfs,estimate", "--zone", "DE", "--db", db,
                    "--", "true")
    assert r.returncode == 0, r.stderr
    assert report_json(db)["carbon"]["zone"] == "DE"


def test_years_of_one_zone():
    # OWID carbon-intensity-electricity: France 2000 79.76566, 2010 78.561775 (2 decimals in
    # data/zones_history.csv); 2024 is also the zones.csv row --zone uses.
    r = run_aimeter("zones", "FR", "--years", "--json")
    assert r.returncode == 0, r.stderr
    rows = {z["year"]: z for z in json.loads(r.stdout)}
    assert rows[2000]["g_per_kwh"] == 79.77 and rows[2010]["g_per_kwh"] == 78.56
    assert rows[2000]["licence"] == "CC BY 4.0" and rows[2000]["signal"] == "average"
    assert min(rows) == 2000 and all(z["code"] == "FR" for z in rows.values())
    text = run_aimeter("zones", "fr", "--years")
    assert text.returncode == 0, text.stderr
    assert "2024        44.2  lifecycle  [1]  (the row --zone uses)" in text.stdout
    assert "[1] Our World in Data" in text.stdout
    # a cloud region gives its zone's years
    region = json.loads(run_aimeter("zones", "aws:eu-west-3", "--years", "--json").stdout)
    assert {z["year"]: z["g_per_kwh"] for z in region}[2010] == 78.56
    # nothing known: exit 1 with one line; misuse: 64
    assert_one_error(run_aimeter("zones", "XX", "--years"), 1)
    assert_one_error(run_aimeter("zones", "--years"), EX_USAGE)
    assert_one_error(run_aimeter("zones", "FR", "--years", "--marginal"), EX_USAGE)


@pytest.mark.parametrize("given, zone", [("USA", "US"), ("fra", "FR"), ("DEU@marginal", "DE"),
                                         ("GBR@2015", "GB")])
def test_iso3_country_codes_name_their_zone(db, given, zone):
    # CodeCarbon's country_iso_code is ISO 3166-1 alpha-3 (data/iso3166.csv).
    r = run_aimeter("run", "-qq", "--db", db, "--zone", given, "--", "true")
    assert r.returncode == 0, r.stderr
    assert report_json(db)["carbon"]["zone"] == zone


def test_the_iso3166_table_is_debians():
    path = "/usr/share/iso-codes/json/iso_3166-1.json"
    if not os.path.exists(path):
        pytest.skip("iso-codes is not installed")
    with open(path, encoding="utf-8") as f:
        published = {e["alpha_3"]: e["alpha_2"] for e in json.load(f)["3166-1"]}
    with open(REPO / "data" / "iso3166.csv", encoding="utf-8", newline="") as f:
        ours = {r["alpha3"]: r["alpha2"] for r in csv.DictReader(f)}
    assert ours.pop("XKX") == "XK" and ours == published
