/* The providers against a loopback server (mock_http.c): the HTTP wrapper's limits, each
 * provider's requests and error mapping, the disk cache (fresh, stale, mode 0600), the
 * credentials file checks, secrets kept out of messages, and the polling feed's cadence,
 * Retry-After and back-off. Nothing here leaves 127.0.0.1. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "providers/provider_feed.h"
#include "providers/provider_impl.h"
#include "comma_locale.h"
#include "mock_http.h"

#define T0900 1795251600000LL
#define KEY "em-test-key-0123456789"

static const char em_latest[] =
    "{\"zone\":\"DE\",\"carbonIntensity\":302,\"datetime\":\"2026-11-21T09:00:00.000Z\","
    "\"updatedAt\":\"2026-11-21T09:47:11.374Z\",\"emissionFactorType\":\"lifecycle\",\"isEstimated\":true}";

/* ---------------------------------------------------------------- scripted handlers */

typedef struct script {
    mock_reply replies[16];
    int n;
} script;

/* Answers request i with replies[i] (the last one repeats). */
static void scripted(const char *path, const char *headers, int index, void *userdata, mock_reply *reply) {
    script *s = userdata;
    *reply = s->replies[index < s->n ? index : s->n - 1];
}

static char tmpdir[64];

static int setup(void **state) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/aim_provider_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    setenv("ELECTRICITYMAPS_API_KEY", KEY, 1);
    setenv("WATTTIME_USERNAME", "alice", 1);
    setenv("WATTTIME_PASSWORD", "wt-secret-password", 1);
    setenv("AIMETER_CREDENTIALS", "/nonexistent/aimeter-credentials", 1);
    aim__wt_forget_token();
    return 0;
}

static int teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* ---------------------------------------------------------------- HTTP wrapper */

static void http_basics_and_limits(void **state) {
    char big[2001];
    memset(big, 'x', 2000);
    big[2000] = '\0';
    script s = { .n = 5 };
    s.replies[0] = (mock_reply){ .status = 200, .body = "{\"ok\":1}" };
    s.replies[1] = (mock_reply){ .status = 429, .headers = "Retry-After: 7\r\n", .body = "{}" };
    s.replies[2] = (mock_reply){ .status = 200, .body = "{\"partial\":", .truncate = 1 };
    s.replies[3] = (mock_reply){ .status = 200, .body = big };
    s.replies[4] = (mock_reply){ .status = 200, .body = "late", .delay_ms = 3000 };
    mock_http *m = mock_http_start(scripted, &s);
    assert_non_null(m);
    char url[128], err[256];
    mock_http_url(m, "/x", url, sizeof url);
    aim_http_request rq = { .url = url, .header = "auth-token: abc", .timeout_ms = 5000 };
    aim_http_response rs;
    assert_int_equal(aim__http_get(&rq, &rs, err, sizeof err), 0);
    assert_int_equal(rs.status, 200);
    assert_string_equal(rs.body, "{\"ok\":1}");
    assert_int_equal(rs.retry_after_s, -1);
    aim__http_response_free(&rs);
    assert_non_null(strstr(mock_http_headers(m, 0), "User-Agent: aimeter/"));
    assert_non_null(strstr(mock_http_headers(m, 0), "auth-token: abc"));

    assert_int_equal(aim__http_get(&rq, &rs, err, sizeof err), 0);
    assert_int_equal(rs.status, 429);
    assert_int_equal(rs.retry_after_s, 7);
    aim__http_response_free(&rs);

    assert_int_equal(aim__http_get(&rq, &rs, err, sizeof err), -EPROTO);
    assert_non_null(strstr(err, "truncated"));

    rq.max_body = 1000;
    assert_int_equal(aim__http_get(&rq, &rs, err, sizeof err), -EFBIG);
    rq.max_body = 0;

    rq.timeout_ms = 300;
    int64_t t0 = aim__prov_mono_ms();
    assert_int_equal(aim__http_get(&rq, &rs, err, sizeof err), -EAGAIN);
    assert_true(aim__prov_mono_ms() - t0 < 2000);
    mock_http_stop(m);

    /* Nothing listens there any more. */
    assert_int_equal(aim__http_get(&rq, &rs, err, sizeof err), -ENETUNREACH);
    /* Plain http off this machine is refused before any connection. */
    rq.url = "http://api.electricitymaps.com/v3/carbon-intensity/latest";
    assert_int_equal(aim__http_get(&rq, &rs, err, sizeof err), -EPERM);
    assert_non_null(strstr(err, "plain http"));
    rq.url = "ftp://127.0.0.1/x";
    assert_int_equal(aim__http_get(&rq, &rs, err, sizeof err), -EINVAL);
}

/* A failed assertion must not leave the proxy set for the tests that follow. */
static int no_proxy_teardown(void **state) {
    unsetenv("http_proxy");
    return 0;
}

/* With a proxy on loopback (http_proxy), a key once went in clear text to
 * http://127.attacker.example/: the host's text began with "127.". Plain http is allowed to
 * a literal loopback address (or localhost) only, and then never through a proxy. */
