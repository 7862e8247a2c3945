"""Phases, markers and records from Python (docs/python.md, docs/control.md).

A PhaseBook is what a tracker (or the process, for the module-level functions) knows about
the phases it opened, and where its messages go (a sink): the tracker's own session through
the C API (NativeSink), or a run's control socket (RemoteSink: the outer `aimeter run`, or
local rank 0's tracker). The book mirrors the library's nesting rule (ending a phase ends the
phases opened after it), so that every error a caller can make is raised at the call, in
Python, whichever the sink: a bad name or key, ending a phase that is not open, a key used
as both counter and gauge. Limits the run enforces later (64 phase names, 64 record keys,
16 open phases, a flood of events) are warned about once instead of raised: a measuring
library must not stop a training run for them.

Sequencing: `t.phase("prefill"); ...; t.phase("decode")` ends the previous phase() of the
book before beginning the next (one "current" slot per book); `with t.phase("x"):` begins it
the same way, then it belongs to the with-block (it ends at the block's end and is no longer
the current one, so phase() calls inside the block do not end it). nest=True begins a
phase inside whatever is open without ending anything.
"""
import math
import os
from _thread import allocate_lock

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing at run time costs milliseconds
    from typing import Any, Optional

NAME_MAX = 128       # bytes of a phase name or marker text
KEY_MAX = 48
PHASE_NAMES = 64     # distinct phase names the run keeps a row for
RECORD_KEYS = 64
PHASE_DEPTH = 16     # phases open at once


# ---------------------------------------------------------------- validation (the protocol's rules)

def check_text(text: str, what: str) -> str:
    """A phase name or marker text: str, 1-128 bytes of UTF-8, no control characters, no
    leading or trailing space (the control protocol would strip them)."""
    if not isinstance(text, str):
        raise TypeError(f"{what}: a string, not {type(text).__name__}")
    data = text.encode("utf-8", "surrogatepass")
    if not data:
        raise ValueError(f"{what}: empty")
    if len(data) > NAME_MAX:
        raise ValueError(f"{what} {text[:40]!r}...: longer than {NAME_MAX} bytes (UTF-8)")
    if any(ord(c) < 0x20 or ord(c) == 0x7f for c in text):
        raise ValueError(f"{what} {text!r}: control characters (newline, tab, ...) are not allowed")
    if text[0] == " " or text[-1] == " ":
        raise ValueError(f"{what} {text!r}: no leading or trailing spaces")
    return text


_kinds_seen: "dict[str, int]" = {}   # the rule is a function of the key: asked once per key


def _key_kind(key: str) -> int:
    """The library's record rule (aim_record_key_kind): 1 counter, 0 gauge, < 0 not a key."""
    k = _kinds_seen.get(key)
    if k is None:
        from ._lib import lib
        k = -22 if "\0" in key else lib().aim_record_key_kind(key.encode("utf-8", "surrogatepass"))
        if len(_kinds_seen) < 1024:  # a run keeps 64 keys; bad keys must not grow it
            _kinds_seen[key] = k
    return k


def check_key(key: str) -> str:
    if not isinstance(key, str):
        raise TypeError(f"record key: a string, not {type(key).__name__}")
    if _key_kind(key) < 0:
        raise ValueError(f"record key {key!r}: 1-{KEY_MAX} characters of a-z 0-9 _ . -, "
                         "starting with a letter (e.g. 'tokens', 'loss', 'eval.accuracy')")
    return key


def default_kind(key: str) -> str:
    """The library's rule: keys naming counted things are counters, the rest gauges."""
    return "counter" if _key_kind(key) == 1 else "gauge"


def check_kind(key: str, kind: "Optional[str]") -> str:
    if kind is None:
        return default_kind(key)
    if kind not in ("counter", "gauge"):
        raise ValueError(f"record kind {kind!r}: 'counter' (values add up: tokens, samples) or "
                         "'gauge' (each value is the current one: loss, latency), or None for "
                         "the key's rule")
    return kind


def check_value(value, key):
    """(float for the C API, decimal text for the protocol)."""
    if isinstance(value, (bool, str, bytes)):
        # float("12") would work, but a string here is a mistake (a label, not a measure)
        raise TypeError(f"record {key!r}: a number, not {type(value).__name__}")
    if isinstance(value, int):
        try:
            f = float(value)
        except OverflowError:
            raise ValueError(f"record {key!r}: {value} is too large") from None
        return f, str(value) if abs(value) < 2 ** 53 else repr(f)
    try:
        f = float(value)  # floats, numpy scalars, one-element tensors (.item())
    except (TypeError, ValueError):
        raise TypeError(f"record {key!r}: a number, not {type(value).__name__}") from None
    if not math.isfinite(f):
        raise ValueError(f"record {key!r}: {f} is not a finite number")
    return f, repr(f)


