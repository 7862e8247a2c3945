"""aimeter serve's profiles (issue 15, second increment) through the real binary on the golden
store (tests/fixtures/store/golden.sql): GET /api/runs/{id}/profile equals `aimeter export
--profile -`; with --allow-import a JSON profile and a CSV of epoch energies are imported
(201), listed and fetched back; without it POST is 403 naming the flag; bad bodies are 400
naming the field or the line; a server without --allow-import (the store opened read-only)
still serves the run's profile and lists what was imported."""
import json
import signal
import sqlite3
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import kill_tree, popen_aimeter, run_aimeter
from promserver import fetch, free_port

ROOT = Path(__file__).resolve().parents[2]
STORE_SQL = ROOT / "tests" / "fixtures" / "store" / "golden.sql"
TRAIN = "20261207-083158-a90897"
INFER = "20261207-083159-769624"


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "golden.db"
    con = sqlite3.connect(path)
    con.executescript(STORE_SQL.read_text())
    con.close()
    return path


class Server:
    def __init__(self, store, tmp_path, *extra):
        port = free_port()
        out_dir = tmp_path / f"serve-{port}"
        out_dir.mkdir()
        self.proc, out, err = popen_aimeter("serve", "--db", store, "--listen",
                                            f"127.0.0.1:{port}", *extra, out_dir=out_dir)
        deadline = time.monotonic() + 20
        while "http" not in out.read_text():
            assert self.proc.poll() is None, err.read_text()
            assert time.monotonic() < deadline, "aimeter serve printed no URL"
            time.sleep(0.02)
        self.base = f"http://127.0.0.1:{port}"

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(timeout=20) == 0
        kill_tree(self.proc)


@pytest.fixture
def serve(store, tmp_path):
    started = []

    def start(*extra):
        s = Server(store, tmp_path, *extra)
        started.append(s)
        return s.base

    yield start
    for s in started:
        s.stop()


def get_json(url, status=200):
    code, ctype, body = fetch(url)
    assert code == status, body
    assert ctype.startswith("application/json")
    return json.loads(body)


