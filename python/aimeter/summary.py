"""Results: the Summary of a run, its time series, and reading runs back from the store.

Figures are read through the library's accessors (aim_run_info_*, aim_samples_*: aimeter.h,
"reading a stored run"), not by parsing the JSON report or the CSV export; the JSON report
(schema aimeter.report/1, docs/report-json.md) is rendered only when asked for (to_dict,
to_json, the json= file)."""
from __future__ import annotations

import ctypes
import math
import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing at run time costs milliseconds
    from typing import Any, Dict, List, Optional, Union

from . import _lib
from ._lib import AimeterError

_c = ctypes
_P, _int, _dbl, _size, _ptr, _str = (_c.POINTER, _c.c_int, _c.c_double, _c.c_size_t, _c.c_void_p,
                                     _c.c_char_p)
# The accessors of a stored run (aimeter.h, "reading a stored run").
_lib.declare({
    "aim_run_info_load": (_int, [_ptr, _str, _P(_ptr)]),
    "aim_run_info_free": (None, [_ptr]),
    "aim_run_info_text": (_str, [_ptr, _int]),
    "aim_run_info_number": (_dbl, [_ptr, _int]),
    **{f"aim_run_info_{what}_count": (_size, [_ptr])
       for what in ("device", "series", "phase", "record")},
    **{f"aim_run_info_{what}_text": (_str, [_ptr, _size, _int])
       for what in ("device", "series", "phase", "record")},
    **{f"aim_run_info_{what}_number": (_dbl, [_ptr, _size, _int])
       for what in ("device", "series", "phase", "record")},
    "aim_run_info_phase_device_energy": (_dbl, [_ptr, _size, _size]),
    "aim_run_info_phase_record": (_dbl, [_ptr, _size, _size]),
    "aim_samples_open": (_int, [_ptr, _str, _P(_ptr)]),
    "aim_samples_free": (None, [_ptr]),
    "aim_samples_columns": (_size, [_ptr]),
    "aim_samples_rows": (_size, [_ptr]),
    "aim_samples_row": (_int, [_ptr, _size, _P(_c.c_int64), _P(_c.c_int64), _P(_dbl), _size]),
})


class _Store:
    """An aim_store opened for the duration of a `with` block."""

    def __init__(self, db=None, readonly=True):
        self.path = None if db is None else os.fspath(db)
        self.readonly = readonly
        self.handle = None

    def __enter__(self):
        lib = _lib.lib()
        _lib.install_log_callback()  # reading is not on start()'s clock
        h = ctypes.c_void_p()
        r = lib.aim_store_new(ctypes.byref(h))
        if r < 0:
            raise AimeterError(r, "store")
        self.handle = h
        r = lib.aim_store_open(h, _lib.encode(self.path), 1 if self.readonly else 0)
        if r < 0:
            detail = lib.aim_store_errmsg(h).decode("utf-8", "replace")
            lib.aim_store_free(h)
            self.handle = None
            raise AimeterError(r, f"opening the store {self.path or default_db_path()}", detail)
        return self

    def __exit__(self, *exc):
        if self.handle:
            _lib.lib().aim_store_free(self.handle)
            self.handle = None
        return False

    def fail(self, r, what):
        detail = _lib.lib().aim_store_errmsg(self.handle).decode("utf-8", "replace")
        raise AimeterError(r, what, detail)

    def resolve(self, ref):
        out = ctypes.c_void_p()
        r = _lib.lib().aim_store_resolve_run(self.handle, _lib.encode(ref), ctypes.byref(out))
        if r < 0:
            self.fail(r, f"run {ref!r}")
        return _lib.take_string(out.value)

    def render(self, run_id, fmt):
        out = ctypes.c_void_p()
        r = _lib.lib().aim_report_render(self.handle, _lib.encode(run_id), _lib.format_code(fmt),
                                         ctypes.byref(out))
        if r < 0:
            self.fail(r, f"report of run {run_id}")
        return _lib.take_string(out.value)

    def list_runs(self, limit):
        out = ctypes.c_void_p()
        r = _lib.lib().aim_store_list_runs(self.handle, _lib.format_code("json"), limit,
                                           ctypes.byref(out))
        if r < 0:
            self.fail(r, "listing runs")
        return _lib.take_string(out.value)

    def export_csv_text(self, run_id):
        chunks = []
        self._export(_lib.lib().aim_export_csv, run_id, chunks.append,
                     f"time series of run {run_id}")
        return b"".join(chunks).decode("utf-8", "replace")

    def export_csv_file(self, run_id, path):
        """The time series to path, and beside it NAME.columns.csv (for NAME.csv): each
        column's method, as `aimeter run --csv` writes it (docs/cli.md)."""
        self._write_with(_lib.lib().aim_export_csv, run_id, path)
        text = os.fsdecode(path)
        base = text[:-4] if text.endswith(".csv") else text
        self._write_with(_lib.lib().aim_export_csv_columns, run_id, base + ".columns.csv")

    def _write_with(self, fn, run_id, path):
        with open(path, "wb") as f:
            self._export(fn, run_id, f.write, f"writing {path}")

    def _export(self, fn, run_id, sink, what):
        """Runs an export whose bytes the library hands to sink (aim_write_fn, docs/api.md).
        An exception in sink stops the export and is raised once the library has returned."""
        failed = []

        def write(_userdata, data, size):
            try:
                sink(ctypes.string_at(data, size))
                return 0
            except Exception as e:  # ctypes cannot carry it through C: keep it
                failed.append(e)
                return -(getattr(e, "errno", None) or 5)

        callback = _lib.WRITE_FN(write)  # referenced until fn returns
        r = fn(self.handle, _lib.encode(run_id), callback, None)
        if failed:
            raise failed[0]
        if r < 0:
            self.fail(r, what)


    def run_info(self, run_id: str) -> "_RunInfo":
        return _RunInfo(self, run_id)

    def samples(self, run_id: str, columns: List[str], as_frame: Optional[bool]) -> Any:
        return _read_samples(self, run_id, columns, as_frame)


