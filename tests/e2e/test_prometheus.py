"""aimeter run --prometheus: /metrics served while the command runs, under the fake NVML
(tests/fakes/fake_nvml.c, two GPUs). The command waits for a file the test writes, so the
run lasts exactly as long as the test needs it; nothing here depends on timing."""
import shutil
import socket
import time
from pathlib import Path

import pytest

from conftest import run_aimeter, error_lines
from promserver import fetch, prometheus, promtool_check, sample_lines, serving_run


@pytest.fixture
def served(tmp_path, db):
    """A run serving /metrics until the test is done with it: yields (base URL, stop)."""
    with serving_run(tmp_path, db) as s:
        yield s


def test_metrics_are_served_while_the_command_runs(served):
    url, stop, proc, err = served
    # Until the GPUs' first samples are published, the exposition may lack them: wait for them.
    deadline = time.monotonic() + 30
    while True:
        status, ctype, text = fetch(url + "/metrics")
        assert status == 200, text
        if sample_lines(text, "aimeter_gpu_power_watts") or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert ctype.startswith("text/plain; version=0.0.4")
    power = sample_lines(text, "aimeter_gpu_power_watts")
    assert len(power) == 2, text
    assert 'device="gpu0",gpu="0",' in power[0] and 'task="prom-e2e"' in power[0]
    assert 'host="' in power[0] and 'run="' in power[0] and 'model="' in power[0]
    energy = sample_lines(text, "aimeter_gpu_energy_joules_total")
    assert len(energy) == 2 and all('method="' in l for l in energy), text
    assert "# TYPE aimeter_gpu_energy_joules_total counter" in text
    assert "# TYPE aimeter_carbon_grams_total counter" in text
    assert sample_lines(text, "aimeter_run_info")
    for line in sample_lines(text, "aimeter_gpu_util_ratio"):
        assert 0 <= float(line.rsplit(" ", 1)[1]) <= 1, line
    if shutil.which("promtool"):
        rc, out = promtool_check(text)
        assert rc == 0, out

    status, ctype, om = fetch(url + "/metrics", accept="application/openmetrics-text; version=1.0.0")
    assert status == 200 and ctype.startswith("application/openmetrics-text")
    assert om.endswith("# EOF\n")
    assert "# TYPE aimeter_gpu_energy_joules counter" in om
    assert "# UNIT aimeter_gpu_energy_joules joules" in om

    status, _, _ = fetch(url + "/")
    assert status == 404
    status, _, _ = fetch(url + "/metrics/x")
    assert status == 404
    status, _, _ = fetch(url + "/metrics", method="POST")
    assert status == 405
    status, _, _ = fetch(url + "/metrics", method="DELETE")
    assert status == 405

    stop()
    assert proc.wait(timeout=60) == 0, Path(err).read_text()


@pytest.mark.parametrize("arg", ["0.0.0.0:10425", "192.0.2.1:10425", "[::]:10425"])
def test_a_non_loopback_address_is_refused(db, arg):
    r = run_aimeter("run", "-q", "--db", db, "--prometheus", arg, "--", "true")
    assert r.returncode == 64
    assert error_lines(r.stderr) == [
        f"aimeter: --prometheus: {arg.rsplit(':', 1)[0].strip('[]')} is not a loopback "
        "address; serving beyond this machine needs credentials: --web-config FILE with "
        "basic_auth_users or bearer_tokens (docs/cli.md)"]


@pytest.mark.parametrize("arg", ["", "0", "65536", "x", "127.0.0.1:", "::1:80", "host.example:80"])
def test_a_bad_listen_address_is_a_usage_error(db, arg):
    r = run_aimeter("run", "-q", "--db", db, "--prometheus", arg, "--", "true")
    assert r.returncode == 64, r.stderr
    assert len(error_lines(r.stderr)) == 1 and "--prometheus" in r.stderr


