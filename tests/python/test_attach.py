"""Inside `aimeter run` (AIMETER_CONTROL) and across the ranks of a job: phases, markers and
records reach one run through its control socket, and no second sampler starts."""
import logging
import os
import socket
import subprocess

import pytest

import aimeter
from conftest import PACKAGE_DIR, PYTHON, run_python, run_under_aimeter, stored_runs


def test_module_functions_inside_aimeter_run_reach_the_outer_run(db):
    r = run_under_aimeter("""
import time, aimeter
aimeter.phase("load")
time.sleep(0.15)
aimeter.record("tokens", 100)
aimeter.phase("generate")            # ends "load"
aimeter.record("tokens", 400)
aimeter.record("loss", 1.25)
aimeter.mark("halfway")
with aimeter.phase("inner", nest=True):   # inside "generate" (without nest, it would end it)
    time.sleep(0.15)
aimeter.record("tokens", 500)
time.sleep(0.1)
# "generate" is still open: it ends when the program does, not "unterminated"
""", db)
    assert r.returncode == 0, r.stderr
    runs = stored_runs(db)
    assert len(runs) == 1, runs            # the outer run only: no second sampler
    s = aimeter.load(runs[0]["id"], db=db)
    assert [p.name for p in s.phases] == ["load", "generate", "inner"]
    assert all(p.instances == 1 and p.unterminated == 0 and p.energy_j > 0 for p in s.phases)
    assert s.phase("load").duration_s >= 0.15 and s.phase("inner").duration_s >= 0.15
    assert s.phase("generate").duration_s >= s.phase("inner").duration_s + 0.1
    assert s.phase("load").records == {"tokens": 100}
    assert s.phase("generate").records["tokens"] == 900
    assert s.records["tokens"].total == 1000 and s.records["loss"].last == 1.25
    assert s.marks == 1 and s.dropped_events == 0
    assert s.j_per("tokens") == pytest.approx(s.energy_j / 1000, rel=1e-9)


def test_track_inside_aimeter_run_attaches_instead_of_sampling(db):
    r = run_under_aimeter("""
import time, aimeter
from aimeter import monitor
t = monitor.start(task_name="infer")
print("sampling", t.sampling, "attached", t.attached, "run", t.run_id, "live", t.live())
t.phase("prefill"); time.sleep(0.1)
t.phase("decode"); aimeter.record("tokens", 64); time.sleep(0.1)
s = monitor.stop()
print("summary", s.sampled, s.attached, s.run_id, s.energy_j, bool(s.control_socket))
print("outer", s.sampled_by_run, s.sampled_by_db)
with aimeter.track("eval") as e:
    e.record("accuracy", 0.9)
    time.sleep(0.1)
""", db)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "sampling False attached True run None live None"
    assert lines[1] == "summary False True None None True"
    assert r.stderr.count("aimeter report  run") <= 1   # the outer run's; the tracker prints none
    runs = stored_runs(db)
    assert len(runs) == 1, runs
    assert lines[2] == f"outer {runs[0]['id']} {os.path.realpath(db)}"  # the outer run, named
    s = aimeter.load("last", db=db)
    # each tracker's region is a phase of the outer run, its own phases nested in it
    assert [p.name for p in s.phases] == ["infer", "prefill", "decode", "eval"]
    assert all(p.unterminated == 0 for p in s.phases)
    assert s.phase("infer").duration_s >= s.phase("prefill").duration_s + s.phase("decode").duration_s - 1e-3
    assert s.phase("decode").records == {"tokens": 64}
    assert s.phase("eval").records == {"accuracy": 0.9}


def test_attach_false_measures_separately_inside_aimeter_run(db):
    r = run_under_aimeter(f"""
import aimeter
with aimeter.track("own", attach=False, db={db!r}, quiet=True, interval="20ms") as t:
    t.phase("mine")
print(t.sampling, t.attached, t.summary.phases[0].name)
""", db)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["True", "False", "mine"]
    assert len(stored_runs(db)) == 2


