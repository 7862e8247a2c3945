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
from pgproxy import HeldServer, unix_socket_of
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


# ------------------------------------------------------------------ a server that never answers
# The start waits for the server's connection only a bounded time (docs/store.md, "When the
# server is unreachable"); a connection still being made is the uploader's. pgproxy.HeldServer
# is a host that accepts the TCP connection and never says a word: libpq waits for its first
# bytes until connect_timeout, which the URLs set to 0 (for ever), so nothing here depends on
# a duration: before the fix the measured command never started. The command writes a file
# when it starts and then waits on a FIFO; the listener says whether aimeter's connection is
# still held at that point.

def held_command(started, go):
    return ("sh", "-c", f"echo started > {started}; read x < {go}")


def push_lines(stderr, spool, url):
    """The warnings logged with the push command (the report repeats the run's warnings)."""
    push_cmd = f"aimeter push --db {spool} --to {url}"
    return [ln for ln in stderr.splitlines()
            if ln.startswith("aimeter: warning: ") and push_cmd in ln]


def start_held_run(tmp_path, url, *extra):
    spool, started, go = str(tmp_path / "spool.db"), tmp_path / "started", tmp_path / "go"
    os.mkfifo(go)
    proc, _, err = popen_aimeter("run", "--db", url, "--spool", spool, *FAST, "-i", "20ms",
                                 "--sources", "procfs", *extra, "--",
                                 *held_command(started, go), out_dir=tmp_path)
    return proc, err, spool, started, go


def release(go):
    with open(go, "w") as f:
        f.write("x\n")


def test_a_server_that_never_answers_does_not_hold_the_start(tmp_path):
    """The host accepts and stays silent for the whole run: the command starts while
    aimeter's connection is still held, the run completes into the spool, and its end says
    how to push it (the connection still pending at the end is let go within the end's
    deadline)."""
    with HeldServer() as held:
        url = held.url("aimeter", "aimeter")
        proc, err, spool, started, go = start_held_run(tmp_path, url)
        try:
            wait_until(lambda: started.exists() or proc.poll() is not None,
                       "the measured command to start")
            assert started.exists(), err.read_text()
            wait_until(lambda: held.counts()[0] >= 1, "aimeter's connection accepted")
            # the connection begun before the command ran is held still: the start did not
            # wait for it to end
            accepted, closed, _ = held.counts()
            assert accepted == 1 and closed == 0, held.counts()
            release(go)
            assert proc.wait(timeout=DEADLINE) == 0, err.read_text()
        finally:
            kill_tree(proc)
        stderr = err.read_text()
    ends = push_lines(stderr, spool, url)
    assert len(ends) == 1 and "cannot be reached at the end of the run" in ends[0], stderr
    ((run_id, status, warnings),) = lite(spool, "SELECT id, status, warnings FROM runs")
    assert status == "completed" and ends[0].split("warning: ", 1)[1] in warnings, warnings
    assert lite(spool, f"SELECT 1 FROM chunks WHERE run_id = '{run_id}'")
    assert f"run {run_id}" in stderr  # the report, read from the spool


def test_a_connection_made_after_the_start_is_the_uploaders(pg_server, tmp_path):
    """The host is silent until the command has started, then passes the connection (and
    any later one) to a real server: the uploader takes over the connection start() began
    and uploads the run over it as if it had been made at the start."""
    direct = pg_server.createdb()
    dbname = direct.split("@/", 1)[1].split("?", 1)[0]
    with HeldServer() as held:
        url = held.url("aimeter", dbname)
        proc, err, spool, started, go = start_held_run(tmp_path, url)
        try:
            wait_until(lambda: started.exists() or proc.poll() is not None,
                       "the measured command to start")
            assert started.exists(), err.read_text()
            wait_until(lambda: held.counts()[0] >= 1, "aimeter's connection accepted")
            assert held.counts()[:2] == (1, 0), held.counts()
            held.proxy_to(unix_socket_of(direct))
            wait_until(lambda: proc.poll() is None and int((pg_rows(
                direct, "SELECT count(*) FROM chunks") or [("0",)])[0][0]) >= 2,
                "uploads over the connection made at the start")
            # one connection: the start's, taken over (no other was made; the report
            # `aimeter run` prints at its end reads the server on a connection of its own)
            assert held.counts() == (1, 0, 1), held.counts()
            release(go)
            assert proc.wait(timeout=DEADLINE) == 0, err.read_text()
        finally:
            kill_tree(proc)
    ((run_id,),) = query(direct, "SELECT id FROM runs")
    assert_every_sample_once(direct, run_id)
    w = warnings_of(direct, run_id)
    assert "cannot" not in w and "kept in the spool" not in w, w
    assert lite(spool, "SELECT id FROM runs") == []  # uploaded whole: gone from the spool