static void http_plain_only_to_loopback_never_proxied(void **state) {
    script ps = { .n = 1 };
    ps.replies[0] = (mock_reply){ .status = 200, .body = "{\"via\":\"proxy\"}" };
    mock_http *proxy = mock_http_start(scripted, &ps);
    script s = { .n = 1 };
    s.replies[0] = (mock_reply){ .status = 200, .body = "{\"via\":\"direct\"}" };
    mock_http *prov = mock_http_start(scripted, &s);
    assert_non_null(proxy);
    assert_non_null(prov);
    char purl[128], url[128], err[300];
    mock_http_url(proxy, "", purl, sizeof purl);
    setenv("http_proxy", purl, 1);
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
    aim_http_request rq = { .header = "auth-token: " KEY, .timeout_ms = 5000 };
    aim_http_response rs;
    static const char *const refused[] = {
        "http://127.attacker.example/v3/carbon-intensity/latest",
        "http://127.0.0.1.attacker.example/x",
        "http://localhost.attacker.example/x",
        "http://[::2]/x",
        "http://10.0.0.1/x",
        "http://128.0.0.1/x",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        rq.url = refused[i];
        assert_int_equal(aim__http_get(&rq, &rs, err, sizeof err), -EPERM);
        assert_non_null(strstr(err, "refusing plain http"));
    }
    assert_int_equal(mock_http_count(proxy), 0);

    /* Loopback, by address or by name: straight to the server, the proxy sees nothing. */
    mock_http_url(prov, "/v3/x", url, sizeof url);
    rq.url = url;
    assert_int_equal(aim__http_get(&rq, &rs, err, sizeof err), 0);
    assert_string_equal(rs.body, "{\"via\":\"direct\"}");
    aim__http_response_free(&rs);
    snprintf(url, sizeof url, "http://localhost:%d/v3/y", mock_http_port(prov));
    assert_int_equal(aim__http_get(&rq, &rs, err, sizeof err), 0);
    assert_string_equal(rs.body, "{\"via\":\"direct\"}");
    aim__http_response_free(&rs);
    assert_int_equal(mock_http_count(prov), 2);
    assert_int_equal(mock_http_count(proxy), 0);
    unsetenv("http_proxy");
    mock_http_stop(prov);
    mock_http_stop(proxy);
}

static void http_redirects_stay_on_origin(void **state) {
    script s = { .n = 3 };
    char same[160];
    s.replies[0] = (mock_reply){ .status = 302, .headers = same };
    s.replies[1] = (mock_reply){ .status = 200, .body = "{}" };
    s.replies[2] = (mock_reply){ .status = 301, .headers = "Location: http://127.0.0.2:1/steal\r\n" };
    mock_http *m = mock_http_start(scripted, &s);
    snprintf(same, sizeof same, "Location: http://127.0.0.1:%d/moved\r\n", mock_http_port(m));
    char url[128], err[256];
    mock_http_url(m, "/x", url, sizeof url);
    aim_http_request rq = { .url = url, .header = "auth-token: abc", .timeout_ms = 5000 };
    aim_http_response rs;
    assert_int_equal(aim__http_get(&rq, &rs, err, sizeof err), 0);
    assert_int_equal(rs.status, 200);
    assert_string_equal(mock_http_path(m, 1), "/moved");
    aim__http_response_free(&rs);
    assert_int_equal(aim__http_get(&rq, &rs, err, sizeof err), -EPROTO);
    assert_non_null(strstr(err, "another host"));
    assert_int_equal(mock_http_count(m), 3);
    mock_http_stop(m);
}

static void retry_after_values(void **state) {
    assert_int_equal(aim__http_parse_retry_after(" 120\r\n", 0), 120);
    /* Sun, 06 Nov 1994 08:49:37 GMT is 784111777 s after the epoch. */
    assert_int_equal(aim__http_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 30), 30);
    assert_int_equal(aim__http_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 30), 0);
    assert_int_equal(aim__http_parse_retry_after("99999999", 0), 86400);
    assert_int_equal(aim__http_parse_retry_after("soon", 0), -1);
    assert_int_equal(aim__http_parse_retry_after("", 0), -1);
}

/* ---------------------------------------------------------------- Electricity Maps, cache */

static aim_provider_query em_query(void) {
    return (aim_provider_query){ .provider = "electricitymaps", .zone = "DE", .cache_dir = tmpdir,
                                 .timeout_ms = 5000 };
}