def test_an_outer_run_that_has_ended(db, tmp_path, monkeypatch, caplog):
    gone = tmp_path / "gone.sock"
    monkeypatch.setenv("AIMETER_CONTROL", str(gone))
    with pytest.raises(RuntimeError, match="cannot reach the `aimeter run`.*has it ended"):
        aimeter.mark("x")
    with caplog.at_level(logging.WARNING, logger="aimeter"):
        with aimeter.track("alone", db=db, quiet=True) as t:
            t.record("tokens", 3)
    assert "does not answer" in caplog.text
    assert t.sampling and not t.attached and t.summary.records["tokens"].total == 3


class FakeRun:
    """A control socket that answers like a run (docs/control.md) and keeps the lines."""

    def __init__(self, path):
        import threading
        self.path = str(path)
        self.lines = []
        self.conns = []
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(8)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        import threading
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn):
        buf = b""
        while True:
            try:
                data = conn.recv(4096)
            except OSError:
                return
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line not in (b"ping", b"run"):
                    self.lines.append(line.decode())
                try:
                    conn.sendall(b"ok 20261121-fake /tmp/fake.db\n" if line == b"run" else b"ok\n")
                except OSError:
                    return

    def drop_connections(self):
        for c in self.conns:
            c.shutdown(socket.SHUT_RDWR)
            c.close()
        self.conns.clear()

    def end(self):
        self.listener.close()
        self.drop_connections()
        os.unlink(self.path)


def test_the_client_reconnects_once_and_drops_quietly_when_the_run_ends(monkeypatch, caplog):
    path = os.path.join(os.environ["XDG_RUNTIME_DIR"], "fake.sock")
    run = FakeRun(path)
    monkeypatch.setenv("AIMETER_CONTROL", path)
    t = aimeter.track("region").start()
    assert t.attached
    t.record("tokens", 1)
    t.record("loss", 0.5)
    run.drop_connections()                 # a broken connection: reopened, the line resent
    t.record("tokens", 2)
    assert run.lines == ["phase begin region", "record tokens 1 counter",
                         "record loss 0.5 gauge", "record tokens 2 counter"]
    run.end()                              # the run is gone: drop, warn once, never raise
    with caplog.at_level(logging.WARNING, logger="aimeter"):
        for _ in range(3):
            t.record("tokens", 1)
        t.mark("still training")
    assert caplog.text.count("dropped until it answers") == 1
    assert t._book.sink.dropped == 4
    s = t.stop()
    assert s.attached and not s.sampled
    assert (s.sampled_by_run, s.sampled_by_db) == ("20261121-fake", "/tmp/fake.db")


# ---------------------------------------------------------------- ranks

RANK_SCRIPT = """
import os, sys, time, aimeter
here = sys.argv[1]
local = int(os.environ["LOCAL_RANK"])
def wait_for(name):
    for _ in range(500):
        if os.path.exists(os.path.join(here, name)):
            return
        time.sleep(0.01)
    raise SystemExit("timed out waiting for " + name)
if local == 1:
    wait_for("rank0-started")
with aimeter.track("ddp", db=os.environ["DB"], quiet=True, interval="20ms",
                   sources="procfs,estimate") as t:
    if local == 0:
        open(os.path.join(here, "rank0-started"), "w").close()
    t.phase("epoch 1")
    time.sleep(0.1)
    t.record("samples", 64 * (local + 1))
    t.mark("saw batch")
    t.end_phase("epoch 1")
    if local == 0:
        wait_for("rank1-done")
if local == 1:
    open(os.path.join(here, "rank1-done"), "w").close()
s = t.summary
print(local, t.sampling, s.sampled, s.run_id or s.sampled_by_run, bool(t.control_socket))
"""


