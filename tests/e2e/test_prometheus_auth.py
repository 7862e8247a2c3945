"""aimeter run --prometheus with --web-config (docs/cli.md "Web config"): basic auth and
bearer tokens against bcrypt hashes, TLS with a certificate made here by the openssl CLI, the
rule that an address beyond loopback needs credentials, a bad file refused with its line, and
a real Prometheus server scraping with basic_auth, a bearer token and https. The fake NVML
gives two GPUs; the command waits for a file the test writes, so nothing depends on timing."""
import base64
import http.client
import json
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import assert_one_error, gpu_env, kill_tree, ls_json, popen_aimeter, run_aimeter
from promserver import fetch, free_port, prometheus_server

PASSWORD = "correct horse battery staple"
TOKEN = "tok-5f0c1d9a-e2e"


def bcrypt(secret):
    """The hash `aimeter hash-password` prints for secret, given on stdin."""
    r = run_aimeter("hash-password", input=secret + "\n")
    assert r.returncode == 0, r.stderr
    h = r.stdout.strip()
    assert h.startswith("$2b$10$") and len(h) == 60 and secret not in r.stdout
    return h


@pytest.fixture(scope="module")
def hashes():
    return {"password": bcrypt(PASSWORD), "token": bcrypt(TOKEN)}


def write_config(path, hashes, users=True, tokens=True, tls=None):
    lines = []
    if tls:
        lines += ["tls_server_config:", f"  cert_file: {tls[0]}", f"  key_file: {tls[1]}"]
    if users:
        lines += ["basic_auth_users:", f"  alice: '{hashes['password']}'"]
    if tokens:
        lines += ["bearer_tokens:", f"  - '{hashes['token']}'"]
    path.write_text("\n".join(lines) + "\n")
    return path


