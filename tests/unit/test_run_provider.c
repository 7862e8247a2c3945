/* A live provider in a run (engine/run_provider.h, choose.c's provider slot): the merge of
 * back-filled history with the points received live, the fallback when the provider cannot
 * answer at the start (one warning naming the provider and the table row, never the key),
 * the bridge that appends each new polled point to the run's series, the configuration's
 * checks, and replacing a series. Every provider is a loopback server (mock_http.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/choose.h"
#include "engine/run_provider.h"
#include "engine/config.h"
#include "mock_http.h"

#define T0900 1795251600000LL /* 2026-11-21T09:00:00Z */
#define MIN_MS 60000LL
#define KEY "em-test-key-0123456789"

static char tmpdir[64];

static int setup(void **state) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/aim_run_provider_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    setenv("XDG_CACHE_HOME", tmpdir, 1); /* the start's fetch uses the default cache */
    setenv("ELECTRICITYMAPS_API_KEY", KEY, 1);
    setenv("AIMETER_CREDENTIALS", "/nonexistent/aimeter-credentials", 1);
    unsetenv("AIMETER_PROVIDER_CADENCE");
    return 0;
}

static int teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    assert_int_equal(system(cmd), 0);
    unsetenv("AIMETER_ELECTRICITYMAPS_URL");
    unsetenv("AIMETER_PROVIDER_CADENCE");
    return 0;
}

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static aim_config *em_config(const char *zone) {
    aim_config *cfg;
    assert_int_equal(aim_config_new(&cfg), 0);
    assert_int_equal(aim_config_set_zone(cfg, zone), 0);
    assert_int_equal(aim_config_set_provider(cfg, "electricitymaps", NULL, 0), 0);
    return cfg;
}

/* ---------------------------------------------------------------- merge */

static void merge_history_wins_over_its_span(void **state) {
    const int64_t T = T0900;
    /* live: 09:00 302 (the start's answer), 09:30 400 (polled; the history says otherwise
     * for that time), 10:10 420 (newer than the history's last point) */
    const aim_intensity_point live[] = { { T, 302 }, { T + 30 * MIN_MS, 400 }, { T + 70 * MIN_MS, 420 } };
    const aim_intensity_point hist[] = { { T, 310 }, { T + 60 * MIN_MS, 500 } };
    aim_prov_series out;
    /* The run: 09:20 to 10:30. History covers [09:00, 10:00]: its values there; the live
     * 09:30 point is inside it and goes; 10:10 is after it and stays. */
    assert_int_equal(aim__run_provider_merge(live, 3, hist, 2, T + 20 * MIN_MS, T + 90 * MIN_MS, &out), 0);
    assert_int_equal(out.n, 3);
    assert_true(out.p[0].t_unix_ms == T && out.p[0].g_per_kwh == 310);
    assert_true(out.p[1].t_unix_ms == T + 60 * MIN_MS && out.p[1].g_per_kwh == 500);
    assert_true(out.p[2].t_unix_ms == T + 70 * MIN_MS && out.p[2].g_per_kwh == 420);
    aim__prov_series_free(&out);

    /* A run that ended at 10:05: 10:10 is after it. */
    assert_int_equal(aim__run_provider_merge(live, 3, hist, 2, T + 20 * MIN_MS, T + 65 * MIN_MS, &out), 0);
    assert_int_equal(out.n, 2);
    assert_true(out.p[1].g_per_kwh == 500);
    aim__prov_series_free(&out);

    /* A history that starts after the run did (10:00): the live value before it stays in
     * force until then (09:30's 400, the one in force at 09:40). */
    assert_int_equal(aim__run_provider_merge(live, 3, hist + 1, 1, T + 40 * MIN_MS, T + 65 * MIN_MS, &out), 0);
    assert_int_equal(out.n, 2);
    assert_true(out.p[0].t_unix_ms == T + 30 * MIN_MS && out.p[0].g_per_kwh == 400);
    assert_true(out.p[1].t_unix_ms == T + 60 * MIN_MS && out.p[1].g_per_kwh == 500);
    aim__prov_series_free(&out);

    /* No history: the live points, clipped to the run (09:30 in force at 09:45). */
    assert_int_equal(aim__run_provider_merge(live, 3, NULL, 0, T + 45 * MIN_MS, T + 65 * MIN_MS, &out), 0);
    assert_int_equal(out.n, 1);
    assert_true(out.p[0].g_per_kwh == 400);
    aim__prov_series_free(&out);
}