static void em_fetch_cache_and_stale(void **state) {
    script s = { .n = 1 };
    s.replies[0] = (mock_reply){ .status = 200, .body = em_latest };
    mock_http *m = mock_http_start(scripted, &s);
    char base[128];
    mock_http_url(m, "/v3", base, sizeof base);
    setenv("AIMETER_ELECTRICITYMAPS_URL", base, 1);
    aim_intensity_point pts[4];
    aim_provider_result r = { .points = pts, .cap = 4 };
    aim_provider_query q = em_query();
    char err[256] = "";
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), 0);
    assert_int_equal(r.n, 1);
    assert_true(pts[0].t_unix_ms == T0900 && pts[0].g_per_kwh == 302.0);
    assert_string_equal(r.zone, "DE");
    assert_int_equal(r.basis, AIM_BASIS_LIFECYCLE);
    assert_int_equal(r.from_cache, 0);
    assert_non_null(strstr(r.source, "Electricity Maps API v3 carbon-intensity/latest, zone DE, fetched "));
    assert_string_equal(mock_http_path(m, 0), "/v3/carbon-intensity/latest?zone=DE&emissionFactorType=lifecycle");
    assert_non_null(strstr(mock_http_headers(m, 0), "auth-token: " KEY));

    /* The cache file: 0600, and it serves the second call without a request. */
    char name[256], path[512];
    assert_int_equal(aim__cache_name(&q, name, sizeof name), 0);
    assert_string_equal(name, "electricitymaps_DE_average_lifecycle_latest.json");
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), 0);
    assert_int_equal(r.from_cache, 1);
    assert_int_equal(r.stale, 0);
    assert_int_equal(mock_http_count(m), 1);

    /* Age the entry past the 5-minute cadence, then lose the provider: stale, and said. */
    aim_cache_entry e;
    assert_int_equal(aim__cache_load(tmpdir, name, &e), 0);
    e.fetched_ms -= 10 * 60 * 1000;
    assert_int_equal(aim__cache_store(tmpdir, name, &e), 0);
    aim__cache_entry_free(&e);
    mock_http_stop(m);
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), 0);
    assert_int_equal(r.from_cache, 1);
    assert_int_equal(r.stale, 1);
    assert_true(pts[0].g_per_kwh == 302.0);
    assert_non_null(strstr(r.source, "[stale: provider unreachable]"));
    assert_non_null(strstr(r.note, "cannot reach"));

    /* Without a cache the same outage is an error. */
    q.cache_dir = NULL;
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -ENETUNREACH);
    unsetenv("AIMETER_ELECTRICITYMAPS_URL");
}

static void em_errors_and_secrets(void **state) {
    script s = { .n = 6 };
    s.replies[0] = (mock_reply){ .status = 401, .body = "{\"message\":\"Invalid token " KEY "\",\"status\":401}" };
    s.replies[1] = (mock_reply){ .status = 429, .headers = "Retry-After: 42\r\n", .body = "{}" };
    s.replies[2] = (mock_reply){ .status = 404, .body = "{\"message\":\"Zone 'XX' does not exist\"}" };
    s.replies[3] = (mock_reply){ .status = 200, .body = "{\"zone\":\"DE\",\"carbonIntensity\":302,\"datetime\":\"2026-11-21T09:00:00.000Z\",\"unit\":\"lbs/MWh\"}" };
    s.replies[4] = (mock_reply){ .status = 200, .body = "{\"zone\":\"DE\",\"carbonIntensity\":null,\"datetime\":\"2026-11-21T09:00:00.000Z\"}" };
    s.replies[5] = (mock_reply){ .status = 503, .body = "" };
    mock_http *m = mock_http_start(scripted, &s);
    char base[128];
    mock_http_url(m, "/v3", base, sizeof base);
    setenv("AIMETER_ELECTRICITYMAPS_URL", base, 1);
    aim_intensity_point pts[4];
    aim_provider_result r = { .points = pts, .cap = 4 };
    aim_provider_query q = em_query();
    q.cache_dir = NULL;
    char err[256];
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -EACCES);
    assert_non_null(strstr(err, "HTTP 401"));
    assert_null(strstr(err, KEY)); /* the provider echoed the key; it does not reach the user */
    assert_non_null(strstr(err, "***"));
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -EAGAIN);
    assert_int_equal(r.retry_after_s, 42);
    assert_non_null(strstr(err, "retry after 42 s"));
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "Zone 'XX' does not exist"));
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -EPROTO);
    assert_non_null(strstr(err, "unit"));
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "no data"));
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -EAGAIN);
    assert_non_null(strstr(err, "HTTP 503"));
    assert_int_equal(r.retry_after_s, 0);
    mock_http_stop(m);

    /* Queries refused before any request. */
    aim_provider_query bad = q;
    bad.signal = AIM_SIGNAL_MARGINAL;
    assert_int_equal(aim__provider_fetch(&bad, &r, err, sizeof err), -EOPNOTSUPP);
    bad = q;
    bad.zone = "DE/../x";
    assert_int_equal(aim__provider_fetch(&bad, &r, err, sizeof err), -EINVAL);
    bad = q;
    bad.zone = NULL;
    assert_int_equal(aim__provider_fetch(&bad, &r, err, sizeof err), -EINVAL);
    bad.have_latlon = 1;
    bad.lat = 91;
    assert_int_equal(aim__provider_fetch(&bad, &r, err, sizeof err), -EINVAL);
    bad = q;
    bad.from_unix_ms = T0900;
    bad.to_unix_ms = T0900;
    assert_int_equal(aim__provider_fetch(&bad, &r, err, sizeof err), -EINVAL);
    bad.provider = "nope";
    assert_int_equal(aim__provider_fetch(&bad, &r, err, sizeof err), -EINVAL);
    unsetenv("ELECTRICITYMAPS_API_KEY");
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -EACCES);
    assert_non_null(strstr(err, "ELECTRICITYMAPS_API_KEY"));
    unsetenv("AIMETER_ELECTRICITYMAPS_URL");
}

