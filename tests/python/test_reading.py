"""Summaries and samples read through the C API (aim_run_info_*, aim_samples_*), the control
client and the record rule taken from the library (issue 12): the package parses neither the
JSON report nor the CSV export, and has no copy of the socket client or of the key rule.

The runs are those of the golden store (tests/fixtures/store/golden.sql: six runs by the real
`aimeter run` through the fake NVML, phases and records included), so every figure is fixed."""
import csv
import ctypes
import errno
import io
import json
import math
import os
import socket
import sqlite3
import subprocess
import threading

import pytest

import aimeter
from aimeter import _control, _lib, _workload
from aimeter.summary import _Store
from conftest import AIMETER, REPO

STORE_SQL = REPO / "tests" / "fixtures" / "store" / "golden.sql"


@pytest.fixture
def golden(tmp_path):
    path = tmp_path / "golden.db"
    con = sqlite3.connect(path)
    con.executescript(STORE_SQL.read_text(encoding="utf-8"))
    con.close()
    return str(path)


def golden_runs(db):
    return [r["id"] for r in aimeter.runs(db=db, limit=0)]


def same(a, b):
    """Equal, numbers to the 15 significant digits the JSON report keeps; None is null."""
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-14, abs_tol=1e-300)
    return a == b


def test_summary_is_the_report_field_by_field(golden):
    ids = golden_runs(golden)
    assert len(ids) == 6
    phases_seen = records_seen = 0
    for run_id in ids:
        s = aimeter.load(run_id, db=golden)
        doc = s.to_dict()
        run, energy, carbon = doc["run"], doc["energy"], doc["carbon"]
        for attr, value in (("run_id", run["id"]), ("name", run["name"]), ("status", run["status"]),
                            ("exit_code", run["exit_code"]), ("host", run["host"]),
                            ("start_time", run["start_time"]), ("end_time", run["end_time"]),
                            ("duration_s", run["duration_s"]), ("energy_j", energy["total_j"]),
                            ("energy_kwh", energy["total_kwh"]),
                            ("facility_j", energy["facility_j"]), ("carbon_g", carbon["g"]),
                            ("carbon_kg", carbon["kg"]), ("zone", carbon["zone"]),
                            ("intensity_g_per_kwh", carbon["intensity_g_per_kwh"]),
                            ("warnings", doc["warnings"])):
            assert same(getattr(s, attr), value), (run_id, attr, getattr(s, attr), value)
        cost = doc.get("cost") or {}
        assert same(s.cost, cost.get("amount")) and s.currency == cost.get("currency")
        # the devices with energy, in the report's order
        assert list(s.energy_by_device) == [d["device"] for d in energy["devices"]]
        for d in energy["devices"]:
            assert same(s.energy_by_device[d["device"]], d["energy_j"])
        work = doc.get("workload") or {}
        assert [p.name for p in s.phases] == [p["name"] for p in work.get("phases") or []]
        for p, q in zip(s.phases, work.get("phases") or []):
            phases_seen += 1
            for attr in ("instances", "first_s", "duration_s", "share_pct", "energy_j",
                         "mean_power_w", "peak_power_w", "carbon_g", "unterminated"):
                assert same(getattr(p, attr), q[attr]), (run_id, p.name, attr)
            assert p.energy_by_device.keys() == {d["device"] for d in q["devices"]}
            for d in q["devices"]:
                assert same(p.energy_by_device[d["device"]], d["energy_j"])
            assert p.records.keys() == q["records"].keys()
            for k, v in q["records"].items():
                assert same(p.records[k], v)
            assert p.to_dict() == q
        assert list(s.records) == [r["key"] for r in work.get("records") or []]
        for r in work.get("records") or []:
            records_seen += 1
            mine = s.records[r["key"]]
            for attr in ("kind", "count", "total", "mean", "last", "min", "max", "j_per_unit",
                         "units_per_j", "kwh_per_1000", "g_per_1000"):
                assert same(getattr(mine, attr), r.get(attr)), (run_id, r["key"], attr)
            assert mine.to_dict() == r
        assert s.marks == work.get("marks", 0) and s.dropped_events == work.get("dropped_events", 0)
    assert phases_seen and records_seen  # the golden store has both


