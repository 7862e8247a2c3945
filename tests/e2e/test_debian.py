"""The Debian packages (issue 17, docs/packaging.md): debian/ builds them, lintian finds no
error or warning, and what they hold works once unpacked.

The packages are built by `dpkg-buildpackage -us -uc` (the source package too) in a copy of
this tree under a temporary directory (the files git tracks or would track, and
web/node_modules linked), so the checkout is never written to. About one to two minutes of
two cores: the library and the command are compiled once more, without the tests
(-Dtests=false, debian/rules); the whole file takes about as long. The packages are built
from the source with Debian's options, whatever AIMETER_BUILD is: the sanitizer pass of run-tests.sh skips this file, the normal
pass runs it.

The packages are unpacked (dpkg -x) into a root of their own and run from there
(LD_LIBRARY_PATH, PYTHONPATH, PATH): the files the packages carry, at their paths, without
installing them into the machine that runs the suite, where /usr/bin/aimeter and the
Python module in dist-packages would then be found by every later test and by its user,
and stay behind. That their dependencies are satisfiable on this machine is checked with
`dpkg --dry-run -i` (as root: dpkg's lock). AIMETER_TEST_DEB_INSTALL=1 (a throw-away CI
container) also installs them for real with apt-get, runs `man aimeter`, the command, the
module and the completion from the system's places, and purges them.
"""
import gzip
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from completion import BASH_COMPLETION, bash_complete
from conftest import REPO
from fakeproc import sanitizers

BUILD_TIMEOUT = 900  # a loaded two-core machine; one to two minutes when idle
PACKAGES = ["libaimeter0", "libaimeter-dev", "aimeter", "python3-aimeter"]
TOOLS = {"dpkg-buildpackage": "dpkg-dev", "dh": "debhelper", "dh_python3": "dh-python",
         "lintian": "lintian", "chrpath": "chrpath", "man": "man-db"}

pytestmark = pytest.mark.slow


def project_version():
    m = re.search(r"^\s*version\s*:\s*'([^']+)'", (REPO / "meson.build").read_text(), re.M)
    assert m, "no version in meson.build's project()"
    return m.group(1)


def multiarch():
    return subprocess.run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], capture_output=True,
                          text=True, check=True).stdout.strip()


# Without git (a tree from a tarball): what is not copied. Build directories, debhelper's
# leftovers (debian/.gitignore's), web/node_modules (linked instead).
NOT_COPIED_AT_TOP = re.compile(r"^(build|build-.*|obj-.*|\.git|dist|\.mesonpy-.*)$")
NOT_COPIED_IN_DEBIAN = re.compile(
    r"^(build|\.debhelper|tmp|files|.*\.substvars|.*\.debhelper(\.log)?|debhelper-build-stamp|"
    + "|".join(re.escape(p) for p in PACKAGES) + ")$")


def copy_tree(dst):
    """The files of this checkout that git tracks or would track (its .gitignore, debian's
    included: no build directory, no debhelper leftovers), and web/node_modules linked."""
    r = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
                        "--exclude-standard"], capture_output=True, timeout=60) \
        if (REPO / ".git").exists() and shutil.which("git") else None
    if r is not None and r.returncode == 0:
        for rel in sorted(set(r.stdout.decode().split("\0")) - {""}):
            src = REPO / rel
            if not src.is_file() and not src.is_symlink():
                continue  # deleted in the working tree
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / rel, follow_symlinks=False)
    else:
        def ignore(folder, names):
            where = Path(folder).resolve()
            return {n for n in names if n in ("__pycache__", "node_modules")
                    or (where == REPO and NOT_COPIED_AT_TOP.match(n))
                    or (where == REPO / "debian" and NOT_COPIED_IN_DEBIAN.match(n))}
        shutil.copytree(REPO, dst, ignore=ignore, symlinks=True, dirs_exist_ok=True)
    modules = REPO / "web" / "node_modules"
    assert modules.is_dir(), "web/node_modules is missing: npm ci --prefix web (bootstrap.sh)"
    (dst / "web" / "node_modules").symlink_to(modules)


