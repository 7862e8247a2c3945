"""A PostgreSQL store (issue 16): every command works on it unchanged.

The runs go into PostgreSQL the way users move them, with `aimeter push`: the golden store
(tests/fixtures/store/golden.sql) and a run measured for real through the fake NVML are
pushed from SQLite into fresh databases of the session's server (pgserver.py). Then:
  - every case of test_golden.py (ls, report, export, corr, whatif, compare, forecast) run
    against PostgreSQL prints the golden files byte for byte (the store's name, where a
    message prints it, read as the SQLite one's);
  - on the measured run, ls, report (text, JSON, HTML), export (CSV, JSON, profile), corr,
    whatif, compare, forecast and plot print the same on both stores, and `aimeter serve`
    answers /api/runs and /api/runs/{id}/view the same;
  - `aimeter run --db postgresql://...` stores its run there and `report` reads it back, as
    with AIMETER_DB; a password in the URL is refused (exit 64) and never printed; an
    unknown scheme is a usage error that creates no file; a server that is not there is
    exit 69.
"""
import json
import os
import shutil
import subprocess
import tempfile
import types
import urllib.parse

import pytest

from conftest import (AIMETER, EX_UNAVAILABLE, EX_USAGE, assert_one_error, gpu_env, ls_json,
                      run_aimeter)
from promserver import fetch
from serveproc import serving
from test_golden import CASES, GOLDEN, INTENSITY, check, check_streams, clean_env, load_store

# The golden store's runs (test_golden.py): R1 has four epochs, R5 no GPU.
R1 = "20261207-083154-91009a"
R5 = "20261207-083159-769624"


def push(src, dest, *runs):
    r = run_aimeter("push", "--db", src, "--to", dest, *runs, timeout=300)
    assert r.returncode == 0, f"aimeter push failed ({r.returncode}):\n{r.stderr}"
    return r


def with_db(args, db):
    """args with --db DB after the subcommand (before `run`'s `--`)."""
    return [args[0], "--db", db, *args[1:]]


def same_modulo_store(a, b, a_store, b_store):
    """Two finished commands printed the same, each store's name read as "STORE"."""
    def norm(r, store):
        return (r.returncode, r.stdout.replace(str(store), "STORE"),
                r.stderr.replace(str(store), "STORE"))
    assert norm(a, a_store) == norm(b, b_store)


@pytest.fixture(scope="module")
def golden_pg(pg_server, tmp_path_factory):
    """The golden store pushed into a fresh PostgreSQL database: its URL."""
    src = tmp_path_factory.mktemp("golden-src") / "golden.db"
    load_store(src)
    url = pg_server.createdb()
    push(src, url)
    return url


@pytest.fixture(scope="module")
def measured(pg_server, tmp_path_factory):
    """An SQLite store with the golden runs and one run measured through the fake NVML (two
    H100s, a tag), and a PostgreSQL database it was pushed into: (sqlite path, URL, run id)."""
    work = tmp_path_factory.mktemp("measured")
    db = work / "runs.db"
    load_store(db)
    runtime = tempfile.mkdtemp(prefix="aim-rt-")
    try:
        r = run_aimeter("run", "-q", "--db", db, "-n", "gpu-run", "-i", "50ms",
                        "--tag", "batch=16", "--", "sleep", "0.6",
                        env=gpu_env(XDG_RUNTIME_DIR=runtime))
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
    assert r.returncode == 0, r.stderr
    run_id = ls_json(db)[0]["id"]
    url = pg_server.createdb()
    push(db, url)
    return db, url, run_id


# ---------------------------------------------------------------- the golden outputs


