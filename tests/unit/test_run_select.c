/* RUN as every command takes it (aim__db_resolve_run, aim_store_resolve_run: "last", an id,
 * a unique prefix of one, a name (its newest run), a unique prefix of a name; what is
 * ambiguous says so), the `ls` filters (aim_store_find_runs), removing runs
 * (aim_store_remove_runs: all checked before any goes, the running and the idle baselines
 * kept without their flags) and the space of a file store (aim_store_reclaim). On both
 * back-ends (suite 'store', store_rig.h). */
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
#include "store/db.h"
#include "store/run_admin.h"
#include "store/tags_store.h"
#include "store_rig.h"

static char tmpdir[64];

static int setup(void **state) {
    (void)state;
    return store_rig_mkdtemp(tmpdir, sizeof tmpdir, "aim_select");
}

static int teardown(void **state) {
    (void)state;
    return store_rig_rmtree(tmpdir);
}

/* A run: its id, name, start (s), host (NULL: this machine's, as the store writes it),
 * status and writer pid, with one device, one series, one chunk and a tag. */
static void add_run(aim_db *db, const char *id, const char *name, int64_t start_s,
                    const char *host, aim_run_status status, pid_t pid, const char *tag_value) {
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "%s", id);
    snprintf(run.name, sizeof run.name, "%s", name);
    if (host)
        snprintf(run.host, sizeof run.host, "%s", host);
    run.start_wall_ns = start_s * 1000000000LL;
    run.duration_ns = 2000000000LL;
    run.end_wall_ns = status == AIM_RUN_RUNNING ? 0 : run.start_wall_ns + run.duration_ns;
    run.status = status;
    run.interval_ns = 100000000;
    run.total_energy_j = run.carbon_g = NAN;
    aim_device_summary dev = { .kind = AIM_DEV_GPU, .has_energy = 1, .energy_j = 5.0 };
    snprintf(dev.name, sizeof dev.name, "gpu0");
    aim_series_summary ser = { .slot = 0, .device = 0, .instance = -1, .resolution = 0.01,
                               .mode_exact = 1 };
    ser.mean = ser.min = ser.max = ser.mode = ser.stddev = NAN;
    snprintf(ser.metric_key, sizeof ser.metric_key, "power");
    assert_int_equal(aim__db_begin(db), 0);
    assert_int_equal(aim__db_run_insert(db, &run, pid), 0);
    assert_int_equal(aim__db_run_update(db, &run), 0);
    assert_int_equal(aim__db_device_insert(db, id, 0, &dev), 0);
    assert_int_equal(aim__db_series_insert(db, id, &ser), 0);
    assert_int_equal(aim__db_chunk_insert(db, id, 0, 0, 0, 900, 10, "blob", 4), 0);
    assert_int_equal(aim__db_commit(db), 0);
    aim_run_tag tag = { "batch", "" };
    snprintf(tag.value, sizeof tag.value, "%s", tag_value);
    assert_int_equal(aim__db_run_tags_store(db, id, &tag, 1), 0);
}

/* The id RUN resolves to, or "" with *err the error. */
static const char *resolve(aim_db *db, const char *ref, int *err) {
    static char out[40];
    char *id = NULL, msg[512];
    *err = aim__db_resolve_run(db, ref, &id, msg, sizeof msg);
    snprintf(out, sizeof out, "%s", id ? id : "");
    free(id);
    return out;
}

#define A "20260101-000001-aaaaaa"
#define B "20260101-000002-bbbbbb"
#define C "20260102-000003-cccccc"
#define D "20260102-000004-dddddd"

static aim_db *four_runs(char *where, size_t size) {
    store_rig_location(where, size, tmpdir, "runs.db");
    aim_db *db = store_rig_open(where, 0);
    add_run(db, A, "mlp-train", 1000, "node-1", AIM_RUN_COMPLETED, 1, "32");
    add_run(db, B, "mlp-train", 2000, "node-1", AIM_RUN_FAILED, 1, "64");
    add_run(db, C, "mlp-eval", 3000, "node-2", AIM_RUN_COMPLETED, 1, "64");
    add_run(db, D, "bert", 4000, "node-2", AIM_RUN_INTERRUPTED, 1, "8");
    return db;
}

