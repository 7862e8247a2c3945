"""Run tags, `aimeter compare`, `aimeter forecast` and `aimeter whatif --hardware` on runs made
by the real binary (docs/cli.md). Runs are short sleeps with records and phases sent from the
shell through `aimeter record` / `aimeter phase`."""
import json
import math
import sqlite3
import statistics
import time

from conftest import (AIMETER, EX_DATAERR, EX_USAGE, FIXTURES, assert_one_error, gpu_env,
                      kill_tree, ls_json, popen_aimeter, report_json, run_aimeter)


# t(0.975, df), as in src/lib/processing/forecast.c
T975 = {1: 12.706204736, 2: 4.302652730, 3: 3.182446305, 4: 2.776445105, 5: 2.570581836,
        6: 2.446911851, 7: 2.364624252, 8: 2.306004135}


def workload(script):
    return ["sh", "-c", f'PATH="{AIMETER.parent}:$PATH"; {script}']


def tagged_run(db, *tags, script="aimeter record tokens 1000; sleep 0.2", extra=(), env=None):
    args = ["run", "-q", "-i", "50ms", "--sources", "procfs,estimate", "--db", db]
    for t in tags:
        args += ["--tag", t]
    args += list(extra) + ["--"] + workload(script)
    r = run_aimeter(*args, env=env)
    assert r.returncode == 0, r.stderr
    return ls_json(db)[0]["id"]


def compare_json(db, *args):
    r = run_aimeter("compare", "--db", db, "--format", "json", *args)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema"] == "aimeter.compare/1"
    return doc


def row(doc, key):
    for r in doc["rows"]:
        if r["key"] == key:
            return r
    raise AssertionError(f"no row {key}: {[r['key'] for r in doc['rows']]}")


# ------------------------------------------------------------------ tags

def test_tags_are_stored_and_listed(db):
    rid = tagged_run(db, "batch=32", "lr=0.1", "batch=64", env={"SLURM_JOB_ID": "4242"})
    tags = {"batch": "64", "lr": "0.1", "slurm_job": "4242"}  # the later --tag wins
    # In a batch job the run also carries the job's tags (docs/cli.md, "Jobs"): node and user
    # are this machine's, so only their presence is checked.
    listed = ls_json(db)[0]["tags"]
    assert {k: listed[k] for k in tags} == tags
    assert listed["job"] == "4242" and listed["measured_by"] == "run"
    assert set(listed) == set(tags) | {"job", "measured_by", "node", "user"}
    assert report_json(db, rid)["run"]["tags"] == listed
    con = sqlite3.connect(db)
    rows = sorted(con.execute("SELECT key, value FROM run_tags WHERE run_id = ?", (rid,)))
    con.close()
    assert rows == sorted(listed.items())
    # an explicit slurm_job wins over the environment's
    tagged_run(db, "slurm_job=override", env={"SLURM_JOB_ID": "4242"})
    assert ls_json(db)[0]["tags"]["slurm_job"] == "override"


def test_bad_tags_are_usage_errors(db):
    for bad in ("novalue", "=x", "2x=y", "a b=c", "k=line\nbreak"):
        r = run_aimeter("run", "--db", db, "--tag", bad, "--", "true")
        assert_one_error(r, EX_USAGE)
        assert "--tag" in r.stderr


# ------------------------------------------------------------------ compare

