/* Profiles (report/profile.h, api/profile.h, api/serve_api_profiles.h): a run's profile on the
 * golden store equals what aimeter forecast fits, the strict parser's errors name the field or
 * the line, and the routes import, list and fetch profiles back (403 without --allow-import,
 * a read-only store lists none and still answers). */
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
#include "api/profile.h"
#include "api/serve_api.h"
#include "report/profile.h"
#include "util/fileio.h"
#include "serve_rig.h"

#define TRAIN "20261207-083158-a90897"
#define INFER "20261207-083159-769624"

static char dir[] = "/tmp/aim-profile-XXXXXX";
static char db_path[160];

static aim_store *open_store(int readonly) {
    aim_store *s;
    assert_int_equal(aim_store_new(&s), 0);
    assert_int_equal(aim_store_open(s, db_path, readonly), 0);
    return s;
}

static int setup(void **state) {
    (void)state;
    assert_int_equal(serve_rig_temp_db(dir, db_path, sizeof db_path, SERVE_RIG_GOLDEN_SQL), 0);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    serve_rig_remove_db(dir, db_path);
    return 0;
}

/* ------------------------------------------------------------------ a run's profile */

/* The epochs are forecast's instances, measured as forecast measures them. */
static void test_run_profile_is_forecasts_instances(void **state) {
    (void)state;
    aim_store *s = open_store(1);
    char *text = NULL, *fc = NULL;
    assert_int_equal(aim_profile_render(s, TRAIN, &text), 0);
    aim_forecast_request req = { .target = 1000 };
    assert_int_equal(aim_forecast_render(s, TRAIN, &req, AIM_FORMAT_JSON, &fc, NULL), 0);
    json_t *p = json_loads(text, 0, NULL), *f = json_loads(fc, 0, NULL);
    assert_non_null(p);
    assert_non_null(f);
    assert_string_equal(json_string_value(json_object_get(p, "schema")), "aimeter.profile/1");
    assert_string_equal(json_string_value(json_object_get(p, "source")), "aimeter");
    assert_string_equal(json_string_value(json_object_get(p, "run")), TRAIN);
    json_t *epochs = json_object_get(p, "epochs"), *inst = json_object_get(f, "instances");
    assert_true(json_array_size(epochs) >= 2);
    assert_int_equal(json_array_size(epochs), json_array_size(inst));
    for (size_t i = 0; i < json_array_size(epochs); i++) {
        json_t *e = json_array_get(epochs, i), *k = json_array_get(inst, i);
        assert_int_equal(json_integer_value(json_object_get(e, "index")),
                         json_integer_value(json_object_get(k, "index")));
        assert_true(fabs(json_number_value(json_object_get(e, "energy_j")) -
                         json_number_value(json_object_get(k, "energy_j"))) < 1e-9);
        assert_true(fabs(json_number_value(json_object_get(e, "duration_s")) -
                         json_number_value(json_object_get(k, "duration_s"))) < 1e-9);
    }
    /* the devices' energy by kind adds up to the total; two GPUs of one model */
    double sum = 0;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(p, "energy_by_device_j"), k, v)
        sum += json_number_value(v);
    assert_true(fabs(sum - json_number_value(json_object_get(p, "energy_j"))) < 1e-6 * sum);
    json_t *gpus = json_object_get(json_object_get(p, "hardware"), "gpus");
    assert_int_equal(json_array_size(gpus), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(gpus, 0), "count")), 2);
    json_decref(p);
    json_decref(f);
    free(text);
    free(fc);
    /* a run without epochs: [] */
    assert_int_equal(aim_profile_render(s, INFER, &text), 0);
    p = json_loads(text, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(p, "epochs")), 0);
    json_decref(p);
    free(text);
    assert_int_equal(aim_profile_render(s, "20991231-000000-000000", &text), -ENOENT);
    aim_store_free(s);
}

/* ------------------------------------------------------------------------- parsing */

