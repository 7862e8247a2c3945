"""Finds and loads libaimeter, declares the C functions the package calls, and turns the
library's negative errno returns into Python exceptions.

Loading is lazy (the first call to lib()) so that `import aimeter` costs almost nothing and
works on a machine where the library is missing: the error comes when something is measured.

Search order (the first that exists wins):
  1. $AIMETER_LIBRARY, a path to libaimeter.so.0 (tests, side-by-side builds);
  2. inside the package: aimeter/libaimeter.so.0 (where the wheel puts it: pip install,
     docs/install.md), then the library directory that `meson install` wrote into
     aimeter/_install.py;
  3. the source tree's build: <repo>/build/src/lib/libaimeter.so.0 (PYTHONPATH=python);
  4. the system's libaimeter.so.0 (ld.so's search path).
"""
import ctypes
import os
from _thread import allocate_lock

SONAME = "libaimeter.so.0"

# The C enum aim_run_status (include/aimeter.h).
RUNNING, COMPLETED, FAILED, INTERRUPTED = 0, 1, 2, 3


class AimeterError(OSError):
    """A libaimeter call failed. errno is the positive errno, strerror aimeter's name for it,
    detail the one-line explanation the failing object kept (aim_session_errmsg,
    aim_store_errmsg), what the operation."""

    def __init__(self, err, what, detail=""):
        err = abs(int(err))
        name = strerror(-err)
        super().__init__(err, name)
        self.what = what
        self.detail = detail or ""

    def __str__(self):
        text = f"{self.what}: {self.strerror}"
        if self.detail and self.detail != self.strerror:
            text += f" ({self.detail})"
        return text


class LibraryNotFound(ImportError):
    """libaimeter could not be loaded from any of the places searched."""


c_int, c_char_p, c_void_p, c_double = ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_double
c_int64, c_uint64, c_size_t = ctypes.c_int64, ctypes.c_uint64, ctypes.c_size_t
P = ctypes.POINTER


class Live(ctypes.Structure):
    """struct aim_live."""
    _fields_ = [("elapsed_ns", c_int64), ("power_w", c_double), ("energy_j", c_double),
                ("samples", c_uint64), ("missed_deadlines", c_uint64)]


LOG_FN = ctypes.CFUNCTYPE(None, c_int, c_char_p, c_void_p)
# aim_write_fn: where an export's bytes go (userdata, data, len) -> 0 or -errno.
WRITE_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)

# name: (restype, argtypes). Strings the library allocates come back through c_void_p
# out-parameters so that the pointer can be given back to free().
_REQUIRED = {
    "aim_version": (c_char_p, []),
    "aim_strerror": (c_char_p, [c_int]),
    "aim_parse_duration": (c_int, [c_char_p, P(c_int64)]),
    "aim_set_log_callback": (None, [c_void_p, c_void_p]),
    "aim_config_new": (c_int, [P(c_void_p)]),
    "aim_config_free": (None, [c_void_p]),
    "aim_config_set_interval": (c_int, [c_void_p, c_int64]),
    "aim_config_set_name": (c_int, [c_void_p, c_char_p]),
    "aim_config_set_db_path": (c_int, [c_void_p, c_char_p]),
    "aim_config_set_sources": (c_int, [c_void_p, c_char_p]),
    "aim_config_set_intensity": (c_int, [c_void_p, c_double]),
    "aim_config_set_zone": (c_int, [c_void_p, c_char_p]),
    "aim_config_set_command": (c_int, [c_void_p, P(c_char_p)]),
    "aim_config_set_target_pid": (c_int, [c_void_p, c_int]),
    "aim_config_set_source_option": (c_int, [c_void_p, c_char_p, c_char_p, c_char_p]),
    "aim_config_set_metrics": (c_int, [c_void_p, c_char_p]),
    "aim_session_new": (c_int, [c_void_p, P(c_void_p)]),
    "aim_session_start": (c_int, [c_void_p]),
    "aim_session_stop": (c_int, [c_void_p, c_int, c_int]),
    "aim_session_free": (None, [c_void_p]),
    "aim_session_run_id": (c_char_p, [c_void_p]),
    "aim_session_errmsg": (c_char_p, [c_void_p]),
    "aim_session_live": (c_int, [c_void_p, P(Live)]),
    "aim_run_status_name": (c_char_p, [c_int]),
    "aim_source_names": (P(c_char_p), []),
    "aim_store_new": (c_int, [P(c_void_p)]),
    "aim_store_open": (c_int, [c_void_p, c_char_p, c_int]),
    "aim_store_free": (None, [c_void_p]),
    "aim_store_errmsg": (c_char_p, [c_void_p]),
    "aim_store_resolve_run": (c_int, [c_void_p, c_char_p, P(c_void_p)]),
    "aim_store_list_runs": (c_int, [c_void_p, c_int, c_size_t, P(c_void_p)]),
    "aim_default_db_path": (c_int, [P(c_void_p)]),
    "aim_report_render": (c_int, [c_void_p, c_char_p, c_int, P(c_void_p)]),
    "aim_format_parse": (c_int, [c_char_p, P(c_int)]),
    "aim_export_csv": (c_int, [c_void_p, c_char_p, WRITE_FN, c_void_p]),
    "aim_export_csv_columns": (c_int, [c_void_p, c_char_p, WRITE_FN, c_void_p]),
    # the record rule (one implementation, the library's): _workload.py
    "aim_record_key_kind": (c_int, [c_char_p]),
}

