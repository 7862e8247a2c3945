"""The package is typed (PEP 561): `py.typed` is installed with it, the public API has
annotations, and they cost `import aimeter` nothing (no `typing` import at run time). The
options the package shares with `aimeter run` are the CLI's."""
import inspect
import subprocess
import typing

import aimeter
from aimeter import monitor
from conftest import BUILD, run_python


def test_py_typed_is_installed_with_the_package(tmp_path):
    r = subprocess.run(["meson", "install", "-C", str(BUILD), "--destdir", str(tmp_path),
                        "--no-rebuild", "--quiet"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    markers = list(tmp_path.rglob("aimeter/py.typed"))
    assert len(markers) == 1, markers
    assert (markers[0].parent / "summary.py").is_file()


def _hints(obj):
    # The annotations are strings (so that nothing is imported for them); they must resolve.
    ns = dict(vars(typing))
    ns.update(vars(aimeter))
    ns.update({"Summary": aimeter.Summary, "Phase": aimeter.Phase, "Tracker": aimeter.Tracker,
               "PhaseSummary": aimeter.PhaseSummary, "RecordSummary": aimeter.RecordSummary,
               "F": typing.TypeVar("F"), "os": __import__("os"), "_Store": object,
               "_RunInfo": object, "ctypes": __import__("ctypes")})
    return typing.get_type_hints(obj, globalns=ns)


def test_public_api_is_annotated():
    for fn in (aimeter.track, aimeter.phase, aimeter.end_phase, aimeter.mark, aimeter.record,
               aimeter.load, aimeter.runs, aimeter.library_version, monitor.start, monitor.stop,
               aimeter.Tracker.phase, aimeter.Tracker.record, aimeter.Tracker.stop,
               aimeter.Tracker.start, aimeter.Summary.samples, aimeter.Summary.j_per,
               aimeter.Summary.phase, aimeter.Summary.to_dict, aimeter.Summary.plot,
               aimeter.Summary._repr_html_):
        hints = _hints(fn)
        assert "return" in hints, fn
        params = [p for p in inspect.signature(fn).parameters if p not in ("self", "options")]
        assert all(p in hints for p in params), (fn, params, hints)
    assert _hints(aimeter.Summary)["energy_j"] == typing.Optional[float]
    assert _hints(aimeter.PhaseSummary)["records"] == typing.Dict[str, typing.Optional[float]]


def test_typing_is_not_imported_at_run_time():
    r = run_python("import sys, aimeter\n"
                   "from aimeter import summary, _workload, _control, monitor\n"
                   "print('typing' in sys.modules)")
    assert r.returncode == 0 and r.stdout.strip() == "False", r.stderr


# Options of track()/monitor.start() that are `aimeter run`'s under a Python name (the two
# lists are kept apart on purpose: docs/decisions.md, "The option list stays written twice").
PYTHON_ONLY = {"quiet", "all_ranks", "attach", "task_name", "sampling_interval", "output_format",
               "additional_metrics", "indices"}


def test_options_shared_with_the_cli_exist_there():
    from aimeter import _options
    from conftest import AIMETER
    help_text = subprocess.run([str(AIMETER), "run", "--help"], capture_output=True,
                               text=True).stdout
    shared = set(_options.OPTIONS) - PYTHON_ONLY
    missing = [n for n in sorted(shared) if f"--{n.replace('_', '-')} " not in help_text]
    assert not missing, f"options of the package that `aimeter run` lacks: {missing}"
