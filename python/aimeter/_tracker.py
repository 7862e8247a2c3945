"""Tracker: one measured region of a Python program, over one aim_session.

Lifecycle: new -> running -> stopped; a tracker measures once. start()/stop() are serialised
by a lock per tracker, so any thread may stop what another started. Every running tracker of
the process is in a registry: at interpreter exit the ones still running are stopped as
"interrupted" (their data kept), and a forked child forgets them (the sampler threads
belong to the parent; touching the session from the child would wait on threads that do not
exist there).

The registry keeps start order, so current() gives the innermost running tracker: the one
that module-level phase/mark/record calls address.

Where a tracker's measurement happens (decided at start):
  - "native": this process samples (a plain process, local rank 0, all_ranks=True). In a
    multi-process job, local rank 0's session also listens on the job's control socket
    (_control.job_paths) so that the other ranks' records reach its run;
  - "attached": inside `aimeter run` ($AIMETER_CONTROL answers): no second sampler; the
    tracker's region becomes a phase of the outer run, named after the tracker, and its
    phases, markers and records go there through the socket;
  - "rank": another rank of a job: no sampler; records (and markers) go to local rank 0's
    run through the job socket when it listens.
"""
import ctypes
import os
import sys
from _thread import allocate_lock

from . import _lib, _options, _ranks
from ._lib import COMPLETED, FAILED, INTERRUPTED, AimeterError

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing at run time costs milliseconds
    from typing import Any, Callable, Dict, Optional, TypeVar, Union
    from ._workload import Phase
    from .summary import Summary
    F = TypeVar("F", bound=Callable[..., Any])

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
        if tracker._book is not None and tracker._mode == "native":
            tracker._book.forked()  # the session's threads and queue belong to the parent
    _running.clear()


