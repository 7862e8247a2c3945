"""aimeter plot --kind phases|scatter|corr|cumulative|zones and the time series' extras, checked
by structure (SVG parsed as XML: its texts and filled shapes; the PNG's IHDR chunk; the PDF's
header), never by timing. The runs are the golden store's (tests/fixtures/store/golden.sql)."""
import json
import re
import sqlite3
import xml.etree.ElementTree as ET

import pytest

from conftest import assert_one_error, run_aimeter
from test_golden import IDLE, R1, R2, R3, R4, R5
from test_plot import golden, plot, png_size, svg_texts  # noqa: F401 (golden is a fixture)


def svg_root(path):
    return ET.parse(path).getroot()


def fills(path, rgb):
    """The filled shapes of one colour (PLplot's svg driver: <polyline fill="#RRGGBB">)."""
    want = "#%02x%02x%02x" % rgb
    return [e for e in svg_root(path).iter()
            if e.tag.endswith("}polyline") and e.get("fill", "").lower() == want]


ORANGE, SKY_BLUE = (230, 159, 0), (86, 180, 233)


def delete_rows(db, run, *tables):
    con = sqlite3.connect(db)
    for table in tables:
        con.execute(f"DELETE FROM {table} WHERE run_id = ?", (run,))
    con.commit()
    con.close()


def png_and_pdf(db, kind, *args):
    """The kind drawn as a PNG of R1 at a size asked and as a PDF of R5 (no GPU)."""
    out = db.parent / f"{kind}.png"
    r = plot(db, R1, "--kind", kind, "-o", out, "--size", "800x500", "--dpi", "120", *args)
    assert r.returncode == 0, r.stderr
    assert png_size(out) == (800, 500)
    out = db.parent / f"{kind}.pdf"
    r = plot(db, R5, "--kind", kind, "-o", out, *args)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"%PDF")


@pytest.fixture
def hinted(golden):
    """R2 with DCGM-like phase means: epoch 1 memory-bound on gpu0, epoch 2 compute-bound,
    epoch 4 CPU-bound on the host."""
    con = sqlite3.connect(golden)
    con.executemany("INSERT INTO phase_metrics VALUES (?, ?, ?, ?, ?)", [
        (R2, "epoch 1", 1, "gpu.dram_active", 72.0), (R2, "epoch 1", 1, "gpu.tensor_active", 8.0),
        (R2, "epoch 1", 1, "gpu.sm_active", 40.0), (R2, "epoch 2", 1, "gpu.tensor_active", 65.0),
        (R2, "epoch 2", 1, "gpu.dram_active", 30.0), (R2, "epoch 2", 1, "gpu.sm_active", 85.0)])
    con.execute("UPDATE phase_metrics SET mean = 93 WHERE run_id = ? AND phase = 'epoch 4' "
                "AND metric_key = 'cpu.util'", (R2,))
    con.commit()
    con.close()
    return golden


