/* The run copier (store/copy_store.h, `aimeter push`): a run copied into another store is
 * there row for row, a second copy writes nothing, a copy cut off half-way is completed, a
 * growing run gets only its new chunks, a rewritten or pruned chunk follows the source (or,
 * with AIM_COPY_KEEP_EXTRA, push's default, the destination keeps its own), another run under
 * the same id in the destination is refused with nothing written, a column the destination
 * lacks is refused and one both have is copied without a change to the copier. The source is an SQLite file; the destination one too, or a PostgreSQL
 * database in the store suite's PostgreSQL pass (store_rig.h). */
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
    return store_rig_mkdtemp(tmpdir, sizeof tmpdir, "aim_copy");
}

static int teardown(void **state) {
    (void)state;
    return store_rig_rmtree(tmpdir);
}


static void make_run(aim_run_summary *run, const char *id, int64_t start) {
    memset(run, 0, sizeof *run);
    snprintf(run->id, sizeof run->id, "%s", id);
    snprintf(run->name, sizeof run->name, "train");
    snprintf(run->command, sizeof run->command, "python train.py 'a b'");
    snprintf(run->host, sizeof run->host, "node-7");
    snprintf(run->aimeter_version, sizeof run->aimeter_version, "0.1.0");
    run->start_wall_ns = start;
    run->status = AIM_RUN_RUNNING;
    run->exit_code = -1;
    run->interval_ns = 100000000;
    snprintf(run->zone, sizeof run->zone, "FR");
    run->intensity_g_per_kwh = 56.0;
    run->total_energy_j = NAN;
    run->carbon_g = NAN;
    run->n_devices = 2;
    run->devices = calloc(2, sizeof *run->devices);
    for (int i = 0; i < 2; i++) {
        aim_device_summary *d = &run->devices[i];
        snprintf(d->name, sizeof d->name, i ? "gpu0" : "cpu0");
        d->kind = i ? AIM_DEV_GPU : AIM_DEV_CPU;
        d->has_energy = 1;
        d->energy_j = 10.0 * (i + 1);
        d->in_total = 1;
    }
    static const char *keys[] = { "power", "energy", "power" };
    run->n_series = 3;
    run->series = calloc(3, sizeof *run->series);
    for (int i = 0; i < 3; i++) {
        aim_series_summary *s = &run->series[i];
        s->slot = i;
        s->device = i == 2;
        snprintf(s->metric_key, sizeof s->metric_key, "%s", keys[i]);
        s->instance = -1;
        s->group = i == 2;
        s->resolution = 0.01;
        s->mean = s->min = s->max = s->mode = s->stddev = NAN;
        s->mode_exact = 1;
    }
}

/* Chunk seq of group g: a blob that says which it is (the copier never decodes). */
static void put_chunk(aim_db *db, const char *id, int g, int seq) {
    char blob[32];
    int len = snprintf(blob, sizeof blob, "chunk %d/%d", g, seq);
    assert_int_equal(aim__db_chunk_insert(db, id, g, seq, seq * 1000, seq * 1000 + 900, 10, blob,
                                          (size_t)len), 0);
}

/* A source store at path with run A (2 devices, 3 series, 2 groups of chunks 0..n_chunks-1,
 * tags, intensity steps, marks and records) and run B (one chunk), both `status`. */
static void make_source(const char *path, int n_chunks, aim_run_status status) {
    aim_db *db = store_rig_open(path, 0);
    const char *ids[] = { RUN_A, RUN_B };
    for (int k = 0; k < 2; k++) {
        aim_run_summary run;
        make_run(&run, ids[k], 1000 + k);
        run.status = status;
        assert_int_equal(aim__db_begin(db), 0);
        assert_int_equal(aim__db_run_insert(db, &run, getpid()), 0);
        assert_int_equal(aim__db_run_update(db, &run), 0);
        for (int i = 0; i < run.n_devices; i++)
            assert_int_equal(aim__db_device_insert(db, run.id, i, &run.devices[i]), 0);
        for (int i = 0; i < run.n_series; i++)
            assert_int_equal(aim__db_series_insert(db, run.id, &run.series[i]), 0);
        for (int s = 0; s < (k ? 1 : n_chunks); s++)
            for (int g = 0; g < 2; g++)
                put_chunk(db, run.id, g, s);
        assert_int_equal(aim__db_commit(db), 0);
        aim_run_tag tags[] = { { "batch", "32" }, { "lr", "0.1" } };
        assert_int_equal(aim__db_run_tags_store(db, run.id, tags, 2), 0);
        aim_intensity_point pts[] = { { 1000, 56.0 }, { 2000, 60.5 } };
        assert_int_equal(aim__db_steps_insert(db, run.id, 0, pts, 2), 0);
        aim__run_summary_clear(&run);
    }
    aim__db_close(db);
    store_rig_sqlite_exec(path, "INSERT INTO marks (run_id, seq, t_ns, text) VALUES "
                                "('" RUN_A "', 0, 5, 'start'), ('" RUN_A "', 1, 7, 'it''s done');"
                                "INSERT INTO records (run_id, key, t_ns, value) VALUES "
                                "('" RUN_A "', 'tokens', 5, 512), ('" RUN_A "', 'tokens', 5, 512),"
                                "('" RUN_A "', 'tokens', 9, 1024.5), ('" RUN_B "', 'loss', 1, 0.5);"
                                "INSERT INTO marks (run_id, seq, t_ns, text) VALUES "
                                "('" RUN_B "', 0, 1, 'b');");
}