def test_a_taken_port_is_reported(db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run_aimeter("run", "-q", "--db", db, "--sources", "procfs",
                        "--prometheus", str(port), "--", "true")
    assert r.returncode == 69, r.stderr
    assert error_lines(r.stderr) == [
        f"aimeter: cannot serve /metrics on 127.0.0.1 port {port}: Address already in use"]


def test_a_silent_client_and_an_oversized_header_do_not_stop_scrapes(served):
    """A client that connects and sends nothing holds one connection, not the server; a
    request whose headers pass the 16 KiB per connection is refused (431) or cut off."""
    url, stop, proc, err = served
    port = int(url.rsplit(":", 1)[1])
    assert fetch(url + "/metrics")[0] == 200
    silent = socket.create_connection(("127.0.0.1", port))
    try:
        reply = b""
        with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
            try:
                s.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"x" * 65536 +
                          b"\r\n\r\n")
                reply = s.recv(4096)
            except (BrokenPipeError, ConnectionResetError):
                pass
        assert reply == b"" or reply.startswith(b"HTTP/1.1 431"), reply[:80]
        status, _, text = fetch(url + "/metrics")
        assert status == 200 and "aimeter_run_info" in text
    finally:
        silent.close()
    stop()
    assert proc.wait(timeout=60) == 0, Path(err).read_text()


def test_a_rebound_name_is_misdirected(served):
    """Without credentials the run's server answers only to its own names (DNS rebinding):
    Host evil.example gets 421; localhost and 127.0.0.1 scrape."""
    url, stop, proc, err = served
    port = int(url.rsplit(":", 1)[1])
    assert fetch(url + "/metrics")[0] == 200  # serving (fetch waits for the port)
    for host, want in ((b"evil.example", b"421"), (b"localhost:%d" % port, b"200"),
                       (b"127.0.0.1", b"200")):
        with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
            reply = s.recv(4096)
        assert reply.startswith(b"HTTP/1.1 " + want), (host, reply[:200])
    stop()
    assert proc.wait(timeout=60) == 0, Path(err).read_text()


def test_a_real_prometheus_server_scrapes_the_run(served, tmp_path):
    """Debian's prometheus scrapes the run every second (loopback, its own data directory);
    its HTTP API then has the series with aimeter's names and labels. Waits for the first
    scrapes with a deadline; asserts nothing about when they happened."""
    url, stop, proc, err = served
    assert fetch(url + "/metrics")[0] == 200
    with prometheus(tmp_path, url.split("//", 1)[1]) as prom:
        series = prom.wait_for("aimeter_gpu_energy_joules_total", lambda r: len(r) == 2)
        assert len(series) == 2, prom.log_tail()
        labels = sorted((s["metric"]["device"], s["metric"]["gpu"], s["metric"]["method"],
                         s["metric"]["task"], s["metric"]["job"]) for s in series)
        assert labels == [("gpu0", "0", "measured", "prom-e2e", "aimeter"),
                          ("gpu1", "1", "measured", "prom-e2e", "aimeter")]
        # The energy counters only increase: wait for a few scrapes of each, then compare.
        ranges = prom.wait_for("aimeter_gpu_energy_joules_total[1m]",
                               lambda r: len(r) == 2 and all(len(x["values"]) >= 3 for x in r))
        for r in ranges:
            values = [float(v) for _, v in r["values"]]
            assert len(values) >= 3 and values == sorted(values) and values[-1] > values[0], r
        # Every exported name arrived as it is documented (no rename by the server).
        names = set(prom.api("label/__name__/values") or [])
        assert {"aimeter_gpu_power_watts", "aimeter_gpu_util_ratio",
                "aimeter_carbon_grams_total", "aimeter_run_info"} <= names, names
    stop()
    assert proc.wait(timeout=60) == 0, Path(err).read_text()


def test_the_live_total_power_is_steady_under_a_stepping_energy_counter(served):
    """The fake NVML's energy counter moves every 100 ms (as NVML's does) while the run
    samples every 50 ms: one interval's ΔE/Δt reads 0 W or twice the draw. The live total
    (/api/live, aimeter_run_power_watts, the status line) takes each GPU's power reading, so it
    never drops to 0 once the GPUs have been read."""
    import json
    url = served[0]
    deadline = time.monotonic() + 60

    def snapshot():
        status, _, body = fetch(url + "/api/live")
        assert status == 200, body
        return json.loads(body)

    while not all(d.get("power_w") for d in snapshot()["devices"] if d["kind"] == "gpu"):
        assert time.monotonic() < deadline, "the GPUs' power never arrived"
        time.sleep(0.05)
    totals = []
    seen = set()
    while len(seen) < 12:  # twelve distinct publications
        assert time.monotonic() < deadline, f"only {len(seen)} publications"
        snap = snapshot()
        if snap["sampler"]["samples"] not in seen:
            seen.add(snap["sampler"]["samples"])
            totals.append(snap["totals"]["power_w"])
        time.sleep(0.03)
    assert min(totals) > 0, totals
