"""contrib/grafana/aimeter.json against a real Prometheus (Debian's; promserver.py) scraping a
live aimeter with two fake GPUs (fake NVML and fake DCGM, tests/fakes), in a Slurm job: the
series arrive with aimeter's names and labels (uuid, hpc_job, host, gpu, model), the energy
counters only increase, and every query of the dashboard (each panel target, annotation and
variable) returns data. And, without any server: the dashboard's JSON is well formed, every
panel has a unit and the import's data source, and every metric it names is documented.
Waits have generous deadlines; nothing asserts on timing."""
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import AIMETER, BUILD, REPO, gpu_env, popen_aimeter
from promserver import fetch, free_port, prometheus, until_go

DASHBOARD = REPO / "contrib" / "grafana" / "aimeter.json"
METRICS_DOC = REPO / "docs" / "metrics.md"
FAKE_DCGM = BUILD / "tests" / "fakes" / "libfake_dcgm.so"
DS = "${DS_PROMETHEUS}"
JOB = "4242"
UUIDS = {"0": "GPU-aaaaaaaa-1111-2222-3333-444444444444",
         "1": "GPU-bbbbbbbb-1111-2222-3333-444444444444"}

# The fake DCGM's two GPUs (the same UUIDs as the fake NVML's): SM, tensor and DRAM activity.
DCGM_SCENARIO = "gpus 2\n" + "".join(
    f"name {g} NVIDIA H100 80GB HBM3\nuuid {g} {u}\n"
    f"value {g} 1002 0=0.5\nvalue {g} 1004 0=0.25\nvalue {g} 1005 0=0.125\n"
    for g, u in UUIDS.items())


def start_target(tmp_path, db, go):
    """What Prometheus scrapes: `aimeter run --prometheus` around a command that opens the
    phase "train" and waits for the file go. Returns (process, stderr path, "ADDR:PORT").
    (The one place to change to scrape `aimeter agent` instead.)"""
    port = free_port()
    scenario = tmp_path / "dcgm.scenario"
    scenario.write_text(DCGM_SCENARIO)
    env = gpu_env(AIMETER_DCGM_LIBRARY=FAKE_DCGM, AIMETER_FAKE_DCGM_SCENARIO=scenario,
                  AIMETER_GPUS="all", SLURM_JOB_ID=JOB)
    proc, _, err = popen_aimeter(
        "run", "-q", "-i", "100ms", "--db", db, "--name", "grafana-e2e",
        "--prometheus", f"127.0.0.1:{port}", "--",
        "sh", "-c", f"'{AIMETER}' phase begin train && "
                    f"while [ ! -e '{go}' ]; do sleep 0.05; done",
        out_dir=tmp_path, env=env)
    return proc, err, f"127.0.0.1:{port}"


@pytest.fixture
def target(tmp_path, db):
    """The scraped aimeter until the test is done with it: yields (address, stop, proc, err)."""
    go = tmp_path / "go"
    proc, err, address = start_target(tmp_path, db, go)
    with until_go(proc, go):
        yield address, go.touch, proc, err


def dashboard():
    return json.loads(DASHBOARD.read_text())


def panels(dash):
    """Every panel but the rows, those nested in collapsed rows included."""
    for p in dash["panels"]:
        if p["type"] == "row":
            yield from p.get("panels", [])
        else:
            yield p


def annotations(dash):
    return [a for a in dash["annotations"]["list"] if not a.get("builtIn")]


def variables(dash):
    return [v for v in dash["templating"]["list"] if v["type"] == "query"]


def queries(dash):
    """(what, PromQL or label_values query) of everything the dashboard asks Prometheus."""
    for p in panels(dash):
        for t in p["targets"]:
            yield f"panel {p['title']!r} target {t['refId']}", t["expr"]
    for a in annotations(dash):
        yield f"annotation {a['name']!r}", a["expr"]
    for v in variables(dash):
        yield f"variable {v['name']!r}", v["query"]["query"]


def documented_names():
    """The names of docs/metrics.md's tables: literal ones, and patterns for
    aimeter_<kind>_... rows."""
    literal, patterns = set(), []
    for name in re.findall(r"`(aimeter_[a-z0-9_<>]+)`", METRICS_DOC.read_text()):
        if "<kind>" in name:
            patterns.append(re.compile(re.escape(name).replace("<kind>", "[a-z]+") + "$"))
        else:
            literal.add(name)
    return literal, patterns


def test_the_dashboard_is_importable_and_names_documented_metrics():
    dash = dashboard()  # valid JSON, or this raises
    assert dash["schemaVersion"] >= 36
    assert [i["name"] for i in dash["__inputs"]] == ["DS_PROMETHEUS"]
    assert dash["__inputs"][0]["pluginId"] == "prometheus"
    assert {v["name"] for v in variables(dash)} == {"host", "gpu", "job"}
    seen = set()
    for p in panels(dash):
        where = f"panel {p['title']!r}"
        assert p["id"] not in seen, where
        seen.add(p["id"])
        assert p["datasource"] == {"type": "prometheus", "uid": DS}, where
        assert p["fieldConfig"]["defaults"].get("unit"), f"{where} has no unit"
        assert p["targets"], where
        for t in p["targets"]:
            assert t["datasource"]["uid"] == DS and t["expr"].strip(), where
    for a in annotations(dash):
        assert a["datasource"]["uid"] == DS, a["name"]
    for v in variables(dash):
        assert v["datasource"]["uid"] == DS, v["name"]
    # It shows energy and carbon, not only power.
    exprs = " ".join(q for _, q in queries(dash))
    for name in ("aimeter_run_energy_joules_total", "aimeter_gpu_energy_joules_total",
                 "aimeter_carbon_grams_total", "aimeter_grid_intensity_grams_per_kwh",
                 "aimeter_gpu_sm_active_ratio", "aimeter_gpu_tensor_active_ratio",
                 "aimeter_gpu_dram_active_ratio", "aimeter_gpu_clock_sm_hertz",
                 "aimeter_gpu_temperature_celsius", "aimeter_run_info"):
        assert name in exprs, name
    literal, patterns = documented_names()
    for what, q in queries(dash):
        for name in re.findall(r"\baimeter_[a-z0-9_]+", q):
            assert name in literal or any(p.match(name) for p in patterns), \
                f"{what}: {name} is not in docs/metrics.md"


