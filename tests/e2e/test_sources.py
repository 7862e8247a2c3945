"""What is measured: the monitored process tree, and the sources against fixture trees
(AIMETER_SYSFS_ROOT / AIMETER_PROCFS_ROOT) so RAPL and hwmon paths run on any machine."""
import json
import os
import re

import pytest

from conftest import FIXTURES, device, metric, rel_close, report_json, run_aimeter


def test_process_tree_cpu_time(db, mlp_train, tmp_path):
    """Two busy children of a shell: the tree's CPU time counts both, so on this 2-core
    machine it exceeds half the wall time. The shell also records, after `wait`, the CPU
    time its children really got (cutime + cstime in /proc/$$/stat): on a loaded machine
    they get less, and the comparison with the wall time would measure the load, not
    aimeter."""
    stat = tmp_path / "sh.stat"
    script = (f"{mlp_train} 20 >/dev/null & {mlp_train} 20 >/dev/null & wait; "
              f"cat /proc/$$/stat > {stat}")
    r = run_aimeter("run", "-q", "-i", "50ms", "--db", db, "--", "sh", "-c", script)
    assert r.returncode == 0, r.stderr
    fields = stat.read_text().rsplit(")", 1)[1].split()
    # After the ")" field 3 (state) is index 0: utime 14, stime 15, cutime 16, cstime 17.
    ticks = sum(int(fields[i - 3]) for i in (14, 15, 16, 17))
    actual = ticks / os.sysconf("SC_CLK_TCK")

    rep = report_json(db)
    procs = [d for d in rep["devices"] if d["kind"] == "process"]
    assert len(procs) == 1, [d["name"] for d in rep["devices"]]
    cpu_time = metric(procs[0], "proc.cpu_time")
    assert cpu_time["unit"] == "s"
    wall = rep["run"]["duration_s"]
    # The last sample may come up to one interval before the end: 2 cores x 0.1 s missed.
    assert 0.8 * actual - 0.25 <= cpu_time["max"] <= 1.2 * actual + 0.1, (cpu_time, actual)
    assert cpu_time["max"] <= 2.5 * wall, "more CPU time than 2 cores can give"
    if actual > 0.7 * wall:  # the children were not starved by other load
        assert cpu_time["max"] > 0.5 * wall, (cpu_time, wall)
    count = metric(procs[0], "proc.count")
    assert count["max"] >= 3, "sh and its two children"
    assert "proctree" in rep["sampling"]["sources"]


def test_process_tree_of_a_sleeping_command(db):
    run_aimeter("run", "-q", "-i", "50ms", "--db", db, "--", "sleep", "0.5")
    rep = report_json(db)
    proc = [d for d in rep["devices"] if d["kind"] == "process"][0]
    assert metric(proc, "proc.cpu_time")["max"] < 0.2


# ------------------------------------------------------------------ RAPL fixture

def energy_devices(rep):
    return {d["device"]: d for d in rep["energy"]["devices"]}


def test_rapl_fixture_is_measured(db):
    root = FIXTURES / "rapl" / "intel-2s"
    r = run_aimeter("run", "-i", "50ms", "--db", db, "--", "sleep", "0.3",
                    env={"AIMETER_SYSFS_ROOT": root})
    assert r.returncode == 0, r.stderr
    text = r.stderr
    for dev in ("cpu0", "cpu1", "dram0", "dram1"):
        assert re.search(rf"energy \({dev}\)\s+[0-9.]+ J\s+measured: rapl energy counter",
                         text), text
    assert "estimated" not in text, "RAPL measures the CPU: nothing may be estimated"
    rep = report_json(db)
    devs = energy_devices(rep)
    for dev in ("cpu0", "cpu1", "dram0", "dram1"):
        assert devs[dev]["method"] == "measured"
        assert "rapl" in devs[dev]["detail"]
        assert devs[dev]["in_total"] is True
        # The fixture's energy_uj files never change.
        assert devs[dev]["energy_j"] == 0
    # psys overlaps the packages: shown, never added to the total.
    assert devs["psys0"]["in_total"] is False
    assert "rapl" in rep["sampling"]["sources"]
    assert "estimate" not in rep["sampling"]["sources"]
    assert not any(d["method"] == "estimated" for d in rep["energy"]["devices"])
    assert rep["energy"]["total_j"] == 0


