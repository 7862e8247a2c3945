/* The `aimeter ls` listing (report/runs.c): text and JSON of run summaries built by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/renderers.h"
#include "report/report.h"
#include "report_fixture.h"
#include "report_runs.h"

/* ------------------------------------------------------------------ ls */

static void runs_listing(void **state) {
    aim_run_summary runs[3];
    host_only_run(&runs[0]);
    rapl_run(&runs[1]);
    host_only_run(&runs[2]);
    SET(runs[1].id, "20261120-090000-aaaa");
    runs[1].name[0] = '\0';
    runs[1].duration_ns = 3723000000000LL;
    runs[1].status = AIM_RUN_FAILED;
    runs[1].exit_code = 1;
    runs[1].total_energy_j = 15655860;
    runs[1].carbon_g = 2066.5;
    SET(runs[2].id, "20261119-090000-bbbb");
    SET(runs[2].name, "a very long experiment name that goes on and on");
    runs[2].status = AIM_RUN_RUNNING;
    runs[2].stale = 1;
    runs[2].duration_ns = 125000000000LL;

    char *t = NULL;
    assert_int_equal(aim__runs_render_text(runs, 3, &t), 0);
    if (getenv("AIM_TEST_DUMP"))
        fprintf(stderr, "%s", t);
    EXPECT_ROW(t, "ID",
               "ID NAME STARTED (UTC) DURATION STATUS ENERGY CARBON");
    EXPECT_ROW(t, "20261121",
               "20261121-140312-3f9a llama-infer 2026-11-21 14:03:12 43.0 s completed "
               "6.74 kJ 0.89 g");
    EXPECT_ROW(t, "20261120",
               "20261120-090000-aaaa - 2026-11-21 14:03:12 1 h 02 min 03 s failed "
               "15.66 MJ 2.07 kg");
    EXPECT_ROW(t, "20261119",
               "20261119-090000-bbbb a very long experiment name tha\xE2\x80\xA6 "
               "2026-11-21 14:03:12 2 min 05 s incomplete 6.74 kJ 0.89 g");
    /* Newest first, as given. */
    assert_true(strstr(t, "20261121") < strstr(t, "20261120"));
    /* Padding never leaves trailing blanks. */
    assert_null(strstr(t, " \n"));
    free(t);

    assert_int_equal(aim__runs_render_json(runs, 3, &t), 0);
    json_t *root = parse(t);
    assert_true(json_is_array(root));
    assert_int_equal(json_array_size(root), 3);
    json_t *r1 = json_array_get(root, 1), *r2 = json_array_get(root, 2);
    assert_string_equal(json_string_value(json_object_get(r1, "status")), "failed");
    assert_int_equal(json_integer_value(json_object_get(r1, "exit_code")), 1);
    assert_true(num(r1, "energy_j") == 15655860);
    assert_true(num(r1, "carbon_g") == 2066.5);
    assert_true(num(r1, "duration_s") == 3723);
    assert_string_equal(json_string_value(json_object_get(r1, "start_time")),
                        "2026-11-21T14:03:12.000Z");
    assert_string_equal(json_string_value(json_object_get(r2, "status")), "running");
    assert_true(json_is_true(json_object_get(r2, "stale")));
    assert_string_equal(json_string_value(json_object_get(r2, "name")),
                        "a very long experiment name that goes on and on");
    json_decref(root);
    free(t);

    assert_int_equal(aim__runs_render_text(NULL, 0, &t), 0);
    assert_string_equal(squeeze(t), "ID NAME STARTED (UTC) DURATION STATUS ENERGY CARBON\n");
    free(t);
    assert_int_equal(aim__runs_render_json(NULL, 0, &t), 0);
    assert_string_equal(t, "[]\n");
    free(t);
    aim_render_runs in = { .runs = runs, .n = 3 };
    assert_int_equal(aim__render(AIM_OUTPUT_RUNS, AIM_FORMAT_MARKDOWN, &in, &t), -EOPNOTSUPP);
    /* CSV (report/runs_csv.c, tested by test_runs_csv) through the table */
    assert_int_equal(aim__render(AIM_OUTPUT_RUNS, AIM_FORMAT_CSV, &in, &t), 0);
    assert_non_null(strstr(t, "20261119-090000-bbbb,a very long experiment name that goes on "
                              "and on,"));
    free(t);
    for (int i = 0; i < 3; i++)
        aim__run_summary_clear(&runs[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(runs_listing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