default_db_path = _lib.default_db_path

# The accessors' fields (enum aim_run_field, aim_device_field, ... in aimeter.h).
_RUN_ID, _RUN_NAME, _RUN_COMMAND, _RUN_HOST, _RUN_STATUS, _RUN_START, _RUN_END = range(7)
_RUN_ZONE, _RUN_CURRENCY, _RUN_WARNINGS = 9, 10, 11
(_RUN_EXIT_CODE, _RUN_STALE, _RUN_DURATION_S, _RUN_INTERVAL_S, _RUN_SAMPLES, _RUN_ENERGY_J,
 _RUN_FACILITY_J, _RUN_PUE, _RUN_CARBON_G, _RUN_INTENSITY, _RUN_COST, _RUN_PRICE, _RUN_MARKS,
 _RUN_DROPPED) = range(64, 78)
_DEV_NAME, _DEV_KIND = 0, 1
_DEV_ENERGY_J, _DEV_CARBON_G, _DEV_IN_TOTAL, _DEV_ENERGY_ORDER = range(64, 68)
_SERIES_COLUMN = 0
_PHASE_NAME = 0
(_PHASE_INSTANCES, _PHASE_FIRST_S, _PHASE_DURATION_S, _PHASE_SHARE_PCT, _PHASE_ENERGY_J,
 _PHASE_MEAN_POWER_W, _PHASE_PEAK_POWER_W, _PHASE_CARBON_G, _PHASE_UNTERMINATED) = range(64, 73)
_REC_KEY, _REC_KIND = 0, 1
_REC_NUMBERS = ("count", "total", "mean", "last", "min", "max", "j_per_unit", "units_per_j",
                "kwh_per_1000", "g_per_1000")   # AIM_RECORD_FIELD_COUNT (64) onwards


def _value(x: float) -> Optional[float]:
    """A number from the library: NaN is "no value" (None), never zero."""
    return None if math.isnan(x) else x


def _count(x: float) -> int:
    return 0 if math.isnan(x) else int(x)


