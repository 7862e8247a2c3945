"""The options of monitor.start() and track(): the CLI's (`aimeter run --help`) under Python
names, plus the WattsOnAI names (task_name, sampling_interval, output_format,
additional_metrics, indices) so that the paper's snippet runs unchanged.

parse() checks and normalises them in Python (cheap, no library call); Options.config()
builds the aim_config, where the library checks the rest (unknown zone, source, ...).
"""
import ctypes
import math
import os
import sys

from . import _lib

# Every option, with the one-line meaning shown when an unknown name is given.
OPTIONS = {
    "name": "name of the run (default: the script's name, or the decorated function's)",
    "interval": "sampling interval: seconds (0.1) or a duration string ('100ms', '2s')",
    "gpus": "GPUs to measure: indices or UUIDs, a list or '0,2' (default: all, or CUDA_VISIBLE_DEVICES)",
    "sources": "sources to use, a list or 'procfs,rapl' (default: all available)",
    "metrics": "GPU metrics: 'basic', 'full' or a list of metric keys (default: all at the interval)",
    "zone": "grid zone for carbon, e.g. 'FR', 'US-CAL-CISO', or a cloud region 'aws:us-east-1'; "
            "'CA-SK@marginal' for the built-in marginal table, 'FR@2010' for a year's average",
    "cloud": "cloud region 'provider:region' (same as zone)",
    "intensity": "constant grid carbon intensity, g CO2e/kWh (overrides zone)",
    "intensity_file": "CSV of intensity over time: timestamp,g_per_kwh[,signal]",
    "pue": "power usage effectiveness: a number 1.0-5.0 or 'aws', 'gcp', 'azure'",
    "price": "electricity price per kWh: 0.21 with currency='EUR', or '0.21EUR'",
    "currency": "ISO 4217 currency of price or price_file, e.g. 'EUR'",
    "price_file": "time-of-use tariff CSV: timestamp,price_per_kwh (with currency)",
    "dcgm_host": "a running nv-hostengine: 'host', 'host:port' or a socket path",
    "db": "store path (default: $AIMETER_DB, else $XDG_DATA_HOME/aimeter/aimeter.db)",
    "csv": "also write the time series as CSV to this path at stop (and NAME.columns.csv "
           "beside NAME.csv: how each column was obtained)",
    "json": "also write the summary as JSON (schema aimeter.report/1) to this path at stop",
    "quiet": "do not print the report at stop",
    "all_ranks": "sample on every rank, not only local rank 0 (each run then counts the whole node)",
    "attach": "inside `aimeter run`, add to its run instead of sampling again (default True)",
    # WattsOnAI's names
    "task_name": "WattsOnAI name for name",
    "sampling_interval": "WattsOnAI name for interval, in seconds",
    "output_format": "WattsOnAI: 'csv' also writes <name>_<run id>.csv, 'json' the summary; "
                     "'mysql' means the store (always written)",
    "additional_metrics": "WattsOnAI: 'CPU', 'DRAM' (always measured), 'Gdetails', 'fp64', "
                          "'fp32', 'fp16' (DCGM profiling: metrics='full')",
    "indices": "WattsOnAI name for gpus: a list of GPU indices, empty = all",
}

_SEED_EXTRAS = {"cpu": None, "dram": None, "gdetails": "full", "fp64": "full", "fp32": "full",
                "fp16": "full"}
_OUTPUT_FORMATS = ("csv", "json", "mysql", "db", "sqlite", "store")


def _names_text():
    return ", ".join(sorted(OPTIONS))


def check_names(options, where):
    unknown = [k for k in options if k not in OPTIONS]
    if unknown:
        raise TypeError(f"{where}: unknown option{'s' if len(unknown) > 1 else ''} "
                        f"{', '.join(sorted(unknown))}; valid options: {_names_text()}")


def _one_of(options, a, b):
    if options.get(a) is not None and options.get(b) is not None:
        raise TypeError(f"give {a} or {b}, not both")
    return options.get(a) if options.get(a) is not None else options.get(b)


_MAX_INTERVAL_NS = 9.2e18


def interval_ns(value, option="interval"):
    """Seconds (int, float), a duration string, or a datetime.timedelta -> ns (>= 1 ms)."""
    if isinstance(value, bool):
        raise TypeError(f"{option}: seconds or a duration string, not a bool")
    if hasattr(value, "total_seconds"):
        value = value.total_seconds()
    if isinstance(value, (int, float)):
        # The same bounds as the CLI's durations (aim_parse_duration): ns fit an int64.
        if not math.isfinite(value) or value < 0.001 or value * 1e9 > _MAX_INTERVAL_NS:
            raise ValueError(f"{option}={value!r}: at least 0.001 s (1 ms), at most "
                             f"{_MAX_INTERVAL_NS / 1e9:.3g} s")
        return int(round(value * 1e9))
    if isinstance(value, str):
        ns = _lib.parse_duration(value.strip())
        if ns < 1000000:
            raise ValueError(f"{option}={value!r}: at least 1ms")
        return ns
    raise TypeError(f"{option}: seconds (a number) or a duration string such as '100ms', "
                    f"not {type(value).__name__}")


