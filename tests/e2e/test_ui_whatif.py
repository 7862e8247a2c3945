"""The What-if and Extrapolation tabs of `aimeter serve`'s UI (web/src/ui/whatif/) in headless
Chromium, against the real binary on the golden store (tests/fixtures/store/golden.sql):
tests/browser/check_ui_whatif.mjs clicks and types as a user would and reports what the page
shows; here every figure is compared with the CLI's --json output, running the very command
the page's "Copy as CLI command" shows (plus --json --db):
  - a click on a country (FR) and on a US state (US-CA) re-prices the run: the figure shown
    equals `aimeter whatif RUN --zones CODE --json`'s, and the equation's result agrees;
  - a PUE typed into the equation updates the result to `whatif --zones FR --pue 1.3`'s and
    goes into the permalink;
  - the rank table is sorted and equals `whatif --rank --pue 1.3 --json`;
  - alternative hardware from the table (A100) and typed figures equal `whatif --hardware`;
  - a device term (the GPU count) typed into the energy equation moves the result as the
    equation says; Reset brings the run's figures (and PUE) back;
  - a year (2010): the map painted and FR priced with that year's row (FR@2010);
  - a sub-national zone without a shape (CA-QC) from the zone list, then the marginal switch
    (CA-QC@marginal, priced with Canada's factor; US-CA painted with the US's);
  - the extrapolation's R², n and 95 % band equal `aimeter forecast RUN --epochs 10 --json`;
    with too few epochs fitted (--skip 1) the server's reason is shown and no band drawn;
  - a zone without a figure for the year, and a run without epochs: the page says why,
    with no failed request;
  - no request leaves the server, no console or page error; screenshots ui-whatif-*.png in
    $AIMETER_ARTIFACTS, else build/test-artifacts/.
Data attributes and test hooks read: path[data-zone] (maps), window.aimeterUI.whatif
{carbon_g (the equation), server_carbon_g (the API's), zone, zone_used, requested, pue,
synced, rank, hardware, cli, ...}, window.aimeterUI.forecast {r2, n, band, ...},
tr[data-zone][data-carbon] (rank), tr[data-hw][data-carbon] (hardware),
input[data-testid=eq-pue], select[data-testid=whatif-signal|whatif-zone-select],
code[data-testid=cli-command].

Skipped when Chromium or web/node_modules is missing, except in CI ($CI set)."""
import json
import math
import shlex
import subprocess

import pytest

from conftest import REPO, run_aimeter
from serveproc import serving
from test_golden import load_store
from test_html_browser import NODE, artifacts, browser_present  # noqa: F401 (autouse fixture)

CHECK = REPO / "tests" / "browser" / "check_ui_whatif.mjs"
TRAIN = "20261207-083158-a90897"
INFER = "20261207-083159-769624"   # no epochs: phases prefill and decode
SHOTS = ("ui-whatif-initial.png", "ui-whatif-equations.png", "ui-whatif-marginal.png",
         "ui-whatif-forecast.png")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The golden store served; the checker's report of the page (one browser session)."""
    tmp = tmp_path_factory.mktemp("ui-whatif")
    store = tmp / "golden.db"
    load_store(store)
    with serving(store, tmp) as base:
        shots = artifacts()
        for s in SHOTS:
            (shots / s).unlink(missing_ok=True)
        r = subprocess.run([NODE, str(CHECK), base, TRAIN, str(shots), "--zone", "FR",
                            "--state", "US-CA", "--pue", "1.3", "--hw", "A100", "--sub", "CA-QC",
                            "--year", "2010", "--epochs", "10", "--run2", INFER],
                           capture_output=True, text=True, timeout=240)
        assert r.stdout.strip(), r.stderr
        res = json.loads(r.stdout.strip().splitlines()[-1])
        res["rc"] = r.returncode
        res["store"] = store
        yield res


def cli(command, store):
    """Runs a command the page shows ("aimeter whatif ID --zones FR") with --json --db."""
    words = shlex.split(command)
    assert words[0] == "aimeter", command
    r = run_aimeter(*words[1:], "--json", "--db", store)
    assert r.returncode == 0, (command, r.stderr)
    return json.loads(r.stdout)


def close(a, b, rel=1e-9):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


def test_page_clean(page):
    assert page["failures"] == [], page["failures"]
    assert page["blocked"] == [], "the page asked for something outside the server"
    assert page["console_errors"] == [] and page["page_errors"] == []
    assert page["rc"] == 0
    for s in SHOTS:
        assert (artifacts() / s).stat().st_size > 0, s