class _RunInfo:
    """An aim_run_info loaded from an open store, read through its accessors."""

    def __init__(self, store: _Store, run_id: str) -> None:
        lib = _lib.lib()
        h = ctypes.c_void_p()
        r = lib.aim_run_info_load(store.handle, _lib.encode(run_id), ctypes.byref(h))
        if r < 0:
            store.fail(r, f"summary of run {run_id}")
        self.handle = h
        self.lib = lib

    def __enter__(self) -> "_RunInfo":
        return self

    def __exit__(self, *exc: Any) -> bool:
        self.lib.aim_run_info_free(self.handle)
        self.handle = None
        return False

    @staticmethod
    def _text(raw: Optional[bytes]) -> Optional[str]:
        return None if raw is None else raw.decode("utf-8", "replace")

    def text(self, field: int) -> Optional[str]:
        return self._text(self.lib.aim_run_info_text(self.handle, field))

    def number(self, field: int) -> Optional[float]:
        return _value(self.lib.aim_run_info_number(self.handle, field))

    def count(self, what: str) -> int:
        return getattr(self.lib, f"aim_run_info_{what}_count")(self.handle)

    def item_text(self, what: str, i: int, field: int) -> Optional[str]:
        return self._text(getattr(self.lib, f"aim_run_info_{what}_text")(self.handle, i, field))

    def item_number(self, what: str, i: int, field: int) -> Optional[float]:
        return _value(getattr(self.lib, f"aim_run_info_{what}_number")(self.handle, i, field))

    def columns(self) -> List[str]:
        return [self.item_text("series", i, _SERIES_COLUMN) or ""
                for i in range(self.count("series"))]


class PhaseSummary:
    """One phase name of a run (all its instances): the report's workload.phases entry.

    name, instances, first_s (start of the first instance, s since the run's start),
    duration_s (summed over instances), share_pct (of the run's duration) and share (the same
    as a fraction), energy_j, mean_power_w, peak_power_w (an upper bound), carbon_g,
    unterminated (instances still open when the run ended), energy_by_device
    ({"cpu0": J, ...}), records ({key: counters' sum / gauges' mean while it was open}).
    """

    __slots__ = ("name", "instances", "first_s", "duration_s", "share_pct", "share", "energy_j",
                 "mean_power_w", "peak_power_w", "carbon_g", "unterminated", "energy_by_device",
                 "records", "_summary", "_index")

    name: Optional[str]
    instances: int
    first_s: Optional[float]
    duration_s: Optional[float]
    share_pct: Optional[float]
    share: Optional[float]
    energy_j: Optional[float]
    mean_power_w: Optional[float]
    peak_power_w: Optional[float]
    carbon_g: Optional[float]
    unterminated: int
    energy_by_device: Dict[str, Optional[float]]
    records: Dict[str, Optional[float]]

    def __init__(self, info: _RunInfo, i: int, devices: List[str], keys: List[str],
                 summary: "Summary") -> None:
        self._summary, self._index = summary, i
        num = lambda f: info.item_number("phase", i, f)  # noqa: E731
        self.name = info.item_text("phase", i, _PHASE_NAME)
        self.instances = _count(info.lib.aim_run_info_phase_number(info.handle, i, _PHASE_INSTANCES))
        self.first_s = num(_PHASE_FIRST_S)
        self.duration_s = num(_PHASE_DURATION_S)
        self.share_pct = num(_PHASE_SHARE_PCT)
        self.share = None if self.share_pct is None else self.share_pct / 100.0
        self.energy_j = num(_PHASE_ENERGY_J)
        self.mean_power_w = num(_PHASE_MEAN_POWER_W)
        self.peak_power_w = num(_PHASE_PEAK_POWER_W)
        self.carbon_g = num(_PHASE_CARBON_G)
        self.unterminated = _count(info.lib.aim_run_info_phase_number(info.handle, i,
                                                                      _PHASE_UNTERMINATED))
        self.energy_by_device = {}
        for d, name in enumerate(devices):
            j = info.lib.aim_run_info_phase_device_energy(info.handle, i, d)
            if not math.isnan(j):
                self.energy_by_device[name] = j
        self.records = {}
        for k, key in enumerate(keys):
            v = info.lib.aim_run_info_phase_record(info.handle, i, k)
            if not math.isnan(v):
                self.records[key] = v

    def to_dict(self) -> Dict[str, Any]:
        """The phase's entry of the JSON report (workload.phases), a fresh copy."""
        return self._summary.to_dict()["workload"]["phases"][self._index]

    def __repr__(self) -> str:
        e = "n/a" if self.energy_j is None else f"{self.energy_j:.4g} J"
        d = "n/a" if self.duration_s is None else f"{self.duration_s:.3g} s"
        return f"<aimeter.PhaseSummary {self.name!r} {d} {e}>"