/* ---------------------------------------------------------------- the start */

typedef struct em_server {
    atomic_int latest_requests;
    atomic_int history_requests;
    int status;           /* of every answer; 200: the bodies below */
    int revise_after;     /* latest requests after which 10:00 is published (then revised) */
} em_server;

static void em_handler(const char *path, const char *headers, int index, void *userdata,
                       mock_reply *reply) {
    em_server *e = userdata;
    static char body[2][512];
    if (e->status != 200) {
        *reply = (mock_reply){ .status = e->status,
                               .body = "{\"message\":\"invalid auth-token " KEY "\",\"status\":401}" };
        return;
    }
    if (strstr(path, "/history") || strstr(path, "/past-range")) {
        int n = atomic_fetch_add(&e->history_requests, 1);
        (void)n;
        const char *key = strstr(path, "/history") ? "history" : "data";
        snprintf(body[1], sizeof body[1],
                 "{\"zone\":\"DE\",\"%s\":[{\"carbonIntensity\":305,\"datetime\":\"2026-11-21T09:00:00.000Z\"},"
                 "{\"carbonIntensity\":355,\"datetime\":\"2026-11-21T10:00:00.000Z\"}]}", key);
        *reply = (mock_reply){ .status = 200, .body = body[1] };
        return;
    }
    int n = atomic_fetch_add(&e->latest_requests, 1);
    if (e->revise_after && n >= e->revise_after)
        snprintf(body[0], sizeof body[0], "{\"zone\":\"DE\",\"carbonIntensity\":%d,\"datetime\":"
                 "\"2026-11-21T10:00:00.000Z\",\"emissionFactorType\":\"lifecycle\"}",
                 n >= e->revise_after + 2 ? 360 : 350);
    else
        snprintf(body[0], sizeof body[0], "{\"zone\":\"DE\",\"carbonIntensity\":302,\"datetime\":"
                 "\"2026-11-21T09:00:00.000Z\",\"emissionFactorType\":\"lifecycle\"}");
    *reply = (mock_reply){ .status = 200, .body = body[0] };
}

