"""The HTML report's front end (web/, bundled into build/web/report.{js,css}) opened in
headless Chromium by tests/browser/check_report.mjs (playwright-core): no request leaves the
file, no console or page error, every chart draws, a legend click hides a series, a drag
zooms every chart, the kWh / g CO2e toggle redraws the cumulative chart. Screenshots are kept
in $AIMETER_ARTIFACTS, else build/test-artifacts/ (html-*.png).

The document is assembled here as docs' contract says (report/html_render.c writes the same
one): report_html() is the one place that says where the HTML comes from. The data is
tests/fixtures/html/report-data.json (made by make_report_data.py beside it) and variants of
it for the edge cases the front end must survive.

Skipped when Chromium or web/node_modules is missing, except in CI ($CI set), where that is a
failure: bootstrap.sh installs both."""
import copy
import html
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD, FIXTURES, REPO, run_aimeter
from test_golden import load_store

CHECK = REPO / "tests" / "browser" / "check_report.mjs"
CHROMIUM = Path(os.environ.get("CHROMIUM") or "/usr/bin/chromium")
NODE = shutil.which("node")
DATA = FIXTURES / "html" / "report-data.json"
BUNDLE = BUILD / "web"
R_TRAIN = "20261207-083158-a90897"   # the golden store's runs: phases, marks, two GPUs
R_INFER = "20261207-083159-769624"   # failed, prefill and decode


def missing():
    """What the browser test lacks, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} (apt-get install chromium)"
    if NODE is None:
        return "node (apt-get install nodejs npm)"
    if not (REPO / "web" / "node_modules" / "playwright-core").is_dir():
        return "web/node_modules (npm ci --prefix web)"
    return None


@pytest.fixture(scope="module", autouse=True)
def browser_present():
    """Skips the module without a browser, fails it in CI. Module-scoped so that it runs before
    a module's own fixtures start a server; the UI tests import it (an autouse fixture applies
    to the module it is imported into)."""
    what = missing()
    if what and os.environ.get("CI"):
        pytest.fail(f"CI: the browser test needs {what}; bootstrap.sh installs it")
    if what:
        pytest.skip(f"no {what}")


def artifacts():
    d = Path(os.environ.get("AIMETER_ARTIFACTS") or REPO / "build" / "test-artifacts")
    d.mkdir(parents=True, exist_ok=True)
    return d


def embed_json(data):
    """DATA as the contract writes it into <script type="application/json">: <, >, &, U+2028
    and U+2029 escaped, so that no string in it can end the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def assemble(data, head_extra="", csp=True):
    run = data.get("report", {}).get("run", {})
    js = (BUNDLE / "report.js").read_text(encoding="utf-8")
    css = (BUNDLE / "report.css").read_text(encoding="utf-8")
    policy = ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
              'script-src \'unsafe-inline\'; style-src \'unsafe-inline\'; img-src data: blob:">'
              if csp else "")
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"{policy}\n"
            f"<title>aimeter report: {html.escape(run.get('name', ''))} "
            f"({html.escape(run.get('id', ''))})</title>\n"
            f"<style>{css}</style>{head_extra}</head>\n"
            '<body><main id="aimeter-report"></main>\n'
            "<noscript>The charts need JavaScript; the figures are in the data below.</noscript>\n"
            f'<script type="application/json" id="aimeter-data">{embed_json(data)}</script>\n'
            f"<script>{js}</script></body></html>\n")


def report_html(tmp_path, data, name="report", **kw):
    """The HTML report of `data` as a file. Today assembled by assemble(); once
    `aimeter report RUN --format html` exists, this is where the test switches to it."""
    assert (BUNDLE / "report.js").is_file(), f"no bundle in {BUNDLE}: ninja -C {BUILD}"
    path = tmp_path / f"{name}.html"
    path.write_text(assemble(data, **kw), encoding="utf-8")
    return path


def check(page, name, *options):
    """Runs check_report.mjs on page (with its options: --frame); returns (exit status, its
    JSON result)."""
    shot = artifacts() / f"html-{name}.png"
    r = subprocess.run([NODE, str(CHECK), str(page), "--screenshot", str(shot), "--json",
                        *options],
                       capture_output=True, text=True, timeout=120)
    lines = r.stdout.strip().splitlines()
    assert lines, f"no result line; stderr: {r.stderr}"
    return r.returncode, json.loads(lines[-1])


