"""Correlation end to end: a workload that makes two metrics move together, the pair in
`aimeter corr` and in the report, the stored matrix equal to a replay of the samples, the
matrix's shape in every format, and the command's errors.

The workload, on a fake procfs (fakeproc.py), starts and stops child processes that hold
memory: 0, 1, 2, 3, 2, 1 children for 0.4 s each, 64 MiB resident of its own and 128, 64 and
32 MiB in the children, so the tree's process count and resident memory move together (r about
0.96, not 1: not a linear function) in every walk of the tree, whatever else the machine runs.
(A real spinning and allocating loop was slowed to a fraction of a core on a busy machine, and
its CPU/memory pair fell below the threshold.) The tree's CPU use is one busy core while it
has children and none otherwise, so its CPU time rate and CPU use vary (one quantity, listed as
identical). The run samples at 50 ms, so the process tree (proctree, 100 ms floor) is a second
rate group aligned onto the 50 ms grid.
"""
import csv
import io
import json
import sqlite3

import pytest

from conftest import EX_NOINPUT, EX_USAGE, assert_one_error, ls_json, make_run, run_aimeter
from fakeproc import run_tracked

WORKLOAD = """
fp = FakeProc(ROOT, cpus=4)
fp.set(host_busy=1.0, tree_cores=0.0, rss_bytes=64 << 20)
sizes = [128 << 20, 64 << 20, 32 << 20]
with fp.driving(), aimeter.track("corr", db={db!r}, interval="50ms",
                                 sources="procfs,proctree,estimate", quiet=True):
    for _ in range(3):
        for k in (0, 1, 2, 3, 2, 1):
            fp.set(tree_cores=1.0 if k else 0.0, children=sizes[:k])
            time.sleep(0.4)
"""

CPU = {"rate(process.proc.cpu_time)", "process.proc.cpu_util"}
COUNT = "process.proc.count"
RSS = "process.proc.rss"


@pytest.fixture(scope="module")
def workload_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("corr")
    db = str(tmp / "runs.db")
    r = run_tracked(tmp, WORKLOAD.format(db=db))
    assert r.returncode == 0, r.stderr
    return db, ls_json(db)[0]["id"]


