"""Cost of `import aimeter` + `monitor.start()` in a fresh interpreter (issue 6 target: at most
5 ms and 10 MB). Prints a table; never fails on a timing.

    PYTHONPATH=python AIMETER_LIBRARY=build/src/lib/libaimeter.so.0 \
        /usr/bin/python3 bench/python_start.py [RUNS]

Each measurement is a new /usr/bin/python3 process: a warm import would hide the cost a user
pays once per job. Inside it: wall time (time.perf_counter) from before `import aimeter` to
the return of monitor.start(), and the growth of the resident set over the same span (VmRSS,
/proc/self/status); then monitor.stop(), which also reads the report back from the store.
A second series loads the library explicitly between the two to split the cost.

Bytecode is cached (in a temporary PYTHONPYCACHEPREFIX, after one warm-up run) as it is for
an installed package; PYTHONDONTWRITEBYTECODE would add the compilation of the package to
every run. The store is created by the warm-up and reused, as it is on a machine that has
measured before; the first run on a machine also creates it (the "new store" row).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, sys, time
def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
split = sys.argv[1] == "split"
if sys.argv[1] == "curl":  # libaimeter's libcurl dependency alone: its share of the load
    import ctypes
    r0 = rss_kib(); t0 = time.perf_counter()
    ctypes.CDLL("libcurl.so.4")
    print(json.dumps({"curl_ms": (time.perf_counter() - t0) * 1e3, "curl_mib": (rss_kib() - r0) / 1024}))
    sys.exit(0)
r0 = rss_kib(); t0 = time.perf_counter()
import aimeter
from aimeter import monitor
t1 = time.perf_counter()
if split:
    aimeter._lib.lib()
tl = time.perf_counter()
monitor.start(task_name="bench", sampling_interval=0.1, quiet=True)
t2 = time.perf_counter(); r2 = rss_kib()
time.sleep(0.2)
t3 = time.perf_counter()
monitor.stop()
t4 = time.perf_counter(); r4 = rss_kib()
print(json.dumps({"import_ms": (t1 - t0) * 1e3, "lib_ms": (tl - t1) * 1e3,
                  "start_ms": (t2 - tl) * 1e3, "total_ms": (t2 - t0) * 1e3,
                  "rss_mib": (r2 - r0) / 1024, "stop_ms": (t4 - t3) * 1e3,
                  "rss_after_stop_mib": (r4 - r0) / 1024}))
"""


def child(env, mode):
    out = subprocess.run([sys.executable, "-c", CHILD, mode], env=env, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(title, results, rows):
    print(title)
    print(f"  {'':30}{'median':>9}{'min':>9}{'max':>9}")
    for key, label in rows:
        v = [r[key] for r in results]
        print(f"  {label:30}{statistics.median(v):9.2f}{min(v):9.2f}{max(v):9.2f}")


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", os.path.join(os.path.dirname(here), "python"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as tmp:
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tmp, "pycache")
        fresh = []
        for i in range(max(3, runs // 4)):
            env["AIMETER_DB"] = os.path.join(tmp, f"fresh{i}.db")
            fresh.append(child(env, "plain"))
        env["AIMETER_DB"] = os.path.join(tmp, "bench.db")
        child(env, "plain")  # warm-up: bytecode cache and store
        plain = [child(env, "plain") for _ in range(runs)]
        split = [child(env, "split") for _ in range(runs)]
        curl = [child(env, "curl") for _ in range(runs)]
    print(f"{runs} fresh interpreters each ({sys.executable}, Python {sys.version.split()[0]})\n")
    table("import aimeter + monitor.start(), existing store", plain, (
        ("total_ms", "import + start (ms)"), ("rss_mib", "RSS growth (MiB)"),
        ("stop_ms", "monitor.stop() (ms)"), ("rss_after_stop_mib", "RSS growth after stop (MiB)")))
    table("the same, split", split, (
        ("import_ms", "import aimeter (ms)"), ("lib_ms", "load libaimeter (ms)"),
        ("start_ms", "monitor.start() (ms)")))
    table("of which libcurl and its dependencies (ctypes.CDLL(\"libcurl.so.4\") after import ctypes)", curl, (
        ("curl_ms", "load (ms)"), ("curl_mib", "RSS growth (MiB)")))
    table("import aimeter + monitor.start(), new store", fresh, (
        ("total_ms", "import + start (ms)"), ("rss_mib", "RSS growth (MiB)")))


if __name__ == "__main__":
    main()