def make_cert(folder):
    """A self-signed certificate for 127.0.0.1 and localhost: (cert, key) paths."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key),
                        "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return cert, key


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def get(url, authorization=None, context=None, timeout=60.0):
    """(status, headers, body), retried while the server does not listen yet, and after
    Retry-After on a 503 (new credentials beyond the server's budget for bcrypt checks: how
    many fit depends on the machine's speed, which no test may depend on)."""
    req = urllib.request.Request(url)
    if authorization:
        req.add_header("Authorization", authorization)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(req, timeout=10, context=context) as r:
                return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            if e.code == 503 and e.headers.get("Retry-After") and time.monotonic() < deadline:
                time.sleep(float(e.headers["Retry-After"]))
                continue
            return e.code, e.headers, e.read().decode()
        except (ConnectionError, urllib.error.URLError) as e:
            if isinstance(getattr(e, "reason", None), ssl.SSLError):
                raise e.reason
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Served:
    def __init__(self, tmp_path, db, config, address="127.0.0.1", scheme="http"):
        self.port = free_port()
        self.go = tmp_path / "go"
        self.proc, self.out, self.err = popen_aimeter(
            "run", "-i", "50ms", "--sources", "procfs,nvml", "--db", db, "--name", "auth-e2e",
            "--prometheus", f"{address}:{self.port}", "--web-config", config, "--",
            "sh", "-c", f"while [ ! -e {self.go} ]; do sleep 0.02; done",
            out_dir=tmp_path, env=gpu_env())
        self.url = f"{scheme}://127.0.0.1:{self.port}/metrics"

    def finish(self):
        self.go.touch()
        try:
            code = self.proc.wait(timeout=60)
        finally:
            kill_tree(self.proc)
        return code


@pytest.fixture
def serve(tmp_path, db):
    started = []

    def start(*args, **kw):
        s = Served(tmp_path, db, *args, **kw)
        started.append(s)
        return s
    yield start
    for s in started:
        s.go.touch()
        kill_tree(s.proc)


def test_basic_and_bearer_credentials(serve, tmp_path, db, hashes):
    """Right credentials: 200; wrong, missing or malformed ones: 401 with both challenges.
    The secrets reach neither the store nor the report, and the run samples on."""
    s = serve(write_config(tmp_path / "web.yml", hashes))
    ok = get(s.url, basic("alice", PASSWORD))
    assert ok[0] == 200 and "aimeter_run_info" in ok[2]
    for auth in (None, basic("alice", "wrong"), basic("bob", PASSWORD), "Bearer wrong-token",
                 "Basic !!!not-base64!!!", "Basic " + base64.b64encode(b"no-colon").decode(),
                 "Bearer " + PASSWORD, basic("alice", PASSWORD + "x"), "Digest x=1", ""):
        status, headers, _ = get(s.url, auth)
        assert status == 401, auth
        assert sorted(headers.get_all("WWW-Authenticate")) == [
            'Basic realm="aimeter", charset="UTF-8"', 'Bearer realm="aimeter"'], auth
    assert get(s.url, "Bearer " + TOKEN)[0] == 200
    assert get(s.url, "bearer " + TOKEN)[0] == 200  # the scheme is case-insensitive
    # Again, from the cache, and a wrong one again: the same answers.
    for _ in range(3):
        assert get(s.url, basic("alice", PASSWORD))[0] == 200
        assert get(s.url, "Bearer wrong-token")[0] == 401
    # Any path asks for credentials first.
    assert get(s.url.replace("/metrics", "/other"))[0] == 401
    assert get(s.url.replace("/metrics", "/other"), basic("alice", PASSWORD))[0] == 404
    assert s.finish() == 0, Path(s.err).read_text()
    runs = ls_json(db)
    assert len(runs) == 1 and runs[0]["status"] == "completed", runs
    report = run_aimeter("report", "--db", db)
    exported = run_aimeter("export", "--db", db, "--json", "-")
    assert report.returncode == 0 and exported.returncode == 0, report.stderr
    texts = [Path(db).read_bytes(), Path(s.err).read_bytes(), Path(s.out).read_bytes(),
             report.stdout.encode(), report.stderr.encode(), exported.stdout.encode()]
    for f in Path(db).parent.glob(Path(db).name + "-*"):
        texts.append(f.read_bytes())
    for secret in (PASSWORD, TOKEN, hashes["password"], hashes["token"]):
        assert not any(secret.encode() in t for t in texts), secret


def test_a_flood_of_guesses_never_refuses_a_known_scraper(serve, tmp_path, hashes):
    """New wrong tokens, one after another, get 401 (checked) or 503 with Retry-After (past
    the budget for bcrypt checks; how many fit depends on the machine); a scraper whose
    credentials were checked once is answered 200 in between, every time."""
    s = serve(write_config(tmp_path / "web.yml", hashes))
    assert get(s.url, basic("alice", PASSWORD))[0] == 200
    seen = set()
    for i in range(40):
        req = urllib.request.Request(s.url, headers={"Authorization": f"Bearer guess-{i}"})
        try:
            urllib.request.urlopen(req, timeout=30)
            status = 200
        except urllib.error.HTTPError as e:
            status = e.code
            assert status == 401 or e.headers.get("Retry-After") == "1", (i, status)
        assert status in (401, 503), (i, status)
        seen.add(status)
        assert get(s.url, basic("alice", PASSWORD), timeout=0)[0] == 200, i
    assert 401 in seen
    assert s.finish() == 0, Path(s.err).read_text()


def status_from(port, source, authorization, deadline_s=60.0):
    """(status, Retry-After) of one GET /metrics from the address source; tried again only
    while the connection is closed unanswered (the connection limits)."""
    deadline = time.monotonic() + deadline_s
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                          source_address=(source, 0))
        try:
            conn.request("GET", "/metrics", headers={"Authorization": authorization,
                                                     "Connection": "close"})
            r = conn.getresponse()
            r.read()
            return r.status, r.getheader("Retry-After")
        except (ConnectionError, http.client.RemoteDisconnected):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
        finally:
            conn.close()


def test_a_concurrent_flood_from_one_address_leaves_a_new_scraper_in(serve, tmp_path, hashes):
    """6 clients from 127.0.0.2 send new wrong tokens at once, without pause, until they are
    answered 503 (their address's budget for bcrypt checks is spent; docs/cli.md). While they
    go on, a scraper from 127.0.0.3 whose credentials the server has never seen (not cached)
    is checked and answered 200 on its first request: the flood spent its own address's
    budget, not the shared one. (With one shared budget, the flood kept it empty and the
    scraper got 503.)"""
    s = serve(write_config(tmp_path / "web.yml", hashes))
    port = int(s.url.rsplit(":", 1)[1].split("/")[0])
    assert get(s.url.replace("/metrics", "/other"))[0] == 401  # listening; no check spent
    stop, seen, errors = threading.Event(), [], []

    def flood(t):
        i = 0
        try:
            while not stop.is_set():
                status, retry = status_from(port, "127.0.0.2", f"Bearer guess-{t}-{i}")
                assert status == 401 or (status == 503 and retry == "1"), (status, retry)
                seen.append(status)
                i += 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=flood, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 120
        while 503 not in seen and not errors and time.monotonic() < deadline:
            time.sleep(0.05)
        assert 503 in seen and 401 in seen, (errors, seen[:20])
        assert status_from(port, "127.0.0.3", basic("alice", PASSWORD)) == (200, None)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    assert not errors, errors[:3]
    assert s.finish() == 0, Path(s.err).read_text()


