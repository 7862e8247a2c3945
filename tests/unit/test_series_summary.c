/* Chunk summaries (store/codec.h, chunks.summary) and the /series route's use of them
 * (api/serve_api_series.c): a summary is what decoding its chunk gives; the route answers
 * byte for byte the same with summaries as without (random runs with gaps, NaNs, raw
 * columns, ties, chunks and buckets of many sizes); it does use them (a chunk whose data is
 * destroyed still answers by its summary); a retention's downsampled chunks have them
 * too; and a store of schema 10 (the golden store, no
 * summaries) opens read-only and answers as the merged series reader and decimator do,
 * before and after its migration. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"
#include "api/serve_api.h"
#include "processing/decimate.h"
#include "store/codec.h"
#include "store/db.h"
#include "store/store.h"
#include "util/fileio.h"
#include "serve_rig.h"
#include "store_rig.h"

#define RUN_ID "20261207-120000-aaaaaa"

static char dir[64];

static int setup(void **state) {
    snprintf(dir, sizeof dir, "/tmp/aim_summary_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* xorshift: the same random runs on every machine */
static uint64_t rng_state;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static int rnd_below(int n) { return (int)(rnd() % (uint64_t)n); }

/* ------------------------------------------------------------------ codec */

typedef struct expect {
    aim_chunk_col_summary *cs;
    int n;
} expect;

/* The summary worked out from the decoded ticks, with the decimator's tie rules. */
static int expect_tick(int64_t t, const double *values, const uint8_t *valid, void *ud) {
    expect *x = ud;
    for (int i = 0; i < x->n; i++) {
        aim_chunk_col_summary *c = &x->cs[i];
        if (!valid[i]) {
            c->dirty = 1;
            continue;
        }
        double v = values[i];
        if (!isfinite(v))
            c->dirty = 1;
        if (c->count < 2) {
            c->t[c->count] = t;
            c->v[c->count] = v;
        }
        if (c->count == 0 || v < c->v_min) {
            c->v_min = v;
            c->t_min = t;
        }
        if (c->count == 0 || v > c->v_max) {
            c->v_max = v;
            c->t_max = t;
        }
        c->count++;
    }
    return 0;
}

static void same_bits(double a, double b) {
    assert_memory_equal(&a, &b, sizeof a);
}

/* Random chunks of four columns (a gauge with ties, a counter, one that turns raw with a huge
 * value, one with NaN and infinities): the decoded summary equals the decoded samples'. */