def test_compare_ratios_best_and_baseline(db):
    a = tagged_run(db, script="aimeter record tokens 1000; aimeter record loss 0.5; sleep 0.2")
    b = tagged_run(db, script="aimeter record tokens 4000; aimeter record loss 0.25; sleep 0.4")
    doc = compare_json(db, a, b)
    assert doc["baseline"] == a and doc["by"] is None
    assert [x["id"] for x in doc["runs"]] == [a, b]
    for key in ("time", "energy", "carbon", "j_per.tokens", "record.tokens", "record.loss"):
        r = row(doc, key)
        v = r["values"]
        assert r["ratios"][0] == 1.0
        assert math.isclose(r["ratios"][1], v[1] / v[0], rel_tol=1e-12), r
        if r["better"] == "lower":
            assert r["best"] == min(range(2), key=lambda i: (v[i], i)), r
        else:
            assert r["best"] is None
    assert row(doc, "time")["best"] == 0  # 0.2 s against 0.4 s
    assert row(doc, "record.tokens")["values"] == [1000, 4000]
    assert row(doc, "record.loss")["values"] == [0.5, 0.25]
    rep = report_json(db, b)
    assert math.isclose(row(doc, "j_per.tokens")["values"][1], rep["energy"]["total_j"] / 4000,
                        rel_tol=1e-12)
    assert math.isclose(row(doc, "energy")["values"][1], rep["energy"]["total_j"], rel_tol=1e-12)

    # --baseline: the ratios are to b
    doc2 = compare_json(db, a, b, "--baseline", b)
    assert doc2["baseline"] == b
    t = row(doc2, "time")
    assert t["ratios"][1] == 1.0
    assert math.isclose(t["ratios"][0], t["values"][0] / t["values"][1], rel_tol=1e-12)

    # text: a row per figure, the baseline named, '*' on the best time
    r = run_aimeter("compare", "--db", db, a, b)
    assert r.returncode == 0, r.stderr
    assert "A (baseline)" in r.stdout and a in r.stdout and b in r.stdout
    time_line = next(ln for ln in r.stdout.splitlines() if ln.startswith("Time"))
    assert "*" in time_line and "×" in time_line
    assert "J per tokens" in r.stdout
    # markdown and CSV
    md = run_aimeter("compare", "--db", db, "-f", "markdown", a, b)
    assert md.returncode == 0 and "| Figure |" in md.stdout
    csv = run_aimeter("compare", "--db", db, "-f", "csv", a, b)
    lines = csv.stdout.splitlines()
    assert lines[0] == "row,label,unit,run,name,value,ratio,best"
    assert any(ln.startswith(f"record.tokens,tokens (total),,{b},") for ln in lines)


def test_compare_by_tag_mean_and_sample_stddev(db):
    ids = {}
    for bs, tokens in (("8", 100), ("8", 300), ("8", 800), ("64", 1000), ("64", 3000)):
        ids.setdefault(bs, []).append(
            tagged_run(db, f"batch={bs}", script=f"aimeter record tokens {tokens}; sleep 0.15"))
    tagged_run(db, script="sleep 0.1")  # untagged: not part of `--by batch` without RUNs
    per_run = compare_json(db, *ids["8"], *ids["64"])
    grouped = compare_json(db, "--by", "batch")  # every run tagged batch
    assert grouped["by"] == "batch" and grouped["stddev"] == "sample (n - 1)"
    groups = grouped["groups"]
    assert [g["label"] for g in groups] == ["batch=8", "batch=64"]
    assert [g["n"] for g in groups] == [3, 2]
    assert groups[0]["runs"] == ids["8"]
    for key in ("record.tokens", "time", "energy", "j_per.tokens"):
        values = row(per_run, key)["values"]
        g = row(grouped, key)
        for gi, sel in ((0, values[:3]), (1, values[3:])):
            assert math.isclose(g["mean"][gi], statistics.mean(sel), rel_tol=1e-9)
            assert math.isclose(g["stddev"][gi], statistics.stdev(sel), rel_tol=1e-9, abs_tol=1e-12)
            assert g["n"][gi] == len(sel)
        assert math.isclose(g["ratios"][1], g["mean"][1] / g["mean"][0], rel_tol=1e-12)
    tok = row(grouped, "record.tokens")
    assert tok["mean"] == [400, 2000] and math.isclose(tok["stddev"][0], math.sqrt(130000))
    # the baseline's group is the baseline column
    g2 = compare_json(db, "--by", "batch", "--baseline", ids["64"][0])
    assert g2["baseline_column"] == 1 and row(g2, "time")["ratios"][1] == 1.0
    text = run_aimeter("compare", "--db", db, "--by", "batch")
    assert text.returncode == 0
    assert "batch=8 (n=3)" in text.stdout and "±" in text.stdout
    assert "sample standard deviation" in text.stdout


def test_compare_errors(db):
    a = tagged_run(db)
    assert_one_error(run_aimeter("compare", "--db", db, a), EX_USAGE)  # one run
    assert_one_error(run_aimeter("compare", "--db", db, a, "nope-nope"), 66)
    assert_one_error(run_aimeter("compare", "--db", db, "--by", "missing"), 66)
    assert_one_error(run_aimeter("compare", "--db", db, "-f", "xml", a, a), EX_USAGE)