static void start_answers_or_falls_back_with_one_warning(void **state) {
    aim_config *cfg = em_config("DE");
    char warning[512], err[256];
    struct aim_run_provider *live = NULL;
    aim_intensity_series s;

    /* Nothing listens on port 1: the table's row for DE, and a warning that says so. */
    setenv("AIMETER_ELECTRICITYMAPS_URL", "http://127.0.0.1:1/v3", 1);
    assert_int_equal(aim__intensity_series_init(&s), 0);
    assert_int_equal(aim__intensity_choose_live(cfg, T0900, &s, &live, warning, sizeof warning, err, sizeof err), 0);
    assert_null(live);
    assert_int_equal(s.origin, AIM_ORIGIN_ZONE);
    assert_string_equal(s.zone, "DE");
    assert_int_equal(s.n, 1);
    assert_non_null(strstr(warning, "electricitymaps: "));
    assert_int_equal(strncmp(warning, "electricitymaps: ", 17), 0);
    assert_non_null(strstr(warning, "using the built-in table value for DE instead (Germany"));
    assert_null(strchr(warning, '\n')); /* one line */
    aim__intensity_series_destroy(&s);

    /* A refused key (HTTP 401, whose body echoes it): the same fallback, the key hidden. */
    em_server e = { .status = 401 };
    mock_http *m = mock_http_start(em_handler, &e);
    char base[128];
    mock_http_url(m, "/v3", base, sizeof base);
    setenv("AIMETER_ELECTRICITYMAPS_URL", base, 1);
    assert_int_equal(aim__intensity_series_init(&s), 0);
    assert_int_equal(aim__intensity_choose_live(cfg, T0900, &s, &live, warning, sizeof warning, err, sizeof err), 0);
    assert_null(live);
    assert_int_equal(s.origin, AIM_ORIGIN_ZONE);
    assert_non_null(strstr(warning, "HTTP 401"));
    assert_null(strstr(warning, KEY));
    assert_non_null(strstr(warning, "for DE instead"));
    aim__intensity_series_destroy(&s);

    /* The provider answers: its point starts the series, with what it is. */
    e.status = 200;
    assert_int_equal(aim__intensity_series_init(&s), 0);
    assert_int_equal(aim__intensity_choose_live(cfg, T0900, &s, &live, warning, sizeof warning, err, sizeof err), 0);
    assert_non_null(live);
    assert_string_equal(warning, "");
    assert_int_equal(s.origin, AIM_ORIGIN_PROVIDER);
    assert_int_equal(s.n, 1);
    assert_true(s.points[0].t_unix_ms == T0900 && s.points[0].g_per_kwh == 302);
    assert_string_equal(s.zone, "DE");
    assert_int_equal(s.signal, AIM_SIGNAL_AVERAGE);
    assert_int_equal(s.basis, AIM_BASIS_LIFECYCLE);
    assert_non_null(strstr(s.source, "Electricity Maps API v3 carbon-intensity/latest, zone DE, fetched "));
    assert_non_null(strstr(s.source, ", average signal"));
    assert_null(strstr(s.source, "disk cache"));
    aim__run_provider_free(live);
    live = NULL;
    aim__intensity_series_destroy(&s);

    /* Again within the provider's cadence: the disk cache answers, and the source says so. */
    int before = atomic_load(&e.latest_requests);
    assert_int_equal(aim__intensity_series_init(&s), 0);
    assert_int_equal(aim__intensity_choose_live(cfg, T0900, &s, &live, warning, sizeof warning, err, sizeof err), 0);
    assert_int_equal(atomic_load(&e.latest_requests), before);
    assert_non_null(strstr(s.source, "from the disk cache"));
    aim__run_provider_free(live);
    live = NULL;
    aim__intensity_series_destroy(&s);

    /* aim__intensity_choose never asks a provider. */
    assert_int_equal(aim__intensity_series_init(&s), 0);
    assert_int_equal(aim__intensity_choose(cfg, T0900, &s, err, sizeof err), 0);
    assert_int_equal(s.origin, AIM_ORIGIN_ZONE);
    assert_int_equal(atomic_load(&e.latest_requests), before);
    aim__intensity_series_destroy(&s);
    mock_http_stop(m);

    /* A marginal signal asked (WattTime) and not answered: the table's operating margin of
     * the zone's country is the closest offline figure. */
    aim_config *wt;
    assert_int_equal(aim_config_new(&wt), 0);
    assert_int_equal(aim_config_set_zone(wt, "DE"), 0);
    assert_int_equal(aim_config_set_provider(wt, "watttime", "CAISO_NORTH", 1), 0);
    setenv("AIMETER_WATTTIME_URL", "http://127.0.0.1:1", 1);
    assert_int_equal(aim__intensity_series_init(&s), 0);
    assert_int_equal(aim__intensity_choose_live(wt, T0900, &s, &live, warning, sizeof warning, err, sizeof err), 0);
    assert_null(live);
    assert_int_equal(s.origin, AIM_ORIGIN_ZONE);
    assert_int_equal(s.signal, AIM_SIGNAL_MARGINAL);
    assert_int_equal(strncmp(warning, "watttime: ", 10), 0);
    aim__intensity_series_destroy(&s);
    unsetenv("AIMETER_WATTTIME_URL");
    aim_config_free(wt);
    aim_config_free(cfg);
}

