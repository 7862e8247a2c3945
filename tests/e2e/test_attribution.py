"""Attribution on a shared machine: the measured process tree's share of each device's energy
(CPU by its share of the busy CPU time, DRAM by memory, GPU by SM share from NVML's process
samples), next to the whole device's energy (docs/methodology.md, Attribution)."""
import subprocess
import time

from conftest import BUILD, report_json, run_aimeter

FAKE_NVML = BUILD / "tests" / "fakes" / "libfake_nvml.so"
BUSY = ["sh", "-c", "while :; do :; done"]


def attribution(rep):
    return {d["device"]: d for d in rep["attribution"]["devices"]}


def test_cpu_share_with_a_foreign_busy_process(db):
    """The command keeps one CPU busy while another process, outside its tree, keeps the
    other busy: the command gets about half of the CPU's energy, and alone nearly all."""
    foreign = subprocess.Popen(BUSY)
    try:
        time.sleep(0.2)
        r = run_aimeter("run", "-q", "-i", "50ms", "--sources", "procfs,proctree,estimate",
                        "--db", db, "--", "timeout", "1.5", *BUSY)
    finally:
        foreign.kill()
        foreign.wait()
    assert r.returncode == 124, r.stderr
    shared = attribution(report_json(db))["cpu0"]
    r = run_aimeter("run", "-q", "-i", "50ms", "--sources", "procfs,proctree,estimate",
                    "--db", db, "--", "timeout", "1.5", *BUSY)
    alone = attribution(report_json(db))["cpu0"]
    assert "busy CPU time" in shared["method"]
    # 2 CPUs here: shared ~50 %; alone, the run's own aimeter and the machine's background
    # use a little. Wide bounds: the test machine is shared with other work (other tests
    # running beside this one took the share down to 13 % once; the foreign loop's effect is
    # what the second assertion checks).
    assert 10 < shared["share_pct"] < 75, shared
    assert alone["share_pct"] > shared["share_pct"] + 10, (alone, shared)
    assert 0 <= shared["attributed_j"] <= shared["device_j"]


def test_gpu_share_from_process_samples(db, tmp_path):
    """The fake GPU reports 60 % utilisation; the tree's process has 30 % of the SM time and a
    foreign process 30 %: the tree gets half of the GPU's energy."""
    pidfile = tmp_path / "workload.pid"
    scenario = tmp_path / "gpu.scenario"
    scenario.write_text(f"gpus 1\ngpu0 util 60 10\ngpu0 power 0:200000\n"
                        f"gpu0 proc_pidfile {pidfile} 30 1073741824\ngpu0 proc 1 30 0\n")
    r = run_aimeter("run", "-q", "-i", "50ms", "--sources", "procfs,proctree,nvml", "--db", db,
                    "--", "sh", "-c", f"echo $$ > {pidfile}; sleep 1.2",
                    env={"AIMETER_NVML_LIBRARY": FAKE_NVML,
                         "AIMETER_FAKE_NVML_SCENARIO": scenario})
    assert r.returncode == 0, r.stderr
    gpu = attribution(report_json(db))["gpu0"]
    assert "SM time" in gpu["method"]
    # Before the shell wrote its pid (a few ms) the tree had no share.
    assert 40 < gpu["share_pct"] <= 50.0 + 1e-9, gpu


def test_no_process_tree_no_attribution(db):
    r = run_aimeter("run", "-q", "--sources", "procfs,estimate", "--db", db, "--", "true")
    assert r.returncode == 0, r.stderr
    assert report_json(db)["attribution"] is None
