"""Summary.plot() and Summary._repr_html_() (docs/python.md, "Charts and notebooks").

plot() takes every choice of `aimeter plot` (docs/cli.md). A plain time series (one run,
one panel, no smoothing) is drawn with matplotlib when it can be imported, making the CLI's
choices: the Okabe-Ito palette, one y-axis per unit (two at most, the right one's lines thinner),
phases as shaded bands labelled with their names, markers as ticks from the top axis,
the CLI's min/max decimation (gaps kept as breaks) said on the chart, units on every axis, the
legend under the plot. Everything else (the other kinds, the categories layout, smoothing,
several runs), and every chart when matplotlib is absent, is drawn by the library itself
(aim_plot_render, what the CLI runs), so the numbers are the library's. The samples are read
through the library (aim_samples_*), the phases' instances through aim_store_phase_ranges,
the markers from the HTML report's data (aim_report_render_html): no SQL, no CSV.
"""
from __future__ import annotations

import ctypes
import html
import math
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Tuple, Union
    from .summary import Summary

from . import _lib
from ._lib import AimeterError

# Okabe & Ito (2008): orange, sky blue, bluish green, vermillion, blue, reddish purple,
# yellow, black (report/plot_render.c's order).
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442",
             "#000000")
MAX_SERIES = 8
FORMATS = (".png", ".svg", ".pdf")
# plot(kind=...): "series" is the CLI's "timeseries" (both are taken); the library checks
# the kind, so an unknown one gets its message, which lists the valid ones.
KINDS = ("series", "phases", "scatter", "corr", "cumulative", "zones")


class _TimeRange(ctypes.Structure):
    _fields_ = [("t0_ns", ctypes.c_int64), ("t1_ns", ctypes.c_int64)]


class PlotRequest(ctypes.Structure):
    """struct aim_plot_request (include/aimeter.h): every field, in its order. The package's
    one definition; tests/python/test_plot.py compares it with the header's."""
    _fields_ = [("metrics", ctypes.c_char_p), ("output", ctypes.c_char_p),
                ("width", ctypes.c_int), ("height", ctypes.c_int), ("dpi", ctypes.c_int),
                ("title", ctypes.c_char_p), ("has_from", ctypes.c_int), ("has_to", ctypes.c_int),
                ("from_s", ctypes.c_double), ("to_s", ctypes.c_double),
                ("phase", ctypes.c_char_p), ("kind", ctypes.c_char_p),
                ("layout", ctypes.c_char_p), ("zones", ctypes.c_char_p),
                ("smooth_s", ctypes.c_double),
                ("more_runs", ctypes.POINTER(ctypes.c_char_p)), ("n_more_runs", ctypes.c_size_t)]


_c = ctypes
_lib.declare({
    "aim_store_phase_ranges": (_c.c_int, [_c.c_void_p, _c.c_char_p, _c.c_char_p,
                                          _c.POINTER(_c.POINTER(_TimeRange)),
                                          _c.POINTER(_c.c_size_t)]),
    "aim_plot_render": (_c.c_int, [_c.c_void_p, _c.c_char_p, _c.c_void_p]),
    "aim_report_render_html": (_c.c_int, [_c.c_void_p, _c.c_char_p, _c.c_char_p, _c.c_uint,
                                          _c.POINTER(_c.c_void_p)]),
})
_SERIES_UNIT = 3   # AIM_SERIES_UNIT


# ------------------------------------------------------------------ arguments

def _size(size: Any) -> Tuple[int, int]:
    """(width, height) in pixels; (0, 0) for None: the library's default, which depends on
    the chart (1200 x 600, taller for the categories' panels)."""
    if size is None:
        return 0, 0
    if isinstance(size, str):
        parts = size.lower().split("x")
        try:
            w, h = (int(p) for p in parts)
        except ValueError:
            raise ValueError(f"bad size {size!r}: WIDTHxHEIGHT in pixels, e.g. '1200x600'") from None
    else:
        w, h = (int(v) for v in size)
    if not (100 <= w <= 10000 and 100 <= h <= 10000):
        raise ValueError(f"bad size {w}x{h}: 100 to 10000 pixels each way")
    return w, h