/* ---------------------------------------------------------------- the bridge */

static void polled_points_reach_the_series_as_they_arrive(void **state) {
    em_server e = { .status = 200, .revise_after = 2 };
    mock_http *m = mock_http_start(em_handler, &e);
    char base[128];
    mock_http_url(m, "/v3", base, sizeof base);
    setenv("AIMETER_ELECTRICITYMAPS_URL", base, 1);
    setenv("AIMETER_PROVIDER_CADENCE", "100ms", 1); /* and no cache for the polls */
    aim_config *cfg = em_config("DE");
    aim_intensity_series s;
    assert_int_equal(aim__intensity_series_init(&s), 0);
    aim_run_provider *p = NULL;
    char note[256];
    assert_int_equal(aim__run_provider_open(cfg, 3000, &s, &p, note, sizeof note), 0);
    assert_int_equal(s.n, 1);
    /* The writer has priced up to 10:30: the 10:00 value (350) applies from there; its
     * revision (360) from just after it, since nothing was priced in between. */
    const int64_t priced = T0900 + 90 * MIN_MS;
    s.priced_until_ms = priced;
    assert_int_equal(aim__run_provider_start(p, &s, 0), 0);
    assert_int_equal(aim__run_provider_start(p, &s, 0), -EALREADY);
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&s.lock);
        size_t n = s.n;
        pthread_mutex_unlock(&s.lock);
        if (n >= 3)
            break;
        sleep_ms(25);
    }
    aim__run_provider_stop(p);
    aim__run_provider_stop(p); /* idempotent */
    assert_int_equal(s.n, 3);
    assert_true(s.points[0].t_unix_ms == T0900 && s.points[0].g_per_kwh == 302);
    assert_true(s.points[1].t_unix_ms == priced && s.points[1].g_per_kwh == 350);
    assert_true(s.points[2].t_unix_ms == priced + 1 && s.points[2].g_per_kwh == 360);
    assert_int_equal(s.moved, 1);
    /* At their own times: 09:00 and 10:00 (the revision replaced 350). */
    assert_int_equal(aim__run_provider_received(p), 2);
    uint64_t polls, failures;
    aim__run_provider_counts(p, &polls, &failures, NULL, 0);
    assert_true(polls >= 4);
    assert_true(failures == 0);

    /* The back-fill of 09:30-10:45: the history's values where it has them. */
    aim_prov_series best;
    char source[192];
    assert_int_equal(aim__run_provider_backfill(p, T0900 + 30 * MIN_MS, T0900 + 105 * MIN_MS, 5000, &best,
                                               source, sizeof source, note, sizeof note), 0);
    assert_int_equal(atomic_load(&e.history_requests), 1);
    assert_int_equal(best.n, 2);
    assert_true(best.p[0].t_unix_ms == T0900 && best.p[0].g_per_kwh == 305);
    assert_true(best.p[1].t_unix_ms == T0900 + 60 * MIN_MS && best.p[1].g_per_kwh == 355);
    assert_non_null(strstr(source, "zone DE, fetched "));
    aim__prov_series_free(&best);

    /* The provider gone at the end: an error with a reason, nothing invented. */
    mock_http_stop(m);
    assert_true(aim__run_provider_backfill(p, T0900 + 30 * MIN_MS, T0900 + 105 * MIN_MS, 2000, &best, source,
                                          sizeof source, note, sizeof note) < 0);
    assert_true(note[0] != '\0');
    aim__run_provider_free(p);
    aim__intensity_series_destroy(&s);
    aim_config_free(cfg);
}

/* ---------------------------------------------------------------- configuration */

