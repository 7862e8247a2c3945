"""CodeCarbon's interface over aimeter: switch by changing one import.

    from aimeter.codecarbon import EmissionsTracker, OfflineEmissionsTracker, track_emissions

    tracker = OfflineEmissionsTracker(country_iso_code="FRA", project_name="bert")
    tracker.start()
    ...                                 # the workload
    kg = tracker.stop()                 # kg CO2e, a float, as CodeCarbon returns it

Every argument CodeCarbon documents is accepted: mapped to aimeter's option, or warned
about once (IgnoredArgumentWarning) saying why it is ignored. The run appends CodeCarbon's
emissions.csv (same columns and units) in output_dir and is in aimeter's store as well, with
everything CodeCarbon does not have (`aimeter report RUN_ID`; the CSV's run_id is aimeter's
run id). start_task/stop_task are phases of the run; flush() writes the figures so far.

As with CodeCarbon, a bad argument raises when the tracker is made, and nothing raises
while measuring: start(), stop() and flush() log what went wrong (logger
"aimeter.codecarbon") and the workload goes on. docs/codecarbon.md has the whole mapping.
"""
import logging
import os
import threading
import time

from . import _lib, _options
from . import _codecarbon_args as args
from . import _codecarbon_csv as out
from ._codecarbon_args import IgnoredArgumentWarning
from ._codecarbon_csv import COLUMNS, EmissionsData, TaskEmissionsData
from ._lib import COMPLETED, INTERRUPTED
from ._tracker import Tracker, _status_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Optional, TypeVar
    from .summary import Summary
    F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["EmissionsTracker", "OfflineEmissionsTracker", "BaseEmissionsTracker",
           "track_emissions", "EmissionsData", "TaskEmissionsData", "IgnoredArgumentWarning",
           "COLUMNS"]

log = logging.getLogger("aimeter.codecarbon")

# The codecarbon_version column: which tool wrote the row.
_VERSION_TEXT = "aimeter-{}"


