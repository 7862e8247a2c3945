"""SLURM (issue 16, docs/slurm.md): a real one-node SLURM started by the test on localhost
(Debian's slurm-wlm and munge: munged with a key of its own, slurmctld and slurmd in the
foreground with a slurm.conf, state and spool in a temporary directory, loopback ports from
promserver.free_port()), plugstack.conf loading aimeter's SPANK plugin, and an `aimeter
agent` under the fake NVML (two GPUs). A job run with sbatch or srun is told to the agent by
the plugin, and the agent stores the job's run with its job id tags and energy. Every daemon
is stopped after, also on failure. Skipped, with what failed, only where SLURM cannot run
here (no packages, not root: slurmd must be root, munged or slurmctld do not start).
Nothing depends on timing: every wait is for a condition, with a generous deadline."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from agentproc import Agent, wait_until
from conftest import AIMETER, BUILD, ls_json, report_json, run_aimeter
from promserver import free_port

DEADLINE = 90
PLUGIN = BUILD / "contrib" / "slurm" / "aimeter_spank.so"
SBIN = Path("/usr/sbin")


def missing():
    """Why SLURM cannot run here, or None."""
    for b in ("munged", "slurmctld", "slurmd"):
        if not (SBIN / b).is_file():
            return f"{SBIN / b} is not installed (Debian packages slurm-wlm and munge)"
    for b in ("sbatch", "srun", "sinfo"):
        if not shutil.which(b):
            return f"{b} is not installed (Debian package slurm-client)"
    if os.geteuid() != 0:
        return "slurmd must run as root to launch jobs, and the tests do not run as root"
    if not PLUGIN.is_file():
        return f"the SPANK plugin was not built ({PLUGIN}: needs libslurm-dev's slurm/spank.h)"
    return None


class Cluster:
    def __init__(self, d, sock):
        self.d, self.procs = d, []
        self.env = dict(os.environ, SLURM_CONF=str(d / "slurm.conf"),
                        PATH=f"{AIMETER.parent}:{os.environ['PATH']}")
        self.env.pop("SLURM_JOB_ID", None)
        self.host = socket.gethostname().split(".")[0]
        for sub in ("state", "spool", "log"):
            (d / sub).mkdir()
        key = d / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        self.munge_sock = d / "munge.sock"
        ctld_port, d_port = free_port(), free_port()
        (d / "plugstack.conf").write_text(f"required {PLUGIN} socket={sock}\n")
        (d / "slurm.conf").write_text(f"""ClusterName=aimtest
SlurmctldHost={self.host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.munge_sock}
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/log/slurmctld.log
SlurmdLogFile={d}/log/slurmd.log
SlurmdDebug=debug
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
ReturnToService=2
MpiDefault=none
PlugStackConfig={d}/plugstack.conf
NodeName={self.host} NodeAddr=127.0.0.1 CPUs={os.cpu_count()} State=UNKNOWN
PartitionName=debug Nodes={self.host} Default=YES MaxTime=INFINITE State=UP
""")

    def start(self, name, *cmd):
        log = open(self.d / "log" / f"{name}.out", "w")
        p = subprocess.Popen(list(cmd), stdout=log, stderr=subprocess.STDOUT, env=self.env,
                             start_new_session=True)
        self.procs.append((name, p))
        return p

    def log(self, name):
        text = ""
        for f in (f"{name}.log", f"{name}.out"):
            p = self.d / "log" / f
            if p.is_file():
                text += p.read_text(errors="replace")[-3000:]
        return text

    def up(self):
        munged = self.start("munged", str(SBIN / "munged"), "-F", "--force",
                            f"--key-file={self.d}/munge.key", f"--socket={self.munge_sock}",
                            f"--pid-file={self.d}/munged.pid", f"--seed-file={self.d}/munge.seed",
                            f"--log-file={self.d}/log/munged.log")
        wait_until(lambda: self.munge_sock.exists() or munged.poll() is not None, "munged's socket")
        if munged.poll() is not None:
            return "munged did not start: " + self.log("munged")
        conf = str(self.d / "slurm.conf")
        ctld = self.start("slurmctld", str(SBIN / "slurmctld"), "-D", "-f", conf)
        slurmd = self.start("slurmd", str(SBIN / "slurmd"), "-D", "-f", conf)

        def idle():
            r = subprocess.run(["sinfo", "-h", "-o", "%t"], env=self.env, capture_output=True,
                               text=True)
            return ctld.poll() is not None or slurmd.poll() is not None or \
                r.stdout.strip() == "idle"
        wait_until(idle, "the node idle in sinfo", DEADLINE)
        if ctld.poll() is not None:
            return "slurmctld did not start: " + self.log("slurmctld")
        assert slurmd.poll() is None, "slurmd stopped: " + self.log("slurmd")
        return None

    def no_jobs(self):
        r = self.run("squeue", "-h", "-o", "%i")
        return r.returncode != 0 or not r.stdout.strip()

    def down(self):
        # Jobs first: their slurmstepd outlives slurmd (SLURM's design), so each is cancelled
        # and waited for while slurmctld and slurmd still run.
        if all(p.poll() is None for _, p in self.procs):
            self.run("scancel", "--full", "--user", "root")
            try:
                wait_until(self.no_jobs, "the jobs cancelled", DEADLINE)
            except AssertionError:
                pass  # the daemons are stopped all the same
        for name, p in reversed(self.procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=DEADLINE)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()

    def run(self, *cmd, timeout=DEADLINE):
        return subprocess.run(list(cmd), env=self.env, capture_output=True, text=True,
                              timeout=timeout, cwd=self.d)


def cluster_with_agent(tmp_path, db):
    why = missing()
    if why:
        pytest.skip("SLURM cannot run here: " + why)
    d = Path(tempfile.mkdtemp(prefix="aim-sl-"))  # short: socket paths hold 107 bytes
    sock = str(d / "agent.sock")
    agent = cluster = None
    try:
        agent = Agent(tmp_path, db, sock)
        cluster = Cluster(d, sock)
        why = cluster.up()
        if why:
            pytest.skip("SLURM cannot run here: " + why)
        yield agent, cluster
    finally:
        if cluster:
            cluster.down()
        if agent and agent.proc.poll() is None:
            agent.stop()
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def slurm(tmp_path, db):
    yield from cluster_with_agent(tmp_path, db)


@pytest.fixture
def slurm_any_store(tmp_path, store_url):
    """The same with the agent's store on each back-end (SQLite, PostgreSQL)."""
    yield from cluster_with_agent(tmp_path, store_url)


