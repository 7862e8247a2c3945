"""`aimeter push` (docs/cli.md, docs/store.md "Moving runs between stores"): the golden store's
runs copied into an empty store report and export exactly as they do from the golden store;
pushed again, not a row more and every chunk "already there"; a destination that lost rows
(a push cut off, a spool half uploaded) is completed exactly; a run still being recorded is
pushed as far as it is stored and completed by the next push; the destination keeps the
history the source's retention has since pruned or downsampled, unless --mirror; another
node's run under the same id is refused (65) and left as it is; a `sqlite:` store's file is
protected as a plain path's; the exit codes of docs/cli.md.

Each test runs with an SQLite destination and with a PostgreSQL one (pgserver.py's store_url:
a throw-away server, skipped where PostgreSQL is not installed). Rows are counted by the
engines' own clients (Python's sqlite3, psql), not by aimeter."""
import json
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import (EX_DATAERR, EX_NOINPUT, EX_SOFTWARE, EX_UNAVAILABLE, EX_USAGE, kill_tree,
                      popen_aimeter, run_aimeter)

GOLDEN_SQL = Path(__file__).resolve().parents[1] / "fixtures" / "store" / "golden.sql"
TRAIN = "20261207-083158-a90897"   # train, phases, 2 GPUs: 2 groups x 2 chunks
GROWING = "20261207-083155-27198a"  # 2 groups x 3 chunks
INFER = "20261207-083159-769624"    # failed run, 2 chunks
# The tables that hold a run's rows (docs/store.md), each with its run column.
TABLES = {"runs": "id", "devices": "run_id", "series": "run_id", "chunks": "run_id",
          "correlations": "run_id", "marks": "run_id", "phase_devices": "run_id",
          "phase_metrics": "run_id", "phase_records": "run_id", "phase_totals": "run_id",
          "phases": "run_id", "record_keys": "run_id", "records": "run_id",
          "run_intensity": "run_id", "run_price": "run_id", "run_tags": "run_id"}


def golden(path):
    """The golden store (schema 10, as shipped) at path."""
    con = sqlite3.connect(path)
    con.executescript(GOLDEN_SQL.read_text())
    con.close()
    return str(path)


def sql(store, text):
    """Runs text on the store with the engine's own client; the first column of each row."""
    if store.startswith("postgresql://"):
        r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", store,
                            "-c", text], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return [ln for ln in r.stdout.splitlines() if ln]
    con = sqlite3.connect(store)
    try:
        if text.lstrip().upper().startswith("SELECT"):
            return [str(row[0]) for row in con.execute(text)]
        con.executescript(text)
        return []
    finally:
        con.close()


def runs_in(store):
    """How many runs the store holds; 0 for one aimeter never made (no file, no tables)."""
    if not store.startswith("postgresql://") and not Path(store).exists():
        return 0
    if sql(store, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'runs'"
           if store.startswith("postgresql://") else
           "SELECT count(*) FROM sqlite_master WHERE name = 'runs'") == ["0"]:
        return 0
    return int(sql(store, "SELECT count(*) FROM runs")[0])


def counts(store, run_id=None):
    """Rows per table (of run_id, or of every run)."""
    out = {}
    for table, col in TABLES.items():
        where = f" WHERE {col} = '{run_id}'" if run_id else ""
        out[table] = int(sql(store, f"SELECT count(*) FROM {table}{where}")[0])
    return out


def delete_run_rows(store, run_id, where=""):
    """What a push cut off leaves: the run's rows in every table gone (or those matching where)."""
    for table, col in TABLES.items():
        if table != "runs":
            sql(store, f"DELETE FROM {table} WHERE {col} = '{run_id}'{where}")
    sql(store, f"DELETE FROM runs WHERE id = '{run_id}'")


def push(src, dest, *args):
    return run_aimeter("push", "--db", src, "--to", dest, *args)


