"""Summary.plot() (matplotlib, else the library's aim_plot_render) and Summary._repr_html_()
(the HTML report in an iframe, else a table), on the golden store's runs and on
bench/synth_run's synthetic one: fixed runs, nothing timed."""
import ctypes
import html.parser
import re
import subprocess
import types
import xml.etree.ElementTree as ET

import pytest

import aimeter
from aimeter import _lib, _plot
from conftest import BUILD, REPO, run_python
from test_reading import golden  # noqa: F401  (the golden store, a fixture)

R4 = "20261207-083158-a90897"   # 2 GPUs, epoch 1..3 each with a nested step
R5 = "20261207-083159-769624"   # no GPU, prefill then decode (left open)
SYNTH = "20261207-120000-5e1f0a"  # bench/synth_run.c's run


def has_html_format():
    try:
        _lib.format_code("html")
        return True
    except ValueError:
        return False


def matplotlib_or_skip():
    return pytest.importorskip("matplotlib", reason="python3-matplotlib (bootstrap.sh) is not installed")


# ------------------------------------------------------------------ matplotlib

def test_plot_draws_the_cli_s_choices(golden, tmp_path):
    matplotlib_or_skip()
    s = aimeter.load(R4, db=golden)
    out = tmp_path / "chart.png"
    fig = s.plot("gpu0.power,gpu0.gpu.clock_sm", out)
    assert type(fig).__name__ == "Figure"
    left, right = fig.axes[0], fig.axes[1]          # one y-axis per unit
    assert left.get_ylabel() == "gpu0.power [W]" and right.get_ylabel() == "gpu0.gpu.clock_sm [MHz]"
    assert left.get_xlabel() == "time since the run's start [s]"
    (power,), (clock,) = left.get_lines(), right.get_lines()
    assert power.get_color() == "#E69F00" and clock.get_color() == "#56B4E9"   # Okabe-Ito
    assert power.get_linestyle() == "-" and clock.get_linestyle() == "-"      # solid, as the CLI
    assert clock.get_linewidth() < power.get_linewidth()                        # right: thinner
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["gpu0.power (left)", "gpu0.gpu.clock_sm (right)"]
    # phases: a band per instance (3 epochs, 3 nested steps), labelled
    assert len(left.patches) == 6
    labels = [t.get_text() for t in left.texts]
    assert {"epoch 1", "epoch 2", "epoch 3", "step"} <= set(labels)
    assert fig._suptitle.get_text() == "train"
    assert not any("min/max" in t.get_text() for t in fig.texts)   # 27 samples: none decimated
    from PIL import Image
    with Image.open(out) as im:
        assert im.size == (1200, 600)


def test_one_unit_one_axis_title_size(golden, tmp_path):
    matplotlib_or_skip()
    fig = aimeter.load(R4, db=golden).plot(["gpu0.power", "gpu1.power"], title="run #4",
                                           size="640x480", dpi=80)
    assert len(fig.axes) == 1 and fig.axes[0].get_ylabel() == "gpu0.power, gpu1.power [W]"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["gpu0.power", "gpu1.power"]
    assert fig._suptitle.get_text() == "run #4"
    assert tuple(fig.get_size_inches() * fig.dpi) == (640, 480)


