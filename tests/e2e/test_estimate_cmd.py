"""`aimeter estimate`: Green Algorithms' formula with every input's source, as text and JSON,
and one clear error line (exit 64) for anything it cannot use. The expected numbers are
computed by hand in the comments; --intensity keeps them independent of the zone table."""
import json

import pytest

from conftest import EX_USAGE, assert_one_error, rel_close, run_aimeter


def estimate(*args):
    r = run_aimeter("estimate", *args)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout


def estimate_json(*args):
    return json.loads(estimate(*args, "--json"))


def test_issue_example_as_text():
    # 8 x 700 W x 0.7 = 3920 W; 72 h x 3920 W x 1.1 = 310.464 kWh; x 100 g/kWh = 31.0464 kg
    out = estimate("--gpu", "H100", "--count", "8", "--hours", "72", "--util", "0.7",
                   "--pue", "1.1", "--intensity", "100")
    assert "Estimate, not a measurement" in out
    assert "TDP of NVIDIA H100 SXM5 80GB (from 'H100'): Epoch AI" in out
    assert "E = t x (n_cores x P_core x u_core + n_gpu x P_gpu x u_gpu + mem x P_mem) x PUE" in out
    assert "E = 72 h x (0 x 0 W x 0 + 8 x 700 W x 0.7 + 0 GB x 0.3725 W/GB) x 1.1" in out
    assert "= 72 h x 3920 W x 1.1" in out
    assert "= 310.464 kWh" in out
    assert "C = E x CI = 310.464 kWh x 100 g/kWh = 31.0464 kg CO2e" in out
    assert "Energy   310.464 kWh (hardware 282.24 kWh + facility overhead 28.224 kWh)" in out
    for source in ("--count", "--hours", "--util", "--pue", "--intensity",
                   "Green Algorithms referenceValues.csv, memoryPower"):
        assert source in out


def test_green_algorithms_worked_example_as_json():
    # cores 16 x 7.5 W (Xeon Gold 6248: 150 W / 20 cores) = 120 W; GPUs 8 x 700 x 0.7 = 3920 W;
    # memory 64 x 0.3725 = 23.84 W; sum 4063.84 W; x 72 h = 292.59648 kWh; x 1.1 =
    # 321.856128 kWh; x 475 g/kWh = 152881.6608 g
    doc = estimate_json("--gpu", "H100", "--count", "8", "--util", "70%", "--cpu",
                        "Xeon Gold 6248", "--cores", "16", "--memory", "64", "--hours", "72",
                        "--pue", "1.1", "--intensity", "475")
    assert rel_close(doc["power_w"]["cpu"], 120)
    assert rel_close(doc["power_w"]["gpu"], 3920)
    assert rel_close(doc["power_w"]["memory"], 23.84)
    assert rel_close(doc["power_w"]["total"], 4063.84)
    assert rel_close(doc["it_energy_kwh"], 292.59648)
    assert rel_close(doc["energy_kwh"], 321.856128)
    assert rel_close(doc["carbon_g"], 152881.6608)
    symbols = {i["symbol"]: i for i in doc["inputs"]}
    assert list(symbols) == ["t", "n_gpu", "P_gpu", "u_gpu", "n_cores", "P_core", "u_core",
                             "mem", "P_mem", "PUE", "CI"]
    assert symbols["P_core"]["value"] == 7.5
    assert "Green Algorithms TDP_cpu.csv" in symbols["P_core"]["source"]
    assert symbols["u_gpu"]["value"] == 0.7
    assert doc["gpu"]["name"] == "NVIDIA H100 SXM5 80GB"
    assert doc["gpu"]["query"] == "H100"
    assert doc["gpu"]["in_table"] is True
    assert doc["cpu"]["model"] == "Xeon Gold 6248"
    assert doc["zone"] is None
    assert doc["embodied"] is None
    assert doc["substituted"] == ("E = 72 h x (16 x 7.5 W x 1 + 8 x 700 W x 0.7 + 64 GB x "
                                  "0.3725 W/GB) x 1.1")


def test_defaults_are_stated():
    doc = estimate_json("--gpu", "L4", "--hours", "1")
    symbols = {i["symbol"]: i for i in doc["inputs"]}
    assert symbols["n_gpu"]["value"] == 1 and symbols["n_gpu"]["source"] == "default"
    assert symbols["u_gpu"]["value"] == 1 and symbols["u_gpu"]["source"].startswith("default")
    assert symbols["PUE"]["value"] == 1 and symbols["PUE"]["source"].startswith("default")
    assert doc["zone"]["code"] == "WORLD"
    assert symbols["CI"]["source"].startswith("default: zone WORLD")
    assert rel_close(doc["energy_kwh"], 0.072)  # 1 h x 72 W


def test_time_duration_and_pue_names():
    a = estimate_json("--gpu", "A100", "--time", "90m", "--pue", "aws", "--intensity", "0")
    b = estimate_json("--gpu", "A100", "--hours", "1.5", "--pue", "1.2", "--intensity", "0")
    assert rel_close(a["energy_kwh"], b["energy_kwh"])
    assert rel_close(a["energy_kwh"], 1.5 * 400 * 1.2 / 1000)
    pue = {i["symbol"]: i for i in a["inputs"]}["PUE"]
    assert pue["value"] == 1.2 and "Green Algorithms defaults_PUE.csv" in pue["source"]


def test_zone():
    doc = estimate_json("--gpu", "T4", "--hours", "10", "--zone", "fr")
    assert doc["zone"]["code"] == "FR"
    ci = {i["symbol"]: i for i in doc["inputs"]}["CI"]["value"]
    assert rel_close(doc["carbon_g"], 0.7 * ci)  # 10 h x 70 W = 0.7 kWh


