"""NVIDIA GPUs through the NVML source, against the fake libnvidia-ml built from
tests/fakes/fake_nvml.c (AIMETER_NVML_LIBRARY points at it; its scenario file says what the
two GPUs report)."""
import csv
import io
import json
import math

import pytest

from conftest import (FAKE_NVML, FIXTURES, device, gpu_env, metric, rel_close,
                      report_json, run_aimeter)


@pytest.fixture
def db(store_url):
    """Each test on both store back-ends: SQLite and PostgreSQL (pgserver.py)."""
    return store_url


def counter_energy_from_csv(db, dev):
    """A counter device's energy worked out from the exported samples by the documented rule
    (docs/methodology.md, "Energy over the whole run"): the counter's rise from its first
    reading, plus its mean power over its first second (or the run) held back to the run's
    start. Also returns the rise alone, which the fake's 100 ms refresh makes a multiple of 10 J.
    The export's time column is in microseconds: compare to about 1e-4."""
    r = run_aimeter("export", "--db", db, "--csv", "-")
    assert r.returncode == 0, r.stderr
    pts = [(float(row["time_s"]), float(row[f"{dev}.energy [J]"]))
           for row in csv.DictReader(io.StringIO(r.stdout)) if row.get(f"{dev}.energy [J]")]
    (t1, e1), edge = pts[0], 0.0
    for t, e in pts[1:]:
        if t > t1:
            edge = (e - e1) / (t - t1) * t1
            if t - t1 >= 1.0:
                break
    return pts[-1][1] - e1 + edge, pts[-1][1] - e1


def test_two_gpus_measured_from_the_energy_counter(db, tmp_path):
    assert FAKE_NVML.is_file(), f"fake NVML not built: {FAKE_NVML}"
    r = run_aimeter("run", "--sources", "procfs,nvml,estimate", "--db", db, "--", "sleep", "1",
                    env=gpu_env())
    assert r.returncode == 0, r.stderr
    # The text report has one Table-4 style block per GPU.
    assert "GPU 0 Detailed Statistics (NVIDIA H100 80GB HBM3)" in r.stderr, r.stderr
    assert "GPU 1 Detailed Statistics" in r.stderr
    assert "measured: nvml energy counter" in r.stderr

    rep = report_json(db)
    assert "nvml" in rep["sampling"]["sources"]
    energy = {d["device"]: d for d in rep["energy"]["devices"]}
    for name in ("gpu0", "gpu1"):
        e = energy[name]
        assert e["kind"] == "gpu"
        assert e["method"] == "measured"
        assert e["detail"] == "nvml energy counter"
        assert e["in_total"] is True
    # The source opens (the fake's clock starts) just before the first sample; the counter
    # moves in 10 J steps (100 W x 100 ms). The energy covers the run from its start: the
    # counter's rise (whole 10 J steps) and the extrapolated edge before its first reading,
    # so over the run's span D gpu1 shows 100 W x D to within a step or two, however long a
    # loaded machine made the run last.
    span = rep["run"]["duration_s"]
    e1 = energy["gpu1"]["energy_j"]
    want, rise = counter_energy_from_csv(db, "gpu1")
    assert math.isclose(rise / 10, round(rise / 10), abs_tol=1e-9), rise
    assert e1 == pytest.approx(want, rel=1e-4), (e1, want)
    assert abs(e1 - 100 * span) <= 20, (e1, span)
    e0 = energy["gpu0"]["energy_j"]
    assert 200 * span - 40 <= e0 <= 400 * span + 40, (e0, span)
    total = sum(d["energy_j"] for d in rep["energy"]["devices"] if d["in_total"])
    assert rel_close(rep["energy"]["total_j"], total)
    assert rep["energy"]["total_j"] > e0 + e1

    gpu0 = device(rep, "gpu0")
    assert gpu0["kind"] == "gpu"
    assert gpu0["model"] == "NVIDIA H100 80GB HBM3"
    power = metric(gpu0, "power")
    assert power["method"] == "measured"
    assert power["unit"] == "W"
    assert power["max"] == 400 and power["min"] == 200
    assert metric(device(rep, "gpu1"), "gpu.power_avg")["avg"] == 100


def test_gpu_selection_from_the_environment(db, tmp_path):
    r = run_aimeter("run", "-q", "--sources", "procfs,nvml,estimate", "--db", db, "--",
                    "sleep", "0.2",
                    env=gpu_env(CUDA_VISIBLE_DEVICES="GPU-bbbbbbbb"))
    assert r.returncode == 0, r.stderr
    gpus = [d["name"] for d in report_json(db)["devices"] if d["kind"] == "gpu"]
    assert gpus == ["gpu1"]


