"""The package with a server store it cannot reach (docs/store.md, "When the server is
unreachable: the spool"): the run is measured into the local spool all the same, the Summary
is read back from there and its warnings say where the run is kept and how to push it. No
PostgreSQL needed: the URL names a socket directory where no server listens (the e2e suite's
test_spool.py covers a real server going away and coming back)."""
import os
import shutil
import socket
import sqlite3
import tempfile
import threading
import time

import aimeter


def test_an_unreachable_server_is_measured_into_the_spool(tmp_path, monkeypatch):
    gone = tempfile.mkdtemp(prefix="aimpg-gone-")  # short: a socket path has 107 bytes
    try:
        url = f"postgresql://aimeter@/aimeter?host={gone}"
        monkeypatch.setenv("AIMETER_DB", url)
        with aimeter.track("spooled", interval="20ms", quiet=True) as t:
            deadline = time.monotonic() + 30
            while (t.live() or {}).get("samples", 0) < 4 and time.monotonic() < deadline:
                time.sleep(0.02)
        s = t.summary
        spool = str(tmp_path / "xdg-data" / "aimeter" / "spool.db")
        con = sqlite3.connect(spool)
        try:
            (status,) = con.execute("SELECT status FROM runs WHERE id = ?", (s.run_id,)).fetchone()
        finally:
            con.close()
        assert status == "completed"
        assert s.energy_j is not None
        text = str(s)
        assert f"aimeter push --db {spool} --to {url}" in " ".join(text.split()), text
    finally:
        shutil.rmtree(gone, ignore_errors=True)


def test_a_server_that_never_answers_does_not_hold_the_start(tmp_path, monkeypatch):
    """A host that accepts the connection and never says a word (libpq would wait for ever:
    connect_timeout=0): the tracked block runs while that connection is still held, and the
    end lets it go within its deadline, the run kept in the spool with the push command.
    Before the fix the block never ran."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(60)
        url = f"postgresql://aimeter@127.0.0.1:{listener.getsockname()[1]}/aimeter" \
              "?connect_timeout=0"
        monkeypatch.setenv("AIMETER_DB", url)
        ran, done = threading.Event(), {}

        def tracked():
            with aimeter.track("held", interval="20ms", quiet=True) as t:
                ran.set()
            done["summary"] = t.summary

        worker = threading.Thread(target=tracked, daemon=True)
        worker.start()
        assert ran.wait(60), "the tracked block never started"
        conn, _ = listener.accept()
        with conn:
            conn.setblocking(False)
            try:  # what the client sent, then no end of file: the connection is held still
                while conn.recv(4096):
                    pass
                raise AssertionError("the connection was closed before the block ran")
            except BlockingIOError:
                pass
            worker.join(60)
            assert not worker.is_alive(), "the end did not let the connection go"
    spool = str(tmp_path / "xdg-data" / "aimeter" / "spool.db")
    text = " ".join(str(done["summary"]).split())
    assert f"aimeter push --db {spool} --to {url}" in text, text
