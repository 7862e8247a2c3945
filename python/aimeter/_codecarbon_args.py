"""CodeCarbon's constructor arguments, read as aimeter's options (aimeter.codecarbon).

Every argument CodeCarbon documents (v2 and v3) is known here: each is either mapped to
what aimeter does, or warned about once, with the reason, when it is given with a value that
would have changed what CodeCarbon does (save_to_api=False, the default, says nothing). The
table that users read is docs/codecarbon.md; the reasons below are its short form.

CodeCarbon's configuration hierarchy is read too, as CodeCarbon reads it: ~/.codecarbon.config,
then ./.codecarbon.config, then CODECARBON_<NAME> environment variables, then the arguments
(each later one wins), files in INI syntax with a [codecarbon] section.

Bad values raise here, when the tracker is made (TypeError, ValueError, FileNotFoundError):
nothing has been measured yet. Errors while measuring are logged, never raised
(codecarbon.py), as CodeCarbon does.
"""
import ctypes
import math
import os
import unicodedata
import warnings

from . import _lib, _options
from . import _codecarbon_iso as iso


class IgnoredArgumentWarning(UserWarning):
    """A CodeCarbon argument that aimeter accepts but does not act on (the message says why).
    Silence them with warnings.filterwarnings("ignore", category=IgnoredArgumentWarning)."""


# ---------------------------------------------------------------------------- the arguments

# name -> type, for values read from configuration files and environment variables (strings
# there): "bool" ("true" is true, anything else false: CodeCarbon's rule), "float", "int",
# "list" (gpu_ids: "0, 1"), "str", "any" (objects: accepted from arguments only).
TYPES = {
    # mapped
    "project_name": "str", "experiment_id": "str", "experiment_name": "str",
    "measure_power_secs": "float", "output_dir": "str", "output_file": "str",
    "save_to_file": "bool", "on_csv_write": "str", "gpu_ids": "list", "pue": "float",
    "tracking_mode": "str", "log_level": "str", "country_iso_code": "str", "region": "str",
    "cloud_provider": "str", "cloud_region": "str", "country_2letter_iso_code": "str",
    "force_carbon_intensity_g_co2e_kwh": "float", "force_mode_cpu_load": "bool",
    "save_to_logger": "bool", "logging_logger": "any", "output_handlers": "any",
    "emissions_endpoint": "str", "output_methods": "list", "allow_multiple_runs": "bool",
    "telemetry_level": "str", "wue": "float",
    # ignored (each with its reason in IGNORED)
    "save_to_api": "bool", "api_endpoint": "str", "api_key": "str", "api_call_interval": "int",
    "save_to_prometheus": "bool", "prometheus_url": "str", "save_to_logfire": "bool",
    "co2_signal_api_token": "str", "electricitymaps_api_token": "str",
    "default_cpu_power": "float", "force_cpu_power": "float", "force_ram_power": "float",
    "force_mode_constant": "bool", "rapl_include_dram": "bool", "rapl_prefer_psys": "bool",
    "logger_preamble": "str",
}

# Ignored arguments: (values that change nothing, so say nothing; the reason otherwise).
_API = ("aimeter sends nothing to the CodeCarbon API: the run is in aimeter's store "
        "(`aimeter push` copies runs to a shared PostgreSQL store, docs/store.md)")
_LIVE = ("live grid intensity is `aimeter run --provider electricitymaps` (key in "
         "~/.config/aimeter, docs/providers.md); this tracker uses the zone table")
_POWER = ("aimeter reads the CPU's and DRAM's energy counters (RAPL) where it can, else "
          "models them from utilisation and the CPU's TDP table (docs/methodology.md); a "
          "forced wattage is not supported, and the report says how each figure was obtained")
IGNORED = {
    "save_to_api": ((False, None), _API),
    "api_endpoint": ((None,), _API),
    "api_key": ((None,), _API),
    "api_call_interval": ((None,), _API),
    "save_to_prometheus": ((False, None), "aimeter does not push to a Prometheus pushgateway; "
                           "`aimeter run --prometheus PORT` serves /metrics while it runs"),
    "prometheus_url": ((None,), "aimeter does not push to a Prometheus pushgateway; "
                       "`aimeter run --prometheus PORT` serves /metrics while it runs"),
    "save_to_logfire": ((False, None), "aimeter has no Logfire output"),
    "co2_signal_api_token": ((None,), _LIVE),
    "electricitymaps_api_token": ((None,), _LIVE),
    "default_cpu_power": ((None,), _POWER),
    "force_cpu_power": ((None,), _POWER),
    "force_ram_power": ((None,), _POWER),
    "force_mode_constant": ((False, None), "aimeter has no constant-power mode; "
                            "force_mode_cpu_load=True gives its utilisation model"),
    "rapl_include_dram": ((False, None), "DRAM is always counted, as its own device: its "
                          "energy is in ram_energy, never inside cpu_energy"),
    "rapl_prefer_psys": ((False, None), "the platform (psys) domain overlaps the CPU and DRAM: "
                         "aimeter shows it but counts the CPU package and DRAM"),
    "logger_preamble": ((None, ""), "it only prefixes CodeCarbon's own log lines"),
    "allow_multiple_runs": ((True, None), "aimeter takes no machine-wide lock: runs may "
                            "overlap, each counting the whole machine (`aimeter ls` shows them)"),
}

