"""Loopback mock servers that speak the grid-intensity providers' documented APIs.

One `MockProvider` per test: a ThreadingHTTPServer on 127.0.0.1 (port chosen by the kernel)
in a daemon thread. `kind` picks the API (electricitymaps, watttime, ukgrid); `mode` picks the
behaviour, and can be changed while it runs:

  good        documented answers (values below)
  malformed   a body that is not JSON
  wrong_unit  Electricity Maps: "unit": "lbsCO2eq/MWh"; WattTime: "units": "percentile";
              UK: intensity values as strings
  empty       a valid answer with no data points
  unauthorized  HTTP 401 ({"message": ...} echoing the auth header, to check aimeter hides it)
  rate_limited  HTTP 429 with Retry-After: 120
  slow        sleeps `delay` seconds before answering
  truncated   Content-Length 100 bytes longer than the body, then the connection closes
  no_history  WattTime: /v3/historical and /v3/forecast answer 403 (a free account outside
              CAISO_NORTH: only the signal index)

`path_modes` maps a URL path ("/v3/carbon-intensity/history") to the mode for that path alone
(a provider whose latest value works and whose history is rate limited). `em_latest` (a
(datetime, value) pair) and `em_history` (a list of them) replace Electricity Maps' good-mode
latest value and history (past-range serves the points inside its start/end).

Every request is recorded in `requests` as (path, headers dict). Values served in `good` mode:

  Electricity Maps latest: zone DE, 302 gCO2eq/kWh at 2026-11-21T09:00Z (lifecycle)
  Electricity Maps history / past-range: hourly points 300, 310, 320, ... from the requested
    start (past-range) or for the last 24 h (history)
  WattTime: token "tok.en.1"; region CAISO_NORTH; forecast first point 1000 lbs/MWh
    (453.59237 g/kWh); historical 5-minute points 900, 1000, 1100, ... lbs/MWh
  UK national: 09:00-09:30 forecast 180 actual 175; 09:30-10:00 forecast 190 actual null;
    regional: region 12 "South England", forecast 126
"""
import datetime as dt
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EM_KEY_HEADER = "auth-token"
WT_TOKEN = "tok.en.1"


def iso(t, seconds=True):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ" if seconds else "%Y-%m-%dT%H:%MZ")


