"""The package with a server store it cannot reach (docs/store.md, "When the server is
unreachable: the spool"): the run is measured into the local spool all the same, the Summary
is read back from there and its warnings say where the run is kept and how to push it. No
PostgreSQL needed: the URL names a socket directory where no server listens (the e2e suite's
test_spool.py covers a real server going away and coming back)."""
import os
import shutil
import sqlite3
import tempfile
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
