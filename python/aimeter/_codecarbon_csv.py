"""CodeCarbon's emissions.csv from an aimeter run (aimeter.codecarbon): the row's figures,
the file, and the other places a row can go (a logger, an HTTP endpoint, output handlers).

The columns and their units are CodeCarbon's documented ones (its "Output" page): seconds,
kg CO2e, kg/s, W, kWh, GB. Every number comes from the stored run, read through the library
(the JSON report of docs/report-json.md); nothing is measured here.
"""
import dataclasses
import datetime
import errno
import os
import platform

# CodeCarbon's columns, in its order.
COLUMNS = (
    "timestamp", "project_name", "run_id", "experiment_id", "duration", "emissions",
    "emissions_rate", "cpu_power", "gpu_power", "ram_power", "cpu_energy", "gpu_energy",
    "ram_energy", "energy_consumed", "country_name", "country_iso_code", "region",
    "cloud_provider", "cloud_region", "os", "python_version", "codecarbon_version",
    "cpu_count", "cpu_model", "gpu_count", "gpu_model", "longitude", "latitude",
    "ram_total_size", "tracking_mode", "on_cloud", "pue",
)
# Columns of later CodeCarbon versions: filled when an existing file has them (a file
# CodeCarbon 3 wrote keeps its layout), never added to a file that lacks them.
EXTRA_COLUMNS = ("cpu_utilization_percent", "gpu_utilization_percent",
                 "ram_utilization_percent", "ram_used_gb", "water_consumed", "wue")

J_PER_KWH = 3.6e6


def _values(self):
    """The row as a dict, in column order."""
    return {name: getattr(self, name) for name in self._columns}


def _to_dict(self):
    """Every figure, the later versions' columns included."""
    d = self.values
    d.update((name, getattr(self, name)) for name in EXTRA_COLUMNS)
    return d


def _repr(self):
    e = "n/a" if self.emissions is None else f"{self.emissions:.3g} kg"
    k = "n/a" if self.energy_consumed is None else f"{self.energy_consumed:.3g} kWh"
    return f"<{type(self).__name__} run {self.run_id} {self.duration} s {k} {e} CO2e>"


# Dataclasses, as CodeCarbon's are: output handlers written for CodeCarbon call
# dataclasses.asdict() on what they are given.
EmissionsData = dataclasses.make_dataclass(
    "EmissionsData", [(name, object, dataclasses.field(default=None))
                      for name in COLUMNS + EXTRA_COLUMNS],
    namespace={"_columns": COLUMNS, "values": property(_values), "to_dict": _to_dict,
               "__repr__": _repr,
               "__doc__": "One row of emissions.csv: an attribute per column (CodeCarbon's "
                          "names and units), `values` the row as a dict in column order. "
                          "None is \"no value\" (an empty cell)."})
EmissionsData.__module__ = __name__

TaskEmissionsData = dataclasses.make_dataclass(
    "TaskEmissionsData", [("task_name", object, dataclasses.field(default=None))],
    bases=(EmissionsData,),
    namespace={"_columns": ("task_name",) + COLUMNS,
               "__doc__": "What stop_task() returns: the task's figures, task_name first."})
TaskEmissionsData.__module__ = __name__


# ---------------------------------------------------------------------------- figures

def _metric_avg(report, device_kind, key):
    """Mean over the devices of a kind of a metric's time-weighted average, or None."""
    values = [m["avg"] for d in report.get("devices") or [] if d.get("kind") == device_kind
              for m in d.get("metrics") or [] if m.get("key") == key and m.get("avg") is not None
              and m.get("instance") is None]
    return sum(values) / len(values) if values else None


def device_factors(report, process):
    """{device: share of its energy that counts}: 1 for the whole machine; with process=True
    the monitored process tree's share (the report's attribution, docs/methodology.md),
    and the devices it has no share for in `whole` (counted whole)."""
    devices = [d for d in report["energy"]["devices"] if d.get("in_total")]
    factors = {d["device"]: 1.0 for d in devices}
    whole = []
    if process:
        shares = {a["device"]: a for a in (report.get("attribution") or {}).get("devices") or []}
        for d in devices:
            a = shares.get(d["device"])
            if a is not None and a.get("device_j"):
                factors[d["device"]] = min(max(a["attributed_j"] / a["device_j"], 0.0), 1.0)
            elif a is not None and a.get("device_j") == 0:
                factors[d["device"]] = 0.0
            elif d.get("energy_j"):
                whole.append(d["device"])
    return factors, whole