# ------------------------------------------------------------------ forecast

EPOCHS_4 = ("for i in 1 2 3 4; do aimeter phase begin \"epoch $i\"; sleep 0.25; "
            "aimeter phase end \"epoch $i\"; done")


def forecast_json(db, *args):
    r = run_aimeter("forecast", "--db", db, "--json", *args)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema"] == "aimeter.forecast/1"
    return doc


def linfit(x, y):
    n = len(x)
    xb, yb = sum(x) / n, sum(y) / n
    sxx = sum((a - xb) ** 2 for a in x)
    b = sum((a - xb) * (c - yb) for a, c in zip(x, y)) / sxx
    a = yb - b * xb
    s = math.sqrt(sum((c - a - b * xi) ** 2 for xi, c in zip(x, y)) / (n - 2))
    return a, b, s, xb, sxx


def predicted_sum(x, y, future):
    """The sum at `future` and the half-width of its 95 % prediction interval (the formula of
    docs/methodology.md, "Forecasting")."""
    a, b, s, xb, sxx = linfit(x, y)
    m, n = len(future), len(x)
    dev = sum(f - xb for f in future)
    half = T975[n - 2] * s * math.sqrt(m + m * m / n + dev * dev / sxx)
    return sum(a + b * f for f in future), half


def test_forecast_equal_epochs(db):
    # Four epochs of about 0.25 s (±10 ms set in the store) on a constant draw: no trend.
    constant_power_run(db, [("epoch 1", 0.05, 0.30), ("epoch 2", 0.30, 0.56),
                            ("epoch 3", 0.56, 0.80), ("epoch 4", 0.80, 1.05)])
    doc = forecast_json(db, "--epochs", "10")
    assert doc["numbered"] and doc["completed"] == 4 and doc["target"] == 10
    assert doc["to_come"] == [5, 6, 7, 8, 9, 10]
    inst = doc["instances"]
    assert [i["name"] for i in inst] == [f"epoch {k}" for k in range(1, 5)]
    x = [i["index"] for i in inst]
    dur = [i["duration_s"] for i in inst]
    energy = [i["energy_j"] for i in inst]
    assert [round(d, 6) for d in dur] == [0.25, 0.26, 0.24, 0.25]
    assert all(e > 0 for e in energy)
    # The fit and the interval, recomputed here from the instances the forecast shows.
    for key, y, block in (("energy_j", energy, "energy_j"), ("time_s", dur, "time_s")):
        a, b, s, _, _ = linfit(x, y)
        fit = doc["fit"][key]
        assert math.isclose(fit["intercept"], a, rel_tol=1e-9)
        assert math.isclose(fit["slope"], b, rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(fit["residual_se"], s, rel_tol=1e-9, abs_tol=1e-12)
        rem, half = predicted_sum(x, y, range(5, 11))
        got = doc["remaining"][block]
        assert math.isclose(got["value"], rem, rel_tol=1e-9)
        assert math.isclose(got["high"] - got["value"], half, rel_tol=1e-6, abs_tol=1e-9)
        tot = doc["instances_total"][block]
        assert math.isclose(tot["value"], sum(y) + rem, rel_tol=1e-9)
    # Equal epochs: 10 of them take about 10 × one.
    t10 = doc["instances_total"]["time_s"]["value"]
    assert 2.4 < t10 < 2.6, t10
    carbon = doc["instances_total"]["carbon_g"]["value"]
    rep = report_json(db)
    per_j = rep["carbon"]["g"] / rep["energy"]["total_j"]
    assert math.isclose(carbon, doc["instances_total"]["energy_j"]["value"] * per_j, rel_tol=1e-9)
    # the text form states the interval's formula
    text = run_aimeter("forecast", "--db", db, "--epochs", "10")
    assert text.returncode == 0, text.stderr
    assert "95 % prediction intervals" in text.stdout and "t(0.975, n-2)" in text.stdout
    # --until 'phase epoch ends' --count 10 is the same forecast
    assert forecast_json(db, "--until", "phase epoch ends", "--count", "10") == doc


def test_forecast_interval_holds_the_truth_of_exact_epochs(db):
    """Epoch times set exactly in the store: 0.30 s each with ±2 ms of known noise. The true
    total time of 12 such epochs (12 × 0.30 s) must lie in the forecast's interval, and the
    point forecast within a few ms of it."""
    r = run_aimeter("run", "-q", "-i", "50ms", "--sources", "procfs,estimate", "--db", db, "--",
                    *workload(EPOCHS_4))
    assert r.returncode == 0, r.stderr
    noise = [0.002, -0.002, -0.002, 0.002]  # zero mean, no trend: the line is flat at 0.30
    con = sqlite3.connect(db)
    rows = con.execute("SELECT seq, phase FROM phases ORDER BY seq").fetchall()
    assert [p for _, p in rows] == [f"epoch {k}" for k in range(1, 5)]
    start = 10_000_000
    for (seq, _), e in zip(rows, noise):
        end = start + int((0.30 + e) * 1e9)
        con.execute("UPDATE phases SET start_ns = ?, end_ns = ? WHERE seq = ?", (start, end, seq))
        start = end
    con.commit()
    con.close()
    doc = forecast_json(db, "--epochs", "12")
    t = doc["instances_total"]["time_s"]
    assert t["low"] <= 12 * 0.30 <= t["high"], t
    assert abs(t["value"] - 3.6) < 0.005, t
    assert doc["fit"]["time_s"]["slope"] == 0 or abs(doc["fit"]["time_s"]["slope"]) < 1e-12


def test_forecast_repeated_phase_name_skip_and_errors(db):
    script = ("for i in 1 2 3; do aimeter phase begin step; sleep 0.15; aimeter phase end step; "
              "done; aimeter phase begin other; sleep 0.05")
    r = run_aimeter("run", "-q", "-i", "50ms", "--sources", "procfs,estimate", "--db", db, "--",
                    *workload(script))
    assert r.returncode == 0, r.stderr
    doc = forecast_json(db, "--phase", "step", "--epochs", "5")
    assert not doc["numbered"] and [i["index"] for i in doc["instances"]] == [1, 2, 3]
    assert doc["to_come"] == [4, 5]
    skipped = forecast_json(db, "--phase", "step", "--epochs", "5", "--skip", "1")
    assert [i["fitted"] for i in skipped["instances"]] == [False, True, True]
    assert skipped["fit"]["time_s"]["n"] == 2 and skipped["fit"]["time_s"]["residual_se"] is None
    # two points: a line, but no residual to bound its error, so no forecast
    assert skipped["forecast"]["time_s"]["verdict"] == "too_few"
    assert skipped["remaining"]["time_s"] is None
    # too few instances: one line, exit 65, naming the phases there are
    r = run_aimeter("forecast", "--db", db, "--epochs", "5")
    line = assert_one_error(r, EX_DATAERR)
    assert "'epoch'" in line and "'step'" in line
    r = run_aimeter("forecast", "--db", db, "--phase", "step", "--epochs", "2")
    assert_one_error(r, EX_USAGE)  # 3 already completed
    assert_one_error(run_aimeter("forecast", "--db", db), EX_USAGE)  # no --epochs
    assert_one_error(run_aimeter("forecast", "--db", db, "--until", "train", "--count", "3"),
                     EX_USAGE)


def test_forecast_live_follows_a_running_run(db, tmp_path):
    script = ("for i in 1 2 3 4 5; do aimeter phase begin \"epoch $i\"; sleep 0.4; "
              "aimeter phase end \"epoch $i\"; done")
    proc, _, err = popen_aimeter("run", "-q", "-i", "50ms", "--sources", "procfs,estimate",
                                 "--db", db, "--", *workload(script), out_dir=tmp_path)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the run is in the store, with 2 epochs done
            if (tmp_path / "runs.db").exists():
                try:
                    con = sqlite3.connect(db)
                    (n,) = con.execute("SELECT count(*) FROM phases WHERE end_ns IS NOT NULL"
                                       ).fetchone()
                    con.close()
                    if n >= 2:
                        break
                except sqlite3.Error:
                    pass
            time.sleep(0.05)
        r = run_aimeter("forecast", "--db", db, "--epochs", "5", "--live", "--every", "0.2s",
                        "--json")
        assert r.returncode == 0, r.stderr
        assert proc.wait(timeout=30) == 0, err.read_text()
    finally:
        kill_tree(proc)
    dec, docs, pos = json.JSONDecoder(), [], 0
    text = r.stdout
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos < len(text):
            d, pos = dec.raw_decode(text, pos)
            docs.append(d)
    assert len(docs) >= 2, text
    assert docs[0]["running"] is True and docs[0]["completed"] < 5
    assert docs[-1]["running"] is False and docs[-1]["completed"] == 5
    assert docs[-1]["to_come"] == []


def constant_power_run(db, epochs, unterminated=()):
    """A run whose only energy is the DRAM estimate from a static fixture procfs tree (a
    constant draw, so an instance's energy is that power × its time), with the phase instances
    written into the store: (name, start s, end s). Names in `unterminated` are marked as
    aimeter marks an instance still open when the command ended (phase_totals). Nothing here
    depends on the machine's load or timing."""
    env = {"AIMETER_PROCFS_ROOT": str(FIXTURES / "procfs" / "basic" / "proc")}
    r = run_aimeter("run", "-q", "-i", "50ms", "--sources", "procfs,estimate", "--db", db, "--",
                    "sleep", "1.2", env=env)
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(db)
    (run_id,) = con.execute("SELECT id FROM runs").fetchone()
    for seq, (name, t0, t1) in enumerate(epochs):
        con.execute("INSERT INTO phases (run_id, seq, phase, depth, start_ns, end_ns) "
                    "VALUES (?, ?, ?, 0, ?, ?)", (run_id, seq, name, int(t0 * 1e9), int(t1 * 1e9)))
        con.execute("INSERT INTO phase_totals (run_id, name, instances, first_ns, last_end_ns, "
                    "total_ns, carbon_g, unterminated) VALUES (?, ?, 1, ?, ?, ?, NULL, ?)",
                    (run_id, name, int(t0 * 1e9), int(t1 * 1e9), int((t1 - t0) * 1e9),
                     1 if name in unterminated else 0))
    con.commit()
    con.close()


def test_forecast_leaves_out_an_instance_the_command_never_ended(db):
    # epoch 4 was still open when the command ended: aimeter closed it at the run's end.
    constant_power_run(db, [("epoch 1", 0.1, 0.3), ("epoch 2", 0.3, 0.5), ("epoch 3", 0.5, 0.7),
                            ("epoch 4", 0.7, 0.75)], unterminated=("epoch 4",))
    doc = forecast_json(db, "--epochs", "10")
    assert doc["completed"] == 3 and doc["unterminated"] == 1
    assert [i["name"] for i in doc["instances"]] == ["epoch 1", "epoch 2", "epoch 3"]
    assert doc["to_come"] == [4, 5, 6, 7, 8, 9, 10]
    assert doc["fit"]["time_s"]["n"] == 3
    text = run_aimeter("forecast", "--db", db, "--epochs", "10").stdout
    assert "1 left open when the command ended (not counted)" in text


def test_forecast_never_negative_and_says_when_the_fit_cannot_forecast(db):
    # Epochs shorter by 50 ms each: the line reaches zero at epoch 6, and 1000 epochs of it
    # would be a negative time and energy.
    constant_power_run(db, [("epoch 1", 0.05, 0.30), ("epoch 2", 0.30, 0.50),
                            ("epoch 3", 0.50, 0.65), ("epoch 4", 0.65, 0.75)])
    doc = forecast_json(db, "--epochs", "1000")
    assert doc["fit"]["time_s"]["slope"] < 0 and doc["fit"]["energy_j"]["slope"] < 0
    for key in ("energy_j", "time_s"):
        assert doc["forecast"][key]["ok"] is False
        assert doc["forecast"][key]["verdict"] == "falling"
        assert "reaches zero" in doc["forecast"][key]["reason"]
        for block in ("remaining", "instances_total", "run_total"):
            assert doc[block][key] is None
    assert doc["instances_total"]["carbon_g"] is None
    text = run_aimeter("forecast", "--db", db, "--epochs", "1000")
    assert text.returncode == 0, text.stderr
    assert "No energy, carbon or cost forecast: the energy per instance falls" in text.stdout
    assert "No time forecast" in text.stdout and "-" not in text.stdout.split("To come")[1][:200]
    # Near the data the same line still forecasts: 5 epochs, bounded at zero, never less than
    # what the 4 completed ones took.
    doc = forecast_json(db, "--epochs", "5")
    assert doc["forecast"]["time_s"]["ok"] is True
    for key in ("energy_j", "time_s"):
        done = doc["completed_totals"][key]
        for block in ("remaining", "instances_total"):
            q = doc[block][key]
            assert 0 <= q["low"] <= q["value"] <= q["high"], q
        assert doc["instances_total"][key]["low"] >= done
    # Two instances: a line, but too few to forecast with.
    db2 = db + "2"
    constant_power_run(db2, [("epoch 1", 0.1, 0.3), ("epoch 2", 0.3, 0.5)])
    doc = forecast_json(db2, "--epochs", "5")
    assert doc["forecast"]["time_s"]["verdict"] == "too_few"
    assert doc["remaining"]["time_s"] is None


# ------------------------------------------------------------------ whatif --hardware

def test_whatif_hardware_with_the_fake_nvml(db, tmp_path):
    env = gpu_env()
    r = run_aimeter("run", "-q", "--sources", "procfs,nvml,estimate", "--db", db, "--", "sleep",
                    "0.6", env=env)
    assert r.returncode == 0, r.stderr
    r = run_aimeter("whatif", "--db", db, "--hardware", "A100,L4", "--zones", "FR,PL", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema"] == "aimeter.whatif-hardware/1"
    (m,) = doc["measured"]
    assert m["devices"] == "gpu0, gpu1" and m["model"] == "NVIDIA H100 80GB HBM3"
    assert m["hardware"] == "NVIDIA H100 SXM5 80GB" and m["tdp_w"] == 700
    assert [z["label"] for z in doc["zones"]] == ["run (WORLD)", "FR", "PL"]
    gpu = doc["gpu_energy_j"]
    rep = report_json(db)
    stored = sum(d["energy_j"] for d in rep["energy"]["devices"] if d["kind"] == "gpu")
    assert math.isclose(gpu, stored, rel_tol=1e-3), (gpu, stored)
    # H100 SXM5 -> A100 SXM4 40GB: (400 / 700) x (989.4 / 312); -> L4: (72 / 700) x (989.4 / 121)
    expect = {"NVIDIA A100 SXM4 40GB": 400 / 700 * 989.4 / 312,
              "NVIDIA L4": 72 / 700 * 989.4 / 121}
    assert [a["hardware"] for a in doc["alternatives"]] == list(expect)
    for a in doc["alternatives"]:
        ratio = expect[a["hardware"]]
        (x,) = a["ratios"]
        assert x["throughput"] == "tensor" and x["tdp_measured_w"] == 700
        assert math.isclose(x["energy_ratio"], ratio, rel_tol=1e-12)
        assert math.isclose(a["gpu_energy_j"], gpu * ratio, rel_tol=1e-12)
        assert math.isclose(a["energy_j"], doc["energy_j"] - gpu + gpu * ratio, rel_tol=1e-12)
        for k in range(3):  # the hardware x zone matrix
            want = doc["carbon_g"][k] + m["carbon_g"][k] * (ratio - 1)
            assert math.isclose(a["carbon_g"][k], want, rel_tol=1e-9)
    # zone items take years and signals as with --zones alone
    r = run_aimeter("whatif", "--db", db, "--hardware", "A100", "--zones", "FR@2010,PL@marginal",
                    "--json")
    assert r.returncode == 0, r.stderr
    assert [z["label"] for z in json.loads(r.stdout)["zones"]] == ["run (WORLD)", "FR@2010",
                                                                   "PL@marginal"]
    assert_one_error(run_aimeter("whatif", "--db", db, "--hardware", "A100", "--zones",
                                 "FR@2031"), EX_USAGE)
    # text: the ratio and its ingredients
    text = run_aimeter("whatif", "--db", db, "--hardware", "A100")
    assert text.returncode == 0, text.stderr
    assert "400 / 700" in text.stdout and "312 / 989.4" in text.stdout and "1.81" in text.stdout
    # unknown hardware: usage; no GPU in the run: one line, exit 65
    assert_one_error(run_aimeter("whatif", "--db", db, "--hardware", "Z9000"), EX_USAGE)
    run_aimeter("run", "-q", "--sources", "procfs,estimate", "--db", db, "--", "true")
    r = run_aimeter("whatif", "--db", db, "--hardware", "A100")
    line = assert_one_error(r, EX_DATAERR)
    assert "no GPU" in line


def _gpu_run(db, tmp_path, *names):
    """A run measuring fake GPUs with these NVML names, each a steady 200 W."""
    sc = tmp_path / "gpus.scenario"
    lines = [f"gpus {len(names)}", "energy_refresh_ms 100"]
    for i, n in enumerate(names):
        lines += [f"gpu{i} name {n}", f"gpu{i} uuid GPU-{i:08d}-1111-2222-3333-444444444444",
                  f"gpu{i} power 0:200000"]
    sc.write_text("\n".join(lines) + "\n")
    r = run_aimeter("run", "-q", "--sources", "procfs,nvml,estimate", "--db", db, "--", "sleep",
                    "0.4", env=gpu_env(AIMETER_FAKE_NVML_SCENARIO=sc))
    assert r.returncode == 0, r.stderr


def test_whatif_hardware_knows_the_a800_as_nvml_names_it(db, tmp_path):
    # the paper's GPUs, spelled as NVML reports them, were "not in the hardware table"
    _gpu_run(db, tmp_path, "NVIDIA A800 80GB PCIe", "NVIDIA A800-SXM4-80GB")
    r = run_aimeter("whatif", "--db", db, "--hardware", "A100", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    got = {m["model"]: (m["hardware"], m["tdp_w"]) for m in doc["measured"]}
    assert got == {"NVIDIA A800 80GB PCIe": ("NVIDIA A800 PCIe 80GB", 250),
                   "NVIDIA A800-SXM4-80GB": ("NVIDIA A800 SXM", 400)}


def test_whatif_hardware_with_stated_figures(db, tmp_path):
    _gpu_run(db, tmp_path, "Acme Accelerator X1")
    r = run_aimeter("whatif", "--db", db, "--hardware", "A100")
    line = assert_one_error(r, EX_DATAERR)
    assert "not in the hardware table" in line and "--gpu-spec" in line
    # the measured device stated, and an alternative the table lacks
    r = run_aimeter("whatif", "--db", db, "--hardware", "A100,Zeta Z9", "--json",
                    "--gpu-spec", "Acme Accelerator X1:tdp=300,tflops=150",
                    "--gpu-spec", "Zeta Z9:tdp=500,tflops=1000")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    (m,) = doc["measured"]
    assert m["hardware"] == "Acme Accelerator X1" and m["tdp_w"] == 300
    assert "stated with --gpu-spec" in m["source"]
    ratios = {a["hardware"]: a["ratios"][0]["energy_ratio"] for a in doc["alternatives"]}
    assert math.isclose(ratios["NVIDIA A100 SXM4 40GB"], 400 / 300 * 150 / 312, rel_tol=1e-12)
    assert math.isclose(ratios["Zeta Z9"], 500 / 300 * 150 / 1000, rel_tol=1e-12)
    # a table row amended: a power-capped A100 keeps the row's throughput
    r = run_aimeter("whatif", "--db", db, "--hardware", "A100", "--json",
                    "--gpu-spec", "Acme Accelerator X1:tdp=300,tflops=150",
                    "--gpu-spec", "A100:tdp=250")
    assert r.returncode == 0, r.stderr
    (a,) = json.loads(r.stdout)["alternatives"]
    assert math.isclose(a["ratios"][0]["energy_ratio"], 250 / 300 * 150 / 312, rel_tol=1e-12)
    text = run_aimeter("whatif", "--db", db, "--hardware", "A100",
                       "--gpu-spec", "Acme Accelerator X1:tdp=300,tflops=150")
    assert text.returncode == 0 and "as stated with --gpu-spec" in text.stdout
    for bad in (["--gpu-spec", "Zeta Z9:tdp=500"], ["--gpu-spec", "Zeta Z9:watts=5"],
                ["--gpu-spec", "A100:tdp=-3"], ["--gpu-spec", "no figures"]):
        assert_one_error(run_aimeter("whatif", "--db", db, "--hardware", "A100", *bad), EX_USAGE)
    assert_one_error(run_aimeter("whatif", "--db", db, "--zones", "FR",
                                 "--gpu-spec", "A100:tdp=250"), EX_USAGE)