def test_phases_bars_and_hints(hinted, tmp_path):
    out = tmp_path / "phases.svg"
    r = plot(hinted, R2, "--kind", "phases", "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr == ""
    texts = svg_texts(out)
    for t in ("epoch 1", "step (x5)", "epoch 5", "memory-bound?", "compute-bound?",
              "CPU-bound?", "host", "no hint", "mean activity in the phase [%]",
              "host CPU use", "gpu0 SM active", "gpu0 DRAM active", "gpu1 utilisation", "train"):
        assert t in texts, (t, texts)
    # one bar per phase of the host's CPU use (orange): 6 phases, and one legend box
    assert len(fills(out, ORANGE)) == 6 + 1
    # gpu0's SM active (sky blue) only where it was kept: epochs 1 and 2
    assert len(fills(out, SKY_BLUE)) == 2 + 1


def test_phases_png_and_pdf(golden):
    png_and_pdf(golden, "phases")


def test_phases_of_a_run_without_phases(golden, tmp_path):
    delete_rows(golden, R4, "phase_metrics", "phase_devices", "phase_records", "phase_totals",
                "phases")
    out = tmp_path / "phases.png"
    r = plot(golden, R4, "--kind", "phases", "-o", out)
    line = assert_one_error(r, 65)
    assert "has no phases" in line
    assert not out.exists() or out.stat().st_size == 0


def test_phases_without_activity_metrics(golden, tmp_path):
    delete_rows(golden, R4, "phase_metrics")
    out = tmp_path / "phases.svg"
    r = plot(golden, R4, "--kind", "phases", "-o", out)
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    assert "epoch 1" in texts and any("no activity metric" in t for t in texts)


@pytest.mark.parametrize("args,words", [
    (["--kind", "pie"], "timeseries, phases, scatter, corr, cumulative or zones"),
    (["--kind", "phases", "--layout", "grid"], "single or categories"),
    (["--kind", "phases", "--zones", "FR"], "--kind zones"),
])
def test_bad_kind_or_layout(golden, tmp_path, args, words):
    out = tmp_path / "c.png"
    r = plot(golden, R4, "-o", out, *args)
    line = assert_one_error(r, 64)
    assert words in line


# ------------------------------------------------------------------ scatter

def dots(path):
    """PLplot's svg driver writes each point as a text glyph."""
    return sum(1 for t in svg_texts(path) if t == "\u2022")


def test_scatter_r_is_the_correlation_s(golden, tmp_path):
    out = tmp_path / "scatter.svg"
    # aimeter corr R1: Energy rate (gpu0) / Energy rate (gpu1) +0.920 over 26 ticks
    r = plot(golden, R1, "--kind", "scatter", "-m", "gpu0.energy,gpu1.energy", "-o", out)
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    assert "r = 0.92" in texts, texts
    assert "rate(gpu0.energy) [W]" in texts and "rate(gpu1.energy) [W]" in texts
    # the count said once when r is over the same samples
    assert "n = 26 aligned samples" in texts, texts
    assert dots(out) == 26


def test_scatter_phase_window(golden, tmp_path):
    out = tmp_path / "scatter.svg"
    r = plot(golden, R1, "--kind", "scatter", "-m", "host.cpu.util,cpu0.power", "-o", out,
             "--phase", "epoch 2")
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    n = int(re.search(r"(\d+) aligned samples", " ".join(texts)).group(1))
    assert 0 < n < 26 and dots(out) <= n
    assert "host.cpu.util [%]" in texts and "cpu0.power [W]" in texts


def test_scatter_without_common_samples(golden, tmp_path):
    out = tmp_path / "scatter.png"
    r = plot(golden, R1, "--kind", "scatter", "-m", "host.cpu.util,cpu0.power", "-o", out,
             "--from", "500", "--to", "600")
    assert r.returncode == 0, r.stderr
    assert png_size(out) == (1200, 600)
    out = tmp_path / "scatter.svg"
    plot(golden, R1, "--kind", "scatter", "-m", "host.cpu.util,cpu0.power", "-o", out,
         "--from", "500", "--to", "600")
    texts = svg_texts(out)
    assert "no instant where both metrics have a value" in texts
    assert any(t.startswith("r undefined") for t in texts)


@pytest.mark.parametrize("metrics", ["gpu0.power", "gpu0.power,gpu0.power",
                                     "gpu0.power,gpu1.power,cpu0.power"])
def test_scatter_needs_two_metrics(golden, tmp_path, metrics):
    r = plot(golden, R1, "--kind", "scatter", "-m", metrics, "-o", tmp_path / "s.png")
    line = assert_one_error(r, 64)
    assert "exactly two metrics" in line


def test_scatter_unknown_metric_and_phase(golden, tmp_path):
    r = plot(golden, R1, "--kind", "scatter", "-m", "gpu0.power,gpu9.power", "-o",
             tmp_path / "s.png")
    assert "unknown metric 'gpu9.power'" in assert_one_error(r, 64)
    r = plot(golden, R1, "--kind", "scatter", "-m", "gpu0.power,gpu1.power", "-o",
             tmp_path / "s.png", "--phase", "nope")
    assert_one_error(r, 66)
    r = plot(golden, R1, "--kind", "scatter", "-o", tmp_path / "s.png")
    assert_one_error(r, 64)


# ------------------------------------------------------------------ corr

def cells(path):
    """The heat-map's filled cells: cmap1 colours or the undefined grey (not the palette)."""
    palette = {"#ffffff", "#000000", "#c8c8c8"}
    return [e for e in svg_root(path).iter()
            if e.tag.endswith("}polyline") and e.get("fill", "none") not in ("none", "")
            and e.get("fill").lower() not in palette]


def test_corr_heat_map(golden, tmp_path):
    out = tmp_path / "corr.svg"
    r = plot(golden, R2, "--kind", "corr", "-o", out, "--size", "1000x1000")
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    # the varying series of R2 (aimeter corr: 11 of them once the constant and per-core
    # ones are left out), each named on both axes
    assert texts.count("gpu0.power") == 2 and texts.count("rate(gpu0.energy)") == 2
    assert "rate(gpu0.energy)" in texts and "1.00" in texts
    assert "0.94" in texts  # r(gpu0 energy rate, gpu1 energy rate), both triangles
    assert texts.count("0.94") == 2
    assert any("constant left out" in t for t in texts)
    assert "r" in texts and "-1.0" in texts and "1.0" in texts   # the colour bar
    assert len([t for t in texts if re.fullmatch(r"-?\d\.\d\d", t)]) == 11 * 11


def test_corr_chosen_metrics_and_undefined(golden, tmp_path):
    out = tmp_path / "corr.svg"
    r = plot(golden, R2, "--kind", "corr", "-m", "gpu0.power,gpu1.power,host.cpu.util", "-o", out,
             "--size", "800x800")
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    assert texts.count("gpu1.power") == 2
    # gpu1.power is constant in R2: its row and column are undefined, only the 2 x 2 others
    # have an r written
    assert len([t for t in texts if re.fullmatch(r"-?\d\.\d\d", t)]) == 4
    grey = [e for e in svg_root(out).iter() if e.tag.endswith("}polyline")
            and (e.get("fill") or "").lower() == "#c8c8c8"]
    assert len(grey) == 5   # the undefined cells, hatched on top


def test_corr_png_pdf_and_phase(golden, tmp_path):
    png_and_pdf(golden, "corr")
    out = tmp_path / "corr.png"
    r = plot(golden, R1, "--kind", "corr", "-o", out, "--phase", "epoch 2")
    assert r.returncode == 0, r.stderr
    r = plot(golden, R1, "--kind", "corr", "-o", out, "--phase", "nope")
    assert_one_error(r, 66)


# ------------------------------------------------------------------ cumulative

def test_cumulative_energy_and_carbon(golden, tmp_path):
    out = tmp_path / "cumulative.svg"
    r = plot(golden, R2, "--kind", "cumulative", "-o", out)
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    # each axis in the unit its maximum reads best in (no "x10^-4" exponent label): R2's
    # 0.000196 kWh and 0.0176 g are 195.8 mWh and 17.60 mg
    for t in ("energy, facility [mWh]", "carbon [mg CO2e]", "time since the run's start [s]",
              "energy, facility [mWh] (left)", "carbon [mg CO2e] (right)"):
        assert t in texts, (t, texts)
    assert not any(t.startswith("(x10") for t in texts), texts
    # it ends where the report does: 0.000196 kWh, 0.0176 g CO2e (R2's intensity file varies)
    note = next(t for t in texts if "mWh (IT x PUE" in t)
    assert note.startswith("195.8 mWh (IT x PUE 1.00), 17.60 mg CO2e"), note
    assert "intensity in force at each instant" in note


ENERGY_UNITS = {"MWh": 1e3, "kWh": 1.0, "Wh": 1e-3, "mWh": 1e-6}
CARBON_UNITS = {"t": 1e6, "kg": 1e3, "g": 1.0, "mg": 1e-3}


def chart_totals(path):
    """The energy (kWh) and carbon (g) the cumulative chart's note says it ends at."""
    note = next(t for t in svg_texts(path) if "(IT x PUE" in t)
    e = re.search(r"([-+0-9.eE]+) (MWh|kWh|Wh|mWh) \(IT x PUE", note)
    c = re.search(r"([-+0-9.eE]+) (t|kg|g|mg) CO2e", note)
    assert e and c, note
    return (float(e.group(1)) * ENERGY_UNITS[e.group(2)],
            float(c.group(1)) * CARBON_UNITS[c.group(2)])


@pytest.mark.parametrize("size", ["100x300", "1200x600"])
def test_cumulative_ends_at_the_report_with_a_varying_intensity(golden, tmp_path, size):
    """R2 was measured with an --intensity-file whose value changes every second (120, 480,
    300, 60 g/kWh): the chart's curve is the report's own accounting replayed, so it ends at
    the report's facility kWh and g CO2e at any width. (Summing carbon on a grid of two
    pixels per step at the intensity in force at each step's start ended 2 % off at 100 px and
    0.2 % off at 1200.)"""
    rep = run_aimeter("report", R2, "--db", golden, "--format", "json")
    assert rep.returncode == 0, rep.stderr
    doc = json.loads(rep.stdout)
    assert doc["carbon"]["n_points"] > 1, "the run's intensity must vary for this test to mean anything"
    out = tmp_path / "cumulative.svg"
    r = plot(golden, R2, "--kind", "cumulative", "-o", out, "--size", size)
    assert r.returncode == 0, r.stderr
    kwh, g = chart_totals(out)
    # the note prints 4 significant digits, as the report's text does
    assert kwh == pytest.approx(doc["energy"]["facility_kwh"], rel=5e-4)
    assert g == pytest.approx(doc["carbon"]["g"], rel=5e-4)


def test_cumulative_with_pue_png_pdf(golden, tmp_path):
    out = tmp_path / "cumulative.svg"
    r = plot(golden, R1, "--kind", "cumulative", "-o", out)
    assert r.returncode == 0, r.stderr
    assert any("(IT x PUE 1.20)" in t and "run's intensity" in t for t in svg_texts(out))
    png_and_pdf(golden, "cumulative")


def test_cumulative_of_a_run_without_samples(golden, tmp_path):
    delete_rows(golden, R4, "chunks")
    out = tmp_path / "cumulative.svg"
    r = plot(golden, R4, "--kind", "cumulative", "-o", out)
    assert r.returncode == 0, r.stderr
    assert "no energy was recorded" in svg_texts(out)


# ------------------------------------------------------------------ zones

def test_zones_bars_with_values(golden, tmp_path):
    out = tmp_path / "zones.svg"
    r = plot(golden, R1, "--kind", "zones", "--zones", "CA-SK,CA-MB,PL", "-o", out)
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    for t in ("run (FR)", "CA-SK", "CA-MB", "PL", "carbon [g CO2e]",
              "grid zone (first: the run as it was priced)"):
        assert t in texts, (t, texts)
    # the values aimeter whatif prints for the same zones, one per bar
    w = run_aimeter("whatif", R1, "--db", golden, "--zones", "CA-SK,CA-MB,PL", "--json")
    assert w.returncode == 0, w.stderr
    values = [t for t in texts if t.endswith(" g") and t[0].isdigit()]
    assert len(values) == 4
    doc = json.loads(w.stdout)
    grams = [s["carbon_g"] for s in doc["scenarios"]]
    assert [float(v[:-2]) for v in values] == pytest.approx(grams, rel=5e-3)
    # the run's own bar in orange, the three zones in blue
    assert len(fills(out, ORANGE)) == 1 and len(fills(out, (0, 114, 178))) == 3


def test_zones_png_and_many(golden, tmp_path):
    out = tmp_path / "zones.png"
    r = plot(golden, R1, "--kind", "zones", "-o", out, "--size", "900x500", "--zones",
             "CA-SK,CA-MB,FR,PL,US-CAL-CISO,aws:us-east-1,DE,SE,NO,CN-GD,IN,ZA,CA-SK@marginal")
    assert r.returncode == 0, r.stderr
    assert png_size(out) == (900, 500)


@pytest.mark.parametrize("args,words", [([], "needs --zones"),
                                        (["--zones", "CA-SK,XX-NOPE"], "XX-NOPE"),
                                        (["--zones", ""], "needs --zones")])
def test_zones_bad_input(golden, tmp_path, args, words):
    out = tmp_path / "zones.png"
    r = plot(golden, R1, "--kind", "zones", "-o", out, *args)
    assert words in assert_one_error(r, 64)


# ------------------------------------------------------------------ time-series extras

def test_markers_on_the_top_axis(golden, tmp_path):
    out = tmp_path / "c.svg"
    r = plot(golden, R1, "-m", "gpu0.power", "-o", out)
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    for t in ("checkpoint 1", "checkpoint 2", "checkpoint 3", "checkpoint 4"):
        assert t in texts, (t, texts)
    # in a window: only the markers inside it
    r = plot(golden, R1, "-m", "gpu0.power", "-o", out, "--from", "0.5", "--to", "0.8")
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    assert "checkpoint 2" in texts and "checkpoint 1" not in texts


def test_smoothing_is_said_and_changes_the_line(golden, tmp_path):
    def points(path):
        return [e.get("points") for e in svg_root(path).iter()
                if e.tag.endswith("}polyline") and (e.get("stroke") or "").upper() == "#E69F00"
                and (e.get("fill") or "none") == "none"]
    raw, smooth = tmp_path / "raw.svg", tmp_path / "smooth.svg"
    assert plot(golden, R1, "-m", "gpu0.power", "-o", raw).returncode == 0
    r = plot(golden, R1, "-m", "gpu0.power", "-o", smooth, "--smooth", "200ms")
    assert r.returncode == 0, r.stderr
    texts = svg_texts(smooth)
    assert "gpu0.power (mean over 0.2 s)" in texts
    # the step from 200 to 400 W becomes a ramp: more distinct points on the line
    assert points(raw) and points(smooth) and points(raw) != points(smooth)


def test_smoothing_the_panels(golden, tmp_path):
    # --layout categories: every panel's lines are smoothed, as their legends say. The
    # longer legend moves the plots, so the lines are compared by their distinct heights: a
    # step becomes a ramp
    def points(path):
        return [len({p.split(",")[1] for p in e.get("points").split()})
                for e in svg_root(path).iter()
                if e.tag.endswith("}polyline") and (e.get("fill") or "none") == "none"
                and (e.get("stroke") or "").upper() == "#E69F00"]
    raw, smooth = tmp_path / "raw.svg", tmp_path / "smooth.svg"
    assert plot(golden, R1, "--layout", "categories", "-o", raw).returncode == 0
    r = plot(golden, R1, "--layout", "categories", "-o", smooth, "--smooth", "200ms")
    assert r.returncode == 0, r.stderr
    assert "gpu0.power (mean over 0.2 s)" in svg_texts(smooth)
    assert sum(points(smooth)) > sum(points(raw)), (points(raw), points(smooth))


@pytest.mark.parametrize("kind", [[], ["--kind", "scatter", "-m", "gpu0.power,gpu1.power"],
                                  ["--kind", "corr"]])
@pytest.mark.parametrize("window", [["--from", "10000000000"], ["--to", "-10000000000"],
                                    ["--from", "-9300000000", "--to", "1"]])
def test_window_past_int64_nanoseconds(golden, tmp_path, kind, window):
    # seconds become int64 nanoseconds: past 9.2e9 s a clear refusal, not an undefined cast
    args = kind or ["-m", "gpu0.power"]
    r = plot(golden, R1, *args, "-o", tmp_path / "c.svg", *window)
    assert window[0] in assert_one_error(r, 64)
    assert not (tmp_path / "c.svg").exists()


@pytest.mark.parametrize("value", ["0", "-1s", "fast"])
def test_bad_smoothing(golden, tmp_path, value):
    r = plot(golden, R1, "-m", "gpu0.power", "-o", tmp_path / "c.png", "--smooth", value)
    assert "--smooth" in assert_one_error(r, 64)


def test_several_runs_on_one_axis(golden, tmp_path):
    out = tmp_path / "c.svg"
    r = run_aimeter("plot", R1, R2, R4, "--db", golden, "-m", "gpu0.power", "-o", out)
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    for run in (R1, R2, R4):
        assert f"train {run[-6:]}: gpu0.power" in texts, (run, texts)
    # no phases or markers of one run drawn over the others
    assert "epoch 1" not in texts and "checkpoint 1" not in texts
    assert "time since the run's start [s]" in texts


def test_long_multibyte_run_names(golden, tmp_path):
    # runs named with 60 characters of 2 and 3 bytes: the legend cuts each name to 60 bytes
    # between characters, the y-axis label is shortened with "..." and keeps its unit, and
    # every text of the SVG is valid UTF-8
    names = {IDLE: "x" + "é" * 59, R1: "a" + "测" * 59, R2: "b" + "é" * 59, R3: "c" + "测" * 59}
    with sqlite3.connect(golden) as c:
        for run, name in names.items():
            c.execute("UPDATE runs SET name = ? WHERE id = ?", (name, run))
    out = tmp_path / "c.svg"
    # a tall, small-print chart: the label of 8 long names fits along the axis
    r = run_aimeter("plot", *names, "--db", golden, "-m", "gpu0.power,gpu1.power", "--size",
                    "400x10000", "--dpi", "30", "-o", out)
    assert r.returncode == 0, r.stderr
    out.read_bytes().decode("utf-8")   # strict: no code point cut in two
    texts = svg_texts(out)
    label = [t for t in texts if "gpu0.power, " in t]
    assert len(label) == 1 and label[0].endswith("... [W]"), label
    for run, name in names.items():
        cut = name
        while len(cut.encode()) > 60:
            cut = cut[:-1]
        assert f"{cut} {run[-6:]}: gpu1.power" in texts, (cut, texts)


def test_several_runs_errors(golden, tmp_path):
    out = tmp_path / "c.png"
    # R5 has no GPU: the metric is unknown there, and the message lists R5's
    r = run_aimeter("plot", R1, R5, "--db", golden, "-m", "gpu0.power", "-o", out)
    assert "unknown metric 'gpu0.power'" in assert_one_error(r, 64)
    r = run_aimeter("plot", R1, "nope", "--db", golden, "-m", "gpu0.power", "-o", out)
    assert_one_error(r, 66)
    r = run_aimeter("plot", R1, R2, "--db", golden, "-m", "gpu0.power", "-o", out, "--kind",
                    "corr")
    assert "time-series" in assert_one_error(r, 64)
    # 3 runs x 3 metrics: past the 8 series of a chart
    r = run_aimeter("plot", R1, R2, R4, "--db", golden, "-m",
                    "gpu0.power,gpu1.power,cpu0.power", "-o", out)
    assert "8 series at most" in assert_one_error(r, 64)


def test_layout_categories(golden, tmp_path):
    out = tmp_path / "c.svg"
    r = plot(golden, R2, "--layout", "categories", "-o", out)
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    for t in ("Energy", "Compute", "Memory", "[W]", "[%]", "[GiB]", "gpu0.power",
              "host.cpu.util", "host.mem.used (left)", "time since the run's start [s]"):
        assert t in texts, (t, texts)
    # R2's PCIe and NVLink rates are constant: no Communication panel
    assert "Communication" not in texts
    assert texts.count("train") == 1   # one title
    r = plot(golden, R2, "--layout", "categories", "-o", tmp_path / "c.png")
    assert r.returncode == 0, r.stderr
    w, h = png_size(tmp_path / "c.png")
    assert w == 1200 and h == 110 + 320 * 3


def test_layout_categories_of_chosen_metrics(golden, tmp_path):
    out = tmp_path / "c.svg"
    r = plot(golden, R2, "--layout", "categories", "-o", out, "--size", "900x700", "-m",
             "gpu0.power,gpu0.gpu.pcie_tx,process.proc.count")
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    assert "Energy" in texts and "Communication" in texts and "Compute" not in texts
    assert any("1 metric in no panel" in t for t in texts)
    r = plot(golden, R2, "--layout", "categories", "-o", out, "-m", "process.proc.count")
    assert "no metric to draw" in assert_one_error(r, 64)


# ------------------------------------------------------------------ every kind

KINDS = [["-m", "gpu0.power,gpu0.gpu.clock_sm"], ["--kind", "phases"],
         ["--kind", "scatter", "-m", "gpu0.power,gpu1.power"], ["--kind", "corr"],
         ["--kind", "cumulative"], ["--kind", "zones", "--zones", "CA-SK,PL"],
         ["--layout", "categories"]]


@pytest.mark.parametrize("args", KINDS, ids=lambda a: a[1] if a[0] != "-m" else "timeseries")
def test_every_kind_is_deterministic_and_sized(golden, tmp_path, args):
    """The same chart twice is the same file in every format (no time stamp: cairo's PDF
    creation date is fixed), and --size, --dpi and --title are honoured."""
    for ext in ("svg", "png", "pdf"):
        a, b = tmp_path / f"a.{ext}", tmp_path / f"b.{ext}"
        for out in (a, b):
            r = plot(golden, R1, *args, "-o", out, "--size", "700x560", "--dpi", "110",
                     "--title", "Fig. #1")
            assert r.returncode == 0, r.stderr
        assert a.read_bytes() == b.read_bytes(), ext
        if ext == "png":
            assert png_size(a) == (700, 560)
        elif ext == "svg":
            assert "Fig. #1" in svg_texts(a)
            assert 'width="700pt"' in a.read_text() and 'height="560pt"' in a.read_text()
        else:
            assert b"/CreationDate (D:20000101000000Z)" in a.read_bytes()


@pytest.mark.parametrize("kind", ["phases", "cumulative", "zones"])
@pytest.mark.parametrize("extra", [["-m", "gpu0.power"], ["--phase", "epoch 1"], ["--to", "1"]])
def test_whole_run_kinds_take_no_window(golden, tmp_path, kind, extra):
    zones = ["--zones", "FR"] if kind == "zones" else []
    r = plot(golden, R1, "--kind", kind, *zones, "-o", tmp_path / "c.png", *extra)
    assert "draws the whole run" in assert_one_error(r, 64)


def test_phases_many_groups_use_letters(golden, tmp_path):
    """30 phases: the hints' words do not fit over a group, so each is a letter, the key under
    the chart; the names are written upright and the default picture is taller."""
    con = sqlite3.connect(golden)
    for i in range(5, 31):
        name = f"validation step {i}"
        con.execute("INSERT INTO phase_totals VALUES (?, ?, 1, ?, ?, 500000, 0.0001, 0)",
                    (R1, name, i * 1000000, i * 1000000 + 500000))
        con.executemany("INSERT INTO phase_metrics VALUES (?, ?, ?, ?, ?)",
                        [(R1, name, 0, "cpu.util", 3.0 * i), (R1, name, 1, "gpu.util", 100 - 3.0 * i)])
    con.commit()
    con.close()
    out = tmp_path / "phases.svg"
    r = plot(golden, R1, "--kind", "phases", "-o", out)
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    assert "phase; hints: U = CPU-bound?, Id = GPU mostly idle" in texts, texts
    assert texts.count("U") == 4 and "validation step 30" in texts
    assert "CPU-bound?" not in texts
    assert 'height="900pt"' in out.read_text()