# CodeCarbon's output_methods (v3.3): "csv", "api", "logger", "prometheus", "logfire",
# "boamps" (enum members or their names, any case).
_OUTPUT_METHODS = ("csv", "api", "logger", "prometheus", "logfire", "boamps")

_LOG_LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50}

# aimeter's own options that may be given to the shim too (db=, zone=, price=, ...): the
# WattsOnAI spellings are left out (one interface at a time).
AIMETER_OPTIONS = frozenset(_options.OPTIONS) - {"task_name", "sampling_interval",
                                                  "output_format", "additional_metrics",
                                                  "indices"}

KNOWN = frozenset(TYPES) | AIMETER_OPTIONS


# ---------------------------------------------------------------------------- configuration

def _config_files():
    return [os.path.join(os.path.expanduser("~"), ".codecarbon.config"),
            os.path.join(os.getcwd(), ".codecarbon.config")]


def external_config():
    """{name: (value as a string, where it came from)} from CodeCarbon's files and
    environment, for the arguments known here (others are left to CodeCarbon's own tools)."""
    found = {}
    paths = [p for p in _config_files() if os.path.isfile(p)]
    if paths:
        import configparser
        for path in paths:
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read(path, encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError) as e:
                raise ValueError(f"{path}: not a CodeCarbon configuration file "
                                 f"({str(e).splitlines()[0]})") from None
            if parser.has_section("codecarbon"):
                for key, value in parser.items("codecarbon"):
                    if key in TYPES:
                        found[key] = (value, path)
    for key in TYPES:
        value = os.environ.get("CODECARBON_" + key.upper())
        if value is not None:
            found[key] = (value, "$CODECARBON_" + key.upper())
    return found


def _from_text(name, text, where):
    kind = TYPES[name]
    text = text.strip()
    if kind == "bool":
        return text.lower() == "true"
    if kind in ("float", "int"):
        try:
            return float(text) if kind == "float" else int(text)
        except ValueError:
            raise ValueError(f"{name}={text!r} ({where}): a number") from None
    if kind == "list":
        return [x.strip() for x in text.split(",") if x.strip()]
    if kind == "any":
        raise ValueError(f"{name} ({where}): only as an argument (it is an object)")
    return text


def merge(arguments):
    """The arguments over CodeCarbon's configuration: {name: value}, and {name: where} for
    the values that came from a file or the environment."""
    merged, origin = {}, {}
    for name, (text, where) in external_config().items():
        if name not in arguments:
            merged[name] = _from_text(name, text, where)
            origin[name] = where
    merged.update(arguments)
    return merged, origin


# ---------------------------------------------------------------------------- the library's tables

class _ZoneInfo(ctypes.Structure):
    """struct aim_zone_info (include/aimeter.h)."""
    _fields_ = [("code", ctypes.c_char_p), ("name", ctypes.c_char_p),
                ("g_per_kwh", ctypes.c_double), ("basis", ctypes.c_char_p),
                ("year", ctypes.c_int), ("source", ctypes.c_char_p),
                ("licence", ctypes.c_char_p), ("signal", ctypes.c_char_p)]


class _CloudRegion(ctypes.Structure):
    """struct aim_cloud_region."""
    _fields_ = [("provider", ctypes.c_char_p), ("region", ctypes.c_char_p),
                ("zone", ctypes.c_char_p), ("location", ctypes.c_char_p),
                ("lat", ctypes.c_double), ("lon", ctypes.c_double),
                ("source", ctypes.c_char_p), ("licence", ctypes.c_char_p)]


class _Error(ctypes.Structure):
    """struct aim_error."""
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char * 256)]


_lib.declare({
    "aim_zone_lookup": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.POINTER(_ZoneInfo))]),
    "aim_zone_count": (ctypes.c_size_t, []),
    "aim_zone_get": (ctypes.POINTER(_ZoneInfo), [ctypes.c_size_t]),
    "aim_zone_resolve": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(_ZoneInfo),
                                        ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_Error)]),
    "aim_cloud_region_lookup": (ctypes.c_int, [ctypes.c_char_p,
                                               ctypes.POINTER(ctypes.POINTER(_CloudRegion))]),
})


def _text(raw):
    return raw.decode("utf-8", "replace") if raw is not None else None


def zone_row(code):
    """The zone table's row for code (a zone or "provider:region") as a dict, or None."""
    out = ctypes.POINTER(_ZoneInfo)()
    if not code or _lib.lib().aim_zone_lookup(_lib.encode(code), ctypes.byref(out)) < 0:
        return None
    z = out.contents
    return {"code": _text(z.code), "name": _text(z.name), "g_per_kwh": z.g_per_kwh}


def check_zone(spec, option):
    """ValueError now, with the library's line, for a zone every command would refuse."""
    err = _Error()
    if _lib.lib().aim_zone_resolve(_lib.encode(spec), None, None, 0, ctypes.byref(err)) < 0:
        detail = err.message.decode("utf-8", "replace") or "unknown zone"
        raise ValueError(f"{option}={spec!r}: {detail} (`aimeter zones` lists the zones)")