def corr_json(db, *args):
    r = run_aimeter("corr", "--db", db, "--format", "json", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def names(doc):
    return {s["index"]: s["name"] for s in doc["series"]}


def test_workload_pair_is_found(workload_run):
    db, _ = workload_run
    doc = corr_json(db, "--top", "0")
    assert doc["schema"] == "aimeter.corr/1"
    assert doc["recomputed"] is False and doc["exact"] is True
    # 7.2 s at 50 ms is 144 ticks; half of them is enough, however late the sampler woke
    assert doc["interval_s"] == 0.05 and doc["ticks"] > 64
    by_name = names(doc)
    pair = [p for p in doc["positive"] if {by_name[p["a"]], by_name[p["b"]]} == {COUNT, RSS}]
    assert len(pair) == 1, doc["positive"]
    assert pair[0]["r"] > 0.9 and pair[0]["n"] > 64
    # CPU time rate and CPU use are one quantity: listed once as identical, not as a finding
    same = [{by_name[p["a"]], by_name[p["b"]]} for p in doc["identical"]]
    assert CPU in same
    for p in doc["positive"] + doc["negative"]:
        assert not {by_name[p["a"]], by_name[p["b"]]} <= CPU
    # positive strongest first, negative too
    rs = [p["r"] for p in doc["positive"]]
    assert rs == sorted(rs, reverse=True) and all(r > 0 for r in rs)
    rn = [p["r"] for p in doc["negative"]]
    assert rn == sorted(rn) and all(r < 0 for r in rn)
    # memory total never changes
    const = {by_name[i] for i in doc["constant"]}
    assert "host.mem.total" in const


def test_report_shows_the_pair(workload_run):
    db, run_id = workload_run
    rep = run_aimeter("report", run_id, "--db", db, "--format", "json")
    assert rep.returncode == 0, rep.stderr
    c = json.loads(rep.stdout)["correlations"]
    by_name = names(c)
    pair = [p for p in c["positive"] if {by_name[p["a"]], by_name[p["b"]]} == {COUNT, RSS}]
    assert pair and pair[0]["r"] > 0.9
    # the report reads what `corr` reads
    doc = corr_json(db)
    same = [p for p in doc["positive"] if (p["a"], p["b"]) == (pair[0]["a"], pair[0]["b"])]
    assert same and same[0]["r"] == pair[0]["r"]
    text = run_aimeter("report", run_id, "--db", db)
    assert "Correlated pairs (Pearson r over" in text.stdout
    assert "Resident Memory (process) [GiB]" in text.stdout
    assert "Identical (the same quantity" in text.stdout
    md = run_aimeter("report", run_id, "--db", db, "--format", "markdown")
    assert "**Correlated metric pairs**" in md.stdout


def test_stored_matrix_equals_replay(workload_run):
    db, _ = workload_run
    stored = corr_json(db, "--matrix")
    replay = corr_json(db, "--matrix", "--recompute")
    assert stored["schema"] == "aimeter.corr-matrix/1"
    assert stored["recomputed"] is False and replay["recomputed"] is True
    assert stored["ticks"] == replay["ticks"]
    assert stored["n"] == replay["n"]
    for row_s, row_r in zip(stored["r"], replay["r"]):
        for a, b in zip(row_s, row_r):
            assert (a is None) == (b is None)
            if a is not None:
                assert abs(a - b) <= 1e-12


def test_matrix_shapes(workload_run):
    db, _ = workload_run
    doc = corr_json(db, "--matrix")
    n = len(doc["series"])
    assert n >= 8
    assert len(doc["r"]) == n and all(len(row) == n for row in doc["r"])
    for i in range(n):
        assert doc["r"][i][i] in (1.0, None)
        for j in range(n):
            assert doc["r"][i][j] == doc["r"][j][i]
    r = run_aimeter("corr", "--db", db, "--matrix", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert len(rows) == n + 1 and all(len(row) == n + 1 for row in rows)
    assert rows[0][1:] == [s["name"] for s in doc["series"]]
    assert [row[0] for row in rows[1:]] == rows[0][1:]
    # --min-abs empties the weaker cells
    r = run_aimeter("corr", "--db", db, "--matrix", "--format", "csv", "--min-abs", "0.9")
    cells = [c for row in list(csv.reader(io.StringIO(r.stdout)))[1:] for c in row[1:] if c]
    assert cells and all(abs(float(c)) >= 0.9 for c in cells)
    text = run_aimeter("corr", "--db", db, "--matrix")
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    header = next(i for i, ln in enumerate(lines) if ln.strip().startswith("#1"))
    assert len([ln for ln in lines[header + 1:] if ln.startswith("#")]) == n


def test_findings_csv_and_filters(workload_run):
    db, _ = workload_run
    r = run_aimeter("corr", "--db", db, "--format", "csv", "--top", "2", "--min-abs", "0.5")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    kinds = [row["kind"] for row in rows]
    assert kinds.count("positive") <= 2 and kinds.count("negative") <= 2
    for row in rows:
        if row["kind"] in ("positive", "negative"):
            assert abs(float(row["r"])) >= 0.5 and int(row["n"]) >= 10
    assert "identical" in kinds and "constant" in kinds


def test_run_without_stored_matrix_is_replayed(tmp_path):
    db = str(tmp_path / "runs.db")
    run_id = make_run(db, "sleep", "1.2", interval="50ms")
    con = sqlite3.connect(db)
    con.execute("DELETE FROM correlations WHERE run_id = ?", (run_id,))
    con.execute("UPDATE runs SET corr_ticks = NULL WHERE id = ?", (run_id,))
    con.commit()
    con.close()
    doc = corr_json(db)
    assert doc["recomputed"] is True and doc["ticks"] > 10
    rep = json.loads(run_aimeter("report", "--db", db, "--format", "json").stdout)
    assert rep["correlations"] is None


def test_errors(db, workload_run):
    wdb, _ = workload_run
    assert_one_error(run_aimeter("corr", "--db", wdb, "--format", "xml"), EX_USAGE)
    assert_one_error(run_aimeter("corr", "--db", wdb, "--min-abs", "1.5"), EX_USAGE)
    assert_one_error(run_aimeter("corr", "--db", wdb, "--min-abs", "-0.1"), EX_USAGE)
    assert_one_error(run_aimeter("corr", "--db", wdb, "--top", "x"), EX_USAGE)
    assert_one_error(run_aimeter("corr", "--db", wdb, "nosuchrun"), EX_NOINPUT)
    assert_one_error(run_aimeter("corr", "--db", db), EX_NOINPUT)  # no store yet
    h = run_aimeter("corr", "--help")
    assert h.returncode == 0 and "--matrix" in h.stdout and "--phase NAME" in h.stdout
    top = run_aimeter("--help")
    assert "corr [RUN]" in top.stdout
