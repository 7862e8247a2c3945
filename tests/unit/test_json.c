/* The report's JSON renderer (report/json.c), from run summaries built by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/report_model.h"
#include "processing/report_words.h"
#include "report_fixture.h"
#include "report_runs.h"

/* ------------------------------------------------------------------ JSON */

static void json_round_trip(void **state) {
    aim_run_summary r;
    rapl_run(&r);
    r.series[1].count = 0;
    r.series[2].mode = NAN;
    r.series[3].instance = 2;
    SET(r.warnings, "w1\n\nw2\n");
    char *t = render(&r, "json");
    json_t *root = parse(t);
    assert_string_equal(json_string_value(json_object_get(root, "schema")), "aimeter.report/1");

    json_t *run = json_object_get(root, "run");
    assert_string_equal(json_string_value(json_object_get(run, "id")), "20261121-140312-3f9a");
    assert_string_equal(json_string_value(json_object_get(run, "status")), "completed");
    assert_true(json_is_false(json_object_get(run, "stale")));
    assert_int_equal(json_integer_value(json_object_get(run, "exit_code")), 0);
    assert_string_equal(json_string_value(json_object_get(run, "start_time")),
                        "2026-11-21T14:03:12.000Z");
    assert_string_equal(json_string_value(json_object_get(run, "end_time")),
                        "2026-11-21T14:03:55.000Z");
    assert_true(num(run, "duration_s") == 43.0);

    json_t *smp = json_object_get(root, "sampling");
    assert_true(num(smp, "interval_s") == 0.1);
    assert_true(fabs(num(smp, "achieved_interval_s") - 0.10002) < 1e-12);
    assert_int_equal(json_integer_value(json_object_get(smp, "samples")), 430);
    json_t *src = json_object_get(smp, "sources");
    assert_int_equal(json_array_size(src), 2);
    assert_string_equal(json_string_value(json_array_get(src, 1)), "rapl");

    json_t *en = json_object_get(root, "energy");
    assert_true(num(en, "total_j") == 6250.75);
    assert_true(fabs(num(en, "total_kwh") - 6250.75 / 3.6e6) < 1e-15);
    json_t *devs = json_object_get(en, "devices");
    assert_int_equal(json_array_size(devs), 5);
    json_t *first = json_array_get(devs, 0), *last = json_array_get(devs, 4);
    assert_string_equal(json_string_value(json_object_get(first, "device")), "cpu0");
    assert_string_equal(json_string_value(json_object_get(first, "kind")), "cpu");
    assert_string_equal(json_string_value(json_object_get(first, "model")), "AMD EPYC 7763");
    assert_string_equal(json_string_value(json_object_get(first, "method")), "measured");
    assert_string_equal(json_string_value(json_object_get(first, "detail")),
                        "RAPL package counter");
    assert_true(num(first, "energy_j") == 3000.5);
    assert_string_equal(json_string_value(json_object_get(last, "device")), "psys0");
    assert_true(json_is_false(json_object_get(last, "in_total")));
    assert_true(json_is_null(json_object_get(last, "model")));

    json_t *co2 = json_object_get(root, "carbon");
    assert_true(fabs(num(co2, "g") - 0.0972338889) < 1e-9);
    assert_true(fabs(num(co2, "kg") - 0.0000972338889) < 1e-12);
    assert_true(num(co2, "intensity_g_per_kwh") == 56);
    assert_string_equal(json_string_value(json_object_get(co2, "zone")), "FR");

    /* devices[] in device order; every series, counters included. */
    json_t *all = json_object_get(root, "devices");
    assert_int_equal(json_array_size(all), 6);
    json_t *cpu0 = json_array_get(all, 3);
    assert_string_equal(json_string_value(json_object_get(cpu0, "name")), "cpu0");
    json_t *metrics = json_object_get(cpu0, "metrics");
    assert_int_equal(json_array_size(metrics), 2);
    json_t *pw = json_array_get(metrics, 0), *ej = json_array_get(metrics, 1);
    assert_string_equal(json_string_value(json_object_get(pw, "key")), "power");
    assert_string_equal(json_string_value(json_object_get(pw, "label")), "Power");
    assert_string_equal(json_string_value(json_object_get(pw, "unit")), "W");
    assert_string_equal(json_string_value(json_object_get(pw, "category")), "Energy");
    assert_string_equal(json_string_value(json_object_get(pw, "component")), "CPU");
    assert_string_equal(json_string_value(json_object_get(pw, "method")), "derived");
    assert_true(json_is_null(json_object_get(pw, "instance")));
    assert_true(num(pw, "avg") == 69.78);
    assert_true(num(pw, "max") == 80);
    assert_true(num(pw, "min") == 60);
    assert_true(num(pw, "mode") == 70);
    assert_true(num(pw, "stddev") == 1.5);
    assert_true(json_is_true(json_object_get(pw, "mode_exact")));
    assert_true(json_is_true(json_object_get(ej, "counter")));
    assert_true(json_is_false(json_object_get(pw, "counter")));

    /* count 0: statistics are null; NaN mode: null. */
    json_t *cpu1 = json_array_get(json_object_get(json_array_get(all, 5), "metrics"), 0);
    assert_int_equal(json_integer_value(json_object_get(cpu1, "count")), 0);
    assert_true(json_is_null(json_object_get(cpu1, "avg")));
    assert_true(json_is_null(json_object_get(cpu1, "stddev")));
    json_t *dram0 = json_array_get(json_object_get(json_array_get(all, 4), "metrics"), 0);
    assert_true(json_is_null(json_object_get(dram0, "mode")));
    assert_true(num(dram0, "avg") == 4.65);
    json_t *ps = json_array_get(json_object_get(json_array_get(all, 1), "metrics"), 0);
    assert_int_equal(json_integer_value(json_object_get(ps, "instance")), 2);
    assert_string_equal(json_string_value(json_object_get(ps, "component")), "Platform");

    json_t *w = json_object_get(root, "warnings");
    assert_int_equal(json_array_size(w), 2);
    assert_string_equal(json_string_value(json_array_get(w, 1)), "w2");
    json_decref(root);
    free(t);
    aim__run_summary_clear(&r);
}

