"""The run view of `aimeter serve`'s UI paints the run's figures (its report JSON, built in
milliseconds) before /api/runs/{id}/view (every sample of a long run read) arrives, then the
whole report replaces them: tests/browser/check_ui_first_paint.mjs holds /view back in the
browser until the summary is on screen, so nothing depends on which request is faster.
Skipped without Chromium or web/node_modules, except in CI (as test_html_browser.py)."""
import json
import sqlite3
import subprocess
from pathlib import Path

from serveproc import serving
from test_html_browser import NODE, artifacts, browser_present  # noqa: F401 (autouse fixture)

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "tests" / "browser" / "check_ui_first_paint.mjs"
STORE_SQL = ROOT / "tests" / "fixtures" / "store" / "golden.sql"
TRAIN = "20261207-083158-a90897"


def test_summary_painted_before_the_report(tmp_path):
    store = tmp_path / "golden.db"
    con = sqlite3.connect(store)
    con.executescript(STORE_SQL.read_text())
    con.close()
    with serving(store, tmp_path) as base:
        r = subprocess.run([NODE, str(CHECK), base, TRAIN, "--screenshot",
                            str(artifacts() / "ui-first-paint.png")],
                           capture_output=True, text=True, timeout=120)
        lines = r.stdout.strip().splitlines()
        assert lines, r.stderr
        result = json.loads(lines[-1])
        assert result["ok"], result
        assert r.returncode == 0
        summary = result["summary"]
        assert summary["name"] == "train"          # the run's name, from its report JSON
        assert summary["cards"] >= 3               # time, energy, carbon ...
        assert "503.8" in summary["text"] or "504" in summary["text"]  # its energy in J
        assert result["report"]
