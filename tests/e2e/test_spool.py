"""A server store's spool (docs/store.md, "When the server is unreachable: the spool"): with
`--db postgresql://...`, `aimeter run` and `aimeter agent` write their run into a local
SQLite spool and an uploader thread copies it to the server. The server goes away and comes
back while a real run records; it is down for a whole run; an agent starts with a run left in
its spool. Each test has a PostgreSQL server of its own (pgserver.py's pg_server_running:
stopping the session's would break the other tests), halted and resumed by pg_tmp.sh.

The phases are driven by what the stores hold, not by sleeps: the run's command waits on a
FIFO until the test has seen the upload, the outage noted in the spool, the server answering
again. Nothing asserts on timing; the upload interval is short (--upload-interval 50ms) only
so that the waits are short."""
import os
import signal
import sqlite3
import subprocess
import time

import pytest

from agentproc import DEADLINE, Agent, sock_dir, wait_until  # noqa: F401 (fixture)
from conftest import kill_tree, popen_aimeter, run_aimeter
from pgserver import pg_server_or_skip, query

FAST = ("--upload-interval", "50ms")


@pytest.fixture
def own_pg():
    """A PostgreSQL server of this test's own, which it may halt and resume."""
    yield from pg_server_or_skip()


def lite(path, sql):
    """Rows of sql on the SQLite spool (nothing when the file is not there yet)."""
    if not os.path.exists(path):
        return []
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    except sqlite3.OperationalError:  # the schema is being created
        return []
    finally:
        con.close()


def pg_rows(url, sql):
    """Rows of sql on the server; [] while it is down."""
    try:
        return query(url, sql)
    except AssertionError:
        return []


def chunk_keys(rows):
    return sorted((int(g), int(s)) for g, s in rows)


def assert_every_sample_once(url, run_id):
    """The server holds each chunk once, every group's seqs without a gap, the run's samples
    all there and none lost."""
    keys = chunk_keys(query(url, f"SELECT grp, seq FROM chunks WHERE run_id = '{run_id}'"))
    assert keys and len(keys) == len(set(keys))
    for g in {g for g, _ in keys}:
        seqs = [s for gg, s in keys if gg == g]
        assert seqs == list(range(len(seqs))), f"group {g}: seqs {seqs}"
    ((samples, lost, status),) = query(
        url, f"SELECT samples, samples_lost, status FROM runs WHERE id = '{run_id}'")
    assert lost == "0" and status == "completed"
    ticks = query(url, f"SELECT grp, sum(n_ticks) FROM chunks WHERE run_id = '{run_id}' "
                  "GROUP BY grp")
    assert samples in {t for _, t in ticks}, (samples, ticks)


def warnings_of(url, run_id):
    """The run's warnings on the server, one line ("" while it is down)."""
    rows = pg_rows(url, "SELECT replace(warnings, chr(10), ' | ') FROM runs "
                        f"WHERE id = '{run_id}'")
    return (rows[0][0] or "") if rows else ""


def test_server_stopped_mid_run_is_uploaded_once_when_back(own_pg, tmp_path):
    url, spool, go = own_pg.createdb(), str(tmp_path / "spool.db"), tmp_path / "go"
    os.mkfifo(go)
    proc, _, err = popen_aimeter("run", "-q", "--db", url, "--spool", spool, *FAST,
                                 "-i", "20ms", "--sources", "procfs", "-n", "spooled", "--",
                                 "sh", "-c", f"read x < {go}", out_dir=tmp_path)
    try:
        def alive(what):
            assert proc.poll() is None, f"{what}: {err.read_text()}"
            return True
        # 1. uploaded while the server answers
        wait_until(lambda: alive("up") and int((pg_rows(url, "SELECT count(*) FROM chunks")
                                                or [("0",)])[0][0]) >= 2, "the first upload")
        (run_id,) = pg_rows(url, "SELECT id FROM runs")[0]
        own_pg.halt()
        # 2. the run goes on into the spool; the uploader's failure is noted there
        at_halt = len(lite(spool, "SELECT 1 FROM chunks"))
        wait_until(lambda: alive("down") and any(
            "cannot upload to" in (w or "") for (w,) in lite(spool, "SELECT warnings FROM runs")),
            "the outage noted in the spool")
        wait_until(lambda: alive("down") and len(lite(spool, "SELECT 1 FROM chunks")) > at_halt + 2,
                   "samples spooled while the server is down")
        own_pg.resume()
        # 3. back: the uploader says so, in the run the server holds
        wait_until(lambda: alive("back") and "answered again" in warnings_of(url, run_id),
                   "the server's copy saying it answered again")
        with open(go, "w") as f:
            f.write("x\n")
        assert proc.wait(timeout=DEADLINE) == 0, err.read_text()
    finally:
        kill_tree(proc)
    assert_every_sample_once(url, run_id)
    w = warnings_of(url, run_id)
    assert "cannot upload to" in w and spool in w and "late" in w, w
    # uploaded whole and ended: no longer in the spool
    assert lite(spool, f"SELECT id FROM runs WHERE id = '{run_id}'") == []
    # `report` on the server shows the delay
    r = run_aimeter("report", run_id, "--db", url)
    assert r.returncode == 0 and "answered again" in r.stdout + r.stderr, r.stderr