def parse_iso(s):
    s = s.replace("Z", "+00:00")
    return dt.datetime.fromisoformat(s)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, status, body, headers=None, truncate=False):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data) + (100 if truncate else 0)))
        self.send_header("Connection", "close")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def do_GET(self):
        mock = self.server.mock
        mock.requests.append((self.path, dict(self.headers.items())))
        mode = mock.path_modes.get(urllib.parse.urlsplit(self.path).path, mock.mode)
        if mode == "slow":
            time.sleep(mock.delay)
        if mode == "unauthorized":
            echoed = self.headers.get(EM_KEY_HEADER) or self.headers.get("Authorization") or ""
            return self._send(401, json.dumps({"message": f"invalid credentials {echoed}", "status": 401}))
        if mode == "rate_limited":
            return self._send(429, json.dumps({"message": "Too many requests"}), {"Retry-After": "120"})
        if mode == "malformed":
            return self._send(200, '{"zone": "DE", "carbonIntensity": 302, "datetime": ')
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        status, body = getattr(self, "_" + mock.kind)(url.path, query, mode)
        return self._send(status, body, truncate=(mode == "truncated"))

    # ------------------------------------------------------------ Electricity Maps v3
    def _electricitymaps(self, path, q, mode):
        if self.headers.get(EM_KEY_HEADER) != self.server.mock.key:
            return 401, json.dumps({"message": "No valid auth-token", "status": 401})
        zone = q.get("zone") or ("FR" if "lat" in q else "?")
        basis = q.get("emissionFactorType", "lifecycle")

        def point(t, v):
            p = {"zone": zone, "carbonIntensity": v, "datetime": iso(t).replace("Z", ".000Z"),
                 "updatedAt": iso(t + dt.timedelta(minutes=47)), "createdAt": iso(t - dt.timedelta(days=3)),
                 "emissionFactorType": basis, "isEstimated": True, "estimationMethod": "TIME_SLICER_AVERAGE"}
            if mode == "wrong_unit":
                p["unit"] = "lbsCO2eq/MWh"
            return p

        mock = self.server.mock
        if path == "/v3/carbon-intensity/latest" and mock.em_latest and mode == "good":
            return 200, json.dumps(point(*mock.em_latest))
        if path == "/v3/carbon-intensity/history" and mock.em_history is not None and mode == "good":
            return 200, json.dumps({"zone": zone, "history": [point(t, v) for t, v in mock.em_history]})
        if path == "/v3/carbon-intensity/past-range" and mock.em_history is not None and mode == "good":
            start, end = parse_iso(q["start"]), parse_iso(q["end"])
            return 200, json.dumps({"zone": zone, "data": [point(t, v) for t, v in mock.em_history
                                                           if start <= t < end]})
        if path == "/v3/carbon-intensity/latest":
            if mode == "empty":
                p = point(dt.datetime(2026, 11, 21, 9, tzinfo=dt.timezone.utc), None)
                return 200, json.dumps(p)
            return 200, json.dumps(point(dt.datetime(2026, 11, 21, 9, tzinfo=dt.timezone.utc), 302))
        if path == "/v3/carbon-intensity/history":
            now = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
            pts = [] if mode == "empty" else [point(now - dt.timedelta(hours=23 - i), 300 + 10 * i) for i in range(24)]
            return 200, json.dumps({"zone": zone, "history": pts})
        if path == "/v3/carbon-intensity/past-range":
            start, end = parse_iso(q["start"]), parse_iso(q["end"])
            t = start.replace(minute=0, second=0, microsecond=0)
            pts, i = [], 0
            while t < end and mode != "empty":
                pts.append(point(t, 300 + 10 * i))
                t += dt.timedelta(hours=1)
                i += 1
            return 200, json.dumps({"zone": zone, "data": pts})
        return 404, json.dumps({"message": f"Unknown path {path}", "status": 404})

    # ------------------------------------------------------------ WattTime v3
    def _watttime(self, path, q, mode):
        mock = self.server.mock
        if path == "/login":
            if self.headers.get("Authorization") != mock.basic:
                return 401, json.dumps({"error": "Unauthorized"})
            mock.logins += 1
            return 200, json.dumps({"token": WT_TOKEN})
        if self.headers.get("Authorization") != "Bearer " + WT_TOKEN:
            return 401, json.dumps({"error": "Unauthorized"})
        signal = q.get("signal_type", "co2_moer")
        meta = {"region": q.get("region", "CAISO_NORTH"), "signal_type": signal,
                "units": "percentile" if mode == "wrong_unit" else "lbs_co2_per_mwh",
                "data_point_period_seconds": 300, "warnings": [],
                "model": {"date": "2023-03-01", "type": "binned_regression"},
                "generated_at_period_seconds": 300, "generated_at": iso(dt.datetime.now(dt.timezone.utc))}
        if path == "/v3/region-from-loc":
            return 200, json.dumps({"region": "CAISO_NORTH", "region_full_name": "California ISO Northern",
                                    "signal_type": signal})
        if path == "/v3/signal-index":
            return 200, json.dumps({"data": [{"point_time": iso(dt.datetime.now(dt.timezone.utc)), "value": 43.0}],
                                    "meta": dict(meta, units="percentile")})
        if mode == "no_history" and path in ("/v3/historical", "/v3/forecast"):
            return 403, json.dumps({"error": "Forbidden", "message": "historical data requires a subscription"})
        if path == "/v3/forecast":
            t0 = dt.datetime(2026, 11, 21, 9, tzinfo=dt.timezone.utc)
            data = [] if mode == "empty" else [
                {"point_time": iso(t0 + dt.timedelta(minutes=5 * i)), "value": 1000.0 + i} for i in range(3)]
            return 200, json.dumps({"data": data, "meta": meta})
        if path == "/v3/historical":
            start, end = parse_iso(q["start"]), parse_iso(q["end"])
            t, data, i = start, [], 0
            while t < end and mode != "empty":
                data.append({"point_time": t.isoformat(), "value": 900.0 + 100 * i})
                t += dt.timedelta(minutes=5)
                i += 1
            return 200, json.dumps({"data": data, "meta": meta})
        return 404, json.dumps({"error": "Not Found"})

    # ------------------------------------------------------------ UK Carbon Intensity API
    def _ukgrid(self, path, q, mode):
        def period(t, forecast, actual=None, regional=False):
            fv = str(forecast) if mode == "wrong_unit" else forecast
            i = {"forecast": fv, "index": "moderate"}
            if not regional:
                i["actual"] = actual
            p = {"from": iso(t, False), "to": iso(t + dt.timedelta(minutes=30), False), "intensity": i}
            if regional:
                p["generationmix"] = [{"fuel": "gas", "perc": 26.7}, {"fuel": "wind", "perc": 42.3}]
            return p

        t0 = dt.datetime(2026, 11, 21, 9, tzinfo=dt.timezone.utc)
        national = [] if mode == "empty" else [period(t0, 180, 175), period(t0 + dt.timedelta(minutes=30), 190, None)]
        parts = path.strip("/").split("/")
        if parts == ["intensity"]:
            return 200, json.dumps({"data": national[:1]})
        if len(parts) == 3 and parts[0] == "intensity":
            start, end = parse_iso(parts[1]), parse_iso(parts[2])
            t, pts, i = start, [], 0
            while t < end and mode != "empty":
                pts.append(period(t, 200 + i, 195 + i if i % 2 == 0 else None))
                t += dt.timedelta(minutes=30)
                i += 1
            return 200, json.dumps({"data": pts})
        region = {"regionid": 12, "dnoregion": "SSE South", "shortname": "South England"}
        if len(parts) == 3 and parts[0] == "regional" and parts[1] in ("postcode", "regionid"):
            if parts[1] == "regionid":
                region["regionid"] = int(parts[2])
            else:
                region["postcode"] = parts[2]
            region["data"] = [] if mode == "empty" else [period(t0, 126, regional=True)]
            return 200, json.dumps({"data": [region]})
        if len(parts) == 6 and parts[:2] == ["regional", "intensity"]:
            start, end = parse_iso(parts[2]), parse_iso(parts[3])
            t, pts = start, []
            while t < end and mode != "empty":
                pts.append(period(t, 126, regional=True))
                t += dt.timedelta(minutes=30)
            region["data"] = pts
            return 200, json.dumps({"data": region})
        return 400, json.dumps({"error": {"code": "400 Bad Request", "message": "Please enter a valid path."}})


class MockProvider:
    ENV = {"electricitymaps": "AIMETER_ELECTRICITYMAPS_URL", "watttime": "AIMETER_WATTTIME_URL",
           "ukgrid": "AIMETER_UKGRID_URL"}

    def __init__(self, kind, mode="good", key="em-key-0123456789abcdef", delay=5.0):
        import base64
        self.kind, self.mode, self.key, self.delay = kind, mode, key, delay
        self.basic = "Basic " + base64.b64encode(b"alice:wt-password-42").decode()
        self.requests, self.logins = [], 0
        self.path_modes, self.em_latest, self.em_history = {}, None, None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.mock = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        host, port = self.server.server_address
        return f"http://{host}:{port}" + ("/v3" if self.kind == "electricitymaps" else "")

    @property
    def env(self):
        return {self.ENV[self.kind]: self.url}

    def paths(self):
        return [p for p, _ in self.requests]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
