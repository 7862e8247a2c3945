/* The spool's clean-up (store/copy_store.h aim__store_drop_run): a run that the uploader
 * has copied to the server is removed from the spool with every row of it, and nothing of
 * another run; a second drop, or one of a run that is not there, changes nothing. On both
 * back-ends (store_rig.h). And where the spool is by default. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"
#include "store/copy_store.h"
#include "store/db.h"
#include "store/tags_store.h"
#include "store_rig.h"

#define RUN_A "20260101-000001-aaaaaa"
#define RUN_B "20260101-000002-bbbbbb"

static char tmpdir[64];

static int setup(void **state) {
    (void)state;
    return store_rig_mkdtemp(tmpdir, sizeof tmpdir, "aim_drop");
}

static int teardown(void **state) {
    (void)state;
    return store_rig_rmtree(tmpdir);
}

/* Run id with a device, a series, a tag, two chunks and a mark. */
static void add_run(aim_db *db, const char *id) {
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "%s", id);
    snprintf(run.name, sizeof run.name, "train");
    snprintf(run.host, sizeof run.host, "node-7");
    run.start_wall_ns = 1000;
    run.status = AIM_RUN_COMPLETED;
    run.interval_ns = 100000000;
    run.total_energy_j = run.carbon_g = NAN;
    aim_device_summary dev = { .kind = AIM_DEV_GPU, .has_energy = 1, .energy_j = 5.0 };
    snprintf(dev.name, sizeof dev.name, "gpu0");
    aim_series_summary ser = { .slot = 0, .device = 0, .instance = -1, .resolution = 0.01,
                               .mode_exact = 1 };
    ser.mean = ser.min = ser.max = ser.mode = ser.stddev = NAN;
    snprintf(ser.metric_key, sizeof ser.metric_key, "power");
    assert_int_equal(aim__db_begin(db), 0);
    assert_int_equal(aim__db_run_insert(db, &run, getpid()), 0);
    assert_int_equal(aim__db_device_insert(db, id, 0, &dev), 0);
    assert_int_equal(aim__db_series_insert(db, id, &ser), 0);
    for (int seq = 0; seq < 2; seq++)
        assert_int_equal(aim__db_chunk_insert(db, id, 0, seq, seq * 1000, seq * 1000 + 900, 10,
                                              "blob", 4), 0);
    assert_int_equal(aim__db_commit(db), 0);
    aim_run_tag tag = { "batch", "32" };
    assert_int_equal(aim__db_run_tags_store(db, id, &tag, 1), 0);
}

static int64_t rows_of(const char *where, const char *id) {
    static const char *const tables[] = { "devices", "series", "chunks", "run_tags" };
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM runs WHERE id = '%s'", id);
    int64_t n = store_rig_sql_int(where, sql);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE run_id = '%s'", tables[i], id);
        n += store_rig_sql_int(where, sql);
    }
    return n;
}

static void drops_the_run_and_nothing_else(void **state) {
    (void)state;
    char where[512], err[512];
    store_rig_location(where, sizeof where, tmpdir, "spool.db");
    aim_db *db = NULL;
    assert_int_equal(aim__db_open(where, 0, &db, err, sizeof err), 0);
    add_run(db, RUN_A);
    add_run(db, RUN_B);
    assert_int_equal(rows_of(where, RUN_A), 1 + 1 + 1 + 2 + 1);
    assert_int_equal(aim__store_drop_run(db, RUN_A), 0);
    assert_int_equal(rows_of(where, RUN_A), 0);
    assert_int_equal(rows_of(where, RUN_B), 6);
    /* again, and a run that is not there: nothing changes */
    assert_int_equal(aim__store_drop_run(db, RUN_A), 0);
    assert_int_equal(aim__store_drop_run(db, "20990101-000000-ffffff"), 0);
    assert_int_equal(rows_of(where, RUN_B), 6);
    assert_int_equal(aim__store_drop_run(db, ""), -EINVAL);
    aim__db_close(db);
}

/* The uploader's clean-up removes a run only as it copied it (aim__store_drop_run_if): a
 * chunk, a tag changed in place, or a warning added to the run's row since the copy read it
 * (the `aimeter run` whose status said completed while it still wrote) keeps the run in the
 * spool (-ESTALE) until a copy has taken them; then it is removed. */
