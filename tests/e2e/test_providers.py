"""`aimeter intensity` against loopback mock servers of the three live providers.

Nothing here touches the internet: every provider URL is overridden to a MockProvider on
127.0.0.1 (tests/e2e/mock_providers.py), and aimeter refuses plain http to anything else.
Keys and passwords are checked never to reach aimeter's output.
"""
import json
import os
import time

import pytest

from conftest import EX_UNAVAILABLE, EX_USAGE, assert_one_error, run_aimeter
from mock_providers import MockProvider

EM_KEY = "em-key-0123456789abcdef"
WT_USER, WT_PASSWORD = "alice", "wt-password-42"
SECRETS = (EM_KEY, WT_PASSWORD, "tok.en.1")


@pytest.fixture(autouse=True)
def _provider_env(tmp_path, monkeypatch):
    """Cache and credentials under tmp_path; no key from the developer's environment."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for var in ("ELECTRICITYMAPS_API_KEY", "WATTTIME_USERNAME", "WATTTIME_PASSWORD", "AIMETER_CREDENTIALS",
                "AIMETER_ELECTRICITYMAPS_URL", "AIMETER_WATTTIME_URL", "AIMETER_UKGRID_URL",
                "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def mock_factory():
    mocks = []

    def make(kind, mode="good", **kw):
        m = MockProvider(kind, mode, **kw)
        mocks.append(m)
        return m

    yield make
    for m in mocks:
        m.stop()


def em_env(mock, **extra):
    return {**mock.env, "ELECTRICITYMAPS_API_KEY": EM_KEY, **extra}


def wt_env(mock, **extra):
    return {**mock.env, "WATTTIME_USERNAME": WT_USER, "WATTTIME_PASSWORD": WT_PASSWORD, **extra}


def intensity(*args, env=None, timeout=60):
    r = run_aimeter("intensity", *args, env=env, timeout=timeout)
    for s in SECRETS:
        assert s not in r.stdout and s not in r.stderr, f"a secret reached the output:\n{r.stdout}\n{r.stderr}"
    return r


def ok_json(*args, env=None):
    r = intensity(*args, "--json", env=env)
    assert r.returncode == 0, f"exit {r.returncode}: {r.stderr}"
    return json.loads(r.stdout)


# ------------------------------------------------------------------ Electricity Maps

def test_electricitymaps_latest(mock_factory):
    m = mock_factory("electricitymaps")
    doc = ok_json("--provider", "electricitymaps", "--zone", "DE", env=em_env(m))
    assert doc["provider"] == "electricitymaps"
    assert doc["zone"] == "DE" and doc["signal"] == "average" and doc["basis"] == "lifecycle"
    assert doc["unit"] == "gCO2e/kWh"
    assert doc["points"] == [{"time": "2026-11-21T09:00:00Z", "t_unix_ms": 1795251600000, "g_per_kwh": 302.0}]
    assert doc["source"].startswith("Electricity Maps API v3 carbon-intensity/latest, zone DE, fetched ")
    assert doc["from_cache"] is False and doc["stale"] is False
    path, headers = m.requests[0]
    assert path == "/v3/carbon-intensity/latest?zone=DE&emissionFactorType=lifecycle"
    assert headers.get("auth-token") == EM_KEY
    assert headers.get("User-Agent", "").startswith("aimeter/")


def test_electricitymaps_text_output_and_position(mock_factory):
    m = mock_factory("electricitymaps")
    r = intensity("--provider", "electricitymaps", "--lat", "48.85", "--lon", "2.35", "--direct", env=em_env(m))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Electricity Maps API v3 carbon-intensity/latest, zone FR")
    assert lines[1] == "zone FR, average signal, direct basis, g CO2e/kWh"
    assert lines[-1].split() == ["2026-11-21T09:00:00Z", "302.00"]
    assert m.paths()[0] == ("/v3/carbon-intensity/latest?lat=48.850000&lon=2.350000"
                            "&shouldUseFallbackCallerLookup=false&emissionFactorType=direct")


def test_electricitymaps_past_range(mock_factory):
    m = mock_factory("electricitymaps")
    doc = ok_json("--provider", "electricitymaps", "--zone", "DE", "--from", "2025-03-01T10:30Z",
                  "--to", "2025-03-01T13:00Z", env=em_env(m))
    # aimeter asks from 09:30 (an hourly period in force at 10:30 began up to an hour
    # before); the mock answers from that hour: 09:00 -> 300, 10:00 -> 310, 11:00 -> 320,
    # 12:00 -> 330. The series keeps the value in force at 10:30 (10:00's) and what follows.
    assert [(p["time"], p["g_per_kwh"]) for p in doc["points"]] == [
        ("2025-03-01T10:00:00Z", 310.0), ("2025-03-01T11:00:00Z", 320.0), ("2025-03-01T12:00:00Z", 330.0)]
    assert "carbon-intensity/past-range" in doc["source"]
    assert m.paths()[0].startswith("/v3/carbon-intensity/past-range?zone=DE&emissionFactorType=lifecycle"
                                   "&start=2025-03-01T09%3A30%3A00Z&end=2025-03-01T13%3A00%3A00Z")


def test_electricitymaps_marginal_is_a_usage_error(mock_factory):
    m = mock_factory("electricitymaps")
    r = intensity("--provider", "electricitymaps", "--zone", "DE", "--marginal", env=em_env(m))
    line = assert_one_error(r, EX_USAGE)
    assert "no marginal signal" in line
    assert m.requests == []


def test_missing_key_says_where_to_put_it(mock_factory, tmp_path):
    m = mock_factory("electricitymaps")
    r = intensity("--provider", "electricitymaps", "--zone", "DE", env=m.env)
    line = assert_one_error(r, EX_UNAVAILABLE)
    assert "ELECTRICITYMAPS_API_KEY" in line
    assert str(tmp_path / "config" / "aimeter" / "credentials") in line
    assert m.requests == []


# ------------------------------------------------------------------ failures a provider can cause

@pytest.mark.parametrize("kind,mode,args,says", [
    ("electricitymaps", "malformed", ["--zone", "DE"], "malformed JSON"),
    ("electricitymaps", "wrong_unit", ["--zone", "DE"], 'unit "lbsCO2eq/MWh", expected gCO2eq/kWh'),
    ("electricitymaps", "unauthorized", ["--zone", "DE"], "credentials refused (HTTP 401)"),
    ("electricitymaps", "rate_limited", ["--zone", "DE"], "rate limited (HTTP 429), retry after 120 s"),
    ("electricitymaps", "truncated", ["--zone", "DE"], "truncated"),
    ("electricitymaps", "empty", ["--zone", "DE"], "no data"),
    ("watttime", "wrong_unit", ["--zone", "CAISO_NORTH", "--marginal"], 'unit "percentile" is not an intensity'),
    ("watttime", "malformed", ["--zone", "CAISO_NORTH", "--marginal"], "malformed JSON"),
    ("watttime", "unauthorized", ["--zone", "CAISO_NORTH", "--marginal"], "login refused"),
    ("watttime", "rate_limited", ["--zone", "CAISO_NORTH"], "HTTP 429"),
    ("ukgrid", "wrong_unit", [], "not numbers"),
    ("ukgrid", "truncated", [], "truncated"),
    ("ukgrid", "empty", ["--zone", "RG10"], "no data"),
])
def test_provider_failures(mock_factory, kind, mode, args, says):
    m = mock_factory(kind, mode)
    env = em_env(m) if kind == "electricitymaps" else wt_env(m) if kind == "watttime" else m.env
    r = intensity("--provider", kind, *args, env=env)
    line = assert_one_error(r, EX_UNAVAILABLE)
    assert says in line, line
    assert r.stdout == ""


def test_timeout(mock_factory):
    m = mock_factory("electricitymaps", "slow", delay=10)
    t0 = time.monotonic()
    r = intensity("--provider", "electricitymaps", "--zone", "DE", "--timeout", "1s", env=em_env(m))
    elapsed = time.monotonic() - t0
    line = assert_one_error(r, EX_UNAVAILABLE)
    assert "did not answer in time" in line
    assert elapsed < 8, f"took {elapsed:.1f} s with --timeout 1s"


def test_unauthorized_answer_echoing_the_key_is_scrubbed(mock_factory):
    # The mock puts the auth-token it received into its error message; intensity() checks
    # that the key appears nowhere in aimeter's output.
    m = mock_factory("electricitymaps", "unauthorized")
    r = intensity("--provider", "electricitymaps", "--zone", "DE", env=em_env(m))
    line = assert_one_error(r, EX_UNAVAILABLE)
    assert "***" in line


def test_plain_http_off_this_machine_is_refused():
    r = intensity("--provider", "ukgrid", env={"AIMETER_UKGRID_URL": "http://api.carbonintensity.example"})
    line = assert_one_error(r, EX_USAGE)
    assert "refusing plain http" in line


def test_plain_http_through_a_loopback_proxy_never_carries_the_key(mock_factory):
    """A name that merely begins with "127." is not loopback: with http_proxy set, the key
    once went to the proxy in clear text for http://127.attacker.example/. It is refused
    before any byte leaves; a real loopback provider is reached directly, not via the proxy."""
    proxy = mock_factory("ukgrid")  # records whatever reaches it, absolute URLs included
    port = proxy.server.server_address[1]
    env = {"ELECTRICITYMAPS_API_KEY": EM_KEY, "http_proxy": proxy.url,
           "AIMETER_ELECTRICITYMAPS_URL": f"http://127.attacker.example:{port}/v3"}
    r = intensity("--provider", "electricitymaps", "--zone", "DE", env=env)
    line = assert_one_error(r, EX_USAGE)
    assert "refusing plain http" in line
    assert proxy.requests == []

    m = mock_factory("electricitymaps")
    doc = ok_json("--provider", "electricitymaps", "--zone", "DE",
                  env=em_env(m, http_proxy=proxy.url, ALL_PROXY=proxy.url))
    assert doc["points"][0]["g_per_kwh"] == 302.0
    assert len(m.requests) == 1 and m.requests[0][1].get("auth-token") == EM_KEY
    assert proxy.requests == []


def test_without_libcurl_one_line_and_unavailable(mock_factory, tmp_path):
    """libcurl is loaded on first use: where it cannot be loaded, the provider call fails with
    one line naming it, and the rest of aimeter does not depend on it."""
    mock = mock_factory("ukgrid")
    r = intensity("--provider", "ukgrid",
                  env={**mock.env, "AIMETER_LIBCURL": str(tmp_path / "no-libcurl.so")})
    line = assert_one_error(r, EX_UNAVAILABLE)
    assert "libcurl is needed for live grid-intensity providers" in line
    assert "no-libcurl.so" in line
    assert mock.paths() == []
    assert ok_json("--provider", "ukgrid", env=mock.env)["zone"] == "GB"  # with it: works


def test_usage_errors():
    for args, says in [
        ([], "--provider is required"),
        (["--provider", "nope"], "unknown provider"),
        (["--provider", "electricitymaps"], "needs a zone"),
        (["--provider", "watttime", "--lat", "1"], "--lat and --lon go together"),
        (["--provider", "watttime", "--lat", "north", "--lon", "1"], "bad latitude"),
        (["--provider", "ukgrid", "--from", "yesterday"], "bad --from"),
        (["--provider", "ukgrid", "--to", "2026-01-01"], "--to needs --from"),
        (["--provider", "ukgrid", "--from", "2026-01-02", "--to", "2026-01-01"], "must end after it starts"),
        (["--provider", "ukgrid", "--zone", "not a zone"], "zone must be"),
        (["--provider", "ukgrid", "--zone", "ZZZZZ"], "UK zone"),
        (["--provider", "ukgrid", "--timeout", "soon"], "bad timeout"),
        (["--provider", "watttime", "--zone", "X", "--direct"], "direct or lifecycle"),
        (["--provider", "ukgrid", "extra"], "unexpected argument"),
    ]:
        r = intensity(*args)
        line = assert_one_error(r, EX_USAGE)
        assert says in line, (args, line)


def test_help():
    r = intensity("--help")
    assert r.returncode == 0 and "Usage: aimeter intensity" in r.stdout
    r = run_aimeter("--help")
    assert "intensity --provider P" in r.stdout


# ------------------------------------------------------------------ WattTime

def test_watttime_marginal_by_position(mock_factory):
    m = mock_factory("watttime")
    doc = ok_json("--provider", "watttime", "--lat", "38.5", "--lon", "-121.5", "--marginal", env=wt_env(m))
    assert doc["zone"] == "CAISO_NORTH" and doc["signal"] == "marginal" and doc["basis"] == "direct"
    # The forecast's first point: 1000 lbs/MWh x 0.45359237 = 453.59237 g/kWh.
    assert doc["points"] == [{"time": "2026-11-21T09:00:00Z", "t_unix_ms": 1795251600000, "g_per_kwh": 453.59237}]
    assert m.paths() == [
        "/login",
        "/v3/region-from-loc?latitude=38.500000&longitude=-121.500000&signal_type=co2_moer",
        "/v3/forecast?region=CAISO_NORTH&signal_type=co2_moer&horizon_hours=0",
    ]
    assert m.requests[1][1]["Authorization"] == "Bearer tok.en.1"


def test_watttime_history_converted(mock_factory):
    m = mock_factory("watttime")
    doc = ok_json("--provider", "watttime", "--zone", "CAISO_NORTH", "--marginal",
                  "--from", "2025-06-01T12:00Z", "--to", "2025-06-01T12:15Z", env=wt_env(m))
    # Asked from 11:55 (one 5-minute period early): 900, 1000, 1100, 1200 lbs/MWh at 11:55,
    # 12:00, 12:05, 12:10; 11:55 is dropped (12:00 is in force at 12:00).
    got = [(p["time"], round(p["g_per_kwh"], 6)) for p in doc["points"]]
    assert got == [("2025-06-01T12:00:00Z", 453.59237), ("2025-06-01T12:05:00Z", 498.951607),
                   ("2025-06-01T12:10:00Z", 544.310844)]
    assert doc["source"].startswith("WattTime API v3 historical, region CAISO_NORTH, co2_moer")


def test_watttime_average_signal(mock_factory):
    m = mock_factory("watttime")
    doc = ok_json("--provider", "watttime", "--zone", "CAISO_NORTH", env=wt_env(m))
    assert doc["signal"] == "average"
    assert "signal_type=co2_aoer" in m.paths()[1]


def test_watttime_index_only_account_is_refused(mock_factory):
    m = mock_factory("watttime", "no_history")
    r = intensity("--provider", "watttime", "--zone", "PJM_DC", "--marginal", env=wt_env(m))
    line = assert_one_error(r, EX_UNAVAILABLE)
    assert "only the 0-100 signal index (now 43)" in line
    assert "not an intensity" in line


# ------------------------------------------------------------------ UK

def test_ukgrid_national_and_regional(mock_factory):
    m = mock_factory("ukgrid")
    doc = ok_json("--provider", "ukgrid", env=m.env)
    assert doc["zone"] == "GB" and doc["basis"] == "direct"
    assert doc["points"] == [{"time": "2026-11-21T09:00:00Z", "t_unix_ms": 1795251600000, "g_per_kwh": 175.0}]
    doc = ok_json("--provider", "ukgrid", "--zone", "RG10", env=m.env)
    assert doc["zone"] == "GB-region-12" and "South England" in doc["source"]
    assert doc["points"][0]["g_per_kwh"] == 126.0
    assert m.paths() == ["/intensity", "/regional/postcode/RG10"]


def test_ukgrid_history(mock_factory):
    m = mock_factory("ukgrid")
    doc = ok_json("--provider", "ukgrid", "--from", "2025-01-10T10:00Z", "--to", "2025-01-10T11:00Z", env=m.env)
    # Periods 10:00 (forecast 200, actual 195) and 10:30 (forecast 201, no actual yet).
    assert [(p["time"], p["g_per_kwh"]) for p in doc["points"]] == [
        ("2025-01-10T10:00:00Z", 195.0), ("2025-01-10T10:30:00Z", 201.0)]
    assert m.paths() == ["/intensity/2025-01-10T10:00Z/2025-01-10T11:00Z"]
    # A start inside a period asks from that period's start.
    doc = ok_json("--provider", "ukgrid", "--from", "2025-01-10T10:40Z", "--to", "2025-01-10T11:00Z", env=m.env)
    assert m.paths()[-1] == "/intensity/2025-01-10T10:30Z/2025-01-10T11:00Z"
    assert [(p["time"], p["g_per_kwh"]) for p in doc["points"]] == [("2025-01-10T10:30:00Z", 195.0)]


# ------------------------------------------------------------------ credentials file

def write_credentials(tmp_path, text, mode):
    path = tmp_path / "config" / "aimeter" / "credentials"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_credentials_file_must_be_private(mock_factory, tmp_path):
    m = mock_factory("electricitymaps")
    path = write_credentials(tmp_path, f"# aimeter\nelectricitymaps_api_key = {EM_KEY}\n", 0o644)
    r = intensity("--provider", "electricitymaps", "--zone", "DE", env=m.env)
    line = assert_one_error(r, EX_UNAVAILABLE)
    assert f"chmod 600 {path}" in line
    assert m.requests == []
    os.chmod(path, 0o600)
    doc = ok_json("--provider", "electricitymaps", "--zone", "DE", env=m.env)
    assert doc["points"][0]["g_per_kwh"] == 302.0
    assert m.requests[0][1]["auth-token"] == EM_KEY


def test_credentials_file_for_watttime(mock_factory, tmp_path):
    m = mock_factory("watttime")
    write_credentials(tmp_path, f"[watttime]\nwatttime_username = {WT_USER}\nwatttime_password = \"{WT_PASSWORD}\"\n",
                      0o600)
    doc = ok_json("--provider", "watttime", "--zone", "CAISO_NORTH", "--marginal", env=m.env)
    assert doc["zone"] == "CAISO_NORTH"
    assert m.logins == 1


def test_credentials_file_malformed(mock_factory, tmp_path):
    m = mock_factory("electricitymaps")
    path = write_credentials(tmp_path, f"electricitymaps_api_key {EM_KEY}\n", 0o600)
    r = intensity("--provider", "electricitymaps", "--zone", "DE", env=m.env)
    line = assert_one_error(r, EX_UNAVAILABLE)
    assert f"{path}, line 1: expected 'key = value'" in line


# ------------------------------------------------------------------ cache

def test_cache_serves_second_call_with_server_stopped(mock_factory, tmp_path):
    m = mock_factory("electricitymaps")
    env = em_env(m)
    first = ok_json("--provider", "electricitymaps", "--zone", "DE", env=env)
    assert first["from_cache"] is False
    cache = tmp_path / "cache" / "aimeter" / "intensity" / "electricitymaps_DE_average_lifecycle_latest.json"
    assert cache.is_file()
    assert (cache.stat().st_mode & 0o777) == 0o600
    assert EM_KEY not in cache.read_text()
    m.stop()
    second = ok_json("--provider", "electricitymaps", "--zone", "DE", env=env)
    assert second["from_cache"] is True and second["stale"] is False
    assert second["points"] == first["points"] and second["source"] == first["source"]


def test_stale_cache_when_offline_is_marked(mock_factory, tmp_path):
    m = mock_factory("ukgrid")
    env = m.env
    ok_json("--provider", "ukgrid", env=env)
    cache = tmp_path / "cache" / "aimeter" / "intensity" / "ukgrid_default_average_lifecycle_latest.json"
    entry = json.loads(cache.read_text())
    entry["fetched_unix_ms"] -= 3600 * 1000  # older than the UK API's 30-minute period
    cache.write_text(json.dumps(entry))
    m.stop()
    doc = ok_json("--provider", "ukgrid", env=env)
    assert doc["stale"] is True and doc["from_cache"] is True
    assert doc["source"].endswith("[stale: provider unreachable]")
    assert "stale cache entry served: cannot reach" in doc["note"]
    r = intensity("--provider", "ukgrid", env=env)
    assert "stale cache entry" in r.stdout.splitlines()[1]
    # Without the cache the same outage is an error, never a silent default.
    r = intensity("--provider", "ukgrid", "--no-cache", env=env)
    assert "cannot reach" in assert_one_error(r, EX_UNAVAILABLE)


def test_expired_cache_is_refreshed(mock_factory, tmp_path):
    m = mock_factory("electricitymaps")
    env = em_env(m)
    ok_json("--provider", "electricitymaps", "--zone", "DE", env=env)
    cache = tmp_path / "cache" / "aimeter" / "intensity" / "electricitymaps_DE_average_lifecycle_latest.json"
    entry = json.loads(cache.read_text())
    entry["fetched_unix_ms"] -= 600 * 1000
    cache.write_text(json.dumps(entry))
    doc = ok_json("--provider", "electricitymaps", "--zone", "DE", env=env)
    assert doc["from_cache"] is False
    assert len(m.requests) == 2


def test_corrupt_cache_is_ignored(mock_factory, tmp_path):
    m = mock_factory("electricitymaps")
    cache = tmp_path / "cache" / "aimeter" / "intensity" / "electricitymaps_DE_average_lifecycle_latest.json"
    cache.parent.mkdir(parents=True)
    cache.write_text('{"format": "aimeter-intensity-cache", "points": [[1, -5]]')
    doc = ok_json("--provider", "electricitymaps", "--zone", "DE", env=em_env(m))
    assert doc["from_cache"] is False and doc["points"][0]["g_per_kwh"] == 302.0
    assert json.loads(cache.read_text())["version"] == 1