/* A provider echoing the key in its error message, at every offset: the message is quoted
 * to 120 characters, and the key was scrubbed only after that cut, so a key straddling it
 * left its first part (23 of 29 characters) in the error line. No 4 characters of the key
 * may reach the message, wherever the key sits. */
#define LONG_KEY "Zq7Kx9Wp3Lm8Rt2Vb6Nc4Hd5Jy1Fg"

static void echo_key_at_offset(const char *path, const char *headers, int index, void *userdata,
                               mock_reply *reply) {
    char *body = userdata;
    int n = snprintf(body, 512, "{\"message\":\"");
    for (int i = 0; i < index; i++)
        body[n++] = '.';
    snprintf(body + n, 512 - (size_t)n, "%s: invalid auth-token, try again later\"}", LONG_KEY);
    *reply = (mock_reply){ .status = 401, .body = body };
}

static void em_error_body_never_leaks_part_of_the_key(void **state) {
    static char body[512];
    mock_http *m = mock_http_start(echo_key_at_offset, body);
    char base[128];
    mock_http_url(m, "/v3", base, sizeof base);
    setenv("AIMETER_ELECTRICITYMAPS_URL", base, 1);
    setenv("ELECTRICITYMAPS_API_KEY", LONG_KEY, 1);
    aim_intensity_point pts[4];
    aim_provider_result r = { .points = pts, .cap = 4 };
    aim_provider_query q = em_query();
    q.cache_dir = NULL;
    const size_t klen = strlen(LONG_KEY);
    for (int off = 0; off <= 160; off++) {
        char err[512];
        assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -EACCES);
        assert_int_equal(mock_http_count(m), off + 1);
        for (size_t k = 0; k + 4 <= klen; k++) {
            char part[5];
            memcpy(part, &LONG_KEY[k], 4);
            part[4] = '\0';
            if (strstr(err, part))
                fail_msg("offset %d: \"%s\" of the key reached the message: %s", off, part, err);
        }
        /* Where the whole key fits before the cut, it reads "***". */
        if (off + 3 <= 120)
            assert_non_null(strstr(err, "***"));
    }
    mock_http_stop(m);
    setenv("ELECTRICITYMAPS_API_KEY", KEY, 1);
    unsetenv("AIMETER_ELECTRICITYMAPS_URL");
}

/* History: the past-range request in 10-day pieces, the buffer too small, and a free key's
 * 403 on past-range answered from /history with a note. */
static void em_history_requests(void **state) {
    static char body[2048];
    snprintf(body, sizeof body,
             "{\"zone\":\"DE\",\"data\":[{\"carbonIntensity\":100,\"datetime\":\"2024-11-01T00:00:00Z\"},"
             "{\"carbonIntensity\":200,\"datetime\":\"2024-11-01T01:00:00Z\"},"
             "{\"carbonIntensity\":300,\"datetime\":\"2024-11-01T02:00:00Z\"}]}");
    script s = { .n = 1 };
    s.replies[0] = (mock_reply){ .status = 200, .body = body };
    mock_http *m = mock_http_start(scripted, &s);
    char base[128], err[256];
    mock_http_url(m, "/v3", base, sizeof base);
    setenv("AIMETER_ELECTRICITYMAPS_URL", base, 1);
    aim_provider_query q = em_query();
    q.cache_dir = NULL;
    int64_t nov1 = 1730419200000LL; /* 2024-11-01T00:00Z */
    q.from_unix_ms = nov1 + 30 * 60000; /* 00:30: the 00:00 value is in force */
    q.to_unix_ms = nov1 + 2 * 3600000;  /* 02:00, excluded */
    aim_intensity_point pts[1];
    aim_provider_result r = { .points = pts, .cap = 1 };
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -ENOBUFS);
    assert_int_equal(r.n, 2);
    aim_intensity_point pts2[8];
    r = (aim_provider_result){ .points = pts2, .cap = 8 };
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), 0);
    assert_int_equal(r.n, 2);
    assert_true(pts2[0].t_unix_ms == nov1 && pts2[0].g_per_kwh == 100);
    assert_true(pts2[1].t_unix_ms == nov1 + 3600000 && pts2[1].g_per_kwh == 200);
    assert_string_equal(mock_http_path(m, 1),
                        "/v3/carbon-intensity/past-range?zone=DE&emissionFactorType=lifecycle"
                        "&start=2024-10-31T23%3A30%3A00Z&end=2024-11-01T02%3A00%3A00Z");
    /* 25 days: three requests (10 + 10 + 5). */
    int before = mock_http_count(m);
    q.to_unix_ms = q.from_unix_ms + 25LL * 86400000;
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), 0);
    assert_int_equal(mock_http_count(m) - before, 3);
    mock_http_stop(m);

    /* A free key: past-range refused (403), history serves the last 24 hours. */
    int64_t now = aim__prov_now_ms();
    int64_t hour = now - now % 3600000;
    char t1[40], t2[40];
    aim__iso8601_format(hour - 3 * 3600000, 1, t1, sizeof t1);
    aim__iso8601_format(hour - 2 * 3600000, 1, t2, sizeof t2);
    snprintf(body, sizeof body,
             "{\"zone\":\"DE\",\"history\":[{\"carbonIntensity\":111,\"datetime\":\"%s\"},"
             "{\"carbonIntensity\":222,\"datetime\":\"%s\"}]}", t1, t2);
    s.n = 2;
    s.replies[0] = (mock_reply){ .status = 403, .body = "{\"message\":\"past-range is not in your plan\"}" };
    s.replies[1] = (mock_reply){ .status = 200, .body = body };
    m = mock_http_start(scripted, &s);
    mock_http_url(m, "/v3", base, sizeof base);
    setenv("AIMETER_ELECTRICITYMAPS_URL", base, 1);
    q.from_unix_ms = now - 2 * 86400000LL;
    q.to_unix_ms = now;
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), 0);
    assert_int_equal(r.n, 2);
    assert_true(pts2[1].g_per_kwh == 222);
    assert_non_null(strstr(r.note, "only the last 24 hours"));
    assert_non_null(strstr(r.source, "carbon-intensity/history"));
    assert_non_null(strstr(mock_http_path(m, 1), "/v3/carbon-intensity/history?zone=DE"));
    mock_http_stop(m);
    unsetenv("AIMETER_ELECTRICITYMAPS_URL");
}

