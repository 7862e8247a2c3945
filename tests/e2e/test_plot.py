"""aimeter plot: charts of stored runs drawn by PLplot, checked by structure (SVG parsed as
XML, the PNG's IHDR chunk, the PDF rendered by pdftoppm), never by timing. The runs are the
golden store's (tests/fixtures/store/golden.sql) and one measured through the fake NVML."""
import os
import shutil
import sqlite3
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO, assert_one_error, gpu_env, ls_json, run_aimeter
# R4: 2 GPUs, phases epoch 1..3 with a step inside each; R5: no GPU, prefill then decode
# (left open)
from test_golden import R4, R5, load_store


@pytest.fixture
def golden(tmp_path):
    db = tmp_path / "golden.db"
    load_store(db)
    return db


# Under run-tests.sh's ASan pass: PLplot's and the font stack's own allocations kept until
# exit are not aimeter's leaks (the file says which libraries).
LSAN = {"LSAN_OPTIONS": f"suppressions={Path(__file__).parent / 'plot.lsan.supp'}:print_suppressions=0"}


def plot(db, run, *args):
    return run_aimeter("plot", run, "--db", db, *args, env=LSAN)


def svg_texts(path):
    """Every text element's text, in document order."""
    root = ET.parse(path).getroot()
    return ["".join(e.itertext()) for e in root.iter() if e.tag.endswith("}text")]


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_svg_two_units_two_axes(golden, tmp_path):
    out = tmp_path / "chart.svg"
    r = plot(golden, R4, "-m", "gpu0.power,gpu0.gpu.clock_sm", "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr == ""
    texts = svg_texts(out)
    # the left axis in W, the right one in MHz, the time axis in s, a legend saying which
    for t in ("gpu0.power [W]", "gpu0.gpu.clock_sm [MHz]", "time since the run's start [s]",
              "gpu0.power (left)", "gpu0.gpu.clock_sm (right)", "train"):
        assert t in texts, (t, texts)
    # the phases, labelled
    for t in ("epoch 1", "epoch 2", "epoch 3", "step"):
        assert t in texts, (t, texts)
    assert "no samples in this window" not in texts


def test_one_unit_one_axis(golden, tmp_path):
    out = tmp_path / "chart.svg"
    r = plot(golden, R4, "-m", "gpu0.power, gpu1.power", "-o", out, "--title", "run #4")
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    assert "gpu0.power, gpu1.power [W]" in texts
    assert "gpu0.power" in texts and "gpu1.power" in texts
    assert not any("(left)" in t or "(right)" in t for t in texts)
    assert "run #4" in texts  # '#' is PLplot's escape: the title keeps it


def test_png_has_the_size_asked(golden, tmp_path):
    out = tmp_path / "chart.png"
    r = plot(golden, R4, "-m", "gpu0.power", "-o", out)
    assert r.returncode == 0, r.stderr
    assert png_size(out) == (1200, 600)
    r = plot(golden, R4, "-m", "gpu0.power", "-o", out, "--size", "640x480", "--dpi", "150")
    assert r.returncode == 0, r.stderr
    assert png_size(out) == (640, 480)


def test_pdf_renders(golden, tmp_path):
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (poppler-utils, bootstrap.sh) is needed"
    out = tmp_path / "chart.pdf"
    r = plot(golden, R4, "-m", "gpu0.power,gpu0.temperature", "-o", out, "--phase", "epoch 2")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"%PDF")
    subprocess.run([pdftoppm, "-png", "-r", "20", "-singlefile", str(out), str(tmp_path / "page")],
                   check=True, timeout=60)
    w, h = png_size(tmp_path / "page.png")
    assert w > 0 and h > 0


def test_run_measured_with_fake_nvml(db, tmp_path):
    r = run_aimeter("run", "-q", "--db", db, "-i", "50ms", "-n", "fake gpus", "--", "sleep", "0.3",
                    env=gpu_env())
    assert r.returncode == 0, r.stderr
    run = ls_json(db)[0]["id"]
    out = tmp_path / "chart.svg"
    r = plot(db, run, "-m", "gpu0.power,gpu1.power,gpu0.gpu.clock_sm", "-o", out)
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    assert "gpu0.power, gpu1.power [W]" in texts and "gpu0.gpu.clock_sm [MHz]" in texts
    assert "fake gpus" in texts
    out = tmp_path / "chart.png"
    r = plot(db, run, "-m", "gpu0.power", "-o", out, "--size", "300x200")
    assert r.returncode == 0, r.stderr
    assert png_size(out) == (300, 200)