def nvml_warnings(stderr):
    return [ln for ln in stderr.splitlines()
            if ln.startswith("aimeter: warning:") and "nvml" in ln]


def test_missing_library_is_one_warning_where_there_is_a_gpu(db):
    """Without libnvidia-ml the run goes on; it warns only when sysfs shows an NVIDIA GPU
    (on a machine without one, the usual case, there is nothing to say)."""
    lib = {"AIMETER_NVML_LIBRARY": "/nonexistent/libnvidia-ml.so.1"}
    r = run_aimeter("run", "--sources", "procfs,nvml,estimate", "--db", db, "--", "true",
                    env=lib)
    assert r.returncode == 0, r.stderr
    assert nvml_warnings(r.stderr) == [], r.stderr
    r = run_aimeter("run", "--sources", "procfs,nvml,estimate", "--db", db, "--", "true",
                    env=dict(lib, AIMETER_SYSFS_ROOT=FIXTURES / "nvml" / "sysfs-nvidia"))
    assert r.returncode == 0, r.stderr
    warnings = nvml_warnings(r.stderr)
    assert len(warnings) == 1, r.stderr
    assert "0000:17:00.0" in warnings[0] and "/nonexistent/libnvidia-ml.so.1" in warnings[0]
    rep = report_json(db)
    assert not any(d["kind"] == "gpu" for d in rep["devices"])


def test_gpus_lost_mid_run(db, tmp_path):
    """Both GPUs fall off the bus at 1 s: the run completes, the source is dropped with a
    warning, and each GPU keeps the energy its counter showed at the last poll before: 100 W
    in 10 J steps, at most 100 J (less when a loaded machine polled late); a counter still
    running would give about 200 J."""
    scenario = tmp_path / "lost.scenario"
    scenario.write_text("gpus 2\ngpu0 lost_at 1.0\ngpu1 lost_at 1.0\n")
    r = run_aimeter("run", "--sources", "procfs,nvml,estimate", "--db", db, "--", "sleep", "2",
                    env={"AIMETER_NVML_LIBRARY": FAKE_NVML,
                         "AIMETER_FAKE_NVML_SCENARIO": scenario})
    assert r.returncode == 0, r.stderr
    assert any(ln.startswith("aimeter: warning: nvml") for ln in r.stderr.splitlines()), r.stderr
    energy = {d["device"]: d for d in report_json(db)["energy"]["devices"]}
    for dev in ("gpu0", "gpu1"):  # the counter's rise, plus the edge before its first reading
        want, rise = counter_energy_from_csv(db, dev)
        assert rise in range(10, 101, 10), (dev, rise)
        assert energy[dev]["energy_j"] == pytest.approx(want, rel=1e-4), (dev, energy[dev])


def test_devices_lists_each_gpu(tmp_path):
    scenario = tmp_path / "nvml.scenario"
    scenario.write_text("gpus 2\ndriver 550.54.15\nnvml_version 12.550.54.15\n"
                        "gpu1 unsupported pcie_bytes fan\ngpu1 mig 0\n")
    r = run_aimeter("devices", "--json", env={"AIMETER_NVML_LIBRARY": FAKE_NVML,
                                              "AIMETER_FAKE_NVML_SCENARIO": scenario})
    assert r.returncode == 0, r.stderr
    sources = {s["source"]: s for s in json.loads(r.stdout)}
    nvml = sources["nvml"]
    assert nvml["status"] == "available"
    checks = {c["what"]: (c["status"], c["detail"]) for c in nvml["checks"]}
    assert checks[str(FAKE_NVML)] == ("available", "NVML 12.550.54.15, driver 550.54.15")
    assert checks["gpu1 Fake GPU 1"] == (
        "available", "UUID GPU-00000001-fake-fake-fake-000000000001, PCI 00000000:01:00.0, "
        "MIG on (off after the next reset)")
    assert checks["gpu0 energy"] == (
        "available", "nvmlDeviceGetTotalEnergyConsumption")
    assert checks["gpu1 gpu.fan"] == ("not supported", "nvmlDeviceGetFanSpeed: Not Supported")
    assert checks["gpu1 gpu.util"][0] == "not supported"
    assert checks["gpu1 gpu.pcie_rx"][0] == "not supported"
    assert "driver >= 555" in checks["gpu1 gpu.pcie_rx"][1]
    assert checks["gpu0 gpu.proc_mem"] == ("available", "nvmlDeviceGetComputeRunningProcesses_v3")
    # The slow PCIe source can read the throughput calls of both GPUs.
    pcie = {c["what"]: c["status"] for c in sources["nvml_pcie"]["checks"]}
    assert pcie == {"gpu0 gpu.pcie_tx/rx": "available", "gpu1 gpu.pcie_tx/rx": "available"}