/* The per-run tables the checks count rows of (by run_id; runs by id). */
static const char *const tables[] = { "devices", "series", "chunks", "run_tags",
                                      "run_intensity", "marks", "records" };
#define N_TABLES (sizeof tables / sizeof tables[0])

static int64_t dst_count(const char *dst, const char *table, const char *id) {
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s = '%s'", table,
             strcmp(table, "runs") == 0 ? "id" : "run_id", id);
    return store_rig_sql_int(dst, sql);
}

/* The destination holds run id as the source does: the same number of rows in every
 * table, and the same content where the checks can tell (a sum over the chunks' sizes and
 * times, the runs' status). */
static void same_rows(const char *src, const char *dst, const char *id) {
    char sql[256];
    for (size_t i = 0; i < N_TABLES; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE run_id = '%s'", tables[i], id);
        int64_t want = store_rig_sqlite_int(src, sql);
        assert_true(want > 0);
        if (dst_count(dst, tables[i], id) != want)
            fail_msg("%s: %lld rows, the source has %lld", tables[i],
                     (long long)dst_count(dst, tables[i], id), (long long)want);
    }
    assert_int_equal(dst_count(dst, "runs", id), 1);
    snprintf(sql, sizeof sql, "SELECT sum(length(data) * 7 + t_first_ns * 3 + t_last_ns + grp "
             "* 11 + seq * 13) FROM chunks WHERE run_id = '%s'", id);
    assert_int_equal(store_rig_sql_int(dst, sql), store_rig_sqlite_int(src, sql));
    snprintf(sql, sizeof sql, "SELECT sum(length(text) + t_ns) FROM marks WHERE run_id = '%s'",
             id);
    assert_int_equal(store_rig_sql_int(dst, sql), store_rig_sqlite_int(src, sql));
    snprintf(sql, sizeof sql, "SELECT CAST(sum(value * 2) AS INTEGER) FROM records WHERE "
             "run_id = '%s'", id);
    assert_int_equal(store_rig_sql_int(dst, sql), store_rig_sqlite_int(src, sql));
    snprintf(sql, sizeof sql, "SELECT count(*) FROM runs WHERE id = '%s' AND status = "
             "'completed' AND name = 'train' AND command = 'python train.py ''a b'''", id);
    assert_int_equal(store_rig_sql_int(dst, sql), store_rig_sqlite_int(src, sql));
}

static void copy_ok(const char *src, const char *dst, const char *id, unsigned flags,
                    aim_copy_stats *st) {
    aim_db *from = store_rig_open(src, 1), *to = store_rig_open(dst, 0);
    int r = aim__store_copy_run(from, to, id, flags, st);
    if (r < 0)
        fail_msg("copy %s: %d %s", id, r, aim__db_errmsg(to));
    aim__db_close(from);
    aim__db_close(to);
}

static void paths(char *src, char *dst, size_t size, const char *name) {
    snprintf(src, size, "%s/%s-src.db", tmpdir, name);
    char dname[64];
    snprintf(dname, sizeof dname, "%s-dst.db", name);
    store_rig_location(dst, size, tmpdir, dname);
}

/* ------------------------------------------------------------------ tests */