def pushed_ok(src, dest, *args):
    r = push(src, dest, *args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def same_outputs(src, dest, run_id):
    """What a user sees of the run is the same from both stores."""
    for args in (["report", run_id, "--format", "json"], ["report", run_id],
                 ["export", run_id, "--csv", "-"], ["export", run_id, "--json", "-"]):
        a = run_aimeter(*args, "--db", src)
        b = run_aimeter(*args, "--db", dest)
        assert a.returncode == 0, a.stderr
        assert b.returncode == 0, f"{args} on the destination: {b.stderr}"
        assert b.stdout == a.stdout, f"`aimeter {' '.join(args)}` differs after the push"


@pytest.fixture
def src(tmp_path):
    return golden(tmp_path / "golden.db")


def test_push_all_gives_the_same_runs(src, store_url):
    out = pushed_ok(src, store_url)
    ids = [r.split()[1].rstrip(":") for r in out.splitlines()]
    assert sorted(ids) == ids and len(ids) == 6, out  # every run, oldest first
    assert f"pushed {TRAIN}: 4 chunks (0 already there)" in out.splitlines()
    assert counts(store_url) == counts(src)
    for run_id in ids:
        same_outputs(src, store_url, run_id)
    a = run_aimeter("ls", "--json", "--db", src)
    b = run_aimeter("ls", "--json", "--db", store_url)
    assert b.returncode == 0 and json.loads(b.stdout) == json.loads(a.stdout), b.stderr


def test_push_twice_adds_nothing(src, store_url):
    pushed_ok(src, store_url)
    first = counts(store_url)
    r = push(src, store_url, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["pushed"] == 6 and doc["chunks_written"] == 0
    assert doc["chunks_present"] == doc["chunks"] == first["chunks"] == 21
    train = next(x for x in doc["runs"] if x["id"] == TRAIN)
    assert train == {"id": TRAIN, "chunks": 4, "chunks_written": 0, "chunks_present": 4,
                     "chunks_removed": 0, "chunks_kept": 0, "rows": train["rows"],
                     "running": False}
    assert counts(store_url) == first == counts(src)
    # One run by a prefix of its id, and `last`: the same, nothing new.
    out = pushed_ok(src, store_url, TRAIN[:17], "last")
    assert out.splitlines() == [f"pushed {TRAIN}: 4 chunks (4 already there)",
                                f"pushed {INFER}: 2 chunks (2 already there)"]
    assert counts(store_url) == first


def test_push_completes_an_interrupted_one(src, store_url):
    pushed_ok(src, store_url)
    full = counts(store_url)
    # A push cut off: one run not there at all, another without half its chunks and tags.
    delete_run_rows(store_url, INFER)
    sql(store_url, f"DELETE FROM chunks WHERE run_id = '{TRAIN}' AND seq = 1")
    sql(store_url, f"DELETE FROM run_tags WHERE run_id = '{TRAIN}'")
    assert counts(store_url) != full
    out = pushed_ok(src, store_url).splitlines()
    assert f"pushed {TRAIN}: 4 chunks (2 already there)" in out
    assert f"pushed {INFER}: 2 chunks (0 already there)" in out
    assert counts(store_url) == full
    same_outputs(src, store_url, TRAIN)
    same_outputs(src, store_url, INFER)


def test_push_of_a_run_being_recorded(src, store_url, tmp_path):
    """A run still running is pushed as far as it is stored; the next push, once it has
    grown and ended, adds only its new chunks and its final row."""
    partial = str(tmp_path / "partial.db")
    shutil.copy(src, partial)
    sql(partial, f"DELETE FROM chunks WHERE run_id = '{GROWING}' AND seq = 2;"
                 f"UPDATE runs SET status = 'running', end_wall_ns = 0 WHERE id = '{GROWING}'")
    out = pushed_ok(partial, store_url, GROWING)
    assert out.startswith(f"pushed {GROWING}: 4 chunks (0 already there); still running"), out
    assert sql(store_url, f"SELECT status FROM runs WHERE id = '{GROWING}'") == ["running"]
    r = push(src, store_url, GROWING, "--json")
    assert r.returncode == 0, r.stderr
    (run,) = json.loads(r.stdout)["runs"]
    assert (run["chunks_written"], run["chunks_present"], run["running"]) == (2, 4, False)
    assert counts(store_url, GROWING) == counts(src, GROWING)
    same_outputs(src, store_url, GROWING)


def test_push_while_a_real_run_records(store_url, tmp_path):
    """A real `aimeter run` (its writer committing to the SQLite store as it samples) is
    pushed while it runs, then again once it has ended: the second push adds only what the
    run stored since, and the destination then reports it as the source does."""
    db, go = str(tmp_path / "live.db"), tmp_path / "go"
    os.mkfifo(go)
    proc, _, err = popen_aimeter("run", "-q", "--db", db, "-i", "20ms", "--sources", "procfs",
                                 "-n", "live", "--", "sh", "-c", f"read x < {go}",
                                 out_dir=tmp_path)
    try:
        deadline = time.monotonic() + 60  # until its first chunks are committed (no timing asserted)
        while not (Path(db).exists() and runs_in(db) and
                   int(sql(db, "SELECT count(*) FROM chunks")[0]) >= 2):
            assert proc.poll() is None and time.monotonic() < deadline, err.read_text()
            time.sleep(0.05)
        r = push(db, store_url, "--json")
        assert r.returncode == 0, r.stderr
        (first,) = json.loads(r.stdout)["runs"]
        assert first["running"] is True and first["chunks_written"] >= 2
        with open(go, "w") as f:
            f.write("x\n")
        assert proc.wait(timeout=60) == 0, err.read_text()
    finally:
        kill_tree(proc)
    r = push(db, store_url, "--json")
    assert r.returncode == 0, r.stderr
    (second,) = json.loads(r.stdout)["runs"]
    assert second["running"] is False
    assert second["chunks_present"] + second["chunks_kept"] == first["chunks_written"]
    assert second["chunks"] == int(sql(db, "SELECT count(*) FROM chunks")[0])
    assert counts(store_url) == counts(db)
    same_outputs(db, store_url, first["id"])


def node_copy(src, tmp_path, name):
    """A copy of the golden store: what a node's store may become."""
    path = str(tmp_path / name)
    shutil.copy(src, path)
    return path


def chunk_prints(store, run_id):
    """The run's chunks by key, with what tells two versions apart (docs/store.md)."""
    return sorted(sql(store, "SELECT grp || ':' || seq || ':' || n_ticks || ':' || t_last_ns || "
                             f"':' || length(data) FROM chunks WHERE run_id = '{run_id}'"))


def test_push_keeps_what_the_source_pruned_or_downsampled(src, store_url, tmp_path):
    """The node's retention deleted a chunk and downsampled another (the same key, fewer
    ticks) since the last push: the next push keeps the destination's raw samples; --mirror
    makes it equal to the node's store."""
    pushed_ok(src, store_url)
    before = counts(store_url)
    raw = chunk_prints(store_url, TRAIN)
    node = node_copy(src, tmp_path, "node.db")
    sql(node, f"DELETE FROM chunks WHERE run_id = '{TRAIN}' AND grp = 1 AND seq = 0;"
              f"UPDATE chunks SET n_ticks = 2, data = substr(data, 1, 40) "
              f"WHERE run_id = '{TRAIN}' AND grp = 0 AND seq = 1")
    r = push(node, store_url, TRAIN, "--json")
    assert r.returncode == 0, r.stderr
    (run,) = json.loads(r.stdout)["runs"]
    assert (run["chunks_written"], run["chunks_present"], run["chunks_kept"],
            run["chunks_removed"]) == (0, 2, 2, 0)
    assert counts(store_url) == before
    assert chunk_prints(store_url, TRAIN) == raw
    same_outputs(src, store_url, TRAIN)
    out = pushed_ok(node, store_url, TRAIN)
    assert out == (f"pushed {TRAIN}: 2 chunks (2 already there, 2 kept that the source has "
                   "pruned or downsampled)\n"), out
    out = pushed_ok(node, store_url, TRAIN, "--mirror")
    assert out == f"pushed {TRAIN}: 3 chunks (2 already there, 1 removed)\n", out
    assert chunk_prints(store_url, TRAIN) == chunk_prints(node, TRAIN)
    assert counts(store_url, TRAIN) == counts(node, TRAIN)


def test_push_refuses_another_nodes_run_with_the_same_id(src, store_url, tmp_path):
    """Run ids are unique per store only: another node's run may carry one the destination
    has. Its push is refused (65, one line naming the run there), the destination's run left
    as it is (even with --mirror), and the node's other runs are pushed."""
    pushed_ok(src, store_url)
    before = counts(store_url)
    raw = chunk_prints(store_url, TRAIN)
    other = node_copy(src, tmp_path, "other.db")
    sql(other, f"UPDATE runs SET host = 'node-b' WHERE id = '{TRAIN}';"
               f"DELETE FROM chunks WHERE run_id = '{TRAIN}' AND seq = 1;"
               f"DELETE FROM run_tags WHERE run_id = '{TRAIN}'")
    for args in ([TRAIN], [TRAIN, "--mirror"]):
        r = push(other, store_url, *args)
        assert r.returncode == EX_DATAERR, r.stderr
        assert r.stdout == "" and r.stderr.count("\n") == 1, r.stderr
        assert f"run {TRAIN} in " in r.stderr, r.stderr
        assert "is another run (host golden-host, started 2026-12-07T08:31:58" in r.stderr
        assert "not copied" in r.stderr, r.stderr
        assert counts(store_url) == before
        assert chunk_prints(store_url, TRAIN) == raw
    r = push(other, store_url)  # every run: the others are pushed, the clash is refused
    assert r.returncode == EX_DATAERR, r.stderr
    assert r.stderr.count("\n") == 1 and "is another run" in r.stderr, r.stderr
    assert f"pushed {INFER}: 2 chunks (2 already there)" in r.stdout.splitlines()
    assert TRAIN not in r.stdout
    assert counts(store_url) == before
    same_outputs(src, store_url, TRAIN)


def test_a_sqlite_url_names_its_file(src, tmp_path):
    """sqlite:PATH and sqlite://PATH are the file PATH to every check: an output onto the
    store's own file is refused (64) and the store left whole, the store is found, and
    pushing into the same file by another spelling is pushing into itself."""
    size = os.path.getsize(src)
    for url in (f"sqlite://{src}", f"sqlite:{src}"):
        r = run_aimeter("export", TRAIN, "--db", url, "--csv", src)
        assert r.returncode == EX_USAGE, r.stderr
        assert "is the store itself" in r.stderr, r.stderr
        assert os.path.getsize(src) == size
        r = run_aimeter("ls", "--db", url)
        assert r.returncode == 0 and TRAIN in r.stdout, r.stderr
        r = push(src, url)
        assert r.returncode == EX_USAGE and "the store pushed from" in r.stderr, r.stderr
    assert runs_in(src) == 6


def test_einval_is_a_usage_error_only_when_opening_the_store(src, tmp_path):
    """-EINVAL is 64 only as the open's refusal of a store location (a password in a URL:
    test_pg_store.py); past the open it is the library's, and 70: here `corr` on a damaged
    run (no sample interval, no stored matrix) whose layout the library refuses."""
    damaged = node_copy(src, tmp_path, "damaged.db")
    sql(damaged, f"UPDATE runs SET interval_ns = 0, corr_ticks = NULL WHERE id = '{TRAIN}';"
                 "DELETE FROM correlations")
    r = run_aimeter("corr", TRAIN, "--db", damaged)
    assert r.returncode == EX_SOFTWARE, r.stderr
    assert r.stderr.count("\n") == 1, r.stderr
    r = run_aimeter("ls", "--db", "sqlite:")  # no path: the open refuses the location
    assert r.returncode == EX_USAGE, r.stderr


def test_push_back_from_postgresql(src, pg_url, tmp_path):
    """Either way round: the runs pushed into PostgreSQL pushed back into a new SQLite file
    give the golden store's outputs."""
    back = str(tmp_path / "back.db")
    pushed_ok(src, pg_url)
    out = pushed_ok(pg_url, back)
    assert "pushed 20261207-083154-1c4460: 1 chunk (0 already there)" in out.splitlines()
    assert counts(back) == counts(src)
    for run_id in (TRAIN, GROWING, INFER):
        same_outputs(src, back, run_id)


def test_push_errors(src, store_url, tmp_path):
    r = push(src, store_url, "20991231-000000-ffffff")
    assert r.returncode == EX_NOINPUT, r.stderr
    assert "20991231-000000-ffffff" in r.stderr and r.stderr.count("\n") == 1
    r = push(src, store_url, "2026")  # every run's prefix
    assert r.returncode == EX_USAGE, r.stderr
    r = push(str(tmp_path / "none.db"), store_url)
    assert r.returncode == EX_NOINPUT, r.stderr
    # a typo in one RUN stops the push before anything is copied
    r = push(src, store_url, TRAIN, "nosuchrun")
    assert r.returncode == EX_NOINPUT and r.stdout == "", r.stderr
    assert runs_in(store_url) == 0


def test_push_refuses_a_destination_without_a_column(src, store_url):
    """A source column the destination lacks (a migration on one side only) would be lost:
    refused with 65, nothing written."""
    sql(src, "ALTER TABLE devices ADD COLUMN watts_cap INTEGER")
    r = push(src, store_url, TRAIN)
    assert r.returncode == EX_DATAERR, r.stderr
    assert "watts_cap" in r.stderr and "schemas differ" in r.stderr, r.stderr
    assert runs_in(store_url) == 0


@pytest.mark.parametrize("dest,why", [
    ("nosuch://host/db", "unknown store type"),
    ("", "--to needs a store"),
])
def test_push_bad_destination_is_a_usage_error(src, dest, why):
    r = push(src, dest)
    assert r.returncode == EX_USAGE, r.stderr
    assert why in r.stderr, r.stderr


def test_push_usage_errors(src):
    r = run_aimeter("push", "--db", src)
    assert r.returncode == EX_USAGE and "--to" in r.stderr, r.stderr
    r = push(src, src)
    assert r.returncode == EX_USAGE and "the store pushed from" in r.stderr, r.stderr
    r = run_aimeter("push", "--help")
    assert r.returncode == 0 and "--to DEST" in r.stdout


def test_push_to_an_unreachable_server(src, pg_server, tmp_path):
    """No server at the URL: 69, one line, nothing on standard output."""
    r = push(src, f"postgresql://aimeter@/aimeter?host={tmp_path}")
    assert r.returncode == EX_UNAVAILABLE, r.stderr
    assert r.stdout == "" and r.stderr.count("\n") == 1, r.stderr


@pytest.mark.parametrize("args,code,shown", [
    # --to the store pushed from: refused before either is opened
    (["push", "--db", "postgresql://u:s3cret@/db?host=/nonexistent",
      "--to", "postgresql://u:s3cret@/db?host=/nonexistent"], EX_USAGE,
     "--to postgresql://u:***@/db?host=/nonexistent is the store pushed from"),
    # a file store's URL that is not there: said before the open
    (["ls", "--db", "sqlite://u:s3cret@nowhere/x.db"], EX_NOINPUT,
     "no store at sqlite://u:***@nowhere/x.db"),
    # a server's URL as the spool: refused while the options are read
    (["run", "--spool", "postgresql://h/db?password=s3cret", "--", "true"], EX_USAGE,
     "bad --spool 'postgresql://h/db?password=***'"),
])
def test_locations_named_before_an_open_hide_their_secrets(args, code, shown):
    """The CLI's own messages that name a store location given on the command line (before,
    or without, an open that would redact it) show it with its secrets as ***."""
    r = run_aimeter(*args)
    assert r.returncode == code, r.stderr
    assert shown in r.stderr, r.stderr
    assert "s3cret" not in r.stdout + r.stderr
