"""Results: the Summary of a run (from the library's JSON report, schema aimeter.report/1,
docs/report-json.md), its time series, and reading runs back from the store."""
import ctypes
import os

from . import _lib
from ._lib import AimeterError


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
        r = _lib.lib().aim_report_render(self.handle, _lib.encode(run_id), _lib.encode(fmt),
                                         ctypes.byref(out))
        if r < 0:
            self.fail(r, f"report of run {run_id}")
        return _lib.take_string(out.value)

    def list_runs(self, limit):
        out = ctypes.c_void_p()
        r = _lib.lib().aim_store_list_runs(self.handle, b"json", limit, ctypes.byref(out))
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


default_db_path = _lib.default_db_path


def _num(x):
    return x if isinstance(x, (int, float)) and not isinstance(x, bool) else None


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
                 "records", "_raw")

    def __init__(self, d):
        self._raw = d
        self.name = d.get("name")
        self.instances = d.get("instances")
        self.first_s = _num(d.get("first_s"))
        self.duration_s = _num(d.get("duration_s"))
        self.share_pct = _num(d.get("share_pct"))
        self.share = None if self.share_pct is None else self.share_pct / 100.0
        self.energy_j = _num(d.get("energy_j"))
        self.mean_power_w = _num(d.get("mean_power_w"))
        self.peak_power_w = _num(d.get("peak_power_w"))
        self.carbon_g = _num(d.get("carbon_g"))
        self.unterminated = d.get("unterminated") or 0
        self.energy_by_device = {x.get("device"): _num(x.get("energy_j"))
                                 for x in d.get("devices") or []}
        self.records = dict(d.get("records") or {})

    def to_dict(self):
        import copy
        return copy.deepcopy(self._raw)

    def __repr__(self):
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
                 "units_per_j", "kwh_per_1000", "g_per_1000", "_raw")

    def __init__(self, d):
        self._raw = d
        self.key = d.get("key")
        self.kind = d.get("kind")
        self.count = d.get("count")
        for attr in ("total", "mean", "last", "min", "max", "j_per_unit", "units_per_j",
                     "kwh_per_1000", "g_per_1000"):
            setattr(self, attr, _num(d.get(attr)))

    def to_dict(self):
        return dict(self._raw)

    def __repr__(self):
        eff = "" if self.j_per_unit is None else f" {self.j_per_unit:.4g} J/unit"
        return f"<aimeter.RecordSummary {self.key!r} {self.kind} total {self.total}{eff}>"


