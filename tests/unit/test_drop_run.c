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
    snprintf(tmpdir, sizeof tmpdir, "/tmp/aim_drop_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(drops_the_run_and_nothing_else, setup, teardown),
        cmocka_unit_test(the_default_spool_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
