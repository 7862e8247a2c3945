/* The chunk iterator of the shared SQL store (store/sql/chunks.c). On PostgreSQL it reads a
 * group's chunks a page at a time (64), so that the server never hands it a whole run; on
 * SQLite the group is one statement, one read snapshot. Either way every chunk comes once,
 * in seq order, across page ends; from_ns keeps the chunks that end at or after it; several
 * iterators live on one handle do not disturb each other; each chunk's summary is its own.
 * What another connection commits meanwhile: on PostgreSQL a chunk stored while an iterator
 * is between pages is read by it; on SQLite the iterator reads its snapshot to the end, so a
 * retention pass that merges chunks meanwhile cannot make it skip the merged data. Store
 * suite: also on PostgreSQL (store_rig.h). */
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

#include "aimeter.h"
#include "store/store.h"
#include "store_rig.h"

#define RUN "20260101-000000-pages0"
#define PAGE 64

static char tmpdir[64];

static int setup(void **state) {
    (void)state;
    return store_rig_mkdtemp(tmpdir, sizeof tmpdir, "aim_pages");
}

static int teardown(void **state) {
    (void)state;
    return store_rig_rmtree(tmpdir);
}

/* Chunk seq of group g spans [seq * 1000, seq * 1000 + 999]; its blob and summary say
 * which it is. */
static void put(aim_db *db, int g, int seq) {
    char blob[32], sum[32];
    int len = snprintf(blob, sizeof blob, "data %d/%d", g, seq);
    int slen = snprintf(sum, sizeof sum, "sum %d/%d", g, seq);
    assert_int_equal(aim__db_chunk_insert_summary(db, RUN, g, seq, seq * 1000LL,
                                                  seq * 1000LL + 999, 10, blob, (size_t)len,
                                                  sum, (size_t)slen), 0);
}

static char where[160]; /* the location of the last store_with's store */

/* A second connection to the store at `where`: another process's, as far as the first
 * handle's snapshots go. */
static aim_db *other_handle(void) {
    return store_rig_open(where, 0);
}

/* A run with n0 chunks in group 0 and n1 in group 1. */
static aim_db *store_with(const char *name, int n0, int n1) {
    store_rig_location(where, sizeof where, tmpdir, name);
    aim_db *db = store_rig_open(where, 0);
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, RUN);
    snprintf(run.name, sizeof run.name, "pages");
    run.start_wall_ns = 1700000000000000000LL;
    run.interval_ns = 100000000;
    run.total_energy_j = run.carbon_g = run.intensity_g_per_kwh = NAN;
    assert_int_equal(aim__db_begin(db), 0);
    assert_int_equal(aim__db_run_insert(db, &run, getpid()), 0);
    for (int s = 0; s < n0; s++)
        put(db, 0, s);
    for (int s = 0; s < n1; s++)
        put(db, 1, s);
    assert_int_equal(aim__db_commit(db), 0);
    return db;
}

/* The next chunk is seq of group g, with its own blob and summary. */
static void expect(aim_db_chunk_iter *it, int g, int seq) {
    const uint8_t *blob, *sum;
    size_t len, slen;
    int64_t got = -1;
    int r = aim__db_chunk_iter_next(it, &blob, &len, &got);
    if (r != 1)
        fail_msg("group %d: chunk %d: next() = %d", g, seq, r);
    assert_int_equal(got, seq);
    char want[32];
    snprintf(want, sizeof want, "data %d/%d", g, seq);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(blob, want, len);
    assert_int_equal(aim__db_chunk_iter_summary(it, &sum, &slen), 1);
    snprintf(want, sizeof want, "sum %d/%d", g, seq);
    assert_int_equal(slen, strlen(want));
    assert_memory_equal(sum, want, slen);
}

static void expect_end(aim_db_chunk_iter *it) {
    const uint8_t *blob;
    size_t len;
    assert_int_equal(aim__db_chunk_iter_next(it, &blob, &len, NULL), 0);
    assert_int_equal(aim__db_chunk_iter_next(it, &blob, &len, NULL), 0);
}

/* Pages of 64: a group of 3 pages and a bit, one of exactly 2 pages, and one of none. */
static void every_chunk_once_in_order_across_pages(void **state) {
    (void)state;
    const int n[] = { 3 * PAGE + 5, 2 * PAGE };
    aim_db *db = store_with("all.db", n[0], n[1]);
    for (int g = 0; g < 2; g++) {
        aim_db_chunk_iter *it;
        assert_int_equal(aim__db_chunk_iter_new(db, RUN, g, &it), 0);
        for (int s = 0; s < n[g]; s++)
            expect(it, g, s);
        expect_end(it);
        aim__db_chunk_iter_free(it);
    }
    aim_db_chunk_iter *it;
    assert_int_equal(aim__db_chunk_iter_new(db, RUN, 7, &it), 0);
    expect_end(it);
    aim__db_chunk_iter_free(it);
    aim__db_close(db);
}

