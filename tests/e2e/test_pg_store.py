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
    exit 69 for a reader (`run` spools: test_spool.py).
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse

import pytest

from conftest import (AIMETER, EX_UNAVAILABLE, EX_USAGE, assert_one_error, gpu_env, kill_tree,
                      ls_json, popen_aimeter, run_aimeter)
from pgserver import pg_server_or_skip, query
from promserver import fetch
from serveproc import serving
from test_golden import CASES, load_store, run_case

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
    run_case(name, args, files, tmp_path, work, golden_pg)


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
    # nor when the URL is malformed (libpq's reason quotes it), of a mistyped scheme, or
    # holds it as sslpassword (the key's passphrase), refused too
    for bad in (f"postgresql://x:{secret}@localhost/aimeter?bogus=1",
                f"postgresql://x:{secret}@[::1/aimeter",
                f"postgres1://x:{secret}@h/aimeter",
                f"postgresql://x@/aimeter?host={host}&sslpassword={secret}",
                f"postgresql://x@/aimeter?host={host}&pass%77ord={secret}"):
        for args in (["ls"], ["report"], ["run", "-q", "--", "touch", marker], ["serve"]):
            r = run_aimeter(*with_db(args, bad), cwd=tmp_path)
            assert_one_error(r, EX_USAGE)
            assert secret not in r.stdout + r.stderr, (bad, r.stderr)
            assert "***" in r.stderr or "refused" in r.stderr, r.stderr
    assert not marker.exists(), "the command ran although its store was refused"


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
        # `run` measures all the same, into its spool (test_spool.py)
        r = run_aimeter(*with_db(["ls"], url), cwd=tmp_path)
        assert_one_error(r, EX_UNAVAILABLE)
    finally:
        os.rmdir(gone)


# ---------------------------------------------------------------- text that is not UTF-8

LATIN1 = "caf\udce9"  # argv byte 0xe9 (os.fsencode): "café" in Latin-1, not UTF-8


def run_raw(*args):
    """aimeter with args, its output as bytes (it echoes the command's own bytes)."""
    return subprocess.run([str(AIMETER), *map(str, args)], stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=120)


def test_text_that_is_not_utf8_is_stored(pg_url, tmp_path):
    """A command line with Latin-1 bytes: PostgreSQL takes only UTF-8, so the driver stores
    each invalid sequence as U+FFFD rather than losing the run (and every later push)."""
    r = run_raw("run", "-q", "--db", pg_url, "--spool", tmp_path / "spool.db", "-n", "latin",
                "-i", "50ms", "--sources", "procfs", "--", "sh", "-c", "true", LATIN1)
    assert r.returncode == 0, r.stderr
    (run,) = ls_json(pg_url)
    assert run["status"] == "completed"
    assert run["command"].endswith("caf\ufffd"), run["command"]


def test_push_of_a_run_with_text_that_is_not_utf8(pg_url, tmp_path):
    db = tmp_path / "runs.db"
    r = run_raw("run", "-q", "--db", db, "-n", "latin", "-i", "50ms", "--sources", "procfs",
                "--", "sh", "-c", "true", LATIN1)
    assert r.returncode == 0, r.stderr
    push(db, pg_url)
    (run,) = ls_json(pg_url)
    assert run["command"].endswith("caf\ufffd"), run["command"]
    # pushed again (a later push is not blocked by it): nothing new
    push(db, pg_url)


# ---------------------------------------------------------------- a server restart


@pytest.fixture
def own_pg():
    """A PostgreSQL server of this test's own, which it restarts (the session's serves the
    other tests)."""
    yield from pg_server_or_skip()


def restart(server):
    """pg_ctl stop then start on the server's data directory: every connection is cut."""
    server.halt()
    server.resume()


def test_serve_answers_after_a_server_restart(own_pg, tmp_path):
    """`aimeter serve` holds one connection for its life: after the server restarts, the next
    request is answered on a new one (not a 5xx for ever)."""
    src = tmp_path / "golden.db"
    load_store(src)
    url = own_pg.createdb()
    push(src, url)
    with serving(url, tmp_path) as base:
        code, _, before = fetch(base + "/api/runs")
        assert code == 200, before
        restart(own_pg)
        for path in ("/api/runs", f"/api/runs/{R1}"):
            code, _, body = fetch(base + path)
            assert code == 200, (path, body)
        assert json.loads(fetch(base + "/api/runs")[2]) == json.loads(before)


def test_run_goes_on_across_a_server_restart(own_pg, tmp_path):
    """A run into PostgreSQL while its server restarts: the run ends completed, with every
    sample on the server. Driven by what the store holds (the command waits on a FIFO), not
    by sleeps."""
    url, go = own_pg.createdb(), tmp_path / "go"
    os.mkfifo(go)
    proc, _, err = popen_aimeter("run", "-q", "--db", url, "--spool", tmp_path / "spool.db",
                                 "--upload-interval", "50ms", "-i", "20ms", "--sources",
                                 "procfs", "-n", "restarted", "--", "sh", "-c",
                                 f"read x < {go}", out_dir=tmp_path)

    def chunks():
        try:
            return int(query(url, "SELECT count(*) FROM chunks")[0][0])
        except AssertionError:  # the schema not there yet, or the server restarting
            return 0

    def wait_for(cond, what):
        deadline = time.monotonic() + 120  # a bound for a hang, not a timing assertion
        while not cond():
            assert proc.poll() is None, f"{what}: {err.read_text()}"
            assert time.monotonic() < deadline, f"{what}: not reached"
            time.sleep(0.05)

    try:
        wait_for(lambda: chunks() >= 2, "the first chunks on the server")
        restart(own_pg)
        after = chunks()
        wait_for(lambda: chunks() >= after + 2, "chunks stored after the restart")
        with open(go, "w") as f:
            f.write("x\n")
        assert proc.wait(timeout=120) == 0, err.read_text()
    finally:
        kill_tree(proc)
    ((run_id, samples, lost, status),) = query(
        url, "SELECT id, samples, samples_lost, status FROM runs")
    assert status == "completed" and lost == "0", err.read_text()
    keys = sorted((int(g), int(q)) for g, q in query(
        url, f"SELECT grp, seq FROM chunks WHERE run_id = '{run_id}'"))
    for g in {g for g, _ in keys}:
        seqs = [q for gg, q in keys if gg == g]
        assert seqs == list(range(len(seqs))), f"group {g}: seqs {seqs}"
    ticks = query(url, f"SELECT grp, sum(n_ticks) FROM chunks WHERE run_id = '{run_id}' "
                  "GROUP BY grp")
    assert samples in {t for _, t in ticks}, (samples, ticks)
