"""aimeter agent (issue 14, docs/agent.md): a node-wide session under the fake NVML (two GPUs)
with /metrics and a control socket for every local job. Jobs are told apart by SLURM_JOB_ID,
`aimeter run` joins a running agent instead of sampling, SIGTERM stores the run. Each test's
agent has a socket of its own (AIMETER_AGENT_SOCKET), never the machine's. Nothing depends
on timing: every wait is for a condition, with a generous deadline."""
import os
import subprocess
import socket
import sqlite3
import urllib.request

import pytest

from agentproc import DEADLINE, Agent, agent, sock_dir, talk, wait_until  # noqa: F401 (fixtures)
from conftest import gpu_env
from conftest import (AIMETER, EX_UNAVAILABLE, EX_USAGE, kill_tree, ls_json, popen_aimeter, report_json,
                      run_aimeter, assert_one_error)
from promserver import fetch, promtool_check

def lines_of(text, name):
    return [ln for ln in text.splitlines() if ln.startswith(name + "{")]


def test_jobs_are_labelled_and_kept_apart(agent):
    # Job 111 opens train; job 222 opens eval, which sits inside train on the agent's stack;
    # 111's anonymous end must close train only.
    for job, args in (("111", ("phase", "begin", "train")), ("222", ("phase", "begin", "eval")),
                      ("111", ("mark", "checkpoint")), ("111", ("phase", "end"))):
        r = agent.aimeter(*args, job=job)
        assert r.returncode == 0, r.stderr
    # --job wins over the environment
    r = agent.aimeter("record", "--job", "333", "tokens", "5", job="111")
    assert r.returncode == 0, r.stderr

    def has_jobs():
        text = agent.metrics()
        info = lines_of(text, "aimeter_job_info")
        return (any('hpc_job="222"' in ln and 'phase="eval"' in ln for ln in info)
                and any('hpc_job="111"' in ln and "phase=" not in ln for ln in info)
                and len(lines_of(text, "aimeter_job_energy_joules_total")) == 3)
    wait_until(has_jobs, "the jobs in /metrics")
    text = agent.metrics()
    assert promtool_check(text)[0] == 0, promtool_check(text)[1]
    for ln in lines_of(text, "aimeter_job_energy_joules_total"):
        assert float(ln.rsplit(" ", 1)[1]) >= 0
        assert 'host="' in ln and 'run="' in ln

    assert agent.stop() == 0
    assert not os.path.exists(agent.sock), "the socket outlived the agent"
    assert "stored" in agent.err.read_text()
    runs = ls_json(agent.db)
    assert len(runs) == 1 and runs[0]["status"] == "completed"
    phases = {p["name"]: p for p in report_json(agent.db)["workload"]["phases"]}
    assert set(phases) == {"111: train", "222: eval"}
    assert phases["111: train"]["unterminated"] == 0
    assert phases["222: eval"]["unterminated"] == 1  # still open at SIGTERM: its job's own
    with sqlite3.connect(agent.db) as c:
        marks = [r[0] for r in c.execute("SELECT text FROM marks")]
    assert marks == ["111: checkpoint"]


def test_run_joins_the_agent(agent, tmp_path):
    r = agent.aimeter("run", "--", "sh", "-c", "aimeter mark inside && echo job=$AIMETER_JOB")
    assert r.returncode == 0, r.stderr
    assert "measured by the agent at " + agent.sock in r.stderr
    assert "node energy" in r.stderr and "gpu0" in r.stderr
    job = r.stdout.strip().split("=", 1)[1]
    assert job.startswith("run-")
    # The command's exit status is run's
    assert agent.aimeter("run", "--", "sh", "-c", "exit 3").returncode == 3
    # What needs a run of this aimeter's own is refused, with the way out
    r = agent.aimeter("run", "--json", str(tmp_path / "s.json"), "--", "true")
    assert_one_error(r, EX_USAGE)
    assert "--no-agent" in r.stderr
    assert agent.stop() == 0
    runs = ls_json(agent.db)
    assert len(runs) == 1, "a joined run sampled on its own"
    names = {p["name"] for p in report_json(agent.db)["workload"]["phases"]}
    assert f"{job}: sh" in names
    with sqlite3.connect(agent.db) as c:
        assert [r[0] for r in c.execute("SELECT text FROM marks")] == [f"{job}: inside"]


def test_run_in_a_slurm_job_joins_as_that_job(agent):
    r = agent.aimeter("run", "-n", "step1", "--", "true", job="9001")
    assert r.returncode == 0, r.stderr
    assert "job 9001" in r.stderr
    wait_until(lambda: any('hpc_job="9001"' in ln
                           for ln in lines_of(agent.metrics(), "aimeter_job_info")),
               "job 9001 in /metrics")
    assert agent.stop() == 0
    names = {p["name"] for p in report_json(agent.db)["workload"]["phases"]}
    assert "9001: step1" in names


