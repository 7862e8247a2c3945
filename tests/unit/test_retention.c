/* Retention of a long run's samples (store/db.h, store/sql/retention.c, docs/retention.md)
 * on synthetic stores: pruning deletes exactly the rows before the time and keeps the run's
 * aggregates; downsampling leaves bucket means (gauges) and last readings (counters), the
 * same in one pass or in many small ones, and nothing more to do afterwards; a reader that
 * was reading meanwhile sees the store as it was; aim_config_set_retention's bounds. */
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
#include "store/sql/sql_store.h"
#include "store/store.h"
#include "store_rig.h"
#include "tmptree.h"

static char *tmpdir; /* the stores of every test, removed at the end (tmptree.h) */

static int setup(void **state) {
    (void)state;
    tmpdir = strdup("/tmp/aim_retention_XXXXXX");
    return tmpdir && mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    tmptree_remove(tmpdir);
    return 0;
}

/* The store called name: made by its first open (a file on SQLite, a fresh database on
 * PostgreSQL: store_rig.h), the same one when opened again. */
static aim_db *open_db(const char *name, int readonly) {
    static struct { char name[32]; char path[512]; } made[16];
    static int n_made;
    const char *path = NULL;
    for (int i = 0; i < n_made && !path; i++)
        if (strcmp(made[i].name, name) == 0)
            path = made[i].path;
    if (!path) {
        assert_true(n_made < 16);
        snprintf(made[n_made].name, sizeof made[n_made].name, "%s", name);
        store_rig_location(made[n_made].path, sizeof made[n_made].path, tmpdir, name);
        path = made[n_made++].path;
    }
    return store_rig_open(path, readonly);
}

/* Group 0: two gauges (power in W at 1 mW, cpu.util at 0.1 %); group 1: an energy counter
 * (J at 1 µJ). */
#define N0 2
static const aim_chunk_column g0_cols[N0] = { { 1e-3, 0 }, { 0.1, 0 } };
static const aim_chunk_column g1_cols[1] = { { 1e-6, 1 } };
#define TICKS 100              /* 10 s at 100 ms, 10 chunks of 10 ticks per group */
#define PER_CHUNK 10
#define DT 100000000LL

static int64_t tick_t(int i) { return (int64_t)i * DT; }
static double gauge0(int i) { return 100.0 + (i % 13) * 1.5; }
static double gauge1(int i) { return (i * 37 % 100) * 0.1; }
static int gauge1_ok(int i) { return i % 7 != 3; }
static double counter(int i) { return 0.3 * i + 0.000001 * (i * i % 11); }

static void make_run(aim_db *db, const char *id) {
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "%s", id);
    run.start_wall_ns = 1700000000000000000LL;
    run.status = AIM_RUN_RUNNING;
    run.interval_ns = DT;
    run.total_energy_j = 29.7;
    run.carbon_g = run.intensity_g_per_kwh = NAN;
    run.n_devices = 1;
    aim_device_summary dev;
    memset(&dev, 0, sizeof dev);
    snprintf(dev.name, sizeof dev.name, "gpu0");
    dev.kind = AIM_DEV_GPU;
    dev.has_energy = dev.in_total = 1;
    dev.energy_j = 29.7;
    run.devices = &dev;
    static const char *keys[] = { "power", "cpu.util", "energy" };
    aim_series_summary ss[3];
    memset(ss, 0, sizeof ss);
    for (int i = 0; i < 3; i++) {
        ss[i].slot = i;
        snprintf(ss[i].metric_key, sizeof ss[i].metric_key, "%s", keys[i]);
        ss[i].instance = -1;
        ss[i].group = i < N0 ? 0 : 1;
        ss[i].resolution = i < N0 ? g0_cols[i].resolution : g1_cols[0].resolution;
        ss[i].counter = i == N0;
        ss[i].count = TICKS;
        ss[i].mean = 10 + i;
        ss[i].min = 1 + i;
        ss[i].max = 100 + i;
        ss[i].mode = ss[i].stddev = NAN;
    }
    run.n_series = 3;
    run.series = ss;
    assert_int_equal(aim__db_begin(db), 0);
    assert_int_equal(aim__db_run_insert(db, &run, getpid()), 0);
    assert_int_equal(aim__db_device_insert(db, run.id, 0, &dev), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(aim__db_series_insert(db, run.id, &ss[i]), 0);
    assert_int_equal(aim__db_run_update(db, &run), 0);
    for (int c = 0; c < TICKS / PER_CHUNK; c++) {
        int64_t t[PER_CHUNK];
        double v0[PER_CHUNK * N0], v1[PER_CHUNK];
        uint8_t ok0[PER_CHUNK * N0];
        for (int k = 0; k < PER_CHUNK; k++) {
            int i = c * PER_CHUNK + k;
            t[k] = tick_t(i);
            v0[k * N0] = gauge0(i);
            v0[k * N0 + 1] = gauge1(i);
            ok0[k * N0] = 1;
            ok0[k * N0 + 1] = (uint8_t)gauge1_ok(i);
            v1[k] = counter(i);
        }
        store_rig_chunk(db, run.id, 0, c, N0, g0_cols, PER_CHUNK, t, v0, ok0);
        store_rig_chunk(db, run.id, 1, c, 1, g1_cols, PER_CHUNK, t, v1, NULL);
    }
    assert_int_equal(aim__db_commit(db), 0);
}