def _csv_list(value, option, allow_int=False):
    """A list/tuple/set of words, one word or int, or 'a,b' -> 'a,b'."""
    if isinstance(value, bool):
        raise TypeError(f"{option}: a list or a comma-separated string")
    if isinstance(value, int) and allow_int:
        return str(value)
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, (list, tuple, set, frozenset, range)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (str, int)):
                raise TypeError(f"{option}: items are strings{' or ints' if allow_int else ''}, "
                                f"not {type(item).__name__}")
        text = ",".join(str(i).strip() for i in items)
    else:
        raise TypeError(f"{option}: a list or a comma-separated string, not {type(value).__name__}")
    return text


def _parse_price(value, currency):
    if isinstance(value, bool):
        raise TypeError("price: a number or a string such as '0.21EUR'")
    if isinstance(value, (int, float)):
        amount, cur = float(value), ""
    elif isinstance(value, str):
        text = value.strip()
        i = len(text)
        while i > 0 and text[i - 1].isalpha():
            i -= 1
        number, cur = text[:i].strip(), text[i:]
        try:
            amount = float(number)
        except ValueError:
            raise ValueError(f"price={value!r}: a price per kWh with its currency, e.g. "
                             "'0.21EUR' (or price=0.21, currency='EUR')") from None
    else:
        raise TypeError(f"price: a number or a string such as '0.21EUR', not {type(value).__name__}")
    if cur and currency and cur.upper() != str(currency).upper():
        raise ValueError(f"price={value!r} and currency={currency!r} disagree")
    cur = cur or currency
    if not cur:
        raise ValueError(f"price={value!r}: say the currency, e.g. price='0.21EUR' or currency='EUR'")
    if not math.isfinite(amount) or not 0 <= amount <= 1000:
        raise ValueError(f"price={value!r}: from 0 to 1000 per kWh")
    return amount, str(cur)


def default_name():
    """The script's name without .py: what `aimeter run -- python train.py` would not give
    (it names runs after the program, python)."""
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    base = os.path.basename(argv0)
    if base in ("", "-c", "-m", "-"):
        return "python"
    if base.endswith(".py"):
        base = base[:-3]
    return base or "python"