def test_reading_parses_no_json_and_no_csv(golden, monkeypatch):
    """load() and samples() take their figures from the accessors: with the JSON and CSV
    renderings of the store unavailable they still work (before issue 12 load() parsed the
    JSON report and samples() the CSV export)."""
    def refused(*args, **kwargs):
        raise AssertionError("read through a rendering")
    monkeypatch.setattr(_Store, "render", refused)
    monkeypatch.setattr(_Store, "export_csv_text", refused)
    for run_id in golden_runs(golden):
        s = aimeter.load(run_id, db=golden)
        assert s.run_id == run_id and s.energy_j is not None
        rows = s.samples(as_frame=False)
        assert rows and list(rows[0])[:2] == ["time_s", "wall_time"]


def test_samples_are_the_export_rows(golden):
    for run_id in golden_runs(golden):
        out = subprocess.run([str(AIMETER), "export", run_id, "--csv", "-", "--db", golden],
                             capture_output=True, text=True, check=True).stdout
        exported = list(csv.reader(io.StringIO(out)))
        header, lines = exported[0], [line for line in exported[1:] if line]
        rows = aimeter.load(run_id, db=golden).samples(as_frame=False)
        assert len(rows) == len(lines) > 0, run_id
        assert list(rows[0]) == header
        for row, line in zip(rows, lines):
            assert abs(row["time_s"] - float(line[0])) <= 1e-6  # the CSV has microseconds
            assert row["wall_time"] == line[1]
            for name, text in zip(header[2:], line[2:]):
                v = row[name]
                if text == "":
                    assert v is None, (run_id, name)
                else:  # the CSV rounds to the series' resolution, which the value is a multiple of
                    assert v is not None and math.isclose(v, float(text), rel_tol=1e-9, abs_tol=1e-9), \
                        (run_id, name, v, text)


def test_samples_as_frame_hold_the_same_values(golden):
    pandas = pytest.importorskip("pandas")
    run_id = golden_runs(golden)[0]
    s = aimeter.load(run_id, db=golden)
    frame, rows = s.samples(as_frame=True), s.samples(as_frame=False)
    assert list(frame.columns) == list(rows[0]) and len(frame) == len(rows)
    assert str(frame["wall_time"].dtype).startswith("datetime64")
    col = list(rows[0])[2]
    for a, b in zip(frame[col], (r[col] for r in rows)):
        assert (b is None and math.isnan(a)) or a == b


def test_run_info_errors_name_the_run(golden):
    with _Store(golden) as store:
        with pytest.raises(aimeter.AimeterError) as e:
            store.run_info("19990101-000000-000000")
    assert e.value.errno == errno.ENOENT and "19990101-000000-000000" in str(e.value)


def test_record_rule_is_the_library_s():
    kind = _lib.lib().aim_record_key_kind
    for key, want in (("tokens", 1), ("prompt_tokens", 1), ("n_items", 1), ("requests_total", 1),
                      ("errors_count", 1), ("loss", 0), ("latency_ms", 0), ("eval.accuracy", 0)):
        assert kind(key.encode()) == want, key
        assert _workload.default_kind(key) == ("counter" if want else "gauge")
    for bad in ("", "Tokens", "1abc", "a b", "x" * 49, "é"):
        assert kind(bad.encode()) == -errno.EINVAL
        with pytest.raises(ValueError):
            _workload.check_key(bad)
    assert _workload.check_key("x" * 48)
    assert not hasattr(_workload, "_COUNTED")  # no second copy of the rule


class FakeRun:
    """A control socket answering each line with replies[i] ("" : close without answering);
    close_after: close each connection after that many replies."""

    def __init__(self, path, replies, close_after=None):
        self.path, self.replies, self.close_after = path, list(replies), close_after
        self.lines, self.connections = [], 0
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(4)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.replies:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                answered, buf = 0, b""
                while self.replies:
                    while b"\n" not in buf:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        buf += chunk
                    if b"\n" not in buf:
                        break
                    line, _, buf = buf.partition(b"\n")
                    self.lines.append(line.decode())
                    reply = self.replies.pop(0)
                    if not reply:
                        break
                    conn.sendall(reply.encode() + b"\n")
                    answered += 1
                    if self.close_after and answered >= self.close_after:
                        break

    def close(self):
        self.sock.close()


