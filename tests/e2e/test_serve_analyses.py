"""aimeter serve's analyses (issue 15, second increment) through the real binary on the golden
store (tests/fixtures/store/golden.sql): /api/runs/{id}/view, /whatif (zones, rank, hardware),
/forecast, /api/compare and /api/zones?year answer exactly what the CLI's --json prints for
the same query (the view: the data `report --format html` embeds); every bad parameter is a
400 whose message names it, an unknown run a 404. The new CLI options too: `whatif --rank`
(each zone's carbon equal to `whatif --zones CODE`'s) and `zones --year`."""
import json
import re
import signal
import sqlite3
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import assert_one_error, kill_tree, popen_aimeter, run_aimeter
from promserver import fetch, free_port

ROOT = Path(__file__).resolve().parents[2]
STORE_SQL = ROOT / "tests" / "fixtures" / "store" / "golden.sql"
TRAIN = "20261207-083158-a90897"
INFER = "20261207-083159-769624"
EPOCHS = "20261207-083154-91009a"  # four completed "epoch N" phases
EXIT_USAGE = 64


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("serve-analyses") / "golden.db"
    con = sqlite3.connect(path)
    con.executescript(STORE_SQL.read_text())
    con.close()
    return path


@pytest.fixture(scope="module")
def server(store, tmp_path_factory):
    """aimeter serve on a free port: its base URL."""
    port = free_port()
    proc, out, err = popen_aimeter("serve", "--db", store, "--listen", f"127.0.0.1:{port}",
                                   out_dir=tmp_path_factory.mktemp("serve-out"))
    deadline = time.monotonic() + 20
    while "http" not in out.read_text():
        assert proc.poll() is None, err.read_text()
        assert time.monotonic() < deadline, "aimeter serve printed no URL"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    kill_tree(proc)


def api(base, path, params=None, status=200):
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    code, ctype, body = fetch(url)
    assert code == status, body
    assert ctype.startswith("application/json")
    return json.loads(body)


def cli(store, *args):
    r = run_aimeter(*args, "--db", store)
    assert r.returncode == 0, r.stderr
    return r.stdout


def cli_json(store, *args):
    return json.loads(cli(store, *args))


def embedded_data(html):
    """The JSON the HTML report embeds (aimeter.html/1)."""
    m = re.search(r'<script type="application/json" id="aimeter-data">(.*?)</script>', html, re.S)
    assert m, "no aimeter-data element"
    return json.loads(m.group(1))


# ---------------------------------------------------------------- API = CLI


@pytest.mark.parametrize("params,args", [
    ({}, []),
    ({"zones": "NO,PL@marginal,CA-SK", "buckets": "50"}, ["--zones", "NO,PL@marginal,CA-SK",
                                                         "--buckets", "50"]),
])
def test_view_equals_report_html(server, store, params, args):
    got = api(server, f"/api/runs/{TRAIN}/view", params)
    assert got["schema"] == "aimeter.html/1"
    assert got == embedded_data(cli(store, "report", TRAIN, "--format", "html", *args))


@pytest.mark.parametrize("params,args", [
    ({"zones": "FR,PL@marginal,DE@2020,CA-SK"}, ["--zones", "FR,PL@marginal,DE@2020,CA-SK"]),
    ({"zones": "FR", "pue": "1.4"}, ["--zones", "FR", "--pue", "1.4"]),
    ({"zones": "SE", "pue": "gcp"}, ["--zones", "SE", "--pue", "gcp"]),
    ({"rank": "1"}, ["--rank"]),
    ({"rank": "1", "signal": "marginal", "limit": "5"}, ["--rank", "--marginal", "--limit", "5"]),
    ({"rank": "1", "year": "2015", "pue": "1.2"}, ["--rank", "--year", "2015", "--pue", "1.2"]),
    ({"hardware": "A100,H100"}, ["--hardware", "A100,H100"]),
    ({"hardware": "H100,MYCARD", "specs": "MYCARD:tdp=300,tflops=400", "zones": "FR,PL"},
     ["--hardware", "H100,MYCARD", "--gpu-spec", "MYCARD:tdp=300,tflops=400", "--zones", "FR,PL"]),
])
def test_whatif_equals_cli(server, store, params, args):
    assert api(server, f"/api/runs/{TRAIN}/whatif", params) == cli_json(
        store, "whatif", TRAIN, *args, "--json")


@pytest.mark.parametrize("params,args", [
    ({"epochs": "8"}, ["--epochs", "8"]),
    ({"epochs": "10", "phase": "epoch", "skip": "1"}, ["--epochs", "10", "--phase", "epoch",
                                                       "--skip", "1"]),
])
def test_forecast_equals_cli(server, store, params, args):
    assert api(server, f"/api/runs/{EPOCHS}/forecast", params) == cli_json(
        store, "forecast", EPOCHS, *args, "--json")