def test_no_agent_samples_itself(agent, tmp_path):
    own = tmp_path / "own.db"
    r = agent.aimeter("run", "--no-agent", "--sources", "procfs", "--db", own, "-q", "--",
                      "true")
    assert r.returncode == 0, r.stderr
    assert "measured by the agent" not in r.stderr
    assert len(ls_json(own)) == 1


def test_a_second_agent_on_the_socket_is_refused(agent, tmp_path):
    (tmp_path / "second").mkdir()
    proc, _, err = popen_aimeter("agent", "--sources", "procfs", "--no-listen", "--db",
                                 tmp_path / "second.db", out_dir=tmp_path / "second",
                                 env={"AIMETER_AGENT_SOCKET": agent.sock})
    try:
        assert proc.wait(timeout=DEADLINE) == EX_UNAVAILABLE
    finally:
        kill_tree(proc)
    text = err.read_text()
    assert "another agent answers on " + agent.sock in text
    assert len(text.strip().splitlines()) == 1
    assert agent.aimeter("mark", "still here").returncode == 0  # the first one is untouched


def test_a_dead_agents_socket_is_replaced(tmp_path, db, sock_dir):
    path = os.path.join(sock_dir, "agent.sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)  # a socket file nobody listens on, as a killed agent leaves it
    s.close()
    a = Agent(tmp_path, db, path)
    try:
        assert a.aimeter("mark", "hello", job="1").returncode == 0
        assert a.stop() == 0
    finally:
        kill_tree(a.proc)


@pytest.mark.parametrize("args", [
    ("--bogus",), ("--listen", "0"), ("--listen", "10.1.2.3:10425"), ("--socket", ""),
    ("--interval", "0"), ("extra",), ("--zone", "XX-NOWHERE"),
    ("--no-listen", "--web-config", "web-config.yml"), ("--listen", "0.0.0.0:10425"),
    ("--retain", "500ms"), ("--retain", "1h", "--downsample-after", "2h"),
])
def test_bad_options_exit_64(args):
    r = run_aimeter("agent", *args)
    assert_one_error(r, EX_USAGE)


def test_listen_takes_a_web_config_with_a_token(tmp_path, db, sock_dir):
    """--web-config on the agent as on `run --prometheus`: a bearer token asked for on every
    request, the token itself never in the store."""
    token = "agent-token-9f2c"
    hashed = run_aimeter("hash-password", input=token + "\n")
    assert hashed.returncode == 0, hashed.stderr
    config = tmp_path / "web-config.yml"
    config.write_text(f"bearer_tokens:\n  - '{hashed.stdout.strip()}'\n")
    a = Agent(tmp_path, db, os.path.join(sock_dir, "agent.sock"), ("--web-config", str(config)))
    try:
        status, _, _ = fetch(a.url)
        assert status == 401
        req = urllib.request.Request(a.url, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status == 200 and "aimeter_run_info" in r.read().decode()
        assert a.stop() == 0
    finally:
        kill_tree(a.proc)
    with open(db, "rb") as f:
        assert token.encode() not in f.read()


def test_clients_without_run_or_agent_say_so(tmp_path):
    r = run_aimeter("mark", "hello", env={"AIMETER_AGENT_SOCKET": str(tmp_path / "none.sock")})
    assert r.returncode == EX_UNAVAILABLE
    assert "no agent" in r.stderr
    r = run_aimeter("mark", "--job", "a b", "x",
                    env={"AIMETER_CONTROL": str(tmp_path / "none.sock")})
    assert_one_error(r, EX_USAGE)


def test_help_lists_the_options():
    r = run_aimeter("agent", "--help")
    assert r.returncode == 0
    for opt in ("--listen", "--no-listen", "--socket", "--interval", "--db", "--zone"):
        assert opt in r.stdout
    assert "--no-agent" in run_aimeter("run", "--help").stdout


def _figures(stderr):
    """The numbers of a joined run's report lines (seconds, joules, grams, per device)."""
    import re
    lines = [ln for ln in stderr.splitlines() if "node energy" in ln or ln.strip().startswith("gpu")]
    return [float(x) for ln in lines for x in re.findall(r"-?\d+\.\d+", ln)]


def test_two_joined_runs_in_one_job_get_their_own_figures(agent, tmp_path):
    """Review of issue 14, finding 2: srun --ntasks-per-node=2 aimeter run ... in one batch
    job. A ends while B still runs (files order them, not time); B's figures are its own,
    never negative, and the job ends only once both have left."""
    env = dict(agent.env, SLURM_JOB_ID="4242")
    d = tmp_path
    a = subprocess.Popen([str(AIMETER), "run", "-n", "a", "--", "sh", "-c",
                          f"touch {d}/a.started; while [ ! -f {d}/b.started ]; do sleep 0.05; done"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: (d / "a.started").exists(), "run A's command")
    b = subprocess.Popen([str(AIMETER), "run", "-n", "b", "--", "sh", "-c",
                          f"touch {d}/b.started; while [ ! -f {d}/a.done ]; do sleep 0.05; done"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, a_err = a.communicate(timeout=DEADLINE)
    assert a.returncode == 0, a_err
    # A has left: the job still runs for B
    info = lines_of(agent.metrics(), "aimeter_job_info")
    assert any('hpc_job="4242"' in ln and 'state="running"' in ln for ln in info), info
    (d / "a.done").touch()
    _, b_err = b.communicate(timeout=DEADLINE)
    assert b.returncode == 0, b_err
    for err in (a_err, b_err):
        assert "node energy" in err, err
        nums = _figures(err)
        assert nums and all(x >= 0 for x in nums), err
    wait_until(lambda: any('hpc_job="4242"' in ln and 'state="ended"' in ln
                           for ln in lines_of(agent.metrics(), "aimeter_job_info")),
               "job 4242 ended once both runs left")


def test_options_without_effect_when_joined_are_refused(agent, tmp_path):
    """Finding 10: --db, --tag, --interval ... would be ignored by a joined run."""
    for args in (("--db", tmp_path / "x.db"), ("--tag", "a=b"), ("-i", "10ms"),
                 ("--retain", "7d")):
        r = agent.aimeter("run", *args, "--", "true")
        assert_one_error(r, EX_USAGE)
        assert args[0] in r.stderr and "--no-agent" in r.stderr


def test_a_long_utf8_name_is_cut_on_a_character(agent):
    """Finding 12: the phase name is cut at 100 bytes, never inside a character."""
    r = agent.aimeter("run", "-n", "a" + "é" * 60, "--", "true", job="77")
    assert r.returncode == 0, r.stderr
    assert "refused" not in r.stderr, r.stderr
    assert agent.stop() == 0
    names = {p["name"] for p in report_json(agent.db)["workload"]["phases"]}
    assert "77: a" + "é" * 49 in names, names


def test_jobs_phases_end_with_them_and_free_their_rows(agent):
    """Finding 1: jobs that end (or are killed and ended by their epilogue) with phases open
    close them; 16 such jobs do not fill the node's phase stack, and 90 jobs' phases (more
    than the 64 rows a run has) are all kept, each job's rows freed once stored."""
    n = 0
    for batch in range(3):
        for k in range(30):
            job = f"j{n}"
            n += 1
            replies = talk(agent.sock, [f"job {job}", "phase begin train", "job end"])
            assert replies[0] == "ok new" and replies[1] == "ok", replies
        # the store has this batch before the next (rows are freed once stored)
        def stored(count=n):
            with sqlite3.connect(agent.db) as c:
                try:
                    return c.execute("SELECT COUNT(*) FROM phase_totals").fetchone()[0] >= count
                except sqlite3.OperationalError:
                    return False
        wait_until(stored, f"{n} jobs' phases in the store")
    assert talk(agent.sock, ["job late", "phase begin eval"]) == ["ok new", "ok"]
    assert agent.stop() == 0
    rep = report_json(agent.db)
    phases = {p["name"]: p for p in rep["workload"]["phases"]}
    assert all(f"j{k}: train" in phases for k in range(n)), sorted(phases)
    assert phases["j0: train"]["unterminated"] == 1  # ended by its job's end
    assert "late: eval" in phases
    with sqlite3.connect(agent.db) as c:
        assert c.execute("SELECT workload_dropped FROM runs").fetchone()[0] == 0


def test_an_agent_that_stops_answering_after_the_ping_does_not_cost_the_command(tmp_path, sock_dir):
    """Finding 11: an agent that answers the ping, then not (stopping): `run` says so in one
    line and samples the node itself; COMMAND runs and its run is stored."""
    import threading
    path = os.path.join(sock_dir, "agent.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(8)
    srv.settimeout(DEADLINE)

    def serve():
        conn, _ = srv.accept()  # the ping
        with conn:
            # the whole line, as the agent reads it: the client may send "ping" and its
            # newline apart, and a close before the newline arrives would break its send
            got = b""
            while b"\n" not in got:
                chunk = conn.recv(64)
                if not chunk:
                    break
                got += chunk
            conn.sendall(b"ok\n")
        try:
            while True:  # then every connection is closed unanswered
                conn, _ = srv.accept()
                conn.close()
        except OSError:
            pass
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        r = run_aimeter("run", "--", "touch", tmp_path / "ran",
                        env=gpu_env(AIMETER_AGENT_SOCKET=path))
    finally:
        srv.close()
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "ran").exists()
    assert "stopped answering; this run samples the node itself" in r.stderr
    assert "measured by the agent" not in r.stderr
    assert len(ls_json(os.environ["AIMETER_DB"])) == 1
