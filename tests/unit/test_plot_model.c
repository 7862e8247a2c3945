/* The chart model of aimeter plot (processing/plot_model.h) on hand-made samples: units to
 * axes, the window, gaps, and the min/max decimation keeping every bucket's extremes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "processing/plot_model.h"

static void units_to_axes(void **state) {
    (void)state;
    aim_plot_model m;
    aim__plot_model_init(&m, 0, 10, 100);
    assert_int_equal(aim__plot_series_add(&m, "gpu0.power", "W"), 0);
    assert_int_equal(aim__plot_series_add(&m, "gpu0.gpu.clock_sm", "MHz"), 1);
    assert_int_equal(aim__plot_series_add(&m, "gpu1.power", "W"), 2);
    assert_int_equal(m.series[0].axis, 0);
    assert_int_equal(m.series[1].axis, 1);
    assert_int_equal(m.series[2].axis, 0);
    assert_int_equal(m.n_axes, 2);
    assert_string_equal(m.unit[1], "MHz");
    /* a third unit needs a third axis */
    assert_int_equal(aim__plot_series_add(&m, "host.cpu.util", "%"), -EDOM);
    assert_int_equal(m.n_series, 3);
    aim__plot_model_free(&m);
}

static void too_many_series(void **state) {
    (void)state;
    aim_plot_model m;
    aim__plot_model_init(&m, 0, 10, 100);
    for (int i = 0; i < AIM_PLOT_MAX_SERIES; i++)
        assert_int_equal(aim__plot_series_add(&m, "s", "W"), i);
    assert_int_equal(aim__plot_series_add(&m, "s", "W"), -E2BIG);
    aim__plot_model_free(&m);
}

static void window_and_ranges(void **state) {
    (void)state;
    aim_plot_model m;
    aim__plot_model_init(&m, 2, 5, 100);
    aim__plot_series_add(&m, "a", "W");
    aim__plot_series_add(&m, "b", "MHz");
    for (int t = 0; t <= 8; t++) {
        assert_int_equal(aim__plot_point(&m, 0, t, 100 + t, 1), 0);
        assert_int_equal(aim__plot_point(&m, 1, t, 1500, 1), 0);
    }
    assert_int_equal(aim__plot_model_finish(&m), 0);
    /* only t = 2..5 are in the window */
    assert_int_equal(m.series[0].n, 4);
    assert_true(m.series[0].x[0] == 2 && m.series[0].x[3] == 5);
    assert_int_equal(m.series[0].n_samples, 4);
    /* range padded 5 % each way; a constant series gets +-10 % */
    assert_true(fabs(m.ymin[0] - (102 - 0.15)) < 1e-9 && fabs(m.ymax[0] - (105 + 0.15)) < 1e-9);
    assert_true(fabs(m.ymin[1] - 1350) < 1e-9 && fabs(m.ymax[1] - 1650) < 1e-9);
    assert_int_equal(m.per_pixel, 0);
    assert_string_equal(m.note, "");
    aim__plot_model_free(&m);
}

static void gaps_break_the_line(void **state) {
    (void)state;
    aim_plot_model m;
    aim__plot_model_init(&m, 0, 10, 100);
    aim__plot_series_add(&m, "a", "W");
    aim__plot_point(&m, 0, 0, NAN, 1);  /* a leading gap draws nothing */
    aim__plot_point(&m, 0, 1, 1, 1);
    aim__plot_point(&m, 0, 2, 7, 0);    /* invalid */
    aim__plot_point(&m, 0, 3, NAN, 1);  /* a second gap in a row: one break */
    aim__plot_point(&m, 0, 4, 2, 1);
    aim__plot_point(&m, 0, 5, INFINITY, 1);
    aim__plot_point(&m, 0, 6, 3, 1);
    assert_int_equal(aim__plot_model_finish(&m), 0);
    assert_int_equal(m.series[0].n, 5);
    assert_true(m.series[0].y[0] == 1 && isnan(m.series[0].y[1]) && m.series[0].y[2] == 2 &&
                isnan(m.series[0].y[3]) && m.series[0].y[4] == 3);
    assert_int_equal(m.series[0].n_samples, 3);
    /* the invalid 7 is in no range */
    assert_true(m.ymax[0] < 4);
    aim__plot_model_free(&m);
}