class _Settings:
    """What a tracker's arguments mean, checked once (a decorator makes one per call from
    it, without warning again)."""

    def __init__(self, kwargs, offline, stacklevel):
        unknown = sorted(set(kwargs) - args.KNOWN)
        if unknown:
            raise TypeError(f"aimeter.codecarbon: unknown argument"
                            f"{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} (neither "
                            "CodeCarbon's nor aimeter's; docs/codecarbon.md lists them)")
        a, origin = args.merge(kwargs)
        self.offline = offline
        opts = {k: a[k] for k in args.AIMETER_OPTIONS if a.get(k) is not None}

        def ignore(name, reason):
            args.warn_ignored(name, a[name], reason, origin.get(name), stacklevel + 1)

        def both(cc, aim):
            if a.get(cc) is not None and a.get(aim) is not None:
                raise TypeError(f"give {cc} (CodeCarbon's) or {aim} (aimeter's), not both")

        # -- names
        project = a.get("project_name")
        self.project_name = args.tag_value("project_name", project) if project is not None \
            else "codecarbon"   # CodeCarbon's default, in the CSV
        if project is not None and opts.get("name") is None:
            opts["name"] = project
        self.experiment_id = None if a.get("experiment_id") is None else \
            args.tag_value("experiment_id", str(a["experiment_id"]))
        self.experiment_name = None if a.get("experiment_name") is None else \
            args.tag_value("experiment_name", a["experiment_name"])
        self.tags = [("project", self.project_name), ("interface", "codecarbon")]
        if self.experiment_id is not None:
            self.tags.append(("experiment_id", self.experiment_id))
        if self.experiment_name is not None:
            self.tags.append(("experiment_name", self.experiment_name))

        # -- sampling
        both("measure_power_secs", "interval")
        if a.get("measure_power_secs") is not None:
            opts["interval"] = args._number("measure_power_secs", a["measure_power_secs"], 0.001)
        both("gpu_ids", "gpus")
        if a.get("gpu_ids") is not None:
            opts["gpus"] = args.gpu_list(a["gpu_ids"]) or None
        if a.get("pue") is not None:
            opts["pue"] = args._number("pue", a["pue"], 1.0, 5.0)
        mode = a.get("tracking_mode")
        mode = "machine" if mode is None else str(mode).strip().lower()
        if mode not in ("machine", "process"):
            raise ValueError(f"tracking_mode={a['tracking_mode']!r}: 'machine' or 'process'")
        self.tracking_mode = mode
        if a.get("force_mode_cpu_load"):
            if opts.get("sources") is None:
                # CodeCarbon's CPU-load mode: the CPU modelled from its utilisation and TDP,
                # i.e. aimeter's estimate source in place of the RAPL counters.
                opts["sources"] = [s for s in _options._source_names() if s != "rapl"]
        if a.get("wue") is not None:
            if "wue" in _options.OPTIONS:
                opts.setdefault("wue", a["wue"])
            else:
                ignore("wue", "this aimeter version reports no water figure")

        # -- where: the zone that prices the run, and the CSV's country columns
        self.alpha2 = self.alpha3 = None
        self.region = a.get("region")
        self.cloud_provider = a.get("cloud_provider")
        self.cloud_region = a.get("cloud_region")
        self.lat = self.lon = None
        zone = None
        if (self.cloud_provider is None) != (self.cloud_region is None):
            raise ValueError("cloud_provider and cloud_region go together (e.g. 'aws' and "
                             "'us-east-1'; `aimeter zones --cloud` lists them)")
        if a.get("country_iso_code") is not None:
            self.alpha2, self.alpha3 = args.country(a["country_iso_code"])
        if a.get("country_2letter_iso_code") is not None:
            code = args._str("country_2letter_iso_code", a["country_2letter_iso_code"]).strip()
            args.check_zone(code, "country_2letter_iso_code")
            country = code.split("-")[0].upper()
            if self.alpha2 is not None and country != self.alpha2:
                raise ValueError(f"country_iso_code={a['country_iso_code']!r} and "
                                 f"country_2letter_iso_code={code!r} name different countries")
            zone = code
            if self.region is not None:
                ignore("region", "country_2letter_iso_code already names the zone")
        elif self.alpha2 is not None:
            zone = self.alpha2
            if self.region is not None:
                sub = args.subdivision_zone(self.alpha2, args._str("region", self.region))
                if sub is None:
                    import warnings
                    warnings.warn(f"aimeter.codecarbon: region={self.region!r}: no such "
                                  f"province or state of {self.alpha3} in aimeter's zone "
                                  f"table: the national figure ({self.alpha2}) is used",
                                  IgnoredArgumentWarning, stacklevel=stacklevel)
                else:
                    zone = sub
        elif self.region is not None and self.cloud_provider is None:
            ignore("region", "a region needs its country_iso_code")
        if self.cloud_provider is not None:
            provider = args._str("cloud_provider", self.cloud_provider).strip().lower()
            region = args._str("cloud_region", self.cloud_region).strip()
            where = args.cloud_region(provider, region)
            if where is None:
                raise ValueError(f"cloud_provider={self.cloud_provider!r}, cloud_region="
                                 f"{self.cloud_region!r}: not in aimeter's cloud region table "
                                 "(`aimeter zones --cloud` lists them)")
            if self.region is not None or a.get("country_2letter_iso_code") is not None:
                for name in ("region", "country_2letter_iso_code"):
                    if a.get(name) is not None:
                        ignore(name, "the cloud region names the zone (CodeCarbon prices a "
                                     "cloud run by its region too)")
            zone = f"{provider}:{region}"
            self.lat, self.lon = round(where["lat"], 1), round(where["lon"], 1)
            country = (where["zone"] or "").split("-")[0].upper()
            if args.iso.alpha3(country):
                if self.alpha2 is not None and self.alpha2 != country:
                    ignore("country_iso_code", f"the cloud region is in {args.iso.alpha3(country)}, "
                                               "whose figures are used")
                self.alpha2, self.alpha3 = country, args.iso.alpha3(country)
                self.region = None
        if zone is not None and opts.get("zone") is None and opts.get("cloud") is None:
            opts["zone"] = zone
        both("force_carbon_intensity_g_co2e_kwh", "intensity")
        if a.get("force_carbon_intensity_g_co2e_kwh") is not None:
            opts["intensity"] = args._number("force_carbon_intensity_g_co2e_kwh",
                                             a["force_carbon_intensity_g_co2e_kwh"], 0.0, 5000.0)
        for option in ("zone", "cloud"):
            if opts.get(option) is not None:
                args.check_zone(args._str(option, opts[option]), option)

        # -- logging and the report
        self.log_level = None
        if a.get("log_level") is not None:
            self.log_level = args.log_level(a["log_level"])
            logging.getLogger("aimeter").setLevel(self.log_level)
        if opts.get("quiet") is None:
            # CodeCarbon's "info" (its default) talks; "warning" and above are quiet.
            opts["quiet"] = self.log_level is not None and self.log_level >= logging.WARNING
        # A tracker of its own even inside `aimeter run`: CodeCarbon's stop() returns a
        # number and writes a row, which an attached tracker could not (attach=True asks).
        opts.setdefault("attach", False)

        # -- outputs
        methods = None
        if a.get("output_methods") is not None:
            methods = args.output_methods(a["output_methods"])
            for name, reason in (("api", args._API),
                                 ("prometheus", args.IGNORED["save_to_prometheus"][1]),
                                 ("logfire", args.IGNORED["save_to_logfire"][1]),
                                 ("boamps", "aimeter writes no BoAmps file at stop; the run "
                                            "stays in aimeter's store for its reports")):
                if name in methods:
                    args.warn_ignored("output_methods", a["output_methods"],
                                      f"{name!r}: {reason}", origin.get("output_methods"),
                                      stacklevel)
        save_file = a.get("save_to_file", True) if methods is None else "csv" in methods
        self.save_to_file = bool(save_file)
        self.save_to_logger = bool(a.get("save_to_logger") if methods is None
                                   else "logger" in methods)
        self.logging_logger = a.get("logging_logger")
        if self.save_to_logger and self.logging_logger is None:
            raise ValueError("save_to_logger=True needs logging_logger (a logging.Logger, or "
                             "CodeCarbon's LoggerOutput)")
        handlers = a.get("output_handlers") or []
        if not isinstance(handlers, (list, tuple)) or \
                not all(callable(getattr(h, "out", None)) for h in handlers):
            raise TypeError("output_handlers: a list of objects with out(total, delta) "
                            "(CodeCarbon's BaseOutput interface)")
        self.handlers = list(handlers)
        self.endpoint = None if a.get("emissions_endpoint") is None else \
            args._str("emissions_endpoint", a["emissions_endpoint"])
        on_write = a.get("on_csv_write", "append")
        if on_write not in ("append", "update"):
            raise ValueError(f"on_csv_write={on_write!r}: 'append' or 'update'")
        self.on_csv_write = on_write
        output_dir = a.get("output_dir")
        output_dir = "." if output_dir is None else os.fspath(output_dir)
        output_file = a.get("output_file")
        output_file = "emissions.csv" if output_file is None else os.fspath(output_file)
        # Absolute now: the program may chdir before stop().
        self.csv_path = os.path.abspath(os.path.join(output_dir, output_file))
        if self.save_to_file and not os.path.isdir(os.path.dirname(self.csv_path)):
            raise FileNotFoundError(f"output_dir={output_dir!r}: no such directory (CodeCarbon "
                                    "needs it to exist too)")

        # -- the ignored ones
        for name, (neutral, reason) in args.IGNORED.items():
            if name in a and not any(a[name] is n or a[name] == n for n in neutral):
                if name.startswith("save_to_") and methods is not None:
                    continue  # output_methods wins over the save_to_* flags (CodeCarbon 3)
                ignore(name, reason)

        self.options = opts
        # Checks the options as aimeter.track() would, now (not at start).
        Tracker(**opts)


    def pue_number(self):
        """The PUE as a number, for tasks before the run is stored (a provider name such as
        pue="aws" is resolved by the library: 1.0 until then)."""
        pue = self.options.get("pue")
        return float(pue) if isinstance(pue, (int, float)) else 1.0


