"""Charts and the HTML report of a long run (issue 13's targets): a synthetic one-hour 100 Hz
run on two GPUs (bench/synth_run: power, SM clock, utilisation, temperature each: 8 series,
360 000 ticks) written into a fresh store, then, through bench/measure (wall, CPU, peak RSS):

- `aimeter plot` of 4 metrics (two powers, two SM clocks) to PNG (target < 1 s), SVG and PDF,
  and `--kind cumulative` (the run's energy and carbon curve) to PNG;
- `aimeter report --format html` of that run (target < 5 MB), when this build has it (else
  one line says it was skipped);
- the time until that report is interactive in headless Chromium (target < 2 s), when
  `chromium` and web/node_modules/playwright-core are installed: bench/report_interactive.mjs.

Prints Markdown tables; never fails on a timing. usage: /usr/bin/python3 bench/plot.py BUILD_DIR [--quick]
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
quick = "--quick" in sys.argv
reps = 3 if quick else 7
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
aimeter = os.path.join(build, "src/cli/aimeter")
measure = os.path.join(build, "bench/measure")
tmp = tempfile.mkdtemp(prefix="aimeter-bench-plot-")
db = os.path.join(tmp, "plot.db")
METRICS = "gpu0.power,gpu1.power,gpu0.gpu.clock_sm,gpu1.gpu.clock_sm"


def run(argv):
    """(wall s, CPU s, peak RSS KiB, exit status) of argv under bench/measure."""
    out = subprocess.run([measure, *argv], capture_output=True, text=True, check=True).stdout
    wall, cpu, rss, code = out.split()
    return float(wall), float(cpu), int(rss), int(code)


def ms(values):
    """'median ms (min-max)' of times in s."""
    return (f"{statistics.median(values) * 1e3:.0f} ms "
            f"({min(values) * 1e3:.0f}-{max(values) * 1e3:.0f})")


def timed(argv):
    """The wall and CPU times of reps runs of argv (median, range) and the highest peak RSS."""
    runs = [run(argv) for _ in range(reps)]
    if any(r[3] for r in runs):
        raise SystemExit(f"{' '.join(argv)} exited with {runs[0][3]}")
    return ms([r[0] for r in runs]), ms([r[1] for r in runs]), max(r[2] for r in runs)


t0 = time.perf_counter()
run_id = subprocess.run([os.path.join(build, "bench/synth_run"), db, "3600", "100", "bench", "2"],
                        capture_output=True, text=True, check=True).stdout.strip()
made = time.perf_counter() - t0

print(f"| one-hour 100 Hz run, 2 GPUs x 4 metrics (median of {reps}, range) | wall | CPU | "
      "peak RSS | file |")
print("|---|---|---|---|---|")
print(f"| writing it (bench/synth_run: 2 880 000 values) | {made * 1e3:.0f} ms | | | "
      f"{os.path.getsize(db) / 1e6:.1f} MB store |")
for ext in ("png", "svg", "pdf"):
    out = os.path.join(tmp, f"chart.{ext}")
    wall, cpu, rss = timed([aimeter, "plot", run_id, "--db", db, "-m", METRICS, "-o", out])
    print(f"| `aimeter plot` of 4 metrics to {ext.upper()} (1200x600) | {wall} | {cpu} | "
          f"{rss / 1024:.1f} MiB | {os.path.getsize(out) / 1e3:.0f} kB |")
out = os.path.join(tmp, "cumulative.png")
wall, cpu, rss = timed([aimeter, "plot", run_id, "--db", db, "--kind", "cumulative", "-o", out])
print(f"| `aimeter plot --kind cumulative` to PNG (1200x600) | {wall} | {cpu} | "
      f"{rss / 1024:.1f} MiB | {os.path.getsize(out) / 1e3:.0f} kB |")

html = os.path.join(tmp, "report.html")
probe = subprocess.run([aimeter, "report", run_id, "--db", db, "--format", "html", "-o", html],
                       capture_output=True, text=True)
if probe.returncode != 0:
    print()
    print(f"HTML report: skipped, this build has no `report --format html` "
          f"({probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else probe.returncode})")
else:
    wall, cpu, rss = timed([aimeter, "report", run_id, "--db", db, "--format", "html", "-o", html])
    print(f"| `aimeter report --format html` | {wall} | {cpu} | "
          f"{rss / 1024:.1f} MiB | {os.path.getsize(html) / 1e6:.2f} MB |")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    playwright = os.path.join(repo, "web", "node_modules", "playwright-core")
    node = shutil.which("node")
    print()
    if not (chromium and node and os.path.isdir(playwright)):
        print("Interactive in Chromium: skipped (needs chromium, node and "
              "web/node_modules/playwright-core)")
    else:
        times = []
        for _ in range(reps):
            r = subprocess.run([node, os.path.join(repo, "bench", "report_interactive.mjs"),
                                chromium, html], capture_output=True, text=True, timeout=120,
                               cwd=os.path.join(repo, "web"))
            if r.returncode != 0:
                raise SystemExit(f"report_interactive.mjs: {r.stderr.strip()}")
            times.append(float(r.stdout.split()[0]) / 1e3)
        version = subprocess.run([chromium, "--version"], capture_output=True,
                                 text=True).stdout.strip()
        print(f"| HTML report in headless Chromium (median of {reps}, range) | value |")
        print("|---|---|")
        print(f"| from navigation to interactive (window.aimeterReport.ready, then a frame; "
              f"{version}) | {ms(times)} |")

shutil.rmtree(tmp, ignore_errors=True)