def _kind_column(kind):
    return {"cpu": "cpu", "dram": "ram", "gpu": "gpu"}.get(kind)


def figures(summary, meta, process, now=None):
    """An EmissionsData of a run (its aimeter Summary); meta: what the run does not hold
    (project, experiment, country, cloud, ...). The numbers are the Summary's, read through
    the library's accessors (unrounded); its JSON report gives the devices' kinds, models,
    the attribution and the metrics' means. Returns (row, whole): whole lists the devices
    counted whole in process mode for want of a share."""
    report = summary.report
    energy = report["energy"]
    pue = energy.get("pue") or 1.0
    duration = summary.duration_s or 0.0
    factors, whole = device_factors(report, process)
    exact_j = summary.energy_by_device
    joules = {"cpu": 0.0, "gpu": 0.0, "ram": 0.0}
    total_j = 0.0
    carbon_g = 0.0
    carbon_known = summary.carbon_g is not None
    gpus = {}
    cpu_model = None
    for d in energy["devices"]:
        if not d.get("in_total"):
            continue
        j = exact_j.get(d["device"], d.get("energy_j")) or 0.0
        j *= factors.get(d["device"], 1.0)
        total_j += j
        column = _kind_column(d.get("kind"))
        if column:
            joules[column] += j
        if d.get("carbon_g") is not None:
            carbon_g += d["carbon_g"] * factors.get(d["device"], 1.0)
        if d.get("kind") == "gpu":
            name = d.get("model") or "GPU"
            gpus[name] = gpus.get(name, 0) + 1
        if d.get("kind") == "cpu" and cpu_model is None:
            cpu_model = d.get("model")
    if not process and carbon_known:
        carbon_g = summary.carbon_g  # the run's own figure, not a sum of rounded parts
    emissions = carbon_g / 1000.0 if carbon_known else (0.0 if total_j == 0 else None)
    host = next((d for d in report.get("devices") or [] if d.get("kind") == "host"), {})
    kwh = lambda j: j * pue / J_PER_KWH  # noqa: E731  CodeCarbon's energies include the PUE
    watts = lambda j: j / duration if duration > 0 else 0.0  # noqa: E731  IT power, no PUE
    now = now or datetime.datetime.now()
    row = EmissionsData(
        timestamp=now.strftime("%Y-%m-%dT%H:%M:%S"),
        project_name=meta["project_name"],
        run_id=summary.run_id,
        experiment_id=meta.get("experiment_id"),
        duration=duration,
        emissions=emissions,
        emissions_rate=(emissions / duration if emissions is not None and duration > 0
                        else (0.0 if emissions is not None else None)),
        cpu_power=watts(joules["cpu"]), gpu_power=watts(joules["gpu"]),
        ram_power=watts(joules["ram"]),
        cpu_energy=kwh(joules["cpu"]), gpu_energy=kwh(joules["gpu"]),
        ram_energy=kwh(joules["ram"]), energy_consumed=kwh(total_j),
        country_name=meta.get("country_name"), country_iso_code=meta.get("country_iso_code"),
        region=meta.get("region"), cloud_provider=meta.get("cloud_provider"),
        cloud_region=meta.get("cloud_region"),
        os=platform.platform(), python_version=platform.python_version(),
        codecarbon_version=meta["version"],
        cpu_count=os.cpu_count(),
        cpu_model=cpu_model or host.get("model") or platform.processor() or None,
        gpu_count=sum(gpus.values()) or None,
        gpu_model=", ".join(f"{n} x {name}" for name, n in gpus.items()) or None,
        longitude=meta.get("longitude"), latitude=meta.get("latitude"),
        ram_total_size=_metric_avg(report, "host", "mem.total"),
        tracking_mode=meta["tracking_mode"],
        on_cloud="Y" if meta.get("cloud_provider") else "N",
        pue=pue,
        cpu_utilization_percent=_metric_avg(report, "host", "cpu.util"),
        gpu_utilization_percent=_metric_avg(report, "gpu", "gpu.util"),
        ram_utilization_percent=_metric_avg(report, "host", "mem.util"),
        ram_used_gb=_metric_avg(report, "host", "mem.used"),
    )
    return row, whole