@pytest.fixture(scope="module")
def debs(tmp_path_factory):
    """Builds the packages; returns {"dir", "src", "debs": {package: path}, "log"}."""
    if sanitizers():
        pytest.skip("the packages are built from the source with Debian's options, not from "
                    "AIMETER_BUILD: the normal pass of run-tests.sh builds and tests them")
    missing = [f"{tool} ({pkg})" for tool, pkg in TOOLS.items() if not shutil.which(tool)]
    assert not missing, f"not installed: {', '.join(missing)} (bootstrap.sh installs them)"
    top = tmp_path_factory.mktemp("deb")
    src = top / f"aimeter-{project_version()}"
    src.mkdir()
    copy_tree(src)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIMETER_", "DEB_"))}
    env.update(LC_ALL="C.UTF-8", DEB_BUILD_OPTIONS=f"parallel={os.cpu_count() or 2}")
    r = subprocess.run(["dpkg-buildpackage", "-us", "-uc"], cwd=src, env=env,
                       capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                       stdin=subprocess.DEVNULL)
    log = r.stdout + r.stderr
    assert r.returncode == 0, f"dpkg-buildpackage failed:\n{log[-8000:]}"
    found = {}
    for deb in top.glob("*.deb"):
        found[deb.name.split("_")[0]] = deb
    return {"dir": top, "src": src, "debs": found, "log": log,
            "dsc": next(top.glob("*.dsc"), None)}


@pytest.fixture(scope="module")
def root(debs, tmp_path_factory):
    """The four packages unpacked into one directory, as they would be installed."""
    r = tmp_path_factory.mktemp("root")
    for p in PACKAGES:
        subprocess.run(["dpkg-deb", "-x", str(debs["debs"][p]), str(r)], check=True, timeout=60)
    return r


def root_env(root, tmp_path):
    """Runs what root holds: its library, its module, its command first on PATH."""
    env = dict(os.environ)
    for k in [k for k in env if k.startswith("AIMETER_") and k != "AIMETER_AGENT_SOCKET"]:
        del env[k]
    env.pop("PYTHONPATH", None)
    env.update(LD_LIBRARY_PATH=str(root / "usr" / "lib" / multiarch()),
               PYTHONPATH=str(root / "usr" / "lib" / "python3" / "dist-packages"),
               PATH=f"{root / 'usr' / 'bin'}:{env['PATH']}",
               AIMETER_DB=str(tmp_path / "store" / "aimeter.db"))
    return env


def test_every_package_is_built(debs):
    assert sorted(p for p in debs["debs"] if not p.endswith("-dbgsym")) == sorted(PACKAGES)
    assert debs["dsc"] is not None, "no source package"
    version = project_version()
    for p in PACKAGES:
        assert f"_{version}_" in debs["debs"][p].name, \
            "debian/changelog's version is not meson.build's"


def test_build_has_no_compiler_warning(debs):
    """debian/rules builds with -Dwerror=false (a newer compiler's new warning must not stop a
    user's build); with Debian's flags (hardening, -O2) the code has none."""
    warnings = [ln for ln in debs["log"].splitlines() if re.search(r"\bwarning: ", ln)
                and not ln.startswith(("dpkg-", "dh_"))]
    assert not warnings, "\n".join(warnings[:20])


def test_lintian_finds_no_error_nor_warning(debs):
    changes = next(debs["dir"].glob("*.changes"))
    r = subprocess.run(["lintian", "--fail-on", "error,warning", "--pedantic", str(changes)],
                       capture_output=True, text=True, timeout=300)
    tags = [ln for ln in r.stdout.splitlines() if re.match(r"^[EW]: ", ln)]
    assert r.returncode == 0 and not tags, f"lintian:\n{r.stdout}\n{r.stderr}"