static void configuration_is_checked_without_io(void **state) {
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    char err[256];
    /* Nowhere to ask. */
    assert_int_equal(aim_config_set_provider(c, "electricitymaps", NULL, 0), -EINVAL);
    assert_non_null(strstr(aim_config_errmsg(c), "needs a zone or a position"));
    assert_string_equal(c->provider, "");
    assert_int_equal(aim_config_set_provider(c, "electricitymap", "DE", 0), -EINVAL);
    assert_non_null(strstr(aim_config_errmsg(c), "unknown provider"));
    assert_int_equal(aim_config_set_provider(c, "electricitymaps", "DE", 1), -EOPNOTSUPP);
    assert_int_equal(aim_config_set_provider(c, "electricitymaps", "D E", 0), -EINVAL);
    assert_string_equal(c->provider, "");
    assert_int_equal(aim_config_set_provider(c, "electricitymaps", "DE", 0), 0);
    assert_string_equal(c->provider, "electricitymaps");
    assert_string_equal(c->provider_region, "DE");
    /* A refused change leaves the previous provider. */
    assert_int_equal(aim_config_set_provider(c, "ukgrid", NULL, 1), -EOPNOTSUPP);
    assert_string_equal(c->provider, "electricitymaps");
    assert_int_equal(c->marginal, 0);
    /* A position: EM and WattTime locate it, the UK API cannot. */
    assert_int_equal(aim_config_set_location(c, 91, 0), -EINVAL);
    assert_int_equal(aim_config_set_location(c, 52.52, 13.40), 0);
    assert_int_equal(aim_config_set_provider(c, "watttime", NULL, 1), 0);
    assert_int_equal(c->marginal, 1);
    aim_provider_query q;
    assert_int_equal(aim__run_provider_query(c, &q, err, sizeof err), 0);
    assert_true(q.have_latlon && q.lat == 52.52 && q.lon == 13.40 && q.zone == NULL);
    assert_int_equal(q.signal, AIM_SIGNAL_MARGINAL);
    assert_int_equal(aim_config_set_provider(c, "ukgrid", NULL, 0), -EINVAL);
    assert_non_null(strstr(aim_config_errmsg(c), "no latitude/longitude lookup"));
    /* The provider's own region wins over the position. */
    assert_int_equal(aim_config_set_provider(c, "ukgrid", "12", 0), 0);
    assert_int_equal(aim__run_provider_query(c, &q, err, sizeof err), 0);
    assert_string_equal(q.zone, "12");
    assert_false(q.have_latlon);
    assert_int_equal(aim_config_set_provider(c, NULL, NULL, 0), 0);
    assert_string_equal(c->provider, "");
    assert_int_equal(aim__run_provider_query(c, &q, err, sizeof err), -ENOENT);
    aim_config_free(c);
}

static void a_series_is_replaced_whole_or_not_at_all(void **state) {
    aim_intensity_series s;
    assert_int_equal(aim__intensity_series_init(&s), 0);
    s.priced_until_ms = 1200;
    const aim_intensity_point a[] = { { 1000, 100 }, { 1500, 200 } };
    assert_int_equal(aim__intensity_series_append(&s, a, 2), 0);
    assert_int_equal(s.moved, 1); /* 1000 applied from 1200 */
    const aim_intensity_point bad[] = { { 1000, 300 }, { 1000, 400 } };
    assert_int_equal(aim__intensity_series_replace(&s, bad, 2), -EINVAL);
    assert_int_equal(s.n, 2);
    assert_true(s.points[0].t_unix_ms == 1200 && s.points[0].g_per_kwh == 100);
    const aim_intensity_point good[] = { { 1000, 300 }, { 1500, 400 }, { 2500, 500 } };
    assert_int_equal(aim__intensity_series_replace(&s, good, 3), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.moved, 0);
    assert_true(s.points[1].t_unix_ms == 1500 && s.points[2].g_per_kwh == 500);
    aim__intensity_series_destroy(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merge_history_wins_over_its_span),
        cmocka_unit_test_setup_teardown(start_answers_or_falls_back_with_one_warning, setup, teardown),
        cmocka_unit_test_setup_teardown(polled_points_reach_the_series_as_they_arrive, setup, teardown),
        cmocka_unit_test(configuration_is_checked_without_io),
        cmocka_unit_test(a_series_is_replaced_whole_or_not_at_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