# ---------------------------------------------------------------------------- the file

def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # every digit, as CodeCarbon (pandas) writes floats
    return str(value)


def _lock_dir(path):
    """An exclusive lock on the file's directory, held until the returned fd is closed:
    writers of the same file (processes of one job) take turns, and a rewritten file
    (update) replaces the old one atomically without a lock file left behind."""
    import fcntl
    fd = os.open(os.path.dirname(os.path.abspath(path)) or ".", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _backup_name(path):
    for i in range(1000):
        name = f"{path}.bak" if i == 0 else f"{path}.bak{i}"
        if not os.path.exists(name):
            return name
    raise OSError(errno.EEXIST, f"{path}.bak ... {path}.bak999 all exist")


def write_row(path, row, mode, log):
    """Adds row to the CSV at path (mode "append"), or replaces the row of the same run_id
    (mode "update": CodeCarbon's flush semantics; appended when there is none, and when
    there are several, with a warning). A file whose header is not CodeCarbon's columns
    (another version's, or not CodeCarbon's at all) is kept as PATH.bak and a new one begun,
    as CodeCarbon does; a header with more columns (CodeCarbon 3's) keeps its layout, the
    columns aimeter has no figure for left empty. Raises OSError when it cannot write."""
    import csv
    import io
    fd = _lock_dir(path)
    try:
        header = rows = None
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path, newline="", encoding="utf-8") as f:
                reader = csv.reader(f)
                header = next(reader, None)
                rows = list(reader) if mode == "update" else None
            if header is None or not set(COLUMNS) <= set(header):
                backup = _backup_name(path)
                os.rename(path, backup)
                log.warning("aimeter.codecarbon: %s has other columns than CodeCarbon's "
                            "(another version, or another file): kept as %s, a new file begun",
                            path, backup)
                header = rows = None
        columns = header or list(COLUMNS)
        values = row.to_dict()
        line = [_cell(values.get(c)) for c in columns]

        def render(table):
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(table)
            return out.getvalue()

        if header is None:
            _replace(path, render([columns, line]))
        elif mode == "update":
            at = columns.index("run_id")
            mine = [i for i, r in enumerate(rows) if len(r) > at and r[at] == row.run_id]
            if len(mine) == 1:
                rows[mine[0]] = line
            else:
                if len(mine) > 1:
                    log.warning("aimeter.codecarbon: %s has %d rows of run %s: a row is "
                                "appended instead of updating one", path, len(mine), row.run_id)
                rows.append(line)
            _replace(path, render([columns] + rows))
        else:
            # One write() of a whole line in append mode: concurrent appenders cannot
            # interleave inside it.
            with open(path, "a", newline="", encoding="utf-8") as f:
                f.write(render([line]))
    finally:
        os.close(fd)


def _replace(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ---------------------------------------------------------------------------- other outputs

def to_logger(target, row, delta, log):
    """save_to_logger: CodeCarbon's LoggerOutput (anything with out(total, delta)) gets the
    row; a logging.Logger gets it as one JSON line at INFO."""
    if hasattr(target, "out"):
        target.out(row, delta)
        return
    if hasattr(target, "info"):
        import json
        target.info(json.dumps(row.to_dict()))
        return
    log.warning("aimeter.codecarbon: logging_logger %r is neither a logging.Logger nor an "
                "object with out(): nothing logged", target)


def to_endpoint(url, row):
    """emissions_endpoint: the row POSTed as JSON (CodeCarbon's HTTP output), with the user
    name as CodeCarbon adds it. Raises OSError on failure (the caller logs it)."""
    import getpass
    import json
    import urllib.request
    payload = row.to_dict()
    try:
        payload["user"] = getpass.getuser()
    except (KeyError, OSError):
        payload["user"] = None
    if "://" not in url:
        url = "http://" + url  # CodeCarbon's configuration examples write host:port
    req = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as response:
        if response.status >= 400:
            raise OSError(errno.EIO, f"{url} answered {response.status}")
