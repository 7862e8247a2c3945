/* The correlation replay from the store (engine/corr_replay.c, through aim_corr_compute):
 * the replay of the stored chunks equals the live result and the stored matrix, ranges, and
 * the grid group found from the run.
 *
 * The replay repeats the live computation operation for operation, so it must agree to 1e-12
 * (in practice bit for bit). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "corr_store_fixture.h"
#include "engine/corr_replay.h"
#include "processing/corr.h"
#include "store/corr_store.h"
#include "store/db.h"

#define TOL_REPLAY 1e-12

/* The stored matrix, and the replay of the stored chunks, equal the live result. */
static void test_replay_equals_live(void **state) {
    (void)state;
    two_groups *d = calloc(1, sizeof *d);
    aim_corr_matrix *live;
    make_stored_run(d, &live);
    aim_store *st = open_store();
    aim_corr_result *stored = NULL, *replayed = NULL;
    assert_int_equal(aim_corr_compute(st, "corr-run", NULL, 0, 0, &stored), 0);
    assert_int_equal(aim_corr_compute(st, "corr-run", NULL, 0, AIM_CORR_RECOMPUTE, &replayed), 0);
    aim_corr_info si, ri;
    aim_corr_get_info(stored, &si);
    aim_corr_get_info(replayed, &ri);
    assert_int_equal(si.recomputed, 0);
    assert_int_equal(ri.recomputed, 1);
    assert_true(si.exact && ri.exact);
    assert_int_equal(si.ticks, GRID_TICKS);
    assert_int_equal(ri.ticks, GRID_TICKS);
    assert_int_equal(si.n_series, NSLOT);
    assert_int_equal(ri.interval_ns, 10000000);
    for (size_t i = 0; i < NSLOT; i++)
        for (size_t j = 0; j < NSLOT; j++) {
            uint64_t n1, n2;
            double a = aim_corr_r(stored, i, j, &n1), b = aim_corr_r(replayed, i, j, &n2);
            assert_int_equal(n1, n2);
            assert_int_equal(n1, i == j ? live->self_n[i] : mat_n(live, (int)i, (int)j));
            if (isnan(a) || isnan(b)) {
                assert_true(isnan(a) && isnan(b));
                continue;
            }
            if (fabs(a - b) > TOL_REPLAY || fabs(a - mat_r(live, (int)i, (int)j)) > TOL_REPLAY)
                fail_msg("%zu,%zu: stored %.17g replayed %.17g", i, j, a, b);
        }
    /* labels come from the registry and the devices */
    aim_corr_series_info in;
    assert_int_equal(aim_corr_series(replayed, 2, &in), 0);
    assert_string_equal(in.label, "Energy rate (cpu0) [W]");
    assert_string_equal(in.name, "rate(cpu0.energy)");
    assert_int_equal(in.rate, 1);
    assert_int_equal(aim_corr_series(replayed, 0, &in), 0);
    assert_string_equal(in.label, "CPU Usage [%]");
    assert_int_equal(aim_corr_series(replayed, NSLOT, &in), -EINVAL);
    assert_true(isnan(aim_corr_r(replayed, 0, NSLOT, NULL)));
    aim_corr_result_free(stored);
    aim_corr_result_free(replayed);
    aim_store_free(st);
    aim__corr_matrix_free(live);
    free(d);
}

/* Ranges replay only their grid ticks; the grid is found from runs.samples. */
static void test_ranges_and_grid_through_store(void **state) {
    (void)state;
    two_groups *d = calloc(1, sizeof *d);
    aim_corr_matrix *live;
    make_stored_run(d, &live);
    aim__corr_matrix_free(live);
    aim_store *st = open_store();
    /* grid ticks are at k × 10 ms + [0, 0.2 ms): [1 s, 2 s) holds k = 100 … 199 */
    aim_time_range rg = { 1000000000LL, 2000000000LL };
    aim_corr_result *res;
    assert_int_equal(aim_corr_compute(st, "corr-run", &rg, 1, 0, &res), 0);
    aim_corr_info in;
    aim_corr_get_info(res, &in);
    assert_int_equal(in.recomputed, 1);
    assert_int_equal(in.ticks, 100);
    uint64_t n;
    aim_corr_r(res, 0, 0, &n);
    assert_int_equal(n, 100);
    aim_corr_result_free(res);
    assert_int_equal(aim_corr_compute(st, "no-such-run", NULL, 0, 0, &res), -ENOENT);
    assert_int_equal(aim_corr_compute(st, "corr-run", NULL, 0, 0x10, &res), -EINVAL);
    aim_store_free(st);

    /* a run whose samples count is the slow group's: that group is the grid */
    char err[256];
    aim_db *db;
    assert_int_equal(aim__db_open(db_path, 0, &db, err, sizeof err), 0);
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    assert_int_equal(aim__db_load_summary(db, "corr-run", &run), 0);
    run.samples = SLOW_TICKS;
    int grid = -1, ng = 0;
    assert_int_equal(aim__db_corr_grid_group(db, &run, &grid, &ng), 0);
    assert_int_equal(grid, 1);
    assert_int_equal(ng, 2);
    aim_corr_matrix *m;
    assert_int_equal(aim__corr_replay_run(db, &run, NULL, 0, &m), 0);
    assert_int_equal(m->ticks, SLOW_TICKS);
    aim__corr_matrix_free(m);
    aim__run_summary_clear(&run);
    aim__db_close(db);
    free(d);
}
int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_replay_equals_live, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(test_ranges_and_grid_through_store, store_setup,
                                        store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
