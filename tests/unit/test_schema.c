/* The store's schema migrations (store/sqlite/schema.c): a schema 1 store opened by this
 * aimeter is migrated and its run re-priced to its stored carbon. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "aimeter.h"
#include "engine/whatif_replay.h"
#include "whatif_fixture.h"

/* A store of schema 1 (tests/fixtures/store/schema1.sql) opened by this aimeter: migrated to
 * 2 with its one intensity as one point at its start, facility = IT energy, its basis from
 * its source text, and its devices' share of carbon: cpu0 7000 / 3.6e6 × 56 = 0.108889 g,
 * dram0 485 / 3.6e6 × 56 = 0.00754444 g; psys0 (not in the total) none. Replayed, it gives
 * its stored carbon back. */
static void migrates_a_schema_1_store(void **state) {
    char path[128];
    snprintf(path, sizeof path, "%s/old.db", tmpdir);
    FILE *f = fopen(AIM_FIXTURES_DIR "/store/schema1.sql", "r");
    assert_non_null(f);
    static char sql[16384];
    size_t n = fread(sql, 1, sizeof sql - 1, f);
    fclose(f);
    sql[n] = '\0';
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("fixture: %s", msg);
    sqlite3_close(h);

    aim_db *db = open_db(path); /* migrates */
    const char *id = "20260105-120000-aaaaaa";
    aim_run_summary run = load(db, id);
    assert_int_equal(run.n_intensity_points, 1);
    assert_true(run.intensity_points[0].t_unix_ms == T0_MS);
    assert_true(run.intensity_points[0].g_per_kwh == 56.0);
    assert_true(run.pue == 1.0);
    assert_true(run.facility_energy_j == 7485.0);
    assert_int_equal(run.signal, AIM_SIGNAL_AVERAGE);
    assert_int_equal(run.basis, AIM_BASIS_LIFECYCLE);
    assert_string_equal(run.currency, "");
    assert_true(isnan(run.cost));
    near(run.devices[0].carbon_g, 7000 / 3.6e6 * 56, 1e-12);
    near(run.devices[1].carbon_g, 485 / 3.6e6 * 56, 1e-12);
    assert_true(isnan(run.devices[2].carbon_g));

    /* Its samples (the chunk format did not change), replayed with its own series. */
    int64_t t[11];
    double v[33];
    for (int i = 0; i <= 10; i++) {
        t[i] = i * S_NS;
        v[i * 3] = 700.0 * i;
        v[i * 3 + 1] = 48.5 * i;
        v[i * 3 + 2] = 900.0 * i;
    }
    aim_chunk_column cols[3] = { { 1e-6, 1 }, { 1e-6, 1 }, { 1e-6, 1 } };
    insert_chunk(db, id, 0, 0, 3, cols, 11, t, v);
    aim_whatif_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.points = run.intensity_points;
    sc.n = run.n_intensity_points;
    assert_int_equal(aim__whatif_replay(db, &run, 1.0, &sc, 1, NULL), 0);
    near(sc.carbon_g, 0.116433333333333, 1e-12);
    aim__run_summary_clear(&run);
    aim__db_close(db);

    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), AIM_DB_SCHEMA_VERSION);
    sqlite3_finalize(st);
    sqlite3_close(h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrates_a_schema_1_store),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
