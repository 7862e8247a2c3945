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

#include "store/codec.h"

/* Deterministic PRNG so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static double uniform(double lo, double hi) {
    return lo + (hi - lo) * (double)(rng() >> 11) / 9007199254740992.0;
}

#define MAX_S 32
#define MAX_T 256

typedef struct capture {
    int n_series;
    int ticks;
    int64_t t[MAX_T];
    double v[MAX_T][MAX_S];
    uint8_t ok[MAX_T][MAX_S];
    int stop_after;  /* return -ECANCELED after this many ticks, 0 = never */
} capture;

static int capture_tick(int64_t t, const double *values, const uint8_t *valid, void *ud) {
    capture *c = ud;
    if (c->ticks >= MAX_T)
        return -E2BIG;
    c->t[c->ticks] = t;
    memcpy(c->v[c->ticks], values, sizeof(double) * (size_t)c->n_series);
    memcpy(c->ok[c->ticks], valid, (size_t)c->n_series);
    c->ticks++;
    if (c->stop_after && c->ticks == c->stop_after)
        return -ECANCELED;
    return 0;
}

/* What the codec promises: quantised values come back as round(v / res) * res exactly,
 * raw ones bit for bit. */
static double expected(double v, double res) {
    double x = v / res;
    if (!(fabs(x) <= 9007199254740992.0))
        return v;
    return round(x) * res;
}

static void check_roundtrip(int n, const aim_chunk_column *cols, int ticks, const int64_t *t,
                            double v[][MAX_S], uint8_t ok[][MAX_S], size_t *ret_len) {
    aim_chunk_encoder *e;
    assert_int_equal(aim__chunk_encoder_new(n, cols, ticks, &e), 0);
    for (int i = 0; i < ticks; i++)
        assert_int_equal(aim__chunk_encoder_add(e, t[i], v[i], ok[i]), 0);
    assert_int_equal(aim__chunk_encoder_ticks(e), ticks);
    const uint8_t *blob;
    size_t len;
    assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
    assert_int_equal(aim__chunk_encoder_ticks(e), 0);

    static capture c;
    memset(&c, 0, sizeof c);
    c.n_series = n;
    assert_int_equal(aim__chunk_decode(blob, len, n, cols, capture_tick, &c), 0);
    assert_int_equal(c.ticks, ticks);
    for (int i = 0; i < ticks; i++) {
        assert_true(c.t[i] == t[i]);
        for (int s = 0; s < n; s++) {
            assert_int_equal(c.ok[i][s], ok[i][s] != 0);
            if (!ok[i][s])
                continue;
            double want = expected(v[i][s], cols[s].resolution);
            if (isnan(want))
                assert_true(isnan(c.v[i][s]));
            else
                assert_true(memcmp(&want, &c.v[i][s], sizeof want) == 0 || want == c.v[i][s]);
        }
    }
    if (ret_len)
        *ret_len = len;
    aim__chunk_encoder_free(e);
}

static int64_t ts[MAX_T];
static double vals[MAX_T][MAX_S];
static uint8_t oks[MAX_T][MAX_S];

static void roundtrip_random(void **state) {
    static const double res[] = { 0.1, 1e-6, 1.0 / 1024, 0.01, 1.0, 0.001 };
    for (int round_ = 0; round_ < 50; round_++) {
        int n = 1 + (int)(rng() % MAX_S);
        int ticks = 1 + (int)(rng() % MAX_T);
        aim_chunk_column cols[MAX_S];
        for (int s = 0; s < n; s++) {
            cols[s].resolution = res[rng() % 6];
            cols[s].counter = (int)(rng() & 1);
        }
        int64_t t = (int64_t)(rng() % 1000000000) - 1000;
        for (int i = 0; i < ticks; i++) {
            t += (int64_t)(rng() % 200000000);
            ts[i] = t;
            for (int s = 0; s < n; s++) {
                vals[i][s] = uniform(-1e6, 1e6);
                oks[i][s] = (rng() % 10) != 0;
            }
        }
        check_roundtrip(n, cols, ticks, ts, vals, oks, NULL);
    }
}