def test_pue_out_of_range_and_no_default_hardware(page):
    """A PUE outside 1.0-5.0 is never asked (typed: marked; linked: ignored with a note), and
    the hardware box offers no command until a device is chosen."""
    got = page["steps"]["pue_range"]
    assert got["hw_cli"] == "" and got["hw_copy_disabled"] is True
    assert got["typed"] == {"bad": True, "invalid": "true"}
    assert got["hash_unchanged"]
    assert "'0.5' is ignored" in got["note"]
    assert got["pue"] == page["steps"]["initial"]["hook"]["pue"]
    assert "--pue" not in got["cli"]


def test_map_drawn_with_legend(page):
    first = page["steps"]["initial"]
    assert first["paths"] > 150 and first["states"] >= 50
    assert first["coloured"] > 150
    assert "g CO₂e/kWh" in first["legend"] and "no figure" in first["legend"]
    # before any click: the run's own zone, as `whatif --zones ZONE` prices it
    hook = first["hook"]
    want = cli(hook["cli"], page["store"])
    assert hook["server_carbon_g"] == want["scenarios"][1]["carbon_g"]


@pytest.mark.parametrize("step,zone", [("zone", "FR"), ("state", "US-CA")])
def test_click_on_the_map_reprices(page, step, zone):
    got = page["steps"][step]
    hook = got["hook"]
    assert got["cli"] == f"aimeter whatif {TRAIN} --zones {zone}"
    want = cli(got["cli"], page["store"])["scenarios"][1]
    assert want["zone"] == zone and hook["zone"] == zone
    assert hook["server_carbon_g"] == want["carbon_g"]
    assert close(hook["carbon_g"], want["carbon_g"])
    assert got["selected"] == [zone]
    assert f"zone={zone}" in got["hash"]


def test_pue_edited_in_the_equation(page):
    got = page["steps"]["pue"]
    hook = got["hook"]
    assert got["cli"] == f"aimeter whatif {TRAIN} --zones FR --pue 1.3"
    want = cli(got["cli"], page["store"])
    assert want["pue"] == 1.3 and hook["pue"] == 1.3
    assert hook["server_carbon_g"] == want["scenarios"][1]["carbon_g"]
    assert close(hook["carbon_g"], want["scenarios"][1]["carbon_g"])
    # the result moved with the PUE: 1.3 times the PUE-1.0 figure of the FR click
    assert close(hook["carbon_g"], 1.3 * page["steps"]["zone"]["hook"]["carbon_g"])
    assert "pue=1.3" in got["hash"] and "zone=FR" in got["hash"]


def test_rank_table_sorted_equals_cli(page):
    got = page["steps"]["rank"]
    assert got["cli"] == f"aimeter whatif {TRAIN} --rank --pue 1.3"
    want = cli(got["cli"], page["store"])["rows"]
    carbons = [r["carbon_g"] for r in got["rows"]]
    assert carbons == sorted(carbons)
    assert [(r["code"], r["carbon_g"]) for r in got["rows"]] == \
        [(r["code"], r["carbon_g"]) for r in want]
    assert got["selected"] == ["FR"]


def test_alternative_hardware_equals_cli(page):
    got = page["steps"]["hardware"]
    assert got["cli"] == f"aimeter whatif {TRAIN} --hardware A100 --zones FR --pue 1.3"
    want = cli(got["cli"], page["store"])
    assert got["json"] == want
    alt = want["alternatives"][0]
    assert got["row"]["carbon_g"] == alt["carbon_g"][-1]
    assert got["row"]["energy_j"] == alt["energy_j"]
    typed = page["steps"]["custom_hardware"]
    assert typed["cli"] == (f"aimeter whatif {TRAIN} --hardware A100,MyGPU "
                            "--gpu-spec MyGPU:tdp=350,tflops=200 --zones FR --pue 1.3")
    assert typed["json"] == cli(typed["cli"], page["store"])
    # kept in the permalink (spec=, --gpu-spec's form): the reloaded page asks the same
    assert "spec=MyGPU%3Atdp%3D350%2Ctflops%3D200" in typed["hash"], typed["hash"]
    assert typed["reloaded_cli"] == typed["cli"]


def test_year_selector(page):
    got = page["steps"]["year"]
    hook = got["hook"]
    assert hook["requested"] == "FR@2010" and hook["cli"] == f"aimeter whatif {TRAIN} --zones FR@2010 --pue 1.3"
    want = cli(hook["cli"], page["store"])["scenarios"][1]
    assert want["year"] == 2010 and hook["server_carbon_g"] == want["carbon_g"]
    assert close(hook["carbon_g"], want["carbon_g"])
    r = run_aimeter("zones", "FR", "--year", "2010", "--json")
    fr = [z for z in json.loads(r.stdout) if z["code"] == "FR"][0]
    assert float(got["g"]) == fr["g_per_kwh"]
    assert "year=2010" in got["hash"]
    assert got["rank_cli"] == f"aimeter whatif {TRAIN} --rank --year 2010 --pue 1.3"


