"""A batch job across nodes (issue 16): `aimeter report --job` and `aimeter jobs`.

Two "nodes" are two `aimeter run` processes measuring the fake NVML's two GPUs, with the
same SLURM_JOB_ID and different SLURMD_NODENAME (the node tag's own variable: no host name
is faked), into ONE store, SQLite or PostgreSQL (store_url). A third run on node n1 of the
same job lies inside n1's (FIFO-gated, not timed): the node is measured twice, counted once
with a warning. Then:
  - the job tags are set from the environment (job, node, node_rank, ranks, user,
    measured_by), a --tag given by the user wins;
  - `report --job` totals are the sums of the counted nodes' own `report --json` totals, per
    node figures are each run's, phases are aligned by name with the slowest node named;
  - `jobs` lists the job (text, csv, json) with its node count and warning count;
  - an unknown job is exit 66, a RUN with --job is a usage error.
"""
import csv
import io
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import AIMETER, EX_USAGE, assert_one_error, gpu_env, run_aimeter
from pgserver import query

JOB = "4242"


def node_env(node, node_id, gtids, **extra):
    return gpu_env(SLURM_JOB_ID=JOB, SLURMD_NODENAME=node, SLURM_NODEID=node_id,
                   SLURM_GTIDS=gtids, SLURM_JOB_USER="ada", **extra)


