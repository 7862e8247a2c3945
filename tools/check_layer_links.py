#!/usr/bin/env python3
"""The layer rule of docs/architecture.md at link level: every function or variable a layer's
static library uses must be defined in that layer or in one it may use. The include rule
(check_layers.py) cannot see a call through the public header, aimeter.h, which every layer
includes: a renderer calling a public function that api/ defines would pass it. Usage:
check_layer_links.py BUILD_LIB_DIR (the folder holding libaim_LAYER.a). Prints one line per
use of a layer above, naming the object file and the symbol, and exits 1; else a summary.
It also holds the naming rule of the public API: a function named aim_NAME is declared in
include/aimeter.h; an internal one is aim__NAME (docs/api.md)."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_layers import MAY_USE  # noqa: E402  (the one table)


def symbols(lib):
    """(defined, uses, functions) of a static library: {symbol}, [(object, symbol)],
    {symbol: whether it is a function}. nm -A writes
    "LIB:OBJECT:VALUE TYPE NAME", or "LIB:OBJECT:  U NAME" for a use."""
    out = subprocess.run(["nm", "-A", lib], capture_output=True, text=True, check=True).stdout
    defined, uses, functions = set(), [], {}
    for line in out.splitlines():
        fields = line.split(":")
        if len(fields) < 3:
            continue
        obj, parts = os.path.basename(fields[-2]), fields[-1].split()
        if len(parts) == 2 and parts[0] == "U":
            uses.append((obj, parts[1]))
        elif len(parts) == 3 and parts[1] in ("T", "D", "B", "R"):
            defined.add(parts[2])
            functions[parts[2]] = parts[1] == "T"
    return defined, uses, functions


def main():
    libdir = sys.argv[1]
    layers = [l for l in MAY_USE if os.path.exists(os.path.join(libdir, f"libaim_{l}.a"))]
    defs, uses, functions = {}, {}, {}
    for l in layers:
        defs[l], uses[l], functions[l] = symbols(os.path.join(libdir, f"libaim_{l}.a"))
    owner = {}
    for l in layers:
        for s in defs[l]:
            owner.setdefault(s, l)
    problems = []
    for l in layers:
        for obj, sym in uses[l]:
            o = owner.get(sym)
            if o and o != l and o not in MAY_USE[l]:
                problems.append(f"libaim_{l}.a {obj}: uses {sym}, defined in {o} ({l} may not use {o})")
    header = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "include", "aimeter.h")
    public = set(re.findall(r"\b(aim_[a-z0-9_]+)\s*\(", open(header).read()))
    for l in layers:
        for sym in sorted(defs[l]):
            if sym.startswith("aim_") and not sym.startswith("aim__") and sym not in public \
                    and functions[l].get(sym):
                problems.append(f"libaim_{l}.a: {sym} is not in aimeter.h but named like a "
                                f"public function; call it aim__{sym[4:]}")
    for p in sorted(set(problems)):
        print(p)
    if problems:
        return 1
    print(f"{len(layers)} layer libraries: every symbol used is defined in the layer or below; "
          f"aim_ functions are the public ones")
    return 0


if __name__ == "__main__":
    sys.exit(main())