def test_control_send_reports_each_outcome(tmp_path):
    path = os.path.join(os.environ["XDG_RUNTIME_DIR"], "c.sock")
    run = FakeRun(path, ["ok", "ok RUN STORE", "error the key is bad", "bogus", ""])
    send = _lib.lib().aim_control_send
    buf = ctypes.create_string_buffer(256)
    assert send(path.encode(), b"ping", buf, 256) == 0 and buf.value == b""
    assert _control.run_of(path) == ("RUN", "STORE")
    assert send(path.encode(), b"record x 1", buf, 256) == -errno.EBADMSG
    assert buf.value == b"the key is bad"
    assert send(path.encode(), b"mark a", buf, 256) == -errno.EPROTO  # not a reply
    assert send(path.encode(), b"mark b", buf, 256) == -errno.EPROTO  # closed, no answer
    assert run.lines == ["ping", "run", "record x 1", "mark a", "mark b"]
    run.close()
    assert send(path.encode(), b"ping", buf, 256) in (-errno.ECONNREFUSED, -errno.ENOENT)
    assert send(b"/tmp/" + b"x" * 200, b"ping", buf, 256) == -errno.ENAMETOOLONG
    assert send(path.encode(), b"two\nlines", buf, 256) == -errno.EINVAL
    assert not _control.ping(path) and _control.run_of(path) == (None, None)


def test_control_client_keeps_and_reopens_its_connection():
    path = os.path.join(os.environ["XDG_RUNTIME_DIR"], "k.sock")
    # Two replies per connection: the third line finds the connection closed, and the
    # library reopens it once and sends the line again.
    run = FakeRun(path, ["ok", "ok", "ok", "error nope"], close_after=2)
    c = _control.ControlClient(path)
    assert c.request("mark a") == "ok" and c.request("mark b") == "ok"
    assert c.request("mark c") == "ok"
    assert c.request("mark d") == "error nope"
    assert run.lines == ["mark a", "mark b", "mark c", "mark d"] and run.connections == 2
    c.close()
    run.close()
    with pytest.raises(_control.ControlError, match="has it ended"):
        c.request("mark e")


def test_cli_control_commands_say_what_the_library_client_found():
    """`aimeter mark/phase/record` go through aim_control_send; their messages and exit codes
    are those of docs/cli.md (0 accepted, 65 refused, 69 unreachable)."""
    path = os.path.join(os.environ["XDG_RUNTIME_DIR"], "cli.sock")

    def cli(*args, control=path):
        env = dict(os.environ, AIMETER_CONTROL=control)
        return subprocess.run([str(AIMETER), *args], capture_output=True, text=True, env=env,
                              timeout=30)

    run = FakeRun(path, ["ok", "error the kind is counter or gauge", "bogus", ""])
    r = cli("mark", "checkpoint", "saved")
    assert (r.returncode, r.stderr) == (0, "")
    r = cli("record", "tokens", "3", "both")
    assert r.returncode == 65 and r.stderr == "aimeter: the kind is counter or gauge\n"
    for args in (("phase", "begin", "x"), ("phase", "end")):
        r = cli(*args)
        assert r.returncode == 69 and r.stderr == f"aimeter: no answer from the run at {path}\n"
    assert run.lines == ["mark checkpoint saved", "record tokens 3 both", "phase begin x",
                         "phase end"]
    run.close()
    r = cli("mark", "late")
    assert r.returncode == 69
    assert r.stderr == f"aimeter: cannot reach the run at {path} (Connection refused): has it ended?\n"
    long_path = "/tmp/" + "x" * 200
    r = cli("mark", "x", control=long_path)
    assert r.returncode == 69
    assert r.stderr == f"aimeter: AIMETER_CONTROL is too long for a socket path: {long_path}\n"


