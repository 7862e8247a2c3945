"""Signals sent to `aimeter run` (by kill, systemd, a scheduler) reach the command, and the
run is kept as 'interrupted' with its report."""
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import AIMETER, kill_tree, ls_json, popen_aimeter, report_json, wait_for_file


def start(db, tmp_path, script):
    """Starts aimeter on `sh -c script`; script gets $MARK, a file to create once it runs."""
    mark = tmp_path / "started"
    proc, out, err = popen_aimeter("run", "-q", "-i", "50ms", "--db", db, "--", "sh", "-c",
                                   script.replace("$MARK", str(mark)), out_dir=tmp_path)
    if not wait_for_file(mark):
        kill_tree(proc)
        pytest.fail(f"the command never started:\n{err.read_text()}")
    time.sleep(0.3)  # let a few samples be taken
    return proc, mark, err


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): look at its state.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def read_pid(mark):
    for _ in range(100):
        text = mark.read_text().strip()
        if text:
            return int(text)
        time.sleep(0.02)
    raise AssertionError("no pid in the marker file")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_is_forwarded_and_run_kept_interrupted(db, tmp_path, sig):
    # `exec sleep`: the pid in the marker is the command aimeter waits for.
    proc, mark, err = start(db, tmp_path, "echo $$ > $MARK.tmp; mv $MARK.tmp $MARK; exec sleep 30")
    try:
        child = read_pid(mark)
        t0 = time.monotonic()
        os.kill(proc.pid, sig)
        rc = proc.wait(timeout=20)
        assert time.monotonic() - t0 < 10, "the command did not get the signal"
    finally:
        kill_tree(proc)
    assert rc == 128 + sig, err.read_text()
    assert not pid_alive(child)
    stderr = err.read_text()
    assert "aimeter report" in stderr, "the report is printed after an interruption"
    assert "interrupted" in stderr
    rep = report_json(db)
    assert rep["run"]["status"] == "interrupted"
    assert rep["run"]["exit_code"] == 128 + sig
    assert rep["sampling"]["samples"] >= 2
    assert ls_json(db)[0]["status"] == "interrupted"


def test_second_sigint_kills_a_command_that_ignores_it(db, tmp_path):
    proc, mark, err = start(db, tmp_path,
                            "trap '' INT; echo $$ > $MARK.tmp; mv $MARK.tmp $MARK; sleep 30")
    try:
        os.kill(proc.pid, signal.SIGINT)
        time.sleep(0.7)
        assert proc.poll() is None, "the command ignores SIGINT: one is not enough to end it"
        t0 = time.monotonic()
        os.kill(proc.pid, signal.SIGINT)
        rc = proc.wait(timeout=20)
        assert time.monotonic() - t0 < 5
    finally:
        kill_tree(proc)  # the shell's orphaned `sleep 30`
    assert rc in (130, 137), err.read_text()
    rep = report_json(db)
    assert rep["run"]["status"] == "interrupted"
    assert "aimeter report" in err.read_text()


def test_single_sigint_to_a_normal_command(db, tmp_path):
    proc, mark, err = start(db, tmp_path, "touch $MARK; exec sleep 30")
    try:
        os.kill(proc.pid, signal.SIGINT)
        rc = proc.wait(timeout=20)
    finally:
        kill_tree(proc)
    assert rc == 130, err.read_text()
    assert report_json(db)["run"]["status"] == "interrupted"


def test_command_handling_sigterm_exits_cleanly(db, tmp_path):
    """A command that catches SIGTERM and exits 0 on it: aimeter exits 0 too, and the run
    still says it was interrupted."""
    proc, mark, err = start(db, tmp_path, "trap 'exit 0' TERM; touch $MARK; "
                                          "while :; do sleep 0.05; done")
    try:
        os.kill(proc.pid, signal.SIGTERM)
        rc = proc.wait(timeout=20)
    finally:
        kill_tree(proc)
    assert rc == 0, err.read_text()
    rep = report_json(db)
    assert rep["run"]["status"] == "interrupted"
    assert rep["run"]["exit_code"] == 0


@pytest.mark.slow
def test_signal_while_waiting_for_a_locked_store(db, tmp_path):
    """SIGTERM while aimeter waits for the store lock (before the command was released):
    the held command ends, and aimeter still records the run and exits 143 rather than
    dying on a broken pipe."""
    import sqlite3
    from conftest import make_run
    make_run(db, name="first")
    marker = tmp_path / "ran"
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    try:
        proc, out, err = popen_aimeter("run", "-q", "--db", db, "-n", "second", "--",
                                       "touch", marker, out_dir=tmp_path)
        time.sleep(1.0)
        assert proc.poll() is None, err.read_text()
        os.kill(proc.pid, signal.SIGTERM)
        time.sleep(0.3)
    finally:
        con.execute("ROLLBACK")
        con.close()
    try:
        rc = proc.wait(timeout=20)
    finally:
        kill_tree(proc)
    assert rc == 143, err.read_text()
    assert not marker.exists(), "the command was ended before it started"
    runs = ls_json(db)
    assert [r["name"] for r in runs] == ["second", "first"]
    assert runs[0]["status"] == "interrupted"


