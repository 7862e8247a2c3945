"""The layout of aimeter plot's charts (docs/decisions.md, "Publication quality of the
charts"): every line solid, the phases' names above the plot where no data covers them,
panels sharing one row of time numbers, the example run's phases with their hints. Checked on
the SVG's structure (plot_images.svg_structure: each text with its position; shapes by
style), never on timing."""
import subprocess

from conftest import BUILD
from plot_images import svg_structure
from test_golden import R2, R4
from test_plot import golden, plot, svg_texts  # noqa: F401 (golden is a fixture)


def text_y(structure, text):
    """The y of each text element that reads `text` (PLplot's svg driver flips the page:
    y grows upwards)."""
    return [y for t, x, y, size in structure["texts"] if t == text]


def test_every_series_is_solid(golden, tmp_path):
    # two units, two axes: a dashed right axis was unreadable on dense data (and PLplot wrote
    # each dash as an element of its own)
    out = tmp_path / "c.svg"
    r = plot(golden, R4, "-m", "gpu0.power,gpu0.gpu.clock_sm", "-o", out)
    assert r.returncode == 0, r.stderr
    # PLplot's svg driver writes a dashed line as one element per dash: each series (one
    # unbroken line here) is one element, and its legend sample another
    shapes = svg_structure(out)["shapes"]
    for colour in ("#e69f00", "#56b4e9"):   # Okabe-Ito orange and sky blue
        n = sum(len(v) for style, v in shapes.items() if (style[1] or "").lower() == colour)
        assert n == 2, (colour, n)
    texts = svg_texts(out)
    assert "gpu0.power (left)" in texts and "gpu0.gpu.clock_sm (right)" in texts


def test_phase_names_above_the_plot(golden, tmp_path):
    out = tmp_path / "c.svg"
    r = plot(golden, R4, "-m", "gpu0.power", "-o", out)
    assert r.returncode == 0, r.stderr
    s = svg_structure(out)
    # R4's power axis reaches 400 W: its top number sits at the top of the plot; the phases'
    # names are above it (not over the data), a nested phase's under its parent's, the
    # markers' above both, the title above all
    top = max(text_y(s, "400"))
    epoch, step = max(text_y(s, "epoch 1")), max(text_y(s, "step"))
    marker, title = max(text_y(s, "checkpoint 1")), max(text_y(s, "train"))
    assert title > marker > epoch > step > top, (title, marker, epoch, step, top)


def test_panels_share_one_row_of_time_numbers(golden, tmp_path):
    out = tmp_path / "c.svg"
    r = plot(golden, R2, "--layout", "categories", "-o", out)
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    assert {"Energy", "Compute", "Memory"} <= set(texts)
    # the time axis's numbers once, under the last panel; the phases' names over the first
    assert texts.count("0.5") == 1 and texts.count("1.0") == 1, texts
    assert texts.count("epoch 1") == 1


def test_example_run_has_phase_hints(tmp_path):
    # bench/synth_run writes each GPU's utilisation per phase, as the writer does: the
    # example run's phases chart has bars and hints, not "no activity metric"
    db = tmp_path / "s.db"
    run = subprocess.run([str(BUILD / "bench" / "synth_run"), str(db), "120", "5"],
                         capture_output=True, text=True, timeout=120, check=True).stdout.strip()
    out = tmp_path / "phases.svg"
    r = plot(db, run, "--kind", "phases", "-o", out)
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    assert "GPU busy" in texts and "GPU mostly idle" in texts, texts
    assert "gpu0 utilisation" in texts
    assert not any("no activity metric" in t for t in texts)