def _names(metrics: Union[str, Sequence[str]]) -> List[str]:
    names = metrics.split(",") if isinstance(metrics, str) else list(metrics)
    names = [str(n).strip() for n in names]
    if not names or any(not n for n in names):
        raise ValueError(f"bad metric list {metrics!r}: names separated by commas")
    seen = []
    for n in names:
        if n not in seen:
            seen.append(n)
    if len(seen) > MAX_SERIES:
        raise ValueError(f"more than {MAX_SERIES} metrics: a chart shows {MAX_SERIES} at most")
    return seen


def _check(output: Any, dpi: int, start: Any, end: Any) -> None:
    if output is not None and os.path.splitext(os.fspath(output))[1].lower() not in FORMATS:
        raise ValueError(f"cannot tell the format of {os.fspath(output)!r}: the file must end in "
                         ".png, .svg or .pdf")
    if dpi is not None and not 30 <= int(dpi) <= 1200:
        raise ValueError(f"bad dpi {dpi}: 30 to 1200")
    for v in (start, end):
        if v is not None and (not math.isfinite(float(v)) or float(v) < 0):
            raise ValueError(f"bad time {v!r}: seconds since the run's start, 0 or more")
    if start is not None and end is not None and float(start) >= float(end):
        raise ValueError("bad time window: start must be before end")


def _smooth_s(smooth: Any) -> float:
    """smooth= as seconds: None (none), seconds (a number) or a duration string ("5s",
    "500ms": the CLI's --smooth, parsed by the library's aim_parse_duration)."""
    if smooth is None:
        return 0.0
    if isinstance(smooth, bool):
        raise TypeError("smooth: seconds or a duration string such as '5s', not a bool")
    if isinstance(smooth, str):
        return _lib.parse_duration(smooth.strip()) / 1e9
    v = float(smooth)
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"bad smooth {smooth!r}: a duration such as 5 (seconds), '5s' or '500ms'")
    return v


def _other_refs(summary: Summary, others: Any) -> List[Any]:
    """others= as a list of run references (a Summary of the same store, a run id or a
    prefix of one, "last")."""
    if others is None:
        return []
    if isinstance(others, (str, bytes)) or hasattr(others, "run_id"):
        others = [others]
    refs = list(others)
    for o in refs:
        if hasattr(o, "run_id"):
            if o.db is None or summary.db is None or \
                    os.path.realpath(o.db) != os.path.realpath(summary.db):
                raise ValueError(f"run {o.run_id} is in another store ({o.db}): several runs "
                                 "on one chart come from one store")
        elif not isinstance(o, str):
            raise TypeError(f"others: runs (Summary objects or run ids), not {type(o).__name__}")
    return refs


class Chart:
    """A chart the library drew as PNG: what plot() returns without output for a chart
    matplotlib does not draw. A notebook shows it (_repr_png_); save(path) writes it."""

    def __init__(self, png: bytes, width: int, height: int) -> None:
        self.png = png
        self.width, self.height = width, height

    def _repr_png_(self) -> bytes:
        return self.png

    def save(self, path: Any) -> None:
        """Writes the PNG (path should end in .png; other formats: plot(..., output=))."""
        with open(os.fspath(path), "wb") as f:
            f.write(self.png)

    def __repr__(self) -> str:
        return f"<aimeter.Chart PNG {self.width}x{self.height}, {len(self.png)} bytes>"


# ------------------------------------------------------------------ plot