class RecordSummary:
    """One record key of a run: the report's workload.records entry.

    key, kind ("counter" or "gauge"), count (records), total, mean, last, min, max; for a
    counter with a positive total, efficiency over the whole run: j_per_unit, units_per_j,
    kwh_per_1000, g_per_1000 (carbon per 1000 units, PUE included); else None.
    """

    __slots__ = ("key", "kind", "count", "total", "mean", "last", "min", "max", "j_per_unit",
                 "units_per_j", "kwh_per_1000", "g_per_1000", "_summary", "_index")

    key: Optional[str]
    kind: Optional[str]
    count: int
    total: Optional[float]
    mean: Optional[float]
    last: Optional[float]
    min: Optional[float]
    max: Optional[float]
    j_per_unit: Optional[float]
    units_per_j: Optional[float]
    kwh_per_1000: Optional[float]
    g_per_1000: Optional[float]

    def __init__(self, info: _RunInfo, i: int, summary: "Summary") -> None:
        self._summary, self._index = summary, i
        self.key = info.item_text("record", i, _REC_KEY)
        self.kind = info.item_text("record", i, _REC_KIND)
        for field, attr in enumerate(_REC_NUMBERS, start=64):
            setattr(self, attr, info.item_number("record", i, field))
        self.count = _count(self.count if self.count is not None else math.nan)

    def to_dict(self) -> Dict[str, Any]:
        """The record's entry of the JSON report (workload.records), a fresh copy."""
        return self._summary.to_dict()["workload"]["records"][self._index]

    def __repr__(self) -> str:
        eff = "" if self.j_per_unit is None else f" {self.j_per_unit:.4g} J/unit"
        return f"<aimeter.RecordSummary {self.key!r} {self.kind} total {self.total}{eff}>"


