/* The cumulative chart's model (processing/plot_cumulative.h) over the shared curve
 * (processing/energy_timeline.h): the curve copied and carried to the run's end, carbon at
 * a stepped series flagged as varying, a run without an intensity, an empty run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "processing/plot_cumulative.h"

#define HOUR_NS 3600000000000LL

/* The curve of 1 kWh of facility energy per hour over [0, until_ns], an interval a second,
 * priced at g_per_kwh (NaN: no intensity), as the pricer reports them. */
static void feed(aim_energy_timeline *tl, const aim_run_summary *run, int64_t until_ns,
                 double g_per_kwh) {
    aim_whatif_scenario sc[2];
    aim__energy_timeline_scenarios(tl, run, sc);
    for (int64_t t = 0; t < until_ns; t += 1000000000LL) {
        sc[0].on_interval(sc[0].userdata, 0, t, t + 1000000000LL, g_per_kwh / 3600);
        sc[1].on_interval(sc[1].userdata, 0, t, t + 1000000000LL, 1.0 / 3600);
    }
    assert_int_equal(aim__energy_timeline_finish(tl), 0);
}

static void constant_intensity(void **state) {
    (void)state;
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    run.duration_ns = HOUR_NS;
    run.pue = 1.5;
    run.intensity_g_per_kwh = 400;
    aim_energy_timeline tl;
    aim__energy_timeline_init(&tl, 0, 3600, 6);
    feed(&tl, &run, HOUR_NS, 400);
    aim_plot_cumulative m;
    assert_int_equal(aim__plot_cumulative_build(&run, &tl, &m), 0);
    /* the start and a point per bucket at its last interval (a bucket's end is the next
     * one's start), the last at the run's end */
    assert_int_equal(m.n, 7);
    assert_true(m.t[0] == 0 && m.t[3] == 1799 && m.t[6] == 3600);
    assert_true(m.kwh[0] == 0 && m.g[0] == 0);
    assert_true(fabs(m.kwh[6] - 1) < 1e-9 && fabs(m.kwh[3] - 1799.0 / 3600) < 1e-9);
    assert_true(fabs(m.g[6] - 400) < 1e-6 && fabs(m.g[3] - 400 * 1799.0 / 3600) < 1e-6);
    assert_true(m.kwh_max == m.kwh[6] && m.g_max == m.g[6] && m.t_max == 3600);
    assert_true(m.pue == 1.5);
    assert_false(m.intensity_varies);
    aim__plot_cumulative_free(&m);
    aim__energy_timeline_free(&tl);
}

static void stepped_intensity_and_early_end(void **state) {
    (void)state;
    aim_intensity_point pts[3] = { { 1000000, 100 }, { 1000000 + 1800000, 500 },
                                   { 1000000 + 7200000, 300 } };
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    run.start_wall_ns = 1000000LL * 1000000;  /* the first point's instant */
    run.duration_ns = HOUR_NS;
    run.intensity_points = pts;
    run.n_intensity_points = 3;
    aim_energy_timeline tl;
    aim__energy_timeline_init(&tl, 0, 3600, 4);
    feed(&tl, &run, HOUR_NS / 2, 100);   /* the samples stop half way */
    aim_plot_cumulative m;
    assert_int_equal(aim__plot_cumulative_build(&run, &tl, &m), 0);
    /* PUE unset reads as 1; the line stays flat from the last sample to the run's end */
    assert_int_equal(m.n, 5);
    assert_true(m.t[3] == 1800 && m.t[4] == 3600 && m.t_max == 3600);
    assert_true(m.kwh[4] == m.kwh[3] && fabs(m.kwh_max - 0.5) < 1e-9);
    assert_true(fabs(m.g_max - 50) < 1e-6 && m.pue == 1);
    assert_true(m.intensity_varies);
    aim__plot_cumulative_free(&m);
    aim__energy_timeline_free(&tl);
    /* a run that ends before the second point: one value in force */
    run.duration_ns = HOUR_NS / 4;
    aim__energy_timeline_init(&tl, 0, 900, 4);
    feed(&tl, &run, HOUR_NS / 4, 100);
    assert_int_equal(aim__plot_cumulative_build(&run, &tl, &m), 0);
    assert_false(m.intensity_varies);
    aim__plot_cumulative_free(&m);
    aim__energy_timeline_free(&tl);
}

static void no_intensity(void **state) {
    (void)state;
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    run.duration_ns = HOUR_NS;
    run.intensity_g_per_kwh = NAN;
    aim_energy_timeline tl;
    aim__energy_timeline_init(&tl, 0, 3600, 3);
    feed(&tl, &run, HOUR_NS, NAN);
    assert_true(isnan(tl.g[tl.n - 1]));
    aim_plot_cumulative m;
    assert_int_equal(aim__plot_cumulative_build(&run, &tl, &m), 0);
    /* the carbon is unknown: its line stays at 0, the energy is drawn */
    for (size_t i = 0; i < m.n; i++)
        assert_true(m.g[i] == 0);
    assert_true(fabs(m.kwh_max - 1) < 1e-9);
    aim__plot_cumulative_free(&m);
    aim__energy_timeline_free(&tl);
}

static void empty_run(void **state) {
    (void)state;
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    aim_energy_timeline tl;
    aim__energy_timeline_init(&tl, 0, 0, 10);
    assert_int_equal(aim__energy_timeline_finish(&tl), 0);
    assert_int_equal(tl.n, 0);
    aim_plot_cumulative m;
    assert_int_equal(aim__plot_cumulative_build(&run, &tl, &m), 0);
    assert_int_equal(m.n, 2);
    assert_true(m.kwh_max == 0 && m.g_max == 0 && m.t_max == 1);
    aim__plot_cumulative_free(&m);
    aim__energy_timeline_free(&tl);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(constant_intensity),
        cmocka_unit_test(stepped_intensity_and_early_end),
        cmocka_unit_test(no_intensity),
        cmocka_unit_test(empty_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