def test_a_failed_draw_keeps_the_chart(golden, tmp_path):
    # the chart is drawn into a file beside it and renamed onto it once complete
    out = tmp_path / "c.svg"
    assert plot(golden, R4, "-m", "gpu0.power", "-o", out).returncode == 0
    old = out.read_bytes()

    def beside():
        return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("c.svg"))
    # refused before drawing
    r = plot(golden, R4, "-m", "nope", "-o", out)
    assert r.returncode == 64 and out.read_bytes() == old
    # PLplot's error exit once the page is drawn (the test seam): it ends the process (70),
    # the chart is as it was and nothing is left beside it
    r = run_aimeter("plot", R4, "--db", golden, "-m", "gpu1.power", "-o", out,
                    env={**LSAN, "AIMETER_TEST_PLOT_FAULT": "exit"})
    assert r.returncode == 70, r.stderr
    assert out.read_bytes() == old and beside() == ["c.svg"]
    # a draw that works replaces it, keeping its mode
    out.chmod(0o640)
    r = plot(golden, R4, "-m", "gpu1.power", "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() != old and "gpu1.power [W]" in svg_texts(out)
    assert out.stat().st_mode & 0o777 == 0o640 and beside() == ["c.svg"]
    # a directory that does not exist: 73 before anything is drawn
    r = plot(golden, R4, "-m", "gpu1.power", "-o", tmp_path / "none" / "c.svg")
    assert "cannot write" in assert_one_error(r, 73)


def test_unknown_metric_lists_the_run_s(golden, tmp_path):
    out = tmp_path / "chart.png"
    r = plot(golden, R4, "-m", "gpu0.power,gpu0.sm_clock", "-o", out)
    line = assert_one_error(r, 64)
    assert "unknown metric 'gpu0.sm_clock'" in line
    assert "gpu0.gpu.clock_sm" in line and "host.cpu.core_util[0-1]" in line
    assert not out.exists()


def test_a_third_unit_is_refused(golden, tmp_path):
    r = plot(golden, R4, "-m", "gpu0.power,gpu0.gpu.clock_sm,host.cpu.util", "-o",
             tmp_path / "c.png")
    line = assert_one_error(r, 64)
    assert "third y-axis" in line and "W" in line and "MHz" in line


@pytest.mark.parametrize("name", ["chart.jpg", "chart", "chart.png.txt"])
def test_format_from_the_extension(golden, tmp_path, name):
    r = plot(golden, R4, "-m", "gpu0.power", "-o", tmp_path / name)
    line = assert_one_error(r, 64)
    assert ".png, .svg or .pdf" in line
    assert not (tmp_path / name).exists()


def test_unknown_phase(golden, tmp_path):
    r = plot(golden, R4, "-m", "gpu0.power", "-o", tmp_path / "c.png", "--phase", "decode")
    assert_one_error(r, 66)


def test_phase_window(golden, tmp_path):
    out = tmp_path / "c.svg"
    r = plot(golden, R4, "-m", "gpu0.power", "-o", out, "--phase", "epoch 2")
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    assert "epoch 2" in texts and "epoch 1" not in texts and "epoch 3" not in texts


@pytest.mark.parametrize("args", [["--from", "1", "--to", "0.5"], ["--size", "12x600"],
                                  ["--size", "1200"], ["--dpi", "0"], ["--from", "-1"],
                                  ["-m", ""]])
def test_bad_options(golden, tmp_path, args):
    r = plot(golden, R4, "-m", "gpu0.power", "-o", tmp_path / "c.png", *args)
    assert_one_error(r, 64)


def test_window_without_samples(golden, tmp_path):
    out = tmp_path / "c.svg"
    r = plot(golden, R4, "-m", "gpu0.power", "-o", out, "--from", "100", "--to", "200")
    assert r.returncode == 0, r.stderr
    assert "no samples in this window" in svg_texts(out)


def test_run_without_samples(golden, tmp_path):
    con = sqlite3.connect(golden)
    con.execute("DELETE FROM chunks WHERE run_id = ?", (R4,))
    con.commit()
    con.close()
    out = tmp_path / "c.svg"
    r = plot(golden, R4, "-m", "gpu0.power", "-o", out)
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    assert "no samples in this window" in texts and "gpu0.power [W]" in texts


def test_one_sample(golden, tmp_path):
    # the run's first tick is at 1.1 ms, its second at 51 ms (export --csv shows them)
    out = tmp_path / "c.png"
    r = plot(golden, R4, "-m", "host.mem.used", "-o", out, "--to", "0.03")
    assert r.returncode == 0, r.stderr
    assert png_size(out) == (1200, 600)


def test_open_phase_and_no_gpu(golden, tmp_path):
    out = tmp_path / "c.svg"
    r = plot(golden, R5, "-m", "host.cpu.util,cpu0.power", "-o", out)
    assert r.returncode == 0, r.stderr
    texts = svg_texts(out)
    assert "prefill" in texts and "decode" in texts
    assert "host.cpu.util [%]" in texts and "cpu0.power [W]" in texts


def test_help_lists_the_options():
    r = run_aimeter("plot", "--help")
    assert r.returncode == 0
    for opt in ("-m, --metrics", "-o, --output", "--from S", "--to S", "--phase NAME",
                "--size WxH", "--dpi N", "--title TEXT", "--db PATH"):
        assert opt in r.stdout


# Threads drawing at once through the library (ctypes releases the GIL in each call): PLplot's
# state is global, so aim_plot_render draws one chart at a time (report/plot_render.c).
CONCURRENT = r"""
import ctypes, os, sys, threading
lib = ctypes.CDLL(os.environ["AIMETER_LIBRARY"])

# the Python package's one definition of struct aim_plot_request (tests/python checks it
# against the header)
sys.path.insert(0, os.environ["AIMETER_PYTHON"])
from aimeter._plot import PlotRequest as Req

lib.aim_store_errmsg.restype = ctypes.c_char_p
db, run, out = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3]
results = {}

def draw(i):
    store = ctypes.c_void_p()
    assert lib.aim_store_new(ctypes.byref(store)) == 0
    assert lib.aim_store_open(store, db, 1) == 0
    for k in range(3):
        ext = ("png", "svg", "pdf")[(i + k) % 3]
        req = Req(metrics=b"gpu0.power,gpu0.gpu.clock_sm",
                  output=f"{out}/c{i}-{k}.{ext}".encode(), width=400 + 10 * i, height=300)
        r = lib.aim_plot_render(store, run, ctypes.byref(req))
        results[(i, k)] = (r, lib.aim_store_errmsg(store))
    lib.aim_store_free(store)

threads = [threading.Thread(target=draw, args=(i,)) for i in range(6)]
for t in threads: t.start()
for t in threads: t.join()
bad = {k: v for k, v in results.items() if v[0] != 0}
print("ok" if len(results) == 18 and not bad else bad)
"""


def test_threads_draw_at_once(golden, tmp_path):
    from fakeproc import library_env
    from conftest import PYTHON
    env = dict(os.environ)
    env.update(library_env())
    env["AIMETER_PYTHON"] = str(REPO / "python")
    r = subprocess.run([PYTHON, "-c", CONCURRENT, str(golden), R4, str(tmp_path)], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stdout + r.stderr
    for i in range(6):
        for k in range(3):
            ext = ("png", "svg", "pdf")[(i + k) % 3]
            path = tmp_path / f"c{i}-{k}.{ext}"
            if ext == "png":
                assert png_size(path) == (400 + 10 * i, 300)
            elif ext == "svg":
                assert "gpu0.power [W]" in svg_texts(path)
            else:
                assert path.read_bytes().startswith(b"%PDF") and b"%%EOF" in path.read_bytes()