def tags_of(run):
    t = run.get("tags") or {}
    return t if isinstance(t, dict) else {x["key"]: x["value"] for x in t}


def job_runs(db):
    return {tags_of(r).get("job"): r for r in ls_json(db) if r["name"].startswith("job ")}


def test_a_batch_job_gets_its_run_from_the_agent(slurm_any_store):
    agent, cluster = slurm_any_store
    script = cluster.d / "job.sh"
    script.write_text("#!/bin/sh\n"
                      "aimeter phase begin train\n"
                      "sleep 1\n"
                      "aimeter phase end\n"
                      "echo job=$AIMETER_JOB socket=$AIMETER_AGENT_SOCKET\n")
    r = cluster.run("sbatch", "--wait", "--parsable", "-o", str(cluster.d / "out.txt"),
                    "--aimeter=tag:project=llm", str(script))
    assert r.returncode == 0, r.stderr + cluster.log("slurmd")
    job = r.stdout.strip().split(";")[0]
    out = (cluster.d / "out.txt").read_text()
    # the plugin gave the job's tasks its id and the agent's socket
    assert f"job={job} socket={agent.sock}" in out, out
    wait_until(lambda: job in job_runs(agent.db), f"the run of job {job}", DEADLINE)
    run = job_runs(agent.db)[job]
    agent_run = [r for r in ls_json(agent.db) if r["name"] == "agent"][0]
    tags = tags_of(run)
    assert tags["node"] == cluster.host and tags["node_rank"] == "0"
    assert tags["ranks"] == "0" and tags["user"] == "root"
    assert tags["measured_by"] == "agent" and tags["agent_run"] == agent_run["id"]
    assert tags["project"] == "llm"  # --aimeter=tag:
    assert run["name"] == f"job {job}" and run["status"] == "completed"
    rep = report_json(agent.db, run["id"])
    gpus = [d for d in rep["energy"]["devices"] if d["device"].startswith("gpu")]
    assert len(gpus) == 2 and all(d["energy_j"] > 0 for d in gpus), rep["energy"]
    assert rep["energy"]["total_j"] > 0
    # the job's phase is in the agent's run, under the job's id, and in the job's run
    phases = {p["name"] for p in report_json(agent.db, agent_run["id"])["workload"]["phases"]}
    assert f"{job}: train" in phases
    own = {p["name"]: p for p in (rep.get("workload") or {}).get("phases", [])}
    assert set(own) == {"train"}, rep.get("workload")
    assert own["train"]["instances"] == 1 and own["train"]["unterminated"] == 0
    # what the operator reads: `aimeter jobs` and `aimeter report --job`
    r = run_aimeter("jobs", "--db", agent.db, "--user", "root", "--format", "csv")
    assert r.returncode == 0 and job in r.stdout, r.stderr
    r = run_aimeter("report", "--job", job, "--db", agent.db, "--format", "json")
    assert r.returncode == 0, r.stderr
    whole = json.loads(r.stdout)
    assert whole["nodes"] == 1 and whole["per_node"][0]["measured_by"] == "agent"
    assert whole["energy_j"] == pytest.approx(rep["energy"]["total_j"])
    assert [p["name"] for p in whole["phases"]] == ["train"]