static void runs_are_found_by_id_prefix_and_name(void **state) {
    (void)state;
    char where[512];
    aim_db *db = four_runs(where, sizeof where);
    int err;
    assert_string_equal(resolve(db, "last", &err), D);
    assert_string_equal(resolve(db, A, &err), A);
    assert_string_equal(resolve(db, "20260101-000002", &err), B);
    /* a name: its newest run; a unique prefix of a name: that name's */
    assert_string_equal(resolve(db, "mlp-train", &err), B);
    assert_string_equal(resolve(db, "mlp-e", &err), C);
    assert_string_equal(resolve(db, "be", &err), D);
    /* ambiguous: several ids, or several names */
    resolve(db, "202601", &err);
    assert_int_equal(err, -EEXIST);
    assert_non_null(strstr(aim__db_errmsg(db), "is ambiguous: it matches"));
    resolve(db, "mlp", &err);
    assert_int_equal(err, -EEXIST);
    assert_non_null(strstr(aim__db_errmsg(db), "\"mlp-eval\", \"mlp-train\""));
    /* nothing: as before, "no run matches" */
    resolve(db, "gpt", &err);
    assert_int_equal(err, -ENOENT);
    assert_non_null(strstr(aim__db_errmsg(db), "no run matches 'gpt'"));
    resolve(db, "", &err);
    assert_int_equal(err, -EINVAL);
    aim__db_close(db);
}

/* A name that is also the start of other runs' ids is neither; one that only starts its
 * own run's id is that run. */
static void a_name_that_is_an_id_prefix(void **state) {
    (void)state;
    char where[512];
    aim_db *db = four_runs(where, sizeof where);
    int err;
    add_run(db, "20260103-000005-eeeeee", "20260102", 5000, "node-3", AIM_RUN_COMPLETED, 1, "1");
    resolve(db, "20260102", &err);
    assert_int_equal(err, -EEXIST);
    const char *msg = aim__db_errmsg(db);
    assert_non_null(strstr(msg, "the name of 1 run (the latest 20260103-000005-eeeeee)"));
    assert_non_null(strstr(msg, C));
    assert_non_null(strstr(msg, D));
    add_run(db, "20260104-000006-ffffff", "20260104", 6000, "node-3", AIM_RUN_COMPLETED, 1, "1");
    assert_string_equal(resolve(db, "20260104", &err), "20260104-000006-ffffff");
    /* "last" is the newest run, whatever a run is named */
    add_run(db, "20260105-000007-999999", "last", 500, "node-3", AIM_RUN_COMPLETED, 1, "1");
    assert_string_equal(resolve(db, "last", &err), "20260104-000006-ffffff");
    aim__db_close(db);
}

static aim_store *public_store(const char *where) {
    aim_store *st = NULL;
    assert_int_equal(aim_store_new(&st), 0);
    assert_int_equal(aim_store_open(st, where, 0), 0);
    return st;
}

/* The ids aim_store_find_runs gives for q, joined by spaces. */
static const char *found(aim_store *st, const aim_run_query *q) {
    static char out[512];
    aim_run_entry *runs = NULL;
    size_t n = 0;
    out[0] = '\0';
    int r = aim_store_find_runs(st, q, &runs, &n);
    if (r < 0) {
        snprintf(out, sizeof out, "error %d: %s", r, aim_store_errmsg(st));
        return out;
    }
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%.6s", i ? " " : "",
                 runs[i].id + 16);
    free(runs);
    return out;
}

