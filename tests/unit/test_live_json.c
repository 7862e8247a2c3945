/* GET /api/live's document (report/live_json.h) from a synthetic snapshot: every field of
 * docs/http-api.md, nulls for what is not known (never 0), the run as the one entry of
 * "runs". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "live_fixture.h"
#include "util/json.h"

static json_t *rendered(const aim_live_json_extra *x) {
    aim_prom_input in = live_fixture_input();
    char *text = NULL;
    assert_int_equal(aim__live_json_render(&in, x, &text), 0);
    size_t n = strlen(text);
    assert_true(n > 0);
    assert_ptr_equal(strchr(text, '\n'), text + n - 1); /* one line, newline-terminated */
    json_t *root = aim__json_parse(text, n, NULL, 0);
    assert_non_null(root);
    free(text);
    return root;
}

static double num(json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

static const char *str(json_t *o, const char *key) {
    const char *s = json_string_value(json_object_get(o, key));
    assert_non_null(s);
    return s;
}

static void test_run_totals_and_sampler(void **state) {
    (void)state;
    aim_live_json_extra x = { .samples = 250, .have_missed = 1, .missed_deadlines = 2 };
    json_t *root = rendered(&x);
    assert_int_equal(json_integer_value(json_object_get(root, "schema")), AIM_LIVE_JSON_SCHEMA);
    json_t *run = json_object_get(root, "run");
    assert_string_equal(str(run, "id"), "20261207-120000-abcdef");
    assert_string_equal(str(run, "name"), "train");
    assert_string_equal(str(run, "host"), "node1");
    assert_string_equal(str(run, "zone"), "FR");
    assert_string_equal(str(run, "signal"), "average");
    assert_true(num(root, "elapsed_s") == 12.5);
    assert_string_equal(str(root, "phase"), "decode");
    json_t *t = json_object_get(root, "totals");
    assert_true(num(t, "power_w") == 370 && num(t, "energy_j") == 1500.25 &&
                num(t, "carbon_g") == 0.5);
    json_t *s = json_object_get(root, "sampler");
    assert_int_equal(json_integer_value(json_object_get(s, "samples")), 250);
    assert_int_equal(json_integer_value(json_object_get(s, "missed_deadlines")), 2);
    json_decref(root);

    aim_live_json_extra unknown = { .samples = 1 };
    root = rendered(&unknown);
    assert_true(json_is_null(json_object_get(json_object_get(root, "sampler"), "missed_deadlines")));
    json_decref(root);
}

static void test_devices(void **state) {
    (void)state;
    aim_live_json_extra x = { 0 };
    json_t *root = rendered(&x), *devs = json_object_get(root, "devices");
    assert_int_equal(json_array_size(devs), 3);
    json_t *g0 = json_array_get(devs, 0), *g1 = json_array_get(devs, 1),
           *host = json_array_get(devs, 2);
    assert_string_equal(str(g0, "name"), "gpu0");
    assert_string_equal(str(g0, "kind"), "gpu");
    assert_string_equal(str(g0, "model"), "NVIDIA A100");
    assert_int_equal(json_integer_value(json_object_get(g0, "index")), 0);
    assert_string_equal(str(g0, "uuid"), "GPU-aaaa");
    assert_true(num(g0, "power_w") == 250 && num(g0, "energy_j") == 800.25);
    assert_string_equal(str(g0, "energy_method"), "measured");
    assert_int_equal(json_integer_value(json_object_get(g1, "index")), 1);
    assert_true(json_is_null(json_object_get(g1, "uuid")));
    assert_true(num(g1, "power_w") == 120);
    /* The host measures no power and has no energy: null, not 0. */
    assert_true(json_is_null(json_object_get(host, "index")));
    assert_true(json_is_null(json_object_get(host, "model")));
    assert_true(json_is_null(json_object_get(host, "power_w")));
    assert_true(json_is_null(json_object_get(host, "energy_j")));
    assert_true(json_is_null(json_object_get(host, "energy_method")));
    json_decref(root);
}

static void test_series(void **state) {
    (void)state;
    aim_live_json_extra x = { 0 };
    json_t *root = rendered(&x), *ser = json_object_get(root, "series");
    assert_int_equal(json_array_size(ser), 7);
    json_t *util = json_array_get(ser, 3), *sm = json_array_get(ser, 4),
           *core = json_array_get(ser, 5), *mem = json_array_get(ser, 6);
    assert_string_equal(str(util, "device"), "gpu1");
    assert_string_equal(str(util, "metric"), "gpu.util");
    assert_string_equal(str(util, "unit"), "%");
    assert_true(num(util, "value") == 90);
    assert_true(json_is_true(json_object_get(util, "valid")));
    assert_true(json_is_null(json_object_get(util, "instance")));
    assert_string_equal(str(sm, "metric"), "gpu.sm_active");
    assert_true(json_is_null(json_object_get(sm, "value")));
    assert_true(json_is_false(json_object_get(sm, "valid")));
    assert_int_equal(json_integer_value(json_object_get(core, "instance")), 3);
    assert_string_equal(str(mem, "unit"), "GiB"); /* the registry's unit, not bytes */
    json_decref(root);
}

static void test_runs(void **state) {
    (void)state;
    aim_live_json_extra x = { 0 };
    json_t *root = rendered(&x), *runs = json_object_get(root, "runs");
    assert_int_equal(json_array_size(runs), 1);
    json_t *r = json_array_get(runs, 0);
    assert_string_equal(str(r, "id"), "20261207-120000-abcdef");
    assert_string_equal(str(r, "name"), "train");
    assert_string_equal(str(r, "phase"), "decode");
    assert_true(num(r, "elapsed_s") == 12.5 && num(r, "energy_j") == 1500.25);
    assert_string_equal(str(r, "kind"), "run");
    json_t *rec = json_object_get(r, "records");
    assert_true(json_is_object(rec) && json_object_size(rec) == 0); /* none recorded yet */
    json_decref(root);
}

/* An agent: its own run first with the node's counter records, then its jobs, without
 * records (they are the node's, not a job's). */
static void test_runs_of_an_agent(void **state) {
    (void)state;
    char *text = live_fixture_agent_json();
    json_t *root = aim__json_parse(text, strlen(text), NULL, 0), *runs;
    free(text);
    assert_non_null(root);
    runs = json_object_get(root, "runs");
    assert_int_equal(json_array_size(runs), 3);
    json_t *r = json_array_get(runs, 0), *a = json_array_get(runs, 1), *b = json_array_get(runs, 2);
    assert_string_equal(str(r, "kind"), "run");
    assert_string_equal(str(r, "state"), "running");
    json_t *rec = json_object_get(r, "records");
    assert_int_equal(json_object_size(rec), 2);
    assert_true(num(rec, "tokens") == 1000 && num(rec, "samples") == 8);
    assert_string_equal(json_object_iter_key(json_object_iter(rec)), "tokens"); /* in order */
    assert_string_equal(str(a, "kind"), "job");
    assert_string_equal(str(a, "id"), "111");
    assert_true(json_is_null(json_object_get(a, "name")));
    assert_string_equal(str(a, "phase"), "train");
    assert_string_equal(str(a, "state"), "running");
    assert_true(num(a, "elapsed_s") == 10 && num(a, "energy_j") == 900 &&
                num(a, "carbon_g") == 0.25);
    assert_null(json_object_get(a, "records"));
    assert_string_equal(str(b, "id"), "222");
    assert_true(json_is_null(json_object_get(b, "phase")));
    assert_string_equal(str(b, "state"), "ended");
    assert_true(num(b, "energy_j") == 100.5);
    json_decref(root);
}

static void test_no_phase_is_null(void **state) {
    (void)state;
    aim_prom_input in = live_fixture_input();
    in.phase = "";
    in.zone = NULL;
    aim_live_json_extra x = { 0 };
    char *text = NULL;
    assert_int_equal(aim__live_json_render(&in, &x, &text), 0);
    assert_non_null(strstr(text, "\"phase\":null"));
    assert_non_null(strstr(text, "\"zone\":null"));
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_totals_and_sampler),
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_series),
        cmocka_unit_test(test_runs),
        cmocka_unit_test(test_runs_of_an_agent),
        cmocka_unit_test(test_no_phase_is_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
