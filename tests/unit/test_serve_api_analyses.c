/* The analyses of the JSON API (api/serve_api_analyses.h) and the library functions behind
 * the new CLI options (aim_whatif_rank_render, aim_zone_select_year), on the golden store
 * (tests/fixtures/store/golden.sql): each route's body is the CLI's --json (the same library
 * call), each bad parameter a 400 that names it, an unknown run a 404; a rank row's carbon
 * is bit for bit the what-if of that zone alone. No socket: the query is a table. */
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
#include "api/whatif.h"
#include "data/carbon.h"
#include "util/fileio.h"
#include "serve_rig.h"

#define TRAIN "20261207-083158-a90897"
#define INFER "20261207-083159-769624"
#define EPOCHS "20261207-083154-91009a" /* four completed "epoch N" phases */

static char dir[] = "/tmp/aim-serve-analyses-XXXXXX";
static char db_path[160];
static aim_store *store;

/* GET path?kv: the body (the caller frees), its status in *status. */
static char *get_text(const char *path, const char *const *kv, unsigned *status) {
    serve_rig_query q;
    aim_http_request req = serve_rig_request(&q, "GET", path, kv);
    aim_http_response resp = { 0 };
    aim_serve_ctx ctx = { .store = store };
    assert_int_equal(aim__serve_api_handle(&ctx, &req, &resp), 0);
    assert_non_null(resp.body);
    assert_string_equal(resp.type, AIM_SERVE_JSON_TYPE);
    *status = resp.status;
    return resp.body;
}

static json_t *parse(const char *text) {
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    assert_non_null(j);
    return j;
}

/* GET path?kv answers 200 with exactly `expected` (the CLI's --json text); frees it. */
static void expect_body(const char *path, const char *const *kv, char *expected) {
    unsigned st;
    char *got = get_text(path, kv, &st);
    assert_int_equal(st, 200);
    assert_string_equal(got, expected);
    free(got);
    free(expected);
}