class _NativeSession:
    """An aim_session owned by this process."""

    def __init__(self, opts, control_socket=None):
        lib = _lib.lib()
        cfg = opts.config()
        handle = ctypes.c_void_p()
        try:
            if control_socket:
                r = lib.aim_config_set_control_socket(cfg, _lib.encode(control_socket))
                if r < 0:
                    raise AimeterError(r, f"control socket {control_socket}")
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
    def run_id(self) -> "Optional[str]":
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

    def __init__(self, name: "Optional[str]" = None, *, _default_name: "Optional[str]" = None,
                 **options: "Any") -> None:
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
        self._book = None       # phases, markers, records (_workload.PhaseBook) once started
        self._mode = None       # "native", "attached" or "rank" (module docstring)
        self._job = None        # (socket, run-info) paths of the job's rank-0 socket
        self.summary: "Optional[Summary]" = None
        self.rank = _ranks.detect()
        self.sampling = self.rank.samples_node or self._opts.all_ranks

    # ---------------------------------------------------------------- state

    @property
    def name(self) -> str:
        return self._opts.name

    @property
    def running(self) -> bool:
        return self._state == "running"

    @property
    def attached(self) -> bool:
        """True when the tracker adds to an outer `aimeter run` instead of sampling."""
        return self._mode == "attached"

    @property
    def control_socket(self) -> "Optional[str]":
        """The socket this tracker's phases, markers and records travel through: the outer
        run's (attached), local rank 0's (another rank), the one this tracker listens on for
        the other ranks (local rank 0 of a job), or None."""
        if self._mode == "native":
            return self._job[0] if self._job else None
        sink = self._book.sink if self._book is not None else None
        return (sink.path or (sink.paths[0] if sink.paths else None)) if sink is not None else None

    @property
    def run_id(self):
        """The run's id in the store (None before start and on a rank that does not sample)."""
        return self._run_id

    def live(self) -> "Optional[Dict[str, Union[float, int]]]":
        """Figures so far: elapsed_s, power_w, energy_j, samples, missed_deadlines (cheap:
        atomic reads). None when not sampling here."""
        with self._lock:
            if self._state != "running" or self._session is None:
                return None
            return self._session.live()

    # ---------------------------------------------------------------- start / stop

    def start(self) -> "Tracker":
        with self._lock:
            if self._state == "running":
                raise RuntimeError(f"aimeter: {self.name!r} is already being measured "
                                   f"(run {self.run_id}); stop() it first")
            if self._state == "stopped":
                raise RuntimeError(f"aimeter: {self.name!r} was already measured (run "
                                   f"{self.run_id}); a tracker measures once: create a new one")
            outer = os.environ.get("AIMETER_CONTROL") if self._opts.attach else None
            if outer and self._attach(outer):
                pass
            elif self.sampling:
                self._start_native()
            else:
                self._start_rank()
            self._state = "running"
            _register(self)
        return self

    def _attach(self, outer):
        """Inside `aimeter run`: add to its run instead of sampling a second time."""
        from . import _control, _workload
        if not _control.ping(outer):
            import logging
            logging.getLogger("aimeter").warning(
                "aimeter: $AIMETER_CONTROL (%s) does not answer (has the outer `aimeter run` "
                "ended?): %r is measured as a run of its own", outer, self.name)
            return False
        self._sampled_by = _control.run_of(outer)
        sink = _workload.RemoteSink([outer], self.rank)
        sink.use(outer)
        book = _workload.PhaseBook(sink, f"tracker {self.name!r} (attached to the outer "
                                         "`aimeter run`)")
        region = _workload._truncate_utf8(" ".join(self.name.split()), _workload.NAME_MAX)
        if region:
            try:
                book.begin(region, nest=True)   # the region, as a phase of the outer run
            except (ValueError, TypeError):
                pass
        o = self._opts
        if o.csv or o.json or o.auto_csv or o.auto_json:
            import warnings
            warnings.warn("aimeter: inside `aimeter run` the outer run is the measurement: no "
                          "CSV/JSON is written at stop (use `aimeter export` on its run, or "
                          "attach=False)", RuntimeWarning, stacklevel=4)
        self._mode, self._book = "attached", book
        self.sampling = False
        return True

    def _start_native(self):
        # The store the library will use, resolved now: the environment may change before
        # stop() reads the run back.
        db = self._opts.db if self._opts.db is not None else _lib.default_db_path()
        job = None
        if ((self.rank.local_rank is not None or os.environ.get("AIMETER_JOB_ID"))
                and not self._opts.all_ranks and _lib.has("aim_config_set_control_socket")):
            # Local rank 0 of a job (or a process given AIMETER_JOB_ID, for launchers that
            # set no rank in the first process): listen where the other ranks will look.
            from . import _control
            paths = _control.job_paths()
            if paths is not None and _control.claim_job_socket(paths[0]):
                job = paths
        session = _NativeSession(self._opts, job[0] if job else None)
        try:
            session.start()
        except AimeterError as e:
            _lib.install_log_callback()  # what the failed start logged, before the error
            session.free()
            import errno  # here: not on start()'s usual path
            if job is None or e.errno != errno.EEXIST:
                raise
            # Another process claimed the socket between our check and the bind: it serves
            # the job; this run goes on without one.
            job = None
            session = _NativeSession(self._opts)
            try:
                session.start()
            except BaseException:
                session.free()
                raise
        except BaseException:
            session.free()
            raise
        self._session, self._run_id, self._db = session, session.run_id, db
        _lib.install_log_callback_soon()  # start()'s warnings, and any later, reach logging
        if job is not None:
            from . import _control
            _control.publish_run(job[1], self._run_id, db)
        self._job = job
        self._mode = "native"
        # The book (phases, markers, records) is made on first use: start() stays cheap for
        # the many runs that never send any.

    def _start_rank(self):
        """Another rank: no sampler; records and markers go to local rank 0's run."""
        from . import _control, _workload
        self._job = _control.job_paths()
        self._sampled_by = _control.read_run(self._job[1]) if self._job else (None, None)
        self._mode = "rank"
        self._book = _workload.PhaseBook(
            _workload.RemoteSink([self._job[0]] if self._job else [], self.rank),
            f"tracker {self.name!r} ({self.rank.describe()})")

    # ---------------------------------------------------------------- phases, markers, records

    def _workload_book(self):
        book = self._book
        if book is not None:
            return book
        with self._lock:
            if self._book is None:
                if self._state != "running" or self._mode != "native":
                    raise RuntimeError(f"aimeter: {self.name!r} is not running: start() it (or "
                                       "enter its `with` block) before phases, markers and "
                                       "records")
                if self._session.pid != os.getpid():
                    raise RuntimeError(f"aimeter: {self.name!r}: in a forked child: the run "
                                       "belongs to the parent process (use it there, or run "
                                       "the program under `aimeter run`)")
                from . import _workload
                self._book = _workload.PhaseBook(_workload.NativeSink(self._session.handle),
                                                 f"tracker {self.name!r}")
            return self._book

    def phase(self, name: str, *, nest: bool = False) -> "Phase":
        """Begins the phase `name` ("prefill", "epoch 3") now and returns it (a Phase).

        `t.phase("prefill"); ...; t.phase("decode")` ends the previous phase() of this tracker
        before beginning the next. `with t.phase("eval"):` begins it the same way and ends it
        at the end of the block; phases begun inside the block nest in it. nest=True begins
        it inside whatever is open, ending nothing. Names: 1-128 bytes, no control
        characters (ValueError)."""
        return self._workload_book().begin(name, nest)

    def end_phase(self, name: "Optional[str]" = None) -> None:
        """Ends the innermost open phase called name (None: the innermost open phase), with
        the phases begun inside it. ValueError when no phase of that name is open."""
        self._workload_book().end_phase(name)

    def mark(self, text: str) -> None:
        """A marker: an instant worth seeing on the run's time line ("checkpoint saved")."""
        self._workload_book().mark(text)

    def record(self, key: str, value: float, kind: "Optional[str]" = None) -> None:
        """A number from the workload. Counters add up (tokens, samples, requests, ...,
        *_total, *_count: they give J per unit); gauges are the value now (loss, latency).
        kind "counter" or "gauge" overrides the key's rule; a key keeps its first kind.
        key: 1-48 of a-z 0-9 _ . - starting with a letter; value: a finite number."""
        self._workload_book().record(key, value, kind)

    def stop(self) -> "Optional[Summary]":
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
            if session is not None and session.pid != os.getpid():
                return None  # a forked child: the parent's run is not ours to end
            if self._book is not None:
                # A normal end ends the phases left open; after a failure this process's own
                # run keeps them open, so that its report marks them unterminated. An outer
                # run goes on: the region's phases end here whatever happened.
                self._book.close(status == COMPLETED or session is None,
                                 "the tracker has stopped")
            if session is None:
                self.summary = self._summary_not_sampled()
                return self.summary
            run_id = self._run_id
            _lib.install_log_callback()  # if start()'s thread has not done it yet
            try:
                session.stop(status, exit_code)
                # A server store that could not be reached: the run is read from the spool.
                if _lib.has("aim_session_spool_pending"):
                    spooled = _lib.lib().aim_session_spool_pending(session.handle)
                    if spooled:
                        self._db = spooled.decode("utf-8", "surrogateescape")
            finally:
                session.free()
                if self._job is not None:
                    from . import _control
                    _control.unpublish_run(self._job[1], run_id)
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

    def _summary_not_sampled(self):
        from .summary import NotSampled
        if self._mode == "attached":
            s = NotSampled(self.rank, f"{self.name!r} was measured by the outer `aimeter run` "
                                      "(its report, at its end, has this region as a phase)")
            s.attached = True
            s.control_socket = self._book.sink.paths[0]
            s.sampled_by_run, s.sampled_by_db = self._sampled_by
            if s.sampled_by_run:
                s.reason += f"; run {s.sampled_by_run} in {s.sampled_by_db}"
            return s
        reason = (f"{self.rank.describe()} does not sample: local rank 0 measures this node's "
                  "devices (its run holds the energy of every rank on the node)")
        s = NotSampled(self.rank, reason)
        if self._job is not None:
            from . import _control
            # Read now, else as seen at start: rank 0 may have stopped before this rank.
            found = _control.read_run(self._job[1])
            s.sampled_by_run, s.sampled_by_db = found if found[0] else self._sampled_by
            s.control_socket = self._job[0]
            if s.sampled_by_run:
                s.reason += f"; this rank's records and markers went to its run {s.sampled_by_run}"
        return s

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
            json_text = store.render(run_id, "json") if json_path else None
            text = None if o.quiet else store.render(run_id, "text")
            self.summary = Summary(store, run_id, db, text, self.rank, json_text)
            self.summary.csv_path, self.summary.json_path = csv_path, json_path
            if csv_path:
                store.export_csv_file(run_id, csv_path)
        if json_path:
            with open(json_path, "w", encoding="utf-8") as f:
                f.write(json_text)

    # ---------------------------------------------------------------- idioms

    def __enter__(self) -> "Tracker":
        return self.start()

    def __exit__(self, exc_type: "Any", exc: "Any", tb: "Any") -> bool:
        status, code = _status_of(exc_type, exc)
        try:
            self._stop(status, code)
        except Exception as e:
            if exc_type is None:
                raise
            # The workload's own exception matters more; say what went wrong with ours.
            print(f"aimeter: could not finish run {self.run_id}: {e}", file=sys.stderr)
        return False

    def __call__(self, func: "F") -> "F":
        """Decorator: every call of func is measured as one run (recursive calls inside it
        belong to the outer call's run)."""
        if self._state != "new":
            raise TypeError("a tracker that has started cannot decorate a function")
        if not callable(func):
            raise TypeError("aimeter.track(...) decorates a function")
        return _decorate(func, self._raw)

    def __repr__(self):
        where = (f"run {self.run_id}" if self.run_id else
                 "attached to the outer `aimeter run`" if self.attached else
                 "not sampling: " + self.rank.describe() if not self.sampling else "")
        return f"<aimeter.Tracker {self.name!r} {self._state} {where}>".replace("  ", " ")

    def _repr_html_(self) -> str:
        """In a notebook (`t` after `with aimeter.track(...) as t:`): its summary's report
        (Summary._repr_html_, the interactive HTML report); before it stopped, one line."""
        if self.summary is not None:
            return self.summary._repr_html_()
        import html
        return f"<p>{html.escape(repr(self))}: the report shows once it stops</p>"


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


def track(name: "Union[str, F, None]" = None, **options: "Any") -> "Union[Tracker, F]":
    """A Tracker: `with aimeter.track("finetune", interval="100ms") as t:`,
    `@aimeter.track("train")`, or `@aimeter.track` alone (named after the function)."""
    if callable(name) and not options:
        return _decorate(name, {})
    return Tracker(name, **options)