def test_tls_with_a_self_signed_certificate(serve, tmp_path, hashes):
    """https with the certificate as the only CA: 200 with credentials, 401 without; plain
    http to the TLS port gets no metrics. Relative paths are the config file's folder's."""
    conf = tmp_path / "conf"
    conf.mkdir()
    make_cert(conf)
    s = serve(write_config(conf / "web.yml", hashes, tls=("cert.pem", "key.pem")),
              scheme="https")
    ctx = ssl.create_default_context(cafile=str(conf / "cert.pem"))
    status, _, body = get(s.url, basic("alice", PASSWORD), context=ctx)
    assert status == 200 and "aimeter_run_info" in body
    assert get(s.url, None, context=ctx)[0] == 401
    with pytest.raises(ssl.SSLError):  # a client that does not trust the certificate
        get(s.url, basic("alice", PASSWORD), context=ssl.create_default_context())
    plain = s.url.replace("https:", "http:")
    try:
        status = get(plain, basic("alice", PASSWORD), timeout=2)[0]
    except (ConnectionError, urllib.error.URLError, http.client.HTTPException):
        status = None
    assert status != 200
    assert s.finish() == 0, Path(s.err).read_text()


def test_an_address_beyond_loopback_needs_credentials(serve, tmp_path, db, hashes):
    no_auth = tmp_path / "plain.yml"
    conf = tmp_path / "tls"
    conf.mkdir()
    cert, key = make_cert(conf)
    write_config(no_auth, hashes, users=False, tokens=False, tls=(cert, key))
    for config in ([], ["--web-config", no_auth]):
        r = run_aimeter("run", "-q", "--db", db, "--prometheus", "0.0.0.0:10425", *config,
                        "--", "true")
        assert_one_error(r, 64)
        assert "0.0.0.0 is not a loopback address" in r.stderr
    s = serve(write_config(tmp_path / "web.yml", hashes, users=False), address="0.0.0.0")
    assert get(s.url, "Bearer " + TOKEN)[0] == 200
    assert get(s.url)[0] == 401
    assert s.finish() == 0, Path(s.err).read_text()


@pytest.mark.parametrize("text,line,what", [
    ("basic_auth_users:\n  alice: '$2b$10$tooshort'\n", 2,
     "the password hash of user 'alice' is not a bcrypt hash"),
    ("basic_auth_users:\n  alice: 'plain-password'\n", 2, "is not a bcrypt hash"),
    ("tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\n  client_ca_file: ca.pem\n", 4,
     "unknown key 'client_ca_file' in tls_server_config"),
    ("# a comment\nhttp_server_config:\n  http2: false\n", 2, "unknown key 'http_server_config'"),
    ("tls_server_config:\n  cert_file: missing.pem\n  key_file: missing-key.pem\n", 2,
     "cannot read the certificate"),
    ("tls_server_config:\n  cert_file: c.pem\n", 2, "needs both cert_file and key_file"),
    ("bearer_tokens: [\n", 2, "not YAML"),
    ("- a\n- b\n", 1, "a web-config file is a mapping"),
])
def test_a_bad_web_config_names_its_line(tmp_path, db, text, line, what):
    f = tmp_path / "web.yml"
    f.write_text(text)
    r = run_aimeter("run", "-q", "--db", db, "--prometheus", "10425", "--web-config", f, "--",
                    "true")
    assert_one_error(r, 65)
    assert r.stderr.startswith(f"aimeter: {f}:{line}: "), r.stderr
    assert what in r.stderr, r.stderr
    assert not Path(db).exists()  # refused before anything ran


def test_a_missing_web_config_and_one_without_prometheus(tmp_path, db):
    r = run_aimeter("run", "-q", "--db", db, "--prometheus", "10425", "--web-config",
                    tmp_path / "none.yml", "--", "true")
    assert_one_error(r, 66)
    assert "none.yml" in r.stderr
    (tmp_path / "web.yml").write_text("")
    r = run_aimeter("run", "-q", "--db", db, "--web-config", tmp_path / "web.yml", "--", "true")
    assert_one_error(r, 64)