class _TaggedOptions(_options.Options):
    """aimeter's options plus run tags (project, experiment_id, ...), set on the
    configuration when the run starts (aim_config_add_tag)."""

    __slots__ = ("tags",)

    def _apply(self, lib, cfg):
        super()._apply(lib, cfg)
        add = getattr(lib, "aim_config_add_tag", None)
        if add is None:
            return  # an older library: the run is untagged, nothing else changes
        add.restype = _lib.c_int
        add.argtypes = [_lib.c_void_p, _lib.c_char_p, _lib.c_char_p]
        for key, value in self.tags:
            if add(cfg, _lib.encode(key), _lib.encode(value)) < 0:
                raise ValueError(f"run tag {key}={value!r}: refused by the library")


def _tagged(tracker, tags):
    old = tracker._opts
    new = _TaggedOptions()
    for cls in type(old).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if slot != "tags" and hasattr(old, slot):
                setattr(new, slot, getattr(old, slot))
    new.tags = tags
    tracker._opts = new
    return tracker


class _Task:
    __slots__ = ("name", "phase", "t0", "e0", "data", "run_id")


# Shim trackers still running, to write their row at interpreter exit.
_running = set()
_running_lock = threading.Lock()
_atexit_installed = False


def _after_fork_in_child():
    # The parent's runs are not the child's to end (aimeter's own hook says the same of
    # its trackers).
    global _running_lock
    _running_lock = threading.Lock()
    _running.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _at_exit():
    with _running_lock:
        trackers = list(_running)
    for t in trackers:
        try:
            t._end(INTERRUPTED, -1)
        except Exception as e:  # keep going: the others still need their row
            log.error("aimeter.codecarbon: at exit: %s", e)


