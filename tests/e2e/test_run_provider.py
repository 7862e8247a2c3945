"""`aimeter run --provider`: a live provider's latest value starts the run's intensity series,
new values are appended as they are polled, history back-filled at the end re-prices the run,
and a provider that cannot answer falls back to the table with one warning
(docs/methodology.md, "Live providers").

Every provider is a loopback mock (mock_providers.py); nothing here touches the internet. The
key is checked never to reach any output, the store or the cache.
"""
import csv
import datetime as dt
import io
import json
import re
import threading
import time
from pathlib import Path

import pytest

from conftest import EX_USAGE, assert_one_error, report_json, run_aimeter
from mock_providers import MockProvider

EM_KEY = "em-key-0123456789abcdef"
UTC = dt.timezone.utc


@pytest.fixture(autouse=True)
def _provider_env(tmp_path, monkeypatch):
    """Cache and credentials under tmp_path; no key or URL from the developer's environment."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for var in ("ELECTRICITYMAPS_API_KEY", "WATTTIME_USERNAME", "WATTTIME_PASSWORD", "AIMETER_CREDENTIALS",
                "AIMETER_ELECTRICITYMAPS_URL", "AIMETER_WATTTIME_URL", "AIMETER_UKGRID_URL",
                "AIMETER_PROVIDER_CADENCE", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def em():
    m = MockProvider("electricitymaps")
    yield m
    m.stop()


def env_for(mock, **extra):
    return {**mock.env, "ELECTRICITYMAPS_API_KEY": EM_KEY, **extra}


def run_with_provider(db, mock, *extra, cmd=("sleep", "1"), env=None):
    r = run_aimeter("run", "--db", db, "-i", "50ms", "--sources", "procfs,estimate",
                    "--provider", "electricitymaps", *extra, "--", *cmd,
                    env=env if env is not None else env_for(mock))
    assert EM_KEY not in r.stdout and EM_KEY not in r.stderr, "the key reached the output"
    return r


def whole_second(t):
    return t.replace(microsecond=0)


def unix(t):
    return t.timestamp()


def parse_iso(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def series(rep):
    return [(parse_iso(p["time"]), p["g_per_kwh"]) for p in rep["carbon"]["series"]]


def provider_warnings(rep):
    return [w for w in rep["warnings"] if "electricitymaps" in w]


def expected_carbon(db, steps, start_unix_s):
    """Σ ΔE × I(t) worked out here from the exported samples: the power of each device in the
    total integrated by trapezoids between its samples, its first sample held back to the
    run's start (as aimeter does: docs/methodology.md), each interval's
    energy split where a step falls inside it, by time. steps: [(unix_s, g_per_kwh)],
    sorted; the first value also holds before its time."""
    r = run_aimeter("export", "--db", db, "--csv", "-")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    rel = [(t - start_unix_s, g) for t, g in steps]

    def priced(t0, t1, e):
        """Energy e spread evenly over [t0, t1], priced by the step function."""
        if t1 <= t0:
            value = rel[0][1]
            for ts, g in rel:
                if ts <= t0:
                    value = g
            return e * value / 3.6e6
        grams = 0.0
        for k, (ts, g) in enumerate(rel):
            a = t0 if k == 0 else max(t0, ts)
            b = t1 if k + 1 == len(rel) else min(t1, rel[k + 1][0])
            if b > a:
                grams += e * (b - a) / (t1 - t0) * g / 3.6e6
        return grams

    total = grams = 0.0
    for col in ("cpu0.power [W]", "dram0.power [W]"):
        last = None
        for row in rows:
            if not row.get(col):
                continue
            t, p = float(row["time_s"]), float(row[col])
            if last is None and t > 0:  # the first sample held back to the run's start
                last = (0.0, p)
            if last is not None and t > last[0]:
                e = 0.5 * (last[1] + p) * (t - last[0])
                grams += priced(last[0], t, e)
                total += e
            last = (t, p)
    return total, grams


# ------------------------------------------------------------------ history re-prices the run

def test_history_that_changes_mid_run_reprices_the_run(db, em, tmp_path):
    now = whole_second(dt.datetime.now(UTC))
    step = now + dt.timedelta(seconds=2)
    em.em_latest = (now - dt.timedelta(minutes=10), 300)
    # Published after the fact: the hour's value revised to 310, and 500 from mid-run.
    em.em_history = [(now - dt.timedelta(hours=1), 280), (now - dt.timedelta(minutes=10), 310), (step, 500)]
    r = run_with_provider(db, em, "--zone", "DE", cmd=("sleep", "3.5"))
    assert r.returncode == 0, r.stderr
    assert "warning" not in r.stderr, r.stderr
    paths = [p.split("?")[0] for p in em.paths()]
    assert paths == ["/v3/carbon-intensity/latest", "/v3/carbon-intensity/history"]

    rep = report_json(db)
    start = parse_iso(rep["run"]["start_time"])
    end = parse_iso(rep["run"]["end_time"])
    assert start < step < end, "the step must fall inside the run for this test to mean anything"
    c = rep["carbon"]
    # The stored series is the history over the run: the value in force at its start, then
    # the mid-run step; the latest value (300) it replaced is gone.
    assert series(rep) == [(now - dt.timedelta(minutes=10), 310), (step, 500)]
    assert c["zone"] == "DE" and c["signal"] == "average" and c["basis"] == "lifecycle"
    assert c["source"].startswith("Electricity Maps API v3 carbon-intensity/history, zone DE, fetched ")
    assert c["source"].endswith("average signal; back-filled at the end of the run")
    assert provider_warnings(rep) == []

    # Σ ΔE × I by hand from the stored samples.
    kwh = rep["energy"]["total_kwh"]
    total, grams = expected_carbon(db, [(unix(now) - 600, 310), (unix(step), 500)], unix(start))
    assert total == pytest.approx(rep["energy"]["total_j"], rel=5e-3)
    assert c["g"] == pytest.approx(grams, rel=1e-2)
    assert 310 * kwh < c["g"] < 500 * kwh
    assert c["intensity_g_per_kwh"] == pytest.approx(c["g"] / kwh, rel=1e-9)
    per = [d["carbon_g"] for d in rep["energy"]["devices"] if d["in_total"]]
    assert sum(per) == pytest.approx(c["g"], rel=1e-9)

    # Reproducible offline: whatif replays the stored series to the stored carbon, and a
    # file of the same two points gives the same.
    f = tmp_path / "same.csv"
    f.write_text(f"timestamp,g_per_kwh\n{int(unix(now)) - 600},310\n{int(unix(step))},500\n")
    w = run_aimeter("whatif", "--db", db, "--intensity-file", f, "--json")
    assert w.returncode == 0, w.stderr
    doc = json.loads(w.stdout)
    assert doc["scenarios"][0]["carbon_g"] == c["g"]
    assert doc["scenarios"][1]["carbon_g"] == pytest.approx(c["g"], rel=1e-12)


def test_history_reprices_the_phases_too(db, em):
    """Per-phase carbon follows the back-filled history: a phase wholly before the step is
    priced at the history's 310 (not the 300 polled live), one across it between 310 and 500,
    and the phases never add up to more than the run."""
    from conftest import AIMETER
    now = whole_second(dt.datetime.now(UTC))
    step = now + dt.timedelta(seconds=3)
    em.em_latest = (now - dt.timedelta(minutes=10), 300)
    em.em_history = [(now - dt.timedelta(minutes=10), 310), (step, 500)]
    script = ("aimeter phase begin early; sleep 1; aimeter phase end; sleep 0.2; "
              "aimeter phase begin late; sleep 3.3; aimeter phase end")
    r = run_with_provider(db, em, "--zone", "DE",
                          cmd=("sh", "-c", f'PATH="{AIMETER.parent}:$PATH"; {script}'))
    assert r.returncode == 0, r.stderr
    rep = report_json(db)
    start = parse_iso(rep["run"]["start_time"])
    assert start + dt.timedelta(seconds=1.5) < step, "the early phase must end before the step"
    assert series(rep) == [(now - dt.timedelta(minutes=10), 310), (step, 500)]
    ph = {p["name"]: p for p in rep["workload"]["phases"]}

    def g_per_kwh(p):
        return p["carbon_g"] / (p["energy_j"] / 3.6e6)

    assert g_per_kwh(ph["early"]) == pytest.approx(310, rel=1e-9)
    # 500 for all of it when a loaded machine started the run late (the step is at a fixed
    # wall-clock time)
    assert 310 < g_per_kwh(ph["late"]) <= 500 * (1 + 1e-9)
    assert ph["early"]["carbon_g"] + ph["late"]["carbon_g"] <= rep["carbon"]["g"] * (1 + 1e-9)
    assert [w for w in rep["warnings"] if "per-phase" in w] == []


def test_points_polled_during_the_run_are_used_until_history_replaces_them(db, em):
    """AIMETER_PROVIDER_CADENCE polls fast (tests); the value published mid-run reaches the
    series while the run goes. The history then rate-limits: the polled series is kept."""
    now = whole_second(dt.datetime.now(UTC))
    em.em_latest = (now - dt.timedelta(minutes=10), 300)
    em.path_modes["/v3/carbon-intensity/history"] = "rate_limited"
    published = now + dt.timedelta(seconds=1)

    def publish():
        time.sleep(1.5)
        em.em_latest = (published, 400)

    t = threading.Thread(target=publish)
    t.start()
    r = run_with_provider(db, em, "--zone", "DE", cmd=("sleep", "3"),
                          env=env_for(em, AIMETER_PROVIDER_CADENCE="200ms"))
    t.join()
    assert r.returncode == 0, r.stderr
    rep = report_json(db)
    pts = series(rep)
    assert len(pts) == 2
    assert pts[0] == (now - dt.timedelta(minutes=10), 300)
    # Applied from the moment the run could still price with it: not before it was
    # published, not after it was polled.
    assert pts[1][1] == 400
    assert published <= pts[1][0] < parse_iso(rep["run"]["end_time"])
    w = provider_warnings(rep)
    assert len(w) == 1, w
    assert "no history for the run's span" in w[0] and "HTTP 429" in w[0]
    assert "carbon uses the 2 values received during the run" in w[0]
    latest = [p for p in em.paths() if p.startswith("/v3/carbon-intensity/latest")]
    assert len(latest) >= 5, "polled at the test cadence, not once"


# ------------------------------------------------------------------ failures

def check_fallback(r, rep, why):
    """One warning, on stderr as the run starts and in the stored run, naming the provider,
    why, and the table row used instead."""
    assert r.returncode == 0, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("aimeter: warning: electricitymaps:")]
    assert len(lines) == 1, r.stderr
    w = provider_warnings(rep)
    assert len(w) == 1, w
    assert w[0] == lines[0][len("aimeter: warning: "):]
    assert re.search(why, w[0]), w[0]
    assert "using the built-in table value for DE instead (Germany: " in w[0]
    c = rep["carbon"]
    assert c["zone"] == "DE" and c["n_points"] == 1
    assert c["source"].startswith("Germany: ")
    return w[0]


def test_provider_down_at_start_falls_back_to_the_table(db, em):
    env = env_for(em)
    em.stop()  # nothing listens there any more
    r = run_with_provider(db, em, "--zone", "DE", env=env)
    rep = report_json(db)
    check_fallback(r, rep, r"cannot reach http://127\.0\.0\.1:\d+")
    # The table's value: the same carbon as a run given only --zone DE would compute.
    zones = run_aimeter("zones", "DE", "--json")
    assert zones.returncode == 0, zones.stderr
    table = [z for z in json.loads(zones.stdout) if z.get("code") == "DE"][0]
    assert rep["carbon"]["intensity_g_per_kwh"] == table["g_per_kwh"]


def test_refused_key_falls_back_and_never_shows_the_key(db, em, tmp_path):
    em.mode = "unauthorized"  # its 401 body echoes the key back
    r = run_with_provider(db, em, "--zone", "DE")
    rep = report_json(db)
    check_fallback(r, rep, r"credentials refused \(HTTP 401\)")
    text = run_aimeter("report", "--db", db)
    assert EM_KEY not in text.stdout + text.stderr
    assert EM_KEY not in json.dumps(rep)
    for p in tmp_path.rglob("*"):
        if p.is_file():
            assert EM_KEY.encode() not in p.read_bytes(), f"the key is in {p}"


def test_rate_limited_at_the_end_keeps_the_latest_based_carbon(db, em):
    em.path_modes["/v3/carbon-intensity/history"] = "rate_limited"
    r = run_with_provider(db, em, "--zone", "DE")
    assert r.returncode == 0, r.stderr
    rep = report_json(db)
    assert rep["run"]["status"] == "completed"
    c = rep["carbon"]
    # The mock's latest value: 302 at 2026-11-21T09:00Z, used for the whole run.
    assert series(rep) == [(dt.datetime(2026, 11, 21, 9, tzinfo=UTC), 302)]
    assert c["source"].startswith("Electricity Maps API v3 carbon-intensity/latest, zone DE, fetched ")
    assert c["g"] == pytest.approx(rep["energy"]["total_kwh"] * 302, rel=1e-9)
    w = provider_warnings(rep)
    assert len(w) == 1 and "rate limited (HTTP 429)" in w[0], w


def test_slow_provider_costs_the_start_three_seconds_at_most(db, em):
    em.mode, em.delay = "slow", 8.0
    t0 = time.monotonic()
    r = run_with_provider(db, em, "--zone", "DE", cmd=("true",))
    elapsed = time.monotonic() - t0
    rep = report_json(db)
    check_fallback(r, rep, r"did not answer in time")
    assert elapsed < 7.5, f"the start waited {elapsed:.1f} s"


# ------------------------------------------------------------------ where to ask

def test_cloud_region_asks_by_position_and_keeps_its_zone_for_the_fallback(db, em):
    r = run_with_provider(db, em, "--cloud", "aws:eu-west-3")
    assert r.returncode == 0, r.stderr
    first = em.paths()[0]
    assert first.startswith("/v3/carbon-intensity/latest?") and "lat=48.8575" in first and "lon=2.3514" in first
    rep = report_json(db)
    assert rep["carbon"]["zone"] == "FR"  # the zone the provider answered for


def test_options_are_checked_before_the_command_runs(db, tmp_path):
    marker = tmp_path / "ran"
    cmd = ("sh", "-c", f"touch {marker}")
    cases = [
        (("--provider", "electricitymap", "--zone", "DE"), "unknown provider"),
        (("--provider", "electricitymaps"), "needs a zone or a position"),
        (("--provider", "electricitymaps", "--zone", "DE", "--marginal"), "no marginal signal"),
        (("--marginal",), "--marginal needs --zone"),
        (("--marginal", "--zone", "DE@average"), "disagree"),
        (("--zone", "DE@2031"), "no 2031 figure for DE"),
        (("--provider", "ukgrid", "--cloud", "aws:eu-west-2"), "no latitude/longitude lookup"),
        (("--provider", "watttime", "--lat", "52"), "--lat and --lon go together"),
        (("--provider", "watttime", "--lat", "95", "--lon", "0"), "latitude -90 to 90"),
        (("--zone", "NOT-A-ZONE"), "unknown zone"),
    ]
    for args, message in cases:
        r = run_aimeter("run", "--db", db, *args, "--", *cmd)
        line = assert_one_error(r, EX_USAGE)
        assert message in line, (args, line)
        assert not marker.exists(), f"the command ran with {args}"
    assert not Path(db).exists()
