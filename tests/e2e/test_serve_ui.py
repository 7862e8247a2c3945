"""aimeter serve (issue 15, second increment), the server's side: the UI page and its bundle
(/, /ui/app.js, /ui/app.css; any other /ui path 404), the security headers on every answer
(Content-Security-Policy, nosniff, no referrer; no-store on /api), request bodies (413 past
1 MiB, 405 where a route takes none, 403 for an import without --allow-import), and the live
routes over a real `aimeter run` measuring two fake GPUs (tests/fakes/fake_nvml.c): /api/live
lists it while it runs (and no finished run), /api/runs/{id}/events streams its samples and
phases, ends by itself while the run goes on, resumes after Last-Event-ID, and sends `end` when
the run ends. The run's command waits for a file the test writes: nothing depends on timing.
Streams are read with http.client (the browser side is tests/browser/)."""
import http.client
import json
import re
import signal
import socket
import sqlite3
import time
from pathlib import Path

import pytest

from conftest import AIMETER, BUILD, gpu_env, kill_tree, popen_aimeter, run_aimeter
from promserver import free_port

ROOT = Path(__file__).resolve().parents[2]
STORE_SQL = ROOT / "tests" / "fixtures" / "store" / "golden.sql"
TRAIN = "20261207-083158-a90897"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("serve-ui") / "golden.db"
    con = sqlite3.connect(path)
    con.executescript(STORE_SQL.read_text())
    con.close()
    return path


def start(store, out_dir, *extra):
    """aimeter serve on a free port: (process, base URL)."""
    port = free_port()
    out_dir.mkdir(parents=True, exist_ok=True)
    proc, out, err = popen_aimeter("serve", "--db", store, "--listen", f"127.0.0.1:{port}",
                                   *extra, out_dir=out_dir)
    deadline = time.monotonic() + 30
    while "http" not in out.read_text():
        assert proc.poll() is None, err.read_text()
        assert time.monotonic() < deadline, "aimeter serve printed no URL"
        time.sleep(0.02)
    assert out.read_text().split()[-1] == f"http://127.0.0.1:{port}/"  # the UI's URL
    return proc, f"http://127.0.0.1:{port}"


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    kill_tree(proc)


@pytest.fixture
def server(store, tmp_path):
    proc, base = start(store, tmp_path / "serve")
    yield base
    stop(proc)