def plot(summary: Summary, metrics: Union[None, str, Sequence[str]] = None, output: Any = None, *,
         kind: str = "series", layout: Optional[str] = None, zones: Any = None,
         smooth: Any = None, others: Any = None, start: Optional[float] = None,
         end: Optional[float] = None, phase: Optional[str] = None, size: Any = None,
         dpi: Optional[int] = None, title: Optional[str] = None) -> Any:
    series = kind in ("series", "timeseries")
    names = None if metrics is None else _names(metrics)
    width, height = _size(size)
    _check(output, dpi, start, end)
    smooth_s = _smooth_s(smooth)
    refs = _other_refs(summary, others)
    if not isinstance(zones, (str, type(None))):
        zones = ",".join(str(z) for z in zones)
    # as the CLI: a time series needs metrics (but for the categories layout), a scatter two
    if names is None and ((series and layout != "categories") or kind == "scatter"):
        raise ValueError(f"kind {kind!r} needs metrics, e.g. plot('gpu0.power,gpu0.gpu.clock_sm')"
                         " (Summary.samples() has the columns)")
    matplotlib_draws = series and layout in (None, "single") and not smooth_s and not refs
    if matplotlib_draws:
        try:
            import matplotlib  # noqa: F401  (the figure is made without pyplot's global state)
            from matplotlib.figure import Figure
        except ImportError:
            matplotlib_draws = False
    request = dict(metrics=None if names is None else ",".join(names), width=width,
                   height=height, dpi=int(dpi or 0), title=title, start=start, end=end, phase=phase,
                   kind="timeseries" if series else kind, layout=layout, zones=zones,
                   smooth_s=smooth_s)
    if not matplotlib_draws:
        if output is not None:
            _render_file(summary, refs, request, output)
            return os.fspath(output)
        import tempfile
        with tempfile.TemporaryDirectory(prefix="aimeter-plot-") as tmp:
            path = os.path.join(tmp, "chart.png")
            _render_file(summary, refs, request, path)
            with open(path, "rb") as f:
                png = f.read()
        # the size the library chose (PNG: width and height at bytes 16..24 of IHDR)
        return Chart(png, int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big"))
    assert names is not None
    chart = _read(summary, names, start, end, phase)
    dpi = int(dpi or 100)
    fig = _draw(Figure, chart, width or 1200, height or 600, dpi,
                title if title is not None else summary.name or summary.run_id)
    if output is not None:
        fig.savefig(os.fspath(output), dpi=dpi)
    return fig


def _render_file(summary: Summary, refs: List[Any], r: Dict[str, Any], output: Any) -> None:
    """The file drawn by aim_plot_render, as `aimeter plot` draws it: the library's errors
    (an unknown metric, kind, layout or zone, a phase the run lacks) are AimeterError with
    the library's message as detail."""
    from .summary import _Store
    with _Store(summary.db) as store:
        # further runs resolved as the CLI resolves them (an id, a prefix, "last")
        ids = [_lib.encode(o.run_id if hasattr(o, "run_id") else store.resolve(o)) for o in refs]
        more = (ctypes.c_char_p * max(len(ids), 1))(*ids)
        e = _lib.encode
        req = PlotRequest(metrics=e(r["metrics"]), output=e(output), width=r["width"],
                          height=r["height"], dpi=r["dpi"], title=e(r["title"]),
                          has_from=r["start"] is not None, has_to=r["end"] is not None,
                          from_s=float(r["start"] or 0), to_s=float(r["end"] or 0),
                          phase=e(r["phase"]), kind=e(r["kind"]), layout=e(r["layout"]),
                          zones=e(r["zones"]), smooth_s=r["smooth_s"],
                          more_runs=more if ids else None, n_more_runs=len(ids))
        # Zeroed room after the struct: a library whose request has grown fields at its end
        # reads them as 0, their documented default ("zero-initialise, then set").
        buf = ctypes.create_string_buffer(max(512, ctypes.sizeof(req)))
        ctypes.memmove(buf, ctypes.byref(req), ctypes.sizeof(req))
        rc = _lib.lib().aim_plot_render(store.handle, _lib.encode(summary.run_id), buf)
        if rc < 0:
            store.fail(rc, f"chart of run {summary.run_id}")


class _Chart:
    """What is drawn: series (name, unit, axis, times, values), the axes' units, the bands
    (name, depth, x0, x1) and the window."""

    def __init__(self) -> None:
        self.series: List[Dict[str, Any]] = []
        self.units: List[str] = []
        self.bands: List[Tuple[str, int, float, float]] = []
        self.marks: List[Tuple[str, float]] = []
        self.x0 = self.x1 = 0.0


def _marks(store: Any, run_id: str) -> List[Tuple[str, float]]:
    """The run's markers (text, s since the start), as the library reads them: the timeline
    of its HTML report's data (docs/report-json.md, aimeter.html/1; the fewest buckets, 10,
    since only the markers are wanted). The library has no other public reader of them."""
    import json
    out = ctypes.c_void_p()
    r = _lib.lib().aim_report_render_html(store.handle, _lib.encode(run_id), None, 10,
                                          ctypes.byref(out))
    if r < 0:
        store.fail(r, f"markers of run {run_id}")
    doc = _lib.take_string(out.value)
    head = '<script type="application/json" id="aimeter-data">'
    a = doc.index(head) + len(head)
    data = json.loads(doc[a:doc.index("</script>", a)])
    return [(m["text"], float(m["t"])) for m in data["timeline"]["marks"]]


def _ranges(store: Any, run_id: str, name: str) -> List[Tuple[float, float]]:
    ptr = ctypes.POINTER(_TimeRange)()
    n = ctypes.c_size_t()
    r = _lib.lib().aim_store_phase_ranges(store.handle, _lib.encode(run_id), _lib.encode(name),
                                          ctypes.byref(ptr), ctypes.byref(n))
    if r < 0:
        store.fail(r, f"phase {name!r} of run {run_id}")
    try:
        return [(ptr[i].t0_ns / 1e9, ptr[i].t1_ns / 1e9) for i in range(n.value)]
    finally:
        _lib.libc().free(ctypes.cast(ptr, ctypes.c_void_p))


def _read(summary: Summary, names: List[str], start: Any, end: Any, phase: Optional[str]) -> _Chart:
    from .summary import _Store
    chart = _Chart()
    duration = summary.duration_s or 0.0
    with _Store(summary.db) as store:
        with store.run_info(summary.run_id) as info:
            columns = info.columns()
            units = [info.item_text("series", i, _SERIES_UNIT) or "" for i in range(len(columns))]
        keys = [c[:-len(f" [{u}]")] if u and c.endswith(f" [{u}]") else c
                for c, u in zip(columns, units)]
        for name in names:
            if name not in keys:
                raise ValueError(f"unknown metric {name!r}; this run has: "
                                 f"{', '.join(keys) or 'no series'}")
            unit = units[keys.index(name)]
            if unit not in chart.units:
                if len(chart.units) == 2:
                    raise ValueError(f"{name!r} [{unit}] would need a third y-axis: a chart has "
                                     f"two units at most (here {chart.units[0]} and {chart.units[1]})")
                chart.units.append(unit)
            chart.series.append({"name": name, "unit": unit, "axis": chart.units.index(unit),
                                 "column": keys.index(name), "x": [], "y": []})
        # the window: the run, the phase's instances, then start/end (as aimeter plot)
        x0, x1 = 0.0, duration
        if phase is not None:
            spans = _ranges(store, summary.run_id, phase)
            if spans:
                x0, x1 = min(a for a, _ in spans), max(b for _, b in spans)
        if start is not None:
            x0 = max(x0, float(start))
        if end is not None:
            x1 = min(x1, float(end))
        chart.x0, chart.x1 = x0, max(x1, x0)
        # the phases' instances, a nested one (inside another) one level deeper
        spans_all = []
        for p in summary.phases:
            for a, b in _ranges(store, summary.run_id, p.name or ""):
                spans_all.append((p.name or "", a, b if b > a else duration))
        for name, a, b in spans_all:
            depth = sum(1 for n2, a2, b2 in spans_all
                        if (a2, b2, n2) != (a, b, name) and a2 <= a and b <= b2 and (b2 - a2) > (b - a))
            chart.bands.append((name, depth, a, b))
        if summary.marks:
            chart.marks = _marks(store, summary.run_id or "")
        rows = store.samples(summary.run_id, columns, False)
    for row in rows:
        t = row["time_s"]
        if t < chart.x0 or t > chart.x1:
            continue
        for s in chart.series:
            v = row[columns[s["column"]]]
            s["x"].append(t)
            s["y"].append(math.nan if v is None else v)
    return chart


def _decimate(x: List[float], y: List[float], x0: float, x1: float, pixels: int) -> Tuple[Any, Any, int]:
    """The CLI's decimation (src/lib/processing/decimate.c, its rule in decimate.h) over
    `pixels` buckets of [x0, x1], sample by sample: within a bucket the samples between two
    gaps form a segment, kept as it is when it has at most 2 samples, else as its minimum and
    maximum in the order they came (one point when they are one sample); a gap (NaN) ends the
    segment and is kept as a NaN point that breaks the line (consecutive gaps are one break,
    a line does not start with one); only a bucket's first gap splits it, a later one followed
    by a sample in that bucket is folded into its second segment, one still open at the
    bucket's end is kept. So a gap inside a pixel that also has samples still breaks the
    line, where the CLI's chart shows a break. Returns x, y and the most samples one
    segment's min/max stood for (0: every sample kept)."""
    import numpy
    x1 = max(x1, x0)
    span = x1 - x0
    buckets = max(1, pixels)
    out_x: List[float] = []
    out_y: List[float] = []
    most = 0
    seg: List[Tuple[float, float]] = []      # the open segment's first two samples
    lo = hi = (0.0, 0.0)                      # its minimum and maximum (t, v)
    count = 0
    bucket, gaps_here, pending, pending_t, in_gap, samples = -1, 0, False, 0.0, False, 0

    def flush() -> None:
        nonlocal count, most
        if count <= 2:
            for t, v in seg[:count]:
                out_x.append(t)
                out_y.append(v)
        else:
            most = max(most, count)
            if lo == hi:
                points = [lo]
            else:
                points = [lo, hi] if lo[0] <= hi[0] else [hi, lo]
            for t, v in points:
                out_x.append(t)
                out_y.append(v)
        count = 0
        seg.clear()

    for t, v in zip(x, y):
        if not x0 <= t <= x1:
            continue
        idx = min(max(int((t - x0) / span * buckets), 0), buckets - 1) if span > 0 else 0
        if idx != bucket:
            flush()
            if pending:
                out_x.append(pending_t)
                out_y.append(math.nan)
            pending, gaps_here, bucket = False, 0, idx
        if v is None or not math.isfinite(v):
            if in_gap or samples == 0:
                continue
            in_gap = True
            if gaps_here == 0:
                flush()
                out_x.append(t)
                out_y.append(math.nan)
                gaps_here = 1
            else:
                pending, pending_t = True, t
            continue
        in_gap, pending = False, False
        samples += 1
        if count < 2:
            seg.append((t, v))
        if count == 0 or v < lo[1]:
            lo = (t, v)
        if count == 0 or v > hi[1]:
            hi = (t, v)
        count += 1
    flush()
    if pending:
        out_x.append(pending_t)
        out_y.append(math.nan)
    return numpy.asarray(out_x, float), numpy.asarray(out_y, float), most


def _draw(Figure: Any, chart: _Chart, width: int, height: int, dpi: int, title: str) -> Any:
    import numpy
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    left, right = 0.09, 0.91 if len(chart.units) > 1 else 0.96
    ax = fig.add_axes((left, 0.22, right - left, 0.68))
    axes = [ax] + ([ax.twinx()] if len(chart.units) > 1 else [])
    pixels = max(1, int((right - left) * width))
    most = 0
    handles = []
    for i, s in enumerate(chart.series):
        x, y, n = _decimate(s["x"], s["y"], chart.x0, chart.x1, pixels)
        most = max(most, n)
        label = s["name"] + ((" (left)", " (right)")[s["axis"]] if len(chart.units) > 1 else "")
        # solid, the right axis's thinner and over the left's, as the CLI draws them
        line, = axes[s["axis"]].plot(x, y, color=OKABE_ITO[i], linewidth=(1.5, 1.0)[s["axis"]],
                                     zorder=2 + s["axis"], label=label)
        # a sample alone between gaps has no line to be part of: a dot
        if len(y):
            finite = ~numpy.isnan(y)
            prev = numpy.concatenate(([False], finite[:-1]))
            nxt = numpy.concatenate((finite[1:], [False]))
            alone = finite & ~prev & ~nxt
            if alone.any():
                axes[s["axis"]].plot(x[alone], y[alone], "o", color=OKABE_ITO[i], markersize=3)
        handles.append(line)
    for a, unit in zip(axes, chart.units):
        names = ", ".join(s["name"] for s in chart.series if s["unit"] == unit)
        a.set_ylabel(f"{names} [{unit}]" if unit else names)
    ax.set_xlabel("time since the run's start [s]")
    ax.set_xlim(chart.x0, chart.x1 if chart.x1 > chart.x0 else chart.x0 + 1)
    first_seen: List[str] = []
    for name, depth, a, b in chart.bands:
        if b <= chart.x0 or a >= chart.x1:
            continue
        if name not in first_seen:
            first_seen.append(name)
        shade = 0.12 if first_seen.index(name) % 2 == 0 else 0.22
        ax.axvspan(max(a, chart.x0), min(b, chart.x1), color="#808080", alpha=shade, linewidth=0,
                   zorder=0)
        share = (min(b, chart.x1) - max(a, chart.x0)) / max(chart.x1 - chart.x0, 1e-12)
        # about 1 % of the width per character, as the CLI's chart
        if share >= 0.012 * (len(name) + 1) * (100 / dpi) * (1200 / width) and depth <= 3:
            ax.text(max(a, chart.x0) + 0.004 * (chart.x1 - chart.x0), 1 - 0.05 * (1 + depth), name,
                    transform=ax.get_xaxis_transform(), fontsize=8, color="#404040", va="center")
    # markers: ticks down from the top axis, their text above it (as the CLI's chart)
    xaxis = ax.get_xaxis_transform()
    for text, t in chart.marks:
        if chart.x0 <= t <= chart.x1:
            ax.vlines(t, 0.97, 1.0, transform=xaxis, colors="#404040", linewidth=1,
                      clip_on=False, label="_marker")
            ax.text(t, 1.01, text, transform=xaxis, fontsize=7, color="#404040", ha="center",
                    va="bottom")
    if not any(len(s["x"]) and not all(math.isnan(v) for v in s["y"]) for s in chart.series):
        ax.text(0.5, 0.5, "no samples in this window", transform=ax.transAxes, ha="center",
                va="center", color="#404040")
    if most:
        fig.text(right, 0.915, f"min/max of up to {most} samples per pixel", ha="right",
                 va="bottom", fontsize=8, color="#404040")
    fig.suptitle(title, y=0.98)
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 3), frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    return fig


