"""aimeter: measure the energy, power, hardware activity and carbon of AI workloads.

A thin layer over libaimeter (ctypes; nothing to compile). Three ways to measure:

    from aimeter import monitor                     # the WattsOnAI interface
    monitor.start(task_name="infer", sampling_interval=0.1)
    ...
    summary = monitor.stop()

    import aimeter
    with aimeter.track("finetune", interval="100ms", zone="FR") as t:
        ...
    print(t.summary.energy_j, t.summary.carbon_g)

    @aimeter.track("train")
    def train(): ...

Phases, markers and records: t.phase("prefill"), t.mark("checkpoint"), t.record("tokens", n),
or the module-level aimeter.phase/end_phase/mark/record (the innermost running tracker, else
the outer `aimeter run`). aimeter.load("last").samples() reads a run back. See docs/python.md.
"""
from ._lib import AimeterError, LibraryNotFound
from ._tracker import Tracker, track
from . import monitor

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing at run time costs milliseconds
    from typing import Optional
    from ._workload import Phase


# The module-level workload calls load their module on first use: `import aimeter` and
# monitor.start() stay as cheap as they were (docs/performance.md).
def phase(name: str, *, nest: bool = False) -> "Phase":
    """Begins the phase `name` in the innermost running tracker of this process, else in the
    outer `aimeter run` ($AIMETER_CONTROL), ending the previous phase() there; usable as
    `with aimeter.phase("eval"):`. nest=True ends nothing. See Tracker.phase."""
    from ._workload import phase as f
    return f(name, nest=nest)


def end_phase(name: "Optional[str]" = None) -> None:
    """Ends the innermost open phase called name (None: the innermost open phase)."""
    from ._workload import end_phase as f
    f(name)


def mark(text: str) -> None:
    """A marker: an instant worth seeing ("checkpoint saved")."""
    from ._workload import mark as f
    f(text)


def record(key: str, value: float, kind: "Optional[str]" = None) -> None:
    """A number from the workload: counters add up (tokens, samples, requests, ...), gauges
    are values (loss, latency); kind "counter" or "gauge" overrides the key's rule."""
    from ._workload import record as f
    f(key, value, kind)


__version__ = "0.1.0"

# Reading results back needs json and csv; they load on first use so that
# `import aimeter; monitor.start()` stays cheap.
_LAZY = {"load": "summary", "runs": "summary", "Summary": "summary", "NotSampled": "summary",
         "PhaseSummary": "summary", "RecordSummary": "summary", "Phase": "_workload"}


def __getattr__(name: str) -> "object":
    if name in _LAZY:
        import importlib
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'aimeter' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))


def library_version() -> str:
    """The version of the libaimeter loaded (loads it)."""
    from ._lib import version
    return version()


__all__ = ["track", "Tracker", "monitor", "phase", "end_phase", "mark", "record", "Phase",
           "load", "runs", "Summary", "NotSampled", "PhaseSummary", "RecordSummary",
           "AimeterError", "LibraryNotFound", "library_version", "__version__"]