def start_ranks(tmp_path, db, extra_env, n=2):
    script = tmp_path / "rank.py"
    script.write_text(RANK_SCRIPT)
    procs = []
    for local in range(n):
        env = dict(os.environ, PYTHONPATH=str(PACKAGE_DIR), DB=db, LOCAL_RANK=str(local),
                   RANK=str(local), WORLD_SIZE=str(n), **extra_env)
        procs.append(subprocess.Popen([PYTHON, str(script), str(tmp_path)], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    out = []
    for p in procs:
        o, e = p.communicate(timeout=60)
        assert p.returncode == 0, e
        out.append(o.split())
    return out


def test_other_ranks_send_records_and_markers_to_local_rank_0s_run(db, tmp_path):
    out = start_ranks(tmp_path, db, {"AIMETER_JOB_ID": "job-42", "AIMETER_JOB": "job-42",
                                     "SLURMD_NODENAME": "n7", "GROUP_RANK": "0",
                                     "LOCAL_WORLD_SIZE": "2"})
    runs = stored_runs(db)
    assert len(runs) == 1, runs               # rank 0 sampled; rank 1 attached
    run_id = runs[0]["id"]
    assert out[0] == ["0", "True", "True", run_id, "True"]
    assert out[1] == ["1", "False", "False", run_id, "True"]   # rank 1 knows rank 0's run
    s = aimeter.load(run_id, db=db)
    # rank 0's phase stands for the node; rank 1's is kept apart, labelled by its rank
    assert sorted((p.name, p.instances) for p in s.phases) == [("[rank 1] epoch 1", 1),
                                                                ("epoch 1", 1)]
    assert s.records["samples"].total == 64 + 128      # the node's work: both ranks
    import sqlite3
    con = sqlite3.connect(db)
    marks = sorted(t for (t,) in con.execute("SELECT text FROM marks"))
    con.close()
    assert marks == ["[rank 1] saw batch", "saw batch"]
    # the node's run carries the job's tags (`aimeter report --job` finds it by them)
    con = sqlite3.connect(db)
    tags = dict(con.execute("SELECT key, value FROM run_tags"))
    con.close()
    assert {k: tags.get(k) for k in ("job", "node", "node_rank", "ranks", "measured_by")} == {
        "job": "job-42", "node": "n7", "node_rank": "0", "ranks": "0-1", "measured_by": "python"}
    # the socket and its run-info file are gone with the run
    assert os.listdir(os.environ["XDG_RUNTIME_DIR"]) == []


def test_ranks_inside_aimeter_run_all_attach_to_it(db, tmp_path):
    script = tmp_path / "rank.py"
    script.write_text(RANK_SCRIPT)
    sh = (f"LOCAL_RANK=0 RANK=0 {PYTHON} {script} {tmp_path} & "
          f"LOCAL_RANK=1 RANK=1 {PYTHON} {script} {tmp_path}; wait")
    env = dict(os.environ, PYTHONPATH=str(PACKAGE_DIR), DB=db, WORLD_SIZE="2")
    from conftest import AIMETER
    r = subprocess.run([str(AIMETER), "run", "-q", "--sources", "procfs,estimate", "--db", db,
                        "--", "sh", "-c", sh], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    runs = stored_runs(db)
    assert len(runs) == 1, runs               # only the outer run: no rank sampled
    s = aimeter.load(runs[0]["id"], db=db)
    assert sorted((p.name, p.instances) for p in s.phases) == [
        ("[rank 1] ddp", 1), ("[rank 1] epoch 1", 1), ("ddp", 1), ("epoch 1", 1)]
    assert s.records["samples"].total == 192


def test_a_stale_job_socket_is_replaced(db, monkeypatch):
    from aimeter import _control
    monkeypatch.setenv("AIMETER_JOB_ID", "stale")
    monkeypatch.setenv("LOCAL_RANK", "0")
    sock_path, info = _control.job_paths()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(sock_path)                          # a killed rank 0 left its socket file
    s.close()
    with aimeter.track(db=db, quiet=True) as t:
        assert t.control_socket == sock_path
        assert _control.read_run(info) == (t.run_id, db)
        assert _control.ping(sock_path)
    assert not os.path.exists(sock_path) and not os.path.exists(info)


def test_a_nested_tracker_on_rank_0_leaves_the_socket_to_the_outer_one(db, monkeypatch):
    monkeypatch.setenv("AIMETER_JOB_ID", "nested")
    monkeypatch.setenv("LOCAL_RANK", "0")
    with aimeter.track("outer", db=db, quiet=True) as outer:
        with aimeter.track("inner", db=db, quiet=True) as inner:
            assert outer.control_socket and inner.control_socket is None
    assert inner.summary.status == "completed"


def test_another_rank_without_rank_0_drops_records_with_one_warning(monkeypatch):
    monkeypatch.setenv("AIMETER_JOB_ID", "lonely")
    r = run_python("""
import logging, aimeter
logging.basicConfig()
for i in range(3):
    aimeter.record("samples", 8)     # no tracker here, rank 0 not listening (yet)
aimeter.phase("epoch 1")             # dropped too (counted in the one warning)
print("ok")
""", env={"LOCAL_RANK": "1", "AIMETER_JOB_ID": "lonely"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
    assert r.stderr.count("no run answers on") == 1


def test_job_key_and_paths():
    from aimeter import _control
    assert _control.job_key({"SLURM_JOB_ID": "7", "SLURM_STEP_ID": "0", "TORCHELASTIC_RUN_ID": "x"}) == "slurm:7.0"
    assert _control.job_key({"TORCHELASTIC_RUN_ID": "abc"}) == "torchelastic:abc"
    # torchrun's default rendezvous id is "none": every worker's parent, the agent, tells jobs apart
    assert _control.job_key({"TORCHELASTIC_RUN_ID": "none"}) == f"ppid:{os.getppid()}"
    assert _control.job_key({"AIMETER_JOB_ID": "mine", "SLURM_JOB_ID": "7"}) == "aimeter:mine"
    a = _control.job_paths({"SLURM_JOB_ID": "7", "XDG_RUNTIME_DIR": os.environ["XDG_RUNTIME_DIR"]})
    b = _control.job_paths({"SLURM_JOB_ID": "8", "XDG_RUNTIME_DIR": os.environ["XDG_RUNTIME_DIR"]})
    assert a[0] != b[0] and a[0].startswith(os.environ["XDG_RUNTIME_DIR"]) and a[0].endswith(".sock")
    # a runtime directory others can enter is not used
    long_dir = "/" + "d" * 120
    c = _control.job_paths({"SLURM_JOB_ID": "7", "XDG_RUNTIME_DIR": long_dir})
    assert c[0].startswith(f"/tmp/aimeter-{os.getuid()}/")


def test_aimeter_job_id_alone_makes_a_plain_process_listen(db, monkeypatch):
    """For launchers that set no rank in the first process (it starts the others itself)."""
    monkeypatch.setenv("AIMETER_JOB_ID", "launcher")
    with aimeter.track(db=db, quiet=True) as t:
        assert t.sampling and t.control_socket and os.path.exists(t.control_socket)
        r = run_python("""
import aimeter
aimeter.record("samples", 5)
aimeter.mark("from a worker")
""", env={"LOCAL_RANK": "1"})
        assert r.returncode == 0, r.stderr
    assert t.summary.records["samples"].total == 5 and t.summary.marks == 1


def test_outside_a_run_the_module_functions_reach_the_nodes_agent_as_the_job(tmp_path):
    """Issue 14: without AIMETER_CONTROL, the node's agent (AIMETER_AGENT_SOCKET here, a fake
    one) gets the messages, each connection first saying its job (SLURM_JOB_ID)."""
    path = os.path.join(os.environ["XDG_RUNTIME_DIR"], "agent.sock")
    agent = FakeRun(path)
    try:
        r = run_python("""
import aimeter
aimeter.phase("train")
aimeter.mark("saved")
aimeter.record("tokens", 3)
""", env={"AIMETER_AGENT_SOCKET": path, "SLURM_JOB_ID": "4242", "AIMETER_CONTROL": ""})
        assert r.returncode == 0, r.stderr
    finally:
        agent.end()
    # the phase ends with the program (the package's rule), as the job's
    assert agent.lines == ["job 4242", "phase begin train", "mark saved",
                           "record tokens 3 counter", "phase end train"], agent.lines