static void copies_once_and_twice_writes_nothing(void **state) {
    (void)state;
    char src[256], dst[256];
    paths(src, dst, sizeof src, "once");
    make_source(src, 5, AIM_RUN_COMPLETED);
    aim_copy_stats st;
    copy_ok(src, dst, RUN_A, 0, &st);
    assert_int_equal(st.chunks_written, 10);
    assert_int_equal(st.chunks_present, 0);
    assert_int_equal(st.chunks_removed, 0);
    assert_false(st.running);
    /* runs 1, devices 2, series 3, tags 2, intensity 2, marks 2, records 3 (the metrics the
     * series name are the destination's own already: none added) */
    assert_int_equal(st.rows, 15);
    same_rows(src, dst, RUN_A);
    assert_int_equal(dst_count(dst, "runs", RUN_B), 0); /* only the run asked for */

    copy_ok(src, dst, RUN_A, 0, &st);
    assert_int_equal(st.chunks_written, 0);
    assert_int_equal(st.chunks_present, 10);
    assert_int_equal(st.rows, 15); /* replaced, not added */
    same_rows(src, dst, RUN_A);

    copy_ok(src, dst, RUN_B, 0, &st);
    assert_int_equal(st.chunks_written, 2);
    same_rows(src, dst, RUN_B);
    same_rows(src, dst, RUN_A);
}

/* A copy cut off half-way (or rows lost at the destination) is completed exactly. */
static void completes_a_cut_off_copy(void **state) {
    (void)state;
    char src[256], dst[256];
    paths(src, dst, sizeof src, "cut");
    make_source(src, 5, AIM_RUN_COMPLETED);
    aim_copy_stats st;
    copy_ok(src, dst, RUN_A, 0, &st);
    store_rig_sql_exec(dst, "DELETE FROM chunks WHERE run_id = '" RUN_A "' AND seq >= 3;"
                            "DELETE FROM run_tags WHERE run_id = '" RUN_A "';"
                            "DELETE FROM records WHERE run_id = '" RUN_A "' AND t_ns = 9;");
    copy_ok(src, dst, RUN_A, 0, &st);
    assert_int_equal(st.chunks_written, 4);
    assert_int_equal(st.chunks_present, 6);
    same_rows(src, dst, RUN_A);
}

/* A run still being written: each copy takes what is committed; the next only the new
 * chunks, and the run's row as it is then. */
static void copies_a_growing_run(void **state) {
    (void)state;
    char src[256], dst[256];
    paths(src, dst, sizeof src, "grow");
    make_source(src, 3, AIM_RUN_RUNNING);
    aim_copy_stats st;
    copy_ok(src, dst, RUN_A, 0, &st);
    assert_true(st.running);
    assert_int_equal(st.chunks_written, 6);
    assert_int_equal(store_rig_sql_int(dst, "SELECT count(*) FROM runs WHERE status = 'running'"),
                     1);

    aim_db *db = store_rig_open(src, 0);
    aim_run_summary run;
    make_run(&run, RUN_A, 1000);
    run.status = AIM_RUN_COMPLETED;
    run.samples = 50;
    assert_int_equal(aim__db_begin(db), 0);
    for (int s = 3; s < 5; s++)
        for (int g = 0; g < 2; g++)
            put_chunk(db, RUN_A, g, s);
    assert_int_equal(aim__db_run_update(db, &run), 0);
    assert_int_equal(aim__db_commit(db), 0);
    aim__run_summary_clear(&run);
    aim__db_close(db);

    copy_ok(src, dst, RUN_A, 0, &st);
    assert_false(st.running);
    assert_int_equal(st.chunks_written, 4);
    assert_int_equal(st.chunks_present, 6);
    same_rows(src, dst, RUN_A);
    assert_int_equal(store_rig_sql_int(dst, "SELECT samples FROM runs WHERE id = '" RUN_A "'"),
                     50);
}

/* A retention pruned chunk 0 and rewrote chunk 1 of group 0 under its key (a downsample):
 * the destination follows, unless asked to keep what it has (push's default, a spool): then
 * neither the pruned chunk is removed nor the raw chunk replaced by the downsampled one. */
