"""Golden images of `aimeter plot`: each case draws a chart of a fixed run and compares it
with tests/golden/plots/NAME.png (the raster) and NAME.svg, within the tolerances of
plot_images.py: the PNG pixel by pixel with a neighbourhood, the PDF rendered by pdftoppm
against the same reference PNG (the PDF page is the PNG's size in points, rendered at 72
dpi), the SVG parsed as XML and compared by structure (texts and where they are, shapes per
style).

The runs are fixed: the golden store's (tests/fixtures/store/golden.sql, test_golden.py) and
bench/synth_run's deterministic synthetic run (a long one, for the min/max decimation).
When a change of what is drawn is intended, regenerate and review the images:

    AIMETER_GOLDEN_UPDATE=1 AIMETER_BUILD=$PWD/build /usr/bin/python3 -m pytest \\
        tests/e2e/test_plot_golden.py -q -p no:cacheprovider

The last tests check the comparison itself on the references: a rendering by another
rasteriser passes; a chart with a series, a band, an axis or the legend gone does not.
"""
import os
import subprocess

import pytest

from conftest import BUILD, REPO, run_aimeter
from plot_images import (compare_rasters, compare_svg, load_rgb, pdf_page_raster,
                         raster_difference)
from test_golden import R1, R2, R4, R5, load_store
from test_plot import LSAN

GOLDEN = REPO / "tests" / "golden" / "plots"
UPDATE = os.environ.get("AIMETER_GOLDEN_UPDATE") == "1"
SYNTH_RUN = BUILD / "bench" / "synth_run"
SYNTH = "20261207-120000-5e1f0a"   # bench/synth_run.c's run id