def test_source_package_holds_no_build_output(debs):
    """The source package is the tree: no build directory, no web/node_modules (minified
    bundles and the esbuild program, without their source: debian/source/options)."""
    tarball = next(debs["dir"].glob("*.tar.xz"))
    r = subprocess.run(["tar", "-tJf", str(tarball)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    names = r.stdout.split()
    assert any(n.endswith("/debian/rules") for n in names)
    assert not [n for n in names if re.search(r"/(node_modules|build|build-[^/]*|\.git)/", n)]


def contents(deb):
    r = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True)
    return {ln.split()[5].lstrip(".") for ln in r.stdout.splitlines()}


def test_each_package_holds_its_part(debs):
    arch = multiarch()
    lib, dev, cli, py = (contents(debs["debs"][p]) for p in PACKAGES)
    assert f"/usr/lib/{arch}/libaimeter.so.0" in lib
    assert "/usr/share/aimeter/zones_odbl.csv" in lib  # the share-alike tables travel with it
    assert {"/usr/include/aimeter.h", f"/usr/lib/{arch}/libaimeter.so",
            f"/usr/lib/{arch}/pkgconfig/aimeter.pc"} <= dev
    assert {"/usr/bin/aimeter", "/usr/share/man/man1/aimeter.1.gz",
            "/usr/share/man/man1/aimeter-run.1.gz",
            "/usr/share/bash-completion/completions/aimeter",
            "/usr/share/zsh/vendor-completions/_aimeter",
            "/usr/share/doc/aimeter/docs/cli.md.gz"} <= cli
    assert "/usr/lib/python3/dist-packages/aimeter/__init__.py" in py
    assert not [f for f in py if "__pycache__" in f or f.endswith(".pyc")]  # the postinst's job
    # no file is in two packages
    files = [{f for f in c if not f.endswith("/")} for c in (lib, dev, cli, py)]
    for i, a in enumerate(files):
        for b in files[i + 1:]:
            assert not a & b, f"in two packages: {sorted(a & b)}"


def test_dependencies_are_satisfiable_here(debs):
    if os.geteuid() != 0:
        pytest.skip("dpkg --dry-run needs dpkg's lock (root)")
    r = subprocess.run(["dpkg", "--dry-run", "-i", *[str(debs["debs"][p]) for p in PACKAGES]],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"dpkg --dry-run -i:\n{r.stdout}\n{r.stderr}"


def test_command_and_library_run_from_the_packages(root, tmp_path):
    env = root_env(root, tmp_path)
    aimeter = str(root / "usr" / "bin" / "aimeter")
    r = subprocess.run([aimeter, "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == f"aimeter {project_version()}", r.stderr
    # the library of the package, not one of a build tree (the command has no RUNPATH)
    r = subprocess.run(["ldd", aimeter], capture_output=True, text=True, env=env, timeout=60)
    assert f"{root}/usr/lib/{multiarch()}/libaimeter.so.0" in r.stdout, r.stdout
    r = subprocess.run([aimeter, "run", "-q", "-i", "20ms", "-n", "deb-check", "--",
                        "sleep", "0.2"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([aimeter, "report", "--format", "json"], capture_output=True, text=True,
                       env=env, timeout=60)
    assert r.returncode == 0 and '"deb-check"' in r.stdout, r.stderr


def test_python_module_runs_from_the_package(root, tmp_path):
    env = root_env(root, tmp_path)
    code = ("import importlib.metadata as m, aimeter, aimeter._lib as l; "
            "print(aimeter.__file__); print(l.lib()._name); print(m.version('aimeter'))")
    r = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True,
                       env=env, cwd=tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr
    module, library, version = r.stdout.split()
    assert module.startswith(str(root)), module
    assert version == project_version()
    # ld.so found the package's library (its _install.py names /usr/lib/<triplet>, the
    # place it has once installed)
    assert library in (f"/usr/lib/{multiarch()}/libaimeter.so.0", "libaimeter.so.0"), library


def test_dev_package_links_a_program(root, tmp_path):
    """A C program built with pkg-config against the -dev package's files."""
    pc_env = dict(os.environ, PKG_CONFIG_SYSROOT_DIR=str(root),
                  PKG_CONFIG_PATH=str(root / "usr" / "lib" / multiarch() / "pkgconfig"))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "aimeter"], capture_output=True,
                           text=True, env=pc_env, timeout=60)
    assert flags.returncode == 0, flags.stderr
    src = tmp_path / "v.c"
    src.write_text('#include <aimeter.h>\n#include <stdio.h>\n'
                   'int main(void) { puts(aim_version()); return 0; }\n')
    cc = subprocess.run(["cc", "-Wall", "-Werror", "-o", str(tmp_path / "v"), str(src),
                         *flags.stdout.split()], capture_output=True, text=True, timeout=120)
    assert cc.returncode == 0, cc.stderr
    r = subprocess.run([str(tmp_path / "v")], capture_output=True, text=True,
                       env=root_env(root, tmp_path), timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == project_version(), r.stderr


def test_man_page_of_the_package_renders(root, tmp_path):
    page = root / "usr" / "share" / "man" / "man1" / "aimeter-report.1.gz"
    r = subprocess.run(["man", "--warnings", "-l", str(page)], capture_output=True, text=True,
                       env=dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat"), timeout=60)
    assert r.returncode == 0 and not r.stderr.strip(), r.stderr
    text = re.sub(r".\x08", "", r.stdout)  # overstrike bold
    assert "aimeter-report - " in text and "--format" in text
    # the date of the page is the changelog's (SOURCE_DATE_EPOCH), for reproducible builds
    head = gzip.decompress(page.read_bytes()).decode()
    assert re.search(r'^\.TH AIMETER\\-REPORT 1 "\d{4}-\d{2}-\d{2}"', head, re.M), head[:300]


def complete(script, line, setup=""):
    return bash_complete(script, line, True, setup)


def test_bash_completion_of_the_package(root):
    assert BASH_COMPLETION.is_file(), "bash-completion is not installed (bootstrap.sh does it)"
    script = root / "usr" / "share" / "bash-completion" / "completions" / "aimeter"
    setup = f"PATH={root / 'usr' / 'bin'}:$PATH"
    assert complete(script, "aimeter rep", setup) == ["report"]
    assert complete(script, "aimeter report --for", setup) == ["--format"]
    assert "json" in complete(script, "aimeter report --format ", setup)


@pytest.mark.skipif(os.environ.get("AIMETER_TEST_DEB_INSTALL") != "1",
                    reason="installs into this machine: AIMETER_TEST_DEB_INSTALL=1 (CI containers)")
def test_installed_for_real(debs, tmp_path):
    assert os.geteuid() == 0, "installing packages needs root"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    debs_ = [str(debs["debs"][p]) for p in PACKAGES]
    r = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *debs_],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    try:
        clean = {k: v for k, v in os.environ.items()
                 if not k.startswith("AIMETER_") and k != "PYTHONPATH"}
        clean.update(AIMETER_DB=str(tmp_path / "s.db"), MANPAGER="cat", MANWIDTH="80")
        for cmd in (["/usr/bin/aimeter", "--version"],
                    ["/usr/bin/python3", "-c", "import aimeter, aimeter._lib as l; l.lib()"],
                    ["man", "aimeter"],
                    # bash-completion finds it on demand, as an interactive shell does
                    ["bash", "-c", f"source {BASH_COMPLETION}; _completion_loader aimeter; "
                                   "complete -p aimeter"]):
            r = subprocess.run(cmd, capture_output=True, text=True, env=clean, timeout=60,
                               cwd=tmp_path, stdin=subprocess.DEVNULL)
            assert r.returncode == 0, f"{cmd}: {r.stdout}{r.stderr}"
    finally:
        subprocess.run(["dpkg", "--purge", *PACKAGES], capture_output=True, timeout=300)
