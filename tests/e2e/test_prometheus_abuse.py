"""Abuse of `aimeter run --prometheus` (issue 14): 200 concurrent scrapes, clients that connect
and never send, clients that send a header byte every few seconds from several addresses,
oversized headers, bad paths, bad methods and garbage request lines. Each is
answered with a proper status code or closed unanswered, as docs/cli.md ("Live metrics")
documents; afterwards the server still answers a normal scrape, the sampler keeps ticking
(aimeter_sampler_ticks_total rises) and the run's report is complete.

Nothing here asserts on timing or load: waits have generous deadlines, and the sampler's
missed deadlines are not compared with a baseline (on a shared CI machine they depend on the
machine's load; the comparison is bench/bench_live.py's, docs/decisions.md says why). That the
server cannot delay the sampler holds by construction: it runs in libmicrohttpd's thread and
reads only the lock-free snapshot and the sampler's atomic counters."""
import http.client
import select
import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import report_json
from promserver import sample_value, serving_run

pytestmark = pytest.mark.slow

PER_ADDRESS_LIMIT = 8  # serve/prom_server.c, docs/cli.md
CONNECTION_LIMIT = 64


@pytest.fixture
def served(tmp_path, db):
    with serving_run(tmp_path, db, name="prom-abuse") as s:
        yield s


def port_of(url):
    return int(url.rsplit(":", 1)[1])


def scrape(port, source="127.0.0.1", deadline_s=60.0):
    """One normal GET /metrics from source; a connection closed unanswered (the connection
    limits) is tried again until the deadline. Returns the body of the 200."""
    deadline = time.monotonic() + deadline_s
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                          source_address=(source, 0))
        try:
            conn.request("GET", "/metrics")
            r = conn.getresponse()
            body = r.read().decode()
            assert r.status == 200, (r.status, body[:200])
            return body
        except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        finally:
            conn.close()


def raw(port, data, source="127.0.0.1"):
    """Sends data as is; returns what the server sent back before it closed the connection
    (b"" when it closed without an answer). Every request asks for Connection: close or is
    one the server cannot keep open, so the read ends."""
    with socket.create_connection(("127.0.0.1", port), timeout=60,
                                  source_address=(source, 0)) as s:
        reply = b""
        try:
            s.sendall(data)
            while chunk := s.recv(65536):
                reply += chunk
        except (BrokenPipeError, ConnectionResetError):
            pass
        return reply


def status_of(reply):
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.1 ") else None


def ticks(port):
    return sample_value(scrape(port), "aimeter_sampler_ticks_total")


def still_sampling_and_complete(url, stop, proc, err, db, before):
    """After the abuse: a normal scrape answers, the tick counter keeps rising past its value
    before and after the abuse, and the finished run's report is complete."""
    port = port_of(url)
    text = scrape(port)
    after = sample_value(text, "aimeter_sampler_ticks_total")
    assert after >= before
    deadline = time.monotonic() + 60
    while (now := ticks(port)) <= after and time.monotonic() < deadline:
        time.sleep(0.05)
    assert now > after, "the sampler stopped ticking after the abuse"
    stop()
    assert proc.wait(timeout=60) == 0, Path(err).read_text()
    rep = report_json(db)
    assert rep["run"]["status"] == "completed" and rep["run"]["name"] == "prom-abuse"
    s = rep["sampling"]
    assert s["samples"] >= now and s["samples_lost"] == 0 and s["store_complete"], s
    # Missed deadlines: not compared with anything (the module's docstring says why).
    gpus = {d["device"]: d for d in rep["energy"]["devices"] if d["kind"] == "gpu"}
    assert sorted(gpus) == ["gpu0", "gpu1"], rep["energy"]["devices"]
    assert all(d["energy_j"] > 0 and d["method"] == "measured" for d in gpus.values()), gpus
    assert rep["energy"]["total_j"] > 0


def test_200_concurrent_scrapes_are_all_answered(served, db):
    """200 clients scrape at once: a connection over the limits (64, 8 per address) is closed
    unanswered and tried again; every client ends with a complete exposition, and the scrape
    counter counts each."""
    url, stop, proc, err = served
    port = port_of(url)
    first = scrape(port)
    before = sample_value(first, "aimeter_scrapes_total")
    t0 = sample_value(first, "aimeter_sampler_ticks_total")
    go = threading.Barrier(200)
    bodies, errors = [None] * 200, []

    def client(i):
        try:
            go.wait(timeout=60)
            bodies[i] = scrape(port, deadline_s=120)
        except Exception as e:  # noqa: BLE001 - reported below with its client
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not errors, errors[:5]
    for b in bodies:  # complete: the last family is there, the body ends with a sample line
        assert b is not None and "aimeter_scrapes_total{" in b and b.endswith("\n"), b and b[-200:]
    after = sample_value(scrape(port), "aimeter_scrapes_total")
    assert after >= before + 201
    still_sampling_and_complete(url, stop, proc, err, db, t0)