class Summary:
    """What a run measured, from its JSON report (docs/report-json.md).

    Attributes: run_id, name, status, exit_code, host, start_time, end_time, duration_s,
    energy_j, energy_kwh, facility_j (energy x PUE, None without a PUE), energy_by_device
    ({"cpu0": J, ...}), energy_by_component ({"cpu": J, "dram": J, "gpu": J, ...}),
    carbon_g, carbon_kg, intensity_g_per_kwh, zone, cost, currency (None without a price),
    warnings, db (the store it lives in), rank (a RankInfo, or None); from the workload's
    phases and records: phases (a list of PhaseSummary, in the order they first began),
    phase(name), records ({key: RecordSummary}), efficiency (the counters with J per unit),
    j_per(key), marks, dropped_events. `None` is "no value", never zero. The full document
    is to_dict(); str() is the text report.
    """

    sampled = True
    csv_path = json_path = None  # the files written at stop (csv=, json=, output_format=)

    def __init__(self, json_text, db, text=None, rank=None):
        import json  # here, not at import time: `import aimeter` stays cheap
        self._json = json_text
        self.report = json.loads(json_text)
        self.db = db
        self._text = text
        self.rank = rank
        rep = self.report
        run = rep.get("run", {})
        self.run_id = run.get("id")
        self.name = run.get("name")
        self.status = run.get("status")
        self.exit_code = run.get("exit_code")
        self.host = run.get("host")
        self.start_time = run.get("start_time")
        self.end_time = run.get("end_time")
        self.duration_s = _num(run.get("duration_s"))
        energy = rep.get("energy") or {}
        self.energy_j = _num(energy.get("total_j"))
        self.energy_kwh = _num(energy.get("total_kwh"))
        self.facility_j = _num(energy.get("facility_j"))
        self.energy_by_device = {}
        self.energy_by_component = {}
        for d in energy.get("devices", []):
            j = _num(d.get("energy_j"))
            self.energy_by_device[d.get("device")] = j
            if j is not None:
                kind = d.get("kind") or "other"
                self.energy_by_component[kind] = self.energy_by_component.get(kind, 0.0) + j
        carbon = rep.get("carbon") or {}
        self.carbon_g = _num(carbon.get("g"))
        self.carbon_kg = _num(carbon.get("kg"))
        self.intensity_g_per_kwh = _num(carbon.get("intensity_g_per_kwh"))
        self.zone = carbon.get("zone")
        cost = rep.get("cost") or {}
        self.cost = _num(cost.get("amount"))
        self.currency = cost.get("currency")
        self.warnings = list(rep.get("warnings", []))
        work = rep.get("workload") or {}
        self.phases = [PhaseSummary(p) for p in work.get("phases") or []]
        self.records = {r.get("key"): RecordSummary(r) for r in work.get("records") or []}
        self.marks = work.get("marks") or 0
        self.dropped_events = work.get("dropped_events") or 0

    def phase(self, name):
        """The PhaseSummary called name (KeyError when the run has none)."""
        for p in self.phases:
            if p.name == name:
                return p
        raise KeyError(f"run {self.run_id} has no phase {name!r}; phases: "
                       f"{', '.join(repr(p.name) for p in self.phases) or 'none'}")

    @property
    def efficiency(self):
        """{counter key: RecordSummary} for the counters the run can give efficiency for
        (j_per_unit, units_per_j, kwh_per_1000, g_per_1000)."""
        return {k: r for k, r in self.records.items() if r.j_per_unit is not None}

    def j_per(self, key):
        """Joules per unit of a counter ("tokens"): None when the run has no such figure."""
        r = self.records.get(key)
        return None if r is None else r.j_per_unit

    # ---------------------------------------------------------------- conversions

    def to_dict(self):
        """The report document (schema aimeter.report/1), a fresh copy."""
        import json
        return json.loads(self._json)

    def to_json(self, indent=None):
        """The report as JSON text: exactly the library's rendering (what `aimeter report
        --format json` prints) unless indent is given."""
        if indent is None:
            return self._json
        import json
        return json.dumps(self.report, indent=indent, ensure_ascii=False)

    def text(self):
        """The text report (what `aimeter report RUN` prints)."""
        if self._text is None:
            with _Store(self.db) as store:
                self._text = store.render(self.run_id, "text")
        return self._text

    def markdown(self):
        with _Store(self.db) as store:
            return store.render(self.run_id, "markdown")

    def samples(self, as_frame=None):
        """The time series: one row per sample of the fastest rate group, one column per
        series ("time_s", "wall_time", then "device.metric [unit]"), missing values None.
        A pandas DataFrame when pandas can be imported (as_frame=None) or as_frame=True;
        a list of dicts with as_frame=False."""
        with _Store(self.db) as store:
            text = store.export_csv_text(self.run_id)
        return rows_from_csv(text, as_frame)

    # ---------------------------------------------------------------- display

    def __str__(self):
        return self.text()

    def __repr__(self):
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
    attached = False            # True inside `aimeter run`: the outer run measured
    control_socket = None       # where this process's phases and records went
    sampled_by_run = None       # local rank 0's run id and store, when it published them
    sampled_by_db = None

    def __init__(self, rank, reason):
        self._json = None
        self.report = None
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

    def __repr__(self):
        return f"<aimeter.Summary not sampled: {self.reason}>"


def rows_from_csv(text, as_frame=None):
    import csv
    import io
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        header = []
    if as_frame is None or as_frame:
        try:
            import pandas
        except ImportError:
            if as_frame:
                raise
            pandas = None
    else:
        pandas = None
    nan = float("nan")
    columns = {h: [] for h in header}
    rows = []
    for line in reader:
        if not line:
            continue
        row = {}
        for h, v in zip(header, line):
            if h == "wall_time":
                row[h] = v
            elif v == "":
                row[h] = None if pandas is None else nan
            else:
                try:
                    row[h] = float(v)
                except ValueError:
                    row[h] = v
        if pandas is None:
            rows.append(row)
        else:
            for h in header:
                columns[h].append(row.get(h, nan))
    if pandas is None:
        return rows
    frame = pandas.DataFrame(columns, columns=header)
    if "wall_time" in frame:
        frame["wall_time"] = pandas.to_datetime(frame["wall_time"], utc=True)
    return frame


def load(run="last", db=None):
    """The Summary of a stored run: "last", a run id or a unique prefix of one. db: the
    store (default: $AIMETER_DB, else $XDG_DATA_HOME/aimeter/aimeter.db)."""
    db = os.fspath(db) if db is not None else default_db_path()
    with _Store(db) as store:
        run_id = store.resolve(run)
        return Summary(store.render(run_id, "json"), db)


def runs(db=None, limit=20):
    """The runs in the store, newest first (dicts as `aimeter ls --json`)."""
    import json
    db = os.fspath(db) if db is not None else default_db_path()
    with _Store(db) as store:
        return json.loads(store.list_runs(int(limit)))