# ------------------------------------------------------------------ notebooks

def repr_html(summary: Summary) -> str:
    """The run's interactive HTML report in an iframe (the whole document, attribute-escaped,
    in srcdoc); a plain table when the library has no HTML report (aim_format_parse("html")
    fails) or the run cannot be rendered."""
    from .summary import _Store
    try:
        code = _lib.format_code("html")
    except ValueError:
        return _table(summary)
    try:
        with _Store(summary.db) as store:
            out = ctypes.c_void_p()
            r = _lib.lib().aim_report_render(store.handle, _lib.encode(summary.run_id), code,
                                             ctypes.byref(out))
            if r < 0:
                return _table(summary)
            doc = _lib.take_string(out.value)
    except AimeterError:
        return _table(summary)
    # sandboxed to scripts only: the report runs in an opaque origin, with no access to the
    # notebook's page, storage or cookies (it needs none: web/src uses no storage)
    return ('<iframe sandbox="allow-scripts" srcdoc="' + html.escape(doc, quote=True)
            + '" style="width: 100%; '
            'height: 720px; border: 1px solid #ddd" title="aimeter report '
            + html.escape(summary.run_id or "", quote=True) + '"></iframe>')


def _number(v: Optional[float], unit: str, digits: int = 4) -> str:
    return "n/a" if v is None else f"{v:.{digits}g} {unit}".strip()


