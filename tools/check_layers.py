#!/usr/bin/env python3
"""The one-way layer rule of docs/architecture.md, read from the sources.

Every quoted #include of a file under src/ must name its own layer or a layer the table below
lets it use; only store/sqlite/ may name SQLite and only store/postgres/ libpq; each src/views/LAYER (the include directory
the build gives a layer's library) must link exactly the layers the table allows; a store
back-end's headers (store/sqlite/, store/postgres/, store/sql/) are seen by the store alone. Prints one
line per broken rule, naming the file, and exits 1; prints a one-line summary and exits 0
when all hold. Usage: check_layers.py [ROOT] (default: the checkout this file is in)."""
import os
import re
import sys

# The table of docs/architecture.md: layer -> the layers it may include besides itself.
MAY_USE = {
    "util": set(),
    "model": {"util"},
    "data": {"model", "util"},
    "sources": {"data", "model", "util"},
    "processing": {"data", "model", "util"},
    "providers": {"data", "model", "util"},
    "store": {"processing", "model", "util"},
    "report": {"processing", "model", "util"},
    "engine": {"sources", "processing", "providers", "store", "model", "data", "util"},
    "serve": {"engine", "store", "report", "processing", "model", "util"},
    "api": {"util", "model", "data", "sources", "processing", "providers", "store", "engine",
            "report", "serve"},
    "cli": {"util"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
SQLITE = re.compile(r"\bsqlite3\w*\b")
LIBPQ = re.compile(r"libpq-fe\.h|\bPQ[a-z]\w*\(|\bPGconn\b|\bPGresult\b")


def layer_dir(root, layer):
    return os.path.join(root, "src", layer) if layer in ("util", "cli") else \
        os.path.join(root, "src", "lib", layer)


def layer_of(rel):
    """The layer of a path relative to the root, or None outside the layers."""
    parts = rel.split("/")
    if parts[0] != "src" or len(parts) < 3:
        return None
    if parts[1] in ("util", "cli"):
        return parts[1]
    if parts[1] == "lib" and len(parts) > 3 and parts[2] in MAY_USE:
        return parts[2]
    return None


def source_files(root):
    for top in ("src",):
        for d, subdirs, names in os.walk(os.path.join(root, top)):
            subdirs[:] = [s for s in subdirs if s != "views"]
            for n in sorted(names):
                if n.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(d, n), root)


def target_layer(inc):
    """The layer an include names: "engine/session.h" -> engine; "aimeter.h" (public) and
    "aim_config.h" (generated) -> None."""
    first = inc.split("/")[0]
    return first if "/" in inc and first in MAY_USE else None


def check(root):
    problems = []
    for rel in source_files(root):
        layer = layer_of(rel)
        if layer is None:
            continue
        text = open(os.path.join(root, rel), errors="replace").read()
        for inc in INCLUDE.findall(text):
            if inc.startswith(("src/", "../")) or "/../" in inc:
                problems.append(f"{rel}: #include \"{inc}\" goes around the layers; "
                                f"name the layer (\"model/metrics.h\")")
                continue
            tgt = target_layer(inc)
            if "/" not in inc and inc not in ("aimeter.h", "aim_config.h"):
                problems.append(f"{rel}: #include \"{inc}\" has no layer; write \"{layer}/{inc}\"")
            elif layer == "cli" and tgt not in (None, "util", "cli"):
                problems.append(f"{rel}: #include \"{inc}\": cli may use aimeter.h and util only")
            elif inc.startswith(("store/sqlite/", "store/postgres/", "store/sql/")) and \
                    not rel.startswith("src/lib/store/"):
                problems.append(f"{rel}: #include \"{inc}\": only the store may see a back-end; "
                                f"use store/store.h")
            elif tgt and tgt != layer and tgt not in MAY_USE[layer]:
                problems.append(f"{rel}: #include \"{inc}\": {layer} may not use {tgt} "
                                f"(it may use {', '.join(sorted(MAY_USE[layer])) or 'nothing'})")
        if SQLITE.search(text) and not rel.startswith("src/lib/store/sqlite/"):
            problems.append(f"{rel}: names SQLite; only src/lib/store/sqlite/ may")
        if LIBPQ.search(text) and not rel.startswith("src/lib/store/postgres/"):
            problems.append(f"{rel}: names libpq; only src/lib/store/postgres/ may")
    views = os.path.join(root, "src", "views")
    for layer in MAY_USE:
        if not os.path.isdir(layer_dir(root, layer)):
            continue
        v = os.path.join(views, layer)
        seen = set(os.listdir(v)) if os.path.isdir(v) else set()
        want = {layer} | {u for u in MAY_USE[layer] if os.path.isdir(layer_dir(root, u))}
        if seen != want:
            problems.append(f"src/views/{layer}: links {', '.join(sorted(seen)) or 'nothing'}; "
                            f"the table says {', '.join(sorted(want))}")
        for name in seen & want:
            link = os.path.join(v, name)
            if os.path.realpath(link) != os.path.realpath(layer_dir(root, name)):
                problems.append(f"src/views/{layer}/{name}: does not point at {name}'s folder")
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        return 1
    n = sum(1 for _ in source_files(root))
    print(f"{n} files: every include goes down the layers; SQLite only in store/sqlite/, libpq only in store/postgres/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