/* ---------------------------------------------------------------- WattTime */

typedef struct wt_state {
    int historical_status; /* 200 or 403 */
    int forecast_status;
    int data_401_once;     /* answer the first data call with 401 (expired token) */
    int logins;
} wt_state;

static void wt_handler(const char *path, const char *headers, int index, void *userdata, mock_reply *reply) {
    wt_state *w = userdata;
    static const char data[] =
        "{\"data\":[{\"point_time\":\"2026-11-21T09:00:00+00:00\",\"value\":1000.0},"
        "{\"point_time\":\"2026-11-21T09:05:00+00:00\",\"value\":900.0}],"
        "\"meta\":{\"region\":\"CAISO_NORTH\",\"signal_type\":\"co2_moer\",\"units\":\"lbs_co2_per_mwh\","
        "\"data_point_period_seconds\":300}}";
    if (strncmp(path, "/login", 6) == 0) {
        w->logins++;
        /* "alice:wt-secret-password" in base64. */
        int ok = strstr(headers, "Authorization: Basic YWxpY2U6d3Qtc2VjcmV0LXBhc3N3b3Jk") != NULL;
        *reply = ok ? (mock_reply){ .status = 200, .body = "{\"token\":\"tok.en.1\"}" }
                    : (mock_reply){ .status = 401, .body = "{}" };
        return;
    }
    if (!strstr(headers, "Authorization: Bearer tok.en.1")) {
        *reply = (mock_reply){ .status = 401, .body = "{}" };
        return;
    }
    if (w->data_401_once) {
        w->data_401_once = 0;
        *reply = (mock_reply){ .status = 401, .body = "{}" };
        return;
    }
    if (strncmp(path, "/v3/region-from-loc", 19) == 0)
        *reply = (mock_reply){ .status = 200, .body = "{\"region\":\"CAISO_NORTH\",\"region_full_name\":\"x\",\"signal_type\":\"co2_moer\"}" };
    else if (strncmp(path, "/v3/historical", 14) == 0)
        *reply = (mock_reply){ .status = w->historical_status, .body = w->historical_status == 200 ? data : "{}" };
    else if (strncmp(path, "/v3/forecast", 12) == 0)
        *reply = (mock_reply){ .status = w->forecast_status, .body = w->forecast_status == 200 ? data : "{}" };
    else if (strncmp(path, "/v3/signal-index", 16) == 0)
        *reply = (mock_reply){ .status = 200, .body = "{\"data\":[{\"point_time\":\"2026-11-21T09:05:00+00:00\",\"value\":43}],"
                                                      "\"meta\":{\"units\":\"percentile\",\"signal_type\":\"co2_moer\"}}" };
    else
        *reply = (mock_reply){ .status = 404, .body = "{}" };
}

