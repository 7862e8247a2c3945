/* The cumulative energy and carbon curve (processing/energy_timeline.h) fed as the what-if
 * pricer feeds it (its two scenarios' on_interval): a point per bucket whatever the number
 * of samples, so a long run costs memory in proportion to the buckets; the last point is
 * the sums; a dip is smoothed away; an interval past the window stays in the last bucket. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "processing/energy_timeline.h"

static aim_run_summary one_hour(void) {
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    run.duration_ns = 3600000000000LL;
    run.intensity_g_per_kwh = 250;
    return run;
}

/* An hour of n_dev devices sampled at hz, each interval 1e-6 kWh at 250 g/kWh. */
static void hour_at(aim_energy_timeline *tl, size_t buckets, int64_t hz, int n_dev) {
    aim_run_summary run = one_hour();
    aim__energy_timeline_init(tl, 0, 3600, buckets);
    aim_whatif_scenario sc[2];
    aim__energy_timeline_scenarios(tl, &run, sc);
    assert_true(sc[0].n == 1 && sc[0].points[0].g_per_kwh == 250);
    assert_true(sc[1].n == 1 && sc[1].points[0].g_per_kwh == 1);
    int64_t step = 1000000000LL / hz;
    for (int64_t t = 0; t < run.duration_ns; t += step)
        for (int d = 0; d < n_dev; d++) {
            sc[0].on_interval(sc[0].userdata, d, t, t + step, 250e-6);
            sc[1].on_interval(sc[1].userdata, d, t, t + step, 1e-6);
        }
    assert_int_equal(aim__energy_timeline_finish(tl), 0);
}

static void bounded_by_the_buckets(void **state) {
    (void)state;
    aim_energy_timeline a, b;
    /* 1 h at 100 Hz of 2 devices: 720 000 intervals a scenario */
    hour_at(&a, 1200, 100, 2);
    assert_int_equal(a.n, 1200 + 1);
    /* the arrays grow by doubling from 256: never past twice the points */
    assert_true(a.cap <= 2 * (1200 + 1));
    assert_true(a.t[0] == 0 && a.kwh[0] == 0 && a.g[0] == 0 && a.t[a.n - 1] == 3600);
    assert_true(fabs(a.kwh[a.n - 1] - 720000e-6) < 1e-6);
    assert_true(fabs(a.g[a.n - 1] - 250 * 720000e-6) < 1e-3);
    /* ten times the samples: the same points and the same memory */
    hour_at(&b, 1200, 1000, 2);
    assert_int_equal(b.n, a.n);
    assert_int_equal(b.cap, a.cap);
    for (size_t i = 1; i < a.n; i++)
        assert_true(a.t[i] > a.t[i - 1] && a.kwh[i] >= a.kwh[i - 1]);
    aim__energy_timeline_free(&a);
    aim__energy_timeline_free(&b);
    /* and fewer buckets, fewer points */
    hour_at(&a, 10, 100, 1);
    assert_int_equal(a.n, 10 + 1);
    assert_int_equal(a.cap, 256);
    aim__energy_timeline_free(&a);
}

static void dips_and_late_intervals(void **state) {
    (void)state;
    aim_run_summary run = one_hour();
    aim_energy_timeline tl;
    aim__energy_timeline_init(&tl, 0, 10, 10);
    aim_whatif_scenario sc[2];
    aim__energy_timeline_scenarios(&tl, &run, sc);
    /* a counter's extrapolated start taken back by the next reading, then a sample after
     * the recorded end */
    double kwh[4] = { 3, -1, 2, 1 };
    int64_t t1[4] = { 1500000000LL, 2500000000LL, 9500000000LL, 12000000000LL };
    for (int i = 0; i < 4; i++) {
        sc[1].on_interval(sc[1].userdata, 0, i ? t1[i - 1] : 0, t1[i], kwh[i]);
        sc[0].on_interval(sc[0].userdata, 0, i ? t1[i - 1] : 0, t1[i], kwh[i] * 250);
    }
    assert_int_equal(aim__energy_timeline_finish(&tl), 0);
    /* the start, buckets 1 and 2, then bucket 9 holding both late intervals */
    assert_int_equal(tl.n, 4);
    assert_true(tl.t[1] == 1.5 && tl.t[2] == 2.5 && tl.t[3] == 12);
    assert_true(tl.kwh[1] == 2 && tl.kwh[2] == 2 && tl.kwh[3] == 5);   /* 3 made 2: no dip */
    assert_true(tl.g[3] == 5 * 250);
    aim__energy_timeline_free(&tl);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bounded_by_the_buckets),
        cmocka_unit_test(dips_and_late_intervals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
