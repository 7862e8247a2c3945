/* The store's JSON API (api/serve_api.h) as pure functions of (store, request), on the
 * golden store (tests/fixtures/store/golden.sql): routes, filters, the series' decimation
 * bound, and 400/404/405 with a JSON error. No socket: the request's query is a table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"
#include "api/serve_api.h"
#include "util/fileio.h"
#include "serve_rig.h"

#define TRAIN "20261207-083158-a90897"
#define INFER "20261207-083159-769624"

static char dir[] = "/tmp/aim-serve-api-XXXXXX";
static char db_path[160];
static aim_store *store;

/* GET path?kv: the answer parsed, its status in *status (the caller decrefs). */
static json_t *get(const char *method, const char *path, const char *const *kv,
                   unsigned *status, const char **allow) {
    serve_rig_query q;
    aim_http_request req = serve_rig_request(&q, method, path, kv);
    aim_http_response resp = { 0 };
    aim_serve_ctx ctx = { .store = store };
    assert_int_equal(aim__serve_api_handle(&ctx, &req, &resp), 0);
    assert_non_null(resp.body);
    assert_string_equal(resp.type, AIM_SERVE_JSON_TYPE);
    *status = resp.status;
    if (allow)
        *allow = resp.allow;
    json_error_t e;
    json_t *j = json_loadb(resp.body, resp.len, 0, &e);
    free(resp.body);
    assert_non_null(j);
    return j;
}

static int setup(void **state) {
    (void)state;
    assert_int_equal(serve_rig_temp_db(dir, db_path, sizeof db_path, SERVE_RIG_GOLDEN_SQL), 0);
    assert_int_equal(aim_store_new(&store), 0);
    assert_int_equal(aim_store_open(store, db_path, 1), 0);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    aim_store_free(store);
    serve_rig_remove_db(dir, db_path);
    return 0;
}

static void test_runs_list_and_filters(void **state) {
    (void)state;
    unsigned st;
    json_t *all = get("GET", "/api/runs", NULL, &st, NULL);
    assert_int_equal(st, 200);
    assert_true(json_array_size(all) >= 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 0), "id")), INFER);
    size_t n_all = json_array_size(all);
    json_decref(all);

    const char *q[] = { "q", "trai", NULL };
    json_t *j = get("GET", "/api/runs", q, &st, NULL);
    assert_int_equal(json_array_size(j), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "id")), TRAIN);
    json_decref(j);

    const char *tag[] = { "tag", "batch=64", NULL };
    j = get("GET", "/api/runs", tag, &st, NULL);
    assert_int_equal(json_array_size(j), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "id")), TRAIN);
    json_decref(j);
    const char *job[] = { "job", "4242", NULL }; /* slurm_job=4242 */
    j = get("GET", "/api/runs", job, &st, NULL);
    assert_int_equal(json_array_size(j), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "id")), INFER);
    json_decref(j);
    const char *host[] = { "host", "elsewhere", NULL };
    j = get("GET", "/api/runs", host, &st, NULL);
    assert_int_equal(json_array_size(j), 0);
    json_decref(j);
    const char *dates[] = { "from", "2026-12-07", "to", "2026-12-07", NULL };
    j = get("GET", "/api/runs", dates, &st, NULL);
    assert_int_equal(json_array_size(j), n_all);
    json_decref(j);
    const char *later[] = { "from", "2026-12-08", NULL };
    j = get("GET", "/api/runs", later, &st, NULL);
    assert_int_equal(json_array_size(j), 0);
    json_decref(j);
    const char *far[] = { "to", "9999-12-31", NULL }; /* past int64 nanoseconds */
    j = get("GET", "/api/runs", far, &st, NULL);
    assert_int_equal(json_array_size(j), n_all);
    json_decref(j);
    const char *page[] = { "offset", "1", "limit", "1", NULL };
    j = get("GET", "/api/runs", page, &st, NULL);
    assert_int_equal(json_array_size(j), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "id")), TRAIN);
    json_decref(j);
}

static void expect_error(const char *method, const char *path, const char *const *kv,
                         unsigned status) {
    unsigned st;
    const char *allow = NULL;
    json_t *j = get(method, path, kv, &st, &allow);
    assert_int_equal(st, status);
    assert_true(json_is_string(json_object_get(j, "error")));
    if (status == 405)
        assert_string_equal(allow, "GET, HEAD");
    json_decref(j);
}

