"""The DCGM source end to end, against the fake libdcgm built from tests/fakes/fake_dcgm.c
(AIMETER_DCGM_LIBRARY) driven by a scenario (AIMETER_FAKE_DCGM_SCENARIO, format in that
file): the production dlopen, watch, read and report path runs on any machine."""
from conftest import BUILD, device, metric, report_json, run_aimeter

FAKE = BUILD / "tests" / "fakes" / "libfake_dcgm.so"

SCENARIO = """\
gpus 1
name 0 NVIDIA H100 80GB HBM3
value 0 1001 0=0.5
value 0 1002 0=0.25
value 0 1003 0=0.125
value 0 1004 0=0.75
value 0 1005 0=0.0625
value 0 1006 0=0.375
value 0 1007 0=0.875
value 0 1008 0=1
"""

EXPECTED = {
    "gpu.gr_active": 50.0, "gpu.sm_active": 25.0, "gpu.sm_occupancy": 12.5,
    "gpu.tensor_active": 75.0, "gpu.dram_active": 6.25, "gpu.fp64_active": 37.5,
    "gpu.fp32_active": 87.5, "gpu.fp16_active": 100.0,
}


def dcgm_env(tmp_path, scenario):
    path = tmp_path / "dcgm.scenario"
    path.write_text(scenario)
    # AIMETER_GPUS=all: a CUDA_VISIBLE_DEVICES of the machine running the tests must not
    # select among the fake's GPUs.
    return {"AIMETER_DCGM_LIBRARY": FAKE, "AIMETER_FAKE_DCGM_SCENARIO": path,
            "AIMETER_GPUS": "all"}


def test_profiling_metrics_from_the_fake_library(db, tmp_path):
    assert FAKE.is_file(), f"fake library not built: {FAKE}"
    r = run_aimeter("run", "-q", "--sources", "procfs,dcgm", "-i", "100ms", "--db", db,
                    "--", "sleep", "1", env=dcgm_env(tmp_path, SCENARIO))
    assert r.returncode == 0, r.stderr
    assert "aimeter: warning" not in r.stderr, r.stderr
    rep = report_json(db)
    gpu = device(rep, "gpu0")
    assert gpu["kind"] == "gpu"
    assert gpu["model"] == "NVIDIA H100 80GB HBM3"
    for key, value in EXPECTED.items():
        m = metric(gpu, key)
        assert m["unit"] == "%"
        assert abs(m["avg"] - value) <= 0.01 * value, (key, m)
    assert "dcgm" in rep["sampling"]["sources"]


def test_faster_run_than_the_dcgm_floor_and_a_changing_trace(db, tmp_path):
    """At 50 ms the default leaves DCGM out and says how to get it; --metrics full gives it
    its own 100 ms rate group; the trace steps from 20 % to 60 %."""
    scenario = "value 0 1002 0=0.2 0.5=0.6\n"
    r = run_aimeter("run", "--sources", "procfs,dcgm", "-i", "50ms", "--db", db,
                    "--", "sleep", "0.3", env=dcgm_env(tmp_path, scenario))
    assert r.returncode == 0, r.stderr
    assert "--metrics full samples them every 100 ms" in r.stderr, r.stderr
    assert not any(d["kind"] == "gpu" for d in report_json(db)["devices"])
    r = run_aimeter("run", "-q", "--sources", "procfs,dcgm", "-i", "50ms", "--metrics", "full",
                    "--db", db, "--", "sleep", "1.2", env=dcgm_env(tmp_path, scenario))
    assert r.returncode == 0, r.stderr
    m = metric(device(report_json(db), "gpu0"), "gpu.sm_active")
    assert abs(m["min"] - 20.0) < 1e-9 and abs(m["max"] - 60.0) < 1e-9, m
    assert 20.0 < m["avg"] < 60.0, m


def test_host_engine_gone_mid_run_drops_the_source(db, tmp_path):
    # gone 1 s after the fake's start: a loaded machine may poll late, but it polls before
    scenario = "value 0 1002 0=0.5\ngone 1.0\n"
    r = run_aimeter("run", "--sources", "procfs,dcgm", "-i", "100ms", "--db", db,
                    "--", "sleep", "2", env=dcgm_env(tmp_path, scenario))
    assert r.returncode == 0, r.stderr
    assert "dcgm: stopped responding" in r.stderr, r.stderr  # dropped, and said so
    m = metric(device(report_json(db), "gpu0"), "gpu.sm_active")
    assert abs(m["avg"] - 50.0) < 1e-9, m


def test_dcgm_host_option_connects_to_a_running_host_engine(db, tmp_path):
    """The fake refuses the embedded engine and accepts only this address."""
    scenario = "no_embedded\nhost 127.0.0.1:5555\nvalue 0 1004 0=0.5\n"
    env = dcgm_env(tmp_path, scenario)
    r = run_aimeter("run", "-q", "--sources", "procfs,dcgm", "--dcgm-host", "127.0.0.1:5555",
                    "-i", "100ms", "--db", db, "--", "sleep", "0.5", env=env)
    assert r.returncode == 0, r.stderr
    m = metric(device(report_json(db), "gpu0"), "gpu.tensor_active")
    assert abs(m["avg"] - 50.0) < 1e-9, m
    r = run_aimeter("run", "-q", "--sources", "procfs,dcgm", "-i", "100ms", "--db", db,
                    "--", "sleep", "0.2", env=env)
    assert r.returncode == 0, r.stderr
    assert "--dcgm-host" in r.stderr, r.stderr  # the embedded engine failed; says what to do