/* A new store holding make_run's run r1. */
static aim_db *store_with_run(const char *name) {
    aim_db *db = open_db(name, 0);
    make_run(db, "r1");
    return db;
}

static void exec(aim_db *db, const char *sql) {
    if (aim__sql_exec(aim__db_sql(db), sql) < 0)
        fail_msg("%s: %s", sql, aim__sql_errmsg(aim__db_sql(db)));
}

static int64_t count(aim_db *db, const char *sql) {
    aim_sql_stmt *st;
    assert_int_equal(aim__sql_prepare(aim__db_sql(db), sql, &st), 0);
    assert_int_equal(aim__sql_step(st), 1);
    int64_t n = aim__sql_column_int64(st, 0);
    aim__sql_finalize(st);
    return n;
}

/* Every tick of a group, as the readers see them. */
typedef struct ticks {
    int n;
    int64_t t[TICKS];
    double v[TICKS][N0];
    uint8_t ok[TICKS][N0];
    int width;
} ticks;

static int collect(int64_t t, const double *values, const uint8_t *valid, void *userdata) {
    ticks *x = userdata;
    assert_true(x->n < TICKS);
    x->t[x->n] = t;
    for (int i = 0; i < x->width; i++) {
        x->v[x->n][i] = values[i];
        x->ok[x->n][i] = valid[i];
    }
    x->n++;
    return 0;
}

static void read_group(aim_db *db, int group, ticks *x) {
    memset(x, 0, sizeof *x);
    x->width = group == 0 ? N0 : 1;
    assert_int_equal(aim__db_for_each_tick(db, "r1", group, collect, x), 0);
}

/* What downsampling to step before cutoff must leave: one tick per bucket at its last ns,
 * then the raw ticks from cutoff on. */
static void expected(int group, int64_t step, int64_t cutoff, ticks *x) {
    memset(x, 0, sizeof *x);
    x->width = group == 0 ? N0 : 1;
    int i = 0;
    while (i < TICKS && tick_t(i) < cutoff) {
        int64_t k = tick_t(i) / step;
        double sum[N0] = { 0 }, last = 0;
        int cnt[N0] = { 0 };
        for (; i < TICKS && tick_t(i) < cutoff && tick_t(i) / step == k; i++) {
            sum[0] += gauge0(i);
            cnt[0]++;
            if (gauge1_ok(i)) {
                sum[1] += gauge1(i);
                cnt[1]++;
            }
            last = counter(i);
        }
        x->t[x->n] = (k + 1) * step - 1;
        for (int c = 0; c < x->width; c++) {
            x->ok[x->n][c] = group == 1 || cnt[c] > 0;
            x->v[x->n][c] = group == 1 ? last : cnt[c] ? sum[c] / cnt[c] : 0;
        }
        x->n++;
    }
    for (; i < TICKS; i++, x->n++) {
        x->t[x->n] = tick_t(i);
        x->ok[x->n][0] = 1;
        x->v[x->n][0] = group == 0 ? gauge0(i) : counter(i);
        if (group == 0) {
            x->v[x->n][1] = gauge1(i);
            x->ok[x->n][1] = (uint8_t)gauge1_ok(i);
        }
    }
}

static void assert_ticks(const ticks *got, const ticks *want, int group) {
    assert_int_equal(got->n, want->n);
    const aim_chunk_column *cols = group == 0 ? g0_cols : g1_cols;
    for (int k = 0; k < want->n; k++) {
        assert_true(got->t[k] == want->t[k]);
        for (int c = 0; c < want->width; c++) {
            assert_int_equal(got->ok[k][c], want->ok[k][c]);
            if (want->ok[k][c] && fabs(got->v[k][c] - want->v[k][c]) > cols[c].resolution * 0.5001)
                fail_msg("group %d tick %d column %d: %.9g, want %.9g", group, k, c,
                         got->v[k][c], want->v[k][c]);
        }
    }
}

