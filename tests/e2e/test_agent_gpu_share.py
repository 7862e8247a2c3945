"""Per-job GPU shares on a shared GPU (issue 16, last requirement; docs/methodology.md,
"Attribution"): `aimeter agent` splits one GPU between the batch jobs that use it by the SM
time of each job's processes in NVML's process samples (gpu.job_sm_util / gpu.util), a job's
processes being those whose cgroup (/proc/PID/cgroup, the "0::" line) lies in the job's.

Everything the agent reads is fake, so the shares asserted are the ones set whatever the
machine does: the fake NVML (tests/fakes/fake_nvml.c) has one GPU at constant power with fixed
process samples, and a fixture procfs (AIMETER_PROCFS_ROOT) gives those pids a `stat` and a
`cgroup`. Only the NVML source runs (--sources nvml), so the GPU is the only device and a job
run's `attribution` tag has the GPU's word alone. The jobs are told to the agent as the SLURM
plugin tells them (contrib/slurm/aimeter_spank.c): `job ID`, `job info ...` and later
`job end`, as root (the tests and CI run as root; `job info` is root's only).

Nothing depends on timing: the jobs run until the agent's own window of them is long enough
(`job status`), every wait is for a condition with a generous deadline, and the ratios asserted
hold whatever the window's edges (a 50 ms interval, samples every 100 ms, windows of >= 2 s).

Two tests keep faults of the first implementation fixed (they failed against it): a job's
"no other job's processes" counted other jobs' energy after its end, and by a difference of two
sums whose rounding took the whole GPU from a job alone on it. One covers jobs whose cgroups
cannot be told apart."""
import os
import signal
import socket
import sqlite3

import pytest

from agentproc import DEADLINE, sock_dir, stop_agent, talk, wait_until  # noqa: F401 (fixture)
from conftest import FAKE_NVML, popen_aimeter

W = 200  # the GPU's constant power, W

PROCESS_SHARE = "processes' share of SM time"   # job_run.c's method text, GPU by processes
WHOLE = "(whole)"                               # ... and by the batch system's allotment


# ------------------------------------------------------------------ fixture trees

def write_procfs(root, pids):
    """<root>/<pid>/stat and <pid>/cgroup for each pid -> cgroup path. The stat line is a real
    one's shape (procfs_parse.c aim__parse_pid_stat: pid, (comm), state, then the numeric
    fields, ppid first, starttime the 19th after the state); the cgroup file has a v1 line
    before the v2 "0::" one, as on a hybrid host."""
    for pid, cgroup in pids.items():
        d = root / str(pid)
        d.mkdir(parents=True)
        fields = [1] + [0] * 17 + [424242] + [0] * 30  # ppid 1 ... starttime ...
        (d / "stat").write_text(f"{pid} (python3) S " + " ".join(map(str, fields)) + "\n")
        (d / "cgroup").write_text(f"1:name=systemd:{cgroup}\n0::{cgroup}\n")


def write_scenario(path, util, procs):
    """One fake GPU at W watts, utilisation util %, the process samples {pid: SM %}."""
    lines = ["gpus 1", f"gpu0 util {util} 10", f"gpu0 power 0:{W * 1000}"]
    lines += [f"gpu0 proc {pid} {sm} 1073741824" for pid, sm in procs.items()]
    path.write_text("\n".join(lines) + "\n")


# ------------------------------------------------------------------ the agent