class Summary:
    """What a run measured, read from the store through the library (docs/python.md).

    Attributes: run_id, name, status, exit_code, host, start_time, end_time, duration_s,
    energy_j, energy_kwh, facility_j (energy x PUE, None without a PUE), energy_by_device
    ({"cpu0": J, ...}), energy_by_component ({"cpu": J, "dram": J, "gpu": J, ...}),
    carbon_g, carbon_kg, intensity_g_per_kwh, zone, cost, currency (None without a price),
    warnings, db (the store it lives in), rank (a RankInfo, or None); from the workload's
    phases and records: phases (a list of PhaseSummary, in the order they first began),
    phase(name), records ({key: RecordSummary}), efficiency (the counters with J per unit),
    j_per(key), marks, dropped_events. `None` is "no value", never zero. The JSON report
    is to_dict() / to_json(); str() is the text report.
    """

    sampled = True
    csv_path: Optional[str] = None   # the files written at stop (csv=, json=, output_format=)
    json_path: Optional[str] = None

    run_id: Optional[str]
    name: Optional[str]
    status: Optional[str]
    exit_code: Optional[int]
    host: Optional[str]
    start_time: Optional[str]
    end_time: Optional[str]
    duration_s: Optional[float]
    energy_j: Optional[float]
    energy_kwh: Optional[float]
    facility_j: Optional[float]
    energy_by_device: Dict[str, Optional[float]]
    energy_by_component: Dict[str, float]
    carbon_g: Optional[float]
    carbon_kg: Optional[float]
    intensity_g_per_kwh: Optional[float]
    zone: Optional[str]
    cost: Optional[float]
    currency: Optional[str]
    warnings: List[str]
    phases: List[PhaseSummary]
    records: Dict[str, RecordSummary]
    marks: int
    dropped_events: int

    def __init__(self, store: _Store, run_id: str, db: Optional[str], text: Optional[str] = None,
                 rank: Any = None, json_text: Optional[str] = None) -> None:
        self.db = db
        self._text = text
        self._json = json_text
        self._report: Optional[Dict[str, Any]] = None
        self.rank = rank
        with store.run_info(run_id) as info:
            self._read(info)

    def _read(self, info: _RunInfo) -> None:
        self.run_id = info.text(_RUN_ID)
        self.name = info.text(_RUN_NAME)
        self.status = info.text(_RUN_STATUS)
        code = info.number(_RUN_EXIT_CODE)
        self.exit_code = None if code is None else int(code)
        self.host = info.text(_RUN_HOST)
        self.start_time = info.text(_RUN_START)
        self.end_time = info.text(_RUN_END)
        self.duration_s = info.number(_RUN_DURATION_S)
        self.energy_j = info.number(_RUN_ENERGY_J)
        self.energy_kwh = None if self.energy_j is None else self.energy_j / 3.6e6
        self.facility_j = info.number(_RUN_FACILITY_J)
        devices = [info.item_text("device", d, _DEV_NAME) or ""
                   for d in range(info.count("device"))]
        measured = []   # (place in the report's energy list, name, kind, J)
        for d, name in enumerate(devices):
            order = info.item_number("device", d, _DEV_ENERGY_ORDER)
            if order is not None:
                measured.append((order, name, info.item_text("device", d, _DEV_KIND) or "other",
                                 info.item_number("device", d, _DEV_ENERGY_J)))
        self.energy_by_device = {}
        self.energy_by_component = {}
        for _, name, kind, j in sorted(measured):
            self.energy_by_device[name] = j
            if j is not None:
                self.energy_by_component[kind] = self.energy_by_component.get(kind, 0.0) + j
        self.carbon_g = info.number(_RUN_CARBON_G)
        self.carbon_kg = None if self.carbon_g is None else self.carbon_g / 1000.0
        self.intensity_g_per_kwh = info.number(_RUN_INTENSITY)
        self.zone = info.text(_RUN_ZONE)
        self.cost = info.number(_RUN_COST)
        self.currency = info.text(_RUN_CURRENCY)
        warnings = info.text(_RUN_WARNINGS)
        self.warnings = warnings.split("\n") if warnings else []
        keys = [info.item_text("record", k, _REC_KEY) or "" for k in range(info.count("record"))]
        self.phases = [PhaseSummary(info, i, devices, keys, self)
                       for i in range(info.count("phase"))]
        self.records = {r.key or "": r for r in (RecordSummary(info, k, self)
                                                   for k in range(len(keys)))}
        self.marks = _count(info.lib.aim_run_info_number(info.handle, _RUN_MARKS))
        self.dropped_events = _count(info.lib.aim_run_info_number(info.handle, _RUN_DROPPED))

    def phase(self, name: str) -> PhaseSummary:
        """The PhaseSummary called name (KeyError when the run has none)."""
        for p in self.phases:
            if p.name == name:
                return p
        raise KeyError(f"run {self.run_id} has no phase {name!r}; phases: "
                       f"{', '.join(repr(p.name) for p in self.phases) or 'none'}")

    @property
    def efficiency(self) -> Dict[str, RecordSummary]:
        """{counter key: RecordSummary} for the counters the run can give efficiency for
        (j_per_unit, units_per_j, kwh_per_1000, g_per_1000)."""
        return {k: r for k, r in self.records.items() if r.j_per_unit is not None}

    def j_per(self, key: str) -> Optional[float]:
        """Joules per unit of a counter ("tokens"): None when the run has no such figure."""
        r = self.records.get(key)
        return None if r is None else r.j_per_unit

    # ---------------------------------------------------------------- conversions

    @property
    def report(self) -> Dict[str, Any]:
        """The JSON report document (schema aimeter.report/1), parsed once."""
        if self._report is None:
            import json
            self._report = json.loads(self.to_json())
        return self._report

    def to_dict(self) -> Dict[str, Any]:
        """The report document (schema aimeter.report/1), a fresh copy."""
        import json
        return json.loads(self.to_json())

    def to_json(self, indent: Optional[int] = None) -> str:
        """The report as JSON text: exactly the library's rendering (what `aimeter report
        --format json` prints) unless indent is given."""
        if self._json is None:
            with _Store(self.db) as store:
                self._json = store.render(self.run_id, "json")
        if indent is None:
            return self._json
        import json
        return json.dumps(self.report, indent=indent, ensure_ascii=False)

    def text(self) -> str:
        """The text report (what `aimeter report RUN` prints)."""
        if self._text is None:
            with _Store(self.db) as store:
                self._text = store.render(self.run_id, "text")
        return self._text

    def markdown(self) -> str:
        with _Store(self.db) as store:
            return store.render(self.run_id, "markdown")

    def samples(self, as_frame: Optional[bool] = None) -> Any:
        """The time series: one row per sample of the fastest rate group, one column per
        series ("time_s", "wall_time", then "device.metric [unit]"), missing values None.
        A pandas DataFrame when pandas can be imported (as_frame=None) or as_frame=True;
        a list of dicts with as_frame=False."""
        with _Store(self.db) as store:
            with store.run_info(self.run_id) as info:
                columns = info.columns()
            return store.samples(self.run_id, columns, as_frame)

    # ---------------------------------------------------------------- charts

    def plot(self, metrics: Union[None, str, List[str]] = None,
             output: Optional[Union[str, os.PathLike[str]]] = None, *, kind: str = "series",
             layout: Optional[str] = None, zones: Union[None, str, List[str]] = None,
             smooth: Union[None, float, str] = None, others: Any = None,
             start: Optional[float] = None, end: Optional[float] = None,
             phase: Optional[str] = None, size: Any = None, dpi: Optional[int] = None,
             title: Optional[str] = None) -> Any:
        """A chart of the run with the choices of `aimeter plot` (docs/cli.md, docs/python.md
        "Charts and notebooks"). metrics: "gpu0.power,gpu0.gpu.clock_sm" or a list, named as
        the export's columns without their unit. kind: "series" (default; "timeseries"),
        "phases", "scatter" (two metrics), "corr", "cumulative", "zones" (with zones=
        "CA-SK,CA-MB" or a list). layout="categories": stacked panels Energy, Compute, Memory,
        Communication. smooth: a centred moving mean over seconds or a duration ("5s").
        others: further runs on the same axes (Summary objects of this store, run ids).
        start/end: the window in s since the run's start; phase: from its first start to its
        last end. size: (width, height) or "WxH" in pixels (default 1200 x 600; the
        library makes the categories taller), dpi (default 100) scales the text.

        A plain time series with matplotlib: the matplotlib Figure (saved to output when
        given). Anything else is drawn by the library, as the CLI draws it: into output
        (.png, .svg or .pdf; its path returned), or without output a Chart whose PNG a
        notebook shows. The library's errors are AimeterError with its message."""
        from ._plot import plot
        return plot(self, metrics, output, kind=kind, layout=layout, zones=zones, smooth=smooth,
                    others=others, start=start, end=end, phase=phase, size=size, dpi=dpi,
                    title=title)

    def _repr_html_(self) -> str:
        """In a notebook: the interactive HTML report inline (an iframe), or a table of the
        main figures when this libaimeter has no HTML report."""
        from ._plot import repr_html
        return repr_html(self)

    # ---------------------------------------------------------------- display

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        parts = [f"run {self.run_id}", repr(self.name), str(self.status)]
        if self.duration_s is not None:
            parts.append(f"{self.duration_s:.3g} s")
        parts.append("energy n/a" if self.energy_j is None else f"{self.energy_j:.4g} J")
        if self.carbon_g is not None:
            parts.append(f"{self.carbon_g:.3g} g CO2e")
        if self.cost is not None:
            parts.append(f"{self.cost:.3g} {self.currency}")
        return "<aimeter.Summary " + " ".join(parts) + ">"