static void json_nulls_stale_and_bad_utf8(void **state) {
    aim_run_summary r;
    host_only_run(&r);
    r.status = AIM_RUN_RUNNING;
    r.stale = 1;
    r.exit_code = -1;
    r.end_wall_ns = 0;
    r.achieved_interval_ns = 0;
    r.carbon_g = INFINITY;
    r.zone[0] = '\0';
    SET(r.command, "echo \xff\xfe ok");
    r.series[0].mode = NAN;
    r.series[1].count = 0; /* detail series: present in JSON */
    char *t = render(&r, "json");
    json_t *root = parse(t);
    json_t *run = json_object_get(root, "run");
    assert_string_equal(json_string_value(json_object_get(run, "status")), "running");
    assert_true(json_is_true(json_object_get(run, "stale")));
    assert_true(json_is_null(json_object_get(run, "exit_code")));
    assert_true(json_is_null(json_object_get(run, "end_time")));
    assert_string_equal(json_string_value(json_object_get(run, "command")),
                        "echo \xEF\xBF\xBD\xEF\xBF\xBD ok");
    assert_true(json_is_null(json_object_get(json_object_get(root, "sampling"),
                                             "achieved_interval_s")));
    json_t *co2 = json_object_get(root, "carbon");
    assert_true(json_is_null(json_object_get(co2, "g")));
    assert_true(json_is_null(json_object_get(co2, "zone")));
    json_t *host = json_object_get(json_array_get(json_object_get(root, "devices"), 0), "metrics");
    assert_int_equal(json_array_size(host), 5);
    assert_true(json_is_null(json_object_get(json_array_get(host, 0), "mode")));
    json_t *core = json_array_get(host, 1);
    assert_string_equal(json_string_value(json_object_get(core, "key")), "cpu.core_util");
    assert_true(json_is_true(json_object_get(core, "detail")));
    assert_int_equal(json_integer_value(json_object_get(core, "instance")), 0);
    assert_true(json_is_null(json_object_get(core, "max")));
    json_decref(root);
    free(t);

    /* No energy device at all: totals are null, not 0. */
    r.n_series = 0;
    for (int i = 0; i < r.n_devices; i++)
        r.devices[i].has_energy = 0;
    t = render(&r, "json");
    root = parse(t);
    assert_true(json_is_null(json_object_get(json_object_get(root, "energy"), "total_j")));
    json_t *energy = json_object_get(root, "energy");
    assert_int_equal(json_array_size(json_object_get(energy, "devices")), 0);
    json_decref(root);
    free(t);
    aim__run_summary_clear(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_round_trip),
        cmocka_unit_test(json_nulls_stale_and_bad_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