static void watttime_access_levels(void **state) {
    wt_state w = { .historical_status = 200, .forecast_status = 200 };
    mock_http *m = mock_http_start(wt_handler, &w);
    char base[128], err[300];
    mock_http_url(m, "", base, sizeof base);
    setenv("AIMETER_WATTTIME_URL", base, 1);
    aim_intensity_point pts[8];
    aim_provider_result r = { .points = pts, .cap = 8 };
    aim_provider_query q = { .provider = "watttime", .have_latlon = 1, .lat = 38.5, .lon = -121.5,
                             .signal = AIM_SIGNAL_MARGINAL, .timeout_ms = 5000 };
    /* Latest: the forecast's first point, 1000 lb/MWh = 453.59237 g/kWh. */
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), 0);
    assert_int_equal(r.n, 1);
    assert_float_equal(pts[0].g_per_kwh, 453.59237, 1e-9);
    assert_string_equal(r.zone, "CAISO_NORTH");
    assert_int_equal(r.signal, AIM_SIGNAL_MARGINAL);
    assert_int_equal(r.basis, AIM_BASIS_DIRECT);
    assert_non_null(strstr(r.source, "WattTime API v3 forecast"));
    assert_string_equal(mock_http_path(m, 1), "/v3/region-from-loc?latitude=38.500000&longitude=-121.500000&signal_type=co2_moer");
    assert_string_equal(mock_http_path(m, 2), "/v3/forecast?region=CAISO_NORTH&signal_type=co2_moer&horizon_hours=0");

    /* History, with the token reused (one login so far) and refreshed after a 401. */
    q.have_latlon = 0;
    q.zone = "CAISO_NORTH";
    q.from_unix_ms = T0900;
    q.to_unix_ms = T0900 + 600000;
    w.data_401_once = 1;
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), 0);
    assert_int_equal(r.n, 2);
    assert_float_equal(pts[1].g_per_kwh, 408.233133, 1e-9);
    assert_int_equal(w.logins, 2);
    assert_non_null(strstr(mock_http_path(m, mock_http_count(m) - 1),
                           "/v3/historical?region=CAISO_NORTH&signal_type=co2_moer&start=2026-11-21T08%3A55%3A00Z"));

    /* No historical access: the current value, with a note. */
    w.historical_status = 403;
    q.to_unix_ms = aim__prov_now_ms();
    q.from_unix_ms = T0900;
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), 0);
    assert_non_null(strstr(r.note, "cannot read historical"));

    /* Nothing but the index: refused, the index quoted, no number invented. */
    w.forecast_status = 403;
    q.from_unix_ms = q.to_unix_ms = 0;
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -EACCES);
    assert_non_null(strstr(err, "signal index (now 43)"));
    assert_null(strstr(err, "wt-secret-password"));
    assert_null(strstr(err, "tok.en.1"));

    /* A wrong password. */
    aim__wt_forget_token();
    setenv("WATTTIME_PASSWORD", "wrong-password", 1);
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -EACCES);
    assert_non_null(strstr(err, "login refused"));
    assert_null(strstr(err, "wrong-password"));
    setenv("WATTTIME_PASSWORD", "wt-secret-password", 1);
    mock_http_stop(m);
    unsetenv("AIMETER_WATTTIME_URL");
}

/* Coordinates go into provider URLs: under a decimal-comma locale (which a Python host may
 * set) "%.6f" wrote "lat=48,850000", another query or none. */
static int locale_teardown(void **state) {
    setlocale(LC_NUMERIC, "C");
    return teardown(state);
}

static void coordinates_in_urls_are_locale_free(void **state) {
    if (!comma_locale_set(tmpdir))
        skip(); /* no comma locale installed and no localedef: nothing to show */
    script s = { .n = 1 };
    s.replies[0] = (mock_reply){ .status = 200, .body = em_latest };
    mock_http *m = mock_http_start(scripted, &s);
    char base[128], err[300];
    mock_http_url(m, "/v3", base, sizeof base);
    setenv("AIMETER_ELECTRICITYMAPS_URL", base, 1);
    aim_intensity_point pts[8];
    aim_provider_result r = { .points = pts, .cap = 8 };
    aim_provider_query q = em_query();
    q.cache_dir = NULL;
    q.zone = NULL;
    q.have_latlon = 1;
    q.lat = 48.85;
    q.lon = -2.35;
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), 0);
    assert_string_equal(mock_http_path(m, 0), "/v3/carbon-intensity/latest?lat=48.850000&lon=-2.350000"
                                              "&shouldUseFallbackCallerLookup=false&emissionFactorType=lifecycle");
    mock_http_stop(m);
    unsetenv("AIMETER_ELECTRICITYMAPS_URL");

    wt_state w = { .historical_status = 200, .forecast_status = 200 };
    m = mock_http_start(wt_handler, &w);
    mock_http_url(m, "", base, sizeof base);
    setenv("AIMETER_WATTTIME_URL", base, 1);
    q = (aim_provider_query){ .provider = "watttime", .have_latlon = 1, .lat = 38.5, .lon = -121.5,
                              .signal = AIM_SIGNAL_MARGINAL, .timeout_ms = 5000 };
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), 0);
    assert_string_equal(mock_http_path(m, 1), "/v3/region-from-loc?latitude=38.500000&longitude=-121.500000"
                                              "&signal_type=co2_moer");
    mock_http_stop(m);
    unsetenv("AIMETER_WATTTIME_URL");
}

/* ---------------------------------------------------------------- UK */

