/* The zones chart's model (processing/plot_zones.h) from a hand-made what-if result: the
 * run's own bar first, the zones as asked for (their request's words), the largest value. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "processing/plot_zones.h"

static void bars_from_scenarios(void **state) {
    (void)state;
    aim_whatif_scenario sc[3];
    memset(sc, 0, sizeof sc);
    snprintf(sc[0].label, sizeof sc[0].label, "run (FR)");
    sc[0].carbon_g = 8;
    sc[0].intensity_g_per_kwh = 40;
    snprintf(sc[1].label, sizeof sc[1].label, "CA");
    snprintf(sc[1].requested, sizeof sc[1].requested, "CA-SK@marginal");
    snprintf(sc[1].name, sizeof sc[1].name, "Saskatchewan, Canada");
    sc[1].carbon_g = 120;
    snprintf(sc[2].label, sizeof sc[2].label, "PL");
    snprintf(sc[2].requested, sizeof sc[2].requested, "PL");
    sc[2].carbon_g = NAN;
    aim_whatif_result res = { .sc = sc, .n_sc = 3, .pue = 1.2,
                              .tot = { .energy_j = 3.6e6 } };
    aim_plot_zones m;
    assert_int_equal(aim__plot_zones_build(&res, &m), 0);
    assert_int_equal(m.n, 3);
    assert_true(m.bars[0].is_run && !m.bars[1].is_run);
    assert_string_equal(m.bars[0].label, "run (FR)");
    assert_string_equal(m.bars[1].label, "CA-SK@marginal");
    assert_string_equal(m.bars[1].name, "Saskatchewan, Canada");
    assert_true(m.ymax == 120 && fabs(m.energy_kwh - 1.2) < 1e-12 && m.pue == 1.2);
    aim__plot_zones_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bars_from_scenarios),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
