/* The what-if replay of a stored run (engine/whatif_replay.c): a run built in a store by hand,
 * samples encoded as the writer encodes them, re-priced in several intensities, and the
 * expected carbon worked out in the comments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aimeter.h"
#include "engine/whatif_replay.h"
#include "whatif_fixture.h"

/* The paper's case (WattsOnAI): 7485 J, 1.03 g in Saskatchewan and 0.07 g in Manitoba. The
 * intensities that implies, I = g / (J / 3.6e6) with 7485 J = 0.00207917 kWh:
 *   Saskatchewan 1.03 / 0.00207917 = 495.39 g/kWh;  Manitoba 0.07 / 0.00207917 = 33.67 g/kWh.
 * Priced back: 7485 / 3.6e6 × 495.39 = 1.02999 g → 1.03;  × 33.67 = 0.070006 g → 0.07.
 * Only cpu0 counts here (dram0 is left out of the total for this case). */
static void papers_case(void **state) {
    char path[128];
    snprintf(path, sizeof path, "%s/paper.db", tmpdir);
    aim_db *db = open_db(path);
    make_run(db, "20260105-120000-paper0");
    aim_run_summary run = load(db, "20260105-120000-paper0");
    run.devices[1].in_total = 0;
    aim_intensity_point sk = { T0_MS, 495.39 }, mb = { T0_MS, 33.67 };
    aim_whatif_scenario sc[3];
    memset(sc, 0, sizeof sc);
    sc[0].points = run.intensity_points;
    sc[0].n = run.n_intensity_points;
    sc[1].points = &sk;
    sc[1].n = 1;
    sc[2].points = &mb;
    sc[2].n = 1;
    aim_whatif_totals tot;
    assert_int_equal(aim__whatif_replay(db, &run, 1.0, sc, 3, &tot), 0);
    assert_true(tot.energy_j == 7485.0);
    assert_int_equal(tot.devices, 1);
    assert_true(tot.ticks == 11); /* group 0's; dram0's group is not needed */
    assert_true(round(sc[1].carbon_g * 100) / 100 == 1.03);
    assert_true(round(sc[2].carbon_g * 100) / 100 == 0.07);
    near(sc[1].carbon_g, 7485 / 3.6e6 * 495.39, 1e-12);
    near(sc[2].carbon_g, 7485 / 3.6e6 * 33.67, 1e-12);
    /* The run's own (56 g/kWh): 0.11643 g; Saskatchewan is 495.39 / 56 = 8.846 times it. */
    near(sc[0].carbon_g, 7485 / 3.6e6 * 56, 1e-12);
    near(sc[1].ratio, 495.39 / 56, 1e-12);
    assert_true(sc[0].ratio == 1.0);
    /* Same PUE for all: 1.2 scales every row, ratios unchanged. */
    assert_int_equal(aim__whatif_replay(db, &run, 1.2, sc, 3, &tot), 0);
    near(sc[2].carbon_g, 7485 / 3.6e6 * 33.67 * 1.2, 1e-12);
    near(sc[2].ratio, 33.67 / 56, 1e-12);
    aim__run_summary_clear(&run);
    aim__db_close(db);
}

/* A series that changes inside an interval, on both devices of the total: 100 g/kWh from the
 * start, 500 from 4.5 s. Energy per second: 748.5 (cpu0) + 2 (dram0) = 750.5 J.
 *   [0, 4.5 s]: 750.5 × 4.5 = 3377.25 J at 100; [4.5, 10 s]: 750.5 × 5.5 = 4127.75 J at 500.
 *   carbon = (337725 + 2063875) / 3.6e6 = 2401600 / 3.6e6 = 0.667111 g;
 *   mean intensity = 0.667111 / (7505 / 3.6e6) = 320 g/kWh. */
static void replay_a_time_series(void **state) {
    char path[128];
    snprintf(path, sizeof path, "%s/series.db", tmpdir);
    aim_db *db = open_db(path);
    make_run(db, "20260105-120000-series");
    aim_run_summary run = load(db, "20260105-120000-series");
    aim_intensity_point p[] = { { T0_MS, 100 }, { T0_MS + 4500, 500 } };
    aim_whatif_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.points = p;
    sc.n = 2;
    aim_whatif_totals tot;
    assert_int_equal(aim__whatif_replay(db, &run, 1.0, &sc, 1, &tot), 0);
    near(tot.energy_j, 7505, 1e-12);
    near(sc.carbon_g, 2401600 / 3.6e6, 1e-12);
    near(sc.intensity_g_per_kwh, 320, 1e-12);
    aim__run_summary_clear(&run);
    aim__db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(papers_case),
        cmocka_unit_test(replay_a_time_series),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
