"""Bad input: one clear line on stderr starting with 'aimeter:', the documented exit code
(docs/cli.md), and nothing already in the store damaged."""
import hashlib
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import (AIMETER, EX_CANTCREAT, EX_DATAERR, EX_NOEXEC, EX_NOINPUT, EX_NOTFOUND,
                      EX_TEMPFAIL, EX_UNAVAILABLE, EX_USAGE, assert_one_error, ls_json,
                      make_run, report_json, run_aimeter)


@pytest.fixture
def existing(db):
    """A store holding one completed run; yields its id and checks it is intact after."""
    run_id = make_run(db, name="precious")
    before = report_json(db, run_id)
    yield run_id
    runs = ls_json(db)
    assert [r["id"] for r in runs] == [run_id], "the store gained or lost runs"
    after = report_json(db, run_id)
    assert after == before, "the stored run changed"


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ------------------------------------------------------------------ usage errors (64)

def test_unknown_option(db, existing):
    line = assert_one_error(run_aimeter("run", "--db", db, "--frobnicate", "--", "true"),
                            EX_USAGE)
    assert "--frobnicate" in line


def test_missing_option_argument(db, existing):
    assert_one_error(run_aimeter("run", "--db", db, "--interval"), EX_USAGE)


@pytest.mark.parametrize("value", ["0.5ms", "abc", "0", "-1s", "", "10 parsecs", "100xs"])
def test_bad_duration(db, existing, value):
    line = assert_one_error(run_aimeter("run", "--db", db, "-i", value, "--", "true"), EX_USAGE)
    assert "interval" in line


def test_unknown_zone(db, existing):
    line = assert_one_error(run_aimeter("run", "--db", db, "--zone", "XX-NOWHERE", "--", "true"),
                            EX_USAGE)
    assert "XX-NOWHERE" in line


def test_unknown_source(db, existing):
    assert_one_error(run_aimeter("run", "--db", db, "--sources", "gpu-magic", "--", "true"),
                     EX_USAGE)


def test_empty_name(db, existing):
    assert_one_error(run_aimeter("run", "--db", db, "-n", "", "--", "true"), EX_USAGE)


# ------------------------------------------------------------------ cannot write (73)

@pytest.mark.parametrize("where", ["proc", "under-a-file"])
def test_unwritable_db(tmp_path, where):
    if where == "proc":
        path = "/proc/aimeter-e2e-x.db"
    else:
        blocker = tmp_path / "regular-file"
        blocker.write_text("not a directory\n")
        path = blocker / "sub" / "x.db"
    marker = tmp_path / "ran"
    line = assert_one_error(run_aimeter("run", "--db", path, "--", "touch", marker),
                            EX_CANTCREAT)
    assert str(path) in line
    assert not marker.exists(), "the command ran although nothing could be stored"


@pytest.mark.parametrize("option", ["--csv", "--json"])
def test_unwritable_output_file(db, existing, tmp_path, option):
    blocker = tmp_path / "regular-file"
    blocker.write_text("x")
    marker = tmp_path / "ran"
    line = assert_one_error(run_aimeter("run", "--db", db, option, blocker / "out", "--",
                                        "touch", marker), EX_CANTCREAT)
    assert "regular-file/out" in line
    assert not marker.exists(), "the command must not run when its output cannot be written"


def test_unwritable_output_in_export(db, existing, tmp_path):
    blocker = tmp_path / "f"
    blocker.write_text("x")
    assert_one_error(run_aimeter("export", "--db", db, "--csv", blocker / "o.csv"), EX_CANTCREAT)
    assert_one_error(run_aimeter("report", "--db", db, "-o", blocker / "o.txt"), EX_CANTCREAT)


# ------------------------------------------------------------------ the command (126/127)

def test_command_not_found(db, existing, tmp_path):
    line = assert_one_error(run_aimeter("run", "--db", db, "--", "no-such-command-aimeter-e2e"),
                            EX_NOTFOUND)
    assert "no-such-command-aimeter-e2e" in line
    assert_one_error(run_aimeter("run", "--db", db, "--", tmp_path / "missing"), EX_NOTFOUND)


def test_command_not_executable(db, existing, tmp_path):
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\ntouch ran\n")
    script.chmod(0o644)
    line = assert_one_error(run_aimeter("run", "--db", db, "--", script), EX_NOEXEC)
    assert "script.sh" in line
    assert_one_error(run_aimeter("run", "--db", db, "--", tmp_path), EX_NOEXEC)  # a directory
    # Through PATH as well.
    r = run_aimeter("run", "--db", db, "--", "script.sh", env={"PATH": str(tmp_path)})
    assert_one_error(r, EX_NOEXEC)


# ------------------------------------------------------------------ not a store (65)

def test_db_is_not_sqlite(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"These are my notes, not a database.\n" * 200)
    before = digest(path)
    marker = tmp_path / "ran"
    line = assert_one_error(run_aimeter("run", "--db", path, "--", "touch", marker), EX_DATAERR)
    assert "notes.db" in line
    assert not marker.exists()
    assert_one_error(run_aimeter("report", "--db", path), EX_DATAERR)
    assert_one_error(run_aimeter("ls", "--db", path), EX_DATAERR)
    assert digest(path) == before, "aimeter wrote into a file that is not its store"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"], "no -wal/-shm left behind"