/* The run's own figures (the writer's streaming aggregates) are as make_run stored them. */
static void assert_figures_kept(aim_db *db) {
    aim_run_summary run;
    assert_int_equal(aim__db_load_summary(db, "r1", &run), 0);
    assert_true(run.total_energy_j == 29.7 && run.devices[0].energy_j == 29.7);
    assert_true(run.series[2].count == TICKS && run.series[0].mean == 10);
    assert_true(run.series[0].min == 1 && run.series[0].max == 100);
    aim__run_summary_clear(&run);
}

/* The group reads as expected() says after downsampling to step before cutoff. */
static void assert_downsampled(aim_db *db, int group, int64_t step, int64_t cutoff) {
    ticks got, want;
    read_group(db, group, &got);
    expected(group, step, cutoff, &want);
    assert_ticks(&got, &want, group);
}

static void prune_deletes_exactly_what_is_older(void **state) {
    (void)state;
    aim_db *db = store_with_run("prune.db");
    exec(db, "INSERT INTO marks (run_id, seq, t_ns, text) VALUES ('r1', 0, 1000000000, 'a'), "
             "('r1', 1, 5000000000, 'b'); "
             "INSERT INTO phases (run_id, seq, phase, depth, start_ns, end_ns) VALUES "
             "('r1', 0, 'load', 0, 0, 2000000000), ('r1', 1, 'train', 0, 2000000000, NULL), "
             "('r1', 2, 'eval', 1, 3000000000, 6000000000); "
             "INSERT INTO records (run_id, key, t_ns, value) VALUES ('r1', 'tok', 100, 1), "
             "('r1', 'tok', 4500000000, 2), ('r1', 'tok', 5500000000, 3); "
             "INSERT INTO phase_totals (run_id, name, instances, first_ns, last_end_ns, "
             "total_ns, unterminated) VALUES ('r1', 'load', 1, 0, 2000000000, 2000000000, 0)");
    /* Chunk c of a group holds [c s, c s + 0.9 s]: before 4.95 s, chunks 0..4 of each. */
    assert_int_equal(aim__db_prune_before(db, "r1", 4950000000LL, 512), 10 + 1 + 1 + 2);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM chunks WHERE run_id = 'r1'"), 10);
    assert_int_equal(count(db, "SELECT MIN(seq) FROM chunks WHERE grp = 0"), 5);
    assert_int_equal(count(db, "SELECT MIN(t_last_ns) FROM chunks"), 5900000000LL);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM marks"), 1);
    /* The open phase stays whenever it began, the closed ones go by their end. */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM phases"), 2);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM phases WHERE end_ns IS NULL"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM records"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM phase_totals"), 1);
    /* Idempotent; a bound of 3 rows per table takes three passes for the next 8 chunks. */
    assert_int_equal(aim__db_prune_before(db, "r1", 4950000000LL, 512), 0);
    assert_int_equal(aim__db_prune_before(db, "r1", 8950000000LL, 3), 3 + 1 + 1 + 1);
    assert_int_equal(aim__db_prune_before(db, "r1", 8950000000LL, 3), 3);
    assert_int_equal(aim__db_prune_before(db, "r1", 8950000000LL, 3), 2);
    assert_int_equal(aim__db_prune_before(db, "r1", 8950000000LL, 3), 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM chunks"), 2);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM phases"), 1);
    /* The run's own figures are untouched, and what is left reads. */
    assert_figures_kept(db);
    ticks x;
    read_group(db, 1, &x);
    assert_int_equal(x.n, 10);
    assert_true(x.t[0] == tick_t(90));
    assert_int_equal(aim__db_prune_before(db, "r1", 1, 0), -EINVAL);
    aim__db_close(db);
}

static void downsample_in_one_pass(void **state) {
    (void)state;
    aim_db *db = store_with_run("one.db");
    /* Buckets of 2 s before 7.5 s (6 s once aligned): chunks 0..5 become one. */
    for (int g = 0; g < 2; g++) {
        assert_int_equal(aim__db_downsample(db, "r1", g, 7500000000LL, 2000000000LL, 64), 6);
        assert_downsampled(db, g, 2000000000LL, 6000000000LL);
        /* Nothing left to do: the same call again changes nothing. */
        assert_int_equal(aim__db_downsample(db, "r1", g, 7500000000LL, 2000000000LL, 64), 0);
        assert_downsampled(db, g, 2000000000LL, 6000000000LL);
    }
    ticks c;
    read_group(db, 0, &c);
    assert_int_equal(c.n, 3 + 40);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM chunks WHERE grp = 0"), 1 + 4);
    assert_int_equal(count(db, "SELECT seq FROM chunks WHERE grp = 1 ORDER BY seq LIMIT 1"), 0);
    /* A counter's last reading: the energy between two bucket ends is exact. */
    read_group(db, 1, &c);
    assert_true(fabs(c.v[1][0] - c.v[0][0] - (counter(39) - counter(19))) < 2e-6);
    assert_figures_kept(db);
    aim__db_close(db);
}