def test_devices_with_rapl_fixture():
    root = FIXTURES / "rapl" / "intel-2s"
    r = run_aimeter("devices", "--json", env={"AIMETER_SYSFS_ROOT": root})
    assert r.returncode == 0, r.stderr
    by_name = {s["source"]: s for s in json.loads(r.stdout)}
    assert by_name["rapl"]["status"] == "available"
    assert any("package" in c["what"] and c["status"] == "available"
               for c in by_name["rapl"]["checks"])
    # And without the fixture this VM has no RAPL at all.
    r = run_aimeter("devices", "--json", env={"AIMETER_SYSFS_ROOT": FIXTURES / "estimate"})
    by_name = {s["source"]: s for s in json.loads(r.stdout)}
    assert by_name["rapl"]["status"] == "unavailable"
    assert by_name["hwmon"]["status"] == "unavailable"


def test_only_estimate_when_rapl_not_selected(db):
    root = FIXTURES / "rapl" / "intel-2s"
    r = run_aimeter("run", "-q", "--sources", "procfs,estimate", "--db", db, "--", "sleep", "0.2",
                    env={"AIMETER_SYSFS_ROOT": root})
    assert r.returncode == 0, r.stderr
    devs = energy_devices(report_json(db))
    assert devs["cpu0"]["method"] == "estimated"
    assert "cpu1" not in devs


# ------------------------------------------------------------------ hwmon fixture

def test_hwmon_fixture(db):
    root = FIXTURES / "hwmon"
    r = run_aimeter("run", "-q", "-i", "50ms", "--db", db, "--", "sleep", "0.3",
                    env={"AIMETER_SYSFS_ROOT": root})
    assert r.returncode == 0, r.stderr
    rep = report_json(db)
    assert "hwmon" in rep["sampling"]["sources"]
    devs = energy_devices(rep)
    gpu = [d for d in rep["energy"]["devices"] if d["kind"] == "gpu"]
    assert gpu, devs
    # A constant power reading integrated over the run: energy = P x time, roughly.
    power = metric(device(rep, gpu[0]["device"]), "power")
    assert power["method"] == "measured"
    assert gpu[0]["method"] in ("derived", "measured")
    assert 0.3 * power["avg"] * rep["run"]["duration_s"] <= gpu[0]["energy_j"] \
        <= 1.5 * power["avg"] * rep["run"]["duration_s"]
    # No RAPL in this tree: the CPU is still estimated, and it says so.
    assert devs["cpu0"]["method"] == "estimated"
    total = sum(d["energy_j"] for d in rep["energy"]["devices"] if d["in_total"])
    assert rel_close(rep["energy"]["total_j"], total)


# ------------------------------------------------------------------ procfs fixture

def test_procfs_root_fixture(db):
    """A static /proc snapshot of a Xeon Gold 6248 with 16384000 kB of memory of which
    8000000 kB are available: DRAM in use is 8384000 kB, estimated at 0.3725 W/GB."""
    root = FIXTURES / "estimate" / "xeon6248"
    r = run_aimeter("run", "-q", "-i", "50ms", "--db", db, "--", "sleep", "0.3",
                    env={"AIMETER_PROCFS_ROOT": root})
    assert r.returncode == 0, r.stderr
    rep = report_json(db)
    host = device(rep, "host")
    used = metric(host, "mem.used")
    assert used["avg"] == pytest.approx(8384000 / 1048576, rel=1e-9)
    dram_power = metric(device(rep, "dram0"), "power")
    assert dram_power["method"] == "estimated"
    assert dram_power["avg"] == pytest.approx(0.3725 * 8384000 / 1048576 * 1.073741824, rel=1e-6)
    assert "6248" in (device(rep, "cpu0")["model"] or "")