def test_a_joined_run_does_not_end_the_jobs_window(slurm):
    """Review finding 4: `aimeter run -- true` in the batch script joins the job and leaves;
    the job's run still covers the whole job (its phase after the joined run is in it)."""
    agent, cluster = slurm
    script = cluster.d / "prep.sh"
    script.write_text("#!/bin/sh\n"
                      "aimeter run -- true\n"
                      "aimeter phase begin train\n"
                      "aimeter phase end\n")
    r = cluster.run("sbatch", "--wait", "--parsable", "-o", str(cluster.d / "prep.txt"),
                    str(script))
    assert r.returncode == 0, r.stderr + cluster.log("slurmd")
    job = r.stdout.strip().split(";")[0]
    wait_until(lambda: job in job_runs(agent.db), f"the run of job {job}", DEADLINE)
    assert agent.stop() == 0  # every job run written
    runs = [x for x in ls_json(agent.db) if x["name"] == f"job {job}"]
    assert len(runs) == 1, runs
    rep = report_json(agent.db, runs[0]["id"])
    phases = {p["name"] for p in (rep.get("workload") or {}).get("phases", [])}
    assert "train" in phases, ((cluster.d / "prep.txt").read_text(), rep.get("workload"))


def test_srun_jobs_and_aimeter_off(slurm):
    agent, cluster = slurm
    r = cluster.run("srun", "-N1", "-n1", "sh", "-c", "echo job=$SLURM_JOB_ID aim=$AIMETER_JOB")
    assert r.returncode == 0, r.stderr
    job = r.stdout.split("job=")[1].split()[0]
    assert f"aim={job}" in r.stdout
    r = cluster.run("srun", "-N1", "-n1", "--aimeter=off", "sh", "-c",
                    "echo job=$SLURM_JOB_ID aim=$AIMETER_JOB")
    assert r.returncode == 0, r.stderr
    off = r.stdout.split("job=")[1].split()[0]
    assert "aim=\n" in r.stdout or r.stdout.rstrip().endswith("aim="), r.stdout
    # a bad option is the user's error, said by srun; no job is started
    r = cluster.run("srun", "-N1", "--aimeter=colour", "true")
    assert r.returncode != 0 and "--aimeter" in r.stderr
    # the job run's own tags are aimeter's (review finding 5)
    r = cluster.run("srun", "-N1", "--aimeter=tag:project=x,tag:measured_by=run", "true")
    assert r.returncode != 0 and "tag:measured_by is aimeter's own" in r.stderr, r.stderr
    wait_until(lambda: job in job_runs(agent.db), f"the run of job {job}", DEADLINE)
    assert off not in job_runs(agent.db)
    assert agent.stop() == 0
    assert off not in job_runs(agent.db), "--aimeter=off measured the job"


def test_an_absent_agent_never_blocks_a_job(slurm):
    agent, cluster = slurm
    assert agent.stop() == 0  # no agent on the node now
    r = cluster.run("srun", "-N1", "-n1", "sh", "-c", "echo ran aim=$AIMETER_JOB")
    assert r.returncode == 0 and "ran aim=" in r.stdout, r.stderr
    assert not any(r["name"].startswith("job ") for r in ls_json(agent.db))


def test_a_job_running_when_the_agent_stops_gets_a_cut_run(slurm):
    agent, cluster = slurm
    go = cluster.d / "go"
    script = cluster.d / "wait.sh"
    script.write_text(f"#!/bin/sh\nwhile [ ! -e {go} ]; do sleep 0.1; done\n")
    r = cluster.run("sbatch", "--parsable", "-o", "/dev/null", str(script))
    assert r.returncode == 0, r.stderr
    job = r.stdout.strip().split(";")[0]
    try:
        wait_until(lambda: f'hpc_job="{job}"' in agent.metrics(), f"job {job} at the agent",
                   DEADLINE)
        assert agent.stop() == 0
    finally:
        go.touch()
    wait_until(cluster.no_jobs, f"job {job} to end", DEADLINE)
    run = job_runs(agent.db)[job]
    assert run["status"] == "interrupted"
    warnings = report_json(agent.db, run["id"])["warnings"]
    assert any("the agent stopped while the job ran" in w for w in warnings), warnings


def test_a_trickling_peer_never_holds_a_job(slurm):
    """Review finding 11c: a peer on the agent's socket that answers one byte a second, never
    a whole line, holds each of the plugin's exchanges 2 s at most (not 2 s a byte: ~17 min
    a job). The job finishes well within the test's deadline."""
    agent, cluster = slurm
    assert agent.stop() == 0
    if os.path.exists(agent.sock):
        os.unlink(agent.sock)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(agent.sock)
    server.listen(8)
    stop = threading.Event()

    def trickle(conn):
        with conn:
            while not stop.is_set():
                try:
                    conn.sendall(b"o" if not stop.wait(1) else b"")
                except OSError:
                    return

    def accept():
        server.settimeout(0.5)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=trickle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        r = cluster.run("srun", "-N1", "-n1", "sh", "-c", "echo ran")
        assert r.returncode == 0 and "ran" in r.stdout, r.stderr
    finally:
        stop.set()
        server.close()