class NotSampled(Summary):
    """The summary a rank gets when it did not sample: another process on its node (local
    rank 0) measured the node's devices. Every figure is None."""

    sampled = False
    report = None               # no JSON report: to_dict() says why
    attached = False            # True inside `aimeter run`: the outer run measured
    control_socket = None       # where this process's phases and records went
    sampled_by_run = None       # local rank 0's run id and store, when it published them
    sampled_by_db = None

    def __init__(self, rank: Any, reason: str) -> None:  # noqa: super().__init__ reads a run
        self._json = None
        self._report = None
        self.db = None
        self._text = None
        self.rank = rank
        self.reason = reason
        self.phases, self.records, self.marks, self.dropped_events = [], {}, 0, 0
        for attr in ("run_id", "name", "status", "exit_code", "host", "start_time", "end_time",
                     "duration_s", "energy_j", "energy_kwh", "facility_j", "carbon_g",
                     "carbon_kg", "intensity_g_per_kwh", "zone", "cost", "currency"):
            setattr(self, attr, None)
        self.energy_by_device, self.energy_by_component, self.warnings = {}, {}, []

    def to_dict(self):
        return {"sampled": False, "reason": self.reason, "rank": self.rank.to_dict(),
                "attached": self.attached, "control_socket": self.control_socket,
                "sampled_by_run": self.sampled_by_run, "sampled_by_db": self.sampled_by_db}

    def to_json(self, indent=None):
        import json
        return json.dumps(self.to_dict(), indent=indent)

    def text(self):
        return f"aimeter: {self.reason}\n"

    def markdown(self):
        return self.text()

    def samples(self, as_frame=None):
        raise RuntimeError(f"no samples here: {self.reason}")

    def plot(self, *args, **kwargs):
        raise RuntimeError(f"no samples to draw here: {self.reason}")

    def _repr_html_(self):
        import html
        return f"<p>aimeter: {html.escape(self.reason)}</p>"

    def __repr__(self):
        return f"<aimeter.Summary not sampled: {self.reason}>"


