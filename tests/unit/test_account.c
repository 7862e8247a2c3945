/* processing/account.c: carbon as a time series, accounted per device and interval (what
 * the writer and the replay share). Every expected figure is worked out in the comments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "carbon_fixture.h"
#include "data/carbon.h"
#include "processing/account.h"

/* One constant value: the sum over devices and intervals is exactly the product of the
 * total energy and the value (what every earlier aimeter computed). */
static void constant_is_exactly_total_times_intensity(void **state) {
    aim_intensity_point p = { T0_MS, 473.01 };
    aim_step_acc acc[3] = { { 0 } };
    double e[3] = { 0 }, prev[3] = { 0 };
    unsigned char inc[3] = { 1, 1, 0 };
    /* Irregular energies, so that a sum of products would round differently. */
    for (int i = 1; i <= 1000; i++)
        for (int d = 0; d < 3; d++) {
            e[d] = prev[d] + 0.1 * i + d * 0.013 + 1.0 / (i + d);
            aim__step_acc_add(&acc[d], &p, 1, (T0_MS + i - 1) * 1000000, (T0_MS + i) * 1000000,
                             prev[d], e[d]);
            prev[d] = e[d];
        }
    double total = 0;
    for (int d = 0; d < 3; d++)
        if (inc[d])
            total += e[d];
    double g = aim__step_acc_sum(acc, e, inc, 3, &p, 1);
    assert_true(g == aim__carbon_g(total, 473.01));
    assert_true(aim__step_acc_value(&acc[0], &p, 1, e[0]) == aim__carbon_g(e[0], 473.01));
    assert_true(isnan(aim__step_acc_sum(acc, e, inc, 3, NULL, 0)));
}

/* A step change inside an interval splits its energy by time: 36 J over [10 s, 20 s] with
 * 100 g/kWh until 14 s and 400 after: 14.4 J at 100 and 21.6 J at 400.
 * g = (14.4 × 100 + 21.6 × 400) / 3.6e6 = (1440 + 8640) / 3.6e6 = 0.0028 g. */
static void change_inside_an_interval_splits_it(void **state) {
    aim_intensity_point p[] = { { T0_MS, 100 }, { T0_MS + 14000, 400 } };
    aim_step_acc a = { 0 };
    aim__step_acc_add(&a, p, 2, T0_MS * 1000000 + 10 * S_NS, T0_MS * 1000000 + 10 * S_NS, 0, 0);
    aim__step_acc_add(&a, p, 2, T0_MS * 1000000 + 10 * S_NS, T0_MS * 1000000 + 20 * S_NS, 0, 36);
    carbon_near(aim__step_acc_value(&a, p, 2, 36), 0.0028);
    /* Two changes in one interval, one of them exactly at its end (that one applies from
     * the next interval): 30 J over [0, 3 s], 10 until 1 s, 20 until 3 s, then 90.
     * g = (10 J × 10 + 20 J × 20) / 3.6e6 = 500 / 3.6e6. */
    aim_intensity_point q[] = { { T0_MS, 10 }, { T0_MS + 1000, 20 }, { T0_MS + 3000, 90 } };
    aim_step_acc b = { 0 };
    aim__step_acc_add(&b, q, 3, T0_MS * 1000000, T0_MS * 1000000 + 3 * S_NS, 0, 30);
    carbon_near(aim__step_acc_value(&b, q, 3, 30), 500 / 3.6e6);
    /* The next interval [3 s, 4 s], 6 J, is all at 90: + 540 / 3.6e6. */
    aim__step_acc_add(&b, q, 3, T0_MS * 1000000 + 3 * S_NS, T0_MS * 1000000 + 4 * S_NS, 30, 36);
    carbon_near(aim__step_acc_value(&b, q, 3, 36), 1040 / 3.6e6);
}

/* A gap in a device's samples spanning a change: the energy up to the gap's start belongs to
 * the step that was in force then; the gap's interval is split by time as any other. A point
 * appended while running applies to the intervals that follow it. */
static void gap_and_appended_point(void **state) {
    aim_intensity_point p[3] = { { T0_MS, 100 }, { T0_MS + 5000, 300 }, { 0, 0 } };
    aim_step_acc a = { 0 };
    int64_t base = T0_MS * 1000000;
    aim__step_acc_add(&a, p, 2, base, base + S_NS, 0, 10);            /* 10 J at 100 */
    aim__step_acc_add(&a, p, 2, base + S_NS, base + 9 * S_NS, 10, 90); /* 80 J: 4 s at 100,
                                                                         4 s at 300 */
    carbon_near(aim__step_acc_value(&a, p, 2, 90), (10 * 100 + 40 * 100 + 40 * 300) / 3.6e6);
    p[2] = (aim_intensity_point){ T0_MS + 9000, 1000 };
    aim__step_acc_add(&a, p, 3, base + 9 * S_NS, base + 10 * S_NS, 90, 100); /* 10 J at 1000 */
    carbon_near(aim__step_acc_value(&a, p, 3, 100), (5000 + 12000 + 10000) / 3.6e6);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(constant_is_exactly_total_times_intensity),
        cmocka_unit_test(change_inside_an_interval_splits_it),
        cmocka_unit_test(gap_and_appended_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