static void runs_are_filtered(void **state) {
    (void)state;
    char where[512];
    aim__db_close(four_runs(where, sizeof where));
    aim_store *st = public_store(where);
    assert_string_equal(found(st, NULL), "dddddd cccccc bbbbbb aaaaaa");
    assert_string_equal(found(st, &(aim_run_query){ .name = "mlp-train" }), "bbbbbb aaaaaa");
    assert_string_equal(found(st, &(aim_run_query){ .name = "mlp" }), "");
    assert_string_equal(found(st, &(aim_run_query){ .name = "mlp-*" }),
                        "cccccc bbbbbb aaaaaa");
    const char *b64[] = { "batch=64" }, *any[] = { "batch" }, *two[] = { "batch=64", "batch" };
    assert_string_equal(found(st, &(aim_run_query){ .tags = b64, .n_tags = 1 }),
                        "cccccc bbbbbb");
    assert_string_equal(found(st, &(aim_run_query){ .tags = any, .n_tags = 1 }),
                        "dddddd cccccc bbbbbb aaaaaa");
    assert_string_equal(found(st, &(aim_run_query){ .tags = two, .n_tags = 2, .limit = 1 }),
                        "cccccc");
    assert_string_equal(found(st, &(aim_run_query){ .host = "node-1" }), "bbbbbb aaaaaa");
    assert_string_equal(found(st, &(aim_run_query){ .since_wall_ns = 2000000000000LL,
                                                    .until_wall_ns = 4000000000000LL }),
                        "cccccc bbbbbb");
    assert_string_equal(found(st, &(aim_run_query){ .statuses = AIM_RUNS_FAILED |
                                                                AIM_RUNS_INTERRUPTED }),
                        "dddddd bbbbbb");
    assert_string_equal(found(st, &(aim_run_query){ .name = "mlp-*", .host = "node-2",
                                                    .statuses = AIM_RUNS_COMPLETED }),
                        "cccccc");
    assert_string_equal(found(st, &(aim_run_query){ .limit = 2 }), "dddddd cccccc");
    const char *bad[] = { "no key" };
    assert_non_null(strstr(found(st, &(aim_run_query){ .tags = bad, .n_tags = 1 }),
                           "error -22: bad tag 'no key'"));
    aim_store_free(st);
}

/* A run stored as running: on this machine with its process alive it is running; with it
 * gone, incomplete; on another machine, running (it cannot be checked). */