/* What the renderer writes, the parser reads back unchanged. */
static void test_parse_round_trip(void **state) {
    (void)state;
    aim_store *s = open_store(1);
    char *text = NULL, *again = NULL, err[256];
    assert_int_equal(aim_profile_render(s, TRAIN, &text), 0);
    aim_profile p;
    assert_int_equal(aim__profile_parse(text, strlen(text), AIM_PROFILE_JSON, &p, err,
                                        sizeof err), 0);
    assert_int_equal(aim__profile_render(&p, &again), 0);
    assert_string_equal(text, again);
    aim__profile_clear(&p);
    free(text);
    free(again);
    aim_store_free(s);
}

/* A run that repeats an epoch's number (a restart: two "epoch 1"): its profile keeps both, as
 * aimeter forecast does, and the importer takes it back (equal consecutive indices). */
static void test_repeated_epoch_round_trip(void **state) {
    (void)state;
    static const char run[] = "20261207-083154-91009a"; /* epoch 1..4; no other test uses it */
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db_path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "UPDATE phases SET phase = 'epoch 1' WHERE run_id = "
                                  "'20261207-083154-91009a' AND phase = 'epoch 2'", NULL, NULL,
                                  NULL), SQLITE_OK);
    sqlite3_close(h);
    aim_store *s = open_store(1);
    char *text = NULL, *fc = NULL, *again = NULL, err[256] = "";
    assert_int_equal(aim_profile_render(s, run, &text), 0);
    aim_forecast_request req = { .target = 1000 };
    assert_int_equal(aim_forecast_render(s, run, &req, AIM_FORMAT_JSON, &fc, NULL), 0);
    json_t *j = json_loads(text, 0, NULL), *f = json_loads(fc, 0, NULL);
    json_t *epochs = json_object_get(j, "epochs"), *inst = json_object_get(f, "instances");
    assert_int_equal(json_array_size(epochs), 4);
    assert_int_equal(json_array_size(inst), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(epochs, i), "index")),
                         json_integer_value(json_object_get(json_array_get(inst, i), "index")));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(epochs, 0), "index")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(epochs, 1), "index")), 1);
    aim_profile p;
    int r = aim__profile_parse(text, strlen(text), AIM_PROFILE_JSON, &p, err, sizeof err);
    if (r != 0)
        fail_msg("the exported profile is refused: %d %s", r, err);
    assert_int_equal(p.n_epochs, 4);
    assert_int_equal(aim__profile_render(&p, &again), 0);
    assert_string_equal(text, again);
    aim__profile_clear(&p);
    /* the same epochs as CSV */
    const char csv[] = "epoch,energy_j\n1,5\n1,6\n3,7\n";
    assert_int_equal(aim__profile_parse(csv, sizeof csv - 1, AIM_PROFILE_CSV, &p, err, sizeof err), 0);
    assert_int_equal(p.n_epochs, 3);
    aim__profile_clear(&p);
    json_decref(j);
    json_decref(f);
    free(text);
    free(fc);
    free(again);
    aim_store_free(s);
}

static void test_parse_csv(void **state) {
    (void)state;
    aim_profile p;
    char err[256];
    const char csv[] = "\xef\xbb\xbf" "epoch, energy_kwh ,duration_s\r\n1,0.5,10\r\n2,1e-1,20\r\n\r\n";
    assert_int_equal(aim__profile_parse(csv, sizeof csv - 1, AIM_PROFILE_CSV, &p, err, sizeof err), 0);
    assert_int_equal(p.n_epochs, 2);
    assert_int_equal(p.epochs[1].index, 2);
    assert_true(fabs(p.epochs[0].energy_j - 1.8e6) < 1e-6);
    assert_true(fabs(p.energy_j - 2.16e6) < 1e-6);
    assert_true(fabs(p.duration_s - 30) < 1e-12);
    assert_string_equal(p.source, "import");
    aim__profile_clear(&p);
    const char two[] = "epoch,energy_j\n0,5\n7,6";
    assert_int_equal(aim__profile_parse(two, sizeof two - 1, AIM_PROFILE_CSV, &p, err, sizeof err), 0);
    assert_int_equal(p.n_epochs, 2);
    assert_true(isnan(p.epochs[0].duration_s));
    assert_true(isnan(p.duration_s));
    aim__profile_clear(&p);
}