def _wall_text(unix_ns: int) -> str:
    """ "2026-11-21T14:03:12.345Z", as the export writes wall times."""
    import time
    sec, ns = divmod(unix_ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + f".{ns // 1_000_000:03d}Z"


def _read_samples(store: _Store, run_id: str, columns: List[str], as_frame: Optional[bool]) -> Any:
    """The run's rows through aim_samples_*: a list of dicts, or a DataFrame."""
    if as_frame is None or as_frame:
        try:
            import pandas
        except ImportError:
            if as_frame:
                raise
            pandas = None
    else:
        pandas = None
    lib = _lib.lib()
    h = ctypes.c_void_p()
    r = lib.aim_samples_open(store.handle, _lib.encode(run_id), ctypes.byref(h))
    if r < 0:
        store.fail(r, f"time series of run {run_id}")
    try:
        n = len(columns)
        values = (ctypes.c_double * max(n, 1))()
        t_ns, wall_ns = ctypes.c_int64(), ctypes.c_int64()
        times, walls, table = [], [], []
        for row in range(lib.aim_samples_rows(h)):
            if lib.aim_samples_row(h, row, ctypes.byref(t_ns), ctypes.byref(wall_ns), values, n) < 0:
                break
            times.append(t_ns.value / 1e9)
            walls.append(wall_ns.value)
            table.append(values[:n])
    finally:
        lib.aim_samples_free(h)
    if pandas is not None:
        frame = {"time_s": times, "wall_time": pandas.to_datetime(walls, unit="ns", utc=True)}
        for i, name in enumerate(columns):
            frame[name] = [row[i] for row in table]   # NaN: no value
        return pandas.DataFrame(frame, columns=["time_s", "wall_time"] + columns)
    rows = []
    for t, wall, vals in zip(times, walls, table):
        row: Dict[str, Any] = {"time_s": t, "wall_time": _wall_text(wall)}
        for name, v in zip(columns, vals):
            row[name] = None if math.isnan(v) else v
        rows.append(row)
    return rows


def load(run: str = "last", db: Optional[Union[str, os.PathLike[str]]] = None) -> Summary:
    """The Summary of a stored run: "last", a run id or a unique prefix of one. db: the
    store (default: $AIMETER_DB, else $XDG_DATA_HOME/aimeter/aimeter.db)."""
    path = os.fspath(db) if db is not None else default_db_path()
    with _Store(path) as store:
        run_id = store.resolve(run)
        return Summary(store, run_id, path)


def runs(db: Optional[Union[str, os.PathLike[str]]] = None, limit: int = 20) -> List[Dict[str, Any]]:
    """The runs in the store, newest first (dicts as `aimeter ls --json`)."""
    import json
    path = os.fspath(db) if db is not None else default_db_path()
    with _Store(path) as store:
        return json.loads(store.list_runs(int(limit)))
