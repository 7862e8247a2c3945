/* model/intensity_series.c: the intensity step function (which point is in force at a
 * time) and the run's series as points are appended. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "model/intensity_series.h"

static void step_index(void **state) {
    aim_intensity_point p[] = { { 1000, 10 }, { 2000, 20 }, { 3000, 30 } };
    assert_int_equal(aim__step_index(p, 3, 0), 0);    /* before the first: the first */
    assert_int_equal(aim__step_index(p, 3, 999), 0);
    assert_int_equal(aim__step_index(p, 3, 1000), 0); /* at a point: that point */
    assert_int_equal(aim__step_index(p, 3, 1999), 0);
    assert_int_equal(aim__step_index(p, 3, 2000), 1);
    assert_int_equal(aim__step_index(p, 3, 2999), 1);
    assert_int_equal(aim__step_index(p, 3, 3000), 2);
    assert_int_equal(aim__step_index(p, 3, INT64_MAX), 2); /* after the last: the last */
    assert_int_equal(aim__step_index(p, 1, 5), 0);
}

static void series_append(void **state) {
    aim_intensity_series s;
    assert_int_equal(aim__intensity_series_init(&s), 0);
    aim_intensity_point a[] = { { 100, 1 }, { 200, 2 } };
    assert_int_equal(aim__intensity_series_append(&s, a, 2), 0);
    /* Not after the last point, or not a valid value: refused, nothing appended. */
    aim_intensity_point bad[] = { { 300, 3 }, { 250, 4 } };
    assert_int_equal(aim__intensity_series_append(&s, bad, 2), -EINVAL);
    aim_intensity_point neg = { 400, -1 };
    assert_int_equal(aim__intensity_series_append(&s, &neg, 1), -EINVAL);
    aim_intensity_point nan_pt = { 400, NAN };
    assert_int_equal(aim__intensity_series_append(&s, &nan_pt, 1), -EINVAL);
    assert_int_equal(s.n, 2);
    /* Energy priced up to t = 1000 ms: a point that says "from 500" applies from 1000. */
    s.priced_until_ms = 1000;
    aim_intensity_point late = { 500, 7 };
    assert_int_equal(aim__intensity_series_append(&s, &late, 1), 0);
    assert_int_equal(s.n, 3);
    assert_true(s.points[2].t_unix_ms == 1000 && s.points[2].g_per_kwh == 7);
    assert_int_equal(s.moved, 1);
    /* Grows past its first allocation. */
    for (int i = 0; i < 100; i++) {
        aim_intensity_point p = { 2000 + i, i };
        assert_int_equal(aim__intensity_series_append(&s, &p, 1), 0);
    }
    assert_int_equal(s.n, 103);
    assert_true(s.points[102].t_unix_ms == 2099);
    aim__intensity_series_destroy(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(step_index),
        cmocka_unit_test(series_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
