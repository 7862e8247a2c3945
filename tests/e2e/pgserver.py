"""A throw-away PostgreSQL server for the end-to-end tests (docs/testing.md, "PostgreSQL").

One server per test session, started by tests/tools/pg_tmp.sh on a Unix socket in a short
directory under /tmp (a socket's path has at most 107 bytes: pytest's tmp_path is too long),
stopped and removed at the end of the session. Every test that asks for one gets a database
of its own (`pg_tmp.sh createdb`), so no test sees another's runs.

Fixtures (conftest.py imports them):
  pg_server   the session's server (PgServer); skipped when PostgreSQL is not installed,
              a failure in CI (CI set), where bootstrap.sh installs it
  pg_url      a fresh database's URL, postgresql://aimeter@/tNN?host=/tmp/aimpg-...
  store_url   parametrised ["sqlite", "postgresql"]: a store for --db on either back-end
              (the SQLite one a path under tmp_path, not created yet)
and query(store, sql), the rows of a query on either back-end, outside aimeter.
"""
import contextlib
import itertools
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_TMP = Path(__file__).resolve().parents[2] / "tests" / "tools" / "pg_tmp.sh"
EX_UNAVAILABLE = 69  # pg_tmp.sh: PostgreSQL is not installed


class PgUnavailable(Exception):
    """PostgreSQL is not installed here (pg_tmp.sh exited 69); the message says so."""


class PgServer:
    """A server started by pg_tmp.sh in its own directory; databases made on demand."""

    def __init__(self, directory, url):
        self.dir = directory
        self.url = url  # the database "aimeter", made with the server
        self._names = itertools.count(1)

    def createdb(self, name=None):
        """A new, empty database; returns its URL."""
        name = name or f"t{next(self._names)}"
        r = subprocess.run(["bash", str(PG_TMP), "createdb", self.dir, name],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"pg_tmp.sh createdb {name} failed ({r.returncode}): {r.stderr}")
        return r.stdout.strip()

    def stop(self):
        subprocess.run(["bash", str(PG_TMP), "stop", self.dir], capture_output=True, timeout=120)

    def halt(self):
        """Stops the server, keeping its data (a server that goes away): resume() restarts it."""
        r = subprocess.run(["bash", str(PG_TMP), "halt", self.dir], capture_output=True,
                           text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"pg_tmp.sh halt failed ({r.returncode}): {r.stderr}")

    def resume(self):
        r = subprocess.run(["bash", str(PG_TMP), "resume", self.dir], capture_output=True,
                           text=True, timeout=180)
        if r.returncode != 0:
            raise RuntimeError(f"pg_tmp.sh resume failed ({r.returncode}): {r.stderr}")


def is_url(store):
    return "://" in str(store)


def query(store, sql):
    """The rows of sql on a store of either back-end, outside aimeter (sqlite3, psql), each
    a tuple of texts (NULL: None)."""
    if not is_url(store):
        con = sqlite3.connect(store)
        try:
            return [tuple(None if v is None else str(v) for v in row)
                    for row in con.execute(sql)]
        finally:
            con.close()
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-P", "null=\x1e",
                        "-v", "ON_ERROR_STOP=1", "-d", store, "-c", sql],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"psql: {r.stderr}"
    return [tuple(None if v == "\x1e" else v for v in line.split("\x1f"))
            for line in r.stdout.splitlines()]


@contextlib.contextmanager
def pg_server_running():
    """A PgServer for the length of a `with` block. Raises PgUnavailable when PostgreSQL is
    not installed, RuntimeError when it is but the server does not start."""
    directory = tempfile.mkdtemp(prefix="aimpg-", dir="/tmp")
    r = subprocess.run(["bash", str(PG_TMP), "start", directory],
                       capture_output=True, text=True, timeout=180)
    if r.returncode != 0:
        subprocess.run(["bash", str(PG_TMP), "stop", directory], capture_output=True, timeout=120)
        if r.returncode == EX_UNAVAILABLE:
            raise PgUnavailable(r.stderr.strip() or "PostgreSQL is not installed")
        raise RuntimeError(f"pg_tmp.sh start failed ({r.returncode}): {r.stderr}")
    server = PgServer(directory, r.stdout.strip())
    try:
        yield server
    finally:
        server.stop()


def pg_server_or_skip():
    """A fixture's body (`yield from`): a server of the fixture's own for its length; a skip
    with pg_tmp.sh's reason when PostgreSQL is not installed, a failure in CI."""
    try:
        with pg_server_running() as server:
            yield server
    except PgUnavailable as e:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is missing in CI: {e}")
        pytest.skip(f"PostgreSQL tests skipped: {e}")


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL server (pg_server_or_skip)."""
    yield from pg_server_or_skip()


@pytest.fixture
def pg_url(pg_server):
    """The URL of a fresh, empty database on the session's server."""
    return pg_server.createdb()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A store for --db on each back-end: an SQLite path (not created yet) or a fresh
    PostgreSQL database's URL."""
    if request.param == "sqlite":
        return str(tmp_path / "runs.db")
    return request.getfixturevalue("pg_url")
