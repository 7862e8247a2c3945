/* A time-series chart's extras (processing/plot_extras.h): markers kept inside the window,
 * and the centred moving mean (over time, never across a gap, streaming before the
 * decimation). */
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

/* What the smoother emits, collected. */
typedef struct points {
    double t[32], v[32];
    int valid[32];
    int n;
} points;

static int collect(void *userdata, double t, double value, int valid) {
    points *p = userdata;
    p->t[p->n] = t;
    p->v[p->n] = value;
    p->valid[p->n++] = valid;
    return 0;
}

static void moving_mean_and_gaps(void **state) {
    (void)state;
    aim_plot_smoother s;
    points p = { .n = 0 };
    /* 2 s wide: each sample with its neighbours 1 s either side */
    aim__plot_smoother_init(&s, 2);
    /* 0..4: 0 0 10 0 0, a gap at 5, then 6..8: 3 6 9 */
    const double v[] = { 0, 0, 10, 0, 0 };
    for (int t = 0; t < 5; t++)
        assert_int_equal(aim__plot_smoother_push(&s, t, v[t], 1, collect, &p), 0);
    /* a sample is emitted once one beyond its window came: 0, 1 and 2 so far */
    assert_int_equal(p.n, 3);
    assert_int_equal(aim__plot_smoother_push(&s, 5, 0, 0, collect, &p), 0);
    for (int t = 6; t < 9; t++)
        assert_int_equal(aim__plot_smoother_push(&s, t, 3.0 * (t - 5), 1, collect, &p), 0);
    assert_int_equal(aim__plot_smoother_flush(&s, collect, &p), 0);
    assert_int_equal(p.n, 9);
    for (int k = 0; k < 9; k++)
        assert_true(p.t[k] == k);
    assert_true(fabs(p.v[0] - 0) < 1e-12);            /* (0 + 0) / 2 */
    assert_true(fabs(p.v[1] - 10.0 / 3) < 1e-12);     /* (0 + 0 + 10) / 3 */
    assert_true(fabs(p.v[2] - 10.0 / 3) < 1e-12);
    assert_true(fabs(p.v[4] - 0) < 1e-12);            /* not across the gap */
    assert_false(p.valid[5]);                          /* the gap passed on */
    assert_true(fabs(p.v[6] - 4.5) < 1e-12);          /* (3 + 6) / 2: the gap is an edge */
    assert_true(fabs(p.v[7] - 6) < 1e-12);
    assert_true(fabs(p.v[8] - 7.5) < 1e-12);
    aim__plot_smoother_free(&s);
}

static void long_series_bounded(void **state) {
    (void)state;
    /* 100 000 samples at 10 ms, a 0.1 s window: the buffer stays about one window */
    aim_plot_smoother s;
    aim__plot_smoother_init(&s, 0.1);
    double last = 0;
    size_t most = 0;
    for (int k = 0; k < 100000; k++) {
        points p = { .n = 0 };
        assert_int_equal(aim__plot_smoother_push(&s, k * 0.01, k % 2 ? 1 : 3, 1, collect, &p), 0);
        assert_true(p.n <= 2);   /* (rounding of k * 0.01 may hold one back) */
        if (p.n)
            last = p.v[p.n - 1];
        most = s.cap > most ? s.cap : most;
    }
    assert_true(fabs(last - 2) < 0.2);   /* 11 samples, alternating 1 and 3 */
    assert_true(most <= 256);
    aim__plot_smoother_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(marks_in_the_window),
        cmocka_unit_test(moving_mean_and_gaps),
        cmocka_unit_test(long_series_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
