/* The streaming min/max decimation (processing/decimate.h) on hand-made samples: bucket
 * edges, gaps, the lossless small buckets, one bucket, no sample, an instant window, and the
 * bound on what a long series becomes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "processing/decimate.h"

static void push_all(aim_decimator *d, const double *t, const double *v, const int *ok, size_t n) {
    for (size_t k = 0; k < n; k++)
        assert_int_equal(aim__decimator_push(d, t[k], v[k], ok ? ok[k] : 1), 0);
    assert_int_equal(aim__decimator_finish(d), 0);
}

static void empty(void **state) {
    (void)state;
    aim_decimator d;
    aim__decimator_init(&d, 0, 10, 100);
    assert_int_equal(aim__decimator_finish(&d), 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(d.samples, 0);
    assert_int_equal(d.per_bucket, 0);
    aim__decimator_free(&d);
}

/* The window's edges: x0 in the first bucket, x1 in the last, outside ignored; a sample on a
 * bucket's boundary opens the next one. */
static void bucket_edges(void **state) {
    (void)state;
    aim_decimator d;
    aim__decimator_init(&d, 0, 4, 4);
    /* bucket 0: 0, 0.5, 0.9 (3 samples: min/max); bucket 1 starts at 1 */
    double t[] = { -1, 0, 0.5, 0.9, 1, 4, 5 };
    double v[] = { 99, 5, 1, 9, 7, 3, 99 };
    push_all(&d, t, v, NULL, 7);
    assert_int_equal(d.samples, 5);
    assert_int_equal(d.n, 4);
    assert_true(d.t[0] == 0.5 && d.v[0] == 1 && d.t[1] == 0.9 && d.v[1] == 9);
    assert_true(d.t[2] == 1 && d.v[2] == 7 && d.t[3] == 4 && d.v[3] == 3);
    assert_int_equal(d.per_bucket, 3);
    aim__decimator_free(&d);
}

/* At most 2 samples per bucket: every sample kept as it came, per_bucket 0. */
static void two_per_bucket_lossless(void **state) {
    (void)state;
    aim_decimator d;
    aim__decimator_init(&d, 0, 10, 10);
    for (int k = 0; k < 20; k++)
        assert_int_equal(aim__decimator_push(&d, k * 0.5, (k * 7) % 5, 1), 0);
    assert_int_equal(aim__decimator_finish(&d), 0);
    assert_int_equal(d.n, 20);
    for (int k = 0; k < 20; k++)
        assert_true(d.t[k] == k * 0.5 && d.v[k] == (k * 7) % 5);
    assert_int_equal(d.per_bucket, 0);
    aim__decimator_free(&d);
}

/* The extremes in the order they came: a dip before a spike stays before it. */
static void min_max_in_time_order(void **state) {
    (void)state;
    aim_decimator d;
    aim__decimator_init(&d, 0, 1, 1);
    for (int k = 0; k < 100; k++)
        aim__decimator_push(&d, k * 0.01, k == 20 ? -5 : k == 70 ? 50 : 1, 1);
    aim__decimator_finish(&d);
    assert_int_equal(d.n, 2);
    assert_true(d.v[0] == -5 && fabs(d.t[0] - 0.2) < 1e-12);
    assert_true(d.v[1] == 50 && fabs(d.t[1] - 0.7) < 1e-12);
    assert_int_equal(d.per_bucket, 100);
    aim__decimator_free(&d);

    /* a constant bucket: one point */
    aim__decimator_init(&d, 0, 1, 1);
    for (int k = 0; k < 10; k++)
        aim__decimator_push(&d, k * 0.1, 3, 1);
    aim__decimator_finish(&d);
    assert_int_equal(d.n, 1);
    assert_true(d.v[0] == 3 && d.t[0] == 0);
    aim__decimator_free(&d);
}

/* Gaps: one break for a run of them, none at the start, the segments before and after a gap
 * decimated apart; a trailing gap kept. */
