"""Chunk summaries through the real binary (docs/store.md, chunks.summary): every chunk a real
`aimeter run` writes carries one, and `aimeter serve` answers /api/runs/{id}/series with the
same bytes from them as from decoding every chunk (a copy of the store whose summaries are
NULL, as a store written before schema 11 has); and it does answer from them (a copy whose
chunks' samples are destroyed answers the same for series without gaps in one bucket)."""
import signal
import sqlite3
import time

from conftest import kill_tree, popen_aimeter, run_aimeter
from promserver import fetch, free_port


def serve(store, tmp_path):
    port = free_port()
    out_dir = tmp_path / f"out-{port}"
    out_dir.mkdir()
    proc, out, err = popen_aimeter("serve", "--db", store, "--listen", f"127.0.0.1:{port}",
                                   out_dir=out_dir)
    deadline = time.monotonic() + 20
    while "http" not in out.read_text():
        assert proc.poll() is None, err.read_text()
        assert time.monotonic() < deadline, "aimeter serve printed no URL"
        time.sleep(0.02)
    return proc, f"http://127.0.0.1:{port}"


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    kill_tree(proc)


def copy(db, to, sql):
    con = sqlite3.connect(db)
    con.execute(f"VACUUM INTO '{to}'")
    con.close()
    con = sqlite3.connect(to)
    con.execute(sql)
    con.commit()
    con.close()


def test_a_real_run_is_served_alike_with_and_without_summaries(tmp_path):
    db = tmp_path / "runs.db"
    r = run_aimeter("run", "-q", "--db", str(db), "-i", "5ms", "--sources", "procfs", "--",
                    "sh", "-c", "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; sleep 2.2")
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(db)
    run_id = con.execute("SELECT id FROM runs").fetchone()[0]
    chunks, missing = con.execute(
        "SELECT count(*), sum(summary IS NULL) FROM chunks").fetchone()
    assert chunks > 1 and missing == 0
    con.close()
    bare, broken = tmp_path / "bare.db", tmp_path / "broken.db"
    copy(db, bare, "UPDATE chunks SET summary = NULL")
    copy(db, broken, "UPDATE chunks SET data = x'01ff'")

    a, url_a = serve(str(db), tmp_path)
    b, url_b = serve(str(bare), tmp_path)
    c, url_c = serve(str(broken), tmp_path)
    mem = "metrics=host.mem.total,host.mem.used"  # no gaps, unlike the CPU's rates at 5 ms
    try:
        for q in ("points=2", "points=4", "points=10", "points=60", "points=2000",
                  "points=7&from=0.2&to=0.9", "points=3&metrics=host.cpu.util",
                  f"points=2&{mem}", f"points=6&{mem}"):
            got_a = fetch(f"{url_a}/api/runs/{run_id}/series?{q}")
            got_b = fetch(f"{url_b}/api/runs/{run_id}/series?{q}")
            assert got_a[0] == 200, got_a
            assert got_a == got_b, q
        # one bucket: every chunk is merged from its summary, none decoded
        assert fetch(f"{url_c}/api/runs/{run_id}/series?points=2&{mem}") == \
            fetch(f"{url_a}/api/runs/{run_id}/series?points=2&{mem}")
        assert fetch(f"{url_c}/api/runs/{run_id}/series?points=2")[0] == 500  # decoded
    finally:
        stop(a)
        stop(b)
        stop(c)