@pytest.mark.parametrize("params,args", [
    ({"runs": f"{TRAIN},{INFER}"}, [TRAIN, INFER]),
    ({"runs": f"{TRAIN},{INFER}", "baseline": INFER}, [TRAIN, INFER, "--baseline", INFER]),
    ({"runs": "20261207-083158,20261207-083159"}, ["20261207-083158", "20261207-083159"]),
    ({"by": "batch"}, ["--by", "batch"]),
])
def test_compare_equals_cli(server, store, params, args):
    assert api(server, "/api/compare", params) == cli_json(store, "compare", *args, "--json")


@pytest.mark.parametrize("params,args", [
    ({"year": "2020"}, ["--year", "2020"]),
    ({"year": "2023", "q": "ca"}, ["ca", "--year", "2023"]),
    ({"year": "2021", "marginal": "1"}, ["--year", "2021", "--marginal"]),
])
def test_zones_year_equals_cli(server, store, params, args):
    got = api(server, "/api/zones", params)
    r = run_aimeter("zones", *args, "--json")  # the tables: no store
    assert r.returncode == 0, r.stderr
    assert got == json.loads(r.stdout) and got
    assert all(row["year"] == int(params["year"]) for row in got)


# ---------------------------------------------------------------- bad input, unknown runs


@pytest.mark.parametrize("path,params,names", [
    (f"/api/runs/{TRAIN}/view", {"buckets": "5"}, "buckets"),
    (f"/api/runs/{TRAIN}/view", {"zones": "../../etc/passwd"}, "zones"),
    (f"/api/runs/{TRAIN}/whatif", {}, "zones"),
    (f"/api/runs/{TRAIN}/whatif", {"zones": "FR,NOWHERE"}, "zones"),
    (f"/api/runs/{TRAIN}/whatif", {"zones": "FR", "pue": "7"}, "pue"),
    (f"/api/runs/{TRAIN}/whatif", {"zones": "FR", "intensity_file": "/etc/passwd",
                                   "specs": "X:tdp=1,tflops=1"}, "specs"),
    (f"/api/runs/{TRAIN}/whatif", {"hardware": "NOSUCHGPU9000"}, "hardware"),
    (f"/api/runs/{TRAIN}/whatif", {"rank": "maybe"}, "rank"),
    (f"/api/runs/{TRAIN}/whatif", {"rank": "1", "signal": "median"}, "signal"),
    (f"/api/runs/{TRAIN}/whatif", {"rank": "1", "year": "20x0"}, "year"),
    (f"/api/runs/{TRAIN}/whatif", {"rank": "1", "limit": "-1"}, "limit"),
    (f"/api/runs/{TRAIN}/whatif", {"rank": "1", "zones": "FR"}, "rank"),
    (f"/api/runs/{TRAIN}/whatif", {"zones": "FR", "signal": "marginal"}, "signal"),
    (f"/api/runs/{TRAIN}/whatif", {"rank": "0", "zones": "FR", "limit": "3"}, "limit"),
    (f"/api/runs/{EPOCHS}/forecast", {}, "epochs"),
    (f"/api/runs/{EPOCHS}/forecast", {"epochs": "2"}, "epochs"),
    (f"/api/runs/{EPOCHS}/forecast", {"epochs": "8", "skip": "one"}, "skip"),
    (f"/api/runs/{EPOCHS}/forecast", {"epochs": "8", "phase": "nosuchphase"}, "nosuchphase"),
    ("/api/compare", {}, "runs"),
    ("/api/compare", {"runs": TRAIN}, "runs"),
    ("/api/compare", {"runs": f"{TRAIN},../{INFER}"}, "runs"),
    ("/api/compare", {"runs": f"{TRAIN},{INFER}", "baseline": "a/b"}, "baseline"),
    ("/api/compare", {"runs": f"{TRAIN},{INFER}", "by": "-x"}, "by"),
    ("/api/zones", {"year": "1800"}, "year"),
    ("/api/zones", {"year": "2020", "cloud": "1"}, "year"),
])
def test_bad_parameter_is_400_naming_it(server, path, params, names):
    err = api(server, path, params, status=400)["error"]
    assert names in err


