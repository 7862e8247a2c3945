"""The Python package installed with pip as a user does it (issue 17, docs/install.md).

The two install blocks of docs/install.md run as they are written, in a copy of this tree
(the build never touches the checkout: meson-python writes into the tree it builds) with
HOME in a temporary directory (their ~/venvs/...) and no package index (PIP_NO_INDEX):

- a venv of /usr/bin/python3 with --system-site-packages and `pip install --no-build-isolation .`;
- `pip wheel` with Debian's Python, then the wheel into a plain venv of the `python3` first
  on PATH (any Python >= 3.9; the wheel's tag says every Python 3).

Both share one meson build directory (PIP_CONFIG_SETTINGS=builddir=...), so the package is
compiled once: about a minute of two cores; the whole file takes one to two minutes. The
wheel is built from the source with its own options, whatever AIMETER_BUILD is, so the
sanitizer pass of run-tests.sh does not build it again (its tests are skipped there, with
that reason); the tests of `python -m aimeter` over a build run in every pass.

Then, in each venv, from a directory outside the tree: the version (meson.build's), `python
-m aimeter` and the venv's `aimeter` (the program of the wheel), `import aimeter` loading the
library inside the wheel, and a short measurement through the Python API on two fake GPUs
(the fake NVML of AIMETER_BUILD), read back by the wheel's program.
"""
import json
import os
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from conftest import BUILD, EX_UNAVAILABLE, EX_USAGE, PYTHON, REPO, gpu_env
from fakeproc import sanitizers

INSTALL_MD = REPO / "docs" / "install.md"
# The first lines of docs/install.md's two install blocks.
ONE_STEP = "/usr/bin/python3 -m venv --system-site-packages ~/venvs/aimeter"
WHEEL_FIRST = "/usr/bin/python3 -m pip wheel --no-build-isolation"
# The venvs those blocks make, under HOME.
VENVS = {"system-site": "venvs/aimeter", "plain": "venvs/aimeter-any"}

BUILD_TIMEOUT = 900  # a loaded two-core machine; about a minute when idle

# Not copied into the tree that is built: build directories, the checkout's git data,
# anything a build left; web/node_modules is linked, not copied (36 MB).
IGNORED_AT_TOP = re.compile(r"^(build|build-.*|\.git|dist|\.mesonpy-.*)$")


def meson_version():
    m = re.search(r"^\s*version\s*:\s*'([^']+)'", (REPO / "meson.build").read_text(), re.M)
    assert m, "no version in meson.build's project()"
    return m.group(1)


def doc_block(first_line):
    """The ```sh block of docs/install.md that starts with first_line, as its text."""
    text = INSTALL_MD.read_text()
    for m in re.finditer(r"^```sh\n(.*?)^```", text, re.S | re.M):
        if m.group(1).startswith(first_line):
            return m.group(1)
    raise AssertionError(f"docs/install.md has no sh block starting {first_line!r}")


def copy_tree(dst):
    def ignore(folder, names):
        top = Path(folder).resolve() == REPO
        return {n for n in names
                if n in ("__pycache__", "node_modules") or (top and IGNORED_AT_TOP.match(n))}
    shutil.copytree(REPO, dst, ignore=ignore, symlinks=True)
    modules = REPO / "web" / "node_modules"
    assert modules.is_dir(), "web/node_modules is missing: npm ci --prefix web (bootstrap.sh)"
    (dst / "web" / "node_modules").symlink_to(modules)


def clean_env(home):
    """The environment of a user's shell: no aimeter variables of the tests, no PYTHONPATH,
    no venv active, no package index, pip's files under home."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AIMETER_", "PIP_")) and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["AIMETER_AGENT_SOCKET"] = os.environ["AIMETER_AGENT_SOCKET"]  # conftest's: no agent
    env.update(HOME=str(home), PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local" / "share"))
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Runs docs/install.md's two blocks; returns {"root", "home", "env", "seconds", "dist"}."""
    if sanitizers():
        pytest.skip("the wheel is built from the source, not from AIMETER_BUILD: the normal "
                    "pass of run-tests.sh builds and tests it")
    root = tmp_path_factory.mktemp("pip")
    src, home = root / "src", root / "home"
    copy_tree(src)
    home.mkdir()
    env = clean_env(home)
    # One meson build directory for both blocks: the second build reuses the first's objects.
    env["PIP_CONFIG_SETTINGS"] = f"builddir={root / 'meson-build'}"
    seconds = {}
    for name, first in (("wheel", WHEEL_FIRST), ("one step", ONE_STEP)):
        start = time.monotonic()
        r = subprocess.run(["bash", "-euxo", "pipefail", "-c", doc_block(first)], cwd=src,
                           env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                           stdin=subprocess.DEVNULL)
        seconds[name] = time.monotonic() - start
        assert r.returncode == 0, f"docs/install.md's {name} block failed:\n{r.stdout[-4000:]}\n{r.stderr[-8000:]}"
    print(f"pip install times (s): {seconds}")  # shown with -s; docs/testing.md quotes them
    return {"root": root, "home": home, "env": env, "seconds": seconds, "dist": src / "dist"}


