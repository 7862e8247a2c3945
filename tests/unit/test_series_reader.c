/* The store's one series reader (store/store.h, issue 12) on synthetic stores: ticks of
 * several rate groups merged in time order (ties to the group listed first), gaps in time
 * and in values, a corrupt chunk, a run with no samples; aim__db_for_each_tick over it; and
 * the choice of back-end by URL. */
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
#include "store/store.h"
#include "store_rig.h"

static char tmpdir[64];

static int setup(void **state) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/aim_reader_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static char last_store[128]; /* where open_db's last store is: a file or a URL */

static aim_db *open_db(const char *name) {
    store_rig_location(last_store, sizeof last_store, tmpdir, name);
    return store_rig_open(last_store, 0);
}

/* Group 0: cpu.util and cpu.core_util at 0.1 %; group 1: energy (a counter) at 1 µJ. */
static const aim_chunk_column g0_cols[2] = { { 0.1, 0 }, { 0.1, 0 } };
static const aim_chunk_column g1_cols[1] = { { 1e-6, 1 } };

static void make_run(aim_db *db, aim_run_summary *run, const char *id) {
    memset(run, 0, sizeof *run);
    snprintf(run->id, sizeof run->id, "%s", id);
    run->start_wall_ns = 1700000000000000000LL;
    run->status = AIM_RUN_COMPLETED;
    run->interval_ns = 100000000;
    run->total_energy_j = run->carbon_g = run->intensity_g_per_kwh = NAN;
    run->n_devices = 1;
    run->devices = calloc(1, sizeof *run->devices);
    snprintf(run->devices[0].name, sizeof run->devices[0].name, "host");
    run->devices[0].energy_j = NAN;
    static const char *keys[] = { "cpu.util", "cpu.core_util", "energy" };
    run->n_series = 3;
    run->series = calloc(3, sizeof *run->series);
    for (int i = 0; i < 3; i++) {
        aim_series_summary *s = &run->series[i];
        s->slot = i;
        snprintf(s->metric_key, sizeof s->metric_key, "%s", keys[i]);
        s->instance = -1;
        s->group = i < 2 ? 0 : 1;
        s->resolution = i < 2 ? 0.1 : 1e-6;
        s->counter = i == 2;
        s->mean = s->min = s->max = s->mode = s->stddev = NAN;
    }
    assert_int_equal(aim__db_begin(db), 0);
    assert_int_equal(aim__db_run_insert(db, run, getpid()), 0);
    assert_int_equal(aim__db_device_insert(db, run->id, 0, &run->devices[0]), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(aim__db_series_insert(db, run->id, &run->series[i]), 0);
    assert_int_equal(aim__db_commit(db), 0);
}

static void chunk(aim_db *db, const char *run_id, int group, int64_t seq, int ticks,
                  const int64_t *t, const double *v, const uint8_t *ok) {
    store_rig_chunk(db, run_id, group, seq, group == 0 ? 2 : 1, group == 0 ? g0_cols : g1_cols,
                    ticks, t, v, ok);
}

/* Group 0 at 0, 100, (gap) 400, 500 ms in two chunks, with a missing core_util value;
 * group 1 at 50, 100, 450 ms: two ticks at 100 ms. */
static void fill(aim_db *db, const char *run_id) {
    assert_int_equal(aim__db_begin(db), 0);
    int64_t t0[2] = { 0, 100000000 };
    double v0[4] = { 10, 1, 20, 2 };
    uint8_t ok0[4] = { 1, 1, 1, 0 };
    chunk(db, run_id, 0, 0, 2, t0, v0, ok0);
    int64_t t1[2] = { 400000000, 500000000 };
    double v1[4] = { 40, 4, 50, 5 };
    chunk(db, run_id, 0, 1, 2, t1, v1, NULL);
    int64_t ts[3] = { 50000000, 100000000, 450000000 };
    double vs[3] = { 1.5, 2.5, 3.5 };
    chunk(db, run_id, 1, 0, 3, ts, vs, NULL);
    assert_int_equal(aim__db_commit(db), 0);
}

typedef struct seen {
    int group;
    int64_t t_ms;
    double v0;
    int ok1;
} seen;

static int read_all(aim_series_reader *rd, seen *out, int max) {
    aim_series_tick t;
    int n = 0, r;
    while ((r = aim__series_reader_next(rd, &t)) > 0) {
        assert_true(n < max);
        out[n].group = t.group;
        out[n].t_ms = t.t_rel_ns / 1000000;
        out[n].v0 = t.valid[0] ? t.values[0] : NAN;
        out[n].ok1 = t.n > 1 ? t.valid[1] : -1;
        n++;
    }
    return r < 0 ? r : n;
}

static void merges_groups_in_time_order(void **state) {
    aim_db *db = open_db("order.db");
    aim_run_summary run;
    make_run(db, &run, "order");
    fill(db, run.id);

    aim_series_reader *rd = NULL;
    assert_int_equal(aim__series_reader_open_run(db, &run, NULL, 0, &rd), 0);
    assert_int_equal(aim__series_reader_groups(rd), 2);
    seen s[16];
    assert_int_equal(read_all(rd, s, 16), 7);
    static const seen want[7] = { { 0, 0, 10, 1 },   { 1, 50, 1.5, -1 }, { 0, 100, 20, 0 },
                                  { 1, 100, 2.5, -1 }, { 0, 400, 40, 1 }, { 1, 450, 3.5, -1 },
                                  { 0, 500, 50, 1 } };
    for (int i = 0; i < 7; i++) {
        assert_int_equal(s[i].group, want[i].group);
        assert_int_equal(s[i].t_ms, want[i].t_ms);
        assert_float_equal(s[i].v0, want[i].v0, 1e-9);
        assert_int_equal(s[i].ok1, want[i].ok1);
    }
    assert_int_equal(aim__series_reader_more(rd, 0), 0);
    assert_int_equal(aim__series_reader_more(rd, 1), 0);
    aim__series_reader_free(rd);

    /* Listed the other way round, the tie at 100 ms goes to group 1 first. */
    int order[2] = { 1, 0 };
    assert_int_equal(aim__series_reader_open_run(db, &run, order, 2, &rd), 0);
    assert_int_equal(aim__series_reader_group(rd, 0), 1);
    assert_int_equal(read_all(rd, s, 16), 7);
    assert_int_equal(s[2].group, 1);
    assert_int_equal(s[2].t_ms, 100);
    assert_int_equal(s[3].group, 0);
    assert_int_equal(s[3].t_ms, 100);
    aim__series_reader_free(rd);

    /* One group alone. */
    int one = 1;
    assert_int_equal(aim__series_reader_open_run(db, &run, &one, 1, &rd), 0);
    assert_int_equal(read_all(rd, s, 16), 3);
    aim__series_reader_free(rd);
    aim__run_summary_clear(&run);
    aim__db_close(db);
}

static int count_tick(int64_t t, const double *values, const uint8_t *valid, void *ud) {
    int64_t *last = ud;
    assert_true(t > last[0] || last[1] == 0);
    last[0] = t;
    last[1]++;
    return 0;
}

static void for_each_tick_reads_one_group(void **state) {
    aim_db *db = open_db("each.db");
    aim_run_summary run;
    make_run(db, &run, "each");
    fill(db, run.id);
    int64_t c[2] = { 0, 0 };
    assert_int_equal(aim__db_for_each_tick(db, run.id, 0, count_tick, c), 0);
    assert_int_equal(c[1], 4);
    assert_int_equal(c[0], 500000000);
    c[0] = c[1] = 0;
    assert_int_equal(aim__db_for_each_tick(db, run.id, 1, count_tick, c), 0);
    assert_int_equal(c[1], 3);
    assert_int_equal(aim__db_for_each_tick(db, run.id, 7, count_tick, c), -ENOENT);
    assert_int_equal(aim__db_for_each_tick(db, "nope", 0, count_tick, c), -ENOENT);
    aim__run_summary_clear(&run);
    aim__db_close(db);
}

static void corrupt_chunk_is_ebadmsg(void **state) {
    aim_db *db = open_db("corrupt.db");
    aim_run_summary run;
    make_run(db, &run, "bad");
    fill(db, run.id);
    /* a second chunk of group 1 that is no chunk: the reader stops there */
    static const uint8_t junk[] = { 0x01, 0xff };
    assert_int_equal(aim__db_chunk_insert(db, run.id, 1, 1, 500000000, 600000000, 2, junk,
                                         sizeof junk), 0);
    aim_series_reader *rd = NULL;
    assert_int_equal(aim__series_reader_open_run(db, &run, NULL, 0, &rd), 0);
    seen s[16];
    assert_int_equal(read_all(rd, s, 16), -EBADMSG);
    const char *msg = aim__db_errmsg(db);
    assert_non_null(strstr(msg, "run bad, group 1: chunk 1 is corrupt"));
    aim__series_reader_free(rd);

    int64_t c[2] = { 0, 0 };
    assert_int_equal(aim__db_for_each_tick(db, run.id, 1, count_tick, c), -EBADMSG);
    char want[192];
    snprintf(want, sizeof want, "%s: run bad, group 1: chunk 1 is corrupt", last_store);
    if (!strstr(aim__db_errmsg(db), want))
        fail_msg("'%s' does not say '%s'", aim__db_errmsg(db), want);
    aim__run_summary_clear(&run);
    aim__db_close(db);
}

static void empty_run_reads_nothing(void **state) {
    aim_db *db = open_db("empty.db");
    aim_run_summary run;
    make_run(db, &run, "empty");
    aim_series_reader *rd = NULL;
    assert_int_equal(aim__series_reader_open_run(db, &run, NULL, 0, &rd), 0);
    aim_series_tick t;
    assert_int_equal(aim__series_reader_next(rd, &t), 0);
    assert_int_equal(aim__series_reader_next(rd, &t), 0);
    assert_int_equal(aim__series_reader_more(rd, 0), 0);
    aim__series_reader_free(rd);
    /* no groups at all */
    assert_int_equal(aim__series_reader_open(db, run.id, NULL, 0, &rd), 0);
    assert_int_equal(aim__series_reader_next(rd, &t), 0);
    aim__series_reader_free(rd);
    int64_t c[2] = { 0, 0 };
    assert_int_equal(aim__db_for_each_tick(db, run.id, 0, count_tick, c), 0);
    assert_int_equal(c[1], 0);
    aim__run_summary_clear(&run);
    aim__db_close(db);
}

/* The back-end comes from the URL: "sqlite:" or a plain path is SQLite, an unknown scheme is
 * refused with a message naming it. */
static void store_url_picks_the_back_end(void **state) {
    STORE_RIG_FILES_ONLY("SQLite's file URLs and paths");
    char url[160], err[512];
    aim_db *db = NULL;
    snprintf(url, sizeof url, "sqlite:%s/url.db", tmpdir);
    assert_int_equal(aim__db_open(url, 0, &db, err, sizeof err), 0);
    aim__db_close(db);
    snprintf(url, sizeof url, "sqlite://%s/url.db", tmpdir);
    assert_int_equal(aim__db_open(url, 1, &db, err, sizeof err), 0);
    aim__db_close(db);
    snprintf(url, sizeof url, "%s/url.db", tmpdir);
    assert_int_equal(aim__db_open(url, 1, &db, err, sizeof err), 0);
    aim__db_close(db);

    db = NULL;
    /* postgres:// names PostgreSQL since issue 16; a scheme of no back-end is refused */
    assert_int_equal(aim__db_open("mysql://fleet/aimeter", 1, &db, err, sizeof err),
                     -EPROTONOSUPPORT);
    assert_null(db);
    assert_non_null(strstr(err, "unknown store type \"mysql\""));
    assert_int_equal(aim__db_open("sqlite:", 1, &db, err, sizeof err), -EINVAL);

    /* a file name with a colon is still a path */
    snprintf(url, sizeof url, "%s/runs:old.db", tmpdir);
    assert_int_equal(aim__db_open(url, 0, &db, err, sizeof err), 0);
    aim__db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merges_groups_in_time_order),
        cmocka_unit_test(for_each_tick_reads_one_group),
        cmocka_unit_test(corrupt_chunk_is_ebadmsg),
        cmocka_unit_test(empty_run_reads_nothing),
        cmocka_unit_test(store_url_picks_the_back_end),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