class BaseEmissionsTracker:
    """CodeCarbon's EmissionsTracker over an aimeter run. Arguments: CodeCarbon's (see
    docs/codecarbon.md for what each does here) and aimeter's own options (db=, zone=,
    price=, ...: docs/python.md)."""

    _offline = False

    def __init__(self, project_name: "Optional[str]" = None, **kwargs: "Any") -> None:
        if project_name is not None:
            kwargs["project_name"] = project_name
        self._setup(_Settings(kwargs, self._offline, stacklevel=3))

    def _setup(self, settings):
        self._s = settings
        self._lock = threading.RLock()
        self._tracker = None
        self._default_name = None
        self._tasks = []
        self._active = None
        self._intensity = None          # g/kWh, for tasks before the run is stored
        self._last_row = None
        self.final_emissions: "Optional[float]" = None
        self.final_emissions_data: "Optional[EmissionsData]" = None

    # ---------------------------------------------------------------- state

    @property
    def run_id(self) -> "Optional[str]":
        """aimeter's id of the current (or last) run: `aimeter report RUN_ID`."""
        return self._tracker.run_id if self._tracker is not None else None

    @property
    def summary(self) -> "Optional[Summary]":
        """The stopped run's aimeter Summary (docs/python.md), None before."""
        return self._tracker.summary if self._tracker is not None else None

    @property
    def running(self) -> bool:
        return self._tracker is not None and self._tracker.running

    # ---------------------------------------------------------------- start / stop

    def start(self) -> None:
        """Starts measuring (a new aimeter run). Already running: a warning, nothing else."""
        global _atexit_installed
        with self._lock:
            if self.running:
                log.warning("aimeter.codecarbon: already started (run %s)", self.run_id)
                return
            try:
                tracker = Tracker(_default_name=self._default_name, **self._s.options)
                _tagged(tracker, self._s.tags).start()
            except Exception as e:
                log.error("aimeter.codecarbon: not measured: %s", e)
                return
            self._tracker, self._tasks, self._active = tracker, [], None
            self._last_row = self.final_emissions = self.final_emissions_data = None
            with _running_lock:
                if not _atexit_installed:
                    import atexit
                    atexit.register(_at_exit)
                    _atexit_installed = True
                _running.add(self)

    def stop(self) -> "Optional[float]":
        """Stops the run, writes its row and returns its emissions in kg CO2e (None when
        nothing was measured here: not started, or another rank samples the node)."""
        with self._lock:
            if self._tracker is None:
                log.error("aimeter.codecarbon: stop() before start(): nothing measured")
                return None
            if not self.running:
                log.warning("aimeter.codecarbon: already stopped (run %s)", self.run_id)
                return self.final_emissions
            return self._end(COMPLETED, -1)

    def flush(self) -> "Optional[float]":
        """Writes the figures so far (as the store has them: its last commit, at most
        750 ms or one sampling interval old) and keeps measuring; returns the emissions so
        far in kg CO2e. on_csv_write="update" replaces this run's row instead of adding one."""
        with self._lock:
            if not self.running:
                log.error("aimeter.codecarbon: flush() of a tracker that is not running")
                return None
            t = self._tracker
            if t._mode != "native" or not t.run_id:
                return None  # another process measures (rank, attached): no figures here
            try:
                from .summary import load
                return self._emit(load(t.run_id, db=t._db))
            except Exception as e:
                import errno
                if isinstance(e, _lib.AimeterError) and e.errno == errno.ENOENT:
                    log.warning("aimeter.codecarbon: flush(): nothing of run %s is stored yet "
                                "(its first commit comes 750 ms after start)", t.run_id)
                else:
                    log.error("aimeter.codecarbon: flush of run %s: %s", t.run_id, e)
                return None

    def _end(self, status, code):
        with self._lock:
            with _running_lock:
                _running.discard(self)
            t = self._tracker
            if self._active is not None:
                self.stop_task()
            try:
                t._stop(status, code)
            except Exception as e:
                log.error("aimeter.codecarbon: stopping run %s: %s", t.run_id, e)
            s = t.summary
            if s is None or not getattr(s, "sampled", False):
                if s is not None:
                    log.info("%s", s.text().strip())
                return None
            try:
                emissions = self._emit(s)
                self._refine_tasks(s, s.report, self._last_row)
            except Exception as e:
                log.error("aimeter.codecarbon: reading run %s: %s", t.run_id, e)
                return None
            self.final_emissions = emissions
            self.final_emissions_data = self._last_row
            return emissions

    # ---------------------------------------------------------------- the row

    def _meta(self, report):
        s = self._s
        zone = (report.get("carbon") or {}).get("zone")
        alpha2, alpha3, region = s.alpha2, s.alpha3, s.region
        if alpha2 is None and zone:
            country = zone.split(":")[0].split("-")[0]
            if args.iso.alpha3(country):
                alpha2, alpha3 = country.upper(), args.iso.alpha3(country)
        name_of = args.zone_row(alpha2) if alpha2 else (args.zone_row(zone) if zone else None)
        if region is None and zone and alpha2 and zone.upper().startswith(alpha2 + "-"):
            row = args.zone_row(zone)
            region = row["name"].split(",")[0] if row else None
        return {"project_name": s.project_name, "experiment_id": s.experiment_id,
                "country_name": name_of["name"] if name_of else None,
                "country_iso_code": alpha3, "region": region,
                "cloud_provider": s.cloud_provider, "cloud_region": s.cloud_region,
                "longitude": s.lon, "latitude": s.lat, "tracking_mode": s.tracking_mode,
                "version": _VERSION_TEXT.format(report["run"].get("aimeter_version") or "")}

    def _emit(self, summary):
        """Computes the row of a run (its Summary), writes it where asked; returns its
        emissions."""
        s = self._s
        row, whole = out.figures(summary, self._meta(summary.report),
                                 s.tracking_mode == "process")
        if whole:
            log.warning("aimeter.codecarbon: tracking_mode='process': no share of %s is known "
                        "for this process tree (docs/methodology.md, Attribution): counted "
                        "whole", ", ".join(whole))
        delta = self._delta(row)
        self._last_row = row
        if s.save_to_file:
            try:
                out.write_row(s.csv_path, row, s.on_csv_write, log)
            except OSError as e:
                log.error("aimeter.codecarbon: could not write %s: %s (the run is in "
                          "aimeter's store: `aimeter report %s`)", s.csv_path, e, row.run_id)
        targets = ([("logging_logger", lambda: out.to_logger(s.logging_logger, row, delta, log))]
                   if s.save_to_logger else [])
        targets += [(f"output handler {h!r}", lambda h=h: h.out(row, delta)) for h in s.handlers]
        if s.endpoint:
            targets.append((s.endpoint, lambda: out.to_endpoint(s.endpoint, row)))
        for what, send in targets:
            try:
                send()
            except Exception as e:
                log.error("aimeter.codecarbon: %s: %s", what, e)
        return row.emissions

    def _delta(self, row):
        """The row less the previous one of this run (CodeCarbon's delta for its outputs)."""
        last = self._last_row
        if last is None or last.run_id != row.run_id:
            return row
        d = EmissionsData(**row.to_dict())
        for f in ("duration", "emissions", "cpu_energy", "gpu_energy", "ram_energy",
                  "energy_consumed"):
            a, b = getattr(row, f), getattr(last, f)
            setattr(d, f, a - b if a is not None and b is not None else a)
        d.emissions_rate = (d.emissions / d.duration if d.emissions is not None and d.duration
                            else 0.0)
        return d

    # ---------------------------------------------------------------- tasks

    def start_task(self, task_name: "Optional[str]" = None) -> None:
        """Begins a task: a phase of the run (started now if it was not). One task at a
        time, as CodeCarbon: another start_task() before stop_task() is ignored, with a
        warning. No name: a UUID, as CodeCarbon."""
        with self._lock:
            if not self.running:
                self.start()
                if not self.running:
                    return
            if self._active is not None:
                log.warning("aimeter.codecarbon: task %r is still being measured: "
                            "start_task(%r) ignored", self._active.name, task_name)
                return
            if task_name is None:
                import uuid
                task_name = str(uuid.uuid4())
            task = _Task()
            task.name, task.data, task.run_id = task_name, None, self.run_id
            task.phase = None
            if self._tracker.sampling or self._tracker.attached:
                task.phase = self._tracker.phase(task_name, nest=True)  # bad name: raises
            live = self._tracker.live()
            task.t0, task.e0 = time.monotonic(), live["energy_j"] if live else None
            self._active = task

    def stop_task(self, task_name: "Optional[str]" = None) -> "Optional[TaskEmissionsData]":
        """Ends the task and returns its figures (a TaskEmissionsData): duration, energy and
        emissions now, from the run's live counters; the split by component (cpu_energy,
        gpu_energy, ram_energy, the powers) is filled when the tracker stops, from the run's
        stored phase. None when no task is being measured."""
        with self._lock:
            task = self._active
            if task is None or (task_name is not None and task_name != task.name):
                log.warning("aimeter.codecarbon: stop_task(%r): no such task is being measured",
                            task_name)
                return None
            self._active = None
            live = self._tracker.live() if self.running else None
            duration = time.monotonic() - task.t0
            if task.phase is not None and task.phase.open:
                try:
                    task.phase.end()
                except Exception as e:
                    log.error("aimeter.codecarbon: ending task %r: %s", task.name, e)
            s = self._s
            pue = s.pue_number()
            kwh = None
            if live is not None and task.e0 is not None:
                # The live counters are those of the writer's last batch (250 ms apart, or a
                # sampling interval when that is longer): over a long task both ends lag
                # alike and the difference is the task's energy; a short one is the run's
                # power now times its duration. stop() puts the stored phase's in their place.
                interval = s.options.get("interval")
                interval = interval if isinstance(interval, (int, float)) else 0.1
                if duration >= max(2.0, 4 * interval) and live["energy_j"] > task.e0:
                    joules = live["energy_j"] - task.e0
                else:
                    joules = live["power_w"] * duration
                kwh = joules * pue / out.J_PER_KWH
            intensity = self._task_intensity()
            emissions = kwh * intensity / 1000.0 if kwh is not None and intensity is not None \
                else None
            import datetime
            import platform
            data = TaskEmissionsData(
                task_name=task.name,
                timestamp=datetime.datetime.now().strftime("%Y-%m-%dT%H:%M:%S"),
                project_name=s.project_name, run_id=task.run_id, experiment_id=s.experiment_id,
                duration=duration, emissions=emissions,
                emissions_rate=emissions / duration if emissions is not None and duration > 0
                else None,
                energy_consumed=kwh, country_iso_code=s.alpha3, region=s.region,
                cloud_provider=s.cloud_provider, cloud_region=s.cloud_region,
                os=platform.platform(), python_version=platform.python_version(),
                cpu_count=os.cpu_count(), tracking_mode=s.tracking_mode,
                on_cloud="Y" if s.cloud_provider else "N", pue=pue,
                longitude=s.lon, latitude=s.lat)
            task.data = data
            self._tasks.append(task)
            return data

    def _task_intensity(self):
        """g CO2e/kWh for a task's emissions before the run is stored: the constant given,
        the zone's table value, else the run's own (read from the store once it has it)."""
        if self._intensity is not None:
            return self._intensity
        o = self._s.options
        if o.get("intensity") is not None:
            self._intensity = float(o["intensity"])
        elif o.get("zone") or o.get("cloud"):
            row = args.zone_row((o.get("zone") or o.get("cloud")).split("@")[0])
            if row is not None and "@" not in (o.get("zone") or o.get("cloud")):
                self._intensity = row["g_per_kwh"]
        elif self._tracker is not None and self._tracker.run_id:
            try:
                from .summary import load
                self._intensity = load(self._tracker.run_id, db=self._tracker._db) \
                    .intensity_g_per_kwh
            except Exception:
                pass
        return self._intensity

    def _refine_tasks(self, summary, report, row):
        """The tasks' figures from the stored phases: a phase whose name was used once is the
        task; for a name used several times, each task gets the phases' energy in proportion
        to its duration. Split by device as the phase is; emissions at the run's intensity;
        the run's row gives the columns that describe the machine."""
        kinds = {d["device"]: d.get("kind") for d in report["energy"]["devices"]
                 if d.get("in_total")}
        factors, _ = out.device_factors(report, self._s.tracking_mode == "process")
        facility_kwh = report["energy"].get("facility_kwh") or report["energy"].get("total_kwh")
        carbon_g = (report.get("carbon") or {}).get("g")
        intensity = carbon_g / facility_kwh if carbon_g is not None and facility_kwh else None
        pue = report["energy"].get("pue") or 1.0
        for task in self._tasks:
            data = task.data
            try:
                phase = summary.phase(task.name)
            except KeyError:
                continue
            by_device = {d: j for d, j in phase.energy_by_device.items() if d in kinds}
            phase_j = sum(by_device.values())
            if phase.instances == 1:
                task_j = phase_j        # the stored phase is this task
                data.duration = phase.duration_s
            elif phase.duration_s:
                task_j = phase_j * min(data.duration / phase.duration_s, 1.0)
            else:
                continue
            parts = {"cpu": 0.0, "gpu": 0.0, "ram": 0.0}
            total = 0.0
            for device, j in by_device.items():
                share = task_j * (j / phase_j if phase_j else 0.0) * factors.get(device, 1.0)
                total += share
                column = out._kind_column(kinds[device])
                if column:
                    parts[column] += share
            for column, j in parts.items():
                setattr(data, f"{column}_energy", j * pue / out.J_PER_KWH)
                setattr(data, f"{column}_power", j / data.duration if data.duration else 0.0)
            data.energy_consumed = total * pue / out.J_PER_KWH
            data.pue = pue
            if row is not None:
                for column in ("country_name", "country_iso_code", "region", "codecarbon_version",
                               "cpu_model", "gpu_count", "gpu_model", "ram_total_size"):
                    setattr(data, column, getattr(row, column))
            if intensity is not None:
                data.emissions = data.energy_consumed * intensity / 1000.0
                data.emissions_rate = (data.emissions / data.duration if data.duration
                                       else 0.0)

    # ---------------------------------------------------------------- idioms

    def __enter__(self) -> "BaseEmissionsTracker":
        self.start()
        return self

    def __exit__(self, exc_type: "Any", exc: "Any", tb: "Any") -> None:
        with self._lock:
            if self.running:
                status, code = _status_of(exc_type, exc)
                self._end(status, code)

    def __repr__(self):
        state = f"run {self.run_id}" if self.running else "stopped" if self._tracker else "new"
        return f"<aimeter.codecarbon.{type(self).__name__} {self._s.project_name!r} {state}>"


