"""`aimeter run`: the command's exit status and output, the report, and every option."""
import csv
import io
import json
import math
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import (AIMETER, EX_USAGE, assert_one_error, device, ls_json, rel_close, report_json, run_aimeter)


def run_ok(db, *args, cmd=("sleep", "0.3")):
    r = run_aimeter("run", "--db", db, *args, "--", *cmd)
    assert r.returncode == 0, f"exit {r.returncode}\n{r.stderr}"
    return r


# ------------------------------------------------------------------ exit status, stdout

@pytest.mark.parametrize("cmd, code, status", [
    (["true"], 0, "completed"),
    (["sh", "-c", "exit 7"], 7, "failed"),
    (["sh", "-c", "kill -KILL $$"], 137, "failed"),
    (["sh", "-c", "kill -TERM $$"], 143, "failed"),
])
def test_exit_status_is_the_commands(db, cmd, code, status):
    r = run_aimeter("run", "-q", "-i", "20ms", "--db", db, "--", *cmd)
    assert r.returncode == code, r.stderr
    rep = report_json(db)
    assert rep["run"]["exit_code"] == code
    assert rep["run"]["status"] == status
    assert ls_json(db)[0]["status"] == status


def test_child_stdout_is_untouched(db, tmp_path):
    # Bytes that are not UTF-8, no final newline, and something on the child's stderr.
    script = tmp_path / "emit.py"
    script.write_text("import sys\n"
                      "sys.stdout.buffer.write(b'line one\\n\\xff\\xfe binary\\x00 tail')\n"
                      "sys.stderr.write('child stderr\\n')\n")
    r = subprocess.run([str(AIMETER), "run", "--db", db, "-i", "20ms", "--",
                        "/usr/bin/python3", str(script)],
                       capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"line one\n\xff\xfe binary\x00 tail"
    err = r.stderr.decode()
    assert "child stderr" in err
    assert "aimeter report" in err, "the report goes to stderr"


def test_child_reads_aimeters_stdin(db):
    r = run_aimeter("run", "-q", "--db", db, "--", "cat", input="fed through\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "fed through\n"


def test_command_found_through_path(db, tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    tool = bindir / "my-workload"
    tool.write_text("#!/bin/sh\necho from-path \"$@\"\n")
    tool.chmod(0o755)
    r = run_aimeter("run", "-q", "--db", db, "--", "my-workload", "a b",
                    env={"PATH": f"{bindir}:/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    assert r.stdout == "from-path a b\n"
    rep = report_json(db)
    assert rep["run"]["name"] == "my-workload"
    assert rep["run"]["command"] == "my-workload 'a b'"


def test_no_command_is_a_usage_error(db):
    r = run_aimeter("run", "--db", db)
    assert r.returncode == EX_USAGE
    assert not Path(db).exists()


# ------------------------------------------------------------------ the report

def printed(pattern, text):
    """The number a regex group captured, as printed (a string)."""
    m = re.search(pattern, text, re.M)
    assert m, f"{pattern!r} not found in:\n{text}"
    return m.group(1)


def same_as_printed(shown, value):
    """`shown` is `value` rounded to the digits it was printed with."""
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return abs(float(shown) - value) <= 0.5 * 10 ** -decimals * 1.001 + 1e-12


def test_text_report_contents(db):
    r = run_ok(db, "-i", "50ms", cmd=("sleep", "0.5"))
    text = r.stderr
    rep = report_json(db)
    assert text.startswith(f"aimeter report  run {rep['run']['id']}")
    assert "completed" in text

    total_time = printed(r"^\s*Total time\s+([0-9.]+) s", text)
    assert 0.4 <= float(total_time) <= 5.0
    assert same_as_printed(total_time, rep["run"]["duration_s"])

    # Per-component energy with the method: no RAPL here, so CPU and DRAM are estimated.
    devs = {d["device"]: d for d in rep["energy"]["devices"]}
    cpu = printed(r"^\s*CPU energy \(cpu0\)\s+([0-9.]+) J\s+estimated", text)
    dram = printed(r"^\s*DRAM energy \(dram0\)\s+([0-9.]+) J\s+estimated", text)
    assert same_as_printed(cpu, devs["cpu0"]["energy_j"]) and float(cpu) > 0
    assert same_as_printed(dram, devs["dram0"]["energy_j"]) and float(dram) > 0
    total = printed(r"^\s*Total energy\s+([0-9.]+) J", text)
    kwh = printed(r"^\s*Total energy\s+[0-9.]+ J\s+= ([0-9.e-]+) kWh", text)
    assert same_as_printed(total, rep["energy"]["total_j"])
    assert float(kwh) == pytest.approx(rep["energy"]["total_kwh"], rel=0.05, abs=1e-6)

    # Carbon in g and kg, with the intensity and where it came from.
    m = re.search(r"^\s*Carbon\s+([0-9.e-]+) g CO2e\s+\(([0-9.e-]+) kg\) at ([0-9.]+) g/kWh, (.+)$",
                  text, re.M)
    assert m, text
    assert float(m.group(1)) == pytest.approx(rep["carbon"]["g"], rel=0.05, abs=1e-3)
    assert float(m.group(2)) == pytest.approx(rep["carbon"]["kg"], rel=0.05, abs=1e-6)
    assert same_as_printed(m.group(3), rep["carbon"]["intensity_g_per_kwh"])
    assert "world average" in m.group(4)

    # The statistics table and the sampling facts.
    assert re.search(r"Metric\s+Avg\s+Max\s+Min\s+Mode", text)
    assert re.search(r"^CPU\s+Usage \[%\]", text, re.M)
    samples = printed(r"^Samples (\d+) at 50 ms \(achieved [0-9.]+ ms\), missed deadlines \d+",
                      text)
    assert int(samples) == rep["sampling"]["samples"]


def test_json_report_is_consistent(db):
    run_ok(db, "-q", "-i", "50ms", cmd=("sleep", "0.5"))
    rep = report_json(db)
    assert rep["schema"] == "aimeter.report/1"
    energy = rep["energy"]
    devs = {d["device"]: d for d in energy["devices"]}
    assert devs["cpu0"]["method"] == "estimated"
    assert devs["dram0"]["method"] == "estimated"
    in_total = [d["energy_j"] for d in energy["devices"] if d["in_total"]]
    assert in_total
    assert rel_close(energy["total_j"], math.fsum(in_total))
    assert rel_close(energy["total_kwh"], energy["total_j"] / 3.6e6)
    carbon = rep["carbon"]
    assert carbon["intensity_g_per_kwh"] > 0
    assert rel_close(carbon["g"], energy["total_j"] / 3.6e6 * carbon["intensity_g_per_kwh"])
    assert rel_close(carbon["kg"], carbon["g"] / 1000)
    s = rep["sampling"]
    assert s["interval_s"] == pytest.approx(0.05)
    assert s["samples"] >= 3
    assert s["achieved_interval_s"] > 0
    assert s["missed_deadlines"] >= 0
    assert "procfs" in s["sources"] and "estimate" in s["sources"]
    # Statistics are ordered, as they must be.
    for d in rep["devices"]:
        for m in d["metrics"]:
            if m["count"]:
                assert m["min"] <= m["avg"] + 1e-9 and m["avg"] <= m["max"] + 1e-9, m


def test_markdown_report_has_tables(db):
    run_ok(db, "-q")
    r = run_aimeter("report", "--format", "markdown", "--db", db)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any(re.match(r"^\|\s*Overall\s*\|", ln) for ln in lines), r.stdout
    assert any(re.match(r"^\|(\s*:?-+:?\s*\|)+$", ln) for ln in lines), "no table separator"
    assert any(ln.startswith("| Total energy |") for ln in lines)


def test_report_unknown_format(db):
    run_ok(db, "-q")
    r = run_aimeter("report", "--format", "xml", "--db", db)
    assert r.returncode == EX_USAGE


# ------------------------------------------------------------------ options

@pytest.mark.parametrize("flag, value, seconds", [
    (None, None, 0.1), ("-i", "0.5s", 0.5), ("--interval", "2s", 2.0), ("-i", "1ms", 0.001),
    ("--interval", "250us", None),
])
def test_interval(db, flag, value, seconds):
    args = [flag, value] if flag else []
    if seconds is None:  # below the 1 ms minimum
        r = run_aimeter("run", "--db", db, *args, "--", "true")
        assert r.returncode == EX_USAGE
        return
    run_ok(db, "-q", *args, cmd=("sleep", "0.3"))
    assert report_json(db)["sampling"]["interval_s"] == pytest.approx(seconds)


def test_name(db):
    run_ok(db, "-q", "-n", "my experiment #1")
    assert ls_json(db)[0]["name"] == "my experiment #1"
    assert report_json(db)["run"]["name"] == "my experiment #1"
    r = run_aimeter("ls", "--db", db)
    assert "my experiment #1" in r.stdout


def test_default_name_is_the_program(db):
    run_ok(db, "-q", cmd=("/bin/sleep", "0.1"))
    assert ls_json(db)[0]["name"] == "sleep"


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def check_csv(rows):
    header, body = rows[0], rows[1:]
    assert header[:2] == ["time_s", "wall_time"], header
    assert len(header) > 2
    assert len(set(header)) == len(header), "duplicate column names"
    for row in body:
        assert len(row) == len(header), row
        for i, cell in enumerate(row):
            if i == 1:
                continue
            if cell != "":
                float(cell)  # raises if not a number
    times = [float(r[0]) for r in body]
    assert times == sorted(times)
    return header, body


def test_csv_option(db, tmp_path):
    out = tmp_path / "series.csv"
    run_ok(db, "-q", "-i", "50ms", "--csv", out, cmd=("sleep", "1"))
    header, body = check_csv(read_csv(out))
    # one row per sample of the fastest group: as many as the run says it took (how many
    # that is for a second depends on how promptly the machine woke the sampler)
    assert len(body) == report_json(db)["sampling"]["samples"], len(body)
    assert any(h.startswith("cpu0.power") for h in header), header
    assert re.match(r"\d{4}-\d\d-\d\dT", body[0][1]), body[0][1]
    # The same series again through `export`.
    again = tmp_path / "again.csv"
    r = run_aimeter("export", "--db", db, "--csv", again)
    assert r.returncode == 0, r.stderr
    assert again.read_text() == out.read_text()


def test_csv_and_json_to_stdout(db):
    r = run_aimeter("run", "-q", "--db", db, "-i", "50ms", "--csv", "-", "--", "sleep", "0.3")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("time_s,wall_time,")
    check_csv(list(csv.reader(io.StringIO(r.stdout))))


@pytest.mark.parametrize("outputs", [
    ["--json", "-", "--html", "-"],
    ["--csv", "-", "--json", "-", "--html", "-"],
    ["--json", "{d}/out", "--html", "{d}/out"],
    ["--json", "{d}/out", "--html", "{d}/sub/../out"],
    ["--csv", "{d}/x.csv", "--json", "{d}/x.columns.csv"],
    ["--json", "{d}/exists", "--html", "{d}/link"],
])
def test_outputs_must_differ(db, tmp_path, outputs):
    """Two outputs naming one file (or both standard output) would mix or overwrite each
    other: refused before the command starts."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "exists").write_text("keep")
    (tmp_path / "link").symlink_to(tmp_path / "exists")
    marker = tmp_path / "started"
    args = [a.format(d=tmp_path) for a in outputs]
    r = run_aimeter("run", "--db", db, *args, "--", "touch", marker)
    line = assert_one_error(r, EX_USAGE)
    assert "--" in line and ("same file" in line or "standard output" in line), line
    assert not marker.exists() and not Path(db).exists()
    assert not (tmp_path / "out").exists() and (tmp_path / "exists").read_text() == "keep"


def test_json_option(db, tmp_path):
    out = tmp_path / "summary.json"
    run_ok(db, "-q", "--json", out)
    summary = json.loads(out.read_text())
    assert summary == report_json(db)


def test_sources_option(db):
    run_ok(db, "-q", "--sources", "procfs,estimate")
    rep = report_json(db)
    assert set(rep["sampling"]["sources"]) <= {"procfs", "estimate"}
    assert "procfs" in rep["sampling"]["sources"]
    assert not any(d["kind"] == "process" for d in rep["devices"]), "proctree was not selected"
    assert device(rep, "cpu0")


def test_unknown_source(db):
    r = run_aimeter("run", "--db", db, "--sources", "procfs,nvml9", "--", "true")
    assert r.returncode == EX_USAGE
    assert "nvml9" in r.stderr
    assert not Path(db).exists()


def test_intensity_option(db):
    r = run_ok(db, "--intensity", "100", "-i", "50ms", cmd=("sleep", "0.3"))
    assert re.search(r"at 100 g/kWh", r.stderr), r.stderr
    rep = report_json(db)
    c = rep["carbon"]
    assert c["intensity_g_per_kwh"] == 100
    assert rel_close(c["g"], rep["energy"]["total_kwh"] * 100)
    assert "intensity" in c["source"]


@pytest.mark.parametrize("value", ["-5", "abc", "1e9", "nan"])
def test_bad_intensity(db, value):
    r = run_aimeter("run", "--db", db, f"--intensity={value}", "--", "true")
    assert r.returncode == EX_USAGE


def test_zone_option(db):
    r = run_ok(db, "--zone", "fr", cmd=("sleep", "0.3"))
    rep = report_json(db)
    c = rep["carbon"]
    assert c["zone"] == "FR"
    assert re.search(r"g/kWh, FR\b", r.stderr), r.stderr
    assert 0 < c["intensity_g_per_kwh"] < 200  # France's grid is mostly nuclear and hydro
    assert rel_close(c["g"], rep["energy"]["total_kwh"] * c["intensity_g_per_kwh"])


def test_intensity_overrides_zone(db):
    run_ok(db, "-q", "--zone", "FR", "--intensity", "250")
    assert report_json(db)["carbon"]["intensity_g_per_kwh"] == 250


def test_quiet_still_prints_the_report(db):
    r = run_ok(db, "-q")
    assert "aimeter report" in r.stderr
    assert "\r" not in r.stderr, "no live status line when stderr is not a terminal"
    # -qq is quieter (docs/cli.md, issue 11): errors only; the run is in the store.
    r = run_ok(db, "-qq")
    assert "aimeter report" not in r.stderr
    assert "aimeter: warning" not in r.stderr
    assert report_json(db)["run"]["status"] == "completed"


def test_default_store_from_environment(tmp_path):
    store = tmp_path / "env" / "store.db"
    r = run_aimeter("run", "-q", "--", "true", env={"AIMETER_DB": store})
    assert r.returncode == 0, r.stderr
    assert store.exists()
    r = run_aimeter("ls", env={"AIMETER_DB": store})
    assert r.returncode == 0 and "true" in r.stdout


def test_default_store_under_xdg_data_home(tmp_path):
    env = dict(os.environ)
    del env["AIMETER_DB"]
    xdg = tmp_path / "xdg"
    r = subprocess.run([str(AIMETER), "run", "-q", "--", "true"], capture_output=True,
                       text=True, timeout=60, env={**env, "XDG_DATA_HOME": str(xdg)})
    assert r.returncode == 0, r.stderr
    assert (xdg / "aimeter" / "aimeter.db").exists()