/* Buckets of 300 ms do not line up with the 1 s chunks: passes of two chunks each end in the
 * middle of one, whose rest is kept raw for the next pass. The result is the one pass's. */
static void downsample_in_small_passes(void **state) {
    (void)state;
    aim_db *db = store_with_run("many.db");
    for (int g = 0; g < 2; g++) {
        int passes = 0, r;
        while ((r = aim__db_downsample(db, "r1", g, 6100000000LL, 300000000LL, 2)) > 0)
            assert_true(++passes < 20);
        assert_int_equal(r, 0);
        assert_true(passes >= 3);
        assert_downsampled(db, g, 300000000LL, 6000000000LL);
    }
    /* Then a later cutoff goes on from there, as the agent's passes do. */
    while (aim__db_downsample(db, "r1", 0, 9000000000LL, 300000000LL, 2) > 0)
        ;
    assert_downsampled(db, 0, 300000000LL, 9000000000LL);
    assert_int_equal(aim__db_downsample(db, "r1", 0, 1, 300000000LL, 2), 0);
    assert_int_equal(aim__db_downsample(db, "r1", 0, 9000000000LL, 0, 2), -EINVAL);
    aim__db_close(db);
}

/* A reader in the middle of the samples (another handle, as `aimeter report` on the agent's
 * store) keeps its snapshot: it reads every original tick without an error. */
static void reader_during_a_pass(void **state) {
    (void)state;
    aim_db *db = store_with_run("read.db");
    aim_db *ro = open_db("read.db", 1);
    aim_chunk_column cols[N0];
    memcpy(cols, g0_cols, sizeof cols);
    aim_series_group g = { .group = 0, .n = N0, .cols = cols };
    aim_series_reader *rd;
    assert_int_equal(aim__series_reader_open(ro, "r1", &g, 1, &rd), 0);
    aim_series_tick t;
    int n = 0;
    for (; n < 15; n++)
        assert_int_equal(aim__series_reader_next(rd, &t), 1);
    assert_int_equal(aim__db_downsample(db, "r1", 0, 9000000000LL, 1000000000LL, 64), 9);
    assert_int_equal(aim__db_prune_before(db, "r1", 9000000000LL, 512) > 0, 1);
    int r;
    while ((r = aim__series_reader_next(rd, &t)) == 1) {
        assert_true(t.t_rel_ns == tick_t(n));
        n++;
    }
    assert_int_equal(r, 0);
    assert_int_equal(n, TICKS);
    aim__series_reader_free(rd);
    aim__db_close(ro);
    aim__db_close(db);
}

static void config_bounds(void **state) {
    (void)state;
    aim_config *c;
    assert_int_equal(aim_config_new(&c), 0);
    const int64_t s = 1000000000LL;
    assert_int_equal(aim_config_set_retention(c, 7 * 86400 * s, 3600 * s, 0), 0);
    assert_int_equal(aim_config_set_retention(c, 0, 0, 0), 0);
    assert_int_equal(aim_config_set_retention(c, 3 * s, 0, 0), 0);
    assert_int_equal(aim_config_set_retention(c, 0, 2 * s, s), 0);
    assert_int_equal(aim_config_set_retention(c, s / 2, 0, 0), -EINVAL);
    assert_int_equal(aim_config_set_retention(c, -1, 0, 0), -EINVAL);
    assert_int_equal(aim_config_set_retention(c, 10 * s, 10 * s, 0), -EINVAL);
    assert_non_null(strstr(aim_config_errmsg(c), "shorter than the retention"));
    assert_int_equal(aim_config_set_retention(c, 10 * s, 5 * s, 2 * 3600 * s), -EINVAL);
    assert_int_equal(aim_config_set_retention(c, 10 * s, 5 * s, -5), -EINVAL);
    aim_config_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prune_deletes_exactly_what_is_older),
        cmocka_unit_test(downsample_in_one_pass),
        cmocka_unit_test(downsample_in_small_passes),
        cmocka_unit_test(reader_during_a_pass),
        cmocka_unit_test(config_bounds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
