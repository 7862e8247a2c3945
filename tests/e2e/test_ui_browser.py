"""`aimeter serve`'s UI (web/src/ui/, served at /) driven in headless Chromium by
tests/browser/check_ui.mjs (playwright-core) against a real `aimeter serve` on the golden
store (tests/fixtures/store/golden.sql), with a real `aimeter run` under the fake NVML
recording into the same store for the Live tab. One browser session (the module's fixture)
does what a user would; each test here checks one thing it saw against the CLI: the runs
list and its filters equal `aimeter ls --json`'s, a filter survives a reload (permalink), a
run opens with its charts drawn, a zoom asks /series for the window and the chart's data
change, the kWh / g CO2e toggle redraws (and is in the URL), two runs selected and compared
show exactly `aimeter compare A B --json`'s figures, the run's tabs switch (in the URL), the
Live tab of the running run moves, shows the phase that begins and closes on the end, the
import without --allow-import says how to allow it, and with it (a second server) a CSV is
imported and its epochs set against the run's profile; no console error, no failed request
and no request outside the server. Screenshots are kept in
$AIMETER_ARTIFACTS, else build/test-artifacts/ (ui-*.png).

Element ids and hooks the script reads (web/src/ui/): window.aimeterUI = {ready, view,
query, runs, seriesRequests, zoom, compare, live, liveRuns, imported, importError};
data-testid filter-q, run-row (data-run), run-link, compare-selected, compare-table (rows
data-key, cells data-col and data-value), cli-command, chart-ts-N, cumulative-g,
cumulative-kwh, zoom-reset, import-file, import-go, import-message, live-status.

Skipped when Chromium or web/node_modules is missing, except in CI ($CI set), where that is a
failure (as test_html_browser.py)."""
import json
import re
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import AIMETER, FAKE_NVML, TWO_GPU_SCENARIO, kill_tree, popen_aimeter, run_aimeter
from promserver import fetch
from serveproc import serving
from test_html_browser import NODE, artifacts, browser_present  # noqa: F401 (autouse fixture)

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "tests" / "browser" / "check_ui.mjs"
STORE_SQL = ROOT / "tests" / "fixtures" / "store" / "golden.sql"
TRAIN = "20261207-083158-a90897"
INFER = "20261207-083159-769624"


