"""The WattsOnAI interface: one measurement for the whole process.

    from aimeter import monitor
    try:
        monitor.start(task_name="llama-infer", sampling_interval=0.1, output_format="csv",
                      additional_metrics=["CPU", "DRAM"], indices=[0])
        ...  # the workload
    finally:
        report = monitor.stop()   # the Summary; its report is printed unless quiet=True

start() takes the options of aimeter.track() (docs/python.md). A second start() before
stop() raises RuntimeError. stop() without a running start() returns None with a
RuntimeWarning instead of raising: in the paper's try/finally, an exception from start()
must reach the user, not be replaced by one from stop(). Both are thread-safe.
"""
from _thread import allocate_lock

from ._tracker import Tracker

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing at run time costs milliseconds
    from typing import Any, Optional
    from .summary import Summary

_lock = allocate_lock()
_tracker: "Optional[Tracker]" = None


def start(**options: "Any") -> "Tracker":
    """Starts measuring this machine; returns the Tracker (its run_id, live())."""
    global _tracker
    tracker = Tracker(**options)  # checks the options before taking the lock
    with _lock:
        if _tracker is not None and _tracker.running:
            raise RuntimeError(f"aimeter: monitor already started ({_tracker.name!r}, run "
                               f"{_tracker.run_id}); call monitor.stop() first")
        tracker.start()
        _tracker = tracker
    return tracker


def stop() -> "Optional[Summary]":
    """Stops the measurement started by start() and returns its Summary (None, with a
    RuntimeWarning, when nothing was started)."""
    global _tracker
    with _lock:
        tracker, _tracker = _tracker, None
    if tracker is None:
        import warnings
        warnings.warn("aimeter: monitor.stop() without a running monitor.start(): nothing to "
                      "stop", RuntimeWarning, stacklevel=2)
        return None
    return tracker.stop()


def current() -> "Optional[Tracker]":
    """The running Tracker started by start(), or None."""
    with _lock:
        return _tracker if _tracker is not None and _tracker.running else None