def _table(summary: Summary) -> str:
    """The summary as a small HTML table (figures as the text report has them)."""
    e = lambda v: html.escape(str(v), quote=True)  # noqa: E731
    rows = [("run", summary.run_id), ("name", summary.name), ("status", summary.status),
            ("duration", _number(summary.duration_s, "s")),
            ("energy", _number(summary.energy_j, "J")),
            ("carbon", _number(summary.carbon_g, "g CO2e")),
            ("intensity", _number(summary.intensity_g_per_kwh, "g/kWh")
             + (f" ({summary.zone})" if summary.zone else ""))]
    if summary.cost is not None:
        rows.append(("cost", f"{summary.cost:.4g} {summary.currency}"))
    out = ['<table class="aimeter-summary">']
    out += [f"<tr><th style=\"text-align: left\">{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows]
    out.append("</table>")
    if summary.phases:
        out.append('<table class="aimeter-phases"><tr><th>phase</th><th>instances</th>'
                   "<th>time</th><th>energy</th><th>mean power</th></tr>")
        for p in summary.phases:
            out.append(f"<tr><td>{e(p.name)}</td><td>{p.instances}</td>"
                       f"<td>{e(_number(p.duration_s, 's'))}</td><td>{e(_number(p.energy_j, 'J'))}</td>"
                       f"<td>{e(_number(p.mean_power_w, 'W'))}</td></tr>")
        out.append("</table>")
    return "".join(out)