# Newer setters: used when the library loaded has them, else the option is refused with
# a clear message (has() tells).
_OPTIONAL = {
    "aim_config_set_intensity_file": (c_int, [c_void_p, c_char_p]),
    "aim_config_set_pue": (c_int, [c_void_p, c_char_p]),
    "aim_config_set_price": (c_int, [c_void_p, c_double, c_char_p]),
    "aim_config_set_price_file": (c_int, [c_void_p, c_char_p, c_char_p]),
    "aim_config_set_control_socket": (c_int, [c_void_p, c_char_p]),
    "aim_config_add_job_tags": (c_int, [c_void_p, c_char_p]),
    # phases, markers and records (issue 5): Tracker.phase/mark/record need them
    "aim_phase_begin": (c_int, [c_void_p, c_char_p]),
    "aim_phase_end": (c_int, [c_void_p, c_char_p]),
    "aim_mark": (c_int, [c_void_p, c_char_p]),
    "aim_record_as": (c_int, [c_void_p, c_char_p, c_double, c_int]),
    # a server store's spool (issue 16): where the run is when the server was not reachable
    "aim_session_spool_pending": (c_char_p, [c_void_p]),
}

# Signatures declared by the modules that use them (summary.py, _control.py), when they are
# imported: the dicts above are built at `import aimeter`, whose cost is budgeted.
_DECLARED = {}


def declare(signatures):
    """Adds {name: (restype, argtypes)} of required functions (see _REQUIRED)."""
    _DECLARED.update(signatures)


_lock = allocate_lock()
_lib = None
_libc = None
_log_callback = None  # kept alive for as long as the library may call it


def _candidates():
    env = os.environ.get("AIMETER_LIBRARY")
    if env:
        # An explicit choice is the only choice: falling back would hide a typo.
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    paths = [os.path.join(here, SONAME)]  # the wheel's (python/meson.build)
    try:
        from . import _install  # written by `meson install` (python/meson.build)
        paths.append(os.path.join(_install.LIBDIR, SONAME))
    except ImportError:
        pass
    paths.append(os.path.join(os.path.dirname(os.path.dirname(here)), "build", "src", "lib", SONAME))
    return paths


class _Library:
    """The loaded ctypes.CDLL, each function declared (restype, argtypes) on its first use
    and kept: declaring all of them at load cost a quarter of a millisecond of every
    start() (docs/performance.md)."""

    def __init__(self, cdll):
        self._cdll = cdll
        self._name = cdll._name

    def __getattr__(self, name):
        sig = _REQUIRED.get(name) or _DECLARED.get(name) or _OPTIONAL.get(name)
        try:
            fn = getattr(self._cdll, name)
        except AttributeError:
            if name in _REQUIRED or name in _DECLARED:
                raise LibraryNotFound(f"{self._name} lacks {name}(): it is older than this "
                                      "aimeter Python package") from None
            raise
        if sig is not None:
            fn.restype, fn.argtypes = sig
        setattr(self, name, fn)  # found by normal lookup from now on: no __getattr__ call
        return fn


def _on_log(level, message, userdata):
    # Called from library threads. logging is imported here, not at import time, because
    # most runs never log and `import aimeter` must stay cheap.
    try:
        import logging
        levels = (logging.ERROR, logging.WARNING, logging.INFO, logging.DEBUG)
        text = message.decode("utf-8", "replace") if message else ""
        logging.getLogger("aimeter").log(levels[level] if 0 <= level < 4 else logging.INFO, "%s", text)
    except Exception:  # never let an exception cross back into C
        pass


