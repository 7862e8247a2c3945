/* The phases and records sections of the report (report/phases_report.c). Set AIM_TEST_DUMP=1
 * to print the rendered text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/workload_summary.h"
#include "report/phases_report.h"

/* Issue 11: a gauge's Min and Max ran together ("1.000-1.000e+308") and the double range's edge
 * (a "no maximum yet" sentinel) was printed as a number. */
static void records_columns_and_sentinel(void **state) {
    (void)state;
    aim_record_summary rec[2];
    memset(rec, 0, sizeof rec);
    snprintf(rec[0].key, sizeof rec[0].key, "loss");
    rec[0].count = 2;
    rec[0].total = 2;
    rec[0].last = 1;
    rec[0].min = 1;
    rec[0].max = -1e308;              /* never set: below the minimum */
    snprintf(rec[1].key, sizeof rec[1].key, "temperature");
    rec[1].count = 3;
    rec[1].total = -3000000;
    rec[1].last = -1234567;
    rec[1].min = -1234567;
    rec[1].max = -999999;
    aim_workload_summary w;
    memset(&w, 0, sizeof w);
    w.records = rec;
    w.n_records = 2;
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    run.workload = &w;
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__phases_report_text(&b, &run);
    aim__phases_report_markdown(&b, &run);
    char *text = NULL;
    assert_int_equal(aim__strbuf_steal(&b, &text), 0);
    if (getenv("AIM_TEST_DUMP"))
        fputs(text, stdout);
    assert_null(strstr(text, "e+308"));
    assert_null(strstr(text, "e308"));
    /* every figure stands apart: no digit, '.' or 'a' runs into a '-' */
    for (const char *p = text; *p; p++)
        if (*p == '-' && p > text && (p[-1] == '.' || (p[-1] >= '0' && p[-1] <= '9') ||
                                      p[-1] == 'a'))
            fail_msg("figures run together near: %.40s", p - 10 > text ? p - 10 : text);
    const char *loss = strstr(text, "  loss ");
    assert_non_null(loss);
    assert_non_null(strstr(loss, "n/a"));
    free(text);
    int err = 0;
    json_t *o = aim__phases_report_json(&run, &err);
    assert_int_equal(err, 0);
    json_t *r0 = json_array_get(json_object_get(o, "records"), 0);
    assert_true(json_is_null(json_object_get(r0, "min")));
    assert_true(json_is_null(json_object_get(r0, "max")));
    json_t *r1 = json_array_get(json_object_get(o, "records"), 1);
    assert_true(json_real_value(json_object_get(r1, "max")) == -999999);
    json_decref(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_columns_and_sentinel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