def test_a_refusal_after_the_start_is_a_warning_and_the_run_stays_in_the_spool(pg_server,
                                                                              tmp_path):
    """The server answers only once the command has started, and refuses (no such
    database): what would have failed the start is now the run's warning, with the push
    command; the run is kept in the spool and the command's status is aimeter's."""
    socket_path = unix_socket_of(pg_server.url)
    with HeldServer() as held:
        url = held.url("aimeter", "no_such_db")
        proc, err, spool, started, go = start_held_run(tmp_path, url)
        try:
            wait_until(lambda: started.exists() or proc.poll() is not None,
                       "the measured command to start")
            assert started.exists(), err.read_text()
            held.proxy_to(socket_path)
            wait_until(lambda: proc.poll() is None and any(
                "refused the run" in (w or "") for (w,) in lite(spool,
                                                                "SELECT warnings FROM runs")),
                "the refusal noted in the spool")
            release(go)
            assert proc.wait(timeout=DEADLINE) == 0, err.read_text()
        finally:
            kill_tree(proc)
        stderr = err.read_text()
        assert held.counts()[0] == 1, held.counts()  # not tried again
    ends = push_lines(stderr, spool, url)
    assert len(ends) == 1, stderr
    assert "refused the run" in ends[0], ends[0]
    ((status, warnings),) = lite(spool, "SELECT status, warnings FROM runs")
    assert status == "completed" and 'database "no_such_db" does not exist' in warnings
    assert "cannot be reached" not in warnings, warnings  # one line says it


@pytest.mark.parametrize("case", ["no such database", "unknown role", "newer schema"])
def test_a_refusal_at_the_start_still_fails_the_start(pg_server, tmp_path, case):
    """Errors the server says within the start's wait keep failing the start, before the
    command runs, with their exit code and one line (a local server answers in
    milliseconds; the wait is a second past the spool's and the sources' opening)."""
    host = pg_server.url.split("host=", 1)[1]
    if case == "no such database":
        url, code, says = f"postgresql://aimeter@/no_such_db?host={host}", 73, "does not exist"
    elif case == "unknown role":
        url, code, says = f"postgresql://nobody_here@/aimeter?host={host}", 73, "does not exist"
    else:
        url, code, says = pg_server.createdb(), 65, "newer aimeter"
        r = run_aimeter("run", "-q", "--db", url, "--spool", tmp_path / "first.db",
                        "--sources", "procfs", "--", "true")
        assert r.returncode == 0, r.stderr
        query(url, "UPDATE aimeter_meta SET value = '999' WHERE key = 'schema_version'")
    ran = tmp_path / "ran"
    r = run_aimeter("run", "--db", url, "--spool", tmp_path / "spool.db", "--sources", "procfs",
                    "--", "sh", "-c", f"echo ran > {ran}")
    assert r.returncode == code, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and says in lines[0], r.stderr
    assert not ran.exists()


def test_own_run_id_taken_on_the_server_meanwhile_is_renamed_at_its_end(pg_server, tmp_path):
    """Another node's run under this run's id reaches the server while the run records and
    before its first upload (the server is reached through HeldServer, held silent until
    then): the run is renamed in the spool at its end, uploaded under the new id with the
    warning saying so, the report names the new id, and the other node's run is left as it
    was."""
    direct = pg_server.createdb()
    dbname = direct.split("@/", 1)[1].split("?", 1)[0]
    with HeldServer() as held:
        url = held.url("aimeter", dbname)
        proc, err, spool, started, go = start_held_run(tmp_path, url)
        try:
            wait_until(lambda: proc.poll() is None and started.exists() and
                       lite(spool, "SELECT id FROM runs"), "the run recorded in the spool")
            ((run_id,),) = lite(spool, "SELECT id FROM runs")
            # another node's run, same id, pushed to the server meanwhile
            other = str(tmp_path / "other.db")
            src, dst = sqlite3.connect(spool), sqlite3.connect(other)
            src.backup(dst)
            src.close()
            dst.execute(f"UPDATE runs SET host = 'another-node' WHERE id = '{run_id}'")
            dst.commit()
            dst.close()
            p = run_aimeter("push", "--db", other, "--to", direct)
            assert p.returncode == 0, p.stderr
            other_chunks = chunk_keys(query(
                direct, f"SELECT grp, seq FROM chunks WHERE run_id = '{run_id}'"))
            # the uploader's connection reaches the server now
            held.proxy_to(unix_socket_of(direct))
            wait_until(lambda: held.counts()[2] >= 1, "aimeter's connection passed on")
            release(go)
            assert proc.wait(timeout=DEADLINE) == 0, err.read_text()
        finally:
            kill_tree(proc)
        stderr = err.read_text()
    assert query(direct, f"SELECT host FROM runs WHERE id = '{run_id}'") == [("another-node",)]
    assert chunk_keys(query(direct, f"SELECT grp, seq FROM chunks WHERE run_id = '{run_id}'")) \
        == other_chunks
    renamed = query(direct, "SELECT id FROM runs WHERE host <> 'another-node'")
    assert len(renamed) == 1, query(direct, "SELECT id, host FROM runs")
    ((new_id,),) = renamed
    assert new_id != run_id and new_id[:16] == run_id[:16]  # the same second
    line = f"run id {run_id} was taken on the server {url} by another run; uploaded as {new_id}"
    assert line in warnings_of(direct, new_id), warnings_of(direct, new_id)
    assert line in stderr and f"run {new_id}" in stderr, stderr  # the report names it
    assert_every_sample_once(direct, new_id)
    assert lite(spool, "SELECT id FROM runs") == []
