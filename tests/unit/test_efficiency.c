/* A counter's efficiency figures (processing/efficiency.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "processing/efficiency.h"
#include "processing/records.h"

static void figures_per_unit(void **state) {
    (void)state;
    /* 7.2 MJ (2 kWh) and 500 g for 4000 tokens */
    aim_efficiency e = aim__efficiency_of(7.2e6, 500, 4000);
    assert_true(fabs(e.j_per_unit - 1800) < 1e-9);
    assert_true(fabs(e.units_per_j - 4000 / 7.2e6) < 1e-18);
    assert_true(fabs(e.kwh_per_1000 - 0.5) < 1e-12);
    assert_true(fabs(e.g_per_1000 - 125) < 1e-12);
}

static void nothing_counted_or_no_energy_is_nan(void **state) {
    (void)state;
    aim_efficiency none = aim__efficiency_of(100, 1, 0);
    assert_true(isnan(none.j_per_unit) && isnan(none.units_per_j) &&
                isnan(none.kwh_per_1000) && isnan(none.g_per_1000));
    assert_true(isnan(aim__efficiency_of(0, 1, 10).j_per_unit));
    assert_true(isnan(aim__efficiency_of(NAN, 1, 10).units_per_j));
}

static void never_set_values_read_as_nan(void **state) {
    (void)state;
    assert_true(aim__record_value(3.5) == 3.5);
    assert_true(isnan(aim__record_value(AIM_RECORD_SENTINEL)));
    assert_true(isnan(aim__record_value(-AIM_RECORD_SENTINEL)));
    assert_true(isnan(aim__record_value(INFINITY)));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(figures_per_unit),
        cmocka_unit_test(nothing_counted_or_no_energy_is_nan),
        cmocka_unit_test(never_set_values_read_as_nan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
