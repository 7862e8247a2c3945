"""`aimeter whatif --zones` with other years and signals: CODE[@YEAR][@marginal|@average]
(docs/cli.md, "aimeter whatif"; the yearly history in data/zones_history*.csv)."""
import json
import re

from conftest import EX_USAGE, assert_one_error, rel_close, report_json, run_aimeter


def run_ok(db):
    r = run_aimeter("run", "--db", db, "-q", "-i", "50ms", "--intensity", "100", "--pue", "1.2",
                    "--", "sleep", "0.3")
    assert r.returncode == 0, f"exit {r.returncode}\n{r.stderr}"


def test_whatif_years_and_marginal(db):
    run_ok(db)
    r = run_aimeter("whatif", "--db", db, "--json", "--zones",
                    "FR@2010,fr@2015,PL@marginal,CA-SK@marginal,gcp:europe-west1@2015,FR")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema"] == "aimeter.whatif/1"
    sc = doc["scenarios"]
    assert [s["label"] for s in sc] == ["run", "FR@2010", "FR@2015", "PL@marginal",
                                        "CA-SK@marginal (CA)", "BE@2015", "FR"]
    # The table rows (data/zones_history.csv, data/zones_marginal.csv, data/zones.csv).
    want = [(78.56, 2010, "average", "lifecycle"), (59.15, 2015, "average", "lifecycle"),
            (828, 2021, "marginal", "direct"), (372, 2021, "marginal", "direct"),
            (215.55, 2015, "average", "lifecycle"), (44.18, 2024, "average", "lifecycle")]
    for s, (g, year, signal, basis) in zip(sc[1:], want):
        assert s["intensity_g_per_kwh"] == g, s
        assert (s["year"], s["signal"], s["basis"]) == (year, signal, basis), s
        assert rel_close(s["carbon_g"], doc["energy_j"] / 3.6e6 * g * 1.2)
        assert rel_close(s["ratio"], g / 100)
    assert (sc[1]["zone"], sc[1]["zone_used"], sc[1]["requested"]) == ("FR", "FR", "FR@2010")
    assert sc[2]["requested"] == "fr@2015"
    assert (sc[4]["zone"], sc[4]["zone_used"]) == ("CA-SK", "CA")
    assert sc[5]["zone"] == "BE" and sc[5]["requested"] == "gcp:europe-west1@2015"
    assert sc[0]["requested"] is None

    t = run_aimeter("whatif", "--db", db, "--zones", "FR@2010,CA-SK@marginal")
    assert t.returncode == 0, t.stderr
    assert re.search(r"^FR@2010\s+78\.56\s+average\s+lifecycle\s+2010\s+[0-9.]+\s+0\.786$",
                     t.stdout, re.M), t.stdout
    assert re.search(r"^CA-SK@marginal \(CA\)\s+372\s+marginal\s+direct\s+2021\s+[0-9.]+\s+3\.72$",
                     t.stdout, re.M), t.stdout
    assert ("  CA-SK@marginal (CA): Canada; national figure of CA: CA-SK has no marginal factor "
            "of its own; UNFCCC/IFI") in t.stdout


def test_whatif_years_bad_input(db):
    run_ok(db)
    line = assert_one_error(run_aimeter("whatif", "--db", db, "--zones", "FR,FR@2031"), EX_USAGE)
    assert line == ("aimeter: no 2031 figure for FR (yearly history: 2000–2024, Our World in "
                    "Data; 2021–2025, Electricity Maps yearly carbon intensity)")
    line = assert_one_error(run_aimeter("whatif", "--db", db, "--zones", "FR@20x5"), EX_USAGE)
    assert line == ("aimeter: bad zone 'FR@20x5': '@20x5' is not a year (@2015), @marginal or "
                    "@average")
    line = assert_one_error(run_aimeter("whatif", "--db", db, "--zones", "FR@marginal@2015"),
                            EX_USAGE)
    assert line.startswith("aimeter: no 2015 marginal figure for FR (the marginal table has 2021")
    assert_one_error(run_aimeter("whatif", "--db", db, "--zones", "XX-NOPE@2015"), EX_USAGE)
    h = run_aimeter("whatif", "--help")
    assert h.returncode == 0 and "CODE[@YEAR][@marginal|@average]" in h.stdout


# ------------------------------------------------------------------ one zone syntax everywhere

def test_run_marginal_offline_from_the_built_in_table(db):
    """`run --zone CA-SK --marginal` used to need a provider, and `--zone CA-SK@marginal` (which
    whatif takes) was an unknown zone. Both price the run with the marginal table, offline,
    and say that Saskatchewan's figure is Canada's."""
    for zone in (["--zone", "CA-SK", "--marginal"], ["--zone", "ca_sk@marginal"]):
        r = run_aimeter("run", "--db", db, "-q", *zone, "--", "true",
                        env={"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"})
        assert r.returncode == 0, r.stderr
        c = report_json(db)["carbon"]
        assert c["intensity_g_per_kwh"] == 372 and c["signal"] == "marginal", c
        assert c["zone"] == "CA"
        assert "national figure of CA: CA-SK has no marginal factor of its own" in c["source"], c
    # a country's own marginal row: no such note
    r = run_aimeter("run", "--db", db, "-q", "--zone", "PL@marginal", "--", "true")
    assert r.returncode == 0, r.stderr
    c = report_json(db)["carbon"]
    assert c["intensity_g_per_kwh"] == 828 and "national figure" not in c["source"]
    # a year, as in whatif
    r = run_aimeter("run", "--db", db, "-q", "--zone", "FR@2010", "--", "true")
    assert r.returncode == 0, r.stderr
    assert report_json(db)["carbon"]["intensity_g_per_kwh"] == 78.56


def test_estimate_takes_the_same_zone_syntax(db):
    for zone in (["--zone", "CA-SK", "--marginal"], ["--zone", "CA-SK@marginal"]):
        r = run_aimeter("estimate", "--gpu", "A100", "--hours", "1", "--json", *zone)
        assert r.returncode == 0, r.stderr
        z = json.loads(r.stdout)["zone"]
        assert (z["code"], z["signal"]) == ("CA", "marginal")
        assert z["note"] == "national figure of CA: CA-SK has no marginal factor of its own"
    r = run_aimeter("estimate", "--gpu", "A100", "--hours", "1", "--json", "--zone", "FR@2010")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["zone"]["year"] == 2010
    t = run_aimeter("estimate", "--gpu", "A100", "--hours", "1", "--zone", "CA-SK@marginal")
    assert "national figure of CA" in t.stdout
    for bad in (["--zone", "CA-SK@2031"], ["--marginal"], ["--zone", "FR@average", "--marginal"]):
        assert_one_error(run_aimeter("estimate", "--gpu", "A100", "--hours", "1", *bad), EX_USAGE)
