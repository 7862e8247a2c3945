"""Tracker: one measured region of a Python program, over one aim_session.

Lifecycle: new -> running -> stopped; a tracker measures once. start()/stop() are serialised
by a lock per tracker, so any thread may stop what another started. Every running tracker of
the process is in a registry: at interpreter exit the ones still running are stopped as
"interrupted" (their data kept), and a forked child forgets them (the sampler threads
belong to the parent; touching the session from the child would wait on threads that do not
exist there).

The registry keeps start order, so current() gives the innermost running tracker: the one
that module-level phase/mark/record calls will address when phases land.
"""
import ctypes
import os
import sys
from _thread import allocate_lock

from . import _lib, _options, _ranks
from ._lib import COMPLETED, FAILED, INTERRUPTED, AimeterError

# .summary (and json, csv) are imported at stop, not here: start() is the cheap path.

_registry_lock = allocate_lock()
_running = []          # running trackers of this process, in start order
_hooks_installed = False


def _install_hooks():
    global _hooks_installed
    if _hooks_installed:
        return
    import atexit
    atexit.register(_at_exit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
    _hooks_installed = True


def _register(tracker):
    with _registry_lock:
        _install_hooks()
        _running.append(tracker)


def _unregister(tracker):
    with _registry_lock:
        if tracker in _running:
            _running.remove(tracker)


def current():
    """The innermost running tracker of this process, or None."""
    with _registry_lock:
        return _running[-1] if _running else None


def _at_exit():
    while True:
        with _registry_lock:
            if not _running:
                break
            tracker = _running[-1]
        try:
            tracker._stop(INTERRUPTED, -1, at_exit=True)
        except Exception as e:  # keep going: other trackers still need their end stored
            _unregister(tracker)
            try:
                print(f"aimeter: could not finish run {tracker.run_id} at exit: {e}", file=sys.stderr)
            except Exception:
                pass
    _lib.detach_log_callback()


def _after_fork_in_child():
    global _registry_lock
    _registry_lock = allocate_lock()  # another thread may have held it at fork time
    for tracker in _running:
        tracker._lock = allocate_lock()
    _running.clear()


class _NativeSession:
    """An aim_session owned by this process."""

    def __init__(self, opts):
        lib = _lib.lib()
        cfg = opts.config()
        handle = ctypes.c_void_p()
        try:
            r = lib.aim_session_new(cfg, ctypes.byref(handle))
        finally:
            lib.aim_config_free(cfg)
        if r < 0:
            raise AimeterError(r, "session")
        self.handle = handle
        self.pid = os.getpid()

    def errmsg(self):
        return _lib.lib().aim_session_errmsg(self.handle).decode("utf-8", "replace")

    def start(self):
        r = _lib.lib().aim_session_start(self.handle)
        if r < 0:
            raise AimeterError(r, "cannot start measuring", self.errmsg())

    def stop(self, status, exit_code):
        r = _lib.lib().aim_session_stop(self.handle, status, exit_code)
        if r < 0:
            raise AimeterError(r, "stopping the run", self.errmsg())

    @property
    def run_id(self):
        return _lib.lib().aim_session_run_id(self.handle).decode()

    def live(self):
        live = _lib.Live()
        _lib.lib().aim_session_live(self.handle, ctypes.byref(live))
        return {"elapsed_s": live.elapsed_ns / 1e9, "power_w": live.power_w,
                "energy_j": live.energy_j, "samples": live.samples,
                "missed_deadlines": live.missed_deadlines}

    def free(self):
        if self.handle:
            _lib.lib().aim_session_free(self.handle)
            self.handle = None


def _file_safe(name):
    """A run name as part of a file name: no directory separators or control characters."""
    return "".join("_" if c in "/\\" or ord(c) < 32 else c for c in name).strip(".") or "run"


def _status_of(exc_type, exc):
    """(aim_run_status, exit code) for how a `with` block or decorated call ended."""
    if exc_type is None:
        return COMPLETED, -1
    if issubclass(exc_type, SystemExit):
        code = exc.code if exc is not None else None
        if code is None or code == 0:
            return COMPLETED, 0
        return FAILED, code if isinstance(code, int) and not isinstance(code, bool) else 1
    if issubclass(exc_type, (KeyboardInterrupt, GeneratorExit)):
        return INTERRUPTED, -1
    return FAILED, -1


class Tracker:
    """Measures the energy and activity of this machine while a region of the program runs.

    Use it as a context manager (`with aimeter.track("finetune") as t:`), as a decorator
    (`@aimeter.track("train")`), or call start() and stop(). Options: see docs/python.md
    (the CLI's, e.g. interval="100ms", zone="FR", gpus=[0], db=..., quiet=True).

    In a multi-process job (torchrun, SLURM) only local rank 0 samples the node; on other
    ranks start() starts nothing and stop() returns a NotSampled summary (`sampling` says
    which).
    """

    def __init__(self, name=None, *, _default_name=None, **options):
        if name is not None:
            if options.get("name") is not None or options.get("task_name") is not None:
                raise TypeError("the name is given twice")
            options["name"] = name
        _options.check_names(options, "aimeter")
        self._raw = dict(options)
        self._opts = _options.parse(options, _default_name)  # errors now, not at start
        self._lock = allocate_lock()
        self._state = "new"
        self._session = None
        self._run_id = None
        self._db = None
        self.summary = None
        self.rank = _ranks.detect()
        self.sampling = self.rank.samples_node or self._opts.all_ranks

    # ---------------------------------------------------------------- state

    @property
    def name(self):
        return self._opts.name

    @property
    def running(self):
        return self._state == "running"

    @property
    def run_id(self):
        """The run's id in the store (None before start and on a rank that does not sample)."""
        return self._run_id

    def live(self):
        """Figures so far: elapsed_s, power_w, energy_j, samples, missed_deadlines (cheap:
        atomic reads). None when not sampling here."""
        with self._lock:
            if self._state != "running" or self._session is None:
                return None
            return self._session.live()

    # ---------------------------------------------------------------- start / stop

    def start(self):
        with self._lock:
            if self._state == "running":
                raise RuntimeError(f"aimeter: {self.name!r} is already being measured "
                                   f"(run {self.run_id}); stop() it first")
            if self._state == "stopped":
                raise RuntimeError(f"aimeter: {self.name!r} was already measured (run "
                                   f"{self.run_id}); a tracker measures once: create a new one")
            if self.sampling:
                # The store the library will use, resolved now: the environment may change
                # before stop() reads the run back.
                db = self._opts.db if self._opts.db is not None else _lib.default_db_path()
                session = _NativeSession(self._opts)
                try:
                    session.start()
                except BaseException:
                    session.free()
                    raise
                self._session, self._run_id, self._db = session, session.run_id, db
            self._state = "running"
            _register(self)
        return self

    def stop(self):
        """Stops measuring (status "completed") and returns the Summary, printing its report
        on stderr unless quiet. Stopping again returns the same Summary."""
        return self._stop(COMPLETED, -1)

    def _stop(self, status, exit_code, at_exit=False):
        with self._lock:
            if self._state == "new":
                raise RuntimeError(f"aimeter: {self.name!r} was never started")
            if self._state == "stopped":
                return self.summary
            self._state = "stopped"
            _unregister(self)
            session, self._session = self._session, None
            if session is None:
                from .summary import NotSampled
                self.summary = NotSampled(self.rank, self._not_sampled_reason())
                return self.summary
            if session.pid != os.getpid():
                return None  # a forked child: the parent's run is not ours to end
            run_id = self._run_id
            try:
                session.stop(status, exit_code)
            finally:
                session.free()
            self._finish(run_id)
        if not self._opts.quiet:
            try:
                if at_exit:
                    print(f"aimeter: run {run_id} ({self.name}) was still running at exit; "
                          "stored as interrupted", file=sys.stderr)
                sys.stderr.write(self.summary.text())
                sys.stderr.flush()
            except Exception:
                pass  # a closed stderr must not lose the summary
        return self.summary

    def _not_sampled_reason(self):
        return (f"{self.rank.describe()} does not sample: local rank 0 measures this node's "
                "devices (its run holds the energy of every rank on the node)")

    def _finish(self, run_id):
        """Reads the stored run back as the Summary (self.summary), then writes the csv/json
        outputs asked for: a bad output path raises, but the Summary is already kept and
        stop() returns it when called again."""
        from .summary import Summary, _Store
        o = self._opts
        db = self._db
        # WattsOnAI's output_format names its files after the task, in the working directory.
        csv_path = o.csv or (os.path.abspath(f"{_file_safe(o.name)}_{run_id}.csv") if o.auto_csv else None)
        json_path = o.json or (os.path.abspath(f"{_file_safe(o.name)}_{run_id}.json") if o.auto_json else None)
        with _Store(db) as store:
            json_text = store.render(run_id, "json")
            text = None if o.quiet else store.render(run_id, "text")
            self.summary = Summary(json_text, db, text, self.rank)
            self.summary.csv_path, self.summary.json_path = csv_path, json_path
            if csv_path:
                store.export_csv_file(run_id, csv_path)
        if json_path:
            with open(json_path, "w", encoding="utf-8") as f:
                f.write(json_text)

    # ---------------------------------------------------------------- idioms

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        status, code = _status_of(exc_type, exc)
        try:
            self._stop(status, code)
        except Exception as e:
            if exc_type is None:
                raise
            # The workload's own exception matters more; say what went wrong with ours.
            print(f"aimeter: could not finish run {self.run_id}: {e}", file=sys.stderr)
        return False

    def __call__(self, func):
        """Decorator: every call of func is measured as one run (recursive calls inside it
        belong to the outer call's run)."""
        if self._state != "new":
            raise TypeError("a tracker that has started cannot decorate a function")
        if not callable(func):
            raise TypeError("aimeter.track(...) decorates a function")
        return _decorate(func, self._raw)

    def __repr__(self):
        where = f"run {self.run_id}" if self.run_id else ("not sampling: " + self.rank.describe()
                                                          if not self.sampling else "")
        return f"<aimeter.Tracker {self.name!r} {self._state} {where}>".replace("  ", " ")


_CO_GENERATOR, _CO_COROUTINE, _CO_ASYNC_GENERATOR = 0x20, 0x80, 0x200


def _decorate(func, raw_options):
    import contextvars
    import functools
    flags = getattr(getattr(func, "__code__", None), "co_flags", 0)
    if flags & (_CO_GENERATOR | _CO_ASYNC_GENERATOR):
        raise TypeError("aimeter.track cannot decorate a generator: measure with "
                        "`with aimeter.track(...)` around the loop that consumes it")
    default_name = getattr(func, "__qualname__", None) or getattr(func, "__name__", "function")
    if "<locals>" in default_name:  # a function defined inside another: its own name reads better
        default_name = getattr(func, "__name__", default_name)
    Tracker(_default_name=default_name, **raw_options)  # bad options fail at decoration time
    # A context variable, not a thread-local: concurrent asyncio tasks on one thread are
    # separate calls, while a recursive call (same context) belongs to the outer one.
    inside = contextvars.ContextVar(f"aimeter.track:{default_name}", default=False)

    if flags & _CO_COROUTINE:
        @functools.wraps(func)
        async def async_wrapper(*args, **kwargs):
            if inside.get():
                return await func(*args, **kwargs)
            tracker = Tracker(_default_name=default_name, **raw_options)
            token = inside.set(True)
            try:
                with tracker:
                    return await func(*args, **kwargs)
            finally:
                inside.reset(token)
                async_wrapper.last_summary = tracker.summary
        async_wrapper.last_summary = None
        return async_wrapper

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if inside.get():
            return func(*args, **kwargs)
        tracker = Tracker(_default_name=default_name, **raw_options)
        token = inside.set(True)
        try:
            with tracker:
                return func(*args, **kwargs)
        finally:
            inside.reset(token)
            wrapper.last_summary = tracker.summary
    wrapper.last_summary = None
    return wrapper


def track(name=None, **options):
    """A Tracker: `with aimeter.track("finetune", interval="100ms") as t:`,
    `@aimeter.track("train")`, or `@aimeter.track` alone (named after the function)."""
    if callable(name) and not options:
        return _decorate(name, {})
    return Tracker(name, **options)