def lib():
    """The loaded library (functions of the ctypes.CDLL, declared), loading it on the first
    call."""
    global _lib, _libc, _log_callback
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        tried = []
        loaded = None
        for path in _candidates():
            if not os.path.exists(path):
                tried.append(f"{path} (absent)")
                continue
            try:
                loaded = ctypes.CDLL(path)
                break
            except OSError as e:
                tried.append(f"{path} ({e})")
        if loaded is None and not os.environ.get("AIMETER_LIBRARY"):
            try:
                loaded = ctypes.CDLL(SONAME)
            except OSError as e:
                tried.append(f"{SONAME} from the system ({e})")
        if loaded is None:
            raise LibraryNotFound("cannot load libaimeter; tried: " + "; ".join(tried) +
                                  ". Build it (ninja -C build), install it (meson install), or "
                                  "set AIMETER_LIBRARY to its path.")
        loaded = _Library(loaded)
        libc = ctypes.CDLL(None, use_errno=True)  # the process's own C library: the allocator libaimeter uses
        libc.free.restype, libc.free.argtypes = None, [c_void_p]
        _libc = libc
        _lib = loaded
        return _lib


def install_log_callback():
    """Library diagnostics (a source dropped mid-run, a permission problem and its fix) go to
    the "aimeter" logger from now on; Python's last-resort handler shows warnings on stderr.
    Those logged before are kept by the library and delivered here, in order.

    Not done when the library loads: the first ctypes callback of a process costs ~0.15 ms
    (libffi's checks for executable memory), 3 % of the start() budget. start() runs this on
    a thread of its own once it has returned; stop() runs it before stopping."""
    global _log_callback
    if _log_callback is not None:
        return
    loaded = lib()
    with _lock:
        if _log_callback is None:
            callback = LOG_FN(_on_log)
            loaded.aim_set_log_callback(ctypes.cast(callback, c_void_p), None)
            _log_callback = callback


def install_log_callback_soon():
    """install_log_callback on a new thread: this one goes on at once."""
    if _log_callback is None:
        from _thread import start_new_thread
        start_new_thread(install_log_callback, ())


def libc():
    lib()
    return _libc


def has(name):
    """Whether the loaded library exports name (for the optional setters)."""
    return name in _REQUIRED or name in _DECLARED or (name in _OPTIONAL and hasattr(lib(), name))


def detach_log_callback():
    """Called at exit once every session has stopped, so that no library thread can call
    into an interpreter that is shutting down."""
    if _lib is not None and _log_callback is not None:
        _lib.aim_set_log_callback(None, None)


def strerror(err):
    try:
        s = lib().aim_strerror(int(err))
        return s.decode() if s else os.strerror(abs(int(err)))
    except LibraryNotFound:
        return os.strerror(abs(int(err)))


def encode(text):
    """text as the library's C string. A NUL inside would silently cut it short there
    ("a\\x00b" measured as "a"): ValueError, as Python's own os functions say."""
    if text is None:
        return None
    data = os.fsencode(text) if isinstance(text, os.PathLike) else str(text).encode()
    if b"\0" in data:
        raise ValueError(f"{text!r}: embedded NUL character")
    return data


def format_code(name):
    """The C enum aim_format of a format name ("text", "json", "markdown", "csv"), as the
    library parses it (aim_format_parse): ValueError for another name."""
    code = c_int()
    if lib().aim_format_parse(encode(name), ctypes.byref(code)) < 0:
        raise ValueError(f"{name!r}: not a format (text, json, markdown or csv)")
    return code.value


def take_string(ptr):
    """Copies a string the library allocated, then frees it."""
    if not ptr:
        return ""
    try:
        return ctypes.string_at(ptr).decode("utf-8", "replace")
    finally:
        libc().free(ptr)


def default_db_path():
    """The store used when no db is given ($AIMETER_DB, else the XDG data directory)."""
    out = ctypes.c_void_p()
    r = lib().aim_default_db_path(ctypes.byref(out))
    if r < 0:
        raise AimeterError(r, "default store path")
    return take_string(out.value)


def version():
    return lib().aim_version().decode()


def parse_duration(text):
    """"100ms", "0.5s", "2s", "1m" -> nanoseconds (the CLI's rule). ValueError when bad."""
    ns = c_int64()
    r = lib().aim_parse_duration(encode(text), ctypes.byref(ns))
    if r < 0:
        raise ValueError(f"bad duration {text!r}: a number of seconds, or a duration such as "
                         "100ms, 0.5s, 2s, 1m (at least 1ms)")
    return ns.value


__all__ = ["AimeterError", "LibraryNotFound", "lib", "libc", "has", "strerror", "version",
           "parse_duration", "take_string", "encode", "Live", "RUNNING", "COMPLETED", "FAILED",
           "INTERRUPTED"]
