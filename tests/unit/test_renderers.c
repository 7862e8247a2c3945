/* The renderer table (report/renderers.c): a format an output lacks, an unknown format, no
 * input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "processing/report_model.h"
#include "report/renderers.h"
#include "report_runs.h"

/* ------------------------------------------------------------------ API edges, numbers */

static void bad_arguments(void **state) {
    aim_run_summary r;
    host_only_run(&r);
    char *t = (char *)"untouched";
    aim_report_model m;
    assert_int_equal(aim__report_model_build(&r, &m), 0);
    assert_int_equal(aim__render(AIM_OUTPUT_REPORT, AIM_FORMAT_CSV, &m, &t), -EOPNOTSUPP);
    assert_int_equal(aim__render(AIM_OUTPUT_REPORT, (aim_format)42, &m, &t), -EOPNOTSUPP);
    assert_int_equal(aim__render(AIM_OUTPUT_REPORT, AIM_FORMAT_TEXT, NULL, &t), -EINVAL);
    aim__report_model_free(&m);
    assert_int_equal(aim__report_model_build(NULL, &m), -EINVAL);
    aim__report_model_free(&m);
    assert_string_equal(t, "untouched");
    assert_int_equal(aim_report_render(NULL, "x", AIM_FORMAT_TEXT, &t), -EINVAL);
    aim__run_summary_clear(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