def cloud_region(provider, region):
    """{"zone", "lat", "lon", "location"} of a cloud region, or None when unknown."""
    out = ctypes.POINTER(_CloudRegion)()
    name = f"{provider}:{region}"
    if _lib.lib().aim_cloud_region_lookup(_lib.encode(name), ctypes.byref(out)) < 0:
        return None
    r = out.contents
    return {"zone": _text(r.zone), "lat": r.lat, "lon": r.lon, "location": _text(r.location)}


def _fold(text):
    """ "Québec" -> "quebec", "new_york" -> "new york": how CodeCarbon users write regions."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("_", " ").replace("-", " ").lower().split())


def subdivision_zone(alpha2, region):
    """The zone of a country's province or state: "US", "california" -> "US-CA"; "CA",
    "quebec" -> "CA-QC". Searched in the zone table itself, whose sub-national rows carry
    ISO 3166-2 codes and names ("California, United States of America"); the region may also
    be the code ("CA", "US-CA"). None when the table has no such subdivision."""
    want = _fold(region)
    lib = _lib.lib()
    prefix = alpha2.upper() + "-"
    for i in range(lib.aim_zone_count()):
        z = lib.aim_zone_get(i).contents
        code = _text(z.code) or ""
        if not code.startswith(prefix) or "-" in code[len(prefix):]:
            continue  # not a first-level subdivision ("US-CAL-CISO" is a grid, not a state)
        name = (_text(z.name) or "").split(",")[0]
        if want in (_fold(name), _fold(code), _fold(code[len(prefix):])):
            return code
    return None


# ---------------------------------------------------------------------------- checking

def _str(name, value, allow_empty=False):
    if not isinstance(value, str):
        raise TypeError(f"{name}: a string, not {type(value).__name__}")
    if "\0" in value or (not allow_empty and not value.strip()):
        raise ValueError(f"{name}={value!r}: a non-empty string without NUL characters")
    return value


def _number(name, value, low=None, high=None):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name}: a number, not {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or (low is not None and value < low) or \
            (high is not None and value > high):
        rng = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name}={value!r}: {rng}")
    return value


def tag_value(name, value):
    """A run tag's value: 0-255 bytes of UTF-8 without control characters (aim_config_add_tag)."""
    value = _str(name, value, allow_empty=True)
    if len(value.encode()) > 255 or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"{name}={value!r}: at most 255 bytes, no control characters "
                         "(it is also a tag of the run)")
    return value


def output_methods(value):
    """CodeCarbon's output_methods as lower-case names: OutputMethod.CSV, "csv", "CSV"."""
    items = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
    names = []
    for item in items:
        raw = getattr(item, "value", None)
        raw = raw if isinstance(raw, str) else getattr(item, "name", item)
        name = str(raw).strip().lower()
        if name not in _OUTPUT_METHODS:
            raise ValueError(f"output_methods: unknown {item!r}; CodeCarbon's are "
                             f"{', '.join(_OUTPUT_METHODS)}")
        names.append(name)
    return names


def gpu_list(value):
    """gpu_ids as aimeter's gpus: [0, 1], "0,1", 0, ["GPU-5c2..."] (UUIDs as NVML writes them)."""
    if isinstance(value, bool):
        raise TypeError("gpu_ids: GPU indices or UUIDs, not a bool")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return ",".join(x.strip() for x in value.split(",") if x.strip())
    if isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, bool) or not isinstance(item, (int, str)):
                raise TypeError("gpu_ids: GPU indices (ints) or UUIDs (strings)")
        return ",".join(str(x).strip() for x in value)
    raise TypeError(f"gpu_ids: a list of GPU indices or UUIDs, not {type(value).__name__}")


def log_level(value):
    """A level name (any case) or a logging level number -> the number."""
    if isinstance(value, bool):
        raise TypeError("log_level: 'debug', 'info', 'warning', 'error' or 'critical'")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lower() in _LOG_LEVELS:
        return _LOG_LEVELS[value.strip().lower()]
    raise ValueError(f"log_level={value!r}: 'debug', 'info', 'warning', 'error' or 'critical'")


def country(value, name="country_iso_code"):
    """An ISO 3166-1 code -> (alpha-2, alpha-3): "USA" (CodeCarbon's form) or "US"."""
    value = _str(name, value).strip()
    if len(value) == 3 and iso.alpha2(value):
        return iso.alpha2(value), value.upper()
    if len(value) == 2 and iso.alpha3(value):
        return value.upper(), iso.alpha3(value)
    raise ValueError(f"{name}={value!r}: an ISO 3166-1 country code, 3 letters as CodeCarbon "
                     "takes them ('USA', 'FRA', 'DEU') or 2 ('US')")


def warn_ignored(name, value, reason, origin, stacklevel):
    where = f" (from {origin})" if origin else ""
    warnings.warn(f"aimeter.codecarbon: {name}={value!r}{where} is ignored: {reason}",
                  IgnoredArgumentWarning, stacklevel=stacklevel + 1)
