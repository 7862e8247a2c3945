"""The store is never destroyed by a path typed for something else: an output that is the store
(or its -wal/-shm/-journal) is refused before anything runs, `--db ""` is refused, and a
store path that is not a regular file is refused without a byte written beside it."""
import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from conftest import (EX_DATAERR, EX_USAGE, assert_one_error, ls_json, make_run, report_json,
                      run_aimeter)


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def store(db):
    """A store with one run; after the test it must hold exactly that run, unchanged."""
    run_id = make_run(db, name="precious")
    before = report_json(db, run_id)
    yield db
    assert [r["id"] for r in ls_json(db)] == [run_id], "the store gained or lost runs"
    assert report_json(db, run_id) == before, "the stored run changed"


def outputs(db, target):
    """Every command and option that writes a file, aimed at target."""
    return [
        ("run", "--db", db, "--csv", target, "--", "touch", "{marker}"),
        ("run", "--db", db, "--json", target, "--", "touch", "{marker}"),
        ("report", "--db", db, "-o", target),
        ("report", "--db", db, "--output", target, "--format", "json"),
        ("export", "--db", db, "--csv", target),
        ("export", "--db", db, "--json", target),
        ("corr", "--db", db, "-o", target),
        ("compare", "--db", db, "last", "--baseline", "last", "-o", target),
    ]


def check_refused(args, tmp_path, target_name):
    marker = tmp_path / "ran"
    args = [str(a).replace("{marker}", str(marker)) for a in args]
    line = assert_one_error(run_aimeter(*args), EX_USAGE)
    assert target_name in line and "store" in line, line
    assert not marker.exists(), "nothing may run once an output is refused"


@pytest.mark.parametrize("index", range(8))
def test_output_that_is_the_store_is_refused(store, tmp_path, index):
    before = digest(store)
    args = outputs(store, store)[index]
    check_refused(args, tmp_path, os.path.basename(store))
    assert digest(store) == before


@pytest.mark.parametrize("index", range(8))
def test_output_that_is_the_store_by_another_name_is_refused(store, tmp_path, index):
    """A relative spelling, a symbolic link and a hard link all name the same file."""
    link = tmp_path / "sub"
    link.mkdir()
    os.symlink(store, link / "symlink.db")
    os.link(store, tmp_path / "hardlink.db")
    spellings = [os.path.relpath(store, tmp_path / "sub"), link / "symlink.db",
                 tmp_path / "hardlink.db", f"{tmp_path}/sub/../{os.path.basename(store)}"]
    for target in spellings:
        args = outputs(store, target)[index]
        marker = tmp_path / "ran"
        r = run_aimeter(*[str(a).replace("{marker}", str(marker)) for a in args],
                        cwd=tmp_path / "sub")
        assert_one_error(r, EX_USAGE)
        assert not marker.exists()


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
@pytest.mark.parametrize("index", range(8))
def test_output_that_is_the_journal_is_refused(store, tmp_path, index, suffix):
    """Whether SQLite has the file at that moment or not: it is the store's."""
    target = store + suffix
    existed = os.path.exists(target)
    check_refused(outputs(store, target)[index], tmp_path, os.path.basename(target))
    assert os.path.exists(target) == existed


@pytest.mark.parametrize("args", [
    ("run", "--csv", "{stem}.csv", "--", "touch", "{marker}"),
    ("export", "--csv", "{stem}.csv"),
    ("export", "--columns", "{stem}.columns.csv"),
])
def test_csv_column_list_that_is_the_store_is_refused(tmp_path, args):
    """NAME.csv also writes NAME.columns.csv: a store named like that is refused too."""
    db = str(tmp_path / "runs.columns.csv")
    run_id = make_run(db, name="precious")
    before = digest(db)
    stem = str(tmp_path / "runs")
    marker = tmp_path / "ran"
    filled = [a.replace("{stem}", stem).replace("{marker}", str(marker)) for a in args]
    line = assert_one_error(run_aimeter(filled[0], "--db", db, *filled[1:]), EX_USAGE)
    assert "store" in line, line
    assert not marker.exists()
    assert digest(db) == before
    assert [r["id"] for r in ls_json(db)] == [run_id]