class ShareAgent:
    """An agent measuring the fake GPU only, with the fixture procfs, its own socket and
    store, and no HTTP listener (nothing here reads /metrics)."""

    def __init__(self, tmp_path, sock_dir, pids, util, procs):
        procfs = tmp_path / "proc"
        write_procfs(procfs, pids)
        scenario = tmp_path / "gpu.scenario"
        write_scenario(scenario, util, procs)
        # An empty sysfs: the jobs' cgroup files (cpu.stat, memory.current) are not there, so
        # nothing of the machine's own cgroups can enter a job's figures.
        (tmp_path / "sys").mkdir()
        self.sock = os.path.join(sock_dir, "agent.sock")
        self.db = str(tmp_path / "runs.db")
        env = {"AIMETER_AGENT_SOCKET": self.sock, "AIMETER_PROCFS_ROOT": procfs,
               "AIMETER_SYSFS_ROOT": tmp_path / "sys", "AIMETER_NVML_LIBRARY": FAKE_NVML,
               "AIMETER_FAKE_NVML_SCENARIO": scenario}
        assert FAKE_NVML.is_file(), f"fake NVML not built: {FAKE_NVML}"
        self.proc, _, self.err = popen_aimeter(
            "agent", "--sources", "nvml", "-i", "50ms", "--db", self.db, "--no-listen",
            out_dir=tmp_path, env=env)
        wait_until(lambda: "control socket" in self.err.read_text() or self.proc.poll() is not None,
                   "the agent's start line")
        assert self.proc.poll() is None, self.err.read_text()

    def talk(self, *lines):
        """lines on one connection to the control socket; the reply lines."""
        return talk(self.sock, lines)

    def start_job(self, job, gpus=None, cgroup=None):
        """What the SLURM plugin sends at a task's start (as root): the job's cgroup
        (/system.slice/job_ID unless given), and its allotted GPUs when gpus is given."""
        info = f"job info uid=0 user=root cgroup={cgroup or f'/system.slice/job_{job}'}"
        if gpus is not None:
            info += f" gpus={gpus}"
        assert self.talk(f"job {job}", info) == ["ok new", "ok"]

    def end_job(self, job):
        """The plugin's epilog: root's `job end` ends the job whatever holds it."""
        replies = self.talk(f"job {job}", "job end")
        assert replies[0] == "ok" and replies[1].startswith("ok "), replies

    def job_seconds(self, job):
        """The agent's window of the running job so far (`job status`: ok SECONDS ...)."""
        replies = self.talk(f"job {job}", "job status")
        assert replies[0] == "ok" and replies[1].startswith("ok "), replies
        return float(replies[1].split()[1])

    def run_for(self, jobs, seconds):
        """Until the agent's window of each job is at least `seconds` long."""
        for job in jobs:
            wait_until(lambda job=job: self.job_seconds(job) >= seconds,
                       f"{seconds} s of job {job} at the agent")

    def wait_stored(self, *jobs):
        """Until each job's run is in the store (the writer stores it >= 2 s after its end)."""
        wait_until(lambda: all(j in job_runs(self.db) for j in jobs),
                   f"the runs of jobs {jobs} in the store")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=DEADLINE)


@pytest.fixture
def start_agent(tmp_path, sock_dir):
    agents = []

    def start(pids, util, procs):
        a = ShareAgent(tmp_path, sock_dir, pids, util, procs)
        agents.append(a)
        return a
    yield start
    for a in agents:
        stop_agent(a.proc)


# ------------------------------------------------------------------ the store

def job_runs(db):
    """{job id: its run's gpu0 row and tags} from the agent's store; {} before its tables."""
    try:
        with sqlite3.connect(db) as c:
            rows = c.execute(
                "SELECT r.id, t.value, r.total_energy_j, r.status, d.energy_j, d.attributed_j, "
                "d.attributed_method FROM runs r "
                "JOIN run_tags t ON t.run_id = r.id AND t.key = 'job' "
                "JOIN devices d ON d.run_id = r.id AND d.name = 'gpu0'").fetchall()
            tags = {}
            for run_id, key, value in c.execute("SELECT run_id, key, value FROM run_tags"):
                tags.setdefault(run_id, {})[key] = value
    except sqlite3.OperationalError:
        return {}
    return {job: {"total_j": total, "status": status, "energy_j": e, "attributed_j": a,
                  "method": m, "tags": tags.get(run_id, {})}
            for run_id, job, total, status, e, a, m in rows}


def ratio(run):
    assert run["energy_j"] > 0 and run["attributed_j"] is not None, run
    return run["attributed_j"] / run["energy_j"]


def words(run):
    return run["tags"].get("attribution", "").split(",")


# ------------------------------------------------------------------ tests