/* 10 pixels, 1000 samples: each pixel's bucket keeps its minimum and maximum, in time order. */
static void decimation_keeps_extremes(void **state) {
    (void)state;
    aim_plot_model m;
    aim__plot_model_init(&m, 0, 10, 10);
    aim__plot_series_add(&m, "a", "W");
    for (int k = 0; k < 1000; k++) {
        double t = k * 0.01, v = 50;
        if (k % 100 == 37)
            v = 1000 + k;  /* one spike per bucket */
        if (k % 100 == 61)
            v = -(double)k;  /* one dip per bucket, after the spike */
        aim__plot_point(&m, 0, t, v, 1);
    }
    assert_int_equal(aim__plot_model_finish(&m), 0);
    const aim_plot_series *s = &m.series[0];
    assert_int_equal(s->n, 20);
    for (int b = 0; b < 10; b++) {
        int spike = b * 100 + 37, dip = b * 100 + 61;
        assert_true(fabs(s->x[2 * b] - spike * 0.01) < 1e-9);
        assert_true(s->y[2 * b] == 1000 + spike);
        assert_true(fabs(s->x[2 * b + 1] - dip * 0.01) < 1e-9);
        assert_true(s->y[2 * b + 1] == -dip);
    }
    assert_int_equal(m.per_pixel, 100);
    assert_string_equal(m.note, "min/max of up to 100 samples per pixel");
    assert_true(m.ymax[0] > 1000 + 937 && m.ymin[0] < -961);
    aim__plot_model_free(&m);
}

/* At most 2 samples per pixel: every sample drawn, no note. */
static void few_samples_not_decimated(void **state) {
    (void)state;
    aim_plot_model m;
    aim__plot_model_init(&m, 0, 10, 10);
    aim__plot_series_add(&m, "a", "W");
    for (int k = 0; k < 20; k++)
        aim__plot_point(&m, 0, k * 0.5, k, 1);
    assert_int_equal(aim__plot_model_finish(&m), 0);
    assert_int_equal(m.series[0].n, 20);
    assert_int_equal(m.per_pixel, 0);
    assert_string_equal(m.note, "");
    aim__plot_model_free(&m);
}

static void decimation_keeps_gaps(void **state) {
    (void)state;
    aim_plot_model m;
    aim__plot_model_init(&m, 0, 10, 2);
    aim__plot_series_add(&m, "a", "W");
    for (int k = 0; k < 100; k++)
        aim__plot_point(&m, 0, k * 0.1, k, k < 20 || k > 30);
    assert_int_equal(aim__plot_model_finish(&m), 0);
    const aim_plot_series *s = &m.series[0];
    /* bucket 0 before the gap: 0 and 19; the gap; bucket 0 after it: 31 and 49; bucket 1 */
    assert_int_equal(s->n, 7);
    assert_true(s->y[0] == 0 && s->y[1] == 19 && isnan(s->y[2]) && s->y[3] == 31 &&
                s->y[4] == 49 && s->y[5] == 50 && s->y[6] == 99);
    aim__plot_model_free(&m);
}

static void empty_and_one_sample(void **state) {
    (void)state;
    aim_plot_model m;
    aim__plot_model_init(&m, 0, 0, 100);  /* a run of no duration */
    aim__plot_series_add(&m, "a", "W");
    assert_int_equal(aim__plot_model_finish(&m), 0);
    assert_true(m.x1 > m.x0);
    assert_true(m.ymin[0] == 0 && m.ymax[0] == 1);
    aim__plot_model_free(&m);

    aim__plot_model_init(&m, 0, 0, 100);
    aim__plot_series_add(&m, "a", "W");
    aim__plot_point(&m, 0, 0, 0, 1);
    assert_int_equal(aim__plot_model_finish(&m), 0);
    assert_int_equal(m.series[0].n, 1);
    assert_true(m.ymin[0] == -1 && m.ymax[0] == 1);
    aim__plot_model_free(&m);
}

static void bands_clipped(void **state) {
    (void)state;
    aim_plot_model m;
    aim__plot_model_init(&m, 10, 20, 100);
    assert_int_equal(aim__plot_band_add(&m, "before", 0, 1, 5), 0);
    assert_int_equal(aim__plot_band_add(&m, "epoch", 0, 5, 15), 0);
    assert_int_equal(aim__plot_band_add(&m, "step", 1, 12, 30), 0);
    assert_int_equal(aim__plot_band_add(&m, "after", 0, 25, 30), 0);
    assert_int_equal(m.n_bands, 2);
    assert_string_equal(m.bands[0].name, "epoch");
    assert_true(m.bands[0].x0 == 10 && m.bands[0].x1 == 15);
    assert_true(m.bands[1].x0 == 12 && m.bands[1].x1 == 20 && m.bands[1].depth == 1);
    aim__plot_model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(units_to_axes),
        cmocka_unit_test(too_many_series),
        cmocka_unit_test(window_and_ranges),
        cmocka_unit_test(gaps_break_the_line),
        cmocka_unit_test(decimation_keeps_extremes),
        cmocka_unit_test(few_samples_not_decimated),
        cmocka_unit_test(decimation_keeps_gaps),
        cmocka_unit_test(empty_and_one_sample),
        cmocka_unit_test(bands_clipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