def _truncate_utf8(text, limit):
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore").rstrip(" ")


# ---------------------------------------------------------------- warnings (once each)

def _warn(message):
    import warnings
    warnings.warn(message, RuntimeWarning, stacklevel=4)


# ---------------------------------------------------------------- sinks

class NativeSink:
    """A tracker's own aim_session (the C API). Called with the book's lock held."""

    remote = False
    sends_phases = True

    def __init__(self, handle):
        self.handle = handle

    def _check(self, r, what):
        if r == 0:
            return True
        import errno
        if r == -errno.ENOBUFS:
            return False  # a flood: dropped and counted by the run; the book warns
        if r == -errno.EINVAL:
            raise ValueError(f"{what}: refused by the library")
        if r == -errno.ENODEV:
            raise RuntimeError(f"{what}: the run is not running")
        from ._lib import AimeterError
        raise AimeterError(r, what)

    def begin(self, name):
        from ._lib import lib
        return self._check(lib().aim_phase_begin(self.handle, name.encode()), f"phase {name!r}")

    def end(self, name):
        from ._lib import lib
        return self._check(lib().aim_phase_end(self.handle, name.encode()), f"end of phase {name!r}")

    def mark(self, text):
        from ._lib import lib
        return self._check(lib().aim_mark(self.handle, text.encode()), "mark")

    def record(self, key, fvalue, text, counter):
        from ._lib import lib
        return self._check(lib().aim_record_as(self.handle, key.encode(), fvalue, 1 if counter else 0),
                           f"record {key!r}")


class RemoteSink:
    """A run's control socket: the outer `aimeter run` ($AIMETER_CONTROL), or local rank 0's
    tracker. On a rank other than local rank 0, phases and markers are sent labelled with the
    rank ("[rank 3] epoch 1": the run keeps each rank's phases apart from rank 0's, which
    stand for the node, and a rank's phase end is scoped to that rank), records are sent as
    they are (counters add up to the node's work).

    Messages that cannot be delivered (the run ended, rank 0 has not started yet) are
    dropped and counted: `dropped`, and one warning on the "aimeter" logger. A lost
    connection is retried at most once a second, so a training loop never waits on it.
    """

    remote = True

    def __init__(self, paths, rank=None):
        self.paths = [p for p in paths if p]
        self.rank = rank
        if rank is None or rank.samples_node:
            self.prefix = ""
        elif rank.rank is not None:
            self.prefix = f"[rank {rank.rank}] "
        else:
            self.prefix = f"[local rank {rank.local_rank}] "
        self.dropped = 0
        self._client = None
        self._retry_at = 0.0
        self._warned = False

    @property
    def path(self):
        return self._client.path if self._client is not None else None

    def use(self, path):
        """path has just answered a ping: connect to it on the first message, no second ping."""
        from . import _control
        self._client = _control.client(path)

    def _get_client(self):
        from . import _control
        if self._client is not None:
            return self._client
        import time
        now = time.monotonic()
        if now < self._retry_at:
            return None
        for p in self.paths:
            if _control.ping(p):
                self._client = _control.client(p)
                return self._client
        self._retry_at = now + 1.0
        return None

    def _lost(self, why):
        self.dropped += 1
        if not self._warned:
            self._warned = True
            try:
                import logging
                logging.getLogger("aimeter").warning(
                    "aimeter: %s; phases, markers and records are dropped until it answers", why)
            except Exception:
                pass
        return None  # lost (already reported), not refused

    def _send(self, line):
        from ._control import ControlError
        c = self._get_client()
        if c is None:
            return self._lost("no run answers on " + " or ".join(self.paths or ["(no socket)"]))
        try:
            reply = c.request(line)
        except ControlError as e:
            self._client = None
            self._retry_at = 0.0
            return self._lost(str(e))
        if reply == "ok":
            return True
        reason = reply[6:] if reply.startswith("error ") else f"unexpected reply {reply!r}"
        if reason.startswith("too many"):
            return False  # the run's limits: dropped and counted there; the book warns
        raise ValueError(f"the run refused {line!r}: {reason}")

    def begin(self, name):
        return self._send("phase begin " + _truncate_utf8(self.prefix + name, NAME_MAX))

    def end(self, name):
        return self._send("phase end " + _truncate_utf8(self.prefix + name, NAME_MAX))

    def mark(self, text):
        return self._send("mark " + _truncate_utf8(self.prefix + text, NAME_MAX))

    def record(self, key, fvalue, text, counter):
        return self._send(f"record {key} {text} {'counter' if counter else 'gauge'}")