/* from_ns: the chunks that end at or after it, the first one possibly begun before. */
static void from_keeps_the_chunks_that_end_after_it(void **state) {
    (void)state;
    aim_db *db = store_with("from.db", 2 * PAGE + 10, 0);
    aim_db_chunk_iter *it;
    assert_int_equal(aim__db_chunk_iter_from(db, RUN, 0, 70 * 1000 + 500, &it), 0);
    for (int s = 70; s < 2 * PAGE + 10; s++)
        expect(it, 0, s);
    expect_end(it);
    aim__db_chunk_iter_free(it);
    assert_int_equal(aim__db_chunk_iter_from(db, RUN, 0, 70 * 1000 + 999, &it), 0);
    expect(it, 0, 70);
    aim__db_chunk_iter_free(it);
    assert_int_equal(aim__db_chunk_iter_from(db, RUN, 0, 70 * 1000 + 1000, &it), 0);
    expect(it, 0, 71);
    aim__db_chunk_iter_free(it);
    assert_int_equal(aim__db_chunk_iter_from(db, RUN, 0, 1000LL * 1000, &it), 0);
    expect_end(it);
    aim__db_chunk_iter_free(it);
    aim__db_close(db);
}

/* Three iterators on one handle, stepped in turn, each across its own page ends. */
static void iterators_live_together(void **state) {
    (void)state;
    aim_db *db = store_with("live.db", 3 * PAGE, 2 * PAGE + 1);
    aim_db_chunk_iter *a, *b, *c;
    assert_int_equal(aim__db_chunk_iter_new(db, RUN, 0, &a), 0);
    assert_int_equal(aim__db_chunk_iter_new(db, RUN, 1, &b), 0);
    assert_int_equal(aim__db_chunk_iter_from(db, RUN, 0, 100 * 1000, &c), 0);
    for (int s = 0; s < 3 * PAGE; s++) {
        expect(a, 0, s);
        if (s < 2 * PAGE + 1)
            expect(b, 1, s);
        if (s < 3 * PAGE - 100)
            expect(c, 0, 100 + s);
    }
    expect_end(a);
    expect_end(b);
    expect_end(c);
    aim__db_chunk_iter_free(a);
    aim__db_chunk_iter_free(b);
    aim__db_chunk_iter_free(c);
    aim__db_close(db);
}

/* A live reader: chunks another connection stores once the reader has started, beyond the
 * chunks it has read. PostgreSQL: the next page (asked for after the last seq read) has
 * them. SQLite: the iterator reads its snapshot to its end; the next iterator has them. */
static void a_chunk_stored_meanwhile(void **state) {
    (void)state;
    aim_db *db = store_with("grow.db", PAGE + 3, 0);
    aim_db_chunk_iter *it;
    assert_int_equal(aim__db_chunk_iter_new(db, RUN, 0, &it), 0);
    for (int s = 0; s < PAGE; s++)
        expect(it, 0, s);
    /* Between PostgreSQL's pages now: its next page is asked for after seq PAGE - 1. */
    aim_db *writer = other_handle();
    assert_int_equal(aim__db_begin(writer), 0);
    for (int s = PAGE + 3; s < 2 * PAGE + 2; s++)
        put(writer, 0, s);
    assert_int_equal(aim__db_commit(writer), 0);
    int seen = store_rig_pg() ? 2 * PAGE + 2 : PAGE + 3;
    for (int s = PAGE; s < seen; s++)
        expect(it, 0, s);
    expect_end(it);
    aim__db_chunk_iter_free(it);
    assert_int_equal(aim__db_chunk_iter_new(db, RUN, 0, &it), 0);
    for (int s = 0; s < 2 * PAGE + 2; s++)
        expect(it, 0, s);
    expect_end(it);
    aim__db_chunk_iter_free(it);
    aim__db_close(writer);
    aim__db_close(db);
}

/* A retention pass (store/sql/retention.c) commits while a reader is part-way through the
 * group: the chunks of a bucket are merged into the bucket's first seq, which the reader has
 * passed, and the others deleted. The reader still reads every chunk of its snapshot: none
 * of the merged data is skipped. SQLite only: a PostgreSQL store's iterator pages in separate
 * snapshots, and aimeter's writers never downsample a PostgreSQL store (docs/store.md). */
static void a_rewrite_committed_meanwhile_skips_nothing(void **state) {
    (void)state;
    if (store_rig_pg()) {
        print_message("skipped on PostgreSQL: its pages are separate snapshots and aimeter "
                      "never downsamples it (docs/store.md)\n");
        skip();
    }
    const int n = 3 * PAGE;
    aim_db *db = store_with("merge.db", n, 0);
    aim_db_chunk_iter *it;
    assert_int_equal(aim__db_chunk_iter_new(db, RUN, 0, &it), 0);
    for (int s = 0; s < PAGE; s++)
        expect(it, 0, s);
    /* Seqs 40 .. 2 * PAGE merged into 40 (its times now cover them all), the rest deleted,
     * by another connection, committed. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "BEGIN; DELETE FROM chunks WHERE run_id = '%s' AND grp = 0 AND seq > 40 AND "
             "seq <= %d; UPDATE chunks SET t_last_ns = %d WHERE run_id = '%s' AND grp = 0 AND "
             "seq = 40; COMMIT;", RUN, 2 * PAGE, 2 * PAGE * 1000 + 999, RUN);
    store_rig_sql_exec(where, sql);
    assert_int_equal(store_rig_sql_int(where, "SELECT count(*) FROM chunks"), n - 2 * PAGE + 40);
    for (int s = PAGE; s < n; s++)
        expect(it, 0, s);
    expect_end(it);
    aim__db_chunk_iter_free(it);
    aim__db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_chunk_once_in_order_across_pages),
        cmocka_unit_test(from_keeps_the_chunks_that_end_after_it),
        cmocka_unit_test(iterators_live_together),
        cmocka_unit_test(a_chunk_stored_meanwhile),
        cmocka_unit_test(a_rewrite_committed_meanwhile_skips_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