class EmissionsTracker(BaseEmissionsTracker):
    """CodeCarbon's EmissionsTracker. Without a location (country_iso_code, cloud_provider
    and cloud_region, or aimeter's zone=) the run is priced as aimeter prices any run: a
    zone guessed from the system's time zone, else the world average (CodeCarbon would ask
    a geolocation service; aimeter makes no network call)."""


class OfflineEmissionsTracker(BaseEmissionsTracker):
    """CodeCarbon's OfflineEmissionsTracker: country_iso_code takes ISO-3 ("FRA", "USA")
    as CodeCarbon does (ISO-2 too); region a province or state of it ("california")."""

    _offline = True


_CO_GENERATOR, _CO_COROUTINE, _CO_ASYNC_GENERATOR = 0x20, 0x80, 0x200


def track_emissions(fn: "Optional[F]" = None, *, offline: bool = False,
                    **kwargs: "Any") -> "Any":
    """CodeCarbon's decorator: `@track_emissions`, or `@track_emissions(project_name=...,
    offline=True, country_iso_code="CAN", ...)` with any tracker argument. Every call of
    the function is one run and one row; the function's value is returned unchanged, and
    the latest call's tracker is `func.last_tracker` (its emissions: `.final_emissions`)."""
    cls = OfflineEmissionsTracker if offline else EmissionsTracker
    settings = _Settings(dict(kwargs), offline, stacklevel=3)

    def decorate(func):
        import contextvars
        import functools
        if not callable(func):
            raise TypeError("track_emissions decorates a function")
        flags = getattr(getattr(func, "__code__", None), "co_flags", 0)
        if flags & (_CO_GENERATOR | _CO_ASYNC_GENERATOR):
            raise TypeError("track_emissions cannot decorate a generator: measure the loop "
                            "that consumes it with `with EmissionsTracker():`")
        name = getattr(func, "__name__", "function")
        inside = contextvars.ContextVar(f"aimeter.codecarbon:{name}", default=False)

        def tracker():
            t = cls.__new__(cls)
            t._setup(settings)
            t._default_name = name
            return t

        if flags & _CO_COROUTINE:
            @functools.wraps(func)
            async def async_wrapper(*a, **kw):
                if inside.get():
                    return await func(*a, **kw)
                t = tracker()
                token = inside.set(True)
                try:
                    with t:
                        return await func(*a, **kw)
                finally:
                    inside.reset(token)
                    async_wrapper.last_tracker = t
            async_wrapper.last_tracker = None
            return async_wrapper

        @functools.wraps(func)
        def wrapper(*a, **kw):
            if inside.get():  # a recursive call belongs to the outer call's run
                return func(*a, **kw)
            t = tracker()
            token = inside.set(True)
            try:
                with t:
                    return func(*a, **kw)
            finally:
                inside.reset(token)
                wrapper.last_tracker = t
        wrapper.last_tracker = None
        return wrapper

    if fn is not None:
        return decorate(fn)
    return decorate
