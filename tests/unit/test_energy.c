/* processing/energy.c: energy meters over counters and power samples. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "processing/energy.h"

static void energy_from_counter_derives_power(void **state) {
    aim_energy_meter m = { 0 };
    double p = -1;
    assert_int_equal(aim__energy_meter_counter(&m, 0, 0.0, &p), 0); /* no interval yet */
    assert_int_equal(aim__energy_meter_counter(&m, 100000000, 10.0, &p), 1);
    assert_true(p == 100.0); /* 10 J over 0.1 s */
    assert_int_equal(aim__energy_meter_counter(&m, 200000000, 10.0, &p), 1);
    assert_true(p == 0.0);
    assert_int_equal(aim__energy_meter_counter(&m, 200000000, 12.0, &p), 0); /* no time passed */
    assert_int_equal(aim__energy_meter_counter(&m, 300000000, 11.0, &p), 0); /* went backwards */
    assert_true(m.energy_j == 11.0);
    assert_true(m.last_power_w == 0.0);
}

static void energy_from_power_is_a_trapezoid(void **state) {
    aim_energy_meter m = { 0 };
    aim__energy_meter_power(&m, 0, 100.0);
    assert_true(m.energy_j == 0.0);
    aim__energy_meter_power(&m, 1000000000, 200.0);      /* ½ (100 + 200) × 1 s */
    assert_true(m.energy_j == 150.0);
    aim__energy_meter_power(&m, 1500000000, 200.0);      /* + 200 × 0.5 s */
    assert_true(m.energy_j == 250.0);
    aim__energy_meter_power(&m, 1500000000, 999.0);      /* no time: nothing added */
    assert_true(m.energy_j == 250.0);
    aim__energy_meter_power(&m, 3500000000LL, 1.0);      /* a gap widens the next interval */
    assert_true(m.energy_j == 250.0 + 0.5 * (999.0 + 1.0) * 2.0);
    assert_true(m.last_power_w == 1.0);
}

/* Issue 11: the energy spans the whole run. The first power sample is held back to the run's
 * start (an estimate's first value only comes with the second tick: `-i 5s -- sleep 3`
 * reported 0 J at 5.36 W). A counter's value at its first reading (energy since the source
 * opened) is its baseline; its mean power over its first second covers the span before. */
static void energy_edge_from_the_runs_start(void **state) {
    aim_energy_meter m = { .start_t = 1000 };
    aim__energy_meter_power(&m, 1000 + 3000000000LL, 5.36); /* the first value, at 3 s */
    assert_true(fabs(m.energy_j - 5.36 * 3.0) < 1e-12);
    assert_true(m.edge_delta_j == m.edge_j && fabs(m.edge_j - 5.36 * 3.0) < 1e-12);
    aim__energy_meter_power(&m, 1000 + 4000000000LL, 5.36);
    assert_true(m.edge_delta_j == 0);
    assert_true(fabs(m.energy_j - 5.36 * 4.0) < 1e-12);

    /* 100 W whose counter moves every 100 ms, read every 10 ms from 0.5 s on: */
    aim_energy_meter c = { .start_t = 0 };
    double p = -1, edge_sum = 0;
    const int64_t ms = 1000000;
    assert_int_equal(aim__energy_meter_counter(&c, 500 * ms, 7.0, &p), 0); /* since open */
    assert_true(c.energy_j == 0.0 && c.edge_delta_j == 0.0);
    for (int k = 1; k <= 300; k++) {
        double joules = 7.0 + 10.0 * (double)(k / 10); /* a step of 10 J every 10th reading */
        aim__energy_meter_counter(&c, (500 + 10 * k) * ms, joules, &p);
        edge_sum += c.edge_delta_j;
        if (k == 1) /* one interval without a step: the first estimate is 0 W */
            assert_true(c.edge_j == 0.0);
    }
    /* the mean over the first second (100 W), not one interval's 0 or 1000 W: 50 J */
    assert_true(fabs(c.edge_j - 50.0) < 1e-9);
    assert_true(fabs(edge_sum - c.edge_j) < 1e-9);
    assert_true(fabs(c.energy_j - (300.0 + 50.0)) < 1e-9);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(energy_from_counter_derives_power),
        cmocka_unit_test(energy_from_power_is_a_trapezoid),
        cmocka_unit_test(energy_edge_from_the_runs_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