static void summary_is_the_decoded_samples(void **state) {
    static const aim_chunk_column cols[4] = { { 0.5, 0 }, { 1e-3, 1 }, { 0.01, 0 }, { 0.1, 0 } };
    rng_state = 0x9e3779b97f4a7c15ull;
    for (int round = 0; round < 300; round++) {
        int ticks = 1 + rnd_below(round % 3 == 0 ? 4 : 700);
        aim_chunk_encoder *e;
        assert_int_equal(aim__chunk_encoder_new(4, cols, ticks, &e), 0);
        int64_t t = (int64_t)rnd_below(1000000) - 500000;
        double counter = 0;
        for (int k = 0; k < ticks; k++) {
            t += 1 + rnd_below(3000000);
            counter += rnd_below(1000) * 1e-3;
            double v[4] = { rnd_below(6) * 0.5 + (rnd_below(4) == 0 ? 0.24 : 0), counter,
                            rnd_below(100) * 0.013, rnd_below(50) * 0.1 };
            if (round % 5 == 1 && rnd_below(50) == 0)
                v[2] = 1e300;
            if (round % 4 == 2 && rnd_below(40) == 0)
                v[3] = rnd_below(3) == 0 ? NAN : rnd_below(2) ? INFINITY : -INFINITY;
            uint8_t ok[4] = { 1, 1, 1, 1 };
            if (round % 3 == 1 && rnd_below(30) == 0)
                ok[rnd_below(4)] = 0;
            assert_int_equal(aim__chunk_encoder_add(e, t, v, ok), 0);
        }
        const uint8_t *blob, *sum;
        size_t len, sum_len;
        assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
        aim__chunk_encoder_summary(e, &sum, &sum_len);
        aim_chunk_col_summary want[4] = { { 0 } }, got[4];
        expect x = { want, 4 };
        assert_int_equal(aim__chunk_decode(blob, len, 4, cols, expect_tick, &x), 0);
        aim_chunk_summary h;
        assert_int_equal(aim__chunk_summary_decode(sum, sum_len, 4, cols, &h, got), 0);
        assert_int_equal(h.n_ticks, ticks);
        assert_int_equal(h.t_last, t);
        for (int i = 0; i < 4; i++) {
            assert_int_equal(got[i].count, want[i].count);
            assert_int_equal(got[i].dirty, want[i].dirty);
            if (want[i].dirty)
                continue;
            assert_int_equal(got[i].t[0], want[i].t[0]);
            same_bits(got[i].v[0], want[i].v[0]);
            if (want[i].count > 1) {
                assert_int_equal(got[i].t[1], want[i].t[1]);
                same_bits(got[i].v[1], want[i].v[1]);
            }
            assert_int_equal(got[i].t_min, want[i].t_min);
            same_bits(got[i].v_min, want[i].v_min);
            assert_int_equal(got[i].t_max, want[i].t_max);
            same_bits(got[i].v_max, want[i].v_max);
        }
        /* damaged: every truncation, another column count, a trailing byte */
        for (size_t cut = 0; cut < sum_len; cut++)
            assert_int_equal(aim__chunk_summary_decode(sum, cut, 4, cols, &h, got), -EBADMSG);
        assert_int_equal(aim__chunk_summary_decode(sum, sum_len, 3, cols, &h, got), -EBADMSG);
        uint8_t longer[2048];
        assert_true(sum_len < sizeof longer);
        memcpy(longer, sum, sum_len);
        longer[sum_len] = 0;
        assert_int_equal(aim__chunk_summary_decode(longer, sum_len + 1, 4, cols, &h, got), -EBADMSG);
        aim__chunk_encoder_free(e);
    }
}

/* ------------------------------------------------------------------ synthetic runs */

enum { N_SERIES = 4 };
/* group 0: util (gauge, 0.5: many ties), energy (a counter); group 1: power (raw at times),
 * temperature */
static const aim_chunk_column run_cols[N_SERIES] = { { 0.5, 0 }, { 1e-6, 1 }, { 0.01, 0 },
                                                     { 0.1, 0 } };
static const char *const run_keys[N_SERIES] = { "gpu.util", "energy", "power", "temperature" };

static aim_db *open_rw(const char *path) {
    char err[512];
    aim_db *db = NULL;
    int r = aim__db_open(path, 0, &db, err, sizeof err);
    if (r < 0)
        fail_msg("aim__db_open(%s): %d %s", path, r, err);
    return db;
}

static void put_chunk(aim_db *db, int group, int64_t seq, int n, const aim_chunk_column *cols,
                      int ticks, const int64_t *t, const double *v, const uint8_t *ok) {
    aim_chunk_encoder *e;
    assert_int_equal(aim__chunk_encoder_new(n, cols, ticks, &e), 0);
    for (int i = 0; i < ticks; i++)
        assert_int_equal(aim__chunk_encoder_add(e, t[i], v + i * n, ok + i * n), 0);
    const uint8_t *blob, *sum;
    size_t len, sum_len;
    assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
    aim__chunk_encoder_summary(e, &sum, &sum_len);
    assert_int_equal(aim__db_chunk_insert_summary(db, RUN_ID, group, seq, t[0], t[ticks - 1],
                                                  ticks, blob, len, sum, sum_len), 0);
    aim__chunk_encoder_free(e);
}

/* A run of two groups over about `seconds` s at 1 ms, in chunks of 1 to 400 ticks, with
 * pauses; dirty: invalid values, NaN, infinities and a raw column now and then. */