def fixture():
    return json.loads(DATA.read_text(encoding="utf-8"))


def test_report_in_chromium(tmp_path):
    data = fixture()
    rc, res = check(report_html(tmp_path, data), "report")
    assert rc == 0 and res["ok"], res["failures"]
    # one time-series chart per category and unit (10 here), and the cumulative one
    groups = {(s["category"], s["unit"]) for s in data["timeline"]["series"]}
    assert len(groups) == 10 and res["charts"] == len(groups) + 1, res
    assert res["checks"] == {"loaded": "ok", "canvases": "ok", "toggle": "ok", "zoom": "ok",
                             "cumulative_toggle": "ok"}, res["checks"]
    assert res["blocked"] == [] and res["console_errors"] == [] and res["page_errors"] == []
    assert Path(res["screenshot"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def variant(mutate):
    d = fixture()
    mutate(d)
    return d


def no_series(d):
    d["timeline"]["series"] = []
    d["timeline"]["energy"] = {"t": [], "kwh": [], "g": []}


def one_point(d):
    for s in d["timeline"]["series"]:
        s["t"], s["v"] = s["t"][:1], s["v"][:1]
    e = d["timeline"]["energy"]
    e["t"], e["kwh"], e["g"] = e["t"][:1], e["kwh"][:1], e["g"][:1]


def all_null(d):
    for s in d["timeline"]["series"]:
        s["v"] = [None] * len(s["v"])
    e = d["timeline"]["energy"]
    e["kwh"] = e["g"] = [None] * len(e["t"])


def no_phases(d):
    d["timeline"]["phases"], d["timeline"]["marks"] = [], []
    d["report"]["workload"] = None


def nulls(d):
    d["correlation"] = d["whatif"] = None
    r = d["report"]
    r["cost"] = r["correlations"] = None
    for k in ("g", "kg", "intensity_g_per_kwh", "zone"):
        r["carbon"][k] = None
    d["timeline"]["energy"]["g"] = [None] * len(d["timeline"]["energy"]["t"])


def many_series(d):
    base = d["timeline"]["series"]
    out = []
    for i in range(300):
        s = copy.deepcopy(base[i % len(base)])
        s["name"] = f"{s['name']}#{i}"
        s["v"] = [None if v is None else v * (1 + (i % 7) / 10) for v in s["v"]]
        out.append(s)
    d["timeline"]["series"] = out
    names = [s["name"] for s in out[:120]]
    d["correlation"] = {"names": names,
                        "r": [[1 if i == j else ((i * 7 + j * 3) % 21 - 10) / 10 for j in range(120)]
                              for i in range(120)]}


def hostile_names(d):
    # a run called </script> must not end the data element (the escaping is the contract's)
    d["report"]["run"]["name"] = "</script><script>alert(1)</script> & \u2028"
    d["timeline"]["series"][0]["name"] = "<b>gpu0</b>.power"


EDGES = {"no-series": no_series, "one-point": one_point, "all-null": all_null,
         "no-phases": no_phases, "null-carbon-whatif-correlation": nulls,
         "300-series": many_series, "hostile-names": hostile_names}


@pytest.mark.parametrize("name", sorted(EDGES))
def test_edge_cases_draw_without_errors(tmp_path, name):
    rc, res = check(report_html(tmp_path, variant(EDGES[name]), name), name)
    assert rc == 0 and res["ok"], res["failures"]
    assert res["checks"]["loaded"] == "ok"
    assert res["console_errors"] == [] and res["page_errors"] == []


def test_data_fetched_from_a_url_draws_the_same(tmp_path):
    # the live UI's path: no embedded data; the page fetches the JSON (here from a blob: URL,
    # as file: cannot be fetched) with aimeter.loadUrl and draws it with aimeter.render
    page = tmp_path / "fetched.html"
    js = (BUNDLE / "report.js").read_text(encoding="utf-8")
    css = (BUNDLE / "report.css").read_text(encoding="utf-8")
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<style>{css}</style></head><body><main id=\"aimeter-report\"></main>"
        f'<script type="application/json" id="source">{embed_json(fixture())}</script>'
        f"<script>{js}</script><script>"
        "const url = URL.createObjectURL(new Blob([document.getElementById('source').textContent],"
        " {type: 'application/json'}));"
        "window.aimeter.loadUrl(url).then((d) => {"
        " window.aimeter.render(document.getElementById('aimeter-report'), d);"
        " window.aimeterReport.ready = true; });"
        "</script></body></html>", encoding="utf-8")
    rc, res = check(page, "fetched")
    assert rc == 0 and res["ok"], res["failures"]
    assert res["charts"] == 11 and set(res["checks"].values()) == {"ok"}, res


def test_check_fails_on_an_external_request(tmp_path):
    # the checker itself: a page reaching outside the file fails it, the URL named
    page = report_html(tmp_path, fixture(), "external", csp=False,
                       head_extra='<link rel="stylesheet" href="http://127.0.0.1:9/x.css">')
    rc, res = check(page, "external")
    assert rc == 1 and not res["ok"]
    assert res["blocked"] == ["http://127.0.0.1:9/x.css"]


def test_check_fails_on_a_console_error(tmp_path):
    d = fixture()
    d["schema"] = "aimeter.html/0"  # the front end refuses it and says so on the console
    rc, res = check(report_html(tmp_path, d, "bad-schema"), "bad-schema")
    assert rc == 1 and any("unknown report data schema" in e for e in res["console_errors"])


# ---------------------------------------------------------------- the real binary's document

def binary_report(tmp_path, db, run, name):
    """`aimeter report RUN --format html -o FILE`: the document the user opens."""
    out = tmp_path / f"{name}.html"
    r = run_aimeter("report", run, "--db", db, "--format", "html", "-o", out)
    assert r.returncode == 0, r.stderr
    return out


def assert_works(rc, res):
    assert rc == 0 and res["ok"], res["failures"]
    assert res["checks"]["loaded"] == "ok" and res["checks"]["canvases"] == "ok", res["checks"]
    assert res["blocked"] == [] and res["console_errors"] == [] and res["page_errors"] == []


@pytest.mark.parametrize("run", [R_TRAIN, R_INFER])
def test_binary_report_of_golden_runs(tmp_path, run):
    db = tmp_path / "golden.db"
    load_store(db)
    rc, res = check(binary_report(tmp_path, db, run, f"binary-{run}"), f"binary-{run}")
    assert_works(rc, res)
    assert res["checks"]["zoom"] == "ok" and res["checks"]["toggle"] == "ok", res["checks"]


def test_binary_report_of_a_long_synthetic_run(tmp_path):
    # bench/synth_run: ten minutes at 100 Hz on two GPUs, with phases and marks
    db = tmp_path / "long.db"
    run = subprocess.run([str(BUILD / "bench" / "synth_run"), str(db), "600", "100", "long", "2"],
                         capture_output=True, text=True, check=True).stdout.strip()
    page = binary_report(tmp_path, db, run, "binary-long")
    assert page.stat().st_size < 5_000_000
    rc, res = check(page, "binary-long")
    assert_works(rc, res)
    assert res["checks"] == {"loaded": "ok", "canvases": "ok", "toggle": "ok", "zoom": "ok",
                             "cumulative_toggle": "ok"}, res["checks"]


def test_binary_report_in_a_sandboxed_iframe(tmp_path):
    """The notebook's frame (python/aimeter/_plot.py, repr_html): the document in srcdoc of
    an iframe sandboxed to scripts only (an opaque origin: no storage, no cookies, no access
    to the notebook). The front end must need none of them: it draws, zooms and toggles."""
    db = tmp_path / "golden.db"
    load_store(db)
    doc = binary_report(tmp_path, db, R_TRAIN, "sandboxed-doc").read_text(encoding="utf-8")
    page = tmp_path / "notebook.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
                    '<iframe sandbox="allow-scripts" srcdoc="' + html.escape(doc, quote=True)
                    + '" style="width: 100%; height: 720px"></iframe></body></html>\n',
                    encoding="utf-8")
    rc, res = check(page, "sandboxed", "--frame")
    assert_works(rc, res)
    assert res["checks"]["zoom"] == "ok" and res["checks"]["toggle"] == "ok", res["checks"]
