#!/usr/bin/python3
"""Draws the example charts of README.md and docs/cli.md (docs/images/*.png) from a bundled
example run: bench/synth_run's synthetic training run (deterministic, written into a fresh
store through the store layer: no measurement, no load), drawn by this build's
`aimeter plot`. tests/e2e/test_plot_golden.py runs this into a temporary directory and checks
that the committed images are what it makes (within plot_images.py's tolerance), so they
stay true; after a change of what the charts look like, run it again and commit the images:

    /usr/bin/python3 tools/make_examples.py [--build build] [--out docs/images]

One chart per kind of `aimeter plot` (and --layout categories); a new one is one line of
EXAMPLES.
"""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SECONDS, HZ = 300, 10          # the example run: five minutes at 10 Hz, 3000 samples

# (file under --out, the run's arguments to `aimeter plot` besides the run, --db and -o): one
# chart per kind, at modest sizes (docs/images stays small)
EXAMPLES = [
    # the WattsOnAI paper's Figure 2: power and SM clock over time, the phases shaded
    ("plot-power-clock.png", ["-m", "gpu0.power,gpu0.gpu.clock_sm", "--size", "1000x450",
                              "--title", "GPU power and SM clock of a training run"]),
    # one phase's window, two other units
    ("plot-epoch-util-temp.png", ["-m", "gpu0.gpu.util,gpu0.temperature", "--phase", "epoch 2",
                                  "--size", "1000x450", "--title", "epoch 2: utilisation and temperature"]),
    # Figure 6: stacked panels by category
    ("plot-categories.png", ["--layout", "categories", "--size", "1000x600",
                             "--title", "the run's metrics by category"]),
    # Figure 3: per-phase activity with the bottleneck hints
    ("plot-phases.png", ["--kind", "phases", "--size", "900x420",
                         "--title", "GPU utilisation per phase"]),
    # Figure 4: two metrics against each other
    ("plot-scatter.png", ["--kind", "scatter", "-m", "gpu0.power,gpu0.gpu.clock_sm", "--size",
                          "700x500", "--title", "SM clock against power"]),
    ("plot-corr.png", ["--kind", "corr", "--size", "700x600",
                       "--title", "correlations between the run's series"]),
    ("plot-cumulative.png", ["--kind", "cumulative", "--size", "900x420",
                             "--title", "energy and carbon since the start"]),
    # Figure 5: the same run priced in other grid zones
    ("plot-zones.png", ["--kind", "zones", "--zones", "CA-SK,CA-MB,FR,PL", "--size", "900x420",
                        "--title", "the run's carbon in other grid zones"]),
]


def make(build, out):
    build, out = Path(build).resolve(), Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC")
    with tempfile.TemporaryDirectory(prefix="aimeter-examples-") as tmp:
        db = Path(tmp) / "example.db"
        run = subprocess.run([str(build / "bench" / "synth_run"), str(db), str(SECONDS), str(HZ),
                              "example training"], capture_output=True, text=True, check=True,
                             env=env).stdout.strip()
        for name, args in EXAMPLES:
            subprocess.run([str(build / "src" / "cli" / "aimeter"), "plot", run, "--db", str(db),
                            *args, "-o", str(out / name)], check=True, env=env)
    return [out / name for name, _ in EXAMPLES]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.environ.get("AIMETER_BUILD") or REPO / "build")
    ap.add_argument("--out", default=REPO / "docs" / "images")
    a = ap.parse_args()
    for path in make(a.build, a.out):
        print(path)


if __name__ == "__main__":
    sys.exit(main())
