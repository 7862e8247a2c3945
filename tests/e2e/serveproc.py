"""`aimeter serve` for the length of a `with` block, shared by the e2e tests that drive a real
server (test_ui_first_paint.py, test_ui_whatif.py, test_serve_agent.py)."""
import contextlib
import signal
import subprocess
import time

from conftest import kill_tree, popen_aimeter
from promserver import free_port


@contextlib.contextmanager
def serving(store, out_dir, *extra, env=None, timeout=20.0):
    """aimeter serve --db STORE on a free loopback port, once it has printed its URL: yields
    its base URL (http://127.0.0.1:PORT). At the end of the block it gets SIGTERM and up to
    20 s to exit, then whatever is left is killed. Its stdout and stderr are in out_dir."""
    port = free_port()
    proc, out, err = popen_aimeter("serve", "--db", store, "--listen", f"127.0.0.1:{port}",
                                   *extra, out_dir=out_dir, env=env)
    try:
        deadline = time.monotonic() + timeout
        while "http" not in out.read_text():
            assert proc.poll() is None, err.read_text()
            assert time.monotonic() < deadline, "aimeter serve printed no URL"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        kill_tree(proc)