static void follows_a_retention(void **state) {
    (void)state;
    char src[256], dst[256], dst2[256];
    paths(src, dst, sizeof src, "ret");
    store_rig_location(dst2, sizeof dst2, tmpdir, "ret-keep.db");
    make_source(src, 5, AIM_RUN_COMPLETED);
    aim_copy_stats st;
    copy_ok(src, dst, RUN_A, 0, &st);
    copy_ok(src, dst2, RUN_A, 0, &st);
    store_rig_sqlite_exec(src, "DELETE FROM chunks "
                               "WHERE run_id = '" RUN_A "' AND grp = 0 AND seq = 0;"
                               "UPDATE chunks SET data = X'00010203', t_last_ns = 1950, "
                               "n_ticks = 3 "
                               "WHERE run_id = '" RUN_A "' AND grp = 0 AND seq = 1;");
    copy_ok(src, dst, RUN_A, 0, &st);
    assert_int_equal(st.chunks_removed, 1);
    assert_int_equal(st.chunks_written, 1);
    assert_int_equal(st.chunks_present, 8);
    same_rows(src, dst, RUN_A);

    copy_ok(src, dst2, RUN_A, AIM_COPY_KEEP_EXTRA, &st);
    assert_int_equal(st.chunks_removed, 0);
    assert_int_equal(st.chunks_written, 0);
    assert_int_equal(st.chunks_kept, 2);
    assert_int_equal(st.chunks_present, 8);
    assert_int_equal(dst_count(dst2, "chunks", RUN_A), 10);
    assert_int_equal(store_rig_sql_int(dst2, "SELECT n_ticks FROM chunks WHERE run_id = '"
                                             RUN_A "' AND grp = 0 AND seq = 1"), 10);
    /* A chunk the source adds later is still copied. */
    store_rig_sqlite_exec(src, "INSERT INTO chunks "
                               "(run_id, grp, seq, t_first_ns, t_last_ns, n_ticks, data) "
                               "VALUES ('" RUN_A "', 0, 9, 9000, 9900, 10, X'0102');");
    copy_ok(src, dst2, RUN_A, AIM_COPY_KEEP_EXTRA, &st);
    assert_int_equal(st.chunks_written, 1);
    assert_int_equal(st.chunks_kept, 2);
    assert_int_equal(dst_count(dst2, "chunks", RUN_A), 11);
}

/* The destination's sum of the chunks' times and sizes, and its run's host: what the
 * refused copies below must leave as they were. */
static int64_t dst_print(const char *dst) {
    return store_rig_sql_int(dst, "SELECT sum(length(data) + t_last_ns + seq) FROM chunks") +
           store_rig_sql_int(dst, "SELECT count(*) FROM runs WHERE host = 'node-7'") * 1000003 +
           store_rig_sql_int(dst, "SELECT count(*) FROM records") * 7919;
}

/* Run ids are unique per store only (a start second and 24 random bits): another node's run
 * may have the same one. A destination run of that id with another host or start time is
 * another run: the copy is refused and writes nothing (no row replaced, no chunk removed). */
static void refuses_another_run_under_the_same_id(void **state) {
    (void)state;
    char src[256], dst[256];
    paths(src, dst, sizeof src, "clash");
    make_source(src, 3, AIM_RUN_COMPLETED);
    aim_copy_stats st;
    copy_ok(src, dst, RUN_A, 0, &st);
    int64_t before = dst_print(dst);
    /* The other node's run: another host, fewer chunks, other records. */
    store_rig_sqlite_exec(src, "UPDATE runs SET host = 'node-8' WHERE id = '" RUN_A "';"
                               "DELETE FROM chunks WHERE run_id = '" RUN_A "' AND seq > 0;"
                               "DELETE FROM records WHERE run_id = '" RUN_A "';");
    for (unsigned flags = 0; flags <= AIM_COPY_KEEP_EXTRA; flags++) {
        aim_db *from = store_rig_open(src, 1), *to = store_rig_open(dst, 0);
        st.rows = -7;
        assert_int_equal(aim__store_copy_run(from, to, RUN_A, flags, &st), -EEXIST);
        assert_int_equal(st.rows, -7);
        const char *msg = aim__db_errmsg(to);
        assert_non_null(strstr(msg, "run " RUN_A " in "));
        assert_non_null(strstr(msg, "is another run (host node-7, started 1970-01-01T"));
        assert_non_null(strstr(msg, "not copied"));
        aim__db_close(from);
        aim__db_close(to);
        assert_int_equal(dst_print(dst), before);
    }
    /* The same host, another start time: another run too. */
    store_rig_sqlite_exec(src, "UPDATE runs SET host = 'node-7', start_wall_ns = 1001 "
                               "WHERE id = '" RUN_A "';");
    aim_db *from = store_rig_open(src, 1), *to = store_rig_open(dst, 0);
    assert_int_equal(aim__store_copy_run(from, to, RUN_A, 0, NULL), -EEXIST);
    aim__db_close(from);
    aim__db_close(to);
    assert_int_equal(dst_print(dst), before);
    /* The run itself (host and start as the destination has them) is copied as before. */
    store_rig_sqlite_exec(src, "UPDATE runs SET start_wall_ns = 1000 WHERE id = '" RUN_A "';");
    copy_ok(src, dst, RUN_A, 0, &st);
    assert_int_equal(st.chunks_removed, 4);
}