def start(store, name, env, *extra, inside=""):
    """An `aimeter run` of one node: a phase "train" and a samples counter inside it, and the
    shell commands inside run within the phase. Its own process group (killed at the end)."""
    a = str(AIMETER)
    script = f"{a} phase begin train; {a} record samples 64; {inside} {a} phase end train"
    cmd = [a, "run", "-q", "--no-agent", "--db", str(store), "-n", name, "-i", "50ms", *extra,
           "--", "sh", "-c", script]
    full = dict(os.environ, **{k: str(v) for k, v in env.items()})
    return subprocess.Popen(cmd, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def release(fifo):
    """Writes a line into fifo if a reader waits there (never blocks: no reader, nothing)."""
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return
    with os.fdopen(fd, "w") as f:
        f.write("go\n")


@pytest.fixture
def job_store(store_url, tmp_path):
    """The store with the job's three runs: n1, n2, and n1 again inside n1's window, plus an
    unrelated run. Returns (store, {name: run id}). The overlap is made by construction, not
    by sleeps: n1 signals it is inside its phase, then blocks on a FIFO; n1-again runs to its
    end meanwhile; only then is n1 released. So n1-again starts after n1 and ends before it,
    and n1 is the longer of the two whatever the machine's load."""
    inside, go = tmp_path / "n1-inside", tmp_path / "n1-go"
    os.mkfifo(go)
    n1 = start(store_url, "n1", node_env("n1", "0", "0,1,2,3"),
               inside=f": > {inside}; read x < {go};")
    procs = {"n1": n1}
    try:
        deadline = time.monotonic() + 60  # until n1's command runs (no timing asserted)
        while not inside.exists():
            assert n1.poll() is None and time.monotonic() < deadline, n1.communicate()[1]
            time.sleep(0.02)
        procs["n2"] = start(store_url, "n2", node_env("n2", "1", "4,5,6,7"), "--tag",
                            "user=grace")
        procs["n1-again"] = start(store_url, "n1-again", node_env("n1", "0", "0,1,2,3"))
        for name in ("n1-again", "n2"):
            out, err = procs[name].communicate(timeout=120)
            assert procs[name].returncode == 0, f"{name}: {err}"
        assert n1.poll() is None  # still blocked: n1-again lay inside its window
        release(go)
        out, err = n1.communicate(timeout=120)
        assert n1.returncode == 0, f"n1: {err}"
    finally:
        release(go)
        for p in procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
    r = run_aimeter("run", "-q", "--no-agent", "--db", store_url, "-n", "alone", "--", "true")
    assert r.returncode == 0, r.stderr
    ids = dict(query(store_url, "SELECT name, id FROM runs"))
    return store_url, ids


def tags(store, run_id):
    return dict(query(store, f"SELECT key, value FROM run_tags WHERE run_id = '{run_id}'"))


def run_json(store, run_id):
    r = run_aimeter("report", run_id, "--db", store, "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_job_tags_from_the_environment(job_store):
    store, ids = job_store
    t = tags(store, ids["n1"])
    assert t == {"job": JOB, "slurm_job": JOB, "node": "n1", "node_rank": "0", "ranks": "0-3",
                 "user": "ada", "measured_by": "run"}
    assert tags(store, ids["n2"])["user"] == "grace"       # --tag wins
    assert "job" not in tags(store, ids["alone"])          # no job, no job tags


def test_report_job_sums_the_nodes_and_counts_a_node_once(job_store):
    store, ids = job_store
    r = run_aimeter("report", "--job", JOB, "--db", store, "--format", "json")
    assert r.returncode == 0, r.stderr
    job = json.loads(r.stdout)
    assert job["schema"] == "aimeter.job/1" and job["job"] == JOB and job["user"] == "ada"
    assert job["runs"] == 3 and job["nodes"] == 2
    # n1 measured twice: the longer run counts (both measured directly), with one warning
    by_node = {n["node"]: n for n in job["per_node"]}
    assert sorted(by_node) == ["n1", "n2"]
    assert by_node["n1"]["run"] == ids["n1"] and by_node["n2"]["run"] == ids["n2"]
    assert job["warnings"] == 1
    assert "node n1 measured twice" in job["warning_lines"][0]
    assert f"counted once, from run {ids['n1']}" in job["warning_lines"][0]
    # totals: the sum of the counted nodes' own reports
    a, b = run_json(store, ids["n1"]), run_json(store, ids["n2"])
    assert a["energy"]["total_j"] > 0 and b["energy"]["total_j"] > 0
    assert by_node["n1"]["energy_j"] == pytest.approx(a["energy"]["total_j"], rel=1e-9)
    assert by_node["n2"]["energy_j"] == pytest.approx(b["energy"]["total_j"], rel=1e-9)
    # a run measures its whole node: the node's figure is the node's own, said so
    assert by_node["n1"]["method"] == "node"
    assert by_node["n1"]["node_energy_j"] == pytest.approx(by_node["n1"]["energy_j"], rel=1e-9)
    assert job["energy_j"] == pytest.approx(a["energy"]["total_j"] + b["energy"]["total_j"],
                                            rel=1e-9)
    assert job["carbon_g"] == pytest.approx(a["carbon"]["g"] + b["carbon"]["g"], rel=1e-9)
    # the phase of both nodes, aligned by name, a slowest node named (which one depends on
    # scheduling: tests/unit/test_job.c checks the straggler on fixed figures)
    train = [p for p in job["phases"] if p["name"] == "train"]
    assert len(train) == 1 and sorted(x["node"] for x in train[0]["per_node"]) == ["n1", "n2"]
    assert train[0]["slowest_node"] in ("n1", "n2")
    # J per sample over the counted nodes' records (64 each)
    samples = [w for w in job["records"] if w["key"] == "samples"][0]
    assert samples["total"] == 128
    assert samples["j_per_unit"] == pytest.approx(job["energy_j"] / 128, rel=1e-9)


def test_report_job_text_markdown_html_and_output_file(job_store, tmp_path):
    store, ids = job_store
    r = run_aimeter("report", "--job", JOB, "--db", store)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"Job {JOB}\n") and "node n1 measured twice" in r.stdout
    assert "Phases" in r.stdout and "train" in r.stdout
    r = run_aimeter("report", "--job", JOB, "--db", store, "-f", "markdown")
    assert r.returncode == 0 and r.stdout.startswith(f"# Job {JOB}\n")
    out = tmp_path / "job.html"
    r = run_aimeter("report", "--job", JOB, "--db", store, "-f", "html", "-o", out)
    assert r.returncode == 0, r.stderr
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<h2>Phases</h2>" in page


def test_jobs_lists_the_job(job_store):
    store, ids = job_store
    r = run_aimeter("jobs", "--db", store, "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 1
    assert rows[0]["job"] == JOB and rows[0]["user"] == "ada" and rows[0]["nodes"] == "2"
    assert rows[0]["state"] == "completed" and rows[0]["warnings"] == "1"
    job = json.loads(run_aimeter("report", "--job", JOB, "--db", store, "-f", "json").stdout)
    assert float(rows[0]["energy_kwh"]) == pytest.approx(job["energy_kwh"], abs=1e-9)  # 9 decimals
    listed = json.loads(run_aimeter("jobs", "--db", store, "-f", "json").stdout)
    assert listed["schema"] == "aimeter.jobs/1" and [j["job"] for j in listed["jobs"]] == [JOB]
    assert run_aimeter("jobs", "--db", store, "--user", "nobody", "-f", "csv").stdout.count("\n") == 1
    assert JOB in run_aimeter("jobs", "--db", store, "--user", "ada", "--since", "1d").stdout
    assert JOB not in run_aimeter("jobs", "--db", store, "--since", "2999-01-01").stdout


def test_unknown_job_and_bad_arguments(db):
    r = run_aimeter("run", "-q", "--no-agent", "--db", db, "--", "true")
    assert r.returncode == 0, r.stderr
    r = run_aimeter("report", "--job", "nope", "--db", db)
    assert_one_error(r, 66)
    assert "no run of job nope" in r.stderr
    assert_one_error(run_aimeter("report", "last", "--job", "1", "--db", db), EX_USAGE)
    assert_one_error(run_aimeter("jobs", "--db", db, "--since", "soon"), EX_USAGE)
    assert_one_error(run_aimeter("jobs", "--db", db, "-f", "markdown"), EX_USAGE)