class Options:
    """Checked options (attributes named as in OPTIONS, seed names folded in)."""

    __slots__ = ("name", "interval_ns", "gpus", "sources", "metrics", "zone", "intensity",
                 "intensity_file", "pue", "price", "currency", "price_file", "dcgm_host", "db",
                 "csv", "json", "quiet", "all_ranks", "attach", "auto_csv", "auto_json")

    def config(self):
        """A new aim_config (c_void_p) with these options; the caller frees it."""
        lib = _lib.lib()
        cfg = ctypes.c_void_p()
        r = lib.aim_config_new(ctypes.byref(cfg))
        if r < 0:
            raise _lib.AimeterError(r, "configuration")
        try:
            self._apply(lib, cfg)
        except BaseException:
            lib.aim_config_free(cfg)
            raise
        return cfg

    def _apply(self, lib, cfg):
        enc = _lib.encode

        def check(r, option, value, rule):
            if r < 0:
                raise ValueError(f"{option}={value!r}: {rule}")

        check(lib.aim_config_set_name(cfg, enc(self.name)), "name", self.name, "a non-empty name")
        if self.interval_ns is not None:
            check(lib.aim_config_set_interval(cfg, self.interval_ns), "interval",
                  self.interval_ns / 1e9, "at least 1 ms")
        if self.db is not None:
            check(lib.aim_config_set_db_path(cfg, enc(self.db)), "db", self.db, "a path")
        if self.sources is not None:
            check(lib.aim_config_set_sources(cfg, enc(self.sources)), "sources", self.sources,
                  "comma-separated source names from aimeter devices: " + ", ".join(_source_names()))
        if self.gpus is not None:
            check(lib.aim_config_set_source_option(cfg, b"nvidia", b"gpus",
                                                   enc(self.gpus)), "gpus", self.gpus,
                  "GPU indices or UUIDs, e.g. [0, 2] or '0,2'")
        if self.metrics is not None:
            check(lib.aim_config_set_metrics(cfg, enc(self.metrics)), "metrics", self.metrics,
                  "'basic', 'full' or metric keys (docs/metrics.md)")
        if self.dcgm_host is not None:
            check(lib.aim_config_set_source_option(cfg, b"dcgm", b"host",
                                                   enc(self.dcgm_host)), "dcgm_host",
                  self.dcgm_host, "host, host:port or a socket path")
        if self.zone is not None:
            check(lib.aim_config_set_zone(cfg, enc(self.zone)), "zone", self.zone,
                  "a zone code from `aimeter zones` (e.g. 'FR', 'CA-SK') or a cloud region "
                  "'aws:us-east-1', optionally with @marginal or @YEAR")
        if self.intensity is not None:
            check(lib.aim_config_set_intensity(cfg, float(self.intensity)), "intensity",
                  self.intensity, "g CO2e per kWh, from 0 to 5000")
        if self.intensity_file is not None:
            _need("aim_config_set_intensity_file", "intensity_file")
            check(lib.aim_config_set_intensity_file(cfg, enc(self.intensity_file)),
                  "intensity_file", self.intensity_file, "a path to a readable CSV")
        if self.pue is not None:
            _need("aim_config_set_pue", "pue")
            check(lib.aim_config_set_pue(cfg, enc(self.pue)), "pue", self.pue,
                  "a number from 1.0 to 5.0, or a provider default such as 'aws', 'gcp', 'azure'")
        if self.price is not None:
            _need("aim_config_set_price", "price")
            check(lib.aim_config_set_price(cfg, self.price, enc(self.currency)), "price",
                  self.price, "from 0 to 1000 per kWh, currency as 3 letters (EUR, USD)")
        if self.price_file is not None:
            _need("aim_config_set_price_file", "price_file")
            check(lib.aim_config_set_price_file(cfg, enc(self.price_file), enc(self.currency)),
                  "price_file", self.price_file, "a readable CSV, with currency='EUR' or the like")
        argv = [sys.executable or "python3"] + list(sys.argv)
        arr = (ctypes.c_char_p * (len(argv) + 1))(*[os.fsencode(a) for a in argv], None)
        lib.aim_config_set_command(cfg, arr)
        # The Python process (and its children: DataLoader workers) is the workload: its CPU
        # time, memory and GPU use are recorded as the run's process tree.
        lib.aim_config_set_target_pid(cfg, os.getpid())
        # A node of a batch job: its coordinates (job, node, ranks, user) as the run's tags,
        # so that `aimeter report --job` finds it (docs/python.md, "Several processes").
        if _lib.has("aim_config_add_job_tags"):
            lib.aim_config_add_job_tags(cfg, b"python")


def _need(symbol, option):
    if not _lib.has(symbol):
        raise TypeError(f"{option}: the libaimeter loaded ({_lib.version()}) does not support it")


def _source_names():
    # aim_source_names() is a NULL-terminated array of static strings.
    arr, names, i = _lib.lib().aim_source_names(), [], 0
    while arr[i]:
        names.append(arr[i].decode())
        i += 1
    return names