static void ukgrid_paths(void **state) {
    script s = { .n = 1 };
    s.replies[0] = (mock_reply){
        .status = 200,
        .body = "{\"data\":[{\"regionid\":12,\"dnoregion\":\"SSE South\",\"shortname\":\"South England\",\"postcode\":\"RG10\","
                "\"data\":[{\"from\":\"2026-11-21T09:00Z\",\"to\":\"2026-11-21T09:30Z\",\"intensity\":{\"forecast\":126,"
                "\"index\":\"moderate\"},\"generationmix\":[]}]}]}" };
    mock_http *m = mock_http_start(scripted, &s);
    char base[128], err[256];
    mock_http_url(m, "", base, sizeof base);
    setenv("AIMETER_UKGRID_URL", base, 1);
    aim_intensity_point pts[8];
    aim_provider_result r = { .points = pts, .cap = 8 };
    aim_provider_query q = { .provider = "ukgrid", .zone = "rg10", .timeout_ms = 5000 };
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), 0);
    assert_string_equal(mock_http_path(m, 0), "/regional/postcode/RG10");
    assert_string_equal(r.zone, "GB-region-12");
    assert_non_null(strstr(r.source, "South England"));
    assert_true(pts[0].g_per_kwh == 126);
    q.zone = "scotland";
    q.from_unix_ms = T0900;
    q.to_unix_ms = T0900 + 3600000;
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), 0);
    assert_string_equal(mock_http_path(m, 1), "/regional/intensity/2026-11-21T09:00Z/2026-11-21T10:00Z/regionid/16");
    /* The run's back-fill is the same history request. */
    q.from_unix_ms = q.to_unix_ms = 0;
    assert_int_equal(aim__provider_backfill(&q, T0900 + 60000, T0900 + 7200000, &r, err, sizeof err), 0);
    assert_string_equal(mock_http_path(m, 2), "/regional/intensity/2026-11-21T09:00Z/2026-11-21T11:00Z/regionid/16");
    assert_int_equal(r.n, 1);
    assert_true(pts[0].t_unix_ms == T0900);
    q.zone = "18";
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -ENOENT);
    q.zone = "nowhere";
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -EINVAL);
    q.zone = NULL;
    q.have_latlon = 1;
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -EINVAL);
    q.have_latlon = 0;
    q.signal = AIM_SIGNAL_MARGINAL;
    assert_int_equal(aim__provider_fetch(&q, &r, err, sizeof err), -EOPNOTSUPP);
    mock_http_stop(m);
    unsetenv("AIMETER_UKGRID_URL");
}

/* ---------------------------------------------------------------- credentials file */