def test_output_that_is_the_default_store_is_refused(tmp_path, monkeypatch):
    db = tmp_path / "default.db"
    monkeypatch.setenv("AIMETER_DB", str(db))
    make_run(db)
    before = digest(db)
    assert_one_error(run_aimeter("report", "-o", db), EX_USAGE)
    assert_one_error(run_aimeter("run", "--csv", db, "--", "true"), EX_USAGE)
    assert digest(db) == before


def test_other_outputs_still_work(store, tmp_path):
    out = tmp_path / "s.db.csv"
    r = run_aimeter("export", "--db", store, "--csv", out)
    assert r.returncode == 0, r.stderr
    assert out.read_text().startswith("time_s,")


@pytest.mark.parametrize("command", ["run", "ls", "report", "export", "corr", "compare",
                                     "whatif", "forecast"])
def test_empty_db_is_refused(tmp_path, command, monkeypatch):
    """`--db ""` used to measure into the default store and then look for the report in ""."""
    default = tmp_path / "default.db"
    monkeypatch.setenv("AIMETER_DB", str(default))
    marker = tmp_path / "ran"
    args = {"run": ["--", "touch", marker], "export": ["--csv", "-"],
            "compare": ["a", "b"], "whatif": ["--zones", "FR"], "forecast": ["--epochs", "3"]}
    line = assert_one_error(run_aimeter(command, "--db", "", *args.get(command, [])), EX_USAGE)
    assert "--db" in line
    assert not marker.exists()
    assert not default.exists(), "nothing may be measured into another store"


def test_store_path_that_is_a_device_is_refused(tmp_path):
    """`--db /dev/null` (as root) created /dev/null-journal, mode 0666. A FIFO the same."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    marker = tmp_path / "ran"
    for path in ("/dev/null", str(fifo)):
        existed = os.path.exists(path + "-journal")
        line = assert_one_error(run_aimeter("run", "--db", path, "--", "touch", marker),
                                EX_DATAERR)
        assert "not a regular file" in line, line
        assert not marker.exists()
        assert os.path.exists(path + "-journal") == existed
        assert not os.path.exists(path + "-wal")
    assert_one_error(run_aimeter("ls", "--db", "/dev/null"), EX_DATAERR)


def test_store_with_negative_schema_version(store, tmp_path):
    """user_version -1 in our store is damage, not an old schema to migrate: 65 for readers
    and for run (which said 70, "migration to schema 0 failed")."""
    bad = tmp_path / "bad.db"
    bad.write_bytes(Path(store).read_bytes())
    con = sqlite3.connect(bad)
    con.execute("PRAGMA user_version = -1")
    con.commit()
    con.close()
    before = digest(bad)
    for args in (("ls",), ("report",), ("run", "-q", "--db", bad, "--", "true")):
        if "--db" not in args:
            args = args + ("--db", bad)
        line = assert_one_error(run_aimeter(*args), EX_DATAERR)
        assert "schema" in line
    assert digest(bad) == before


def test_store_in_a_read_only_directory_says_so(tmp_path):
    """It said "No such file or directory". Root writes anywhere, so a root test runs
    aimeter as nobody (uid 65534) in a directory nobody may not write."""
    import tempfile
    base = Path(tempfile.mkdtemp(prefix="aim-ro-"))
    try:
        os.chmod(base, 0o755)
        ro = base / "ro"
        ro.mkdir()
        os.chmod(ro, 0o555)
        marker = base / "ran"
        env = {"AIMETER_DB": str(base / "unused.db"), "HOME": str(base)}

        def as_nobody():
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)

        import subprocess
        from conftest import AIMETER
        r = subprocess.run([str(AIMETER), "run", "-q", "--db", str(ro / "s.db"), "--", "touch",
                            str(marker)], capture_output=True, text=True, timeout=60,
                           env={**os.environ, **env}, preexec_fn=as_nobody, cwd=base)
        line = assert_one_error(r, 73)
        assert "No such file" not in line, line
        assert "not writable" in line or "permission" in line.lower(), line
        assert not marker.exists()
    finally:
        os.chmod(base / "ro", 0o755)
        import shutil
        shutil.rmtree(base, ignore_errors=True)