def venv_python(installed, which):
    return installed["home"] / VENVS[which] / "bin" / "python"


def run_in_venv(installed, which, args, env=None, timeout=60):
    """Runs the venv's python with args, from a directory outside any tree."""
    full = dict(installed["env"])
    full.update({k: str(v) for k, v in (env or {}).items()})
    return subprocess.run([str(venv_python(installed, which)), *args], capture_output=True,
                          text=True, env=full, cwd=installed["root"], timeout=timeout,
                          stdin=subprocess.DEVNULL)


def site_packages(installed, which):
    r = run_in_venv(installed, which, ["-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    assert r.returncode == 0, r.stderr
    return Path(r.stdout.strip())


BOTH = pytest.mark.parametrize("which", sorted(VENVS))


@BOTH
def test_version_is_meson_builds(installed, which):
    code = ("import importlib.metadata as m, aimeter; "
            "print(m.version('aimeter'), aimeter.__version__, aimeter.library_version())")
    r = run_in_venv(installed, which, ["-c", code])
    assert r.returncode == 0, r.stderr
    v = meson_version()
    assert r.stdout.split() == [v, v, v]


@BOTH
def test_python_m_aimeter_is_the_wheels_program(installed, which):
    r = run_in_venv(installed, which, ["-m", "aimeter", "--help"])
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Usage: aimeter COMMAND")
    for args in (["-m", "aimeter", "--version"], ["-c", "import aimeter.__main__ as m; print(m.program())"]):
        r = run_in_venv(installed, which, args)
        assert r.returncode == 0, r.stderr
    program = installed["home"] / VENVS[which] / "bin" / "aimeter"
    assert r.stdout.strip() == str(program)  # the venv's own, not one on PATH
    direct = subprocess.run([str(program), "--version"], capture_output=True, text=True,
                            env=installed["env"], cwd=installed["root"], timeout=60)
    assert direct.returncode == 0, direct.stderr
    assert direct.stdout.strip() == f"aimeter {meson_version()}"
    # the program's exit status comes back as it is (a usage error: 64)
    r = run_in_venv(installed, which, ["-m", "aimeter", "ls", "--no-such-option"])
    assert r.returncode == EX_USAGE, r.stderr


@BOTH
def test_import_loads_the_library_inside_the_wheel(installed, which):
    code = "import aimeter, aimeter._lib as l; print(aimeter.__file__); print(l.lib()._name)"
    r = run_in_venv(installed, which, ["-c", code])
    assert r.returncode == 0, r.stderr
    package, library = (Path(p) for p in r.stdout.split())
    site = site_packages(installed, which)
    assert package == site / "aimeter" / "__init__.py"
    assert library == site / "aimeter" / "libaimeter.so.0"
    # and the tables that travel with it
    assert (site / "aimeter" / "data" / "zones_odbl.csv").is_file()


MEASURE = """
import json, time, aimeter
with aimeter.track("pip-check", interval="20ms", db={db!r}, quiet=True) as t:
    time.sleep(0.3)
s = t.summary
print(json.dumps({{"run": s.run_id, "status": s.status, "energy_j": s.energy_j,
                  "gpus": [d["name"] for d in s.report["devices"] if d["kind"] == "gpu"]}}))
"""


@BOTH
def test_a_measurement_through_the_python_api(installed, which, tmp_path):
    db = tmp_path / "runs.db"
    r = run_in_venv(installed, which, ["-c", MEASURE.format(db=str(db))], env=gpu_env())
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["status"] == "completed"
    assert out["gpus"] == ["gpu0", "gpu1"]
    assert out["energy_j"] > 0
    # the wheel's program reads the store the wheel's library wrote
    program = installed["home"] / VENVS[which] / "bin" / "aimeter"
    rep = subprocess.run([str(program), "report", out["run"], "--db", str(db), "--format", "json"],
                         capture_output=True, text=True, env=installed["env"], timeout=60)
    assert rep.returncode == 0, rep.stderr
    assert json.loads(rep.stdout)["run"]["id"] == out["run"]


def test_one_wheel_for_every_python3(installed):
    (wheel,) = installed["dist"].glob("aimeter-*.whl")
    # no extension module (ctypes): one wheel for every Python 3, on this platform only
    assert re.fullmatch(rf"aimeter-{re.escape(meson_version())}-py3-none-linux_\w+\.whl", wheel.name)
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        info = z.read(f"aimeter-{meson_version()}.dist-info/METADATA").decode()
        license_text = z.read(f"aimeter-{meson_version()}.dist-info/LICENSE").decode()
    assert f"aimeter-{meson_version()}.data/scripts/aimeter" in names
    assert f"aimeter-{meson_version()}.data/purelib/aimeter/libaimeter.so.0" in names
    # only the package, its program and its metadata: no header, no test, nothing outside
    assert all(n.startswith((f"aimeter-{meson_version()}.data/purelib/aimeter/",
                             f"aimeter-{meson_version()}.data/scripts/aimeter",
                             f"aimeter-{meson_version()}.dist-info/")) for n in names), sorted(names)
    assert "Requires-Python:>=3.9" in info.replace(" ", "")
    assert "Classifier: License :: OSI Approved :: MIT License" in info
    assert license_text == (REPO / "LICENSE").read_text()


def test_licence_agrees_everywhere():
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 the aimeter authors" in text
    assert re.search(r"^\s*license\s*:\s*'MIT'", (REPO / "meson.build").read_text(), re.M)
    pyproject = (REPO / "pyproject.toml").read_text()
    assert re.search(r'^license\s*=\s*\{\s*file\s*=\s*"LICENSE"\s*\}', pyproject, re.M)
    assert '"License :: OSI Approved :: MIT License"' in pyproject


# ------------------------------------------------ python -m aimeter over a build or an install

def package_copy(tmp_path, install=None):
    """The package alone in tmp_path/pkg (outside the tree, so the source tree's
    build/src/cli/aimeter is not next to it), with an _install.py when install is given."""
    dst = tmp_path / "pkg" / "aimeter"
    shutil.copytree(REPO / "python" / "aimeter", dst, ignore=shutil.ignore_patterns("__pycache__"))
    if install:
        (dst / "_install.py").write_text("".join(f"{k} = {str(v)!r}\n" for k, v in install.items()))
    return dst.parent


def python_m_aimeter(pkg, args, env):
    # PATH: an empty directory, so that no aimeter installed on this machine is found
    empty = pkg.parent / "empty-path"
    empty.mkdir(exist_ok=True)
    full = {k: v for k, v in os.environ.items() if not k.startswith("AIMETER_")}
    full.update(PYTHONPATH=str(pkg), PATH=str(empty), **env)
    return subprocess.run([PYTHON, "-m", "aimeter", *args], capture_output=True, text=True,
                          env=full, cwd=pkg, timeout=60, stdin=subprocess.DEVNULL)


def test_python_m_aimeter_runs_the_builds_program(tmp_path):
    # $AIMETER_LIBRARY names a build's library: that build's program
    pkg = package_copy(tmp_path)
    r = python_m_aimeter(pkg, ["--version"],
                         {"AIMETER_LIBRARY": str(BUILD / "src" / "lib" / "libaimeter.so.0")})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"aimeter {meson_version()}"


def test_python_m_aimeter_runs_the_meson_installed_program(tmp_path):
    # what `meson install` writes: _install.py with the program's directory
    r = subprocess.run(["meson", "install", "-C", str(BUILD), "--destdir", str(tmp_path / "d"),
                        "--no-rebuild", "--quiet"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    (written,) = (tmp_path / "d").rglob("aimeter/_install.py")
    values = {}
    exec(written.read_text(), values)
    prefix = json.loads((BUILD / "meson-info" / "intro-buildoptions.json").read_text())
    opts = {o["name"]: o["value"] for o in prefix}
    assert values["BINDIR"] == os.path.join(opts["prefix"], opts["bindir"])
    assert (tmp_path / "d" / values["BINDIR"].lstrip("/") / "aimeter").is_file()
    # that directory is where `python -m aimeter` looks (here: the build's program)
    pkg = package_copy(tmp_path, {"LIBDIR": "/nonexistent", "BINDIR": BUILD / "src" / "cli",
                                  "VERSION": meson_version()})
    r = python_m_aimeter(pkg, ["--version"], {})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"aimeter {meson_version()}"


def test_python_m_aimeter_without_a_program(tmp_path):
    pkg = package_copy(tmp_path)
    r = python_m_aimeter(pkg, ["--version"], {"AIMETER_LIBRARY": str(tmp_path / "nowhere.so")})
    assert r.returncode == EX_UNAVAILABLE
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("aimeter: the aimeter program is not")