def test_a_certificate_and_key_that_do_not_match(tmp_path, db):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    make_cert(a)
    make_cert(b)
    f = tmp_path / "web.yml"
    f.write_text(f"tls_server_config:\n  cert_file: {a / 'cert.pem'}\n"
                 f"  key_file: {b / 'key.pem'}\n")
    r = run_aimeter("run", "-q", "--db", db, "--prometheus", "10425", "--web-config", f, "--",
                    "true")
    assert_one_error(r, 65)
    assert f"{f}:2: the certificate" in r.stderr


def test_hash_password_reads_stdin_only():
    r = run_aimeter("hash-password", PASSWORD)
    assert_one_error(r, 64)
    assert PASSWORD not in r.stderr
    for bad in ("\n", "x" * 73 + "\n"):
        assert_one_error(run_aimeter("hash-password", input=bad), 64)
    assert bcrypt("x" * 72)


def test_a_real_prometheus_scrapes_with_basic_auth_a_token_and_tls(serve, tmp_path, db, hashes):
    """Debian's prometheus scrapes over https, trusting only the test's certificate: one job
    with basic_auth (password_file), one with a bearer token (credentials_file), and one with
    a wrong token, whose target is down (401) while the run samples on."""
    cert, key = make_cert(tmp_path)
    s = serve(write_config(tmp_path / "web.yml", hashes, tls=(cert, key)), scheme="https")
    ctx = ssl.create_default_context(cafile=str(cert))
    assert get(s.url, basic("alice", PASSWORD), context=ctx)[0] == 200
    (tmp_path / "password").write_text(PASSWORD)
    (tmp_path / "token").write_text(TOKEN)
    (tmp_path / "wrong").write_text("not-the-token")
    target = f"127.0.0.1:{s.port}"
    tls = f"    scheme: https\n    tls_config:\n      ca_file: {cert}\n"
    config = (
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n"
        f"  - job_name: basic\n{tls}    basic_auth:\n      username: alice\n"
        f"      password_file: {tmp_path / 'password'}\n"
        f"    static_configs:\n      - targets: ['{target}']\n"
        f"  - job_name: bearer\n{tls}    authorization:\n      type: Bearer\n"
        f"      credentials_file: {tmp_path / 'token'}\n"
        f"    static_configs:\n      - targets: ['{target}']\n"
        f"  - job_name: wrong\n{tls}    authorization:\n      type: Bearer\n"
        f"      credentials_file: {tmp_path / 'wrong'}\n"
        f"    static_configs:\n      - targets: ['{target}']\n")
    with prometheus_server(tmp_path, config) as port:
        api = f"http://127.0.0.1:{port}/api/v1/query?query="
        deadline = time.monotonic() + 60
        up = {}
        while time.monotonic() < deadline:
            try:
                status, _, body = fetch(api + "up", timeout=5)
            except (ConnectionError, urllib.error.URLError):
                status = 0
            if status == 200:
                up = {r["metric"]["job"]: r["value"][1] for r in json.loads(body)["data"]["result"]}
                if len(up) == 3 and up["basic"] == "1" and up["bearer"] == "1":
                    break
            time.sleep(0.2)
        assert up == {"basic": "1", "bearer": "1", "wrong": "0"}, \
            (tmp_path / "prometheus.log").read_text()[-2000:]
        status, _, body = fetch(api + "aimeter_gpu_energy_joules_total")
        jobs = sorted(r["metric"]["job"] for r in json.loads(body)["data"]["result"])
        assert jobs == ["basic", "basic", "bearer", "bearer"], body
    assert get(s.url, basic("alice", PASSWORD), context=ctx)[0] == 200  # still serving
    assert s.finish() == 0, Path(s.err).read_text()
    text = Path(s.err).read_text()
    assert PASSWORD not in text and TOKEN not in text
    runs = ls_json(db)
    assert len(runs) == 1 and runs[0]["status"] == "completed", runs
    r = run_aimeter("report", "--db", db, "--format", "json")
    assert r.returncode == 0, r.stderr
    sampling = json.loads(r.stdout)["sampling"]
    # Sampled through the scrapes (several seconds at 50 ms), nothing lost.
    assert sampling["samples"] >= 10 and sampling["store_complete"], sampling