def test_the_provisioning_and_scrape_examples_are_valid():
    """contrib/grafana's Prometheus scrape job passes promtool; the provisioning files say
    what docs/grafana.md says they do; the dashboard has the data-source variable that
    resolves ${DS_PROMETHEUS} when it is provisioned rather than imported."""
    contrib = DASHBOARD.parent
    if shutil.which("promtool"):
        r = subprocess.run(["promtool", "check", "config", contrib / "prometheus.yml"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
    (ds_var,) = [v for v in dashboard()["templating"]["list"] if v["type"] == "datasource"]
    assert ds_var["name"] == "DS_PROMETHEUS" and ds_var["query"] == "prometheus"
    doc = (REPO / "docs" / "grafana.md").read_text()
    yaml = pytest.importorskip("yaml")
    ds = yaml.safe_load((contrib / "provisioning/datasources/aimeter-prometheus.yaml").read_text())
    assert ds["apiVersion"] == 1 and ds["datasources"][0]["type"] == "prometheus"
    dash = yaml.safe_load((contrib / "provisioning/dashboards/aimeter.yaml").read_text())
    (provider,) = dash["providers"]
    assert provider["type"] == "file"
    assert f"`{provider['options']['path']}/`" in doc


def regex_of(values):
    return "|".join(re.escape(v) for v in values) or ".*"


def substitute(q, values):
    """Grafana's variables: the template variables (all their values, as Grafana's regex
    matchers get them) and the built-in intervals, sized for a 1 s scrape."""
    for name in ("host", "gpu", "job"):
        q = q.replace("$" + name, regex_of(values.get(name, [])))
    return (q.replace("$__rate_interval", "5s").replace("$__interval", "1s")
             .replace("$__range", "1m"))


def label_values(prom, q):
    """label_values(SELECTOR, LABEL) through /api/v1/label/LABEL/values?match[]=SELECTOR."""
    m = re.fullmatch(r"label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)", q.strip())
    assert m, q
    return prom.api(f"label/{m.group(2)}/values", **{"match[]": m.group(1)}) or []


def test_every_dashboard_query_has_data_in_prometheus(target, tmp_path):
    address, stop, proc, err = target
    base = f"http://{address}"

    # The exposition itself first: both GPUs published, and promtool's lint clean.
    deadline = time.monotonic() + 60
    while True:
        status, _, text = fetch(base + "/metrics")
        assert status == 200, text
        if (text.count("aimeter_gpu_tensor_active_ratio{") == 2
                and "aimeter_run_info{" in text and 'phase="train"' in text) \
                or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert 'phase="train"' in text, Path(err).read_text()
    if shutil.which("promtool"):
        r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr

    with prometheus(tmp_path, address) as prom:
        series = prom.wait_for("aimeter_gpu_power_watts", lambda r: len(r) == 2)
        assert len(series) == 2, prom.log_tail()
        host = os.uname().nodename
        for s in series:
            m = s["metric"]
            assert m["uuid"] == UUIDS[m["gpu"]], m
            assert m["device"] == "gpu" + m["gpu"] and m["model"] == "NVIDIA H100 80GB HBM3", m
            assert m["hpc_job"] == JOB and m["host"] == host, m
            assert m["task"] == "grafana-e2e" and m["run"], m
            assert m["job"] == "aimeter" and "exported_job" not in m, m  # the scrape job's
        intensity = prom.wait_for("aimeter_grid_intensity_grams_per_kwh", lambda r: r)
        assert len(intensity) == 1 and float(intensity[0]["value"][1]) > 0, intensity
        assert intensity[0]["metric"]["zone"] and intensity[0]["metric"]["signal"], intensity

        # Energy and carbon counters only increase, over several query times.
        counters = ("aimeter_gpu_energy_joules_total", "aimeter_run_energy_joules_total",
                    "aimeter_carbon_grams_total")
        for name in counters:
            prom.wait_for(f"count_over_time({name}[1m])",
                          lambda r: r and all(float(x["value"][1]) >= 5 for x in r))
        end = time.time()
        for name in counters:
            data = prom.api("query_range", query=name, start=end - 60, end=end, step=1)
            assert data and data["result"], name
            for r in data["result"]:
                values = [float(v) for _, v in r["values"]]
                assert len(values) >= 3, (name, r)
                assert values == sorted(values) and values[-1] > values[0], (name, r)

        # Every query of the dashboard: the variables first (their values fill the others).
        dash = dashboard()
        values = {}
        for v in variables(dash):
            q = substitute(v["query"]["query"], values)
            got = label_values(prom, q)
            assert got, f"variable {v['name']!r}: no values for {q}"
            values[v["name"]] = got
        assert values["job"] == [JOB] and values["host"] == [host], values
        assert sorted(values["gpu"]) == ["0", "1"], values
        missing = []
        for what, q in queries(dash):
            if q.startswith("label_values("):
                continue
            expr = substitute(q, values)
            result = prom.wait_for(expr, lambda r: r, timeout=30)
            if not result:
                missing.append(f"{what}: {expr}")
        assert not missing, "no data for:\n" + "\n".join(missing)
    stop()
    assert proc.wait(timeout=60) == 0, Path(err).read_text()