static void credentials_file_permissions(void **state) {
    char path[128], out[64], err[512];
    snprintf(path, sizeof path, "%s/credentials", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("electricitymaps_api_key = from-file-key\n", f);
    fclose(f);
    unsetenv("ELECTRICITYMAPS_API_KEY");
    setenv("AIMETER_CREDENTIALS", path, 1);
    chmod(path, 0644);
    assert_int_equal(aim__credentials_get("ELECTRICITYMAPS_API_KEY", "electricitymaps_api_key", out, sizeof out, err,
                                         sizeof err), -EACCES);
    assert_non_null(strstr(err, "chmod 600"));
    assert_null(strstr(err, "from-file-key"));
    chmod(path, 0600);
    assert_int_equal(aim__credentials_get("ELECTRICITYMAPS_API_KEY", "electricitymaps_api_key", out, sizeof out, err,
                                         sizeof err), 0);
    assert_string_equal(out, "from-file-key");
    /* The environment wins over the file. */
    setenv("ELECTRICITYMAPS_API_KEY", "env-key", 1);
    assert_int_equal(aim__credentials_get("ELECTRICITYMAPS_API_KEY", "electricitymaps_api_key", out, sizeof out, err,
                                         sizeof err), 0);
    assert_string_equal(out, "env-key");
    setenv("ELECTRICITYMAPS_API_KEY", "bad\nkey", 1);
    assert_int_equal(aim__credentials_get("ELECTRICITYMAPS_API_KEY", "electricitymaps_api_key", out, sizeof out, err,
                                         sizeof err), -EACCES);
    unsetenv("ELECTRICITYMAPS_API_KEY");
    assert_int_equal(aim__credentials_get("WATTTIME_USERNAME_X", "watttime_username", out, sizeof out, err, sizeof err),
                     -EACCES);
    assert_non_null(strstr(err, "watttime_username"));
    setenv("AIMETER_CREDENTIALS", "/nonexistent/aimeter-credentials", 1);
    setenv("ELECTRICITYMAPS_API_KEY", KEY, 1);
}

/* ---------------------------------------------------------------- feed */

typedef struct feed_script {
    int rate_limit_at; /* request index answered with 429 Retry-After: 1, -1 none */
    int fail_at;       /* request index answered with 500, -1 none */
    char bodies[8][256];
} feed_script;

static void feed_handler(const char *path, const char *headers, int index, void *userdata, mock_reply *reply) {
    feed_script *f = userdata;
    if (index == f->rate_limit_at) {
        *reply = (mock_reply){ .status = 429, .headers = "Retry-After: 1\r\n", .body = "{}" };
        return;
    }
    if (index == f->fail_at) {
        *reply = (mock_reply){ .status = 500, .body = "{}" };
        return;
    }
    /* A new hour every other request, so points repeat and must be deduplicated; from
     * request 4 on, always hour 2 (however many polls happen before the stop). */
    int b = index / 2 < 2 ? index / 2 : 2;
    *reply = (mock_reply){ .status = 200, .body = f->bodies[b] };
}

static void feed_polls_dedupes_and_honours_retry_after(void **state) {
    feed_script fs = { .rate_limit_at = 3, .fail_at = -1 };
    for (int i = 0; i < 8; i++)
        snprintf(fs.bodies[i], sizeof fs.bodies[i],
                 "{\"zone\":\"DE\",\"carbonIntensity\":%d,\"datetime\":\"2026-11-21T%02d:00:00Z\"}", 100 + i, i);
    mock_http *m = mock_http_start(feed_handler, &fs);
    char base[128];
    mock_http_url(m, "/v3", base, sizeof base);
    setenv("AIMETER_ELECTRICITYMAPS_URL", base, 1);
    aim_provider_query q = em_query();
    q.cache_dir = NULL; /* the cache would (rightly) answer for 5 minutes */
    aim_provider_feed *f;
    assert_int_equal(aim__provider_feed_new(&q, 50, &f), 0);
    aim_intensity_point p;
    char note[256];
    assert_int_equal(aim__provider_feed_latest(f, &p, note, sizeof note), -ENODATA);
    assert_non_null(strstr(note, "waiting"));
    assert_int_equal(aim__provider_feed_start(f), 0);
    assert_int_equal(aim__provider_feed_start(f), -EALREADY);
    while (mock_http_count(m) < 6)
        usleep(10000);
    aim__provider_feed_stop(f);
    int n = mock_http_count(m);
    /* Request 3 got 429 Retry-After: 1; request 4 came at least a second later, while the
     * others follow the 50 ms cadence. */
    int64_t gap = mock_http_time_ms(m, 4) - mock_http_time_ms(m, 3);
    assert_true(gap >= 950);
    assert_true(mock_http_time_ms(m, 2) - mock_http_time_ms(m, 1) < 900);
    uint64_t polls, failures;
    aim__provider_feed_counts(f, &polls, &failures);
    assert_true(polls >= 6 && polls <= (uint64_t)n + 1);
    assert_int_equal(failures, 1);
    /* Successful requests 0,1,2,4,5 carry hours 0,0,1,2,2: three distinct points. */
    aim_intensity_point pts[16];
    aim_provider_result r = { .points = pts, .cap = 16 };
    assert_int_equal(aim__provider_feed_points(f, &r), 0);
    assert_int_equal(r.n, 3);
    assert_true(pts[0].g_per_kwh == 100 && pts[1].g_per_kwh == 101 && pts[2].g_per_kwh == 102);
    assert_true(pts[2].t_unix_ms - pts[0].t_unix_ms == 2 * 3600000LL);
    assert_string_equal(r.zone, "DE");
    assert_int_equal(aim__provider_feed_latest(f, &p, note, sizeof note), 0);
    assert_true(p.g_per_kwh == 102);
    r.cap = 2;
    assert_int_equal(aim__provider_feed_points(f, &r), -ENOBUFS);
    assert_int_equal(r.n, 3);
    aim__provider_feed_free(f);
    mock_http_stop(m);

    /* Back-off: after a failure the next poll waits cadence/4, doubling while it fails. */
    feed_script fail = { .rate_limit_at = -1, .fail_at = 0 };
    snprintf(fail.bodies[0], sizeof fail.bodies[0], "%s", em_latest);
    for (int i = 1; i < 8; i++)
        snprintf(fail.bodies[i], sizeof fail.bodies[i], "%s", em_latest);
    m = mock_http_start(feed_handler, &fail);
    mock_http_url(m, "/v3", base, sizeof base);
    setenv("AIMETER_ELECTRICITYMAPS_URL", base, 1);
    assert_int_equal(aim__provider_feed_new(&q, 400, &f), 0);
    assert_int_equal(aim__provider_feed_start(f), 0);
    while (mock_http_count(m) < 2)
        usleep(10000);
    int64_t retry = mock_http_time_ms(m, 1) - mock_http_time_ms(m, 0);
    assert_true(retry >= 90 && retry < 350); /* 100 ms, not the 400 ms cadence */
    aim__provider_feed_free(f); /* stops a sleeping thread at once */
    mock_http_stop(m);
    unsetenv("AIMETER_ELECTRICITYMAPS_URL");

    /* A query that can never work is refused at creation. */
    q.signal = AIM_SIGNAL_MARGINAL;
    assert_int_equal(aim__provider_feed_new(&q, 50, &f), -EOPNOTSUPP);
    aim__provider_feed_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(http_basics_and_limits),
        cmocka_unit_test_teardown(http_plain_only_to_loopback_never_proxied, no_proxy_teardown),
        cmocka_unit_test(http_redirects_stay_on_origin),
        cmocka_unit_test(retry_after_values),
        cmocka_unit_test_setup_teardown(em_fetch_cache_and_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(em_errors_and_secrets, setup, teardown),
        cmocka_unit_test_setup_teardown(em_error_body_never_leaks_part_of_the_key, setup, teardown),
        cmocka_unit_test_setup_teardown(em_history_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(watttime_access_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(coordinates_in_urls_are_locale_free, setup, locale_teardown),
        cmocka_unit_test_setup_teardown(ukgrid_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(credentials_file_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(feed_polls_dedupes_and_honours_retry_after, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