def test_zone_list_and_marginal_switch(page):
    sub = page["steps"]["sub_national"]["hook"]
    assert sub["requested"] == "CA-QC"
    assert sub["server_carbon_g"] == cli(sub["cli"], page["store"])["scenarios"][1]["carbon_g"]
    marg = page["steps"]["marginal"]
    hook = marg["hook"]
    assert hook["requested"] == "CA-QC@marginal" and hook["zone_used"] == "CA"
    want = cli(hook["cli"], page["store"])["scenarios"][1]
    assert hook["server_carbon_g"] == want["carbon_g"]
    # the hardware comparison shown followed the zone and the signal
    assert hook["hardware"] == cli(hook["hardware_cli"], page["store"])
    assert "--zones CA-QC@marginal" in hook["hardware_cli"]
    # a state without a marginal factor of its own is painted with its country's
    r = run_aimeter("zones", "US", "--marginal", "--json")
    us = [z for z in json.loads(r.stdout) if z["code"] == "US"][0]
    assert float(marg["state_fill"]["g"]) == us["g_per_kwh"]


def test_extrapolation_band_and_fit(page):
    got = page["steps"]["forecast"]
    hook = got["hook"]
    assert got["cli"] == f"aimeter forecast {TRAIN} --epochs 10"
    want = cli(got["cli"], page["store"])
    assert hook["r2"] == want["fit"]["energy_j"]["r2"] and hook["n"] == want["fit"]["energy_j"]["n"]
    assert f"R² {want['fit']['energy_j']['r2']:.3f}" in got["r2_text"]
    tot = want["instances_total"]["energy_j"]
    band = hook["band"]
    assert band["x"][-1] == 10
    assert close(band["cum"][-1], tot["value"]) and close(band["cum_low"][-1], tot["low"])
    assert close(band["cum_high"][-1], tot["high"])
    # both charts draw their band (the filled area between the 95 % lines)
    assert len(got["canvases"]) == 2 and all(c["band"] > 500 for c in got["canvases"])


def test_device_term_edited_then_reset(page):
    got = page["steps"]["device_term"]
    before, edited, reset = got["before"], got["edited"], got["reset"]
    rep = run_aimeter("report", TRAIN, "--format", "json", "--db", page["store"])
    gpu_j = sum(d["energy_j"] for d in json.loads(rep.stdout)["energy"]["devices"]
                if d["kind"] == "gpu" and d["in_total"])
    # four GPUs where the run had two: the replayed energy plus the GPUs' once more
    assert close(edited["energy_j"], before["energy_j"] + gpu_j)
    assert close(edited["carbon_g"], edited["energy_j"] / 3.6e6 * before["pue"] * before["intensity_g_per_kwh"])
    assert "kJ" in got["devices"] or "J" in got["devices"]
    # the edit is in the permalink (the GPUs are the third group: cpu, dram, gpu), and a
    # reload gives the same equation and result
    assert "eq=g2.count%3A4" in got["editedHash"] or "eq=g2.count:4" in got["editedHash"]
    assert got["reloaded"]["count"] == "4"
    assert close(got["reloaded"]["hook"]["carbon_g"], edited["carbon_g"])
    # Reset: the run's own PUE again, the figure the CLI prints without --pue, no edits kept
    assert "pue=" not in got["hash"] and "eq=" not in got["hash"]
    want = cli(reset["cli"], page["store"])
    assert want["pue_is_runs"] and reset["server_carbon_g"] == want["scenarios"][1]["carbon_g"]
    assert close(reset["carbon_g"], want["scenarios"][1]["carbon_g"])


def test_no_forecast_says_why(page):
    got = page["steps"]["too_few"]
    assert got["cli"] == f"aimeter forecast {TRAIN} --epochs 10 --skip 1"
    want = cli(got["cli"], page["store"])["forecast"]["energy_j"]
    assert not want["ok"] and want["verdict"] == "too_few"
    assert got["hook"]["verdict"] == "too_few" and got["hook"]["band"] is None
    assert want["reason"] in got["verdict"]
    assert got["nochart"] == 1


def test_nothing_to_price_or_fit_is_said_without_an_error(page):
    # US-CA has no 2010 row: the page says so and asks nothing (the CLI refuses it too)
    assert "No average figure for US-CA in 2010" in page["steps"]["no_figure"]["error"]
    assert run_aimeter("whatif", TRAIN, "--zones", "US-CA@2010", "--db", page["store"]).returncode != 0
    # a run without epochs: the forecast tab says why (the CLI refuses it too), no band
    got = page["steps"]["no_epochs"]
    assert got["hook"]["ok"] is False and "0 completed instances of 'epoch'" in got["error"]
    assert "'prefill'" in got["error"]
    assert run_aimeter("forecast", INFER, "--epochs", "4", "--db", page["store"]).returncode != 0