/* A column the source has and the destination lacks (a migration on one side only) stops
 * the copy before anything is written: it would be lost. */
static void refuses_a_column_the_destination_lacks(void **state) {
    (void)state;
    char src[256], dst[256];
    paths(src, dst, sizeof src, "col");
    make_source(src, 2, AIM_RUN_COMPLETED);
    store_rig_sqlite_exec(src, "ALTER TABLE devices ADD COLUMN watts_cap BIGINT;");
    aim_db *from = store_rig_open(src, 1), *to = store_rig_open(dst, 0);
    aim_copy_stats st = { .rows = -7 };
    assert_int_equal(aim__store_copy_run(from, to, RUN_A, 0, &st), -EPROTO);
    assert_int_equal(st.rows, -7); /* untouched on error */
    const char *msg = aim__db_errmsg(to);
    assert_non_null(strstr(msg, "devices"));
    assert_non_null(strstr(msg, "watts_cap"));
    assert_non_null(strstr(msg, "schemas differ"));
    aim__db_close(from);
    aim__db_close(to);
    assert_int_equal(store_rig_sql_int(dst, "SELECT count(*) FROM runs"), 0); /* rolled back */
}

/* The same column on both sides is copied: the columns are the stores' own, not a list in
 * the copier that a migration would have to remember. */
static void copies_a_column_both_have(void **state) {
    (void)state;
    char src[256], dst[256];
    paths(src, dst, sizeof src, "newcol");
    make_source(src, 2, AIM_RUN_COMPLETED);
    store_rig_sqlite_exec(src, "ALTER TABLE devices ADD COLUMN watts_cap BIGINT;"
                               "UPDATE devices SET watts_cap = 300 + idx "
                               "WHERE run_id = '" RUN_A "';");
    aim_db *to = store_rig_open(dst, 0); /* made, then given the column */
    aim__db_close(to);
    store_rig_sql_exec(dst, "ALTER TABLE devices ADD COLUMN watts_cap BIGINT;");
    aim_copy_stats st;
    copy_ok(src, dst, RUN_A, 0, &st);
    assert_int_equal(store_rig_sql_int(dst, "SELECT sum(watts_cap) FROM devices WHERE run_id = '"
                                            RUN_A "'"), 601);
}

static void unknown_run_and_bad_arguments(void **state) {
    (void)state;
    char src[256], dst[256];
    paths(src, dst, sizeof src, "bad");
    make_source(src, 1, AIM_RUN_COMPLETED);
    aim_db *from = store_rig_open(src, 1), *to = store_rig_open(dst, 0);
    assert_int_equal(aim__store_copy_run(from, to, "20991231-000000-ffffff", 0, NULL), -ENOENT);
    assert_non_null(strstr(aim__db_errmsg(to), "no run 20991231-000000-ffffff"));
    assert_int_equal(aim__store_copy_run(from, to, "", 0, NULL), -EINVAL);
    assert_int_equal(aim__store_copy_run(to, to, RUN_A, 0, NULL), -EINVAL);
    assert_int_equal(aim__store_copy_run(NULL, to, RUN_A, 0, NULL), -EINVAL);
    assert_int_equal(aim__store_copy_run(from, NULL, RUN_A, 0, NULL), -EINVAL);
    /* the handles still work: nothing was left open */
    assert_int_equal(aim__store_copy_run(from, to, RUN_A, 0, NULL), 0);
    aim__db_close(from);
    aim__db_close(to);
    assert_int_equal(dst_count(dst, "chunks", RUN_A), 2);
}