def test_db_of_another_application(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    con.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    con.commit()
    con.close()
    before = digest(path)
    assert_one_error(run_aimeter("run", "--db", path, "--", "true"), EX_DATAERR)
    assert_one_error(run_aimeter("ls", "--db", path), EX_DATAERR)
    assert digest(path) == before


def test_store_from_a_newer_aimeter(db, existing, tmp_path):
    newer = tmp_path / "newer.db"
    src = sqlite3.connect(db)
    dst = sqlite3.connect(newer)
    src.backup(dst)
    src.close()
    dst.execute("PRAGMA user_version = 999")
    dst.commit()
    dst.close()
    before = digest(newer)
    line = assert_one_error(run_aimeter("run", "--db", newer, "--", "true"), EX_DATAERR)
    assert "newer" in line
    assert_one_error(run_aimeter("report", "--db", newer), EX_DATAERR)
    assert_one_error(run_aimeter("ls", "--db", newer), EX_DATAERR)
    assert digest(newer) == before
    con = sqlite3.connect(newer)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 999
    assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    con.close()


# ------------------------------------------------------------------ locked (75)

@pytest.mark.slow
def test_store_locked_by_another_process(db, existing, tmp_path):
    marker = tmp_path / "ran"
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    try:
        t0 = time.monotonic()
        proc = subprocess.Popen([str(AIMETER), "run", "--db", db, "--", "touch", marker],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            out = err = None
        waited = time.monotonic() - t0
    finally:
        con.execute("ROLLBACK")
        con.close()
    if out is None:
        out, err = proc.communicate(timeout=30)
        pytest.fail(f"aimeter still waited after 30 s (then exit {proc.returncode}): {err}")
    r = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    line = assert_one_error(r, EX_TEMPFAIL)
    assert "lock" in line.lower() or "busy" in line.lower(), line
    assert waited >= 1.0, "aimeter should wait for the lock a while before giving up"
    assert not marker.exists()


# ------------------------------------------------------------------ nothing to read (66)

def test_reading_a_store_that_does_not_exist(tmp_path):
    path = tmp_path / "nowhere" / "store.db"
    line = assert_one_error(run_aimeter("report", "--db", path), EX_NOINPUT)
    assert str(path) in line
    assert_one_error(run_aimeter("ls", "--db", path), EX_NOINPUT)
    assert_one_error(run_aimeter("export", "--csv", "-", "--db", path), EX_NOINPUT)
    assert not path.parent.exists(), "reading must not create the store"


def test_reading_an_empty_store(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    assert_one_error(run_aimeter("report", "--db", path), EX_NOINPUT)
    assert_one_error(run_aimeter("report", "last", "--db", path), EX_NOINPUT)
    assert path.read_bytes() == b""


def test_default_store_missing(tmp_path):
    # AIMETER_DB (set by conftest) points at a store nobody created.
    assert not Path(os.environ["AIMETER_DB"]).exists()
    assert_one_error(run_aimeter("report"), EX_NOINPUT)
    assert_one_error(run_aimeter("ls"), EX_NOINPUT)


def test_failed_start_leaves_an_existing_output_file_alone(tmp_path):
    """--csv/--json are checked before anything runs, but a run that then cannot start
    (here: the store cannot be created) must not have truncated the user's file."""
    blocker = tmp_path / "regular-file"
    blocker.write_text("x")
    out = tmp_path / "results.csv"
    out.write_text("precious,data\n1,2\n")
    new = tmp_path / "new.json"
    r = run_aimeter("run", "--db", blocker / "x.db", "--csv", out, "--json", new, "--", "true")
    assert_one_error(r, EX_CANTCREAT)
    assert out.read_text() == "precious,data\n1,2\n"
    assert not new.exists(), "an output file created for a run that never happened"


def test_nothing_to_measure(db, existing, tmp_path):
    """Only sources that find nothing (an empty sysfs): exit 69 and the command never runs."""
    empty = tmp_path / "empty-sysfs"
    empty.mkdir()
    marker = tmp_path / "ran"
    r = run_aimeter("run", "--db", db, "--sources", "rapl,hwmon", "--", "touch", marker,
                    env={"AIMETER_SYSFS_ROOT": empty})
    line = assert_one_error(r, EX_UNAVAILABLE)
    assert "source" in line
    assert not marker.exists()


# ------------------------------------------------------------------ issue 11: every message says something

def copy_store(src, dst, sql):
    """A copy of store src, damaged by the statements in sql."""
    import shutil
    con = sqlite3.connect(src)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    shutil.copyfile(src, dst)
    con = sqlite3.connect(dst)
    con.execute("PRAGMA foreign_keys = OFF")
    con.executescript(sql)
    con.commit()
    con.close()
    return dst


def test_render_failure_says_why(db, existing, tmp_path):
    """A report that cannot be rendered printed `aimeter: ` and nothing else."""
    bad = copy_store(db, tmp_path / "bad.db", "DROP TABLE run_tags;")
    r = run_aimeter("report", "--db", bad)
    line = assert_one_error(r, 70)
    assert "run_tags" in line, line


def test_corrupt_chunk_is_a_data_error(db, existing, tmp_path):
    """docs/cli.md: corrupt data exits 65 (export said 74, "writing FILE: ...")."""
    bad = copy_store(db, tmp_path / "bad.db", "UPDATE chunks SET data = x'00010203040506';")
    out = tmp_path / "out.csv"
    line = assert_one_error(run_aimeter("export", "--db", bad, "--csv", out), EX_DATAERR)
    assert "corrupt" in line and "writing" not in line, line
    line = assert_one_error(run_aimeter("corr", "--recompute", "--db", bad), EX_DATAERR)
    assert "corrupt" in line


def test_write_error_on_standard_output_is_named(db, existing):
    """`writing -:` named no file: standard output is called so."""
    with open("/dev/full", "w") as full:
        r = subprocess.run([str(AIMETER), "export", "--db", db, "--csv", "-"],
                           stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert r.returncode == 74, r.stderr
    assert "writing -:" not in r.stderr
    assert "standard output" in r.stderr


def test_intensity_file_that_is_a_directory(db, existing, tmp_path):
    """An unreadable input is 66 (docs/cli.md); a directory said 73."""
    marker = tmp_path / "ran"
    line = assert_one_error(run_aimeter("run", "--db", db, "--intensity-file", tmp_path, "--",
                                        "touch", marker), EX_NOINPUT)
    assert "directory" in line.lower()
    assert not marker.exists()


def test_empty_run_reference(db, existing):
    """`report ''` said "no run given" with exit 70: an empty RUN is a usage error."""
    for command in ("report", "export", "corr"):
        extra = ["--csv", "-"] if command == "export" else []
        line = assert_one_error(run_aimeter(command, "", "--db", db, *extra), EX_USAGE)
        assert "RUN" in line


def test_error_text_is_one_line(db, existing):
    """A newline typed into a value is shown as '?', never as a second line."""
    long_zone = "F\nR" + "X" * 200
    for args in (("whatif", "--db", db, "--zones", long_zone),
                 ("whatif", "--db", db, "--zones", "FR\nX"),
                 ("report", "no\nsuch", "--db", db),
                 ("run", "--db", db, "--zone", "F\nR", "--", "true")):
        r = run_aimeter(*args)
        assert r.returncode == EX_USAGE or r.returncode == EX_NOINPUT, r.stderr
        assert_one_error(r, r.returncode)


def test_estimate_count_too_large_says_the_bound():
    line = assert_one_error(run_aimeter("estimate", "--gpu", "A100", "--hours", "1", "--count",
                                        "999999999"), EX_USAGE)
    assert "at least 1" not in line and "10000000" in line and "too large" in line, line


def test_long_runtime_dir_falls_back_for_the_control_socket(db, tmp_path):
    """A socket path has 107 bytes: a deeper XDG_RUNTIME_DIR gave "no control socket (No
    such file or directory)". The socket goes to /tmp instead, and phases work."""
    deep = tmp_path / ("d" * 100)
    deep.mkdir()
    out = tmp_path / "control.txt"
    r = run_aimeter("run", "--db", db, "--", "sh", "-c", f"echo $AIMETER_CONTROL > {out}",
                    env={"XDG_RUNTIME_DIR": deep})
    assert r.returncode == 0, r.stderr
    assert "no control socket" not in r.stderr
    assert out.read_text().strip().startswith("/tmp/aimeter-")


def test_quiet_twice_prints_nothing_but_errors(db, tmp_path):
    """docs/cli.md: -qq is quieter than -q: no warnings and no report; the run is stored."""
    deep = tmp_path / ("d" * 100)
    deep.mkdir()
    r = run_aimeter("run", "-qq", "--db", db, "--", "sh", "-c", "exit 3",
                    env={"XDG_RUNTIME_DIR": deep, "SLURM_JOB_ID": "bad\x01id"})
    assert r.returncode == 3
    assert r.stderr == "", r.stderr
    assert ls_json(db)[0]["status"] == "failed"
    r = run_aimeter("run", "-q", "--db", db, "--", "true")
    assert "aimeter report" in r.stderr, "-q still prints the report"


def test_sqlite_reason_is_never_not_an_error(db, existing, tmp_path):
    """A stray -journal beside the store (what `report -o STORE-journal` used to write) made
    readers fail with "cannot read the schema: not an error": SQLite's text for the ROLLBACK
    that succeeded after the failure. The reason is that of the failure."""
    bad = copy_store(db, tmp_path / "bad.db", "")
    Path(f"{bad}-journal").write_text("aimeter report  run ...\n")
    r = run_aimeter("ls", "--db", bad)
    assert r.returncode != 0
    line = assert_one_error(r, r.returncode)
    assert "not an error" not in line, line
    assert "cannot read the schema: " in line