def test_server_down_for_the_whole_run_then_pushed(own_pg, tmp_path):
    url, spool = own_pg.createdb(), str(tmp_path / "spool.db")
    own_pg.halt()
    r = run_aimeter("run", "--db", url, "--spool", spool, *FAST, "-i", "20ms",
                    "--sources", "procfs", "--", "sh", "-c", "sleep 0.3; exit 3")
    assert r.returncode == 3, r.stderr  # the command's own status
    push_cmd = f"aimeter push --db {spool} --to {url}"
    ends = [ln for ln in r.stderr.splitlines() if push_cmd in ln]
    assert len(ends) == 1 and "kept in the spool" in ends[0], r.stderr
    # measured all the same: the report (read from the spool) was printed
    ((run_id, status),) = lite(spool, "SELECT id, status FROM runs")
    assert status == "failed"
    spooled = chunk_keys(lite(spool, f"SELECT grp, seq FROM chunks WHERE run_id = '{run_id}'"))
    assert spooled
    own_pg.resume()
    for _ in range(2):  # twice: the second writes nothing
        p = run_aimeter("push", "--db", spool, "--to", url)
        assert p.returncode == 0, p.stderr
    assert chunk_keys(query(url, f"SELECT grp, seq FROM chunks WHERE run_id = '{run_id}'")) \
        == spooled
    assert "already there" in p.stdout and f": {len(spooled)} chunk" in p.stdout, p.stdout


def test_agent_uploads_its_run_and_what_was_left_in_the_spool(own_pg, tmp_path, sock_dir):
    url, spool = own_pg.createdb(), str(tmp_path / "spool.db")
    # a run that ended while the server was down: left in the spool
    own_pg.halt()
    r = run_aimeter("run", "-q", "--db", url, "--spool", spool, *FAST, "-i", "20ms",
                    "--sources", "procfs", "--", "true")
    assert r.returncode == 0, r.stderr
    ((left,),) = lite(spool, "SELECT id FROM runs")
    own_pg.resume()
    a = Agent(tmp_path, url, os.path.join(sock_dir, "agent.sock"),
              extra=("--spool", spool, *FAST))
    try:
        wait_until(lambda: a.proc.poll() is None and len(pg_rows(url, "SELECT id FROM runs")) == 2,
                   "the agent's run and the left one on the server")
        wait_until(lambda: [row[0] for row in lite(spool, "SELECT id FROM runs")] != [left] and
                   all(row[0] != left for row in lite(spool, "SELECT id FROM runs")),
                   "the left run removed from the spool")
        agent_id = [i for (i,) in pg_rows(url, "SELECT id FROM runs") if i != left][0]
        a.proc.send_signal(signal.SIGTERM)
        assert a.proc.wait(timeout=DEADLINE) == 0, a.err.read_text()
    finally:
        kill_tree(a.proc)
    assert_every_sample_once(url, agent_id)
    assert chunk_keys(query(url, f"SELECT grp, seq FROM chunks WHERE run_id = '{left}'"))
    assert lite(spool, "SELECT id FROM runs") == []  # both uploaded and ended


def server_pids(server):
    """The processes of this test's own server: its postmaster (postmaster.pid) and the
    postmaster's children (the backends, the uploader's among them). Never another's."""
    with open(os.path.join(server.dir, "data", "postmaster.pid")) as f:
        pm = int(f.readline())
    kids = subprocess.run(["pgrep", "-P", str(pm)], capture_output=True, text=True).stdout
    return [pm] + [int(p) for p in kids.split()]


