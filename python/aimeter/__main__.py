"""`python -m aimeter ARGS...`: the aimeter command line, as `aimeter ARGS...` (the same
program, its options and exit codes): for when the program that came with the package is
not on PATH (a venv that is not activated, `pip install --user` without ~/.local/bin).

This process is replaced by the C program (exec): signals, the terminal and the exit status
are the program's own. Which program (the first that exists):
  1. the one of the build whose library $AIMETER_LIBRARY names (BUILD/src/cli/aimeter);
  2. the one installed with this package by pip (the wheel's script: VENV/bin/aimeter);
  3. the one `meson install` put beside it (aimeter/_install.py: BINDIR);
  4. the source tree's build: <repo>/build/src/cli/aimeter (PYTHONPATH=python);
  5. `aimeter` on PATH.
"""
import os
import sys

EX_UNAVAILABLE = 69  # sysexits.h, as the program itself uses


def _from_library_choice() -> "list[str]":
    lib = os.environ.get("AIMETER_LIBRARY")
    if not lib:
        return []
    # BUILD/src/lib/libaimeter.so.0 -> BUILD/src/cli/aimeter
    return [os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(lib))), "cli", "aimeter")]


def _from_wheel(package_dir: str) -> "list[str]":
    """The script that pip installed with this very package: the RECORD of the
    aimeter-*.dist-info beside it (the wheel's list of the files it installed, paths relative
    to that directory) names it. Read directly: importlib.metadata costs `python -m aimeter`
    tens of milliseconds, and could answer for another aimeter elsewhere on sys.path."""
    site = os.path.dirname(package_dir)
    try:
        infos = [d for d in os.listdir(site) if d.startswith("aimeter-") and d.endswith(".dist-info")]
    except OSError:
        return []
    found = []
    for info in infos:
        try:
            with open(os.path.join(site, info, "RECORD"), encoding="utf-8") as f:
                paths = [line.rsplit(",", 2)[0].strip('"') for line in f if line.strip()]
        except OSError:
            continue
        if "aimeter/__init__.py" not in paths:
            continue
        for path in paths:
            parts = path.split("/")
            if parts[-2:] == ["bin", "aimeter"]:
                found.append(os.path.normpath(os.path.join(site, path)))
    return found


def _from_meson_install() -> "list[str]":
    try:
        from . import _install  # written by `meson install` (python/meson.build)
    except ImportError:
        return []
    bindir = getattr(_install, "BINDIR", None)
    return [os.path.join(bindir, "aimeter")] if bindir else []


def candidates() -> "list[str]":
    """The programs tried, in order (the module's docstring says why)."""
    here = os.path.dirname(os.path.abspath(__file__))
    paths = _from_library_choice() + _from_wheel(here) + _from_meson_install()
    paths.append(os.path.join(os.path.dirname(os.path.dirname(here)), "build", "src", "cli",
                              "aimeter"))
    import shutil
    found = shutil.which("aimeter")
    if found:
        paths.append(found)
    return paths


def program() -> "str | None":
    """The aimeter program `python -m aimeter` runs, or None."""
    for path in candidates():
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def main(argv: "list[str] | None" = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    path = program()
    if path is None:
        print("aimeter: the aimeter program is not installed with this package (tried: " +
              ", ".join(candidates()) + "); install the package with pip (docs/install.md) "
              "or build it (ninja -C build)", file=sys.stderr)
        return EX_UNAVAILABLE
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(path, [path] + args)
    except OSError as e:
        print(f"aimeter: cannot run {path}: {e.strerror}", file=sys.stderr)
        return EX_UNAVAILABLE
    return EX_UNAVAILABLE  # not reached: execv returns only by raising


if __name__ == "__main__":
    sys.exit(main())