# ---------------------------------------------------------------- phases

class Phase:
    """A phase begun by phase(): end() ends it; as a context manager it ends at the end of the
    with-block. `open` tells whether it is still open (a phase ends when it is ended, when a
    later phase() of the same book follows it, or when a phase around it ends)."""

    __slots__ = ("name", "open", "_book", "_scoped", "__weakref__")

    def __init__(self, book, name):
        self.name, self._book, self.open, self._scoped = name, book, True, False

    def end(self) -> None:
        self._book.end_phase(self)

    name: str
    open: bool

    def __enter__(self) -> "Phase":
        self._book._scope(self)
        return self

    def __exit__(self, exc_type: "Any", exc: "Any", tb: "Any") -> bool:
        self._book.end_phase(self)
        return False

    def __repr__(self):
        return f"<aimeter.Phase {self.name!r} {'open' if self.open else 'ended'}>"


class PhaseBook:
    """The phases, markers and records of one tracker, or of the process (module level)."""

    def __init__(self, sink, owner):
        self.sink = sink
        self.owner = owner          # for messages: "tracker 'x'", "aimeter run"
        self._lock = allocate_lock()
        self._open = []             # Phase objects in begin order
        self._current = None        # the latest phase() not scoped by a with-block
        self._names = set()
        self._kinds = {}
        self._closed = None         # why it no longer accepts anything
        self._warned = set()

    # -- lifecycle

    def close(self, end_open, why):
        """No more messages (the tracker stopped). end_open: end the phases still open first
        (a normal end); otherwise the run marks them unterminated."""
        with self._lock:
            if self._closed:
                return
            if end_open:
                try:
                    for p in reversed(self._open):
                        self.sink.end(p.name)
                except Exception:
                    pass  # the run goes on to its end; open phases are closed there
            for p in self._open:
                p.open = False
            self._open.clear()
            self._current = None
            self._closed = why

    def forked(self):
        self._lock = allocate_lock()
        self._closed = ("in a forked child: the run belongs to the parent process (use it "
                        "there, or run the program under `aimeter run`)")

    def _usable(self):
        if self._closed:
            raise RuntimeError(f"aimeter: {self.owner}: {self._closed}")

    def _limit(self, what, message):
        if what not in self._warned:
            self._warned.add(what)
            _warn(f"aimeter: {self.owner}: {message}")

    def _delivered(self, ok):
        # True: accepted; None: lost on the way (the sink reported it); False: refused by the
        # run's limits (a flood), dropped and counted in its report.
        if ok is False:
            self._limit("flood", "the run refused events (its queue of 65,536 is full, or too "
                                 "many connections); they are dropped and counted in its report")

    # -- phases

    def begin(self, name, nest=False):
        check_text(name, "phase name")
        with self._lock:
            self._usable()
            if not nest and self._current is not None and self._current.open:
                self._end_locked(self._current)
            if len(self._open) >= PHASE_DEPTH:
                self._limit("depth", f"more than {PHASE_DEPTH} phases open at once: the run "
                                     "ignores the deeper ones")
            if name not in self._names:
                self._names.add(name)
                if len(self._names) > PHASE_NAMES:
                    self._limit("names", f"more than {PHASE_NAMES} distinct phase names: the run "
                                         "ignores phases with new names past that")
            p = Phase(self, name)
            self._delivered(self.sink.begin(name))
            self._open.append(p)
            if not nest:
                self._current = p
            return p

    def _scope(self, p):
        with self._lock:
            p._scoped = True
            if self._current is p:
                self._current = None

    def _end_locked(self, p):
        # The library ends the innermost open phase of that name and those opened after it.
        i = len(self._open) - 1
        while i >= 0 and self._open[i] is not p:
            i -= 1
        if i < 0:
            return
        self._delivered(self.sink.end(p.name))
        for q in self._open[i:]:
            q.open = False
        del self._open[i:]
        if self._current is not None and not self._current.open:
            self._current = None

    def end_phase(self, which=None):
        """which: a Phase, a name (the innermost open phase of that name), or None (the
        innermost open phase)."""
        with self._lock:
            if isinstance(which, Phase):
                if not which.open or self._closed:
                    return  # already ended (by a later phase(), or around it): nothing to do
                self._end_locked(which)
                return
            self._usable()
            if which is None:
                if not self._open:
                    raise RuntimeError(f"aimeter: {self.owner}: no phase is open")
                self._end_locked(self._open[-1])
                return
            check_text(which, "phase name")
            for p in reversed(self._open):
                if p.name == which:
                    self._end_locked(p)
                    return
            names = ", ".join(repr(p.name) for p in self._open) or "none"
            raise ValueError(f"aimeter: {self.owner}: no open phase called {which!r} (open: {names})")

    def open_phases(self):
        with self._lock:
            return [p.name for p in self._open]

    # -- markers and records

    def mark(self, text):
        check_text(text, "marker text")
        with self._lock:
            self._usable()
            self._delivered(self.sink.mark(text))

    def record(self, key, value, kind=None):
        check_key(key)
        kind = check_kind(key, kind)
        fvalue, text = check_value(value, key)
        with self._lock:
            self._usable()
            first = self._kinds.get(key)
            if first is None:
                if len(self._kinds) >= RECORD_KEYS:
                    self._limit("keys", f"more than {RECORD_KEYS} record keys: the run ignores "
                                        "new keys past that")
                self._kinds[key] = kind
            elif first != kind:
                raise ValueError(f"aimeter: record {key!r} is a {first} in this run (its first "
                                 f"record); it cannot be a {kind} too: use another key")
            self._delivered(self.sink.record(key, fvalue, text, kind == "counter"))