static void invalid_values_and_counters(void **state) {
    aim_chunk_column cols[3] = { { 1e-6, 1 }, { 0.1, 0 }, { 0.01, 0 } };
    for (int i = 0; i < 20; i++) {
        ts[i] = 100000000LL * i;
        vals[i][0] = 1000.0 + 12.345678 * i;   /* energy counter, J */
        vals[i][1] = 50.0 + (i % 3);            /* utilisation */
        vals[i][2] = 0;
        oks[i][0] = i != 7;                     /* one failed read */
        oks[i][1] = 1;
        oks[i][2] = 0;                          /* never measured */
    }
    check_roundtrip(3, cols, 20, ts, vals, oks, NULL);
    /* Every tick missing, a single tick, a constant: edge shapes of the bitmap. */
    for (int i = 0; i < 9; i++)
        oks[i][0] = oks[i][1] = 0;
    check_roundtrip(2, cols, 9, ts, vals, oks, NULL);
    check_roundtrip(3, cols, 1, ts, vals, oks, NULL);
}

static void huge_and_nonfinite_fall_back_to_raw(void **state) {
    aim_chunk_column cols[4] = { { 1e-6, 1 }, { 0.1, 0 }, { 1.0, 0 }, { 0.1, 0 } };
    for (int i = 0; i < 8; i++) {
        ts[i] = INT64_MAX / 2 + i;  /* far from zero: wrap-around arithmetic */
        vals[i][0] = 1e300 * (i + 1);          /* beyond 2^53 steps */
        vals[i][1] = i == 3 ? NAN : 1.5 * i;   /* NaN makes the whole column raw */
        vals[i][2] = i == 5 ? -INFINITY : 9007199254740992.0 * 0.5 + i;
        vals[i][3] = 9007199254740991.0 * 0.1; /* just inside the limit */
        oks[i][0] = oks[i][1] = oks[i][2] = oks[i][3] = 1;
    }
    check_roundtrip(4, cols, 8, ts, vals, oks, NULL);

    /* The raw column keeps values that quantising would have rounded. */
    aim_chunk_encoder *e;
    assert_int_equal(aim__chunk_encoder_new(4, cols, 8, &e), 0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(aim__chunk_encoder_add(e, ts[i], vals[i], oks[i]), 0);
    const uint8_t *blob;
    size_t len;
    assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
    static capture c;
    memset(&c, 0, sizeof c);
    c.n_series = 4;
    assert_int_equal(aim__chunk_decode(blob, len, 4, cols, capture_tick, &c), 0);
    assert_true(c.v[0][1] == 0.0 && c.v[1][1] == 1.5 && isnan(c.v[3][1]));
    assert_true(isinf(c.v[5][2]) && c.v[5][2] < 0);
    assert_true(c.v[2][0] == 3e300);
    aim__chunk_encoder_free(e);
}

static void encoder_contract(void **state) {
    aim_chunk_column col = { 0.1, 0 };
    aim_chunk_column bad = { 0.0, 0 };
    aim_chunk_encoder *e = NULL;
    assert_int_equal(aim__chunk_encoder_new(1, &bad, 4, &e), -EINVAL);
    assert_int_equal(aim__chunk_encoder_new(1, &col, 0, &e), -EINVAL);
    assert_int_equal(aim__chunk_encoder_new(-1, &col, 4, &e), -EINVAL);
    assert_null(e);
    assert_int_equal(aim__chunk_encoder_new(1, &col, 2, &e), 0);
    double v = 1.0;
    assert_int_equal(aim__chunk_encoder_first_t(e), 0);
    assert_int_equal(aim__chunk_encoder_add(e, 10, &v, NULL), 0);
    assert_int_equal(aim__chunk_encoder_add(e, 20, &v, NULL), 0);
    assert_int_equal(aim__chunk_encoder_add(e, 30, &v, NULL), -ENOSPC);
    assert_int_equal(aim__chunk_encoder_first_t(e), 10);
    assert_int_equal(aim__chunk_encoder_last_t(e), 20);
    const uint8_t *blob;
    size_t len;
    assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
    /* version, n_series 1, n_ticks 2, timestamps zz(10) zz(10), column zz(10) zz(0). */
    static const uint8_t want[] = { 1, 1, 2, 2 << 2, 20, 20, 2 << 2, 20, 0 };
    assert_int_equal(len, sizeof want);
    assert_memory_equal(blob, want, sizeof want);
    /* Emptied: it takes new ticks. */
    assert_int_equal(aim__chunk_encoder_ticks(e), 0);
    assert_int_equal(aim__chunk_encoder_add(e, 40, &v, NULL), 0);
    assert_int_equal(aim__chunk_encoder_first_t(e), 40);
    aim__chunk_encoder_free(e);
    aim__chunk_encoder_free(NULL);

    /* A callback's error stops decoding and comes back. */
    assert_int_equal(aim__chunk_encoder_new(1, &col, 8, &e), 0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(aim__chunk_encoder_add(e, i, &v, NULL), 0);
    assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
    static capture c;
    memset(&c, 0, sizeof c);
    c.n_series = 1;
    c.stop_after = 3;
    assert_int_equal(aim__chunk_decode(blob, len, 1, &col, capture_tick, &c), -ECANCELED);
    assert_int_equal(c.ticks, 3);
    aim__chunk_encoder_free(e);
}

/* A realistic 100 ms trace of 20 series, chunked per second as the engine commits. */
typedef struct trace_series {
    double res;
    int counter;
} trace_series;

static void realistic_trace_is_compact(void **state) {
    enum { N = 20, TICKS = 10, SECONDS = 600 };
    aim_chunk_column cols[N];
    /* 0 cpu.util, 1-8 cpu.core_util, 9 mem.used, 10 mem.util, 11-12 energy (package, dram),
     * 13-14 power, 15 proc.cpu_time, 16 proc.cpu_util, 17 proc.rss, 18 proc.count,
     * 19 temperature */
    for (int s = 0; s < N; s++)
        cols[s] = (aim_chunk_column){ 0.1, 0 };
    cols[9] = (aim_chunk_column){ 1.0 / 1024, 0 };
    cols[11] = cols[12] = (aim_chunk_column){ 1e-6, 1 };
    cols[13] = cols[14] = (aim_chunk_column){ 0.01, 0 };
    cols[15] = (aim_chunk_column){ 0.001, 1 };
    cols[17] = (aim_chunk_column){ 1.0 / 1024, 0 };
    cols[18] = (aim_chunk_column){ 1.0, 0 };
    cols[19] = (aim_chunk_column){ 1.0, 0 };

    aim_chunk_encoder *e;
    assert_int_equal(aim__chunk_encoder_new(N, cols, TICKS, &e), 0);
    double v[N] = { 0 };
    uint8_t ok[N];
    memset(ok, 1, sizeof ok);
    double util = 40, mem = 12.5, pkg_w = 120, dram_w = 60, energy_pkg = 0, energy_dram = 0;
    double cpu_time = 0, rss = 1.2;
    size_t total = 0, values = 0;
    int64_t t = 0;
    static capture c;
    for (int sec = 0; sec < SECONDS; sec++) {
        for (int k = 0; k < TICKS; k++) {
            t += 100000000 + (int64_t)uniform(-50000, 50000);
            util += uniform(-8, 8);
            util = util < 0 ? 0 : util > 100 ? 100 : util;
            v[0] = util;
            for (int s = 1; s <= 8; s++)
                v[s] = fmin(100, fmax(0, util + uniform(-30, 30)));
            /* Memory moves by a few MiB now and then, in whole kB like /proc/meminfo. */
            if (rng() % 4 == 0)
                mem += round(uniform(-4096, 4096)) / (1024.0 * 1024.0);
            v[9] = mem;
            v[10] = mem / 64.0 * 100.0;
            pkg_w = fmin(200, fmax(50, pkg_w + uniform(-10, 10)));
            dram_w = fmin(200, fmax(50, dram_w + uniform(-5, 5)));
            /* RAPL counts whole microjoules. */
            energy_pkg += round(pkg_w * 0.1 * 1e6) / 1e6;
            energy_dram += round(dram_w * 0.1 * 1e6) / 1e6;
            v[11] = energy_pkg;
            v[12] = energy_dram;
            v[13] = pkg_w;
            v[14] = dram_w;
            cpu_time += util / 100.0 * 8 * 0.1;
            v[15] = cpu_time;
            v[16] = util * 8;
            rss += uniform(-0.001, 0.0012);
            v[17] = rss;
            v[18] = 3;
            v[19] = 45 + round(util / 10);
            assert_int_equal(aim__chunk_encoder_add(e, t, v, ok), 0);
        }
        const uint8_t *blob;
        size_t len;
        assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
        total += len;
        values += N * TICKS;
        memset(&c, 0, sizeof c);
        c.n_series = N;
        assert_int_equal(aim__chunk_decode(blob, len, N, cols, capture_tick, &c), 0);
        assert_int_equal(c.ticks, TICKS);
        assert_true(fabs(c.v[TICKS - 1][11] - energy_pkg) < 1e-6);
    }
    aim__chunk_encoder_free(e);
    double per_value = (double)total / (double)values;
    printf("realistic trace: %zu values in %zu bytes: %.2f bytes/value\n", values, total,
           per_value);
    assert_true(per_value <= 6.0);
}

/* Every damaged blob is refused without reading outside it. */
static void corrupt_blobs_are_refused(void **state) {
    aim_chunk_column cols[3] = { { 1e-6, 1 }, { 0.1, 0 }, { 0.1, 0 } };
    aim_chunk_encoder *e;
    assert_int_equal(aim__chunk_encoder_new(3, cols, 16, &e), 0);
    for (int i = 0; i < 16; i++) {
        double v[3] = { 100.0 + i * 10.5, i % 2 ? NAN : 3.0, 50.0 - i };
        uint8_t ok[3] = { 1, 1, (uint8_t)(i != 4) };
        assert_int_equal(aim__chunk_encoder_add(e, 100000000LL * i, v, ok), 0);
    }
    const uint8_t *enc;
    size_t len;
    assert_int_equal(aim__chunk_encoder_finish(e, &enc, &len), 0);
    uint8_t *blob = malloc(len + 1);
    memcpy(blob, enc, len);
    aim__chunk_encoder_free(e);

    static capture c;
    c.n_series = 3;
    for (size_t cut = 0; cut < len; cut++) {
        /* An exact-size copy so ASan sees any read past the end. */
        uint8_t *part = malloc(cut ? cut : 1);
        memcpy(part, blob, cut);
        c.ticks = 0;
        assert_int_equal(aim__chunk_decode(part, cut, 3, cols, capture_tick, &c), -EBADMSG);
        free(part);
    }
    blob[len] = 0;
    c.ticks = 0;
    assert_int_equal(aim__chunk_decode(blob, len + 1, 3, cols, capture_tick, &c), -EBADMSG);
    c.ticks = 0;
    assert_int_equal(aim__chunk_decode(blob, len, 2, cols, capture_tick, &c), -EBADMSG);
    assert_int_equal(aim__chunk_decode(blob, len, 3, cols, capture_tick, &c), 0);
    blob[0] = 2;
    assert_int_equal(aim__chunk_decode(blob, len, 3, cols, capture_tick, &c), -EBADMSG);
    blob[0] = 1;

    /* Single-byte damage anywhere: decoded or refused, never a crash. */
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            uint8_t *copy = malloc(len);
            memcpy(copy, blob, len);
            copy[i] ^= (uint8_t)(1u << bit);
            c.ticks = 0;
            int r = aim__chunk_decode(copy, len, 3, cols, capture_tick, &c);
            assert_true(r == 0 || r == -EBADMSG);
            free(copy);
        }
    }
    free(blob);

    /* Hand-made hostile headers. */
    static const uint8_t huge_ticks[] = { 1, 0, 0xff, 0xff, 0xff, 0x0f, 0 };
    assert_int_equal(aim__chunk_decode(huge_ticks, sizeof huge_ticks, 0, NULL, capture_tick, &c),
                     -EBADMSG);
    static const uint8_t long_varint[] = { 1, 0, 1, 11 << 2, 0xff, 0xff, 0xff, 0xff, 0xff,
                                           0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
    assert_int_equal(aim__chunk_decode(long_varint, sizeof long_varint, 0, NULL, capture_tick,
                                      &c), -EBADMSG);
    static const uint8_t too_many_ticks[] = { 1, 0, 5, 2 << 2, 0, 0 };
    assert_int_equal(aim__chunk_decode(too_many_ticks, sizeof too_many_ticks, 0, NULL,
                                      capture_tick, &c), -EBADMSG);
    static const uint8_t zero_ticks[] = { 1, 0, 0, 0 };
    c.ticks = 0;
    assert_int_equal(aim__chunk_decode(zero_ticks, sizeof zero_ticks, 0, NULL, capture_tick, &c),
                     0);
    assert_int_equal(c.ticks, 0);
    /* Bitmap padding bits set: one tick, bitmap 0x03. */
    aim_chunk_column one = { 1.0, 0 };
    c.n_series = 1;
    static const uint8_t padding[] = { 1, 1, 1, 1 << 2, 0, (1 << 2) | 1, 0x03 };
    assert_int_equal(aim__chunk_decode(padding, sizeof padding, 1, &one, capture_tick, &c),
                     -EBADMSG);
    static const uint8_t padding_ok[] = { 1, 1, 1, 1 << 2, 0, (2 << 2) | 1, 0x01, 0x04 };
    c.ticks = 0;
    assert_int_equal(aim__chunk_decode(padding_ok, sizeof padding_ok, 1, &one, capture_tick, &c),
                     0);
    assert_int_equal(c.ticks, 1);
    assert_true(c.v[0][0] == 2.0);
}

/* Writes the fuzz seed corpus when AIM_CODEC_CORPUS_DIR is set (a maintainer's helper; the
 * files are committed under fuzz/corpus/chunk_decode). Input layout of the fuzz target:
 * byte 0 n_series, bytes 1-4 counter bitmask (LE), then the blob; column i's resolution is
 * {0.1, 1e-6, 1/1024, 0.01}[i % 4]. */
static void write_seed(const char *dir, const char *name, int n, uint32_t counters,
                       const uint8_t *blob, size_t len) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    uint8_t hdr[5] = { (uint8_t)n, (uint8_t)counters, (uint8_t)(counters >> 8),
                       (uint8_t)(counters >> 16), (uint8_t)(counters >> 24) };
    fwrite(hdr, 1, 5, f);
    fwrite(blob, 1, len, f);
    fclose(f);
}

