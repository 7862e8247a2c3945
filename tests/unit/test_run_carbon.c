/* engine/run_carbon.c: a run's carbon and cost through the calls the writer makes, with an
 * intensity file, a price file and a PUE. Every expected figure is worked out in the
 * comments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "carbon_fixture.h"
#include "engine/config.h"
#include "engine/run_carbon.h"

static void two_device_run(aim_run_summary *run) {
    memset(run, 0, sizeof *run);
    run->n_devices = 3;
    run->devices = calloc(3, sizeof *run->devices);
    snprintf(run->devices[0].name, sizeof run->devices[0].name, "cpu0");
    snprintf(run->devices[1].name, sizeof run->devices[1].name, "dram0");
    snprintf(run->devices[2].name, sizeof run->devices[2].name, "psys0");
    for (int d = 0; d < 3; d++) {
        run->devices[d].has_energy = 1;
        run->devices[d].in_total = d < 2; /* psys overlaps the others */
    }
    run->start_wall_ns = T0_MS * 1000000;
}

/* A synthetic frame sequence through the calls the writer makes: frames every second from
 * monotonic 5 s (= wall T0), cpu0 +10 J and dram0 +2 J per interval, psys0 +50 J (not in the
 * total). Intensity file: 100 g/kWh from T0, 400 from T0 + 3 s; price file: 0.10 EUR from
 * T0, 0.30 from T0 + 2 s; PUE 1.5.
 *   intervals 1-3 at 100: cpu 30 J, dram 6 J; intervals 4-5 at 400: cpu 20 J, dram 4 J.
 *   IT energy 60 J; facility 90 J.
 *   carbon = (36 × 100 + 24 × 400) / 3.6e6 × 1.5 = 13200 / 3.6e6 × 1.5 = 0.0055 g
 *   cpu0 = (30 × 100 + 20 × 400) / 3.6e6 × 1.5 = 11000 / 3.6e6 × 1.5 = 0.00458333 g
 *   dram0 = (6 × 100 + 4 × 400) / 3.6e6 × 1.5 = 2200 / 3.6e6 × 1.5 = 0.000916667 g
 *   intensity actually applied = 0.0055 g / (90 J / 3.6e6) = 220 g/kWh
 *   cost = (24 J × 0.10 + 36 J × 0.30) / 3.6e6 × 1.5 = 13.2 / 3.6e6 × 1.5 = 5.5e-6 EUR,
 *   i.e. 0.22 EUR/kWh of facility energy on average. */