@pytest.mark.parametrize("path,params", [
    ("/api/runs/nosuchrun/view", {}),
    ("/api/runs/nosuchrun/whatif", {"zones": "FR"}),
    ("/api/runs/nosuchrun/whatif", {"rank": "1"}),
    ("/api/runs/nosuchrun/whatif", {"hardware": "H100"}),
    ("/api/runs/nosuchrun/forecast", {"epochs": "8"}),
    ("/api/compare", {"runs": f"{TRAIN},nosuchrun"}),
])
def test_unknown_run_is_404(server, path, params):
    assert "nosuchrun" in api(server, path, params, status=404)["error"]


# ---------------------------------------------------------------- the new CLI options


def whatif_zone_carbon(store, item, *extra):
    return cli_json(store, "whatif", TRAIN, "--zones", item, *extra, "--json")["scenarios"][1]["carbon_g"]


@pytest.mark.parametrize("rank_args,codes,suffix", [
    ([], ["FR", "CA-SK", "US-CAL-CISO", "IN", "WORLD"], ""),       # CA-SK, CISO: sub-national
    (["--marginal"], ["PL", "CA", "FR"], "@marginal"),
    (["--year", "2022"], ["DE", "CA-SK", "FR"], "@2022"),
    (["--pue", "1.3"], ["FR", "CA-SK"], ""),
])
def test_rank_equals_whatif_zones(store, rank_args, codes, suffix):
    rank = cli_json(store, "whatif", TRAIN, "--rank", *rank_args, "--json")
    assert rank["schema"] == "aimeter.whatif-rank/1" and rank["run"] == TRAIN
    rows = {r["code"]: r for r in rank["rows"]}
    assert [r["rank"] for r in rank["rows"]] == list(range(1, len(rows) + 1))
    carbons = [r["carbon_g"] for r in rank["rows"]]
    assert carbons == sorted(carbons)
    pue = rank_args[1:] if rank_args[:1] == ["--pue"] else []
    for code in codes:
        assert rows[code]["carbon_g"] == whatif_zone_carbon(store, code + suffix, *(
            ["--pue"] + pue if pue else [])), code
        if suffix == "@marginal":
            assert rows[code]["signal"] == "marginal"


def test_rank_text_and_limit(store):
    out = cli(store, "whatif", TRAIN, "--rank", "--limit", "3")
    rows = [line for line in out.splitlines() if re.match(r"\s+\d+\s+\S", line)]
    assert len(rows) == 3 and "RANK" in out and "more (--limit)" in out
    first = cli_json(store, "whatif", TRAIN, "--rank", "--json")["rows"][0]
    assert rows[0].split()[1] == first["code"]


@pytest.mark.parametrize("args", [
    ["--marginal"], ["--year", "2020"], ["--limit", "3"],          # without --rank
    ["--rank", "--zones", "FR"], ["--rank", "--hardware", "H100"],
    ["--rank", "--year", "1492"], ["--rank", "--limit", "0"], ["--rank", "--limit", "2.5"],
])
def test_rank_usage_errors(store, args):
    assert_one_error(run_aimeter("whatif", TRAIN, *args, "--db", store), EXIT_USAGE)


def test_zones_year_text(store):
    out = run_aimeter("zones", "--year", "2020")
    assert out.returncode == 0, out.stderr
    de = [line for line in out.stdout.splitlines() if line.startswith("DE ")]
    assert len(de) == 1 and " 2020 " in de[0]
    rows = json.loads(run_aimeter("zones", "--year", "2020", "--json").stdout)
    years = json.loads(run_aimeter("zones", "DE", "--years", "--json").stdout)
    assert [r["g_per_kwh"] for r in rows if r["code"] == "DE"] == [
        y["g_per_kwh"] for y in years if y["year"] == 2020]
    assert_one_error(run_aimeter("zones", "--year", "nineteen"), EXIT_USAGE)
    assert_one_error(run_aimeter("zones", "--year", "2020", "--cloud"), EXIT_USAGE)


# ---------------------------------------------------------------- documented


ROUTES = {  # path: the query parameters the route reads
    "/api/runs/{id}/view": {"zones", "buckets"},
    "/api/runs/{id}/whatif": {"zones", "pue", "rank", "signal", "year", "limit", "hardware",
                              "specs"},
    "/api/runs/{id}/forecast": {"epochs", "phase", "skip"},
    "/api/compare": {"runs", "baseline", "by"},
}


def test_routes_documented():
    yaml = pytest.importorskip("yaml")
    spec = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
    headings = set(re.findall(r"^## `GET (/api/[^`]*)`", (ROOT / "docs" / "http-api.md")
                              .read_text(), re.M))
    for path, params in ROUTES.items():
        assert path in headings, path
        got = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
        assert got == params, path
    assert "year" in {p["name"] for p in spec["paths"]["/api/zones"]["get"]["parameters"]}