static void write_corpus(void **state) {
    const char *dir = getenv("AIM_CODEC_CORPUS_DIR");
    if (!dir)
        skip();
    static const double res[4] = { 0.1, 1e-6, 1.0 / 1024, 0.01 };
    struct { const char *name; int n; uint32_t counters; int ticks; int missing; int raw; }
    seeds[] = {
        { "realistic_4x10", 4, 0x2, 10, 0, 0 },
        { "missing_values", 3, 0x2, 12, 1, 0 },
        { "raw_fallback", 2, 0x0, 5, 0, 1 },
        { "one_tick", 1, 0x0, 1, 0, 0 },
        { "wide_16x3", 16, 0xaaaa, 3, 1, 0 },
    };
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        aim_chunk_column cols[MAX_S];
        for (int s = 0; s < seeds[k].n; s++)
            cols[s] = (aim_chunk_column){ res[s % 4], (int)((seeds[k].counters >> s) & 1) };
        aim_chunk_encoder *e;
        assert_int_equal(aim__chunk_encoder_new(seeds[k].n, cols, seeds[k].ticks, &e), 0);
        double energy = 1000;
        for (int i = 0; i < seeds[k].ticks; i++) {
            double v[MAX_S];
            uint8_t ok[MAX_S];
            energy += 12.5 + uniform(-1, 1);
            for (int s = 0; s < seeds[k].n; s++) {
                v[s] = cols[s].counter ? energy : uniform(0, 100);
                ok[s] = !(seeds[k].missing && (i + s) % 5 == 0);
            }
            if (seeds[k].raw)
                v[0] = i == 2 ? NAN : 1e300;
            assert_int_equal(aim__chunk_encoder_add(e, 100000000LL * i + (int64_t)uniform(-5e4, 5e4),
                                                   v, ok), 0);
        }
        const uint8_t *blob;
        size_t len;
        assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
        write_seed(dir, seeds[k].name, seeds[k].n, seeds[k].counters, blob, len);
        if (k == 0) {
            write_seed(dir, "truncated", seeds[k].n, seeds[k].counters, blob, len / 2);
            uint8_t bad[512];
            memcpy(bad, blob, len);
            bad[len / 3] ^= 0x80;
            write_seed(dir, "bitflip", seeds[k].n, seeds[k].counters, bad, len);
            write_seed(dir, "wrong_series", seeds[k].n + 1, seeds[k].counters, blob, len);
        }
        aim__chunk_encoder_free(e);
    }
    static const uint8_t hostile[] = { 1, 0, 0xff, 0xff, 0xff, 0x0f, 0 };
    write_seed(dir, "huge_tick_count", 0, 0, hostile, sizeof hostile);
    static const uint8_t empty[] = { 0 };
    write_seed(dir, "empty", 0, 0, empty, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roundtrip_random),
        cmocka_unit_test(invalid_values_and_counters),
        cmocka_unit_test(huge_and_nonfinite_fall_back_to_raw),
        cmocka_unit_test(encoder_contract),
        cmocka_unit_test(realistic_trace_is_compact),
        cmocka_unit_test(corrupt_blobs_are_refused),
        cmocka_unit_test(write_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