def series_keys(db, name):
    return {m["key"] for m in device(report_json(db), name)["metrics"]}


def test_metrics_presets_and_lists(db, tmp_path):
    """basic keeps every NVML metric; a list keeps what it names plus power and energy; a bad
    entry is a usage error that names it."""
    env = gpu_env()
    r = run_aimeter("run", "-q", "--sources", "procfs,nvml", "--metrics", "basic", "--db", db,
                    "--", "sleep", "0.2", env=env)
    assert r.returncode == 0, r.stderr
    basic = series_keys(db, "gpu0")
    assert {"power", "energy", "gpu.util", "gpu.clock_sm", "gpu.mem_used"} <= basic, basic
    r = run_aimeter("run", "-q", "--sources", "procfs,nvml", "--metrics", "gpu.util,temperature",
                    "--db", db, "--", "sleep", "0.2", env=env)
    assert r.returncode == 0, r.stderr
    assert series_keys(db, "gpu0") == {"power", "energy", "gpu.util", "temperature"}
    r = run_aimeter("run", "--metrics", "basic,gpu.bogus", "--db", db, "--", "true", env=env)
    assert r.returncode == 64
    assert r.stderr.startswith("aimeter: bad --metrics 'basic,gpu.bogus'"), r.stderr


def test_pcie_throughput_on_a_driver_without_counters(db, tmp_path):
    """Without fields 197/198, nvml_pcie samples the blocking throughput calls once a second
    on a thread of its own; the run's own interval is unaffected."""
    scenario = tmp_path / "pcie.scenario"
    scenario.write_text("gpus 1\ngpu0 unsupported pcie_bytes\ngpu0 pcie_rate 2048000 1024000\n")
    r = run_aimeter("run", "-q", "-i", "50ms", "--db", db, "--", "sleep", "2.2",
                    env={"AIMETER_NVML_LIBRARY": FAKE_NVML, "AIMETER_FAKE_NVML_SCENARIO": scenario})
    assert r.returncode == 0, r.stderr
    rep = report_json(db)
    assert "nvml_pcie" in rep["sampling"]["sources"], rep["sampling"]
    tx = metric(device(rep, "gpu0"), "gpu.pcie_tx")
    assert 2 <= tx["count"] <= 4, tx
    assert rel_close(tx["avg"], 2000 * 1024 / 1e9, rel=1e-6), tx
    # the main group kept its 50 ms interval
    assert metric(device(rep, "gpu0"), "power")["count"] >= 30


def test_gpus_option_selects_by_index_and_uuid(db, tmp_path):
    """--gpus wins over CUDA_VISIBLE_DEVICES; a UUID prefix works; a bad list is a usage error."""
    env = gpu_env(CUDA_VISIBLE_DEVICES="0")
    r = run_aimeter("run", "-q", "--sources", "procfs,nvml", "--gpus", "1", "--db", db,
                    "--", "sleep", "0.3", env=env)
    assert r.returncode == 0, r.stderr
    names = [d["name"] for d in report_json(db)["devices"] if d["kind"] == "gpu"]
    assert names == ["gpu1"]
    r = run_aimeter("run", "-q", "--sources", "procfs,nvml", "--gpus", "GPU-aaaa", "--db", db,
                    "--", "sleep", "0.3", env=env)
    assert r.returncode == 0, r.stderr
    names = [d["name"] for d in report_json(db)["devices"] if d["kind"] == "gpu"]
    assert names == ["gpu0"]
    r = run_aimeter("run", "--gpus", "0,,1", "--db", db, "--", "true", env=env)
    assert r.returncode == 64
    assert r.stderr.startswith("aimeter: bad GPU list")