static void make_run(const char *path, int seconds, int dirty, uint64_t seed) {
    aim_db *db = open_rw(path);
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.id, sizeof run.id, "%s", RUN_ID);
    run.start_wall_ns = 1700000000000000000LL;
    run.status = AIM_RUN_COMPLETED;
    run.interval_ns = 1000000;
    run.total_energy_j = run.carbon_g = run.intensity_g_per_kwh = NAN;
    run.n_devices = 1;
    run.devices = calloc(1, sizeof *run.devices);
    snprintf(run.devices[0].name, sizeof run.devices[0].name, "gpu0");
    run.devices[0].energy_j = NAN;
    run.n_series = N_SERIES;
    run.series = calloc(N_SERIES, sizeof *run.series);
    for (int i = 0; i < N_SERIES; i++) {
        aim_series_summary *s = &run.series[i];
        s->slot = i;
        snprintf(s->metric_key, sizeof s->metric_key, "%s", run_keys[i]);
        s->instance = -1;
        s->group = i < 2 ? 0 : 1;
        s->resolution = run_cols[i].resolution;
        s->counter = run_cols[i].counter;
        s->mean = s->min = s->max = s->mode = s->stddev = NAN;
    }
    run.duration_ns = (int64_t)seconds * 1000000000LL;
    assert_int_equal(aim__db_begin(db), 0);
    assert_int_equal(aim__db_run_insert(db, &run, getpid()), 0);
    assert_int_equal(aim__db_device_insert(db, run.id, 0, &run.devices[0]), 0);
    for (int i = 0; i < N_SERIES; i++)
        assert_int_equal(aim__db_series_insert(db, run.id, &run.series[i]), 0);
    assert_int_equal(aim__db_commit(db), 0);

    rng_state = seed;
    int64_t *t = calloc(400, sizeof *t);
    double *v = calloc(400 * 2, sizeof *v);
    uint8_t *ok = calloc(400 * 2, 1);
    assert_int_equal(aim__db_begin(db), 0);
    for (int g = 0; g < 2; g++) {
        int64_t now = g, seq = 0;
        double energy = 0;
        while (1) {
            int ticks = 1 + rnd_below(rnd_below(4) == 0 ? 8 : 400), k = 0;
            for (; k < ticks; k++) {
                now += 1000000 + rnd_below(2000);
                if (rnd_below(3000) == 0)
                    now += 1000000LL * rnd_below(2000); /* a pause of up to 2 s */
                if (now > (int64_t)seconds * 1000000000LL - 1000000)
                    break;
                t[k] = now;
                energy += rnd_below(400) * 1e-6;
                double a = rnd_below(5) * 0.5, b = g ? rnd_below(3000) * 0.01 : energy;
                if (rnd_below(5) == 0)
                    a = rnd_below(2) * 0.5; /* ties at the extremes */
                if (g == 1)
                    a = 40 + rnd_below(30) * 0.1;
                ok[2 * k] = ok[2 * k + 1] = 1;
                if (dirty && rnd_below(200) == 0)
                    ok[2 * k + rnd_below(2)] = 0;
                if (dirty && g == 1 && rnd_below(500) == 0)
                    b = rnd_below(2) ? NAN : 1e300; /* the column turns raw */
                if (dirty && rnd_below(700) == 0)
                    a = rnd_below(2) ? INFINITY : NAN;
                v[2 * k] = g ? b : a;
                v[2 * k + 1] = g ? a : b;
            }
            if (k > 0)
                put_chunk(db, g, seq++, 2, run_cols + 2 * g, k, t, v, ok);
            if (k < ticks)
                break;
        }
    }
    assert_int_equal(aim__db_commit(db), 0);
    free(t);
    free(v);
    free(ok);
    aim__db_close(db);
    aim__run_summary_clear(&run);
}