def signal_server(server, sig):
    for pid in server_pids(server):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def test_stalled_server_does_not_hold_the_end_of_the_run(own_pg, tmp_path):
    """A server that stops answering mid-statement (its processes SIGSTOPped: the kernel
    still holds the connection, so no error ever comes) is given up at the end's deadline:
    `aimeter run` returns with the run kept in the spool while the server is still stopped,
    and a push after it resumes uploads the run once."""
    url, spool, go = own_pg.createdb(), str(tmp_path / "spool.db"), tmp_path / "go"
    os.mkfifo(go)
    proc, _, err = popen_aimeter("run", "--db", url, "--spool", spool, *FAST, "-i", "20ms",
                                 "--sources", "procfs", "--", "sh", "-c", f"read x < {go}",
                                 out_dir=tmp_path)
    try:
        wait_until(lambda: proc.poll() is None and int((pg_rows(
            url, "SELECT count(*) FROM chunks") or [("0",)])[0][0]) >= 2, "the first upload")
        (run_id,) = pg_rows(url, "SELECT id FROM runs")[0]
        signal_server(own_pg, signal.SIGSTOP)
        with open(go, "w") as f:
            f.write("x\n")
        # before the fix: waited until SIGCONT (here: the test's timeout)
        assert proc.wait(timeout=DEADLINE) == 0, err.read_text()
        stderr = err.read_text()
        push_cmd = f"aimeter push --db {spool} --to {url}"
        assert "kept in the spool" in stderr and push_cmd in stderr, stderr
        assert [i for (i,) in lite(spool, "SELECT id FROM runs")] == [run_id]
    finally:
        signal_server(own_pg, signal.SIGCONT)
        kill_tree(proc)
    p = run_aimeter("push", "--db", spool, "--to", url)
    assert p.returncode == 0, p.stderr
    assert [i for (i,) in query(url, "SELECT id FROM runs")] == [run_id]
    assert_every_sample_once(url, run_id)
    assert chunk_keys(query(url, f"SELECT grp, seq FROM chunks WHERE run_id = '{run_id}'")) \
        == chunk_keys(lite(spool, f"SELECT grp, seq FROM chunks WHERE run_id = '{run_id}'"))


def test_a_run_id_taken_on_the_server_is_uploaded_under_a_new_id(own_pg, tmp_path, sock_dir):
    """Ids are unique per store only: a spooled run whose id the server holds for another
    run (another host) is not an outage. The agent renames it in the spool, uploads it under
    the new id with a warning saying so, and leaves the server's run alone."""
    url, spool = own_pg.createdb(), str(tmp_path / "spool.db")
    own_pg.halt()
    r = run_aimeter("run", "-q", "--db", url, "--spool", spool, *FAST, "-i", "20ms",
                    "--sources", "procfs", "--", "true")
    assert r.returncode == 0, r.stderr
    ((left,),) = lite(spool, "SELECT id FROM runs")
    spooled = chunk_keys(lite(spool, f"SELECT grp, seq FROM chunks WHERE run_id = '{left}'"))
    own_pg.resume()
    # the server gets another node's run under the same id
    other = str(tmp_path / "other.db")
    src, dst = sqlite3.connect(spool), sqlite3.connect(other)
    src.backup(dst)
    src.close()
    dst.execute(f"UPDATE runs SET host = 'another-node' WHERE id = '{left}'")
    dst.commit()
    dst.close()
    p = run_aimeter("push", "--db", other, "--to", url)
    assert p.returncode == 0, p.stderr
    a = Agent(tmp_path, url, os.path.join(sock_dir, "agent.sock"),
              extra=("--spool", spool, *FAST))
    try:
        wait_until(lambda: a.proc.poll() is None and len(pg_rows(url, "SELECT id FROM runs")) == 3
                   and all(i != left for (i,) in lite(spool, "SELECT id FROM runs")),
                   "the left run uploaded under a new id and removed from the spool")
        a.proc.send_signal(signal.SIGTERM)
        assert a.proc.wait(timeout=DEADLINE) == 0, a.err.read_text()
    finally:
        kill_tree(a.proc)
    assert query(url, f"SELECT host FROM runs WHERE id = '{left}'") == [("another-node",)]
    renamed = query(url, "SELECT id FROM runs WHERE host <> 'another-node' AND "
                         f"warnings LIKE '%run id {left} was taken%'")
    assert len(renamed) == 1, query(url, "SELECT id, host FROM runs")
    ((new_id,),) = renamed
    warnings = warnings_of(url, new_id)
    assert new_id != left and f"uploaded as {new_id}" in warnings, warnings
    assert new_id[:16] == left[:16]  # the same second
    assert chunk_keys(query(url, f"SELECT grp, seq FROM chunks WHERE run_id = '{new_id}'")) \
        == spooled
    assert lite(spool, "SELECT id FROM runs") == []
