/* The panels of --layout categories (processing/plot_categories.h): the registry's category
 * with the host's CPU use in Compute and its memory in Memory, the default choice (no
 * counters, per-core or constant series) and the two units of a panel. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "processing/plot_categories.h"

static void panel_of(void **state) {
    (void)state;
    assert_int_equal(aim__plot_panel_of("power"), 0);
    assert_int_equal(aim__plot_panel_of("gpu.sm_active"), 1);
    assert_int_equal(aim__plot_panel_of("cpu.util"), 1);
    assert_int_equal(aim__plot_panel_of("mem.used"), 2);
    assert_int_equal(aim__plot_panel_of("gpu.dram_active"), 2);
    assert_int_equal(aim__plot_panel_of("gpu.pcie_tx"), 3);
    assert_int_equal(aim__plot_panel_of("proc.count"), -1);
    assert_int_equal(aim__plot_panel_of("no.such"), -1);
    assert_string_equal(aim__plot_panel_name(3), "Communication");
}

static void pick(void **state) {
    (void)state;
    static const char *const keys[] = { "power", "energy", "cpu.util", "cpu.core_util",
                                        "mem.used", "temperature", "voltage", "gpu.pcie_tx" };
    enum { N = sizeof keys / sizeof keys[0] };
    aim_series_summary ser[N];
    memset(ser, 0, sizeof ser);
    for (int i = 0; i < N; i++) {
        snprintf(ser[i].metric_key, sizeof ser[i].metric_key, "%s", keys[i]);
        ser[i].instance = strcmp(keys[i], "cpu.core_util") == 0 ? 0 : -1;
        ser[i].counter = strcmp(keys[i], "energy") == 0;
        ser[i].min = 0;
        ser[i].max = strcmp(keys[i], "gpu.pcie_tx") == 0 ? 0 : 1;   /* pcie: constant */
    }
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    run.series = ser;
    run.n_series = N;
    int got[AIM_PLOT_PANELS][AIM_PLOT_MAX_SERIES], n[AIM_PLOT_PANELS];
    size_t left_out;
    aim__plot_categories_pick(&run, NULL, 0, got, n, &left_out);
    /* Energy: power (W), temperature (°C); voltage would be a third unit */
    assert_int_equal(n[0], 2);
    assert_int_equal(got[0][0], 0);
    assert_int_equal(got[0][1], 5);
    assert_int_equal(left_out, 1);
    assert_int_equal(n[1], 1);
    assert_int_equal(got[1][0], 2);
    assert_int_equal(n[2], 1);
    assert_int_equal(n[3], 0);
    /* named: the counter and the constant series too, in the order given */
    const int only[] = { 7, 1, 3 };
    aim__plot_categories_pick(&run, only, 3, got, n, &left_out);
    assert_int_equal(n[0], 1);
    assert_int_equal(got[0][0], 1);
    assert_int_equal(n[1], 1);
    assert_int_equal(got[1][0], 3);
    assert_int_equal(n[3], 1);
    assert_int_equal(left_out, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(panel_of),
        cmocka_unit_test(pick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