def post(url, body, ctype):
    """(status, parsed JSON answer) of a POST."""
    req = urllib.request.Request(url, data=body.encode(), method="POST",
                                 headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, json.loads(r.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode())


def export_profile(store, run):
    r = run_aimeter("export", run, "--profile", "-", "--db", store)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_run_profile_equals_export(serve, store):
    base = serve()
    for run in (TRAIN, INFER):
        code, _, body = fetch(f"{base}/api/runs/{run}/profile")
        assert code == 200
        assert body == export_profile(store, run)
    p = json.loads(export_profile(store, TRAIN))
    assert p["schema"] == "aimeter.profile/1" and p["source"] == "aimeter" and p["run"] == TRAIN
    assert [e["index"] for e in p["epochs"]] == [1, 2, 3]
    # the instances `aimeter forecast` fits, measured as it measures them
    r = run_aimeter("forecast", TRAIN, "--epochs", "10", "--json", "--db", store)
    assert r.returncode == 0, r.stderr
    inst = json.loads(r.stdout)["instances"]
    assert [(e["index"], e["energy_j"]) for e in p["epochs"]] == \
        [(i["index"], pytest.approx(i["energy_j"], rel=1e-12)) for i in inst]
    assert json.loads(export_profile(store, INFER))["epochs"] == []
    get_json(f"{base}/api/runs/nosuch/profile", 404)


def test_export_profile_to_file(store, tmp_path):
    out = tmp_path / "p.json"
    r = run_aimeter("export", TRAIN, "--profile", out, "--db", store)
    assert r.returncode == 0, r.stderr
    assert out.read_text() == export_profile(store, TRAIN)
    r = run_aimeter("export", "nosuch", "--profile", "-", "--db", store)
    assert r.returncode != 0 and "nosuch" in r.stderr


CSV = "epoch,energy_j,duration_s\n1,100,10\n2,110.5,11\n3,99,10\n"


def test_import_json_and_csv(serve, store):
    base = serve("--allow-import")
    assert get_json(base + "/api/profiles") == {"profiles": []}
    exported = export_profile(store, TRAIN)
    code, a = post(base + "/api/profiles", exported, "application/json")
    assert code == 201, a
    assert a["id"] == 1 and a["run"] == TRAIN and a["epochs"] == json.loads(exported)["epochs"]
    code, b = post(base + "/api/profiles?name=laptop%20baseline", CSV, "text/csv")
    assert code == 201, b
    assert b["id"] == 2 and b["name"] == "laptop baseline" and b["source"] == "import"
    assert b["energy_j"] == pytest.approx(309.5)
    assert [e["energy_j"] for e in b["epochs"]] == [100, 110.5, 99]
    code, c = post(base + "/api/profiles", "epoch,energy_kwh\n1,0.001\n", "text/csv")
    assert code == 201 and c["epochs"][0]["energy_j"] == pytest.approx(3600)
    listed = get_json(base + "/api/profiles")["profiles"]
    assert [(p["id"], p["name"], p["epochs"]) for p in listed] == \
        [(1, "train", 3), (2, "laptop baseline", 3), (3, "imported profile", 1)]
    assert listed[1]["energy_j"] == pytest.approx(309.5)
    assert get_json(base + "/api/profiles/1") == a
    assert get_json(base + "/api/profiles/2") == b
    get_json(base + "/api/profiles/4", 404)
    get_json(base + "/api/profiles/x", 400)


@pytest.mark.parametrize("body,ctype,says", [
    ("epoch,energy_j\n1,100\n2,abc\n", "text/csv", "line 3: energy_j 'abc'"),
    ("epoch,joules\n1,100\n", "text/csv", "line 1"),
    ("epoch,energy_j\n2,1\n1,1\n", "text/csv", "line 3: epoch 1 after 2"),
    ('{"schema":"aimeter.profile/1","epochs":[{"index":1,"energy_j":-1}]}', "application/json",
     "epochs[0].energy_j"),
    ('{"schema":"aimeter.profile/1","epochs":[],"extra":1}', "application/json",
     "unknown field 'extra'"),
    ('{"schema":"aimeter.profile/1"', "application/json", "malformed JSON"),
    ("epoch,energy_j\n1,100\n", "text/plain", "Content-Type"),
])
def test_import_bad_input(serve, body, ctype, says):
    base = serve("--allow-import")
    code, answer = post(base + "/api/profiles", body, ctype)
    assert code == 400 and says in answer["error"], answer
    assert get_json(base + "/api/profiles") == {"profiles": []}


def test_import_too_many_epochs(serve):
    base = serve("--allow-import")
    body = "epoch,energy_j\n" + "".join(f"{i},1\n" for i in range(100001))
    assert len(body) < 1024 * 1024
    code, answer = post(base + "/api/profiles", body, "text/csv")
    assert code == 413 and "100000" in answer["error"], answer


def test_import_needs_allow_import(serve, store):
    base = serve()
    code, answer = post(base + "/api/profiles", CSV, "text/csv")
    assert code == 403 and "--allow-import" in answer["error"]
    assert get_json(base + "/api/profiles") == {"profiles": []}
    # the store opened read-only still serves everything else
    assert get_json(f"{base}/api/runs/{TRAIN}/profile")["run"] == TRAIN
    assert len(get_json(base + "/api/runs")) > 0


def test_read_only_server_lists_imports(serve, store):
    base = serve("--allow-import")
    code, b = post(base + "/api/profiles?name=csv", CSV, "text/csv")
    assert code == 201
    ro = serve()
    assert [p["name"] for p in get_json(ro + "/api/profiles")["profiles"]] == ["csv"]
    assert get_json(ro + "/api/profiles/1") == b
