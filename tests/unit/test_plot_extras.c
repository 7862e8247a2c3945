/* A time-series chart's extras (processing/plot_extras.h): markers kept inside the window,
 * and the centred moving mean (over time, never across a gap, before decimation). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "processing/plot_extras.h"

static void marks_in_the_window(void **state) {
    (void)state;
    aim_plot_model m;
    aim__plot_model_init(&m, 2, 5, 100);
    assert_int_equal(aim__plot_mark_add(&m, "before", 1), 0);
    assert_int_equal(aim__plot_mark_add(&m, "checkpoint", 3), 0);
    assert_int_equal(aim__plot_mark_add(&m, "end", 5), 0);
    assert_int_equal(aim__plot_mark_add(&m, "after", 6), 0);
    assert_int_equal(m.n_marks, 2);
    assert_string_equal(m.marks[0].text, "checkpoint");
    assert_true(m.marks[1].t == 5);
    aim__plot_model_free(&m);
}

static void moving_mean_and_gaps(void **state) {
    (void)state;
    aim_plot_model m;
    aim__plot_model_init(&m, 0, 100, 1000);
    aim__plot_series_add(&m, "a", "W");
    /* 0..4: 0 0 10 0 0, a gap at 5, then 6..8: 3 6 9 */
    const double v[] = { 0, 0, 10, 0, 0 };
    for (int t = 0; t < 5; t++)
        aim__plot_point(&m, 0, t, v[t], 1);
    aim__plot_point(&m, 0, 5, 0, 0);
    for (int t = 6; t < 9; t++)
        aim__plot_point(&m, 0, t, 3.0 * (t - 5), 1);
    aim_plot_series *s = &m.series[0];
    assert_int_equal(s->n, 9);
    /* 2 s wide: each point with its neighbours 1 s either side */
    assert_int_equal(aim__plot_series_smooth(s, 2), 0);
    assert_true(fabs(s->y[0] - 0) < 1e-12);            /* (0 + 0) / 2 */
    assert_true(fabs(s->y[1] - 10.0 / 3) < 1e-12);     /* (0 + 0 + 10) / 3 */
    assert_true(fabs(s->y[2] - 10.0 / 3) < 1e-12);
    assert_true(fabs(s->y[4] - 0) < 1e-12);            /* not across the gap */
    assert_true(isnan(s->y[5]));
    assert_true(fabs(s->y[6] - 4.5) < 1e-12);          /* (3 + 6) / 2: the gap is an edge */
    assert_true(fabs(s->y[7] - 6) < 1e-12);
    assert_true(fabs(s->y[8] - 7.5) < 1e-12);
    /* no window: nothing changes */
    assert_int_equal(aim__plot_series_smooth(s, 0), 0);
    assert_true(fabs(s->y[8] - 7.5) < 1e-12);
    assert_int_equal(aim__plot_model_finish(&m), 0);
    aim__plot_model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(marks_in_the_window),
        cmocka_unit_test(moving_mean_and_gaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