def wait_until(what, predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """The golden store served, a live run recording into it, and check_ui.mjs's result."""
    tmp = tmp_path_factory.mktemp("ui")
    store = tmp / "golden.db"
    con = sqlite3.connect(store)
    con.executescript(STORE_SQL.read_text())
    con.close()
    # this fixture outlives conftest's per-test isolation: its own runtime dir and default store
    runtime = tempfile.mkdtemp(prefix="aim-ui-")
    env = {"XDG_RUNTIME_DIR": runtime, "AIMETER_DB": str(tmp / "default.db"),
           "AIMETER_SYSTEM_ROOT": str(tmp / "no-system-root"), "LC_ALL": "C.UTF-8"}
    # a second server, on a store of its own, that takes imports
    import_store = tmp / "import.db"
    con = sqlite3.connect(import_store)
    con.executescript(STORE_SQL.read_text())
    con.close()
    go, stop = tmp / "GO", tmp / "STOP"
    # the workload waits for the files the browser script writes: a phase begins on GO, the
    # run ends on STOP; nothing depends on timing
    script = (f"while [ ! -f {go} ]; do sleep 0.05; done; {AIMETER} phase begin train; "
              f"while [ ! -f {stop} ]; do sleep 0.05; done")
    for d in ("serve", "serve-import", "run"):
        (tmp / d).mkdir()
    with serving(store, tmp / "serve", env=env) as base, \
            serving(import_store, tmp / "serve-import", "--allow-import", env=env) as import_base:
        runner, _, run_err = popen_aimeter(
            "run", "--db", store, "--name", "live-ui", "--", "sh", "-c", script,
            out_dir=tmp / "run", env={**env, "AIMETER_NVML_LIBRARY": FAKE_NVML,
                                      "AIMETER_FAKE_NVML_SCENARIO": TWO_GPU_SCENARIO})
        try:
            def live_id():
                assert runner.poll() is None, run_err.read_text()
                code, _, body = fetch(base + "/api/live")
                runs = json.loads(body)["runs"] if code == 200 else []
                return next((r["id"] for r in runs if r["name"] == "live-ui"), None)
            live = wait_until("the live run in /api/live", live_id)
            r = subprocess.run([NODE, str(CHECK), base, "--shots", str(artifacts()), "--run",
                                TRAIN,
                                "--compare", f"{TRAIN},{INFER}", "--filter", "train",
                                "--live", live, "--live-go", str(go), "--live-stop", str(stop),
                                "--import-base", import_base, "--json"],
                               capture_output=True, text=True, timeout=240)
            lines = r.stdout.strip().splitlines()
            assert lines, f"check_ui.mjs printed no result; stderr: {r.stderr}"
            result = json.loads(lines[-1])
            result["rc"] = r.returncode
            # the script lets the workload go; written here too in case it died first
            go.write_text("go\n")
            stop.write_text("stop\n")
            runner.wait(timeout=30)
            yield {"result": result, "store": store, "live": live, "import_store": import_store}
        finally:
            go.write_text("go\n")
            stop.write_text("stop\n")
            kill_tree(runner)


def checked(session, *names):
    res = session["result"]
    for name in names:
        assert res["checks"].get(name) == "ok", (name, res["failures"])
    return res


def cli_json(*args):
    r = run_aimeter(*args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_runs_list_equals_ls(session):
    res = checked(session, "list")
    ls = cli_json("ls", "--json", "--db", session["store"])
    assert res["list"] == [r["id"] for r in ls]


def test_filters_and_permalink(session):
    res = checked(session, "filter", "permalink", "tag_filter")
    ls = cli_json("ls", "--json", "--db", session["store"])
    assert res["filtered"] == [r["id"] for r in ls if "train" in r["name"]]
    assert res["tag_filtered"] == [r["id"] for r in ls if r["tags"].get("batch") == "64"]
    assert res["filtered"] and res["tag_filtered"]
    checked(session, "more_filters")
    assert res["host_filtered"] == [r["id"] for r in ls if r["host"] == "golden-host"]
    assert res["date_filtered"] == [r["id"] for r in ls if r["start_time"][:10] == "2026-12-07"]
    assert res["none_filtered"] == []


def test_open_run_draws_the_report(session):
    """The run opens from the list with its charts drawn; its tabs switch, each in the URL."""
    res = checked(session, "open_run", "tabs")
    assert res["charts"] >= 2


def test_zoom_fetches_the_window(session):
    res = checked(session, "zoom", "zoom_permalink", "zoom_reset")
    z = res["zoom"]
    frm, to = float(z["hash"]["from"]), float(z["hash"]["to"])
    assert 0 <= frm < to
    req = z["requests"][0]
    assert req.startswith(f"/api/runs/{TRAIN}/series?")
    assert re.search(r"[?&]from=([\d.]+)", req).group(1) == z["hash"]["from"]
    assert re.search(r"[?&]to=([\d.]+)", req).group(1) == z["hash"]["to"]
    # the chart holds the window's points now, not the whole run's
    assert z["after"]["x0"] >= frm - 1e-6 and z["after"]["x1"] <= to + 1e-6
    assert (z["after"]["n"], z["after"]["x0"]) != (z["before"]["n"], z["before"]["x0"])


def test_unit_toggle(session):
    checked(session, "unit_toggle")


def test_compare_equals_cli(session):
    res = checked(session, "compare")
    want = cli_json("compare", TRAIN, INFER, "--json", "--db", session["store"])
    got = res["compare"]
    assert got["runs"] == f"{TRAIN},{INFER}"
    assert list(got["rows"]) == [row["key"] for row in want["rows"]]
    for row in want["rows"]:
        assert got["rows"][row["key"]] == row["values"], row["key"]
    assert got["cli"] == f"aimeter compare {TRAIN} {INFER}"


def test_compare_by_tag_equals_cli(session):
    """#/compare?by=batch: one column per group, each cell the group's mean as `aimeter
    compare --by batch --json` gives it, and its spread (± sample standard deviation) shown."""
    res = checked(session, "compare_by")
    want = cli_json("compare", "--by", "batch", "--json", "--db", session["store"])
    got = res["compare_by"]
    assert list(got["rows"]) == [row["key"] for row in want["rows"]]
    for row in want["rows"]:
        assert got["rows"][row["key"]] == row["mean"], row["key"]
    time_row = next(row for row in want["rows"] if row["key"] == "time")
    spread = [i for i, sd in enumerate(time_row["stddev"]) if sd is not None]
    assert spread and all(" ± " in got["text"]["time"][i] for i in spread)
    assert got["cli"] == "aimeter compare --by batch"


def test_live_stream_error_is_shown_and_closed(session):
    """The server's `event: error` {"error": msg}: the message shown, the stream closed."""
    res = checked(session, "live_error")
    assert res["live_error"]["closed"] is True
    assert "database is locked" in res["live_error"]["status"]


def test_live_run_moves(session):
    res = checked(session, "live_list", "live_moves", "live_phase", "live_end")
    live = res["live"]
    assert live["ended"] == "completed"
    assert "train" in live["phases"]
    assert live["events"] >= 2 and live["points"] > 0
    # the run the browser followed is the stored one, and it did stop
    report = cli_json("report", session["live"], "--format", "json", "--db", session["store"])
    assert report["run"]["status"] == "completed"


def test_import_refused_without_allow_import(session):
    res = checked(session, "profiles")
    assert res["import"]["status"] == 403
    assert "--allow-import" in res["import_message"]


def test_profile_import_and_compare(session):
    """With --allow-import a CSV of epoch energies is imported, listed, and set epoch by
    epoch against the run's own profile (`aimeter export RUN --profile -`)."""
    res = checked(session, "import")
    assert res["imported"]["source"] == "import" and res["imported"]["name"] == "theirs"
    mine = cli_json("export", TRAIN, "--profile", "-", "--db", session["import_store"])
    theirs = {1: 100, 2: 110, 3: 120}
    ours = {e["index"]: e["energy_j"] for e in mine["epochs"]}
    want = [[i, theirs.get(i), ours.get(i)] for i in sorted(set(theirs) | set(ours))]
    assert res["profile_compare"]["epochs"] == want
    assert res["profile_compare"]["export_href"] == f"/api/runs/{TRAIN}/profile"


def test_no_console_error_no_outside_request(session):
    res = checked(session, "no_outside_request", "no_console_error", "no_page_error",
                  "no_failed_request")
    assert res["rc"] == 0 and res["ok"], res["failures"]
    for shot in res["screenshots"]:
        assert Path(shot).is_file() and Path(shot).stat().st_size > 0