def request(base, path, method="GET", headers=None, body=None, timeout=30):
    """(status, headers, body bytes) of one request as written."""
    host, port = base.split("//")[1].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=timeout)
    c.putrequest(method, path, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
    for k, v in (headers or {}).items():
        c.putheader(k, v)
    if body is not None:
        c.putheader("Content-Length", str(len(body)))
    c.endheaders(body)
    r = c.getresponse()
    out = r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    c.close()
    return out


def assert_security_headers(headers):
    assert headers["content-security-policy"] == CSP
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


# ------------------------------------------------------------------ the UI and the headers

def test_page_and_bundle(server):
    code, h, body = request(server, "/")
    assert code == 200 and h["content-type"] == "text/html; charset=utf-8"
    assert_security_headers(h)
    page = body.decode()
    assert '<div id="app"></div>' in page
    assert '<link rel="stylesheet" href="/ui/app.css">' in page
    assert '<script src="/ui/app.js" defer></script>' in page
    # nothing inline: the CSP forbids it, and nothing comes from elsewhere
    assert not re.search(r"<script[^>]*>[^<]", page) and "<style" not in page
    assert not re.search(r"\s(style|on\w+)=", page)
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    for path, ctype, built in (("/ui/app.js", "text/javascript; charset=utf-8", "app.js"),
                               ("/ui/app.css", "text/css; charset=utf-8", "app.css")):
        code, h, body = request(server, path)
        assert code == 200 and h["content-type"] == ctype, path
        assert_security_headers(h)
        assert body == (BUILD / "web" / built).read_bytes()  # the embedded bundle, whole
        code, h, head = request(server, path, "HEAD")
        assert code == 200 and head == b"" and h["content-type"] == ctype
    code, h, body = request(server, "/", "HEAD")
    assert code == 200 and body == b"" and h["content-type"].startswith("text/html")
    assert_security_headers(h)


@pytest.mark.parametrize("path", ["/ui/", "/ui/app.jsx", "/ui/report.js", "/ui/app.js/x",
                                  "/ui/../etc/passwd", "/ui/%2e%2e/%2e%2e/etc/passwd",
                                  "/ui/index.html", "/ui/APP.JS"])
def test_other_ui_paths_are_404(server, path):
    code, h, body = request(server, path)
    assert code == 404, body
    assert_security_headers(h)
    assert b"root:" not in body


def test_api_answers_carry_the_headers_and_no_store(server):
    for path, status in (("/api/runs", 200), ("/api/nothing", 404), (f"/api/runs/{TRAIN}", 200),
                         ("/api/live", 200), ("/api/runs?limit=0", 400)):
        code, h, body = request(server, path)
        assert code == status, (path, body)
        assert_security_headers(h)
        assert h["cache-control"] == "no-store", path
        assert h["content-type"].startswith("application/json")
    code, h, _ = request(server, "/", "POST", body=b"x")
    assert code == 405 and h["allow"] == "GET, HEAD"
    assert_security_headers(h)


def test_unauthorised_answers_carry_the_headers(store, tmp_path):
    r = run_aimeter("hash-password", input="tok-ui\n")
    assert r.returncode == 0, r.stderr
    cfg = tmp_path / "web.yml"
    cfg.write_text(f"bearer_tokens:\n  - '{r.stdout.strip()}'\n")
    proc, base = start(store, tmp_path / "serve", "--web-config", cfg)
    try:
        for path in ("/", "/api/runs"):
            code, h, _ = request(base, path)
            assert code == 401
            assert_security_headers(h)
        code, h, _ = request(base, "/", headers={"Authorization": "Bearer tok-ui"})
        assert code == 200
    finally:
        stop(proc)


# ------------------------------------------------------------------ DNS rebinding, origins

def test_only_its_own_names_without_credentials(server, store, tmp_path):
    """A page elsewhere can point a name of its own at 127.0.0.1 (DNS rebinding): its requests
    then carry that name in Host, refused with 421; loopback names and the listen address
    pass. A POST whose Origin is another site's is refused (403) before any route."""
    port = server.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", "[::2]"):
        code, h, body = request(server, "/api/runs", headers={"Host": host})
        assert code == 421, (host, body)
        assert body.count(b"\n") == 1 and b"misdirected" in body
        assert_security_headers(h)
    assert request(server, "/", headers={"Host": "evil.example"})[0] == 421
    for host in ("localhost", f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
        assert request(server, "/api/runs", headers={"Host": host})[0] == 200, host
    code, _, body = request(server, "/api/profiles", "POST",
                            headers={"Origin": "http://evil.example",
                                     "Content-Type": "application/json"}, body=b"{}")
    assert code == 403 and b"another origin" in body, body
    code, _, body = request(server, "/api/profiles", "POST",
                            headers={"Origin": f"http://127.0.0.1:{port}",
                                     "Content-Type": "application/json"}, body=b"{}")
    assert code == 403 and b"--allow-import" in body, body  # past the origin check
    # with credentials, the name is not checked (the credentials are): 401, not 421
    r = run_aimeter("hash-password", input="tok-ui\n")
    cfg = tmp_path / "web.yml"
    cfg.write_text(f"bearer_tokens:\n  - '{r.stdout.strip()}'\n")
    proc, base = start(store, tmp_path / "auth", "--web-config", cfg)
    try:
        assert request(base, "/api/runs", headers={"Host": "aimeter.example"})[0] == 401
        assert request(base, "/api/runs", headers={"Host": "aimeter.example",
                                                   "Authorization": "Bearer tok-ui"})[0] == 200
    finally:
        stop(proc)


# ------------------------------------------------------------------ request bodies

def raw_exchange(base, head, body_chunks=()):
    """Sends head (the request line and headers) and body_chunks, as far as the server takes
    them, then reads its answer: (status, the rest of the answer as text)."""
    host, port = base.split("//")[1].split(":")
    s = socket.create_connection((host, int(port)), timeout=30)
    try:
        s.sendall(head.encode())
        for chunk in body_chunks:
            try:
                s.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server answered (and closes) before the rest
        data = b""
        while b"\r\n\r\n" not in data or len(data) < 4096:
            try:
                more = s.recv(65536)
            except ConnectionResetError:
                break
            if not more:
                break
            data += more
    finally:
        s.close()
    assert data.startswith(b"HTTP/1."), data[:200]
    return int(data.split()[1]), data.decode(errors="replace")


def test_post_bodies(server):
    # a route without POST: 405, whatever the body
    code, h, body = request(server, "/api/runs", "POST", body=b"{}")
    assert code == 405 and h["allow"] == "GET, HEAD"
    assert_security_headers(h)
    # the import route without --allow-import: 403 naming the option
    code, h, body = request(server, "/api/profiles", "POST",
                            headers={"Content-Type": "application/json"}, body=b"{}")
    assert code == 403, body
    assert "--allow-import" in json.loads(body)["error"]
    assert h["cache-control"] == "no-store"
    # without --allow-import no body is read: 403 at once, even for one announced past 1 MiB
    code, text = raw_exchange(server, "POST /api/profiles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                      "Content-Type: application/json\r\n"
                                      f"Content-Length: {MIB + 1}\r\n\r\n")
    assert code == 403 and "--allow-import" in text, text
    # the server still answers afterwards
    assert request(server, "/api/runs")[0] == 200


def test_allow_import(store, tmp_path):
    assert "--allow-import" in run_aimeter("serve", "--help").stdout
    # a store that is not there is not made: 66, as without the option
    missing = tmp_path / "no" / "such.db"
    r = run_aimeter("serve", "--db", missing, "--listen", str(free_port()), "--allow-import")
    assert r.returncode == 66, r.stderr
    assert "no such store" in r.stderr
    assert not missing.parent.exists()
    copy = tmp_path / "rw.db"
    copy.write_bytes(Path(store).read_bytes())
    proc, base = start(copy, tmp_path / "serve", "--allow-import")
    try:
        # let through to the route, which validates what it is given
        code, _, body = request(base, "/api/profiles", "POST",
                                headers={"Content-Type": "application/json"}, body=b"{")
        assert code == 400, body
        assert "error" in json.loads(body)
        # a body announced past 1 MiB: 413 before any of it is sent
        code, text = raw_exchange(base, "POST /api/profiles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        f"Content-Length: {2 * MIB}\r\n\r\n")
        assert code == 413, text
        assert "1 MiB" in text and "content-security-policy" in text.lower()
        # a chunked one that grows past 1 MiB: 413 too
        chunk = b"x" * 65536
        chunks = [b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(MIB // len(chunk) + 2)]
        code, text = raw_exchange(base, "POST /api/profiles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        "Content-Type: application/json\r\n"
                                        "Transfer-Encoding: chunked\r\n\r\n",
                                  chunks + [b"0\r\n\r\n"])
        assert code == 413, text
    finally:
        stop(proc)


# ------------------------------------------------------------------ the event stream

def read_events(base, path, headers=None):
    """The whole stream at path, to its end: (status, content type, [(event, id, data)],
    the retry field). Each data is parsed JSON."""
    host, port = base.split("//")[1].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=60)
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    if r.status != 200:
        body = r.read()
        c.close()
        return r.status, r.getheader("Content-Type"), json.loads(body), None
    events, retry, cur = [], None, {}
    while True:
        line = r.readline()
        if not line:
            break  # the server ended the stream
        line = line.decode().rstrip("\n")
        if line == "":
            if "data" in cur:
                events.append((cur.get("event"), cur.get("id"), json.loads(cur["data"])))
            cur = {}
            continue
        field, _, value = line.partition(": ")
        if field == "retry":
            retry = int(value)
        else:
            cur[field] = value
    c.close()
    return 200, r.getheader("Content-Type"), events, retry


def test_events_of_a_stored_run(server):
    code, ctype, events, retry = read_events(server, f"/api/runs/{TRAIN}/events?points=20")
    assert code == 200 and ctype == "text/event-stream; charset=utf-8"
    assert retry == 1000
    kinds = [e[0] for e in events]
    assert kinds[0] == "samples" and kinds[-1] == "end" and "phase" in kinds
    samples = events[0][2]
    assert samples["from_s"] == 0 and float(events[0][1]) == pytest.approx(samples["to_s"])
    names = [s["name"] for s in samples["series"]]
    assert "gpu0.power" in names
    for s in samples["series"]:
        assert len(s["t"]) == len(s["v"]) <= 20 and s["unit"] is not None
    assert events[-1][2] == {"status": "completed", "stale": False}
    phases = [e[2] for e in events if e[0] == "phase"]
    assert {"epoch 1", "step"} <= {p["name"] for p in phases}
    assert all(p["end_s"] is not None for p in phases)
    # since, and Last-Event-ID over it
    _, _, ev, _ = read_events(server, f"/api/runs/{TRAIN}/events?since=1.0")
    assert all(t > 1.0 for s in ev[0][2]["series"] for t in s["t"])
    _, _, ev, _ = read_events(server, f"/api/runs/{TRAIN}/events?since=1.0",
                              {"Last-Event-ID": "0.25"})
    assert ev[0][2]["from_s"] == 0.25
    assert any(t < 1.0 for s in ev[0][2]["series"] for t in s["t"])


@pytest.mark.parametrize("path,headers,status", [
    (f"/api/runs/{TRAIN}/events?points=1", {}, 400),
    (f"/api/runs/{TRAIN}/events?since=-2", {}, 400),
    (f"/api/runs/{TRAIN}/events?since=..%2f", {}, 400),
    (f"/api/runs/{TRAIN}/events", {"Last-Event-ID": "later"}, 400),
    ("/api/runs/no-such-run/events", {}, 404),
    ("/api/runs/2026/events", {}, 400),  # a prefix of several runs
])
def test_events_bad_requests(server, path, headers, status):
    code, ctype, body, _ = read_events(server, path, headers)
    assert code == status and ctype.startswith("application/json")
    assert set(body) == {"error"}


@pytest.fixture
def live(tmp_path, db):
    """A finished run, then a running `aimeter run` over two fake GPUs that opens the phase
    "warmup" and waits for a file; aimeter serve on the store. Yields (base URL, go())."""
    done = run_aimeter("run", "-q", "--db", db, "--name", "finished", "--", "true")
    assert done.returncode == 0, done.stderr
    go = tmp_path / "go"
    script = (f'PATH="{AIMETER.parent}:$PATH"; aimeter phase begin warmup; '
              f"while [ ! -e {go} ]; do sleep 0.02; done; aimeter phase end warmup")
    (tmp_path / "run").mkdir()
    run = popen_aimeter("run", "-q", "--sources", "procfs,nvml", "-i", "50ms", "--db", db,
                        "--name", "live-e2e", "--", "sh", "-c", script,
                        out_dir=tmp_path / "run", env=gpu_env())[0]
    serve = None
    try:
        serve, base = start(db, tmp_path / "serve")
        yield base, go.touch, run
    finally:
        go.touch()
        try:
            run.wait(timeout=60)
        finally:
            kill_tree(run)
            if serve:
                stop(serve)


def get_live(base):
    code, h, body = request(base, "/api/live")
    assert code == 200 and h["cache-control"] == "no-store"
    j = json.loads(body)
    assert j["schema"] == "aimeter.serve-live/1"
    return j["runs"]


def test_live_run_and_its_events(live):
    base, go, run = live
    deadline = time.monotonic() + 90
    while True:  # until the run's GPUs and phase are in the store
        runs = get_live(base)
        mine = [r for r in runs if r["name"] == "live-e2e"]
        if mine and "gpu0.power" in mine[0]["latest"] and mine[0]["phases"]:
            break
        assert time.monotonic() < deadline, runs
        time.sleep(0.1)
    assert [r["name"] for r in runs] == ["live-e2e"]  # the finished run is not live
    r = mine[0]
    assert set(r) == {"id", "name", "host", "start_time", "duration_s", "latest", "phases"}
    assert r["latest"]["gpu0.power"]["unit"] == "W"
    assert 0 <= r["latest"]["gpu0.power"]["t"] <= r["duration_s"]
    assert [p["name"] for p in r["phases"]] == ["warmup"] and r["phases"][0]["start_s"] >= 0
    rid = r["id"]

    # while it runs: samples and the open phase, then the stream ends by itself (no `end`)
    code, _, events, retry = read_events(base, f"/api/runs/{rid}/events?points=50")
    assert code == 200 and retry == 1000
    kinds = [e[0] for e in events]
    assert "end" not in kinds and kinds[0] == "samples"
    first = events[0][2]
    power = [s for s in first["series"] if s["name"] == "gpu0.power"][0]
    assert power["unit"] == "W" and 0 < len(power["t"]) <= 50
    assert all(first["from_s"] <= t <= first["to_s"] for t in power["t"])
    phase = [e[2] for e in events if e[0] == "phase"][0]
    assert phase["name"] == "warmup" and phase["end_s"] is None and phase["start_s"] >= 0
    ids = [float(e[1]) for e in events if e[0] == "samples"]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert run.poll() is None and [x["id"] for x in get_live(base)] == [rid]  # it goes on

    # the browser comes back with the last id: only what is newer
    last = [e[1] for e in events if e[0] == "samples"][-1]
    _, _, again, _ = read_events(base, f"/api/runs/{rid}/events", {"Last-Event-ID": last})
    for e in again:
        if e[0] == "samples":
            assert e[2]["from_s"] >= float(last)
            assert all(t > float(last) for s in e[2]["series"] for t in s["t"])
            last = e[1]

    # the run ends: the phase's end and `end`, the last event
    go()
    assert run.wait(timeout=60) == 0
    _, _, tail, _ = read_events(base, f"/api/runs/{rid}/events", {"Last-Event-ID": last})
    assert tail[-1][0] == "end" and tail[-1][2] == {"status": "completed", "stale": False}
    ended = [e[2] for e in tail if e[0] == "phase" and e[2]["name"] == "warmup"]
    assert ended and ended[-1]["end_s"] is not None
    assert get_live(base) == []
