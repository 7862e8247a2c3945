"""The live status line: on a terminal only, a few refreshes a second, off with -q."""
import os
import re
import select
import subprocess
import time

from conftest import AIMETER


def run_on_pty(db, *extra, seconds="1.5"):
    """Runs `aimeter run ... -- sleep SECONDS` with stderr on a pseudo-terminal; returns
    (exit code, everything written to the terminal)."""
    master, slave = os.openpty()
    p = subprocess.Popen([str(AIMETER), "run", "--db", str(db), *extra, "--", "sleep", seconds],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the other side closed
                break
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            break
    os.close(master)
    return p.wait(timeout=30), out.decode("utf-8", "replace")


def test_status_line_on_a_terminal(db):
    code, out = run_on_pty(db)
    assert code == 0
    lines = re.findall(r"\r\x1b\[Kaimeter: ([0-9.]+) s  ([0-9.]+) W  ([0-9.]+ k?J)  (\d+) samples", out)
    # 1.5 s refreshed every 250 ms: about 6; more than one shows it refreshes, and "at most a
    # few times a second" bounds it from above (generous for a loaded machine).
    assert 2 <= len(lines) <= 12, out
    elapsed = [float(l[0]) for l in lines]
    assert elapsed == sorted(elapsed), "elapsed time only grows"
    assert int(lines[-1][3]) >= 5, "samples were being taken"
    # The line is cleared before the report, which follows on the same terminal.
    assert "Total energy" in out.split(lines[-1][3] + " samples")[-1]


def test_quiet_has_no_status_line(db):
    code, out = run_on_pty(db, "-q", seconds="0.6")
    assert code == 0
    assert "samples\x1b" not in out and not re.search(r"\raimeter: [0-9.]+ s", out)
    assert "Total energy" in out  # the report still prints