@pytest.mark.parametrize("name,args,files", CASES, ids=[c[0] for c in CASES])
def test_golden_on_postgresql(golden_pg, name, args, files, tmp_path):
    """The golden outputs, read from PostgreSQL: byte for byte what SQLite gives."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copyfile(INTENSITY, work / "golden-intensity.csv")
    r = subprocess.run([str(AIMETER), *args, "--db", golden_pg], cwd=work,
                       env=clean_env(tmp_path), stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=120)
    where = golden_pg.encode()
    r = types.SimpleNamespace(returncode=r.returncode,
                              stdout=r.stdout.replace(where, b"golden.db"),
                              stderr=r.stderr.replace(where, b"golden.db"))
    problems = []
    check_streams(GOLDEN, name, r, problems)
    for f in files:
        out = work / f
        if not out.is_file():
            problems.append(f"{f}: not written")
            continue
        check(GOLDEN / f"{name}.{f}", out.read_bytes(), problems)
    assert not problems, f"{name}: aimeter {' '.join(args)}\n" + "\n".join(problems)


# ---------------------------------------------------------------- a measured run, both stores

MEASURED_COMMANDS = [
    ("ls", ["ls"]),
    ("ls-json", ["ls", "--json"]),
    ("report-text", ["report", "{run}"]),
    ("report-json", ["report", "{run}", "--format", "json"]),
    ("report-markdown", ["report", "{run}", "--format", "markdown"]),
    ("report-html", ["report", "{run}", "--format", "html"]),
    ("export-csv", ["export", "{run}", "--csv", "-"]),
    ("export-columns", ["export", "{run}", "--columns", "-"]),
    ("export-json", ["export", "{run}", "--json", "-"]),
    ("export-profile", ["export", R1, "--profile", "-"]),
    ("corr", ["corr", "{run}"]),
    ("corr-json", ["corr", "{run}", "--matrix", "-f", "json"]),
    ("corr-recompute", ["corr", "{run}", "--recompute", "-f", "csv"]),
    ("whatif", ["whatif", "{run}", "--zones", "FR,PL@marginal,aws:us-east-1", "--json"]),
    ("whatif-hardware", ["whatif", "{run}", "--hardware", "A100,L4"]),
    ("compare", ["compare", "{run}", R1, R5, "-f", "json"]),
    ("compare-by", ["compare", "--by", "batch"]),
    ("forecast", ["forecast", R1, "--epochs", "8", "--json"]),
    ("forecast-none", ["forecast", "{run}", "--epochs", "8"]),
]


@pytest.mark.parametrize("name,args", MEASURED_COMMANDS, ids=[c[0] for c in MEASURED_COMMANDS])
def test_measured_run_reads_the_same(measured, name, args):
    db, url, run_id = measured
    args = [a.format(run=run_id) for a in args]
    a = run_aimeter(*args, "--db", db)
    b = run_aimeter(*args, "--db", url)
    assert a.returncode == 0 or name == "forecast-none", a.stderr
    same_modulo_store(a, b, db, url)


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_plot_draws_the_same(measured, tmp_path, fmt):
    db, url, run_id = measured
    outs = []
    for store in (db, url):
        out = tmp_path / f"{len(outs)}.{fmt}"
        r = run_aimeter("plot", run_id, "--db", store, "-m", "gpu0.power,host.cpu.util",
                        "-o", out)
        assert r.returncode == 0, r.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_serve_answers_the_same(measured, tmp_path):
    db, url, run_id = measured
    answers = []
    for i, store in enumerate((db, url)):
        out_dir = tmp_path / f"serve{i}"
        out_dir.mkdir()
        with serving(store, out_dir) as base:
            got = {}
            for path in ("/api/runs", f"/api/runs/{run_id}", f"/api/runs/{run_id}/view",
                         f"/api/runs/{run_id}/series?" + urllib.parse.urlencode(
                             {"metrics": "gpu0.power", "points": "50"})):
                code, ctype, body = fetch(base + path)
                assert code == 200, (path, body)
                got[path] = json.loads(body)
            answers.append(got)
    assert answers[0] == answers[1]


# ---------------------------------------------------------------- writing and naming


def test_run_writes_directly_and_report_reads_it(pg_url, tmp_path):
    r = run_aimeter("run", "-q", "--db", pg_url, "-n", "direct", "-i", "50ms", "--",
                    "sleep", "0.4", env=gpu_env())
    assert r.returncode == 0, r.stderr
    runs = ls_json(pg_url)
    assert [x["name"] for x in runs] == ["direct"]
    assert runs[0]["status"] == "completed"
    rep = run_aimeter("report", "--db", pg_url, "--format", "json")
    assert rep.returncode == 0, rep.stderr
    doc = json.loads(rep.stdout)
    assert doc["run"]["id"] == runs[0]["id"]
    assert {"gpu0", "gpu1"} <= {d["name"] for d in doc["devices"]}
    # the samples are there: the CSV has a row per tick
    csv = run_aimeter("export", "--db", pg_url, "--csv", "-")
    assert csv.returncode == 0, csv.stderr
    assert len(csv.stdout.splitlines()) >= 5


def test_aimeter_db_names_the_store(pg_url, monkeypatch):
    monkeypatch.setenv("AIMETER_DB", pg_url)
    r = run_aimeter("run", "-q", "-n", "from-env", "-i", "50ms", "--", "sleep", "0.2")
    assert r.returncode == 0, r.stderr
    ls = run_aimeter("ls", "--json")
    assert ls.returncode == 0, ls.stderr
    assert [x["name"] for x in json.loads(ls.stdout)] == ["from-env"]
    assert [x["name"] for x in ls_json(pg_url)] == ["from-env"]


def test_password_in_the_url_is_refused_and_never_shown(pg_server, tmp_path):
    secret = "s3cret-Pa55"
    host = urllib.parse.quote(pg_server.dir, safe="")
    url = f"postgresql://x:{secret}@/aimeter?host={host}"
    marker = tmp_path / "ran"
    for args in (["ls"], ["report"], ["run", "-q", "--", "touch", marker]):
        r = run_aimeter(*with_db(args, url), cwd=tmp_path)
        assert_one_error(r, EX_USAGE)
        assert secret not in r.stdout + r.stderr
    assert not marker.exists(), "the command ran although its store was refused"
    r = run_aimeter("ls", env={"AIMETER_DB": url})
    assert_one_error(r, EX_USAGE)
    assert secret not in r.stdout + r.stderr


@pytest.mark.parametrize("args", [["ls"], ["report"], ["export", "--csv", "-"],
                                  ["run", "-q", "--", "true"], ["serve"]])
def test_an_unknown_scheme_is_a_usage_error_and_no_file(tmp_path, args):
    work = tmp_path / "cwd"
    work.mkdir()
    r = run_aimeter(*with_db(args, "mysql://x/y"), cwd=work)
    line = assert_one_error(r, EX_USAGE)
    assert "mysql" in line, line
    assert list(work.iterdir()) == [], "a file or folder was created for the URL"


def test_a_server_that_is_not_there_is_unavailable(tmp_path):
    gone = tempfile.mkdtemp(prefix="aimpg-none-", dir="/tmp")  # no server listens here
    try:
        url = f"postgresql://aimeter@/aimeter?host={gone}"
        for args in (["ls"], ["run", "-q", "--", "true"]):
            r = run_aimeter(*with_db(args, url), cwd=tmp_path)
            assert_one_error(r, EX_UNAVAILABLE)
    finally:
        os.rmdir(gone)
