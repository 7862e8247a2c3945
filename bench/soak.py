"""Soak: a long-running aimeter's resident memory and store size, recorded every N sampler
ticks (issue 14: a day of 10 Hz ticks, 864,000, run at 1 kHz in about 15 minutes). The command
to soak is a parameter, so the same bench measures `aimeter run --interval 1ms -- sleep ...`
today and `aimeter agent` later: it must serve /metrics (its aimeter_sampler_ticks_total says
how far it is) and write a store. In the command, {port} is replaced by a free loopback port
and {db} by a store path in a temporary directory (or give --metrics URL and --db PATH).
Prints a Markdown table (and --csv FILE); never fails on a timing or a size.

usage: /usr/bin/python3 bench/soak.py [--ticks 864000] [--every 43200] [--seconds S]
                                      [--metrics URL] [--db PATH] [--csv FILE] -- COMMAND...
Stops the command with SIGINT once it has ticked --ticks times (or after --seconds), unless it
ends first. The sizes are the store file plus its -wal.
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def store_bytes(db):
    return sum(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p))


def self_metrics(url):
    """{name: value} of the exposition's unlabelled-by-device self-metrics; None when the
    server is not answering (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            text = r.read().decode()
    except (OSError, urllib.error.URLError):
        return None
    out = {}
    for line in text.splitlines():
        if line.startswith("aimeter_sampler_"):
            name, value = line.split("{", 1)[0], line.rsplit(" ", 1)[1]
            out[name] = float(value)
    return out


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--ticks", type=int, default=864000)
    ap.add_argument("--every", type=int, default=0, help="ticks between rows (default ticks/20)")
    ap.add_argument("--seconds", type=float, default=0, help="stop after this long instead")
    ap.add_argument("--metrics", help="the command's /metrics URL (default: from {port})")
    ap.add_argument("--db", help="the command's store (default: {db})")
    ap.add_argument("--csv")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd:
        ap.error("give the command to soak after --")
    tmp = tempfile.mkdtemp(prefix="aimeter-soak-")
    port, db = free_port(), a.db or os.path.join(tmp, "soak.db")
    cmd = [c.replace("{port}", str(port)).replace("{db}", db) for c in cmd]
    url = a.metrics or f"http://127.0.0.1:{port}/metrics"
    every = a.every or max(1, a.ticks // 20)
    print(f"soak: {' '.join(cmd)}\nuntil {a.ticks} ticks" +
          (f" or {a.seconds:g} s" if a.seconds else "") + f", a row every {every} ticks\n")
    print("| ticks | elapsed | RSS | store | missed deadlines |")
    print("|---|---|---|---|---|")
    rows = []
    # The command's own output (a run's report) is not the bench's: dropped; stderr stays.
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    t0 = time.monotonic()
    next_row, ticks, missed = 0, 0, 0

    def row(ticks, missed):
        r = (int(ticks), time.monotonic() - t0, rss_kib(proc.pid), store_bytes(db), int(missed))
        rows.append(r)
        print(f"| {r[0]} | {r[1]:.0f} s | {r[2] / 1024:.1f} MiB | {r[3] / 1048576:.2f} MiB | "
              f"{r[4]} |", flush=True)

    try:
        while proc.poll() is None:
            m = self_metrics(url)
            if m and "aimeter_sampler_ticks_total" in m:
                ticks = m["aimeter_sampler_ticks_total"]
                missed = m.get("aimeter_sampler_missed_deadlines_total", 0)
                if ticks >= next_row:
                    row(ticks, missed)
                    next_row = (ticks // every + 1) * every
                if ticks >= a.ticks or (a.seconds and time.monotonic() - t0 >= a.seconds):
                    proc.send_signal(signal.SIGINT)
                    break
            time.sleep(0.2)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    size = store_bytes(db)
    print(f"\nafter exit ({proc.returncode}): store {size / 1048576:.2f} MiB"
          + (f", {size / ticks:.1f} bytes per tick" if ticks else ""))
    if len(rows) >= 3:  # the first row is the start-up; growth is judged after it
        a1, z = rows[1], rows[-1]
        print(f"RSS from {a1[0]} to {z[0]} ticks: {a1[2] / 1024:.1f} -> {z[2] / 1024:.1f} MiB "
              f"(max {max(r[2] for r in rows) / 1024:.1f} MiB)")
    if a.csv:
        with open(a.csv, "w") as f:
            f.write("ticks,elapsed_s,rss_kib,store_bytes,missed\n")
            for r in rows:
                f.write(f"{r[0]},{r[1]:.3f},{r[2]},{r[3]},{r[4]}\n")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