static void gaps(void **state) {
    (void)state;
    aim_decimator d;
    aim__decimator_init(&d, 0, 10, 100);
    double t[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
    double v[] = { NAN, 1, 7, NAN, 2, INFINITY, 3, 4 };
    int ok[] = { 1, 1, 0, 1, 1, 1, 1, 0 };
    push_all(&d, t, v, ok, 8);
    assert_int_equal(d.samples, 3);
    assert_int_equal(d.n, 6);
    assert_true(d.v[0] == 1 && isnan(d.v[1]) && d.t[1] == 2 && d.v[2] == 2 && isnan(d.v[3]) &&
                d.v[4] == 3 && isnan(d.v[5]) && d.t[5] == 7);
    aim__decimator_free(&d);

    /* one bucket, a gap inside it: both sides keep their extremes */
    aim__decimator_init(&d, 0, 10, 1);
    for (int k = 0; k < 100; k++)
        aim__decimator_push(&d, k * 0.1, k, k < 20 || k > 30);
    aim__decimator_finish(&d);
    assert_int_equal(d.n, 5);
    assert_true(d.v[0] == 0 && d.v[1] == 19 && isnan(d.v[2]) && d.v[3] == 31 && d.v[4] == 99);
    assert_int_equal(d.per_bucket, 69);
    aim__decimator_free(&d);
}

/* Valid and invalid alternating, 1000 per bucket: the output stays bounded (at most 6 points
 * per bucket), the first gap of each bucket still breaks the line. */
static void many_gaps_bounded(void **state) {
    (void)state;
    aim_decimator d;
    aim__decimator_init(&d, 0, 10, 10);
    for (int k = 0; k < 10000; k++)
        assert_int_equal(aim__decimator_push(&d, k * 0.001, k, k % 2 == 0), 0);
    assert_int_equal(aim__decimator_finish(&d), 0);
    assert_int_equal(d.samples, 5000);
    assert_true(d.n <= 60);
    size_t breaks = 0;
    for (size_t k = 0; k < d.n; k++) {
        breaks += isnan(d.v[k]);
        if (k)
            assert_true(d.t[k] >= d.t[k - 1]);
    }
    assert_true(breaks >= 10);
    aim__decimator_free(&d);
}

/* x1 == x0: every sample at that instant is in the one bucket; others are outside. */
static void instant_window(void **state) {
    (void)state;
    aim_decimator d;
    aim__decimator_init(&d, 5, 5, 100);
    double t[] = { 4, 5, 5, 5, 6 };
    double v[] = { 1, 2, 8, 4, 1 };
    push_all(&d, t, v, NULL, 5);
    assert_int_equal(d.samples, 3);
    assert_int_equal(d.n, 2);   /* min and max at one instant, both kept */
    assert_true(d.t[0] == 5 && d.v[0] == 2 && d.t[1] == 5 && d.v[1] == 8);
    assert_int_equal(d.per_bucket, 3);
    aim__decimator_free(&d);

    aim__decimator_init(&d, 0, 0, 0);   /* 0 buckets is 1 */
    assert_int_equal(d.buckets, 1);
    aim__decimator_push(&d, 0, 3, 1);
    aim__decimator_finish(&d);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.per_bucket, 0);
    aim__decimator_free(&d);
}

/* A long series: 2 points per bucket at most and the global extremes survive. */
static void long_series(void **state) {
    (void)state;
    aim_decimator d;
    aim__decimator_init(&d, 0, 3600, 2000);
    for (int k = 0; k <= 360000; k++) {
        double v = sin(k * 0.001) * 100;
        if (k == 123457)
            v = 1e6;
        assert_int_equal(aim__decimator_push(&d, k * 0.01, v, 1), 0);
    }
    assert_int_equal(aim__decimator_finish(&d), 0);
    assert_true(d.n <= 4000);
    int found = 0;
    for (size_t k = 0; k < d.n; k++)
        found |= d.v[k] == 1e6;
    assert_true(found);
    assert_true(d.per_bucket >= 180 && d.per_bucket <= 181);
    aim__decimator_free(&d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty),
        cmocka_unit_test(bucket_edges),
        cmocka_unit_test(two_per_bucket_lossless),
        cmocka_unit_test(min_max_in_time_order),
        cmocka_unit_test(gaps),
        cmocka_unit_test(many_gaps_bounded),
        cmocka_unit_test(instant_window),
        cmocka_unit_test(long_series),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
