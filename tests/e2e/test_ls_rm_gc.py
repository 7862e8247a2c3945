"""Runs found by name (every command's RUN), `aimeter ls` filters and `-q`, `aimeter rm` and
`aimeter gc` (issue 17, docs/cli.md), on SQLite and PostgreSQL; and the CSV column order of
the same sources whatever the run's interval.

The store is the golden one (tests/fixtures/store/golden.sql: six runs, four named "train",
tags, one failed run, an idle baseline), loaded into SQLite and pushed into PostgreSQL the way
users move runs. Runs left "running" by a dead aimeter are made by editing its rows (status,
host, writer pid, start time): no test waits for anything or depends on the clock beyond
"2001 is more than a day ago" and "ten minutes ago is less than an hour ago"."""
import csv
import io
import json
import os
import socket
import sqlite3
import subprocess
import time

import pytest

from conftest import (EX_NOINPUT, EX_USAGE, FIXTURES, assert_one_error, gpu_env, ls_json,
                      report_json, run_aimeter)
from pgserver import is_url, query

# The golden store's runs (tests/e2e/test_golden.py says what each is).
IDLE = "20261207-083154-1c4460"  # "idle baseline", R1's idle baseline
R1 = "20261207-083154-91009a"    # "train", batch=32, model=mlp
R2 = "20261207-083155-27198a"    # "train", batch=32, model=mlp
R3 = "20261207-083157-45b4c2"    # "train", batch=64, model=mlp
R4 = "20261207-083158-a90897"    # "train", batch=64, model=mlp (the newest "train")
R5 = "20261207-083159-769624"    # "infer", failed, batch=8, slurm_job=4242
ALL = [R5, R4, R3, R2, R1, IDLE]  # newest first
OLD_NS = 978307200 * 10**9        # 2001-01-01: more than any --older-than here


def load_golden(path):
    con = sqlite3.connect(path)
    con.executescript((FIXTURES / "store" / "golden.sql").read_text(encoding="utf-8"))
    con.close()


@pytest.fixture
def store(store_url, tmp_path):
    """The golden store on either back-end."""
    if not is_url(store_url):
        load_golden(store_url)
        return store_url
    src = str(tmp_path / "golden.db")
    load_golden(src)
    r = run_aimeter("push", "--db", src, "--to", store_url, timeout=300)
    assert r.returncode == 0, r.stderr
    return store_url


def execute(store, sql):
    """Statements without results on either back-end, outside aimeter."""
    if is_url(store):
        query(store, sql)
        return
    con = sqlite3.connect(store)
    try:
        con.executescript(sql)
        con.commit()
    finally:
        con.close()


def ids(store, *args):
    r = run_aimeter("ls", "-q", "--db", store, *args)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def rows_of(store, run_id):
    """The run's rows in its tables (samples, series, phases, tags...), and its own."""
    n = int(query(store, f"SELECT count(*) FROM runs WHERE id = '{run_id}'")[0][0])
    for table in ("devices", "series", "chunks", "phases", "marks", "run_tags"):
        n += int(query(store, f"SELECT count(*) FROM {table} WHERE run_id = '{run_id}'")[0][0])
    return n