static void the_status_ls_shows(void **state) {
    (void)state;
    char where[512];
    store_rig_location(where, sizeof where, tmpdir, "running.db");
    aim_db *db = store_rig_open(where, 0);
    pid_t gone = 999999999; /* above any pid_max */
    add_run(db, A, "alive", 1000, NULL, AIM_RUN_RUNNING, getpid(), "1");
    add_run(db, B, "dead", 2000, NULL, AIM_RUN_RUNNING, gone, "1");
    add_run(db, C, "far", 3000, "elsewhere", AIM_RUN_RUNNING, gone, "1");
    aim__db_close(db);
    aim_store *st = public_store(where);
    assert_string_equal(found(st, &(aim_run_query){ .statuses = AIM_RUNS_RUNNING }),
                        "cccccc aaaaaa");
    assert_string_equal(found(st, &(aim_run_query){ .statuses = AIM_RUNS_INCOMPLETE }),
                        "bbbbbb");
    aim_run_entry *runs = NULL;
    size_t n = 0;
    assert_int_equal(aim_store_find_runs(st, NULL, &runs, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(runs[0].here, 0); /* C */
    assert_int_equal(runs[1].here, 1); /* B */
    assert_int_equal(runs[1].last_wall_ns, 2002000000000LL); /* its start + what it stored */
    free(runs);
    /* neither running one goes without the flag; the dead one does */
    const char *alive[] = { A }, *far[] = { C }, *dead[] = { B };
    assert_int_equal(aim_store_remove_runs(st, alive, 1, 0, NULL, NULL), -EPERM);
    assert_non_null(strstr(aim_store_errmsg(st), "still being recorded on this machine"));
    assert_int_equal(aim_store_remove_runs(st, far, 1, 0, NULL, NULL), -EPERM);
    assert_non_null(strstr(aim_store_errmsg(st), "on elsewhere"));
    assert_int_equal(aim_store_remove_runs(st, dead, 1, 0, NULL, NULL), 0);
    assert_int_equal(aim_store_remove_runs(st, far, 1, AIM_REMOVE_RUNNING, NULL, NULL), 0);
    assert_string_equal(found(st, NULL), "aaaaaa");
    aim_store_free(st);
}

static void count_removed(void *userdata, const aim_run_entry *run) {
    (void)run;
    (*(int *)userdata)++;
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

/* All or nothing: a missing run, or one that runs kept use as their idle baseline, removes
 * none; a dry run removes none; a run listed twice goes once. */
static void runs_are_removed_all_or_nothing(void **state) {
    (void)state;
    char where[512];
    aim_db *db = four_runs(where, sizeof where);
    assert_int_equal(aim__db_run_set_extras(db, C, A, 0), 0); /* C's idle baseline: A */
    char (*deps)[40] = NULL;
    size_t nd = 0;
    assert_int_equal(aim__store_idle_dependents(db, A, &deps, &nd), 0);
    assert_int_equal(nd, 1);
    assert_string_equal(deps[0], C);
    free(deps);
    aim__db_close(db);
    aim_store *st = public_store(where);
    aim_run_entry *dep = NULL;
    assert_int_equal(aim_store_run_dependents(st, A, &dep, &nd), 0);
    assert_int_equal(nd, 1);
    assert_string_equal(dep[0].name, "mlp-eval");
    free(dep);
    int calls = 0;
    const char *typo[] = { B, "20260101-000009-999999" };
    assert_int_equal(aim_store_remove_runs(st, typo, 2, 0, count_removed, &calls), -ENOENT);
    const char *base[] = { B, A };
    assert_int_equal(aim_store_remove_runs(st, base, 2, 0, count_removed, &calls), -EPERM);
    assert_non_null(strstr(aim_store_errmsg(st), "idle baseline of run " C));
    assert_int_equal(aim_store_remove_runs(st, base, 2, AIM_REMOVE_DRY_RUN | AIM_REMOVE_BASELINE,
                                           count_removed, &calls), 0);
    assert_int_equal(calls, 2);
    assert_string_equal(found(st, NULL), "dddddd cccccc bbbbbb aaaaaa");
    /* the baseline and its run together: both go */
    const char *both[] = { A, C, A };
    calls = 0;
    assert_int_equal(aim_store_remove_runs(st, both, 3, 0, count_removed, &calls), 0);
    assert_int_equal(calls, 2);
    assert_string_equal(found(st, NULL), "dddddd bbbbbb");
    assert_int_equal(rows_of(where, A), 0);
    assert_int_equal(rows_of(where, C), 0);
    assert_int_equal(rows_of(where, B), 5);
    aim_store_free(st);
}

/* SQLite: the free pages a removal leaves, given back by VACUUM; PostgreSQL: not ours. */
static void the_space_is_reclaimed(void **state) {
    (void)state;
    char where[512];
    aim_db *db = four_runs(where, sizeof where);
    /* samples enough to fill pages of their own (a row alone never frees its table's) */
    static char blob[256 * 1024];
    memset(blob, 0x5a, sizeof blob);
    const char *ids[] = { A, B, C, D };
    for (int i = 0; i < 4; i++)
        assert_int_equal(aim__db_chunk_insert(db, ids[i], 0, 1, 1000, 1900, 10, blob,
                                              sizeof blob), 0);
    aim__db_close(db);
    aim_store *st = public_store(where);
    aim_reclaim_stats rs;
    if (store_rig_pg()) {
        assert_int_equal(aim_store_reclaim(st, AIM_RECLAIM_VACUUM, &rs), -EOPNOTSUPP);
        aim_store_free(st);
        return;
    }
    const char *all[] = { A, B, C, D };
    assert_int_equal(aim_store_remove_runs(st, all, 4, 0, NULL, NULL), 0);
    assert_int_equal(aim_store_reclaim(st, 0, &rs), 0);
    assert_true(rs.free_before > 0);
    assert_true(rs.size_after == rs.size_before);
    assert_int_equal(aim_store_reclaim(st, AIM_RECLAIM_VACUUM, &rs), 0);
    assert_true(rs.size_after < rs.size_before);
    assert_int_equal(aim_store_reclaim(st, 0, &rs), 0);
    assert_int_equal(rs.free_before, 0);
    assert_int_equal(aim_store_reclaim(st, 8, &rs), -EINVAL);
    aim_store_free(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(runs_are_found_by_id_prefix_and_name, setup, teardown),
        cmocka_unit_test_setup_teardown(a_name_that_is_an_id_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(runs_are_filtered, setup, teardown),
        cmocka_unit_test_setup_teardown(the_status_ls_shows, setup, teardown),
        cmocka_unit_test_setup_teardown(runs_are_removed_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(the_space_is_reclaimed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