/* A copy of the store at from, to, and sql run on the copy. */
static void copy_store(const char *from, const char *to, const char *sql) {
    sqlite3 *h;
    char q[256];
    unlink(to);
    assert_int_equal(sqlite3_open(from, &h), SQLITE_OK);
    snprintf(q, sizeof q, "VACUUM INTO '%s'", to);
    assert_int_equal(sqlite3_exec(h, q, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    if (sql) {
        assert_int_equal(sqlite3_open(to, &h), SQLITE_OK);
        assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(h);
    }
}

static int sql_int(const char *path, const char *sql) {
    sqlite3 *h;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

static aim_store *open_ro(const char *path) {
    aim_store *s;
    assert_int_equal(aim_store_new(&s), 0);
    if (aim_store_open(s, path, 1) < 0)
        fail_msg("%s", aim_store_errmsg(s));
    return s;
}

/* GET /api/runs/ID/series?kv: the body (the caller frees), its status in *status. */
static char *series(aim_store *s, const char *id, const char *const *kv, unsigned *status,
                    size_t *len) {
    char path[96];
    snprintf(path, sizeof path, "/api/runs/%s/series", id);
    serve_rig_query q;
    aim_http_request req = serve_rig_request(&q, "GET", path, kv);
    aim_http_response resp = { 0 };
    aim_serve_ctx ctx = { .store = s };
    assert_int_equal(aim__serve_api_handle(&ctx, &req, &resp), 0);
    *status = resp.status;
    *len = resp.len;
    return resp.body;
}

/* Every window and bucket count below, for every metric and all: one body each way. */
static void same_answers(aim_store *a, aim_store *b, const char *id, int seconds,
                         const char *const *metrics, int *compared) {
    static const char *const points[] = { "2", "3", "4", "6", "7", "10", "13", "50", "99",
                                          "200", "1000", "2000", "4096", "30000" };
    char from[32], to[32];
    for (size_t p = 0; p < sizeof points / sizeof points[0]; p++)
        for (int w = 0; w < 5; w++) {
            for (const char *const *m = metrics; *m; m++) {
                const char *kv[10] = { "points", points[p] };
                int n = 2;
                if (**m)
                    kv[n++] = "metrics", kv[n++] = *m;
                if (w == 1 || w == 3) { /* a window, a narrow one */
                    double f = rnd_below(seconds * 1000) / 1000.0;
                    snprintf(from, sizeof from, "%.3f", f);
                    snprintf(to, sizeof to, "%.3f", f + (w == 1 ? rnd_below(seconds * 300) / 1000.0
                                                                : rnd_below(40) / 1000.0));
                    kv[n++] = "from", kv[n++] = from, kv[n++] = "to", kv[n++] = to;
                } else if (w == 2) { /* past the end */
                    snprintf(to, sizeof to, "%d", seconds * 2);
                    kv[n++] = "to", kv[n++] = to;
                } else if (w == 4) { /* from only */
                    snprintf(from, sizeof from, "%.2f", rnd_below(seconds * 100) / 100.0);
                    kv[n++] = "from", kv[n++] = from;
                }
                kv[n] = NULL;
                unsigned sa, sb;
                size_t la, lb;
                char *ba = series(a, id, kv, &sa, &la), *bb = series(b, id, kv, &sb, &lb);
                assert_int_equal(sa, sb);
                assert_int_equal(la, lb);
                if (memcmp(ba, bb, la) != 0)
                    fail_msg("points=%s metrics=%s window %d: the bodies differ", points[p], *m, w);
                free(ba);
                free(bb);
                (*compared)++;
            }
        }
}

static const char *const metrics_all[] = { "", "gpu0.gpu.util", "gpu0.energy", "gpu0.power",
                                           "gpu0.temperature", "gpu0.power,gpu0.gpu.util",
                                           NULL };

/* The route with summaries answers as without (the copy whose summaries are NULL decodes
 * every chunk): clean and dirty random runs, several seeds. */
static void summaries_answer_as_decoding(void **state) {
    STORE_RIG_FILES_ONLY("compares a store file with its copy (VACUUM INTO)");
    char with[128], without[128];
    snprintf(with, sizeof with, "%s/with.db", dir);
    snprintf(without, sizeof without, "%s/without.db", dir);
    int compared = 0;
    for (int round = 0; round < 4; round++) {
        unlink(with);
        make_run(with, round < 2 ? 30 : 7, round & 1, 0x51ed2701u + (uint64_t)round * 7919u);
        assert_true(sql_int(with, "SELECT count(*) FROM chunks WHERE summary IS NULL") == 0);
        copy_store(with, without, "UPDATE chunks SET summary = NULL");
        aim_store *a = open_ro(with), *b = open_ro(without);
        same_answers(a, b, RUN_ID, round < 2 ? 30 : 7, metrics_all, &compared);
        aim_store_free(a);
        aim_store_free(b);
    }
    assert_true(compared > 1000);
}

/* A retention's downsampled chunks carry summaries too, and answer as decoding them. */
static void downsampled_chunks_answer_as_decoding(void **state) {
    STORE_RIG_FILES_ONLY("compares a store file with its copy (VACUUM INTO)");
    char with[128], without[128];
    snprintf(with, sizeof with, "%s/ds.db", dir);
    snprintf(without, sizeof without, "%s/ds-none.db", dir);
    unlink(with);
    make_run(with, 12, 1, 4242);
    aim_db *db = open_rw(with);
    for (int g = 0; g < 2; g++) {
        int r;
        while ((r = aim__db_downsample(db, RUN_ID, g, 8000000000LL, 20000000, 16)) > 0)
            ;
        assert_int_equal(r, 0);
    }
    aim__db_close(db);
    assert_int_equal(sql_int(with, "SELECT count(*) FROM chunks WHERE summary IS NULL"), 0);
    assert_true(sql_int(with, "SELECT count(*) FROM chunks WHERE n_ticks > 1 AND "
                              "t_last_ns - t_first_ns >= 20000000 * (n_ticks - 1)") > 0);
    copy_store(with, without, "UPDATE chunks SET summary = NULL");
    aim_store *a = open_ro(with), *b = open_ro(without);
    int compared = 0;
    rng_state = 11;
    same_answers(a, b, RUN_ID, 12, metrics_all, &compared);
    aim_store_free(a);
    aim_store_free(b);
}

/* The summaries are used: with every chunk's data destroyed, one bucket over the whole
 * (clean) run still answers, by the summaries alone, what the intact store answers. */
static void summaries_are_used(void **state) {
    STORE_RIG_FILES_ONLY("compares a store file with its copy (VACUUM INTO)");
    char with[128], broken[128];
    snprintf(with, sizeof with, "%s/clean.db", dir);
    snprintf(broken, sizeof broken, "%s/broken.db", dir);
    unlink(with);
    make_run(with, 20, 0, 42);
    copy_store(with, broken, "UPDATE chunks SET data = x'01ff'");
    aim_store *a = open_ro(with), *b = open_ro(broken);
    const char *kv[] = { "points", "2", NULL };
    unsigned sa, sb;
    size_t la, lb;
    char *ba = series(a, RUN_ID, kv, &sa, &lb), *bb = series(b, RUN_ID, kv, &sb, &la);
    assert_int_equal(sa, 200);
    assert_int_equal(sb, 200);
    assert_int_equal(la, lb);
    assert_memory_equal(ba, bb, la);
    free(ba);
    free(bb);
    /* more buckets: chunks across a bucket's edge are decoded, and found damaged */
    const char *many[] = { "points", "2000", NULL };
    bb = series(b, RUN_ID, many, &sb, &lb);
    assert_int_equal(sb, 500);
    assert_non_null(strstr(bb, "is corrupt"));
    free(bb);
    aim_store_free(a);
    aim_store_free(b);
}

/* ------------------------------------------------------------------ a schema-10 store */

/* What /series answered before summaries: the merged series reader's ticks pushed one by
 * one, then the route's bound (the route's former pass, kept here as the reference). */
static void reference(aim_store *store, const char *id, const char *metric, long points,
                      aim_decimator *dec) {
    aim_db *db = aim__store_db(store);
    aim_run_summary run;
    assert_int_equal(aim__db_load_summary(db, id, &run), 0);
    int slot = -1, pos = 0;
    for (int i = 0; i < run.n_series && slot < 0; i++) {
        char key[160];
        const char *dev = run.devices[run.series[i].device].name;
        if (run.series[i].instance >= 0)
            snprintf(key, sizeof key, "%s.%s[%d]", dev, run.series[i].metric_key,
                     run.series[i].instance);
        else
            snprintf(key, sizeof key, "%s.%s", dev, run.series[i].metric_key);
        if (strcmp(key, metric) == 0)
            slot = i;
    }
    assert_true(slot >= 0);
    for (int k = 0; k < slot; k++)
        pos += run.series[k].group == run.series[slot].group;
    double to = (double)run.duration_ns / 1e9;
    aim__decimator_init(dec, 0, to, (size_t)points / 2);
    aim_series_reader *rd;
    int group = run.series[slot].group;
    assert_int_equal(aim__series_reader_open_run(db, &run, &group, 1, &rd), 0);
    aim_series_tick t;
    int r;
    while ((r = aim__series_reader_next(rd, &t)) > 0)
        assert_int_equal(aim__decimator_push(dec, (double)t.t_rel_ns / 1e9, t.values[pos],
                                             t.valid[pos]), 0);
    assert_int_equal(r, 0);
    aim__series_reader_free(rd);
    assert_int_equal(aim__serve_api_bound(dec, 0, to, points), 0);
    aim__run_summary_clear(&run);
}

/* x as the API prints it (util/json.h: 15 significant digits) and reads back. */
static double printed(double x) {
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", x);
    return strtod(buf, NULL);
}

static void check_against_reference(aim_store *store, const char *id, const char *metric,
                                    long points) {
    char pts[16];
    snprintf(pts, sizeof pts, "%ld", points);
    const char *kv[] = { "points", pts, "metrics", metric, NULL };
    unsigned st;
    size_t len;
    char *body = series(store, id, kv, &st, &len);
    assert_int_equal(st, 200);
    json_error_t e;
    json_t *j = json_loadb(body, len, 0, &e);
    free(body);
    assert_non_null(j);
    json_t *s = json_array_get(json_object_get(j, "series"), 0);
    json_t *tv = json_object_get(s, "t"), *vv = json_object_get(s, "v");
    aim_decimator dec;
    reference(store, id, metric, points, &dec);
    assert_int_equal(json_array_size(tv), dec.n);
    assert_true(dec.n > 0);
    assert_int_equal(json_integer_value(json_object_get(s, "samples")), dec.samples);
    for (size_t i = 0; i < dec.n; i++) {
        assert_true(json_number_value(json_array_get(tv, i)) == printed(dec.t[i]));
        json_t *v = json_array_get(vv, i);
        if (isnan(dec.v[i]))
            assert_true(json_is_null(v));
        else
            assert_true(json_number_value(v) == printed(dec.v[i]));
    }
    aim__decimator_free(&dec);
    json_decref(j);
}

#define GOLDEN_TRAIN "20261207-083158-a90897"

/* The golden store is of schema 10: it opens read-only as it is, answers /series as the
 * series reader and decimator do, and, migrated (schema 11, every summary NULL), the same
 * bytes. */
static void schema_10_store_still_serves(void **state) {
    STORE_RIG_FILES_ONLY("the golden store is an SQLite file of schema 10");
    char old[128], migrated[128], *sql = NULL;
    size_t len;
    snprintf(old, sizeof old, "%s/golden.db", dir);
    snprintf(migrated, sizeof migrated, "%s/golden11.db", dir);
    assert_int_equal(aim__read_file_alloc(AIM_FIXTURES_DIR "/store/golden.sql", 64u << 20, &sql,
                                          &len), 0);
    sqlite3 *h;
    unlink(old);
    assert_int_equal(sqlite3_open(old, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    free(sql);
    assert_int_equal(sql_int(old, "PRAGMA user_version"), 10);
    copy_store(old, migrated, NULL);
    aim_db *db = open_rw(migrated);
    aim__db_close(db);
    assert_int_equal(sql_int(migrated, "PRAGMA user_version"), AIM_DB_SCHEMA_VERSION);
    assert_int_equal(sql_int(migrated, "SELECT count(*) FROM chunks WHERE summary IS NOT NULL"),
                     0);
    assert_true(sql_int(migrated, "SELECT count(*) FROM chunks") > 0);

    aim_store *a = open_ro(old), *b = open_ro(migrated);
    static const char *const metrics[] = { "gpu0.power", "gpu1.gpu.util", "host.cpu.util",
                                           "gpu0.energy" };
    static const long points[] = { 2, 6, 40, 2000 };
    for (size_t m = 0; m < sizeof metrics / sizeof metrics[0]; m++)
        for (size_t p = 0; p < sizeof points / sizeof points[0]; p++)
            check_against_reference(a, GOLDEN_TRAIN, metrics[m], points[p]);
    const char *const every[] = { "", "gpu0.power", NULL };
    int compared = 0;
    rng_state = 7;
    same_answers(a, b, GOLDEN_TRAIN, 5, every, &compared);
    aim_store_free(a);
    aim_store_free(b);
}

/* The writer's chunks carry summaries; a chunk stored without one reads as none. */
static void the_store_keeps_summaries(void **state) {
    char path[128];
    store_rig_location(path, sizeof path, dir, "keep.db");
    unlink(path);
    make_run(path, 2, 1, 99);
    aim_db *db = open_rw(path);
    aim_db_chunk_iter *it;
    assert_int_equal(aim__db_chunk_iter_new(db, RUN_ID, 0, &it), 0);
    const uint8_t *blob, *sum;
    size_t blen, slen;
    int chunks = 0;
    while (aim__db_chunk_iter_next(it, &blob, &blen, NULL) > 0) {
        assert_int_equal(aim__db_chunk_iter_summary(it, &sum, &slen), 1);
        aim_chunk_summary h;
        aim_chunk_col_summary cs[2];
        assert_int_equal(aim__chunk_summary_decode(sum, slen, 2, run_cols, &h, cs), 0);
        assert_true(h.n_ticks >= 1 && h.t_last >= h.t_first);
        chunks++;
    }
    aim__db_chunk_iter_free(it);
    assert_true(chunks > 1);
    static const aim_chunk_column one[1] = { { 1, 0 } };
    aim_chunk_encoder *e;
    assert_int_equal(aim__chunk_encoder_new(1, one, 1, &e), 0);
    double v = 1;
    assert_int_equal(aim__chunk_encoder_add(e, 5, &v, NULL), 0);
    assert_int_equal(aim__chunk_encoder_finish(e, &blob, &blen), 0);
    assert_int_equal(aim__db_chunk_insert(db, RUN_ID, 7, 0, 5, 5, 1, blob, blen), 0);
    aim__chunk_encoder_free(e);
    assert_int_equal(aim__db_chunk_iter_new(db, RUN_ID, 7, &it), 0);
    assert_int_equal(aim__db_chunk_iter_next(it, &blob, &blen, NULL), 1);
    assert_int_equal(aim__db_chunk_iter_summary(it, &sum, &slen), 0);
    aim__db_chunk_iter_free(it);
    aim__db_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(summary_is_the_decoded_samples),
        cmocka_unit_test(the_store_keeps_summaries),
        cmocka_unit_test(summaries_answer_as_decoding),
        cmocka_unit_test(downsampled_chunks_answer_as_decoding),
        cmocka_unit_test(summaries_are_used),
        cmocka_unit_test(schema_10_store_still_serves),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