static void test_errors(void **state) {
    (void)state;
    const char *bad_limit[] = { "limit", "0", NULL }, *bad_from[] = { "from", "yesterday", NULL },
               *bad_tag[] = { "tag", "novalue", NULL }, *bad_points[] = { "points", "1", NULL },
               *bad_metric[] = { "metrics", "gpu9.power", NULL },
               *backwards[] = { "from", "1", "to", "0.5", NULL };
    expect_error("GET", "/api/runs", bad_limit, 400);
    expect_error("GET", "/api/runs", bad_from, 400);
    expect_error("GET", "/api/runs", bad_tag, 400);
    expect_error("GET", "/api/runs/" TRAIN "/series", bad_points, 400);
    expect_error("GET", "/api/runs/" TRAIN "/series", bad_metric, 400);
    expect_error("GET", "/api/runs/" TRAIN "/series", backwards, 400);
    expect_error("GET", "/api/runs/no-such-run", NULL, 404);
    expect_error("GET", "/api/runs/../../etc/passwd", NULL, 404);
    expect_error("GET", "/api/runs/..", NULL, 400);
    expect_error("GET", "/api/runs/%2e%2e", NULL, 400);
    expect_error("GET", "/etc/passwd", NULL, 404);
    expect_error("GET", "/api/nothing", NULL, 404);
    expect_error("POST", "/api/runs", NULL, 405);
    expect_error("DELETE", "/api/runs/" TRAIN, NULL, 405);
}

static void test_report_is_the_cli_json(void **state) {
    (void)state;
    unsigned st;
    json_t *j = get("GET", "/api/runs/" TRAIN, NULL, &st, NULL);
    assert_int_equal(st, 200);
    char *text;
    assert_int_equal(aim_report_render(store, TRAIN, AIM_FORMAT_JSON, &text), 0);
    json_t *want = json_loads(text, 0, NULL);
    free(text);
    assert_true(json_equal(j, want));
    json_decref(want);
    json_decref(j);
}

/* points bounds each series; the decimation keeps the extremes of the window. */
static void test_series_decimated(void **state) {
    (void)state;
    unsigned st;
    const char *all[] = { "points", "100000", NULL };
    json_t *full = get("GET", "/api/runs/" TRAIN "/series", all, &st, NULL);
    assert_int_equal(st, 200);
    json_t *series = json_object_get(full, "series");
    assert_true(json_array_size(series) >= 1);
    for (long points = 2; points <= 8; points += 2) {
        char p[16];
        snprintf(p, sizeof p, "%ld", points);
        const char *kv[] = { "points", p, NULL };
        json_t *j = get("GET", "/api/runs/" TRAIN "/series", kv, &st, NULL);
        assert_int_equal(st, 200);
        json_t *s = json_object_get(j, "series");
        assert_int_equal(json_array_size(s), json_array_size(series));
        for (size_t i = 0; i < json_array_size(s); i++) {
            json_t *v = json_object_get(json_array_get(s, i), "v");
            json_t *fv = json_object_get(json_array_get(series, i), "v");
            assert_true(json_array_size(v) <= (size_t)points);
            double mn = INFINITY, mx = -INFINITY, fmn = INFINITY, fmx = -INFINITY;
            for (size_t k = 0; k < json_array_size(v); k++)
                if (json_is_number(json_array_get(v, k))) {
                    mn = fmin(mn, json_number_value(json_array_get(v, k)));
                    mx = fmax(mx, json_number_value(json_array_get(v, k)));
                }
            for (size_t k = 0; k < json_array_size(fv); k++)
                if (json_is_number(json_array_get(fv, k))) {
                    fmn = fmin(fmn, json_number_value(json_array_get(fv, k)));
                    fmx = fmax(fmx, json_number_value(json_array_get(fv, k)));
                }
            assert_true(mn == fmn && mx == fmx);
        }
        json_decref(j);
    }
    json_decref(full);
    const char *one[] = { "metrics", "gpu0.power", NULL };
    json_t *j = get("GET", "/api/runs/" TRAIN "/series", one, &st, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "series")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "series"), 0), "name")),
                        "gpu0.power");
    json_decref(j);
}

/* The tables: the CLI's own JSON (aim_zone_select_json, aim_gpu_table_render). */
static void test_tables(void **state) {
    (void)state;
    unsigned st;
    const char *kv[] = { "q", "fr", "marginal", "0", NULL };
    json_t *j = get("GET", "/api/zones", kv, &st, NULL);
    assert_int_equal(st, 200);
    aim_zone_query q = { .query = "fr" };
    char *text;
    assert_int_equal(aim_zone_select_json(&q, &text, NULL), 0);
    json_t *want = json_loads(text, 0, NULL);
    free(text);
    assert_true(json_array_size(j) > 0 && json_equal(j, want));
    json_decref(want);
    json_decref(j);
    j = get("HEAD", "/api/hardware", NULL, &st, NULL);
    assert_int_equal(st, 200);
    assert_true(json_array_size(j) > 10);
    json_decref(j);
    const char *bad[] = { "all", "yes", NULL };
    expect_error("GET", "/api/zones", bad, 400);
    expect_error("PUT", "/api/hardware", NULL, 405);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_list_and_filters),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_report_is_the_cli_json),
        cmocka_unit_test(test_series_decimated),
        cmocka_unit_test(test_tables),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
