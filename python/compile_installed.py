"""meson install script: byte-compiles the installed package (argument: its directory).
Honours DESTDIR (staged installs) the way meson passes it."""
import compileall
import os
import sys

final = sys.argv[1]
target = final
destdir = os.environ.get("DESTDIR", "")
if destdir:
    target = os.path.join(destdir, os.path.relpath(final, os.sep))
if not os.environ.get("MESON_INSTALL_DRY_RUN"):
    # ddir: tracebacks name the installed path, not the staging directory
    ok = compileall.compile_dir(target, quiet=1, ddir=final)
    sys.exit(0 if ok else 1)