def test_cpu_known_only_by_package_tdp():
    # CodeCarbon knows the EPYC 9654's TDP (360 W), not its cores: one package is charged
    doc = estimate_json("--cpu", "AMD EPYC 9654", "--hours", "2", "--intensity", "0")
    assert doc["cpu"]["whole_package"] is True
    assert rel_close(doc["energy_kwh"], 0.72)
    r = run_aimeter("estimate", "--cpu", "AMD EPYC 9654", "--cores", "8", "--hours", "2")
    assert "core count" in assert_one_error(r, EX_USAGE)


def test_cores_alone_use_green_algorithms_unknown_cpu():
    doc = estimate_json("--cores", "4", "--hours", "1", "--intensity", "0")
    assert {i["symbol"]: i for i in doc["inputs"]}["P_core"]["value"] == 12
    assert rel_close(doc["energy_kwh"], 0.048)


def test_gpu_tdp_for_a_gpu_not_in_the_table():
    doc = estimate_json("--gpu", "MyChip 9", "--gpu-tdp", "250", "--count", "2", "--hours", "4")
    assert doc["gpu"]["in_table"] is False and doc["gpu"]["name"] == "MyChip 9"
    assert rel_close(doc["energy_kwh"], 2.0)


def test_embodied_is_separate():
    # BLOOM's A100 80GB figure: 8 x 150 kg x 10 h / (6 y x 8766 h) = 0.2281542...kg
    # its GPU node without GPUs: 2500 kg x 10 h / 52596 h = 0.4753213...kg
    plain = estimate_json("--gpu", "A100 80GB", "--count", "8", "--hours", "10")
    doc = estimate_json("--gpu", "A100 80GB", "--count", "8", "--hours", "10", "--embodied",
                        "--servers", "1")
    assert doc["carbon_g"] == plain["carbon_g"], "embodied carbon must never be added"
    items = {i["what"]: i for i in doc["embodied"]["items"]}
    assert rel_close(items["GPUs"]["share_kg"], 12000 / 52596)
    assert items["GPUs"]["model"] == "NVIDIA A100 SXM4 80GB"
    assert items["GPUs"]["url"].startswith("https://")
    assert rel_close(items["servers"]["share_kg"], 25000 / 52596)
    assert items["servers"]["model"] == "gpu-node"
    assert rel_close(doc["embodied"]["total_kg"], 37000 / 52596)
    out = estimate("--gpu", "H100", "--hours", "1", "--embodied")
    assert "not included in the carbon above" in out
    assert "class default" in out  # no row of its own for the H100


def test_list_gpus():
    out = estimate("--list-gpus")
    assert "NVIDIA H100 SXM5 80GB" in out and "Google TPU v4" in out
    rows = json.loads(estimate("--list-gpus", "--json"))
    assert len(rows) >= 70
    assert all(r["tdp_w"] > 0 and r["source"] and r["licence"] for r in rows)
    h100 = next(r for r in rows if r["name"] == "NVIDIA H100 SXM5 80GB")
    assert "H100" in h100["aliases"] and h100["fp8_tflops"] is None


def test_help():
    r = run_aimeter("estimate", "--help")
    assert r.returncode == 0 and "--gpu NAME" in r.stdout


def test_unknown_gpu():
    line = assert_one_error(run_aimeter("estimate", "--gpu", "H1000", "--hours", "1"), EX_USAGE)
    assert "unknown GPU 'H1000'" in line and "--list-gpus" in line


def test_ambiguous_gpu_lists_candidates():
    line = assert_one_error(run_aimeter("estimate", "--gpu", "A100 PCIe", "--hours", "1"),
                            EX_USAGE)
    assert "ambiguous" in line
    assert "NVIDIA A100 PCIe 40GB" in line and "NVIDIA A100 PCIe 80GB" in line


def test_near_miss_is_only_suggested():
    line = assert_one_error(run_aimeter("estimate", "--gpu", "TPU v5", "--hours", "1"), EX_USAGE)
    assert "did you mean 'Google TPU v5p'" in line


@pytest.mark.parametrize("args", [
    ["--count", "0"], ["--count", "abc"], ["--count", "-2"], ["--count", "1.5"],
    ["--util", "1.5"], ["--util", "70"], ["--util", "-0.1"], ["--util", "150%"],
    ["--hours", "-1"], ["--hours", "abc"], ["--hours", "0"], ["--hours", "1e3"],
    ["--pue", "0.5"], ["--pue", "6"], ["--pue", "alibaba"],
    ["--intensity", "6000"], ["--intensity", "-3"],
    ["--memory", "x"], ["--gpu-tdp", "0"], ["--zone", "XX-NOWHERE"],
    ["--servers", "2"], ["--bogus"], ["extra-argument"],
])
def test_bad_numbers_and_options(args):
    base = ["--gpu", "H100"]
    if "--hours" not in args:
        base += ["--hours", "1"]
    assert_one_error(run_aimeter("estimate", *base, *args), EX_USAGE)


@pytest.mark.parametrize("args", [
    ["--gpu", "H100"],                                   # no time
    ["--gpu", "H100", "--hours", "1", "--time", "1h"],    # twice
    ["--gpu", "H100", "--time", "3 days"],                # not a duration
    ["--hours", "1"],                                    # nothing to estimate
    ["--count", "2", "--hours", "1"],                    # GPUs without --gpu
    ["--cpu", "Quantum 9000", "--hours", "1"],           # unknown CPU
    ["--cpu", "Xeon Gold", "--hours", "1"],              # ambiguous CPU
    ["--cpu-tdp", "5", "--hours", "1"],                  # per-core power without cores
])
def test_incomplete_requests(args):
    assert_one_error(run_aimeter("estimate", *args), EX_USAGE)