/* The public wrapper: the copier's counts, its message in the destination's handle. */
static void public_push(void **state) {
    (void)state;
    char src[256], dst[256];
    paths(src, dst, sizeof src, "api");
    make_source(src, 3, AIM_RUN_RUNNING);
    aim_store *from, *to, *closed;
    assert_int_equal(aim_store_new(&from), 0);
    assert_int_equal(aim_store_new(&to), 0);
    assert_int_equal(aim_store_new(&closed), 0);
    assert_int_equal(aim_store_open(from, src, 1), 0);
    assert_int_equal(aim_store_open(to, dst, 0), 0);
    aim_push_stats st = { .rows = 99 };
    assert_int_equal(aim_store_push_run(NULL, from, RUN_A, 0, &st), -EINVAL);
    assert_int_equal(aim_store_push_run(to, closed, RUN_A, 0, &st), -EINVAL);
    assert_string_equal(aim_store_errmsg(to), "store not open");
    assert_int_equal(aim_store_push_run(to, to, RUN_A, 0, &st), -EINVAL);
    assert_int_equal(aim_store_push_run(to, from, NULL, 0, &st), -EINVAL);
    assert_int_equal(aim_store_push_run(to, from, RUN_A, 2, &st), -EINVAL);
    assert_string_equal(aim_store_errmsg(to), "unknown push flags");
    assert_int_equal(aim_store_push_run(to, from, "20991231-000000-ffffff", 0, &st), -ENOENT);
    assert_non_null(strstr(aim_store_errmsg(to), "no run 20991231-000000-ffffff"));
    assert_int_equal(st.rows, 99); /* untouched on error */
    assert_int_equal(aim_store_push_run(to, from, RUN_A, 0, &st), 0);
    assert_int_equal(st.chunks_written, 6);
    assert_int_equal(st.chunks_present, 0);
    assert_int_equal(st.chunks_removed, 0);
    assert_true(st.running);
    assert_true(st.rows > 0);
    assert_int_equal(aim_store_push_run(to, from, RUN_A, 0, NULL), 0);
    assert_int_equal(aim_store_push_run(to, from, RUN_A, 0, &st), 0);
    assert_int_equal(st.chunks_written, 0);
    assert_int_equal(st.chunks_present, 6);
    aim_store_free(closed);
    aim_store_free(from);
    aim_store_free(to);
    same_rows(src, dst, RUN_A);
}

/* A push keeps the destination's history the source's retention pruned or downsampled (a
 * node's store keeps little, the central one everything); AIM_PUSH_MIRROR makes it equal. */
static void public_push_keeps_history_unless_mirrored(void **state) {
    (void)state;
    char src[256], dst[256];
    paths(src, dst, sizeof src, "mirror");
    make_source(src, 4, AIM_RUN_COMPLETED);
    aim_store *from, *to;
    assert_int_equal(aim_store_new(&from), 0);
    assert_int_equal(aim_store_new(&to), 0);
    assert_int_equal(aim_store_open(to, dst, 0), 0);
    aim_push_stats st;
    assert_int_equal(aim_store_open(from, src, 1), 0);
    assert_int_equal(aim_store_push_run(to, from, RUN_A, 0, &st), 0);
    aim_store_free(from);
    store_rig_sqlite_exec(src, "DELETE FROM chunks WHERE run_id = '" RUN_A "' AND seq = 0;"
                               "UPDATE chunks SET data = X'00', t_last_ns = 2950, n_ticks = 2 "
                               "WHERE run_id = '" RUN_A "' AND seq = 1;");
    assert_int_equal(aim_store_new(&from), 0);
    assert_int_equal(aim_store_open(from, src, 1), 0);
    assert_int_equal(aim_store_push_run(to, from, RUN_A, 0, &st), 0);
    assert_int_equal(st.chunks_removed, 0);
    assert_int_equal(st.chunks_written, 0);
    assert_int_equal(st.chunks_kept, 4);
    assert_int_equal(st.chunks_present, 4);
    assert_int_equal(dst_count(dst, "chunks", RUN_A), 8);
    assert_int_equal(store_rig_sql_int(dst, "SELECT sum(n_ticks) FROM chunks WHERE run_id = '"
                                            RUN_A "'"), 80);
    assert_int_equal(aim_store_push_run(to, from, RUN_A, AIM_PUSH_MIRROR, &st), 0);
    assert_int_equal(st.chunks_removed, 2);
    assert_int_equal(st.chunks_written, 2);
    assert_int_equal(st.chunks_kept, 0);
    aim_store_free(from);
    aim_store_free(to);
    same_rows(src, dst, RUN_A);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copies_once_and_twice_writes_nothing),
        cmocka_unit_test(completes_a_cut_off_copy),
        cmocka_unit_test(copies_a_growing_run),
        cmocka_unit_test(follows_a_retention),
        cmocka_unit_test(refuses_another_run_under_the_same_id),
        cmocka_unit_test(refuses_a_column_the_destination_lacks),
        cmocka_unit_test(copies_a_column_both_have),
        cmocka_unit_test(unknown_run_and_bad_arguments),
        cmocka_unit_test(public_push),
        cmocka_unit_test(public_push_keeps_history_unless_mirrored),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
