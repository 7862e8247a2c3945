/* The cumulative chart's model (processing/plot_cumulative.h): facility kWh from an energy
 * function, carbon at a constant intensity and at a stepped series, an empty run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "processing/plot_cumulative.h"

/* 1 kW: 1000 J per second */
static double kilowatt(const void *userdata, int64_t t_ns) {
    (void)userdata;
    return (double)t_ns / 1e9 * 1000;
}

static void constant_intensity(void **state) {
    (void)state;
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    run.duration_ns = 3600000000000LL;   /* an hour: 1 kWh of IT energy */
    run.pue = 1.5;
    run.intensity_g_per_kwh = 400;
    aim_plot_cumulative m;
    assert_int_equal(aim__plot_cumulative_build(&run, kilowatt, NULL, 7, &m), 0);
    assert_int_equal(m.n, 7);
    assert_true(m.t[0] == 0 && m.t[6] == 3600 && m.kwh[0] == 0);
    assert_true(fabs(m.kwh[6] - 1.5) < 1e-9 && fabs(m.kwh[3] - 0.75) < 1e-9);
    assert_true(fabs(m.g[6] - 600) < 1e-6 && fabs(m.g[3] - 300) < 1e-6);
    assert_false(m.intensity_varies);
    aim__plot_cumulative_free(&m);
}

static void stepped_intensity(void **state) {
    (void)state;
    aim_intensity_point pts[2] = { { 1000000, 100 }, { 1000000 + 1800000, 500 } };
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    run.start_wall_ns = 1000000LL * 1000000;  /* the first point's instant */
    run.duration_ns = 3600000000000LL;
    run.intensity_points = pts;
    run.n_intensity_points = 2;
    aim_plot_cumulative m;
    assert_int_equal(aim__plot_cumulative_build(&run, kilowatt, NULL, 3, &m), 0);
    /* PUE unset reads as 1; the first half hour at 100, the second at 500 */
    assert_true(fabs(m.kwh[2] - 1) < 1e-9);
    assert_true(fabs(m.g[1] - 50) < 1e-6 && fabs(m.g[2] - 300) < 1e-6);
    assert_true(m.intensity_varies);
    aim__plot_cumulative_free(&m);
}

static double nothing(const void *userdata, int64_t t_ns) {
    (void)userdata;
    (void)t_ns;
    return 0;
}

static void empty_run(void **state) {
    (void)state;
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    aim_plot_cumulative m;
    assert_int_equal(aim__plot_cumulative_build(&run, nothing, NULL, 0, &m), 0);
    assert_int_equal(m.n, 2);
    assert_true(m.kwh_max == 0 && m.g_max == 0 && m.t_max == 1);
    aim__plot_cumulative_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(constant_intensity),
        cmocka_unit_test(stepped_intensity),
        cmocka_unit_test(empty_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
