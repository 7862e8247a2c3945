"""Whole-command costs of `aimeter run`, measured from outside with wait4() rusage
(through the small C launcher bench/measure):
aimeter's own CPU % while the command sleeps at 10 Hz / 100 Hz / 1 kHz, the fixed cost of
`aimeter run -- true`, peak RSS, and the slowdown of a fixed CPU workload at 10 Hz and
100 Hz against running it bare. Prints Markdown tables; never fails on a timing.

usage: /usr/bin/python3 bench/overhead.py BUILD_DIR [--quick]
"""
import os
import subprocess
import statistics
import sys
import tempfile

build = sys.argv[1] if len(sys.argv) > 1 else "build"
quick = "--quick" in sys.argv
aimeter = os.path.join(build, "src/cli/aimeter")
workload = os.path.join(build, "examples/mlp-train")
tmp = tempfile.mkdtemp(prefix="aimeter-bench-")
db = os.path.join(tmp, "bench.db")


measure = os.path.join(build, "bench/measure")


def run(argv):
    """Runs argv under bench/measure; returns (wall s, user+sys CPU s of it and its children,
    peak RSS KiB). measure.c says why a C launcher is needed for the RSS figure."""
    out = subprocess.run([measure, *argv], capture_output=True, text=True, check=True).stdout
    wall, cpu, rss, code = out.split()
    if int(code) != 0:
        raise SystemExit(f"{argv} exited with {code}")
    return float(wall), float(cpu), int(rss)


def aimeter_run(interval, *cmd):
    return run([aimeter, "run", "-q", "--db", db, "-i", interval, "--", *cmd])


secs = 5 if quick else 20
print(f"| rate | aimeter CPU over {secs} s of `sleep` | % of one core | peak RSS |")
print("|---|---|---|---|")
for interval, label in (("100ms", "10 Hz"), ("10ms", "100 Hz"), ("1ms", "1 kHz")):
    wall, cpu, rss = aimeter_run(interval, "sleep", str(secs))
    print(f"| {label} | {cpu * 1e3:.1f} ms | {cpu / wall * 100:.3f} % | {rss / 1024:.1f} MiB |")

print()
reps = 5 if quick else 20
costs = [aimeter_run("100ms", "true") for _ in range(reps)]
bare = [run(["true"]) for _ in range(reps)]
print("| fixed cost of `aimeter run -- true` (median of %d) | value |" % reps)
print("|---|---|")
print(f"| CPU time, aimeter + true | {statistics.median(c[1] for c in costs) * 1e3:.1f} ms |")
print(f"| wall time | {statistics.median(c[0] for c in costs) * 1e3:.1f} ms |")
print(f"| CPU time of bare `true` | {statistics.median(b[1] for b in bare) * 1e3:.2f} ms |")
print(f"| peak RSS | {max(c[2] for c in costs) / 1024:.1f} MiB |")

print()
epochs = "40" if quick else "120"
rounds = 3 if quick else 7
times = {"bare": [], "10 Hz": [], "100 Hz": []}
for _ in range(rounds):  # interleaved so drift in machine load hits every variant alike
    times["bare"].append(run([workload, epochs])[0])
    times["10 Hz"].append(aimeter_run("100ms", workload, epochs)[0])
    times["100 Hz"].append(aimeter_run("10ms", workload, epochs)[0])
base = statistics.median(times["bare"])
spread = (max(times["bare"]) - min(times["bare"])) / base * 100
print(f"| workload: mlp-train {epochs} epochs, median of {rounds} | wall | slowdown vs bare |")
print("|---|---|---|")
for k, v in times.items():
    m = statistics.median(v)
    print(f"| {k} | {m:.3f} s | {(m / base - 1) * 100:+.2f} % |")
print(f"\nrun-to-run spread of the bare workload (max-min)/median: {spread:.2f} %")
for f in os.listdir(tmp):
    os.unlink(os.path.join(tmp, f))
os.rmdir(tmp)