/* GET path?kv answers status with {"error": ...} that contains `names`. */
static void expect_error(const char *path, const char *const *kv, unsigned status,
                         const char *names) {
    unsigned st;
    char *body = get_text(path, kv, &st);
    json_t *j = parse(body);
    const char *msg = json_string_value(json_object_get(j, "error"));
    if (st != status || !msg || !strstr(msg, names))
        fail_msg("%s: %u %s (wanted %u naming '%s')", path, st, body, status, names);
    json_decref(j);
    free(body);
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

/* ------------------------------------------------------------------ /view */

/* The JSON the page embeds in its element aimeter-data (escaped for <script>, which JSON
 * parsing undoes). */
static json_t *embedded_data(const char *html) {
    const char *tag = "<script type=\"application/json\" id=\"aimeter-data\">";
    const char *s = strstr(html, tag);
    assert_non_null(s);
    s += strlen(tag);
    const char *e = strstr(s, "</script>");
    assert_non_null(e);
    json_error_t err;
    json_t *j = json_loadb(s, (size_t)(e - s), 0, &err);
    assert_non_null(j);
    return j;
}

static void test_view_is_the_pages_data(void **state) {
    (void)state;
    static const struct { const char *zones, *buckets; unsigned b; } cases[] = {
        { NULL, NULL, 0 }, { "NO,PL@marginal,CA-SK", "50", 50 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *kv[] = { "zones", cases[i].zones, "buckets", cases[i].buckets, NULL };
        unsigned st;
        char *body = get_text("/api/runs/" TRAIN "/view", cases[i].zones ? kv : NULL, &st);
        assert_int_equal(st, 200);
        char *html = NULL;
        assert_int_equal(aim_report_render_html(store, TRAIN, cases[i].zones, cases[i].b, &html),
                         0);
        json_t *got = parse(body), *want = embedded_data(html);
        assert_string_equal(json_string_value(json_object_get(got, "schema")), "aimeter.html/1");
        assert_true(json_equal(got, want));
        json_decref(got);
        json_decref(want);
        free(body);
        free(html);
    }
    const char *few[] = { "buckets", "5", NULL };
    expect_error("/api/runs/" TRAIN "/view", few, 400, "buckets");
    /* the work under the store's lock is bounded: buckets and zones */
    const char *many[] = { "buckets", "20001", NULL };
    expect_error("/api/runs/" TRAIN "/view", many, 400, "buckets");
    char zones[33 * 3] = "";
    for (int i = 0; i < 33; i++)
        strcat(zones, i ? ",FR" : "FR");
    const char *lots[] = { "zones", zones, NULL };
    expect_error("/api/runs/" TRAIN "/view", lots, 400, "at most 32");
    expect_error("/api/runs/" TRAIN "/whatif", lots, 400, "zones");
    char hw[33 * 5] = "";
    for (int i = 0; i < 33; i++)
        strcat(hw, i ? ",A100" : "A100");
    const char *gpus[] = { "hardware", hw, NULL };
    expect_error("/api/runs/" TRAIN "/whatif", gpus, 400, "hardware");
    const char *zone[] = { "zones", "NOWHERE", NULL };
    expect_error("/api/runs/" TRAIN "/view", zone, 400, "zones");
    const char *path[] = { "zones", "../../etc/passwd", NULL };
    expect_error("/api/runs/" TRAIN "/view", path, 400, "zones");
    expect_error("/api/runs/nosuchrun/view", NULL, 404, "nosuchrun");
}

/* ------------------------------------------------------------------ /whatif */

static void test_whatif_zones_and_hardware(void **state) {
    (void)state;
    char *text = NULL;
    const char *kv[] = { "zones", "FR,PL@marginal,DE@2020,CA-SK", "pue", "1.2", NULL };
    assert_int_equal(aim_whatif_render(store, TRAIN, kv[1], NULL, 1.2, AIM_FORMAT_JSON, &text), 0);
    expect_body("/api/runs/" TRAIN "/whatif", kv, text);
    const char *aws[] = { "zones", "FR", "pue", "aws", NULL };
    double pue;
    assert_int_equal(aim_pue_lookup("aws", &pue, NULL), 0);
    assert_int_equal(aim_whatif_render(store, TRAIN, "FR", NULL, pue, AIM_FORMAT_JSON, &text), 0);
    expect_body("/api/runs/" TRAIN "/whatif", aws, text);

    const char *hw[] = { "hardware", "H100,MYCARD", "specs", "MYCARD:tdp=300,tflops=400",
                         "zones", "FR", NULL };
    assert_int_equal(aim_whatif_hardware_render_specs(store, TRAIN, "H100,MYCARD",
                                                      "MYCARD:tdp=300,tflops=400", "FR", 0,
                                                      AIM_FORMAT_JSON, &text), 0);
    expect_body("/api/runs/" TRAIN "/whatif", hw, text);

    const char *W = "/api/runs/" TRAIN "/whatif";
    expect_error(W, NULL, 400, "zones");
    const char *bad_zone[] = { "zones", "FR,XX-NOPE", NULL };
    expect_error(W, bad_zone, 400, "zones");
    const char *empty_item[] = { "zones", "FR,", NULL };
    expect_error(W, empty_item, 400, "zones");
    const char *bad_pue[] = { "zones", "FR", "pue", "0.5", NULL };
    expect_error(W, bad_pue, 400, "pue");
    const char *nan_pue[] = { "zones", "FR", "pue", "nan", NULL };
    expect_error(W, nan_pue, 400, "pue");
    const char *bad_hw[] = { "hardware", "NOSUCHGPU9000", NULL };
    expect_error(W, bad_hw, 400, "hardware");
    const char *lone_specs[] = { "zones", "FR", "specs", "X:tdp=1,tflops=1", NULL };
    expect_error(W, lone_specs, 400, "specs");
    const char *bad_specs[] = { "hardware", "H100", "specs", "H100:watts=3", NULL };
    expect_error(W, bad_specs, 400, "specs");
    expect_error("/api/runs/nosuchrun/whatif", kv, 404, "nosuchrun");
    const char *bad_id[] = { "zones", "FR", NULL };
    expect_error("/api/runs/a.b/whatif", bad_id, 400, "id");
}

/* The carbon `whatif --zones item` gives (its one zone row). */
static double whatif_carbon(const char *item, double pue) {
    char *text = NULL;
    assert_int_equal(aim_whatif_render(store, TRAIN, item, NULL, pue, AIM_FORMAT_JSON, &text), 0);
    json_t *j = parse(text);
    double g = json_number_value(json_object_get(json_array_get(json_object_get(j, "scenarios"), 1),
                                               "carbon_g"));
    json_decref(j);
    free(text);
    return g;
}

/* What the rank computes for a zone (its energy x intensity x PUE) is bit for bit the
 * replay's carbon of that zone alone, not only equal in the JSON's 15 digits. */
static void expect_exact(const char *item, double pue) {
    aim_whatif_job *job = NULL;
    aim_whatif_result res;
    assert_int_equal(aim__whatif_job_run(store, TRAIN, item, NULL, pue, &job, &res), 0);
    assert_int_equal(res.n_sc, 2);
    assert_true(aim__carbon_g(res.tot.energy_j, res.sc[1].points[0].g_per_kwh) * res.pue ==
                res.sc[1].carbon_g);
    aim__whatif_job_free(job);
}

/* The row of code in a rank, NULL when absent. */
static json_t *rank_row(json_t *rank, const char *code) {
    json_t *rows = json_object_get(rank, "rows"), *row;
    size_t i;
    json_array_foreach(rows, i, row)
        if (strcmp(json_string_value(json_object_get(row, "code")), code) == 0)
            return row;
    return NULL;
}

static void test_whatif_rank(void **state) {
    (void)state;
    static const struct {
        const char *signal, *year, *pue;
        int marginal, y;
        double p;
        const char *codes[4], *suffix;
    } cases[] = {
        { NULL, NULL, NULL, 0, 0, 0, { "FR", "CA-SK", "US-CAL-CISO", "PL" }, "" },
        { "marginal", NULL, "1.3", 1, 0, 1.3, { "PL", "CA", "FR", NULL }, "@marginal" },
        { "average", "2022", NULL, 0, 2022, 0, { "DE", "FR", "CA-SK", NULL }, "@2022" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *kv[] = { "rank", "1", "signal", cases[c].signal, "year", cases[c].year,
                             "pue", cases[c].pue, NULL };
        /* drop the absent parameters: the table ends at the first NULL value's key */
        const char *q[9] = { "rank", "1" };
        size_t n = 2;
        for (size_t i = 2; i < 8; i += 2)
            if (kv[i + 1]) {
                q[n++] = kv[i];
                q[n++] = kv[i + 1];
            }
        q[n] = NULL;
        aim_whatif_rank_request rq = { .marginal = cases[c].marginal, .year = cases[c].y,
                                       .pue = cases[c].p };
        char *cli = NULL;
        assert_int_equal(aim_whatif_rank_render(store, TRAIN, &rq, AIM_FORMAT_JSON, &cli), 0);
        json_t *rank = parse(cli);
        expect_body("/api/runs/" TRAIN "/whatif", q, cli);
        assert_string_equal(json_string_value(json_object_get(rank, "schema")),
                            "aimeter.whatif-rank/1");
        json_t *rows = json_object_get(rank, "rows");
        assert_true(json_array_size(rows) > 20);
        /* sorted, lowest carbon first, ranks 1..n */
        for (size_t i = 0; i < json_array_size(rows); i++) {
            json_t *row = json_array_get(rows, i);
            assert_int_equal(json_integer_value(json_object_get(row, "rank")), (json_int_t)i + 1);
            assert_string_equal(json_string_value(json_object_get(row, "signal")),
                                cases[c].marginal ? "marginal" : "average");
            if (cases[c].y)
                assert_int_equal(json_integer_value(json_object_get(row, "year")), cases[c].y);
            if (i)
                assert_true(json_number_value(json_object_get(json_array_get(rows, i - 1),
                                                            "carbon_g")) <=
                            json_number_value(json_object_get(row, "carbon_g")));
        }
        /* each zone's carbon is the what-if of that zone alone, exactly */
        for (size_t k = 0; k < 4 && cases[c].codes[k]; k++) {
            json_t *row = rank_row(rank, cases[c].codes[k]);
            if (!row)
                fail_msg("no %s in rank %zu", cases[c].codes[k], c);
            char item[64];
            snprintf(item, sizeof item, "%s%s", cases[c].codes[k], cases[c].suffix);
            assert_true(json_number_value(json_object_get(row, "carbon_g")) ==
                        whatif_carbon(item, cases[c].p));
            expect_exact(item, cases[c].p);
        }
        json_decref(rank);
    }
    /* a sub-national zone has no marginal row of its own: not in the marginal rank */
    aim_whatif_rank_request m = { .marginal = 1, .limit = 3 };
    char *text = NULL;
    assert_int_equal(aim_whatif_rank_render(store, TRAIN, &m, AIM_FORMAT_JSON, &text), 0);
    json_t *j = parse(text);
    assert_int_equal(json_array_size(json_object_get(j, "rows")), 3);
    assert_null(rank_row(j, "CA-SK"));
    json_decref(j);
    free(text);
    assert_int_equal(aim_whatif_rank_render(store, TRAIN, &m, AIM_FORMAT_TEXT, &text), 0);
    assert_non_null(strstr(text, "RANK"));
    free(text);
    assert_int_equal(aim_whatif_rank_render(store, TRAIN, &m, AIM_FORMAT_CSV, &text),
                     -EOPNOTSUPP);
    aim_whatif_rank_request bad_year = { .year = 1800 };
    assert_int_equal(aim_whatif_rank_render(store, TRAIN, &bad_year, AIM_FORMAT_JSON, &text),
                     -EINVAL);
    assert_int_equal(aim_whatif_rank_render(store, "nosuchrun", &m, AIM_FORMAT_JSON, &text),
                     -ENOENT);

    const char *W = "/api/runs/" TRAIN "/whatif";
    const char *lim[] = { "rank", "true", "limit", "2", NULL };
    unsigned st;
    char *body = get_text(W, lim, &st);
    assert_int_equal(st, 200);
    j = parse(body);
    assert_int_equal(json_array_size(json_object_get(j, "rows")), 2);
    json_decref(j);
    free(body);
    const char *bad_signal[] = { "rank", "1", "signal", "median", NULL };
    expect_error(W, bad_signal, 400, "signal");
    const char *bad_rank[] = { "rank", "yes", NULL };
    expect_error(W, bad_rank, 400, "rank");
    const char *old_year[] = { "rank", "1", "year", "1800", NULL };
    expect_error(W, old_year, 400, "year");
    const char *bad_limit[] = { "rank", "1", "limit", "0", NULL };
    expect_error(W, bad_limit, 400, "limit");
    const char *mixed[] = { "rank", "1", "zones", "FR", NULL };
    expect_error(W, mixed, 400, "rank");
    const char *bad_pue[] = { "rank", "1", "pue", "9", NULL };
    expect_error(W, bad_pue, 400, "pue");
    expect_error("/api/runs/nosuchrun/whatif", lim, 404, "nosuchrun");
}

/* ------------------------------------------------------------------ /forecast, /compare */

static void test_forecast(void **state) {
    (void)state;
    aim_forecast_request fr = { .phase = "epoch", .target = 8, .skip = 1 };
    char *text = NULL;
    assert_int_equal(aim_forecast_render(store, EPOCHS, &fr, AIM_FORMAT_JSON, &text, NULL), 0);
    const char *kv[] = { "epochs", "8", "phase", "epoch", "skip", "1", NULL };
    expect_body("/api/runs/" EPOCHS "/forecast", kv, text);
    const char *F = "/api/runs/" EPOCHS "/forecast";
    expect_error(F, NULL, 400, "epochs");
    const char *zero[] = { "epochs", "0", NULL };
    expect_error(F, zero, 400, "epochs");
    const char *neg[] = { "epochs", "-3", NULL };
    expect_error(F, neg, 400, "epochs");
    const char *below[] = { "epochs", "2", NULL }; /* four already done */
    expect_error(F, below, 400, "epochs");
    const char *skip[] = { "epochs", "8", "skip", "x", NULL };
    expect_error(F, skip, 400, "skip");
    const char *phase[] = { "epochs", "8", "phase", "", NULL };
    expect_error(F, phase, 400, "phase");
    const char *nophase[] = { "epochs", "8", "phase", "nosuchphase", NULL };
    expect_error(F, nophase, 400, "nosuchphase");
    expect_error("/api/runs/nosuchrun/forecast", kv, 404, "nosuchrun");
}

static void test_compare(void **state) {
    (void)state;
    const char *ids[] = { TRAIN, INFER };
    char *text = NULL;
    assert_int_equal(aim_compare_render(store, ids, 2, NULL, NULL, AIM_FORMAT_JSON, &text), 0);
    const char *kv[] = { "runs", TRAIN "," INFER, NULL };
    expect_body("/api/compare", kv, text);
    /* prefixes resolve as the CLI resolves them; a baseline; groups by a tag */
    assert_int_equal(aim_compare_render(store, ids, 2, INFER, NULL, AIM_FORMAT_JSON, &text), 0);
    const char *base[] = { "runs", "20261207-083158,20261207-083159", "baseline", INFER, NULL };
    expect_body("/api/compare", base, text);
    assert_int_equal(aim_compare_render(store, NULL, 0, NULL, "batch", AIM_FORMAT_JSON, &text),
                     0);
    const char *by[] = { "by", "batch", NULL };
    expect_body("/api/compare", by, text);

    expect_error("/api/compare", NULL, 400, "runs");
    const char *one[] = { "runs", TRAIN, NULL };
    expect_error("/api/compare", one, 400, "runs");
    const char *dots[] = { "runs", TRAIN ",../x", NULL };
    expect_error("/api/compare", dots, 400, "runs");
    const char *trailing[] = { "runs", TRAIN ",", NULL };
    expect_error("/api/compare", trailing, 400, "runs");
    const char *unknown[] = { "runs", TRAIN ",nosuchrun", NULL };
    expect_error("/api/compare", unknown, 404, "nosuchrun");
    /* a prefix of several runs: the request's to fix (400), as /api/runs/{prefix} */
    const char *ambiguous[] = { "runs", "2026," INFER, NULL };
    expect_error("/api/compare", ambiguous, 400, "runs");
    const char *ambiguous_base[] = { "runs", TRAIN "," INFER, "baseline", "2026", NULL };
    expect_error("/api/compare", ambiguous_base, 400, "baseline");
    const char *bad_base[] = { "runs", TRAIN "," INFER, "baseline", "a/b", NULL };
    expect_error("/api/compare", bad_base, 400, "baseline");
    const char *bad_by[] = { "runs", TRAIN "," INFER, "by", "-x", NULL };
    expect_error("/api/compare", bad_by, 400, "by");
}

/* ------------------------------------------------------------------ /api/zones?year */

static void test_zones_year(void **state) {
    (void)state;
    aim_zone_query q = { 0 };
    char *text = NULL;
    size_t n = 0;
    assert_int_equal(aim_zone_year_json(&q, 2020, &text, &n), 0);
    assert_true(n > 100);
    json_t *rows = parse(text);
    const char *kv[] = { "year", "2020", NULL };
    expect_body("/api/zones", kv, text);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        aim_zone_info want;
        const char *code = json_string_value(json_object_get(row, "code"));
        assert_int_equal(json_integer_value(json_object_get(row, "year")), 2020);
        assert_int_equal(aim_zone_history_lookup(code, 2020, &want), 0);
        if (json_number_value(json_object_get(row, "g_per_kwh")) != want.g_per_kwh)
            fail_msg("%s: %.17g != %.17g", code, json_number_value(json_object_get(row, "g_per_kwh")),
                     want.g_per_kwh);
    }
    json_decref(rows);
    /* marginal: the marginal rows of that year */
    aim_zone_query mq = { .marginal = 1 };
    aim_zone_info *z = calloc(aim_zone_count(), sizeof *z);
    assert_non_null(z);
    size_t nm = aim_zone_select_year(&mq, 2000, z, aim_zone_count());
    assert_int_equal(nm, 0);
    const aim_zone_info *pl;
    assert_int_equal(aim_zone_lookup_signal("PL", 1, &pl), 0);
    nm = aim_zone_select_year(&mq, pl->year, z, aim_zone_count());
    assert_true(nm > 0);
    for (i = 0; i < nm; i++) {
        assert_string_equal(z[i].signal, "marginal");
        assert_int_equal(z[i].year, pl->year);
    }
    free(z);
    aim_zone_query cloud = { .cloud = 1 };
    assert_int_equal(aim_zone_year_json(&cloud, 2020, &text, NULL), -EINVAL);

    const char *old[] = { "year", "1800", NULL };
    expect_error("/api/zones", old, 400, "year");
    const char *word[] = { "year", "twenty", NULL };
    expect_error("/api/zones", word, 400, "year");
    const char *with_cloud[] = { "year", "2020", "cloud", "1", NULL };
    expect_error("/api/zones", with_cloud, 400, "year");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_is_the_pages_data),
        cmocka_unit_test(test_whatif_zones_and_hardware),
        cmocka_unit_test(test_whatif_rank),
        cmocka_unit_test(test_forecast),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_zones_year),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