def test_two_jobs_sharing_a_gpu_split_it_by_their_processes_sm_time(start_agent):
    """Jobs 7001 and 7002 share GPU 0 (both `gpus=0`, as with MPS or --gres=shard). The GPU is
    100 % busy: 60 % of SM time is pid 4001's (in a task cgroup below job 7001's), 20 % pid
    4002's (in a step of job 7002) and 20 % pid 4003's, in no job (a login session). So job
    7001 gets 60 % of the GPU's energy over its window, job 7002 20 %, and 4003's 20 % is no
    job's. Before, each job's allotment gave it the whole GPU: twice the GPU's energy in all."""
    a = start_agent(pids={4001: "/system.slice/job_7001/step_0/task_0",
                          4002: "/system.slice/job_7002/step_0",
                          4003: "/user.slice/user-1000.slice/session-3.scope"},
                    util=100, procs={4001: 60, 4002: 20, 4003: 20})
    # Both jobs start together and end together: the same samples count for both.
    a.start_job("7001", gpus="0")
    a.start_job("7002", gpus="0")
    a.run_for(["7001", "7002"], 5.0)
    a.end_job("7001")
    a.end_job("7002")
    a.wait_stored("7001", "7002")
    assert a.stop() == 0
    runs = job_runs(a.db)
    j1, j2 = runs["7001"], runs["7002"]
    for run in (j1, j2):
        assert run["status"] == "completed", run
        assert words(run) == ["gpu-processes"], run["tags"]
        assert PROCESS_SHARE in run["method"], run["method"]
        # the job's total is its attributed energy (the GPU is the only device)
        assert run["total_j"] == pytest.approx(run["attributed_j"], rel=1e-9)
    # Between the two jobs, the GPU's energy goes 60 : 20 (the same intervals count for both,
    # but for one poll that may fall between the two starts or ends).
    assert j1["attributed_j"] / (j1["attributed_j"] + j2["attributed_j"]) == \
        pytest.approx(0.75, abs=0.02), (j1, j2)
    # Each job's share of the GPU's energy over its window. The job's energy (share x each
    # interval's) and the GPU's over the job's window (the node's counter when the job began
    # and ended, as the writer last published it) are taken on clocks apart by the writer's
    # lag (it drains every 250 ms, longer over a commit) and the counter's 100 ms steps:
    # 3 s windows came out 11 % high, 4 s ones 9 % on a loaded machine. So the shares hold to
    # 15 % over >= 5 s: still far from the allotment's 1 and from the jobs' SM over the SM in
    # jobs (0.75 and 0.25).
    assert ratio(j1) == pytest.approx(0.60, rel=0.15), j1
    assert ratio(j2) == pytest.approx(0.20, rel=0.15), j2
    # 4003's fifth goes to nobody: the two together get about 80 % of what the GPU drew.
    total = j1["attributed_j"] + j2["attributed_j"]
    assert total / max(j1["energy_j"], j2["energy_j"]) == pytest.approx(0.80, rel=0.15), (j1, j2)
    assert total < min(j1["energy_j"], j2["energy_j"])


def test_a_job_alone_on_its_gpu_gets_it_whole_and_a_job_off_it_none(start_agent):
    """Job 8001 is given GPU 0 and its process (5001, 30 % of SM time) is the only job's
    process there: the GPU is its whole, by the allotment (a foreign process, 5003 in a login
    session, is no other job's). Job 8002, given no GPUs, runs meanwhile with its processes
    off the GPU (pid 5002 is not in NVML's samples): nothing of the GPU is its, where before a
    job without `gpus=` was given the whole node's GPU energy (attribution "node")."""
    a = start_agent(pids={5001: "/system.slice/job_8001/step_0",
                          5002: "/system.slice/job_8002/step_batch",
                          5003: "/user.slice/user-1000.slice/session-3.scope"},
                    util=100, procs={5001: 30, 5003: 40})
    a.start_job("8001", gpus="0")
    a.start_job("8002")
    a.run_for(["8001", "8002"], 2.0)
    a.end_job("8001")
    a.end_job("8002")
    a.wait_stored("8001", "8002")
    assert a.stop() == 0
    runs = job_runs(a.db)
    alone, off = runs["8001"], runs["8002"]
    assert words(alone) == ["gpus"], alone["tags"]
    assert WHOLE in alone["method"], alone["method"]
    assert ratio(alone) == pytest.approx(1.0, rel=1e-9), alone
    assert words(off) == ["gpu-processes"], off["tags"]
    assert PROCESS_SHARE in off["method"], off["method"]
    assert ratio(off) == pytest.approx(0.0, abs=1e-9), off
    assert off["total_j"] == pytest.approx(0.0, abs=1e-6), off