def dead_pid():
    """A pid no process has (that of a child that has exited and been waited for)."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


# ------------------------------------------------------------------ RUN by name


def test_a_name_is_its_newest_run_in_every_command(store):
    assert report_json(store, "train")["run"]["id"] == R4
    assert report_json(store, "infer")["run"]["id"] == R5
    assert report_json(store, "idle baseline")["run"]["id"] == IDLE
    assert report_json(store, "idle")["run"]["id"] == IDLE      # a unique prefix of a name
    # the other commands that take RUN resolve it the same way (one resolver): the name
    # gives what the id gives
    for args in (["report"], ["export", "--json", "-"], ["corr"], ["whatif", "--zones", "FR"],
                 ["forecast", "--epochs", "10"], ["compare", "infer"]):
        if args[0] == "compare":
            by_name = run_aimeter("compare", "infer", "train", "--db", store)
            by_id = run_aimeter("compare", R5, R4, "--db", store)
        else:
            by_name = run_aimeter(args[0], "train", *args[1:], "--db", store)
            by_id = run_aimeter(args[0], R4, *args[1:], "--db", store)
        assert by_name.returncode == 0, f"{args}: {by_name.stderr}"
        assert by_name.stdout == by_id.stdout, args
        assert by_name.stdout.strip(), args


def test_a_push_by_name(tmp_path):
    src, dest = str(tmp_path / "golden.db"), str(tmp_path / "dest.db")
    load_golden(src)
    r = run_aimeter("push", "--db", src, "--to", dest, "train")
    assert r.returncode == 0, r.stderr
    assert ids(dest) == [R4]


def test_ambiguous_names_list_the_candidates(store):
    line = assert_one_error(run_aimeter("report", "i", "--db", store), EX_USAGE)
    assert '"idle baseline"' in line and '"infer"' in line, line
    # a name that is also the start of other runs' ids is neither
    execute(store, f"UPDATE runs SET name = '20261207-08315' WHERE id = '{R5}'")
    line = assert_one_error(run_aimeter("report", "20261207-08315", "--db", store), EX_USAGE)
    assert f"the name of 1 run (the latest {R5})" in line, line
    assert R1 in line and R2 in line, line
    # one that starts only its own run's id is that run
    execute(store, f"UPDATE runs SET name = '20261207-083159' WHERE id = '{R5}'")
    assert report_json(store, "20261207-083159")["run"]["id"] == R5
    # nothing matches: as before
    line = assert_one_error(run_aimeter("report", "nope", "--db", store), EX_NOINPUT)
    assert "no run matches 'nope'" in line


# ------------------------------------------------------------------ ls filters


def test_ls_filters(store):
    assert ids(store) == ALL
    assert ids(store, "--name", "train") == [R4, R3, R2, R1]
    assert ids(store, "--name", "tr") == []                       # a name is whole...
    assert ids(store, "--name", "i*") == [R5, IDLE]               # ...or a pattern
    assert ids(store, "--tag", "batch=64") == [R4, R3]
    assert ids(store, "--tag", "slurm_job") == [R5]               # any value
    assert ids(store, "--tag", "batch=32", "--tag", "model") == [R2, R1]
    assert ids(store, "--tag", "batch=8", "--tag", "model") == []
    assert ids(store, "--tag", "model=mlp", "--tag", "batch=64", "-n", "1") == [R4]
    assert ids(store, "--host", "golden-host") == ALL
    assert ids(store, "--host", "elsewhere") == []
    assert ids(store, "--status", "failed") == [R5]
    assert ids(store, "--status", "completed,failed") == ALL
    assert ids(store, "--status", "running,incomplete,interrupted") == []
    assert ids(store, "--since", "2026-12-07T08:31:57Z") == [R5, R4, R3]
    assert ids(store, "--until", "2026-12-07T08:31:55Z") == [R1, IDLE]
    assert ids(store, "--since", "2026-12-07T08:31:55Z", "--until", "2026-12-07T08:31:58Z",
               "--name", "train") == [R3, R2]
    assert ids(store, "--since", "1d", "--until", "2026-01-01") == []
    # the text and JSON listings of a filter are those of ls, fewer
    every = {r["id"]: r for r in ls_json(store)}
    r = run_aimeter("ls", "--json", "--tag", "batch=64", "--db", store)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [every[R4], every[R3]]
    lines = run_aimeter("ls", "--name", "infer", "--db", store).stdout.splitlines()
    assert len(lines) == 2 and lines[1].startswith(R5)


@pytest.mark.parametrize("args, says", [
    (["--status", "gone"], "unknown status 'gone'"),
    (["--tag", "no key"], "bad tag 'no key'"),
    (["--tag", "=v"], "bad tag '=v'"),
    (["--since", "yesterday"], "bad --since 'yesterday'"),
    (["--until", "2026-13-01"], "bad --until '2026-13-01'"),
    (["-q", "--json"], "-q prints the ids alone"),
    (["-q", "-f", "text"], "-q prints the ids alone"),
    (["run1"], "unexpected argument 'run1'"),
])
def test_ls_refuses_bad_filters(tmp_path, args, says):
    db = str(tmp_path / "g.db")
    load_golden(db)
    line = assert_one_error(run_aimeter("ls", "--db", db, *args), EX_USAGE)
    assert says in line, line


def test_ls_csv_has_a_fixed_order(store, tmp_path):
    r = run_aimeter("ls", "-f", "csv", "--db", store)
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["id", "name", "start_time", "duration_s", "status", "exit_code",
                       "energy_j", "carbon_g", "host", "command", "tag:batch", "tag:model",
                       "tag:note", "tag:slurm_job"]
    every = ls_json(store)
    assert [row[0] for row in rows[1:]] == [r["id"] for r in every]
    for row, js in zip(rows[1:], every):
        rec = dict(zip(rows[0], row))
        assert rec["name"] == js["name"] and rec["status"] == js["status"]
        assert rec["host"] == js["host"] and rec["command"] == js["command"]
        assert float(rec["energy_j"]) == pytest.approx(js["energy_j"], rel=1e-12)
        assert float(rec["duration_s"]) == pytest.approx(js["duration_s"], abs=1e-9)
        assert rec["exit_code"] == str(js["exit_code"])
        for key in ("batch", "model", "note", "slurm_job"):
            assert rec[f"tag:{key}"] == js["tags"].get(key, "")
    # the same runs, the same bytes (from the other back-end too: test_pg_store's push)
    assert run_aimeter("ls", "-f", "csv", "--db", store).stdout == r.stdout
    sqlite_copy = str(tmp_path / "copy.db")
    load_golden(sqlite_copy)
    assert run_aimeter("ls", "-f", "csv", "--db", sqlite_copy).stdout == r.stdout


# ------------------------------------------------------------------ rm


def test_rm_removes_runs_and_every_row_of_theirs(store):
    before = {i: rows_of(store, i) for i in ALL}
    assert all(n > 1 for n in before.values())
    r = run_aimeter("rm", "--db", store, "infer", R3[:17])
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        f'removed {R5} "infer" (failed, started 2026-12-07 08:31:59 UTC)',
        f'removed {R3} "train" (completed, started 2026-12-07 08:31:57 UTC)']
    assert ids(store) == [R4, R2, R1, IDLE]
    assert rows_of(store, R5) == 0 and rows_of(store, R3) == 0
    for i in (R4, R2, R1, IDLE):
        assert rows_of(store, i) == before[i]
    assert_one_error(run_aimeter("report", R5, "--db", store), EX_NOINPUT)
    # a name is its newest run, here as everywhere
    assert run_aimeter("rm", "--db", store, "train").returncode == 0
    assert ids(store, "--name", "train") == [R2, R1]


def test_rm_dry_run_and_all_or_nothing(store):
    r = run_aimeter("rm", "--dry-run", "--db", store, "infer", "last")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [f'would remove {R5} "infer" (failed, started '
                                     f'2026-12-07 08:31:59 UTC)']  # listed twice, once
    assert ids(store) == ALL
    # one RUN that is not there: none goes
    line = assert_one_error(run_aimeter("rm", "--db", store, R4, "nope"), EX_NOINPUT)
    assert "nope" in line
    assert ids(store) == ALL
    assert_one_error(run_aimeter("rm", "--db", store, "train", "202612"), EX_USAGE)
    assert ids(store) == ALL


def test_rm_reads_runs_from_standard_input(store):
    listed = run_aimeter("ls", "-q", "--name", "train", "--tag", "batch=32", "--db", store).stdout
    r = run_aimeter("rm", "--db", store, "-", input=listed)
    assert r.returncode == 0, r.stderr
    assert [ln.split()[1] for ln in r.stdout.splitlines()] == [R2, R1]
    assert ids(store) == [R5, R4, R3, IDLE]
    # nothing listed: nothing to do
    r = run_aimeter("rm", "--db", store, "-", input="\n")
    assert (r.returncode, r.stdout) == (0, "")
    line = assert_one_error(run_aimeter("rm", "--db", store), EX_USAGE)
    assert "no RUN given" in line


def test_rm_keeps_idle_baselines_and_running_runs_without_force(store):
    # the idle baseline of R1, which stays
    line = assert_one_error(run_aimeter("rm", "--db", store, "idle"), EX_USAGE)
    assert f"run {IDLE} is the idle baseline of run {R1}" in line and "--force" in line
    assert ids(store) == ALL
    assert run_aimeter("rm", "--db", store, "idle", R1).returncode == 0
    assert ids(store) == [R5, R4, R3, R2]
    # said running on another machine (cannot be checked), or alive here
    execute(store, f"UPDATE runs SET status = 'running', end_wall_ns = 0 WHERE id = '{R2}';"
                   f"UPDATE runs SET status = 'running', end_wall_ns = 0, host = "
                   f"'{socket.gethostname()}', writer_pid = {os.getpid()} WHERE id = '{R3}'")
    line = assert_one_error(run_aimeter("rm", "--db", store, R2), EX_USAGE)
    assert "on golden-host (which cannot be checked from here)" in line
    line = assert_one_error(run_aimeter("rm", "--db", store, R3, R4), EX_USAGE)
    assert "still being recorded on this machine" in line
    assert ids(store) == [R5, R4, R3, R2]
    r = run_aimeter("rm", "--force", "--db", store, R2, R3)
    assert r.returncode == 0, r.stderr
    assert "(running, started" in r.stdout
    assert ids(store) == [R5, R4]


def test_rm_and_gc_need_a_store(tmp_path):
    missing = tmp_path / "none.db"
    for args in (["rm", "last"], ["gc"], ["gc", "--dry-run"], ["rm", "--dry-run", "x"]):
        line = assert_one_error(run_aimeter(*args, "--db", missing), EX_NOINPUT)
        assert "no store at" in line
    assert not missing.exists()


# ------------------------------------------------------------------ gc


def abandon(store):
    """R5 said running on another machine since 2001; R4 incomplete here (its process gone)
    since 2001; R3 running here, alive; R2 said running elsewhere, 10 minutes ago; the idle
    baseline said running elsewhere since 2001 (but R1, which stays, uses it)."""
    here, now = socket.gethostname(), time.time_ns()
    execute(store, ";".join([
        f"UPDATE runs SET status = 'running', end_wall_ns = 0, start_wall_ns = {OLD_NS} "
        f"WHERE id IN ('{R5}', '{IDLE}')",
        f"UPDATE runs SET status = 'running', end_wall_ns = 0, start_wall_ns = {OLD_NS}, "
        f"host = '{here}', writer_pid = {dead_pid()} WHERE id = '{R4}'",
        f"UPDATE runs SET status = 'running', end_wall_ns = 0, start_wall_ns = {OLD_NS}, "
        f"host = '{here}', writer_pid = {os.getpid()} WHERE id = '{R3}'",
        f"UPDATE runs SET status = 'running', end_wall_ns = 0, start_wall_ns = "
        f"{now - 600 * 10**9} WHERE id = '{R2}'"]))


def test_gc_removes_what_a_dead_aimeter_left(store):
    abandon(store)
    statuses = {r["id"]: (r["status"], r["stale"]) for r in ls_json(store)}
    assert statuses[R4] == ("running", True) and statuses[R3] == ("running", False)
    r = run_aimeter("gc", "--dry-run", "--db", store)
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[0] == f"kept {IDLE} (running): the idle baseline of run {R1}, which stays"
    assert out[1].startswith(f'would remove {R5} "infer" (says running, recorded on '
                             f'golden-host: nothing committed since 2001-01-01 00:00:00 UTC)')
    assert out[2].startswith(f'would remove {R4} "train" (incomplete: its aimeter on this '
                             f'machine is gone; last commit 2001-01-01 00:00:01 UTC)')
    assert sorted(ids(store)) == sorted(ALL)
    r = run_aimeter("gc", "--db", store)
    assert r.returncode == 0, r.stderr
    assert [ln.split()[:2] for ln in r.stdout.splitlines()[:3]] == [
        ["kept", IDLE], ["removed", R5], ["removed", R4]]
    assert sorted(ids(store)) == sorted([R3, R2, R1, IDLE])
    assert rows_of(store, R5) == 0 and rows_of(store, R4) == 0
    # --older-than 0: every dead run of this machine; another's only after an hour of silence
    r = run_aimeter("gc", "--older-than", "0", "--db", store)
    assert r.returncode == 0, r.stderr
    assert sorted(ids(store)) == sorted([R3, R2, R1, IDLE])
    # once R1 goes, its idle baseline is abandoned like any other
    assert run_aimeter("rm", "--db", store, R1).returncode == 0
    r = run_aimeter("gc", "--db", store)
    assert f"removed {IDLE}" in r.stdout
    assert sorted(ids(store)) == sorted([R3, R2])


def test_gc_reclaims_the_space_of_an_sqlite_store(tmp_path):
    db = str(tmp_path / "g.db")
    load_golden(db)
    assert run_aimeter("rm", "--db", db, R2, R3, R4).returncode == 0
    free_pages = int(query(db, "PRAGMA freelist_count")[0][0])
    assert free_pages > 0
    size = os.path.getsize(db)
    r = run_aimeter("gc", "--dry-run", "--no-vacuum", "--db", db)
    assert r.stdout.splitlines() == ["no abandoned runs", r.stdout.splitlines()[1]]
    assert "would leave the free space in the store (--no-vacuum)" in r.stdout
    r = run_aimeter("gc", "--dry-run", "--db", db)
    assert "would reclaim the free space of the store (VACUUM)" in r.stdout
    assert int(query(db, "PRAGMA freelist_count")[0][0]) == free_pages
    r = run_aimeter("gc", "--db", db)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1].startswith("reclaimed ")
    assert int(query(db, "PRAGMA freelist_count")[0][0]) == 0
    assert os.path.getsize(db) < size
    assert ids(db) == [R5, R1, IDLE]
    assert report_json(db, R1)["run"]["id"] == R1
    # nothing left to give back: the file is not rewritten
    r = run_aimeter("gc", "--db", db)
    assert r.stdout == "no abandoned runs\n"


def test_gc_on_postgresql_leaves_the_space_to_the_server(pg_url, tmp_path):
    src = str(tmp_path / "golden.db")
    load_golden(src)
    assert run_aimeter("push", "--db", src, "--to", pg_url, timeout=300).returncode == 0
    abandon(pg_url)
    r = run_aimeter("gc", "--db", pg_url)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == ("space: the server reclaims what the removed runs "
                                         "held (PostgreSQL's autovacuum)")


@pytest.mark.parametrize("args, code, says", [
    (["--older-than", "soon"], EX_USAGE, "bad --older-than 'soon'"),
    (["extra"], EX_USAGE, "unexpected argument 'extra'"),
    (["--vacuum"], EX_USAGE, "unknown or incomplete option '--vacuum'"),
])
def test_gc_refuses_bad_arguments(tmp_path, args, code, says):
    db = str(tmp_path / "g.db")
    load_golden(db)
    line = assert_one_error(run_aimeter("gc", "--db", db, *args), code)
    assert says in line, line


# ------------------------------------------------------------------ CSV column order


def test_csv_columns_do_not_depend_on_the_interval(tmp_path):
    """Each rate group has its slots, and a source slower than the interval samples in a
    group of its own (NVML below 10 ms, the process tree below 100 ms): the CSV's columns are
    in one documented order whatever the interval (docs/cli.md, "aimeter export")."""
    db = str(tmp_path / "o.db")
    headers, columns = [], []
    for interval in ("5ms", "50ms", "250ms"):
        r = run_aimeter("run", "-q", "-q", "--db", db, "-i", interval, "--", "sleep", "0.3",
                        env=gpu_env())
        assert r.returncode == 0, r.stderr
        r = run_aimeter("export", "--db", db, "--csv", "-")
        headers.append(r.stdout.splitlines()[0])
        r = run_aimeter("export", "--db", db, "--columns", "-")
        columns.append([row[0] for row in csv.reader(io.StringIO(r.stdout))][1:])
    assert headers[0] == headers[1] == headers[2]
    assert columns[0] == columns[1] == columns[2]
    devices = [c.split(".")[0] for c in columns[0]]
    order = [d for i, d in enumerate(devices) if i == 0 or devices[i - 1] != d]
    assert order == ["host", "gpu0", "gpu1", "cpu0", "dram0", "process"], order
    assert headers[0] == "time_s,wall_time," + ",".join(
        f'"{c}"' if "," in c else c for c in columns[0])