def header_enum(name):
    """{enumerator: value} of `typedef enum NAME {...}` in include/aimeter.h."""
    import re
    text = (REPO / "include" / "aimeter.h").read_text()
    body = re.search(r"typedef enum %s \{(.*?)\}" % name, text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    values, nxt = {}, 0
    for item in (x.strip() for x in body.split(",")):
        if not item:
            continue
        key, _, val = item.partition("=")
        nxt = int(val) if val.strip() else nxt
        values[key.strip()] = nxt
        nxt += 1
    return values


def test_python_field_numbers_are_the_header_s():
    """The package writes the accessors' enum values down (ctypes has no header): they must be
    aimeter.h's, which only ever appends (docs/api.md, ABI)."""
    from aimeter import summary as m
    run = header_enum("aim_run_field")
    for attr, name in (("_RUN_ID", "AIM_RUN_ID"), ("_RUN_NAME", "AIM_RUN_NAME"),
                       ("_RUN_STATUS", "AIM_RUN_STATUS"), ("_RUN_START", "AIM_RUN_START_TIME"),
                       ("_RUN_END", "AIM_RUN_END_TIME"), ("_RUN_ZONE", "AIM_RUN_ZONE"),
                       ("_RUN_CURRENCY", "AIM_RUN_CURRENCY"), ("_RUN_WARNINGS", "AIM_RUN_WARNINGS"),
                       ("_RUN_HOST", "AIM_RUN_HOST"), ("_RUN_EXIT_CODE", "AIM_RUN_EXIT_CODE"),
                       ("_RUN_DURATION_S", "AIM_RUN_DURATION_S"), ("_RUN_ENERGY_J", "AIM_RUN_ENERGY_J"),
                       ("_RUN_FACILITY_J", "AIM_RUN_FACILITY_J"), ("_RUN_CARBON_G", "AIM_RUN_CARBON_G"),
                       ("_RUN_INTENSITY", "AIM_RUN_INTENSITY_G_PER_KWH"), ("_RUN_COST", "AIM_RUN_COST"),
                       ("_RUN_MARKS", "AIM_RUN_MARKS"), ("_RUN_DROPPED", "AIM_RUN_DROPPED_EVENTS")):
        assert getattr(m, attr) == run[name], attr
    dev = header_enum("aim_device_field")
    assert (m._DEV_NAME, m._DEV_KIND, m._DEV_ENERGY_J, m._DEV_ENERGY_ORDER) == (
        dev["AIM_DEVICE_NAME"], dev["AIM_DEVICE_KIND"], dev["AIM_DEVICE_ENERGY_J"],
        dev["AIM_DEVICE_ENERGY_ORDER"])
    assert m._SERIES_COLUMN == header_enum("aim_series_field")["AIM_SERIES_COLUMN"]
    ph = header_enum("aim_phase_field")
    for attr, name in (("_PHASE_NAME", "NAME"), ("_PHASE_INSTANCES", "INSTANCES"),
                       ("_PHASE_FIRST_S", "FIRST_S"), ("_PHASE_DURATION_S", "DURATION_S"),
                       ("_PHASE_SHARE_PCT", "SHARE_PCT"), ("_PHASE_ENERGY_J", "ENERGY_J"),
                       ("_PHASE_MEAN_POWER_W", "MEAN_POWER_W"), ("_PHASE_PEAK_POWER_W", "PEAK_POWER_W"),
                       ("_PHASE_CARBON_G", "CARBON_G"), ("_PHASE_UNTERMINATED", "UNTERMINATED")):
        assert getattr(m, attr) == ph["AIM_PHASE_" + name], attr
    rec = header_enum("aim_record_field")
    assert (m._REC_KEY, m._REC_KIND) == (rec["AIM_RECORD_FIELD_KEY"], rec["AIM_RECORD_FIELD_KIND"])
    for i, attr in enumerate(m._REC_NUMBERS):
        assert rec["AIM_RECORD_FIELD_" + attr.upper()] == 64 + i, attr


def test_formats_are_the_library_enum():
    """Formats cross the C API as aim_format (issue 12), parsed by the library itself: the
    numbers are aimeter.h's, and a name the library does not know is refused in Python
    rather than rendered as text."""
    assert [_lib.format_code(n) for n in ("text", "json", "markdown", "csv", "html")] == \
        [0, 1, 2, 3, 4]
    with pytest.raises(ValueError):
        _lib.format_code("xml")
    with pytest.raises(ValueError):
        _lib.format_code("JSON")