def parse(options, default=None):
    """Checks options (a dict of keyword arguments) and returns Options."""
    check_names(options, "aimeter")
    o = Options()
    name = _one_of(options, "name", "task_name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise ValueError(f"name={name!r}: a non-empty string")
    if name is not None and "\0" in name:
        raise ValueError(f"name={name!r}: a NUL character would cut the name short")
    o.name = name if name is not None else (default or default_name())

    iv = _one_of(options, "interval", "sampling_interval")
    o.interval_ns = None if iv is None else interval_ns(
        iv, "interval" if options.get("interval") is not None else "sampling_interval")

    gpus = _one_of(options, "gpus", "indices")
    o.gpus = None
    if gpus is not None:
        text = _csv_list(gpus, "gpus" if options.get("gpus") is not None else "indices", allow_int=True)
        o.gpus = text or None  # WattsOnAI: an empty list means all GPUs

    o.sources = None if options.get("sources") is None else _csv_list(options["sources"], "sources")
    metrics = None if options.get("metrics") is None else _csv_list(options["metrics"], "metrics")
    extras = options.get("additional_metrics")
    if extras is not None:
        items = [extras] if isinstance(extras, str) else extras
        if not isinstance(items, (list, tuple, set, frozenset)):
            raise TypeError("additional_metrics: a list such as ['CPU', 'DRAM', 'Gdetails']")
        wanted = set()
        for item in items:
            key = str(item).strip().lower()
            if key not in _SEED_EXTRAS:
                raise ValueError(f"additional_metrics: unknown {item!r}; known: CPU, DRAM, "
                                 "Gdetails, fp64, fp32, fp16")
            if _SEED_EXTRAS[key]:
                wanted.add(_SEED_EXTRAS[key])
        if wanted:
            metrics = ",".join(([metrics] if metrics else []) + sorted(wanted))
    o.metrics = metrics

    zone = _one_of(options, "zone", "cloud")
    if zone is not None and not isinstance(zone, str):
        raise TypeError("zone: a zone code such as 'FR' or a cloud region 'aws:us-east-1'")
    o.zone = zone
    intensity = options.get("intensity")
    if intensity is not None:
        if isinstance(intensity, bool) or not isinstance(intensity, (int, float)):
            raise TypeError("intensity: a number of g CO2e per kWh")
    o.intensity = intensity
    o.intensity_file = _path(options.get("intensity_file"), "intensity_file")

    pue = options.get("pue")
    if pue is not None:
        if isinstance(pue, bool) or not isinstance(pue, (int, float, str)):
            raise TypeError("pue: a number from 1.0 to 5.0, or a provider name such as 'aws'")
        pue = repr(float(pue)) if not isinstance(pue, str) else pue
    o.pue = pue
    currency = options.get("currency")
    if currency is not None and not isinstance(currency, str):
        raise TypeError("currency: a 3-letter ISO 4217 code such as 'EUR'")
    o.price = None
    o.price_file = _path(options.get("price_file"), "price_file")
    if options.get("price") is not None and o.price_file is not None:
        raise TypeError("give price or price_file, not both")
    if options.get("price") is not None:
        o.price, currency = _parse_price(options["price"], currency)
    elif o.price_file is not None and not currency:
        raise ValueError("price_file: say the currency, e.g. currency='EUR'")
    elif currency is not None and o.price_file is None:
        raise TypeError("currency without price or price_file")
    o.currency = currency

    dcgm = options.get("dcgm_host")
    o.dcgm_host = None if dcgm is None else str(dcgm)
    # Absolute now: the Summary keeps the paths, and the program may chdir before reading.
    o.db = _store(_path(options.get("db"), "db"))
    o.csv = _abs(_path(options.get("csv"), "csv"))
    o.json = _abs(_path(options.get("json"), "json"))
    for option in ("csv", "json"):
        _not_the_store(getattr(o, option), o.db, option)
    o.quiet = bool(options.get("quiet", False))
    o.all_ranks = bool(options.get("all_ranks", False))
    attach = options.get("attach", True)
    o.attach = True if attach is None else bool(attach)

    fmt = options.get("output_format")
    o.auto_csv = o.auto_json = False
    if fmt is not None:
        fmts = [fmt] if isinstance(fmt, str) else fmt
        if not isinstance(fmts, (list, tuple)):
            raise TypeError("output_format: 'csv', 'json' or 'mysql', or a list of them")
        for f in fmts:
            f = str(f).strip().lower()
            if f not in _OUTPUT_FORMATS:
                raise ValueError(f"output_format={fmt!r}: 'csv' (also write the time series), "
                                 "'json' (also write the summary) or 'mysql'/'db' (the store, "
                                 "always written)")
            o.auto_csv |= f == "csv" and o.csv is None
            o.auto_json |= f == "json" and o.json is None
    return o


_STORE_FILES = ("", "-wal", "-shm", "-journal")


def _not_the_store(path, db, option):
    """An output that is the store, or its -wal/-shm/-journal, would be written over the runs
    at stop(): ValueError now, as the CLI refuses it (src/cli/paths.c). The same file when it
    exists (links included), else the same resolved path."""
    if path is None:
        return
    try:
        store = db or _lib.default_db_path()
    except _lib.AimeterError:
        return  # no store path at all: nothing to overwrite
    if _is_url(store):
        return  # a server's store (PostgreSQL): no file to overwrite
    for suffix in _STORE_FILES:
        name = store + suffix
        if os.path.exists(name):
            same = os.path.exists(path) and os.path.samefile(path, name)
        else:
            same = os.path.realpath(path) == os.path.realpath(name)
        if same:
            what = "the store" if not suffix else f"the store's {suffix[1:]} file"
            raise ValueError(f"{option}={path!r} is {what} ({name}): writing there would "
                             "destroy the stored runs")


def _abs(path):
    return None if path is None else os.path.abspath(path)


def _is_url(store):
    """A store named by a URL ("SCHEME://...", as the store reads it: docs/store.md; the
    scheme a letter, then letters, digits, '+', '-', '.'). No `re`: importing aimeter stays
    light (tests/python/test_process.py)."""
    scheme, sep, _ = store.partition("://")
    return bool(sep) and scheme[:1].isascii() and scheme[:1].isalpha() and \
        all(c.isascii() and (c.isalnum() or c in "+-.") for c in scheme)


def _store(name):
    """The store as given when it is a URL (postgresql://...), else its absolute path: a URL
    made a path would be an SQLite file in a folder named "postgresql:"."""
    return name if name is None or _is_url(name) else _abs(name)


def _path(value, option):
    if value is None:
        return None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    if not isinstance(value, str) or not value:
        raise TypeError(f"{option}: a path")
    return value