static void time_varying_run_with_pue_and_price(void **state) {
    aim_config *cfg;
    assert_int_equal(aim_config_new(&cfg), 0);
    char intensity_path[64];
    snprintf(intensity_path, sizeof intensity_path, "%s",
             carbon_write_csv("timestamp,g_per_kwh\n"
                       "2024-01-01T00:00:00Z,100\n"
                       "2024-01-01T00:00:03Z,400\n"));
    assert_int_equal(aim_config_set_intensity_file(cfg, intensity_path), 0);
    char price_path[64];
    snprintf(price_path, sizeof price_path, "%s",
             carbon_write_csv("1704067200,0.10\n1704067202,0.30\n"));
    assert_int_equal(aim_config_set_price_file(cfg, price_path, "eur"), 0);
    assert_int_equal(aim_config_set_pue(cfg, "1.5"), 0);

    aim_run_summary run;
    two_device_run(&run);
    aim_run_carbon rc;
    char err[256];
    assert_int_equal(aim__run_carbon_setup(&rc, cfg, run.start_wall_ns, &run, err, sizeof err), 0);
    assert_int_equal(aim__run_carbon_plan(&rc, &run, run.start_wall_ns, 5 * S_NS), 0);
    assert_string_equal(run.currency, "EUR");
    assert_true(run.pue == 1.5);
    assert_string_equal(run.pue_source, "given with --pue");
    assert_true(run.signal == AIM_SIGNAL_AVERAGE && run.basis == AIM_BASIS_UNKNOWN);
    assert_non_null(strstr(run.intensity_source, "2 points"));

    static const double per[3] = { 10, 2, 50 };
    double e[3] = { 0 };
    for (int d = 0; d < 3; d++) /* first readings: zero-length intervals */
        aim__run_carbon_account(&rc, d, 5 * S_NS, 5 * S_NS, 0, 0);
    for (int i = 1; i <= 5; i++)
        for (int d = 0; d < 3; d++) {
            aim__run_carbon_account(&rc, d, (4 + i) * S_NS, (5 + i) * S_NS, e[d], e[d] + per[d]);
            e[d] += per[d];
        }
    for (int d = 0; d < 3; d++)
        run.devices[d].energy_j = e[d];
    run.total_energy_j = e[0] + e[1];
    aim__run_carbon_refresh(&rc, &run);
    carbon_near(run.facility_energy_j, 90);
    carbon_near(run.carbon_g, 0.0055);
    carbon_near(run.devices[0].carbon_g, 11000 / 3.6e6 * 1.5);
    carbon_near(run.devices[1].carbon_g, 2200 / 3.6e6 * 1.5);
    assert_true(isnan(run.devices[2].carbon_g));
    carbon_near(run.intensity_g_per_kwh, 220);
    carbon_near(run.cost, 5.5e-6);
    carbon_near(run.price_per_kwh, 0.22);

    /* The run lasted [T0, T0 + 5 s]; the intensity file covers [T0, T0 + 3 s + 3 s]: no
     * warning. The price file covers [T0, T0 + 4 s]: its last value was used after it. */
    run.end_wall_ns = run.start_wall_ns + 5 * S_NS;
    aim__run_carbon_finish(&rc, &run);
    assert_null(strstr(run.warnings, "intensity file"));
    assert_non_null(strstr(run.warnings, "price file"));
    assert_non_null(strstr(run.warnings, "covers until 2024-01-01T00:00:04Z"));
    assert_non_null(strstr(run.warnings, "its last value, 0.3 EUR/kWh, was used after it"));

    aim__run_carbon_free(&rc);
    aim__run_summary_clear(&run);
    unlink(intensity_path);
    unlink(price_path);
    aim_config_free(cfg);
}

/* A file that starts after the run: its first value is used before it, and the report says
 * so. A constant price: cost = facility kWh × price, 7485 J × 1.2 / 3.6e6 × 0.25 =
 * 0.00062375 EUR... computed on 7485 J of IT energy. */
static void coverage_and_constant_price(void **state) {
    aim_config *cfg;
    assert_int_equal(aim_config_new(&cfg), 0);
    char path[64];
    snprintf(path, sizeof path, "%s", carbon_write_csv("1704067260,200\n1704067320,300\n"));
    assert_int_equal(aim_config_set_intensity_file(cfg, path), 0);
    assert_int_equal(aim_config_set_price(cfg, 0.25, "usd"), 0);
    assert_int_equal(aim_config_set_pue(cfg, "1.2"), 0);
    aim_run_summary run;
    two_device_run(&run);
    aim_run_carbon rc;
    char err[256];
    assert_int_equal(aim__run_carbon_setup(&rc, cfg, run.start_wall_ns, &run, err, sizeof err), 0);
    assert_int_equal(aim__run_carbon_plan(&rc, &run, run.start_wall_ns, 0), 0);
    /* The run starts at T0, before the file: its first value (200) is in force. */
    assert_true(run.intensity_g_per_kwh == 200);
    aim__run_carbon_account(&rc, 0, 0, 10 * S_NS, 0, 7485);
    run.devices[0].energy_j = 7485;
    run.total_energy_j = 7485;
    aim__run_carbon_refresh(&rc, &run);
    carbon_near(run.carbon_g, 7485 / 3.6e6 * 200 * 1.2);
    carbon_near(run.cost, 7485 * 1.2 / 3.6e6 * 0.25);
    assert_true(run.price_per_kwh == 0.25);
    run.end_wall_ns = run.start_wall_ns + 10 * S_NS;
    aim__run_carbon_finish(&rc, &run);
    assert_non_null(strstr(run.warnings, "intensity file"));
    assert_non_null(strstr(run.warnings, "starts at 2024-01-01T00:01:00Z, after the run started "
                                         "(2024-01-01T00:00:00Z): its first value, 200 g/kWh, "
                                         "was used before it"));
    aim__run_carbon_free(&rc);
    aim__run_summary_clear(&run);
    unlink(path);
    aim_config_free(cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(time_varying_run_with_pue_and_price),
        cmocka_unit_test(coverage_and_constant_price),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