def test_long_run_is_decimated_and_says_so(tmp_path):
    matplotlib_or_skip()
    db = tmp_path / "synth.db"
    r = subprocess.run([str(BUILD / "bench" / "synth_run"), str(db), "600", "10"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    fig = aimeter.load(SYNTH, db=db).plot("gpu0.power", size=(400, 300))
    (line,) = fig.axes[0].get_lines()
    pixels = int(0.87 * 400)
    assert len(line.get_xdata()) <= 2 * pixels + 2 < 6000
    # the peaks survive the decimation: the highest and lowest samples are drawn
    power = [row["gpu0.power [W]"] for row in aimeter.load(SYNTH, db=db).samples(as_frame=False)]
    assert max(line.get_ydata()) == max(power) and min(line.get_ydata()) == min(power)
    notes = [t.get_text() for t in fig.texts if "samples per pixel" in t.get_text()]
    assert len(notes) == 1 and notes[0].startswith("min/max of up to ")


def test_decimation_is_the_cli_s_rule():
    """_plot._decimate follows src/lib/processing/decimate.c (decimate.h's rule): a gap
    inside a bucket that also has samples breaks the line there (a NaN point), consecutive
    gaps are one break, a later gap of the bucket followed by a sample is folded into its
    second segment, a flat segment is one point, a line does not start with a gap."""
    nan = float("nan")
    x = list(range(20))
    y = [nan, 9, 4, nan, nan, 2, 7, nan, 3, 5] + [6] * 5 + [nan] * 5
    y[0] = 1
    xs, ys, most = _plot._decimate(x, y, 0, 20, 2)
    assert list(xs) == [0, 1, 3, 5, 6, 10, 15]
    assert [None if v != v else v for v in ys] == [1, 9, None, 2, 7, 6, None]
    assert most == 5
    # a leading gap is no break; two samples or fewer per bucket are kept as they are
    xs, ys, most = _plot._decimate([0, 1, 2, 3], [nan, 1, nan, 2], 0, 4, 4)
    assert list(xs) == [1, 2, 3] and ys[0] == 1 and ys[1] != ys[1] and ys[2] == 2 and most == 0


def test_gap_inside_a_decimated_pixel_breaks_the_line(tmp_path, monkeypatch):
    """A run whose gpu0.power misses 3 samples (0.3 s) inside a pixel of 1.7 s: the line
    breaks there, as the CLI's chart does, instead of bridging the gap with the pixel's
    min and max."""
    matplotlib_or_skip()
    db = tmp_path / "synth.db"
    r = subprocess.run([str(BUILD / "bench" / "synth_run"), str(db), "600", "10"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    from aimeter.summary import _Store
    real = _Store.samples

    def with_gap(self, run_id, columns, as_frame):
        rows = real(self, run_id, columns, as_frame)
        for row in rows:
            if 300.0 <= row["time_s"] < 300.25:
                row["gpu0.power [W]"] = None
        return rows
    monkeypatch.setattr(_Store, "samples", with_gap)
    fig = aimeter.load(SYNTH, db=db).plot("gpu0.power", size=(400, 300))
    (line,) = fig.axes[0].get_lines()
    xs, ys = line.get_xdata(), line.get_ydata()
    breaks = [x for x, v in zip(xs, ys) if v != v]
    assert len(breaks) == 1 and 300.0 <= breaks[0] < 300.25, breaks
    # the pixel is decimated (more than 2 samples each) and its samples are drawn around it
    assert any("samples per pixel" in t.get_text() for t in fig.texts)
    i = list(xs).index(breaks[0])
    assert ys[i - 1] == ys[i - 1] and ys[i + 1] == ys[i + 1]


def test_window_phase_and_open_phase(golden):
    matplotlib_or_skip()
    s = aimeter.load(R4, db=golden)
    e2 = s.phase("epoch 2")
    fig = s.plot("gpu0.power", phase="epoch 2")
    x0, x1 = fig.axes[0].get_xlim()
    assert x0 == pytest.approx(e2.first_s) and x1 == pytest.approx(e2.first_s + e2.duration_s)
    assert all(x0 <= x <= x1 for x in fig.axes[0].get_lines()[0].get_xdata())
    fig = s.plot("gpu0.power", start=0.2, end=0.6)
    assert fig.axes[0].get_xlim() == pytest.approx((0.2, 0.6))
    with pytest.raises(aimeter.AimeterError) as e:
        s.plot("gpu0.power", phase="decode")
    assert e.value.errno == 2
    fig = s.plot("gpu0.power", start=100, end=200)
    assert "no samples in this window" in [t.get_text() for t in fig.axes[0].texts]
    # R5: no GPU, its last phase still open at the end: a band to the run's end
    fig = aimeter.load(R5, db=golden).plot("host.cpu.util,cpu0.power")
    assert {"prefill", "decode"} <= {t.get_text() for t in fig.axes[0].texts}
    assert [a.get_ylabel() for a in fig.axes] == ["host.cpu.util [%]", "cpu0.power [W]"]


@pytest.mark.parametrize("args, message", [
    (("gpu0.sm_clock",), "unknown metric 'gpu0.sm_clock'; this run has: "),
    (("gpu0.power,gpu0.gpu.clock_sm,host.cpu.util",), "third y-axis"),
    (("gpu0.power", "chart.jpg"), ".png, .svg or .pdf"),
    (("",), "bad metric list"),
    ((",".join(f"gpu{g}.{m}" for g in (0, 1) for m in ("power", "temperature", "gpu.util",
                                                         "gpu.clock_sm")) + ",host.cpu.util",),
     "more than 8 metrics"),
])
def test_bad_input_is_a_clear_error(golden, tmp_path, args, message):
    s = aimeter.load(R4, db=golden)
    with pytest.raises(ValueError) as e:
        s.plot(*args)
    assert message in str(e.value)
    if "unknown metric" in message:
        assert "gpu0.gpu.clock_sm" in str(e.value)


@pytest.mark.parametrize("kwargs, message", [
    ({"size": "12x600"}, "bad size"), ({"size": "big"}, "bad size"), ({"dpi": 0}, "bad dpi"),
    ({"start": 1, "end": 0.5}, "start must be before end"), ({"start": -1}, "bad time"),
    ({"smooth": "soon"}, "bad duration 'soon'"), ({"smooth": -2}, "bad smooth"),
    ({"others": [types.SimpleNamespace(run_id=R5, db="/elsewhere/aimeter.db")]}, "another store"),
])
def test_bad_options(golden, kwargs, message):
    with pytest.raises(ValueError) as e:
        aimeter.load(R4, db=golden).plot("gpu0.power", **kwargs)
    assert message in str(e.value)


# ------------------------------------------------------------------ without matplotlib

NO_MATPLOTLIB = """
import sys
sys.modules["matplotlib"] = None          # import matplotlib raises ImportError
import aimeter
s = aimeter.load({run!r}, db={db!r})
print(s.plot("gpu0.power,gpu0.gpu.clock_sm", {out!r}, size="800x400", title="no mpl"))
chart = s.plot("gpu0.power", size=(640, 320))      # no output: the library's PNG
print(repr(chart), chart._repr_png_()[:8] == b"\\x89PNG\\r\\n\\x1a\\n")
"""


def test_without_matplotlib_the_library_draws_the_file(golden, tmp_path):
    out = tmp_path / "chart.svg"
    r = run_python(NO_MATPLOTLIB.format(run=R4, db=golden, out=str(out)))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == str(out)
    assert lines[1].startswith("<aimeter.Chart PNG 640x320, ") and lines[1].endswith(" True")
    root = ET.parse(out).getroot()   # the CLI's own SVG (PLplot): its texts are text
    texts = ["".join(e.itertext()) for e in root.iter() if e.tag.endswith("}text")]
    assert "gpu0.power [W]" in texts and "gpu0.gpu.clock_sm [MHz]" in texts and "no mpl" in texts
    assert root.get("width") == "800pt"
    # the library's errors come back as AimeterError with its message
    r = run_python("import sys\nsys.modules['matplotlib'] = None\nimport aimeter\n"
                   f"aimeter.load({R4!r}, db={golden!r}).plot('gpu0.power', "
                   f"{str(tmp_path / 'x.png')!r}, phase='nope')")
    assert r.returncode != 0 and "AimeterError" in r.stderr and "nope" in r.stderr, r.stderr


# ------------------------------------------------------------------ notebooks

class _Iframe(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.found.append(dict(attrs))


def iframe_of(markup):
    p = _Iframe()
    p.feed(markup)
    p.close()
    assert len(p.found) == 1, markup[:200]
    return p.found[0]


def test_repr_html_table_without_the_html_format(golden, monkeypatch):
    # the library's answer when it has no HTML report (aim_format_parse("html") fails)
    def no_html(name):
        raise ValueError(f"{name!r}: not a format")
    monkeypatch.setattr(_lib, "format_code", no_html)
    s = aimeter.load(R4, db=golden)
    out = s._repr_html_()
    assert out.startswith('<table class="aimeter-summary">') and "<iframe" not in out
    assert R4 in out and "epoch 2" in out and " J" in out
    s.name = '<script>alert("x")</script> & co'
    out = s._repr_html_()
    assert "<script>" not in out and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in out


def test_repr_html_iframe_holds_the_document_escaped(golden, monkeypatch):
    # Whatever the format, the document goes into srcdoc escaped and comes back the same
    # (here the Markdown report, which every library has; the next test: the HTML one).
    md = _lib.format_code("markdown")
    monkeypatch.setattr(_lib, "format_code", lambda name: md)
    s = aimeter.load(R5, db=golden)
    doc = s.markdown() + '\n<b class="x">&amp; "quotes" \'single\'</b>'
    monkeypatch.setattr(_lib, "take_string", lambda ptr, real=_lib.take_string: real(ptr) +
                        '\n<b class="x">&amp; "quotes" \'single\'</b>')
    out = s._repr_html_()
    assert out.startswith('<iframe sandbox="allow-scripts" srcdoc="') and out.endswith("</iframe>")
    # scripts only: no allow-same-origin (the report would reach the notebook's page)
    assert iframe_of(out)["sandbox"] == "allow-scripts"
    inner = out[len('<iframe sandbox="allow-scripts" srcdoc="'):out.index('" style=')]
    assert '"' not in inner and "<" not in inner   # nothing leaves the attribute
    assert iframe_of(out)["srcdoc"] == doc
    assert "height" in iframe_of(out)["style"]


@pytest.mark.skipif(not has_html_format(), reason="this libaimeter has no HTML report yet "
                    "(aim_format_parse(\"html\") fails): the i13-html branch adds it")
def test_repr_html_is_the_html_report_in_an_iframe(golden):
    s = aimeter.load(R4, db=golden)
    from aimeter.summary import _Store
    with _Store(golden) as store:
        doc = store.render(R4, "html")
    out = s._repr_html_()
    assert out.startswith("<iframe ")
    assert iframe_of(out)["srcdoc"] == doc
    assert "<html" in doc.lower() and R4 in doc


# ------------------------------------------------------------------ every kind: the CLI's file

def cli(*args):
    return subprocess.run([str(BUILD / "src" / "cli" / "aimeter"), "plot", *args],
                          capture_output=True, text=True, timeout=60)


# (the CLI's arguments after RUN, plot()'s arguments): the library draws each of them, with
# matplotlib or without, so the files are the same bytes
KINDS = [
    (["-m", "gpu0.power,gpu0.gpu.clock_sm", "--smooth", "200ms"],
     dict(metrics="gpu0.power,gpu0.gpu.clock_sm", smooth="200ms")),
    (["-m", "gpu0.power", "--smooth", "0.25"], dict(metrics=["gpu0.power"], smooth=0.25)),
    (["--layout", "categories", "--from", "0.1", "--to", "0.8"],
     dict(layout="categories", start=0.1, end=0.8)),
    (["--kind", "phases", "--title", "per phase"], dict(kind="phases", title="per phase")),
    (["--kind", "scatter", "-m", "gpu0.power,gpu0.gpu.util", "--phase", "epoch 2"],
     dict(kind="scatter", metrics="gpu0.power,gpu0.gpu.util", phase="epoch 2")),
    (["--kind", "corr", "--size", "700x700"], dict(kind="corr", size=(700, 700))),
    (["--kind", "cumulative", "--dpi", "80"], dict(kind="cumulative", dpi=80)),
    (["--kind", "zones", "--zones", "CA-SK,CA-MB,FR"],
     dict(kind="zones", zones=["CA-SK", "CA-MB", "FR"])),
    (["-m", "host.cpu.util", R5], dict(metrics="host.cpu.util", others=[R5])),
]


@pytest.mark.parametrize("args, kwargs", KINDS, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_every_kind_is_the_cli_s_file(golden, tmp_path, args, kwargs):
    ours, theirs = tmp_path / "py.svg", tmp_path / "cli.svg"
    s = aimeter.load(R4, db=golden)
    if "others" in kwargs:   # a Summary of the same store is a run too
        kwargs = dict(kwargs, others=[aimeter.load(R5, db=golden)])
    assert s.plot(output=ours, **kwargs) == str(ours)
    r = cli(R4, *args, "-o", str(theirs), "--db", golden)
    assert r.returncode == 0, r.stderr
    assert ours.read_bytes() == theirs.read_bytes()
    ET.parse(ours)


def test_png_and_no_output(golden, tmp_path):
    from PIL import Image
    s = aimeter.load(R4, db=golden)
    s.plot(kind="cumulative", output=tmp_path / "py.png", size="640x360")
    r = cli(R4, "--kind", "cumulative", "--size", "640x360", "-o", str(tmp_path / "cli.png"),
            "--db", golden)
    assert r.returncode == 0, r.stderr
    with Image.open(tmp_path / "py.png") as a, Image.open(tmp_path / "cli.png") as b:
        assert a.size == b.size == (640, 360)
    chart = s.plot(kind="corr", size=(500, 400))   # no output: a Chart a notebook shows
    assert isinstance(chart, _plot.Chart) and chart._repr_png_()[:4] == b"\x89PNG"
    chart.save(tmp_path / "corr.png")
    with Image.open(tmp_path / "corr.png") as im:
        assert im.size == (500, 400)


@pytest.mark.parametrize("args, kwargs", [
    (["-m", "gpu0.nope"], dict(metrics="gpu0.nope", smooth=1)),          # unknown metric
    (["--kind", "pie"], dict(kind="pie")),                               # unknown kind
    (["--kind", "zones", "--zones", "XX-NOWHERE"], dict(kind="zones", zones="XX-NOWHERE")),
    (["--kind", "scatter", "-m", "gpu0.power"], dict(kind="scatter", metrics="gpu0.power")),
    (["--layout", "grid", "-m", "gpu0.power"], dict(layout="grid", metrics="gpu0.power")),
    (["--kind", "phases"], dict(kind="phases", run="20261207-083154-1c4460")),
])
def test_library_errors_carry_its_message(golden, tmp_path, args, kwargs):
    run = kwargs.pop("run", R4)
    r = cli(run, *args, "-o", str(tmp_path / "cli.svg"), "--db", golden)
    assert r.returncode in (64, 65), r.stderr
    message = r.stderr.strip().split("plot: ", 1)[1]   # the library's one line
    with pytest.raises(aimeter.AimeterError) as e:
        aimeter.load(run, db=golden).plot(output=tmp_path / "py.svg", **kwargs)
    assert e.value.detail == message and message in str(e.value)


def test_series_needs_metrics(golden):
    with pytest.raises(ValueError, match="needs metrics"):
        aimeter.load(R4, db=golden).plot()


def test_markers_are_ticks_on_the_matplotlib_chart(golden):
    matplotlib_or_skip()
    import sqlite3
    con = sqlite3.connect(golden)
    texts = [t for (t,) in con.execute("SELECT text FROM marks WHERE run_id = ?", (R4,))]
    con.close()
    assert len(texts) == 3
    fig = aimeter.load(R4, db=golden).plot("gpu0.power")
    ax = fig.axes[0]
    assert len(ax.collections) == 3                       # one tick per marker
    assert set(texts) <= {t.get_text() for t in ax.texts}
    assert len(ax.get_lines()) == 1                       # the ticks are not series


def _header_fields():
    """aim_plot_request's fields as include/aimeter.h declares them: [(name, C type)]."""
    text = (REPO / "include" / "aimeter.h").read_text()
    body = re.search(r"typedef struct aim_plot_request \{(.*?)\} aim_plot_request;", text, re.S)[1]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    fields = []
    for decl in filter(None, (d.strip() for d in body.split(";"))):
        m = re.match(r"((?:const\s+)?\w+(?:\s*\*\s*(?:const\s*)?)*)\s*(\w.*)$", decl, re.S)
        ctype, names = m[1], m[2]
        for name in (n.strip() for n in names.split(",")):
            stars = len(re.match(r"\**", name)[0])
            fields.append((name.lstrip("*"), re.sub(r"\s+", " ", ctype + "*" * stars).strip()))
    return fields


C_TYPES = {"const char *": ctypes.c_char_p, "int": ctypes.c_int, "double": ctypes.c_double,
           "size_t": ctypes.c_size_t, "const char *const *": ctypes.POINTER(ctypes.c_char_p)}


def test_request_struct_matches_the_header():
    fields = _header_fields()
    assert [n for n, _ in fields][:3] == ["metrics", "output", "width"]   # the parse works
    ours = list(_plot.PlotRequest._fields_)
    theirs = [(n, C_TYPES.get(t, f"unknown C type {t!r}")) for n, t in fields]
    assert ours == theirs   # a field added in C (or Python) alone fails here


def test_repr_html_of_a_long_run_is_the_cli_s_report(tmp_path):
    # bench/synth_run's run: 600 s of samples, decimated by the HTML report
    db = tmp_path / "synth.db"
    r = subprocess.run([str(BUILD / "bench" / "synth_run"), str(db), "600", "10"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(BUILD / "src" / "cli" / "aimeter"), "report", SYNTH, "--format",
                        "html", "--db", str(db)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = aimeter.load(SYNTH, db=db)._repr_html_()
    assert out.startswith("<iframe ")
    assert iframe_of(out)["srcdoc"] == r.stdout


def test_every_run_object_shows_the_report(golden, tmp_path):
    # what a user gets for a run: the reader's Summary, the tracker and its summary, monitor's
    with aimeter.track("shown", interval="20ms", db=str(tmp_path / "t.db"), quiet=True) as t:
        assert t._repr_html_().startswith("<p>&lt;aimeter.Tracker ")   # running: one line
    html_doc = t.summary._repr_html_()
    assert html_doc.startswith("<iframe ") and t._repr_html_() == html_doc
    assert t.summary.run_id in iframe_of(html_doc)["srcdoc"]
    aimeter.monitor.start(task_name="shown2", sampling_interval=0.02, db=str(tmp_path / "t.db"),
                          quiet=True)
    s = aimeter.monitor.stop()
    assert s._repr_html_() == aimeter.load(s.run_id, db=tmp_path / "t.db")._repr_html_()
    assert s._repr_html_().startswith("<iframe ")