static void drops_only_what_was_copied(void **state) {
    (void)state;
    char where[512], dest[600], err[512];
    store_rig_location(where, sizeof where, tmpdir, "spool.db");
    snprintf(dest, sizeof dest, "%s/server.db", tmpdir);
    aim_db *db = NULL, *to = NULL;
    assert_int_equal(aim__db_open(where, 0, &db, err, sizeof err), 0);
    assert_int_equal(aim__db_open(dest, 0, &to, err, sizeof err), 0);
    add_run(db, RUN_A);
    aim_copy_stats st;
    uint64_t fp = 0;
    assert_int_equal(aim__store_copy_run(db, to, RUN_A, AIM_COPY_FINGERPRINT, &st), 0);
    assert_int_equal(aim__store_run_fingerprint(db, RUN_A, &fp), 0);
    assert_true(fp == st.fingerprint); /* the same rows read twice: the same fingerprint */
    /* Each write after the copy keeps the run; a copy after it lets it go. */
    for (int change = 0; change < 3; change++) {
        if (change == 0) {
            assert_int_equal(aim__db_begin(db), 0);
            assert_int_equal(aim__db_chunk_insert(db, RUN_A, 0, 2, 2000, 2900, 10, "blob", 4), 0);
            assert_int_equal(aim__db_commit(db), 0);
        } else if (change == 1) {
            aim_run_tag tag = { "batch", "64" }; /* the same row count, another value */
            assert_int_equal(aim__db_run_tags_store(db, RUN_A, &tag, 1), 0);
        } else {
            aim_run_summary run;
            assert_int_equal(aim__db_load_summary(db, RUN_A, &run), 0);
            snprintf(run.warnings, sizeof run.warnings, "store: late warning");
            assert_int_equal(aim__db_run_update(db, &run), 0);
            aim__run_summary_clear(&run);
        }
        assert_int_equal(aim__store_drop_run_if(db, RUN_A, st.fingerprint), -ESTALE);
        assert_non_null(strstr(aim__db_errmsg(db), "written to since it was copied"));
        assert_int_equal(rows_of(where, RUN_A), 7); /* 3 chunks from the first change on */
        assert_int_equal(aim__store_copy_run(db, to, RUN_A, AIM_COPY_FINGERPRINT, &st), 0);
    }
    assert_int_equal(store_rig_sqlite_int(dest, "SELECT count(*) FROM chunks"), 3);
    assert_int_equal(store_rig_sqlite_int(dest, "SELECT count(*) FROM runs WHERE warnings "
                                                "LIKE '%late warning%'"), 1);
    assert_int_equal(aim__store_drop_run_if(db, RUN_A, st.fingerprint), 0);
    assert_int_equal(rows_of(where, RUN_A), 0);
    assert_int_equal(aim__store_drop_run_if(db, RUN_A, st.fingerprint), 0); /* gone already */
    aim__db_close(to);
    aim__db_close(db);
}

/* Where the spool is when --spool is not given: systemd's StateDirectory first (its first
 * entry), else the XDG data directory, like the default store. */
static void the_default_spool_path(void **state) {
    (void)state;
    char *p = NULL;
    setenv("STATE_DIRECTORY", "/var/lib/aimeter:/var/lib/other", 1);
    setenv("XDG_DATA_HOME", "/data", 1);
    assert_int_equal(aim__default_spool_path(&p), 0);
    assert_string_equal(p, "/var/lib/aimeter/spool.db");
    free(p);
    setenv("STATE_DIRECTORY", "relative", 1); /* not systemd's: ignored */
    assert_int_equal(aim__default_spool_path(&p), 0);
    assert_string_equal(p, "/data/aimeter/spool.db");
    free(p);
    unsetenv("STATE_DIRECTORY");
    unsetenv("XDG_DATA_HOME");
    setenv("HOME", "/home/ann", 1);
    assert_int_equal(aim__default_spool_path(&p), 0);
    assert_string_equal(p, "/home/ann/.local/share/aimeter/spool.db");
    free(p);
}

/* A run whose id the server holds for another run is renamed in the spool
 * (aim__store_rename_run): its row and every row of each per-run table move to the new id
 * in one transaction, the row's other columns kept; another run is left alone; a taken new
 * id or a missing run changes nothing. */
static void renames_every_row_of_the_run(void **state) {
    (void)state;
    char where[512], err[512];
    store_rig_location(where, sizeof where, tmpdir, "spool.db");
    aim_db *db = NULL;
    assert_int_equal(aim__db_open(where, 0, &db, err, sizeof err), 0);
    add_run(db, RUN_A);
    add_run(db, RUN_B);
    const char *renamed = "20260101-000001-cccccc";
    assert_int_equal(aim__store_rename_run(db, RUN_A, renamed), 0);
    assert_int_equal(rows_of(where, RUN_A), 0);
    assert_int_equal(rows_of(where, renamed), 6);
    assert_int_equal(rows_of(where, RUN_B), 6);
    aim_run_summary run;
    assert_int_equal(aim__db_load_summary(db, renamed, &run), 0);
    assert_string_equal(run.name, "train");
    assert_string_equal(run.host, "node-7");
    assert_int_equal(run.start_wall_ns, 1000);
    aim__run_summary_clear(&run);
    /* the new id taken, or no such run: nothing moves */
    assert_int_equal(aim__store_rename_run(db, renamed, RUN_B), -EEXIST);
    assert_int_equal(aim__store_rename_run(db, RUN_A, "20260101-000001-dddddd"), -ENOENT);
    assert_int_equal(rows_of(where, renamed), 6);
    assert_int_equal(rows_of(where, RUN_B), 6);
    aim__db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(renames_every_row_of_the_run, setup, teardown),
        cmocka_unit_test_setup_teardown(drops_the_run_and_nothing_else, setup, teardown),
        cmocka_unit_test_setup_teardown(drops_only_what_was_copied, setup, teardown),
        cmocka_unit_test(the_default_spool_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