# ------------------------------------------------------------------ notices, pipes, file sizes

def wait_gone(proc, timeout=20):
    try:
        return proc.wait(timeout=timeout)
    finally:
        kill_tree(proc)


@pytest.mark.parametrize("sig", [signal.SIGUSR1, signal.SIGUSR2])
def test_user_signals_are_forwarded_and_the_run_ends_as_the_command_does(db, tmp_path, sig):
    """A scheduler's "time is nearly up" (SIGUSR1/2) used to kill aimeter, leave the run
    'running' and orphan the command. It reaches the command, which decides: here it saves
    and exits 0, so the run is completed (it was no request to end)."""
    name = signal.Signals(sig).name[3:]
    proc, mark, err = start(db, tmp_path, f"trap 'touch $MARK.got; exit 0' {name}; touch $MARK; "
                                          "while :; do sleep 0.05; done")
    os.kill(proc.pid, sig)
    rc = wait_gone(proc)
    assert rc == 0, err.read_text()
    assert Path(f"{mark}.got").exists(), "the command never got the signal"
    assert "aimeter report" in err.read_text()
    rep = report_json(db)
    assert rep["run"]["status"] == "completed"


@pytest.mark.parametrize("sig", [signal.SIGPIPE, signal.SIGXFSZ])
def test_sigpipe_and_sigxfsz_do_not_end_aimeter(db, tmp_path, sig):
    proc, mark, err = start(db, tmp_path, "touch $MARK; while [ ! -e $MARK.stop ]; do "
                                          "sleep 0.05; done")
    os.kill(proc.pid, sig)
    Path(f"{mark}.stop").touch()
    rc = wait_gone(proc)
    assert rc == 0, f"aimeter ended with {rc}: {err.read_text()}"
    assert report_json(db)["run"]["status"] == "completed"


def test_closed_stderr_is_no_reason_to_die(db, tmp_path):
    """`aimeter run ... 2>&1 | head -1`: the reader is gone when the report is written. The
    run is stored and aimeter exits with the command's status (it died of SIGPIPE, 141)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        r = subprocess.run([str(AIMETER), "run", "-q", "--db", db, "--", "sh", "-c", "exit 5"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=write_end,
                           timeout=60)
    finally:
        os.close(write_end)
    assert r.returncode == 5
    rep = report_json(db)
    assert rep["run"]["status"] == "failed" and rep["run"]["exit_code"] == 5


def test_file_too_large_is_a_write_error(db, tmp_path):
    """Under a file-size limit (ulimit -f) a CSV written past it failed with SIGXFSZ, which
    killed aimeter. Now it is EFBIG: an error line for that output; the run is stored and
    aimeter exits with the command's status. The limit is met without writing much: standard
    output is a file whose offset is already beyond it."""
    import resource
    limit = 8 << 20
    out = tmp_path / "out.bin"
    with open(out, "wb") as f:
        f.seek(2 * limit)
        f.write(b"\n")

        def small_files():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        r = subprocess.run([str(AIMETER), "run", "-q", "--db", db, "--csv", "-", "--", "true"],
                           stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.PIPE, text=True,
                           timeout=60, preexec_fn=small_files)
    assert r.returncode == 0, r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("aimeter: ")
              and not ln.startswith("aimeter: warning:")]
    assert len(errors) == 1, r.stderr
    assert "standard output" in errors[0] and "too large" in errors[0], errors[0]
    assert "writing -:" not in r.stderr
    assert report_json(db)["run"]["status"] == "completed"


def test_sigint_after_sigterm_is_forwarded_not_a_kill(db, tmp_path):
    """A SIGTERM then a SIGINT are one request each: the SIGINT is forwarded (it used to be
    taken for a second SIGINT and SIGKILL the command, exit 137)."""
    proc, mark, err = start(db, tmp_path, "trap 'touch $MARK.term' TERM; "
                                          "trap 'touch $MARK.int; exit 3' INT; touch $MARK; "
                                          "while :; do sleep 0.05; done")
    try:
        os.kill(proc.pid, signal.SIGTERM)
        assert wait_for_file(f"{mark}.term"), "the SIGTERM was not forwarded"
        os.kill(proc.pid, signal.SIGINT)
        rc = proc.wait(timeout=20)
    finally:
        kill_tree(proc)
    assert rc == 3, err.read_text()
    assert Path(f"{mark}.int").exists(), "the command never got the SIGINT"
    assert report_json(db)["run"]["status"] == "interrupted"