def test_one_gpu_lost_is_said_in_the_report(db, tmp_path):
    """gpu1 falls off the bus at 1 s; gpu0 goes on. The report's warnings say when gpu1 was
    lost and why, gpu0's energy keeps growing after that, gpu1 keeps what it had."""
    scenario = tmp_path / "lost1.scenario"
    scenario.write_text("gpus 2\ngpu1 lost_at 1.0\n")
    r = run_aimeter("run", "--sources", "procfs,nvml,estimate", "--db", db, "--", "sleep", "2",
                    env={"AIMETER_NVML_LIBRARY": FAKE_NVML,
                         "AIMETER_FAKE_NVML_SCENARIO": scenario})
    assert r.returncode == 0, r.stderr
    text = run_aimeter("report", "--db", db)
    assert text.returncode == 0, text.stderr
    warnings = text.stdout.split("Warnings:\n", 1)[1]
    lines = [ln for ln in warnings.splitlines() if "gpu1 lost at" in ln]
    assert len(lines) == 1, text.stdout
    assert "(GPU is lost); its series stop there, the other GPUs continue" in lines[0]
    assert "gpu0 lost" not in warnings
    seconds = float(lines[0].split("gpu1 lost at ", 1)[1].split(" s", 1)[0])
    rep = report_json(db)
    # noticed at the first poll after 1 s of the fake's clock: however late, within the run
    assert 0.95 <= seconds <= rep["run"]["duration_s"], lines[0]
    assert any("gpu1 lost at" in w for w in rep["warnings"]), rep["warnings"]
    energy = {d["device"]: d for d in rep["energy"]["devices"]}
    # 100 W each; gpu1's counter stopped at its last poll before 1 s, gpu0's went on.
    want, rise = counter_energy_from_csv(db, "gpu1")  # plus the edge before its first reading
    assert rise in range(10, 101, 10), rise
    assert energy["gpu1"]["energy_j"] == pytest.approx(want, rel=1e-4), energy["gpu1"]
    assert energy["gpu0"]["energy_j"] >= energy["gpu1"]["energy_j"] + 80, energy["gpu0"]


def test_gpu_use_of_the_process_tree(db, tmp_path):
    """The workload's shell (the monitored pid) writes its pid where the fake reads it:
    gpu0 lists it at 35 % SM and 1.5 GiB, next to a process outside the tree (pid 1) at
    50 % and 4 GiB, which must not count."""
    pidfile = tmp_path / "workload.pid"
    scenario = tmp_path / "procs.scenario"
    scenario.write_text(f"gpus 1\ngpu0 proc_pidfile {pidfile} 35 1610612736\n"
                        "gpu0 proc 1 50 4294967296\n")
    r = run_aimeter("run", "-i", "50ms", "--sources", "procfs,nvml", "--db", db, "--",
                    "sh", "-c", f"echo $$ > {pidfile}; sleep 1",
                    env={"AIMETER_NVML_LIBRARY": FAKE_NVML,
                         "AIMETER_FAKE_NVML_SCENARIO": scenario})
    assert r.returncode == 0, r.stderr
    gpu0 = device(report_json(db), "gpu0")
    sm = metric(gpu0, "gpu.proc_sm_util")
    mem = metric(gpu0, "gpu.proc_mem")
    # Before the shell wrote its pid the tree had nothing on the GPU: 0 (if a poll came then).
    assert sm["max"] == 35 and sm["min"] in (0, 35), sm
    assert mem["max"] == 1.5 and mem["min"] in (0, 1.5), mem
    assert mem["unit"] == "GiB" and sm["unit"] == "%"


def test_a_gpu_silent_from_the_start_is_in_the_warnings(db):
    """gpu1 answers no NVML query at all (tests/fixtures/nvml/one-silent-gpu.scenario): gpu0
    is measured, and the stored run says gpu1 is not (issue 11: it used to vanish)."""
    scenario = FIXTURES / "nvml" / "one-silent-gpu.scenario"
    r = run_aimeter("run", "-q", "--sources", "procfs,nvml,estimate", "-i", "50ms", "--db", db,
                    "--", "sleep", "0.3", env=gpu_env(AIMETER_FAKE_NVML_SCENARIO=scenario))
    assert r.returncode == 0, r.stderr
    rep = report_json(db)
    energy = {d["device"]: d for d in rep["energy"]["devices"]}
    assert "gpu0" in energy and "gpu1" not in energy
    lines = [w for w in rep["warnings"] if w.startswith("nvml: gpu1 ")]
    assert lines == ["nvml: gpu1 answered no query at start (Unknown Error); it is not measured, "
                     "and the run's GPU energy leaves it out"], rep["warnings"]
    assert not any("gpu0" in w for w in rep["warnings"])