typedef struct bad_case {
    aim_profile_format format;
    const char *text;
    const char *says;        /* a part of the message */
} bad_case;

static void test_parse_errors(void **state) {
    (void)state;
    static const bad_case cases[] = {
        { AIM_PROFILE_CSV, "", "empty" },
        { AIM_PROFILE_CSV, "epoch,energy_j\n", "no epochs" },
        { AIM_PROFILE_CSV, "epoch,joules\n1,2\n", "line 1: the header" },
        { AIM_PROFILE_CSV, "epoch,energy_j,duration_s,x\n1,2,3,4\n", "line 1" },
        { AIM_PROFILE_CSV, "epoch,energy_j\n1,2\n2,abc\n", "line 3: energy_j 'abc'" },
        { AIM_PROFILE_CSV, "epoch,energy_j\n1,-2\n", "line 2: energy_j '-2'" },
        { AIM_PROFILE_CSV, "epoch,energy_j\n1,nan\n", "line 2: energy_j" },
        { AIM_PROFILE_CSV, "epoch,energy_j\n1,2,3\n", "line 2: 3 fields, the header has 2" },
        { AIM_PROFILE_CSV, "epoch,energy_j,duration_s\n1,2\n", "line 2: 2 fields" },
        { AIM_PROFILE_CSV, "epoch,energy_j\nx,2\n", "line 2: epoch 'x'" },
        { AIM_PROFILE_CSV, "epoch,energy_j\n2,2\n1,2\n", "line 3: epoch 1 after 2" },
        { AIM_PROFILE_CSV, "epoch,energy_j\n\"1\",2\n", "line 2: epoch" },
        { AIM_PROFILE_CSV, "epoch,energy_j\n1,2\xff\n", "not UTF-8" },
        { AIM_PROFILE_JSON, "{", "malformed JSON" },
        { AIM_PROFILE_JSON, "[]", "a JSON object" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/2\",\"epochs\":[]}", "schema" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\"}", "epochs: an array" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\",\"epochs\":[],\"x\":1}",
          "unknown field 'x'" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\",\"epochs\":[{\"index\":1,"
          "\"energy_j\":-1}]}", "epochs[0].energy_j" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\",\"epochs\":[{\"index\":1,"
          "\"energy_j\":1},{\"index\":0,\"energy_j\":1}]}", "epochs[1].index: 0 after 1" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\",\"epochs\":[{\"index\":1.5,"
          "\"energy_j\":1}]}", "epochs[0].index" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\",\"epochs\":[{\"index\":1,"
          "\"energy_j\":1,\"power\":2}]}", "epochs[0]: unknown field 'power'" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\",\"epochs\":[],\"pue\":0.5}",
          "pue" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\",\"epochs\":[],\"name\":\"a\\nb\"}",
          "name" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\",\"epochs\":[],\"source\":\"x\"}",
          "source" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\",\"epochs\":[],\"run\":\"../x\"}",
          "run" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\",\"epochs\":[],\"hardware\":"
          "{\"gpus\":[{\"model\":\"A100\",\"count\":0}]}}", "hardware.gpus[0].count" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\",\"epochs\":[],"
          "\"energy_by_device_j\":{\"GPU\":1}}", "energy_by_device_j" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\",\"epochs\":[],\"carbon_g\":\"1\"}",
          "carbon_g" },
        { AIM_PROFILE_JSON, "{\"schema\":\"aimeter.profile/1\",\"epochs\":[],\"a\":1,\"a\":2}",
          "malformed JSON" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        aim_profile p;
        char err[256];
        int r = aim__profile_parse(cases[i].text, strlen(cases[i].text), cases[i].format, &p, err,
                                   sizeof err);
        if (r != -EINVAL || !strstr(err, cases[i].says))
            fail_msg("case %zu: %d '%s', expected -EINVAL and '%s'", i, r, err, cases[i].says);
        aim__profile_clear(&p);
    }
}

/* At most 1 MiB and 100,000 epochs: -E2BIG. */
static void test_parse_limits(void **state) {
    (void)state;
    aim_profile p;
    char err[256];
    aim_strbuf b = { 0 };
    aim__strbuf_append(&b, "epoch,energy_j\n");
    for (int i = 0; i <= AIM_PROFILE_MAX_EPOCHS; i++)
        aim__strbuf_printf(&b, "%d,1\n", i);
    assert_true(b.len < AIM_PROFILE_MAX_BYTES);
    assert_int_equal(aim__profile_parse(b.data, b.len, AIM_PROFILE_CSV, &p, err, sizeof err),
                     -E2BIG);
    assert_non_null(strstr(err, "100000"));
    aim__profile_clear(&p);
    /* exactly the limit is fine */
    const char *last = b.data + b.len - 1;
    while (last[-1] != '\n')
        last--;
    assert_int_equal(aim__profile_parse(b.data, (size_t)(last - b.data), AIM_PROFILE_CSV, &p, err,
                                        sizeof err), 0);
    assert_int_equal(p.n_epochs, AIM_PROFILE_MAX_EPOCHS);
    aim__profile_clear(&p);
    assert_int_equal(aim__profile_parse(b.data, AIM_PROFILE_MAX_BYTES + 1, AIM_PROFILE_CSV, &p,
                                        err, sizeof err), -E2BIG);
    aim__profile_clear(&p);
    aim__strbuf_free(&b);
}

/* --------------------------------------------------------------------------- routes */

/* method path?kv with body: the answer's status in *status, its body in *ret_text (freed by
 * the caller, NULL to drop it), parsed. */
static json_t *call(aim_store *s, unsigned flags, const char *method, const char *path,
                    const char *const *kv, const char *type, const char *body,
                    unsigned *status, char **ret_text) {
    serve_rig_query q;
    aim_http_request req = serve_rig_request(&q, method, path, kv);
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    req.content_type = type;
    aim_http_response resp = { 0 };
    aim_serve_ctx ctx = { .store = s, .flags = flags };
    assert_int_equal(aim__serve_api_handle(&ctx, &req, &resp), 0);
    assert_non_null(resp.body);
    *status = resp.status;
    json_t *j = json_loadb(resp.body, resp.len, 0, NULL);
    assert_non_null(j);
    if (ret_text)
        *ret_text = resp.body;
    else
        free(resp.body);
    return j;
}

static const char *err_of(json_t *j) {
    const char *e = json_string_value(json_object_get(j, "error"));
    return e ? e : "";
}

static void test_routes(void **state) {
    (void)state;
    unsigned st;
    char *text, *cli;
    /* read-only: the run's profile is the CLI's, the list is empty, an import is refused */
    aim_store *ro = open_store(1);
    json_t *j = call(ro, 0, "GET", "/api/runs/" TRAIN "/profile", NULL, NULL, NULL, &st, &text);
    assert_int_equal(st, 200);
    assert_int_equal(aim_profile_render(ro, TRAIN, &cli), 0);
    assert_string_equal(text, cli);
    free(text);
    free(cli);
    json_decref(j);
    j = call(ro, 0, "GET", "/api/runs/nosuchrun/profile", NULL, NULL, NULL, &st, NULL);
    assert_int_equal(st, 404);
    json_decref(j);
    j = call(ro, 0, "GET", "/api/profiles", NULL, NULL, NULL, &st, NULL);
    assert_int_equal(st, 200);
    assert_int_equal(json_array_size(json_object_get(j, "profiles")), 0);
    json_decref(j);
    const char csv[] = "epoch,energy_j,duration_s\n1,100,10\n2,110,11\n";
    j = call(ro, 0, "POST", "/api/profiles", NULL, "text/csv", csv, &st, NULL);
    assert_int_equal(st, 403);
    assert_non_null(strstr(err_of(j), "--allow-import"));
    json_decref(j);
    /* allowed but the store is read-only: 500, nothing stored */
    j = call(ro, AIM_SERVE_ALLOW_IMPORT, "POST", "/api/profiles", NULL, "text/csv", csv, &st, NULL);
    assert_int_equal(st, 500);
    json_decref(j);
    aim_store_free(ro);

    aim_store *rw = open_store(0);
    const char *const named[] = { "name", "baseline", NULL };
    j = call(rw, AIM_SERVE_ALLOW_IMPORT, "POST", "/api/profiles", named, "text/csv; charset=utf-8",
             csv, &st, &text);
    assert_int_equal(st, 201);
    assert_int_equal(json_integer_value(json_object_get(j, "id")), 1);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "baseline");
    assert_true(fabs(json_number_value(json_object_get(j, "energy_j")) - 210) < 1e-9);
    json_decref(j);
    /* the export of a run, imported as it is */
    assert_int_equal(aim_profile_render(rw, TRAIN, &cli), 0);
    j = call(rw, AIM_SERVE_ALLOW_IMPORT, "POST", "/api/profiles", NULL, "application/json", cli,
             &st, NULL);
    assert_int_equal(st, 201);
    assert_int_equal(json_integer_value(json_object_get(j, "id")), 2);
    assert_string_equal(json_string_value(json_object_get(j, "run")), TRAIN);
    json_decref(j);
    free(cli);
    /* listed, and fetched back as the import answered */
    j = call(rw, 0, "GET", "/api/profiles", NULL, NULL, NULL, &st, NULL);
    json_t *list = json_object_get(j, "profiles");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
                        "baseline");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "epochs")), 2);
    json_decref(j);
    char *back;
    j = call(rw, 0, "GET", "/api/profiles/1", NULL, NULL, NULL, &st, &back);
    assert_int_equal(st, 200);
    assert_string_equal(back, text);
    free(back);
    free(text);
    json_decref(j);
    /* bad input */
    static const struct { const char *path, *type, *body, *says; unsigned status; } bad[] = {
        { "/api/profiles/3", NULL, NULL, "no profile 3", 404 },
        { "/api/profiles/x1", NULL, NULL, "bad profile id", 400 },
        { "/api/profiles", "text/plain", "epoch,energy_j\n1,2\n", "Content-Type", 400 },
        { "/api/profiles", NULL, "epoch,energy_j\n1,2\n", "Content-Type", 400 },
        { "/api/profiles", "text/csv", "epoch,energy_j\n2,2\n1,3\n", "line 3", 400 },
        { "/api/profiles", "application/json", "{\"schema\":1}", "schema", 400 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = call(rw, AIM_SERVE_ALLOW_IMPORT, bad[i].body ? "POST" : "GET", bad[i].path, NULL,
                 bad[i].type, bad[i].body, &st, NULL);
        if (st != bad[i].status || !strstr(err_of(j), bad[i].says))
            fail_msg("case %zu: %u '%s'", i, st, err_of(j));
        json_decref(j);
    }
    const char *const badname[] = { "name", "", NULL };
    j = call(rw, AIM_SERVE_ALLOW_IMPORT, "POST", "/api/profiles", badname, "text/csv", csv, &st,
             NULL);
    assert_int_equal(st, 400);
    assert_non_null(strstr(err_of(j), "name"));
    json_decref(j);
    j = call(rw, AIM_SERVE_ALLOW_IMPORT, "POST", "/api/profiles/1", NULL, "text/csv", csv, &st,
             NULL);
    assert_int_equal(st, 405);
    json_decref(j);
    aim_store_free(rw);
    /* the store opened read-only again lists what was imported */
    ro = open_store(1);
    j = call(ro, 0, "GET", "/api/profiles", NULL, NULL, NULL, &st, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "profiles")), 2);
    json_decref(j);
    aim_store_free(ro);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_profile_is_forecasts_instances),
        cmocka_unit_test(test_parse_round_trip),
        cmocka_unit_test(test_parse_csv),
        cmocka_unit_test(test_repeated_epoch_round_trip),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_routes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