# (name, store, run, arguments, formats): each format drawn is compared with its reference,
# NAME.png, NAME.svg, NAME.pdf.png (the page as pdftoppm renders it; not NAME.png, since
# poppler and cairo antialias a dense chart's lines differently). A new kind of chart is one
# line here, then AIMETER_GOLDEN_UPDATE=1. Every kind, --layout categories, markers,
# --smooth and several runs have one; the cumulative case comes last.
CASES = [
    ("r4-power-clock", "golden", R4, ["-m", "gpu0.power,gpu0.gpu.clock_sm"], ("png", "svg", "pdf")),
    ("r4-two-gpus-title", "golden", R4, ["-m", "gpu0.power,gpu1.power", "--title", "run #4",
                                         "--size", "800x400"], ("png", "svg")),
    ("r4-phase-window", "golden", R4, ["-m", "gpu0.power,gpu0.temperature", "--phase", "epoch 2",
                                       "--size", "800x400"], ("pdf", "svg")),
    ("r4-empty-window", "golden", R4, ["-m", "gpu0.power", "--from", "100", "--to", "200",
                                       "--size", "600x300"], ("png",)),
    ("r5-open-phase-no-gpu", "golden", R5, ["-m", "host.cpu.util,cpu0.power", "--size", "800x400",
                                            "--dpi", "120"], ("png", "svg")),
    ("synthetic-decimated", "synthetic", SYNTH, ["-m", "gpu0.power,gpu0.gpu.clock_sm", "--size",
                                                 "640x360", "--dpi", "80"], ("png", "pdf")),
    # markers over a long run, both series solid (the SVG stays small), phase labels in the
    # strip above the plot
    ("synthetic-markers", "synthetic", SYNTH, ["-m", "gpu0.power,gpu0.temperature", "--size",
                                               "900x420"], ("png", "svg")),
    ("r1-smooth", "golden", R1, ["-m", "gpu0.power,gpu1.power", "--smooth", "200ms", "--size",
                                 "800x400"], ("png", "svg")),
    ("several-runs", "golden", R1, [R2, R4, "-m", "gpu0.power", "--size", "800x400"],
     ("png", "svg")),
    ("r2-categories", "golden", R2, ["--layout", "categories", "--size", "900x800"],
     ("png", "svg")),
    ("synthetic-categories", "synthetic", SYNTH, ["--layout", "categories", "--size",
                                                  "900x600"], ("png",)),
    ("synthetic-phases", "synthetic", SYNTH, ["--kind", "phases", "--size", "800x400"],
     ("png", "svg")),
    ("r4-phases", "golden", R4, ["--kind", "phases", "--size", "800x400"], ("png",)),
    ("r1-scatter", "golden", R1, ["--kind", "scatter", "-m", "gpu0.energy,gpu1.energy",
                                  "--size", "600x450"], ("png", "svg")),
    ("synthetic-scatter", "synthetic", SYNTH, ["--kind", "scatter", "-m",
                                               "gpu0.power,gpu0.gpu.clock_sm", "--size",
                                               "600x450"], ("png",)),
    ("r4-corr", "golden", R4, ["--kind", "corr", "--size", "900x800"], ("png", "svg")),
    ("r1-zones", "golden", R1, ["--kind", "zones", "--zones", "CA-SK,CA-MB,PL", "--size",
                                "800x400"], ("png", "svg")),
    # last: where the cumulative curve's data comes from may change (docs/decisions.md)
    ("r2-cumulative", "golden", R2, ["--kind", "cumulative", "--size", "800x400"],
     ("png", "svg")),
]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    d = tmp_path_factory.mktemp("plot-golden")
    golden = d / "golden.db"
    load_store(golden)
    synthetic = d / "synthetic.db"
    assert SYNTH_RUN.is_file(), f"{SYNTH_RUN} not built (bench/meson.build)"
    # 600 s at 10 Hz: 6000 samples for a plot about 450 pixels wide
    r = subprocess.run([str(SYNTH_RUN), str(synthetic), "600", "10"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == SYNTH, r.stderr
    return {"golden": golden, "synthetic": synthetic}


def draw(stores, store, run, args, path):
    r = run_aimeter("plot", run, "--db", stores[store], *args, "-o", path,
                    env={"LC_ALL": "C.UTF-8", "TZ": "UTC", **LSAN})
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return path


def raster_of(path, tmp_path):
    """The pixels of a PNG, or of a PDF's page as pdftoppm renders it."""
    if path.suffix == ".pdf":
        path = pdf_page_raster(path, tmp_path / (path.stem + "-page"))
    return load_rgb(path)


def check_case(stores, tmp_path, name, store, run, args, formats):
    """Draws one case in each of its formats and compares (or, updating, writes) the
    references; returns the problems found."""
    problems = []
    for fmt in formats:
        out = draw(stores, store, run, args, tmp_path / f"{name}.{fmt}")
        ref = GOLDEN / {"png": f"{name}.png", "svg": f"{name}.svg", "pdf": f"{name}.pdf.png"}[fmt]
        if fmt == "svg":
            if UPDATE:
                ref.write_bytes(out.read_bytes())
            why = compare_svg(out, ref) if ref.is_file() else "no reference"
        else:
            pixels = raster_of(out, tmp_path)
            if UPDATE:
                from PIL import Image
                Image.fromarray(pixels.astype("uint8")).save(ref, optimize=True)
            why = compare_rasters(pixels, load_rgb(ref)) if ref.is_file() else "no reference"
        if why:
            problems.append(f"{name}.{fmt}: {why}")
    return problems


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_plot_matches_its_golden_image(stores, tmp_path, case):
    GOLDEN.mkdir(parents=True, exist_ok=True)
    problems = check_case(stores, tmp_path, *case)
    assert not problems, ("the chart differs from its reference (AIMETER_GOLDEN_UPDATE=1 "
                          "rewrites it; review the new image):\n" + "\n".join(problems))


def test_no_reference_without_a_case():
    names = {c[0] for c in CASES}
    stale = sorted(p.name for p in GOLDEN.iterdir() if p.name.split(".", 1)[0] not in names)
    assert not stale, f"references no case draws: {stale}"


# ------------------------------------------------------------------ docs/images

def test_docs_images_are_what_the_script_makes(tmp_path, monkeypatch):
    """README.md's and docs/cli.md's charts: tools/make_examples.py, run now, draws them the
    same (run it and commit the images after a change of what charts look like)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_examples", REPO / "tools" / "make_examples.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for k, v in LSAN.items():
        monkeypatch.setenv(k, v)   # the script's `aimeter plot` under run-tests.sh's ASan pass
    made = script.make(BUILD, tmp_path)
    assert made, "the script makes no image"
    problems = []
    for path in made:
        committed = REPO / "docs" / "images" / path.name
        if not committed.is_file():
            problems.append(f"{committed.name}: not committed")
            continue
        why = compare_rasters(load_rgb(path), load_rgb(committed))
        if why:
            problems.append(f"{committed.name}: {why}")
    assert not problems, ("docs/images differs from what tools/make_examples.py draws now "
                          "(run it and commit the images):\n" + "\n".join(problems))
    for doc in ("README.md", "docs/cli.md"):
        text = (REPO / doc).read_text()
        assert any(f"images/{p.name}" in text for p in made), f"{doc} shows no example chart"


# ------------------------------------------------------------------ the comparison itself

@pytest.fixture(scope="module")
def reference():
    """The pixels of the first case's reference (two axes, phase bands, a legend)."""
    return load_rgb(GOLDEN / "r4-power-clock.png")


def erase(pixels, where):
    """A copy of pixels with the pixels where `where` is true painted white."""
    out = pixels.copy()
    out[where] = 255
    return out


def test_another_rasteriser_passes(stores, tmp_path, reference):
    # The same chart as PDF, rendered by poppler instead of cairo: other antialiasing, other
    # glyph rasterisation, the frame drawn on other pixels.
    out = draw(stores, "golden", R4, ["-m", "gpu0.power,gpu0.gpu.clock_sm"], tmp_path / "c.pdf")
    assert compare_rasters(raster_of(out, tmp_path), reference) is None
    # a shift by one pixel of the whole chart
    import numpy
    assert compare_rasters(numpy.roll(reference, 1, axis=1), reference) is None


def test_a_missing_series_fails(reference):
    import numpy
    orange = numpy.array([230, 159, 0])   # gpu0.power, the first Okabe-Ito colour
    near = (numpy.abs(reference - orange) < 60).all(axis=2)
    near[520:, :] = False                 # keep the legend's sample
    assert near.sum() > 500
    assert compare_rasters(erase(reference, near), reference) is not None


def test_a_missing_band_fails(reference):
    import numpy
    h, w, _ = reference.shape
    grey = (reference[:, :, 0] == reference[:, :, 2]) & (reference[:, :, 0] > 200) & \
        (reference[:, :, 0] < 250)
    cols = numpy.zeros((h, w), bool)
    cols[:, 440:760] = True               # the band of "epoch 2"
    assert (grey & cols).sum() > 10000
    assert compare_rasters(erase(reference, grey & cols), reference) is not None


def test_a_missing_axis_or_legend_fails(reference):
    import numpy
    h, w, _ = reference.shape
    right = numpy.zeros((h, w), bool)
    right[40:460, 1085:] = True           # the right axis' tick labels and its label
    legend = numpy.zeros((h, w), bool)
    legend[530:, :] = True                # the legend under the plot
    for region in (right, legend):
        changed = erase(reference, region)
        assert raster_difference(changed, reference).sum() > 0
        assert compare_rasters(changed, reference) is not None