def test_silent_clients_hold_only_their_own_address_slots(served, db):
    """8 clients from one address connect and never send: another address is still served;
    a 9th connection from the first address is closed unanswered (unless the silent ones
    had been timed out by then); the server closes each silent client at its idle timeout
    (10 s), and the first address is served again."""
    url, stop, proc, err = served
    port = port_of(url)
    t0 = ticks(port)
    silent = [socket.create_connection(("127.0.0.1", port), timeout=60,
                                       source_address=("127.0.0.1", 0))
              for _ in range(PER_ADDRESS_LIMIT)]
    try:
        # The server has accepted them all once it counts them open (the scraper is one more).
        deadline = time.monotonic() + 60
        while True:
            text = scrape(port, source="127.0.0.2")
            if sample_value(text, "aimeter_http_connections_open") >= PER_ADDRESS_LIMIT + 1:
                break
            assert time.monotonic() < deadline, text[-800:]
            time.sleep(0.05)
        assert sample_value(text, "aimeter_http_connections_total") >= PER_ADDRESS_LIMIT + 2
        # Over the per-address limit: closed unanswered. (Answered only if the idle timeout
        # had closed the silent ones first, which a very slow machine could see.)
        reply = raw(port, b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert reply == b"" or status_of(reply) == 200, reply[:80]
        for s in silent:  # each is closed by the server: recv returns b"" (or a reset)
            s.settimeout(60)
            try:
                assert s.recv(1) == b""
            except ConnectionResetError:
                pass
    finally:
        for s in silent:
            s.close()
    still_sampling_and_complete(url, stop, proc, err, db, t0)


def test_slow_senders_from_many_addresses_lose_their_connections(served, db):
    """Clients from 8 addresses (127.0.0.2-9) each open 16 connections and send one header
    byte to each every 2 s, for ever: enough to fill every slot, and each byte resets
    libmicrohttpd's idle timeout. The whole-request deadline (10 s from accept) closes each of
    them while it still sends; a normal scrape from 127.0.0.1, tried again while the slots are
    taken, is answered 200 in the end. (Before the deadline, 2 addresses x 16 held all 32
    slots for as long as they trickled: no scrape was ever answered.)"""
    url, stop, proc, err = served
    port = port_of(url)
    t0 = ticks(port)
    header = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4096
    slow = []
    for a in range(2, 10):
        for _ in range(16):
            try:
                slow.append(socket.create_connection(("127.0.0.1", port), timeout=60,
                                                     source_address=(f"127.0.0.{a}", 0)))
            except OSError:  # refused at once: nothing to hold
                pass
    closed = [False] * len(slow)
    done = threading.Event()

    def trickle():
        """One byte to each socket still open every 2 s; a socket the server ended (end of
        stream, a reset, or a reply) is marked closed and left alone."""
        sent = 0
        while not done.is_set() and not all(closed):
            for i, s in enumerate(slow):
                if closed[i]:
                    continue
                try:
                    if select.select([s], [], [], 0)[0]:
                        s.recv(65536)  # b"", or an answer: the server ended the request
                        closed[i] = True
                        continue
                    s.send(header[sent % len(header):sent % len(header) + 1])
                except OSError:
                    closed[i] = True
            sent += 1
            done.wait(2)

    sender = threading.Thread(target=trickle)
    sender.start()
    try:
        text = scrape(port, deadline_s=120)  # answered once the deadline freed slots
        assert "aimeter_sampler_ticks_total" in text
        assert sample_value(text, "aimeter_http_connections_total") >= CONNECTION_LIMIT
        deadline = time.monotonic() + 90
        while not all(closed) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(closed), f"{closed.count(False)} of {len(slow)} slow senders still open"
    finally:
        done.set()
        sender.join(timeout=60)
        for s in slow:
            s.close()
    still_sampling_and_complete(url, stop, proc, err, db, t0)


GARBAGE = [b"\x00\x01\x02\xff\r\n\r\n", b"GARBAGE\r\n\r\n", b"GET\r\n\r\n"]


def request(method, path, extra=b""):
    return (method + b" " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra +
            b"\r\n")


def test_bad_requests_get_proper_status_codes(served, db):
    """Each bad request gets the status code docs/cli.md lists, or is closed unanswered where
    it documents that (garbage that is not an HTTP request line)."""
    url, stop, proc, err = served
    port = port_of(url)
    t0 = ticks(port)
    cases = {
        # Headers past the 16 KiB per connection: 431 (libmicrohttpd's answer).
        request(b"GET", b"/metrics", b"X-Big: " + b"x" * 65536 + b"\r\n"): 431,
        # A request line past it: 414.
        request(b"GET", b"/" + b"a" * 20000): 414,
        request(b"GET", b"/"): 404,
        request(b"GET", b"/metrics/x"): 404,
        request(b"GET", b"/../etc/passwd"): 404,
        request(b"GET", b"/api/v1/query"): 404,
        request(b"OPTIONS", b"*"): 404,
        request(b"POST", b"/metrics", b"Content-Length: 5\r\n") + b"hello": 405,
        request(b"PUT", b"/metrics", b"Content-Length: 0\r\n"): 405,
        request(b"DELETE", b"/metrics"): 405,
        request(b"PATCH", b"/metrics"): 405,
        request(b"FOO", b"/metrics"): 405,
        # Malformed header line, HTTP/0.9-style line, unknown version.
        request(b"GET", b"/metrics", b"nocolon\r\n"): 400,
        b"GET /metrics\r\n\r\n": 400,
        b"GET /metrics HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n": 505,
    }
    for data, want in cases.items():
        reply = raw(port, data)
        assert status_of(reply) == want, (data[:60], reply[:120])
        if want == 405:
            assert b"\r\nAllow: GET, HEAD\r\n" in reply, reply[:300]
    for data in GARBAGE:  # not an HTTP request line: closed without an answer
        assert raw(port, data) == b"", data
    # A query string is not part of the path: still the exposition.
    assert status_of(raw(port, request(b"GET", b"/metrics?x=1"))) == 200
    text = scrape(port)
    assert sample_value(text, "aimeter_http_requests_total") >= len(cases)
    still_sampling_and_complete(url, stop, proc, err, db, t0)
