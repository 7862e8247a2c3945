"""contrib/grafana/aimeter.json against a real Prometheus (Debian's; promserver.py) scraping
both deployments at once: an `aimeter agent` (fake NVML and fake DCGM, tests/fakes) with two
jobs that told it their Slurm id (4242 in phase "train", 4343 in "eval"), and an `aimeter run
--no-agent --prometheus` in a Slurm job of its own beside it. The series arrive with aimeter's
names and labels (the agent's node series without `hpc_job`, its jobs as aimeter_job_*{hpc_job},
the run's series with `hpc_job`; uuid, host, gpu, model), the energy counters (node, per GPU,
per job) only increase, and every query of the dashboard (each panel target, annotation and
variable) returns data, with the variables interpolated as Grafana does ("All", one value,
several). And, without any server: the dashboard's JSON is well formed, every panel has a unit
and the import's data source, and every metric it names is documented.
Waits have generous deadlines; nothing asserts on timing."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import AIMETER, BUILD, REPO, gpu_env, kill_tree, popen_aimeter, run_aimeter
from promserver import fetch, free_port, prometheus, promtool_check, sample_lines, until_go

DASHBOARD = REPO / "contrib" / "grafana" / "aimeter.json"
METRICS_DOC = REPO / "docs" / "metrics.md"
FAKE_DCGM = BUILD / "tests" / "fakes" / "libfake_dcgm.so"
DS = "${DS_PROMETHEUS}"
AGENT_JOBS = {"4242": "train", "4343": "eval"}  # the agent's jobs and the phase each opens
RUN_JOB = "5151"                                # the Slurm job of `aimeter run --prometheus`
UUIDS = {"0": "GPU-aaaaaaaa-1111-2222-3333-444444444444",
         "1": "GPU-bbbbbbbb-1111-2222-3333-444444444444"}
DEADLINE = 60
# The names of runs and jobs; every other name the dashboard queries is a node's series.
RUN_LEVEL = ("aimeter_run_info", "aimeter_run_energy_joules_total", "aimeter_carbon_grams_total",
             "aimeter_job_")

# The fake DCGM's two GPUs (the same UUIDs as the fake NVML's): SM, tensor and DRAM activity.
DCGM_SCENARIO = "gpus 2\n" + "".join(
    f"name {g} NVIDIA H100 80GB HBM3\nuuid {g} {u}\n"
    f"value {g} 1002 0=0.5\nvalue {g} 1004 0=0.25\nvalue {g} 1005 0=0.125\n"
    for g, u in UUIDS.items())


def wait_until(cond, what, timeout=DEADLINE):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def gpu_scenario_env(tmp_path, **extra):
    scenario = tmp_path / "dcgm.scenario"
    scenario.write_text(DCGM_SCENARIO)
    return gpu_env(AIMETER_DCGM_LIBRARY=FAKE_DCGM, AIMETER_FAKE_DCGM_SCENARIO=scenario,
                   AIMETER_GPUS="all", **extra)


@pytest.fixture
def agent(tmp_path):
    """`aimeter agent` on its own socket (a short directory: a socket path holds 107 bytes)
    with the jobs of AGENT_JOBS, each in its phase. Yields (address, env); SIGTERMed at the
    end, which must store its run."""
    sock_dir = tempfile.mkdtemp(prefix="aim-gf-")
    out = tmp_path / "agent"
    out.mkdir()
    env = gpu_scenario_env(tmp_path, AIMETER_AGENT_SOCKET=os.path.join(sock_dir, "agent.sock"))
    port = free_port()
    proc, _, err = popen_aimeter("agent", "-i", "100ms", "--db", tmp_path / "agent.db",
                                 "--listen", f"127.0.0.1:{port}", out_dir=out, env=env)
    try:
        wait_until(lambda: "control socket" in err.read_text() or proc.poll() is not None,
                   "the agent's start line")
        assert proc.poll() is None, err.read_text()
        for job, phase in AGENT_JOBS.items():
            r = run_aimeter("phase", "begin", phase, env={**env, "SLURM_JOB_ID": job})
            assert r.returncode == 0, r.stderr
        yield f"127.0.0.1:{port}", env
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=DEADLINE) == 0, err.read_text()
        assert "stored" in err.read_text(), err.read_text()
    finally:
        kill_tree(proc)
        shutil.rmtree(sock_dir, ignore_errors=True)


@pytest.fixture
def slurm_run(tmp_path, db, agent):
    """`aimeter run --no-agent --prometheus` in the Slurm job RUN_JOB beside the agent (whose
    socket its environment names: --no-agent keeps it from joining), around a command that
    opens the phase "train" and waits for the file go. Yields (address, stop, proc, err)."""
    _, agent_env = agent
    go = tmp_path / "go"
    out = tmp_path / "run"
    out.mkdir()
    port = free_port()
    proc, _, err = popen_aimeter(
        "run", "-q", "--no-agent", "-i", "100ms", "--db", db, "--name", "grafana-e2e",
        "--prometheus", f"127.0.0.1:{port}", "--",
        "sh", "-c", f"'{AIMETER}' phase begin train && "
                    f"while [ ! -e '{go}' ]; do sleep 0.05; done",
        out_dir=out, env={**agent_env, "SLURM_JOB_ID": RUN_JOB})
    with until_go(proc, go):
        yield f"127.0.0.1:{port}", go.touch, proc, err


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
                 "aimeter_gpu_temperature_celsius", "aimeter_run_info", "aimeter_job_info",
                 "aimeter_job_energy_joules_total", "aimeter_job_carbon_grams_total",
                 "aimeter_job_duration_seconds"):
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


def interpolate(q, dash, selection):
    """Grafana's interpolation of q for the Prometheus data source: each template variable
    as selected (missing from selection: "All", the variable's allValue; one value: itself,
    regex-escaped; several: "(a|b)"), and the built-in intervals, sized for a 1 s scrape."""
    for v in variables(dash):
        chosen = selection.get(v["name"])
        if chosen is None:
            text = v["allValue"]
        elif len(chosen) == 1:
            text = re.escape(chosen[0])
        else:
            text = "(" + "|".join(re.escape(c) for c in chosen) + ")"
        q = q.replace("$" + v["name"], text)
    return (q.replace("$__rate_interval", "5s").replace("$__interval", "1s")
             .replace("$__range", "1m"))


def label_values(prom, q):
    """label_values(SELECTOR, LABEL) through /api/v1/label/LABEL/values?match[]=SELECTOR."""
    m = re.fullmatch(r"label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)", q.strip())
    assert m, q
    return prom.api(f"label/{m.group(2)}/values", **{"match[]": m.group(1)}) or []


def variable_values(prom, dash, selection):
    """Each variable's values, its query interpolated with the variables before it as in
    selection (Grafana refreshes them in order)."""
    values = {}
    for v in variables(dash):
        q = interpolate(v["query"]["query"], dash, selection)
        values[v["name"]] = label_values(prom, q)
        assert values[v["name"]], f"variable {v['name']!r}: no values for {q}"
    return values


def panel_queries(dash):
    return [(what, q) for what, q in queries(dash) if not q.startswith("label_values(")]


def wait_for_metrics(address, ok, what):
    """The /metrics text of address once ok(text) holds."""
    texts = []

    def ready():
        status, _, text = fetch(f"http://{address}/metrics")
        assert status == 200, text
        texts.append(text)
        return ok(text)
    wait_until(ready, what)
    assert promtool_check(texts[-1])[0] == 0, promtool_check(texts[-1])[1]
    return texts[-1]


def test_every_dashboard_query_has_data_for_an_agent_and_a_run(agent, slurm_run, tmp_path):
    agent_address, _ = agent
    run_address, stop, proc, err = slurm_run

    # The expositions first: both GPUs (DCGM too) on both, the agent's two jobs in their phase,
    # the run's phase; promtool's lint clean.
    def agent_ready(text):
        info = sample_lines(text, "aimeter_job_info")
        return (len(sample_lines(text, "aimeter_gpu_tensor_active_ratio")) == 2
                and all(any(f'hpc_job="{j}"' in ln and f'phase="{p}"' in ln for ln in info)
                        for j, p in AGENT_JOBS.items()))
    text = wait_for_metrics(agent_address, agent_ready, "the agent's jobs in /metrics")
    wait_for_metrics(run_address, lambda t: 'phase="train"' in t and len(
        sample_lines(t, "aimeter_gpu_tensor_active_ratio")) == 2, "the run's phase in /metrics")
    # --no-agent: the run sampled by itself, it is no job of the agent's.
    assert f'hpc_job="{RUN_JOB}"' not in text

    with prometheus(tmp_path, [agent_address, run_address]) as prom:
        host = os.uname().nodename
        series = prom.wait_for("aimeter_gpu_power_watts", lambda r: len(r) == 4)
        assert len(series) == 4, (series, prom.log_tail())
        for s in series:
            m = s["metric"]
            assert m["uuid"] == UUIDS[m["gpu"]], m
            assert m["device"] == "gpu" + m["gpu"] and m["model"] == "NVIDIA H100 80GB HBM3", m
            assert m["host"] == host and m["run"], m
            assert m["job"] == "aimeter" and "exported_job" not in m, m  # the scrape job's
            if m["instance"] == run_address:
                assert m["hpc_job"] == RUN_JOB and m["task"] == "grafana-e2e", m
            else:  # the agent's node series: no job of their own
                assert m["instance"] == agent_address and m["task"] == "agent", m
                assert "hpc_job" not in m, m
        # The agent's jobs: aimeter_job_* with hpc_job, and nothing else of its has one.
        info = prom.wait_for("aimeter_job_info", lambda r: len(r) == 2)
        assert {(x["metric"]["hpc_job"], x["metric"]["phase"], x["metric"]["state"])
                for x in info} == {(j, p, "running") for j, p in AGENT_JOBS.items()}, info
        for name in ("aimeter_job_energy_joules_total", "aimeter_job_carbon_grams_total",
                     "aimeter_job_duration_seconds"):
            got = prom.wait_for(name, lambda r: len(r) == 2)
            assert sorted(x["metric"]["hpc_job"] for x in got) == sorted(AGENT_JOBS), got
            assert all(x["metric"]["instance"] == agent_address
                       and x["metric"]["host"] == host for x in got), got
        with_job = prom.query(f'count by (__name__) ({{instance="{agent_address}", '
                              f'__name__=~"aimeter_.+", hpc_job!=""}})')
        assert {x["metric"]["__name__"] for x in with_job} == {
            "aimeter_job_info", "aimeter_job_energy_joules_total",
            "aimeter_job_carbon_grams_total", "aimeter_job_duration_seconds"}, with_job
        # Every series of the run carries its job.
        assert prom.query(f'{{instance="{run_address}", __name__=~"aimeter_.+", '
                          'hpc_job=""}') == []
        intensity = prom.wait_for("aimeter_grid_intensity_grams_per_kwh", lambda r: len(r) == 2)
        assert len(intensity) == 2, intensity
        for x in intensity:
            assert float(x["value"][1]) > 0 and x["metric"]["zone"] and x["metric"]["signal"], x

        # Energy and carbon counters (per GPU, per run, per job) only increase, each series
        # over several query times.
        counters = ("aimeter_gpu_energy_joules_total", "aimeter_run_energy_joules_total",
                    "aimeter_carbon_grams_total", "aimeter_job_energy_joules_total",
                    "aimeter_job_carbon_grams_total")
        for name in counters:
            prom.wait_for(f"count_over_time({name}[1m])",
                          lambda r: r and all(float(x["value"][1]) >= 5 for x in r))
        end = time.time()
        for name in counters:
            data = prom.api("query_range", query=name, start=end - 60, end=end, step=1)
            assert data and data["result"], name
            assert {r["metric"]["instance"] for r in data["result"]} == (
                {agent_address} if "_job_" in name else {agent_address, run_address}), name
            for r in data["result"]:
                values = [float(v) for _, v in r["values"]]
                assert len(values) >= 3, (name, r)
                assert values == sorted(values) and values[-1] > values[0], (name, r)

        # Every query of the dashboard, with the variables as Grafana fills them: all "All"
        # (the default), then every value of each picked (the variables' own queries give
        # them: the job variable lists the jobs of both deployments).
        dash = dashboard()
        values = variable_values(prom, dash, {})
        assert sorted(values["job"]) == sorted([*AGENT_JOBS, RUN_JOB]), values
        assert values["host"] == [host] and sorted(values["gpu"]) == ["0", "1"], values
        assert variable_values(prom, dash, values) == values
        missing = []
        for selection in ({}, values):
            for what, q in panel_queries(dash):
                expr = interpolate(q, dash, selection)
                if not prom.wait_for(expr, lambda r: r, timeout=30):
                    missing.append(f"{what}: {expr}")
        assert not missing, "no data for:\n" + "\n".join(missing)

        # One agent job picked: the node's series stay (those of the agent, which carry no
        # hpc_job; not those of the run in another job), the job panels show that job only.
        one = {"job": ["4242"]}
        node_queries = [(w, q) for w, q in panel_queries(dash)
                        if not any(n.startswith(RUN_LEVEL)
                                   for n in re.findall(r"\baimeter_[a-z0-9_]+", q))]
        job_queries = [(w, q) for w, q in panel_queries(dash)
                       if re.search(r'aimeter_job_\w+\{[^}]*hpc_job=~"\$job"', q)]
        assert len(node_queries) >= 15 and len(job_queries) >= 7, (node_queries, job_queries)
        for what, q in node_queries + job_queries:
            expr = interpolate(q, dash, one)
            result = prom.wait_for(expr, lambda r: r, timeout=30)
            assert result, f"{what}: no data for {expr}"
            jobs = {x["metric"].get("hpc_job") for x in result}
            assert RUN_JOB not in jobs and "4343" not in jobs, (what, expr, result)
            if (what, q) in node_queries:
                assert any("hpc_job" not in x["metric"] for x in result), (what, expr, result)

        # The Energy and Carbon figures: with every job, the runs' (the agent's run is the
        # node's, so its jobs are not added again); with jobs picked, those jobs' runs and
        # agent jobs.
        stats = {p["title"]: p["targets"][0]["expr"] for p in panels(dash)
                 if p["type"] == "stat"}
        at = time.time() - 2
        def value(expr):
            (r,) = prom.query(expr, time=at)
            return float(r["value"][1])
        for title, run_name, job_name, scale in (
                ("Energy", "aimeter_run_energy_joules_total",
                 "aimeter_job_energy_joules_total", " / 3.6e6"),
                ("Carbon", "aimeter_carbon_grams_total", "aimeter_job_carbon_grams_total", "")):
            for selection, expected in (
                    ({}, f"sum({run_name}){scale}"),
                    (one, f'sum({job_name}{{hpc_job="4242"}}){scale}'),
                    ({"job": [RUN_JOB]}, f'sum({run_name}{{hpc_job="{RUN_JOB}"}}){scale}'),
                    ({"job": ["4343", RUN_JOB]},
                     f'sum({run_name}{{hpc_job="{RUN_JOB}"}} or {job_name}{{hpc_job="4343"}})'
                     f'{scale}')):
                got = value(interpolate(stats[title], dash, selection))
                assert got == pytest.approx(value(expected), rel=1e-9), (title, selection)
    stop()
    assert proc.wait(timeout=60) == 0, Path(err).read_text()