# ---------------------------------------------------------------- module level

_module_lock = allocate_lock()
_module_book = None
_module_pid = None


def _after_fork_in_child():
    global _module_lock, _module_book
    _module_lock = allocate_lock()
    _module_book = None  # the child opens its own connection, and has no phases yet


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _at_exit():
    book = _module_book
    if book is not None and _module_pid == os.getpid():
        # The program's end is the end of the phases it left open (not "unterminated").
        book.close(True, "the program has exited")


def _process_book():
    """The book of the module-level functions when no tracker runs in this process: the
    outer `aimeter run` ($AIMETER_CONTROL), else the node's agent (`aimeter agent`), or local
    rank 0's job socket on another rank."""
    global _module_book, _module_pid
    with _module_lock:
        if _module_book is not None:
            return _module_book
        from . import _control, _ranks
        rank = _ranks.detect()
        outer = os.environ.get("AIMETER_CONTROL")
        paths = []
        agent = None if outer else _control.agent_socket()
        if outer and _control.ping(outer):
            paths.append(outer)
            owner = "the outer `aimeter run`"
        elif agent and _control.ping(agent):
            # No run here, but the node's agent: it keeps the messages under this job.
            outer = agent
            paths.append(agent)
            owner = "the node's agent"
        elif not rank.samples_node:
            # Another rank of a job: local rank 0's tracker may not listen yet; the sink
            # connects when it does (messages before that are dropped, with one warning).
            job = _control.job_paths()
            if job is not None:
                paths.append(job[0])
            owner = "local rank 0's run"
        if not paths:
            if outer:
                raise RuntimeError(f"aimeter: cannot reach the `aimeter run` at {outer} "
                                   "($AIMETER_CONTROL): has it ended?")
            raise RuntimeError("aimeter: nothing is measuring this process: start a tracker "
                               "(`with aimeter.track(...)`, `monitor.start()`) or run the program "
                               "under `aimeter run`")
        sink = RemoteSink(paths, rank)
        if paths[0] == outer:
            sink.use(outer)
        book = PhaseBook(sink, owner)
        import atexit
        atexit.register(_at_exit)
        _module_book, _module_pid = book, os.getpid()
        return book


def _book():
    from ._tracker import current
    t = current()
    if t is not None:
        return t._workload_book()
    return _process_book()


def phase(name: str, *, nest: bool = False) -> "Phase":
    """Begins the phase `name` in the innermost running tracker of this process, else in the
    outer `aimeter run`, ending the previous phase() (see Tracker.phase)."""
    return _book().begin(name, nest)


def end_phase(name: "Optional[str]" = None) -> None:
    """Ends the innermost open phase called name (None: the innermost open phase)."""
    _book().end_phase(name)


def mark(text: str) -> None:
    """A marker (an instant worth seeing: 'checkpoint saved')."""
    _book().mark(text)


def record(key: str, value: float, kind: "Optional[str]" = None) -> None:
    """A number from the workload: counters add up (tokens, samples, requests, ...), gauges
    are values (loss, latency); kind 'counter' or 'gauge' overrides the key's rule."""
    _book().record(key, value, kind)