def test_a_job_keeps_its_whole_gpu_when_the_next_starts_right_after_it(start_agent):
    """Job 8000 has GPU 0 alone and ends; job 8001 is given the GPU right after, before the
    agent stores 8000's run (it does so >= 2 s after the end). No other job's process was on
    the GPU while 8000 ran, so 8000 gets the whole GPU. The first implementation took the
    jobs' figures when the run was stored, so 8001's energy after 8000's end counted as
    another job's on 8000's GPU: 8000 got its processes' 37 %."""
    a = start_agent(pids={5000: "/system.slice/job_8000", 5001: "/system.slice/job_8001/step_0"},
                    util=100, procs={5000: 37, 5001: 33})
    a.start_job("8000", gpus="0")
    a.run_for(["8000"], 2.0)
    a.end_job("8000")
    a.start_job("8001", gpus="0")
    if "8000" in job_runs(a.db):
        pytest.skip("job 8000's run was stored before job 8001 started: not the case tested")
    a.run_for(["8001"], 1.0)
    a.wait_stored("8000")
    assert a.stop() == 0
    first = job_runs(a.db)["8000"]
    assert words(first) == ["gpus"], (first["tags"], first)
    assert WHOLE in first["method"], first["method"]
    assert ratio(first) == pytest.approx(1.0, rel=1e-9), first


def test_a_later_job_alone_on_its_gpu_gets_it_whole(start_agent):
    """Job 8000 runs on GPU 0 and is stored; later job 8002 (no GPUs) and job 8001 (GPU 0, its
    process the only job's there: 8000's left-over process is in no running job) start, 8001
    in a job slot that never had energy. 8001 gets the whole GPU. The first implementation
    took "other jobs' energy" as (all slots' now - then) - (this slot's now - then): rounding
    left ~3e-13 J > 0 since the first sum started at 8000's energy, and 8001 got its
    processes' 33 % (3 runs of 3)."""
    a = start_agent(pids={5000: "/system.slice/job_8000", 5001: "/system.slice/job_8001/step_0"},
                    util=100, procs={5000: 37, 5001: 33})
    a.start_job("8000", gpus="0")
    a.run_for(["8000"], 2.0)
    a.end_job("8000")
    a.wait_stored("8000")
    a.start_job("8002")            # takes the slot 8000 left
    a.start_job("8001", gpus="0")  # a fresh one
    a.run_for(["8001", "8002"], 2.0)
    a.end_job("8001")
    a.end_job("8002")
    a.wait_stored("8001", "8002")
    assert a.stop() == 0
    runs = job_runs(a.db)
    assert ratio(runs["8000"]) == pytest.approx(1.0, rel=1e-9), runs["8000"]
    later = runs["8001"]
    assert words(later) == ["gpus"], (later["tags"], later)
    assert ratio(later) == pytest.approx(1.0, rel=1e-9), later
    assert ratio(runs["8002"]) == pytest.approx(0.0, abs=1e-9), runs["8002"]


def test_jobs_in_one_cgroup_are_counted_by_their_allotment(start_agent):
    """A node whose jobs have no cgroups of their own (SLURM without its cgroup plugins: every
    job's processes in slurmstepd's scope) tells both jobs' cgroup as the same path. Their
    processes cannot be told apart: counting each process for either job would give one job
    the other's SM time. So neither is split by processes: each gets its allotted GPU whole,
    and its run says why."""
    scope = "/system.slice/slurmstepd.scope"
    a = start_agent(pids={6001: scope + "/job_9001", 6002: scope + "/job_9002"},
                    util=100, procs={6001: 70, 6002: 30})
    a.start_job("9001", gpus="0", cgroup=scope)
    a.start_job("9002", gpus="0", cgroup=scope)
    a.run_for(["9001", "9002"], 1.0)
    a.end_job("9001")
    a.end_job("9002")
    a.wait_stored("9001", "9002")
    assert a.stop() == 0
    runs = job_runs(a.db)
    with sqlite3.connect(a.db) as c:
        warnings = dict(c.execute("SELECT t.value, r.warnings FROM runs r JOIN run_tags t "
                                  "ON t.run_id = r.id AND t.key = 'job'"))
    for job in ("9001", "9002"):
        run = runs[job]
        assert words(run) == ["gpus"], (job, run["tags"])
        assert WHOLE in run["method"], run["method"]
        assert ratio(run) == pytest.approx(1.0, rel=1e-9), run
        assert "same or a nested cgroup" in warnings[job], (job, warnings[job])
