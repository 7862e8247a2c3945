/* Correlation (processing/corr.c): the streaming co-moments against a direct two-pass
 * computation, the grid alignment (sample and hold, staleness, counters as rates,
 * out-of-order groups), ranges, quantisation, the layout checks. The classification of a
 * matrix is test_corr_matrix.c's, the replay from the store test_corr_replay.c's, the
 * renderers test_corr_render.c's.
 *
 * Tolerances: streaming r vs two-pass r within 1e-9 (both are computed in double on the same
 * quantised values; the two-pass sums are the reference, the difference is rounding). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "aimeter.h"
#include "corr_fixture.h"
#include "processing/corr.h"
#include "store/codec.h"

#define TOL_TWO_PASS 1e-9

/* ------------------------------------------------------------------ helpers */

/* Pearson r over the rows where both are valid, by the textbook two-pass formula. */
static double two_pass(const double *x, const uint8_t *xok, const double *y, const uint8_t *yok,
                       size_t rows, size_t stride, uint64_t *ret_n) {
    double sx = 0, sy = 0;
    uint64_t n = 0;
    for (size_t t = 0; t < rows; t++)
        if (xok[t * stride] && yok[t * stride]) {
            sx += x[t * stride];
            sy += y[t * stride];
            n++;
        }
    *ret_n = n;
    if (n < 2)
        return NAN;
    double mx = sx / (double)n, my = sy / (double)n, sxx = 0, syy = 0, sxy = 0;
    for (size_t t = 0; t < rows; t++)
        if (xok[t * stride] && yok[t * stride]) {
            double dx = x[t * stride] - mx, dy = y[t * stride] - my;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
    if (!(sxx > 0) || !(syy > 0))
        return NAN;
    return sxy / sqrt(sxx * syy);
}

/* ------------------------------------------------------------------ streaming vs two pass */

enum { NS = 10, ROWS = 3000 };

static void fill_distributions(double *v, uint8_t *ok) {
    for (size_t t = 0; t < ROWS; t++) {
        double *x = &v[t * NS];
        uint8_t *o = &ok[t * NS];
        double z = normal();
        x[0] = 50 + 20 * z;                              /* normal */
        x[1] = 3 * x[0] + 10 * normal();                 /* correlated with 0 */
        x[2] = 100 * uniform();                          /* uniform, independent */
        x[3] = exp(2 * normal());                        /* log-normal, heavy tail */
        x[4] = 1e6 + 0.5 * normal() + 0.001 * x[0];      /* large offset, tiny spread */
        x[5] = 42;                                       /* constant */
        x[6] = 2 * x[0] + 3;                             /* exact identity with 0 */
        x[7] = -x[2] + 0.01 * normal();                  /* near-perfect anti-correlation */
        x[8] = t % 50 < 25 ? 10 : 90;                    /* two-valued square wave */
        x[9] = -0.7 * x[8] + 5 * normal();               /* negatively correlated with 8 */
        for (int i = 0; i < NS; i++)
            o[i] = 1;
        /* missing values: 10 % of series 1, 30 % of series 3, bursts in series 9 */
        o[1] = uniform() >= 0.10;
        o[3] = uniform() >= 0.30;
        o[9] = !(t % 400 < 37);
    }
}

static void test_streaming_matches_two_pass(void **state) {
    (void)state;
    double *v = malloc(sizeof *v * ROWS * NS);
    uint8_t *ok = malloc(ROWS * NS);
    fill_distributions(v, ok);
    const double res = 1e-6;
    aim_corr *c = one_group(NS, res, 100000000);
    for (size_t t = 0; t < ROWS; t++)
        aim__corr_tick(c, 0, (int64_t)t * 100000000, &v[t * NS], &ok[t * NS]);
    aim_corr_matrix *m = NULL;
    assert_int_equal(aim__corr_finish(c, &m), 0);
    aim__corr_free(c);
    assert_int_equal(m->n, NS);
    assert_int_equal(m->ticks, ROWS);
    assert_true(m->exact);

    /* the reference sees the same quantised values */
    for (size_t k = 0; k < ROWS * NS; k++)
        v[k] = aim__corr_quantise(v[k], res);
    for (int i = 0; i < NS; i++)
        for (int j = i + 1; j < NS; j++) {
            uint64_t n;
            double ref = two_pass(&v[i], &ok[i], &v[j], &ok[j], ROWS, NS, &n);
            assert_int_equal(mat_n(m, i, j), n);
            double got = mat_r(m, i, j);
            if (isnan(ref)) {
                assert_true(isnan(got));
                continue;
            }
            if (fabs(got - ref) > TOL_TWO_PASS)
                fail_msg("pair %d,%d: streaming %.15f two-pass %.15f", i, j, got, ref);
        }
    /* the exact identity, and series counts by hand: 10 % missing leaves about 2700 */
    assert_true(mat_r(m, 0, 6) > 0.9999999);
    assert_int_equal(m->self_n[5], ROWS);
    assert_false(m->varying[5]);
    assert_true(m->varying[4]);
    uint64_t miss9 = 0;
    for (size_t t = 0; t < ROWS; t++)
        miss9 += t % 400 < 37;
    assert_int_equal(miss9, 8 * 37);
    assert_int_equal(m->self_n[9], ROWS - miss9);

    /* classification: 5 constant, 6 identical to 0; 7 mirrors 2 (r near -1), which is no
     * identity (issue 11: a pair listed as identical at r -1.0000) but a negative finding */
    assert_int_equal(aim__corr_matrix_state(m, 5), AIM_CORR_SERIES_CONSTANT);
    assert_int_equal(aim__corr_matrix_state(m, 8), AIM_CORR_SERIES_VARYING); /* two values */
    int rep[NS];
    aim__corr_classes(m, NULL, NULL, rep);
    assert_int_equal(rep[6], 0);
    assert_int_equal(rep[7], 7);
    assert_int_equal(rep[1], 1);
    aim_corr_pick picks[64];
    size_t nid = aim__corr_select(m, rep, NULL, AIM_CORR_PICK_IDENTICAL, 0, picks, 64);
    assert_int_equal(nid, 1);
    assert_int_equal(picks[0].a, 0);
    assert_int_equal(picks[0].b, 6);
    assert_true(picks[0].r > 0.9999);
    /* findings: never a constant, never an identical member, strongest first */
    size_t npos = aim__corr_select(m, rep, NULL, AIM_CORR_PICK_POSITIVE, 0, picks, 64);
    assert_true(npos >= 1);
    assert_int_equal(picks[0].a, 0);
    assert_int_equal(picks[0].b, 1);
    for (size_t k = 0; k < (npos < 64 ? npos : 64); k++) {
        assert_true(picks[k].r > 0);
        assert_true(picks[k].a != 5 && picks[k].b != 5 && picks[k].b != 6);
        if (k)
            assert_true(fabs(picks[k].r) <= fabs(picks[k - 1].r));
    }
    size_t nneg = aim__corr_select(m, rep, NULL, AIM_CORR_PICK_NEGATIVE, 0.5, picks, 64);
    assert_int_equal(nneg, 2);
    assert_int_equal(picks[0].a, 2);
    assert_int_equal(picks[0].b, 7);
    assert_int_equal(picks[1].a, 8);
    assert_int_equal(picks[1].b, 9);
    aim__corr_matrix_free(m);
    free(v);
    free(ok);
}

/* Flapping validity patterns beyond the block cache force evictions and merges; the result
 * must not depend on them. */
static void test_many_patterns(void **state) {
    (void)state;
    enum { N = 6, R = 4000 };
    double v[R][N];
    uint8_t ok[R][N];
    for (int t = 0; t < R; t++) {
        double base = normal();
        for (int i = 0; i < N; i++) {
            v[t][i] = base * (i + 1) + normal() * 0.5 + 1000 * i;
            ok[t][i] = uniform() > 0.3; /* 2^6 patterns, 4 blocks */
        }
    }
    aim_corr *c = one_group(N, 1e-6, 10000000);
    for (int t = 0; t < R; t++)
        aim__corr_tick(c, 0, (int64_t)t * 10000000, v[t], ok[t]);
    aim_corr_matrix *m;
    assert_int_equal(aim__corr_finish(c, &m), 0);
    aim__corr_free(c);
    for (int t = 0; t < R; t++)
        for (int i = 0; i < N; i++)
            v[t][i] = aim__corr_quantise(v[t][i], 1e-6);
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) {
            uint64_t n;
            double ref = two_pass(&v[0][i], &ok[0][i], &v[0][j], &ok[0][j], R, N, &n);
            assert_int_equal(mat_n(m, i, j), n);
            assert_true(fabs(mat_r(m, i, j) - ref) <= TOL_TWO_PASS);
        }
    aim__corr_matrix_free(m);
}

static aim_corr *two_group_corr(int live) {
    static const int group[NSLOT] = { 0, 0, 0, 1, 1 };
    static const double res[NSLOT] = { 0.01, 0.01, 1e-6, 0.01, 1e-6 };
    static const uint8_t counter[NSLOT] = { 0, 0, 1, 0, 1 };
    static const int64_t iv[2] = { 10000000, 35000000 };
    aim_corr_layout l = { .n_series = NSLOT, .group = group, .resolution = res,
                          .counter = counter, .n_groups = 2,
                          .group_interval_ns = live ? iv : NULL, .grid_group = 0,
                          .interval_ns = 10000000 };
    aim_corr *c;
    assert_int_equal(aim__corr_new(&l, &c), 0);
    return c;
}

/* The grid definition, written out: held values, rates, staleness (2 s here). */
static void reference_rows(const two_groups *d, double (*x)[NSLOT], uint8_t (*ok)[NSLOT]) {
    static const double res[NSLOT] = { 0.01, 0.01, 1e-6, 0.01, 1e-6 };
    double prev_c = 0, prev_k = 0;
    int64_t prev_ct = 0, prev_kt = 0;
    int have_c = 0, have_k = 0;
    int s = -1;
    double held[G1] = { 0 };
    uint8_t held_ok[G1] = { 0 };
    for (int k = 0; k < GRID_TICKS; k++) {
        int64_t t = d->tg[k];
        while (s + 1 < SLOW_TICKS && d->ts[s + 1] <= t) {
            s++;
            held_ok[0] = d->os[s][0];
            held[0] = aim__corr_quantise(d->vs[s][0], res[3]);
            held_ok[1] = 0;
            if (d->os[s][1]) {
                double q = aim__corr_quantise(d->vs[s][1], res[4]);
                if (have_k) {
                    held[1] = (q - prev_k) / ((double)(d->ts[s] - prev_kt) * 1e-9);
                    held_ok[1] = 1;
                }
                prev_k = q;
                prev_kt = d->ts[s];
                have_k = 1;
            }
        }
        for (int i = 0; i < 2; i++) {
            x[k][i] = aim__corr_quantise(d->vg[k][i], res[i]);
            ok[k][i] = d->og[k][i];
        }
        double q = aim__corr_quantise(d->vg[k][2], res[2]);
        ok[k][2] = have_c;
        if (have_c)
            x[k][2] = (q - prev_c) / ((double)(t - prev_ct) * 1e-9);
        prev_c = q;
        prev_ct = t;
        have_c = 1;
        int fresh = s >= 0 && t - d->ts[s] <= 2000000000LL;
        for (int i = 0; i < G1; i++) {
            x[k][G0 + i] = held[i];
            ok[k][G0 + i] = fresh && held_ok[i];
        }
    }
}

/* Feeds the ticks as a replay does: merged in time order, a watermark after each. */
static aim_corr_matrix *feed_time_order(const two_groups *d, int live) {
    aim_corr *c = two_group_corr(live);
    int a = 0, b = 0;
    while (a < GRID_TICKS || b < SLOW_TICKS) {
        if (b >= SLOW_TICKS || (a < GRID_TICKS && d->tg[a] <= d->ts[b])) {
            aim__corr_tick(c, 0, d->tg[a], d->vg[a], d->og[a]);
            a++;
        } else {
            aim__corr_tick(c, 1, d->ts[b], d->vs[b], d->os[b]);
            b++;
        }
        int64_t next = INT64_MAX;
        if (a < GRID_TICKS)
            next = d->tg[a];
        if (b < SLOW_TICKS && d->ts[b] < next)
            next = d->ts[b];
        if (next != INT64_MAX)
            aim__corr_watermark(c, next - 1);
    }
    aim_corr_matrix *m;
    assert_int_equal(aim__corr_finish(c, &m), 0);
    aim__corr_free(c);
    return m;
}

/* Feeds them as the writer does: every 250 ms, all grid ticks so far, then all slow ones
 * (or the other way round), no watermark. */
static aim_corr_matrix *feed_batches(const two_groups *d, int slow_first) {
    aim_corr *c = two_group_corr(1);
    int a = 0, b = 0;
    for (int64_t now = 250000000; a < GRID_TICKS || b < SLOW_TICKS; now += 250000000) {
        for (int pass = 0; pass < 2; pass++) {
            if ((pass == 0) == !slow_first)
                for (; a < GRID_TICKS && d->tg[a] < now; a++)
                    aim__corr_tick(c, 0, d->tg[a], d->vg[a], d->og[a]);
            else
                for (; b < SLOW_TICKS && d->ts[b] < now; b++)
                    aim__corr_tick(c, 1, d->ts[b], d->vs[b], d->os[b]);
        }
    }
    assert_int_equal(aim__corr_forced(c), 0);
    aim_corr_matrix *m;
    assert_int_equal(aim__corr_finish(c, &m), 0);
    aim__corr_free(c);
    return m;
}

static void assert_same_matrix(const aim_corr_matrix *x, const aim_corr_matrix *y, double tol) {
    assert_int_equal(x->n, y->n);
    assert_int_equal(x->ticks, y->ticks);
    for (int i = 0; i < x->n; i++) {
        assert_int_equal(x->slot[i], y->slot[i]);
        assert_int_equal(x->self_n[i], y->self_n[i]);
        assert_int_equal(x->varying[i], y->varying[i]);
        for (int j = i + 1; j < x->n; j++) {
            size_t ij = aim__corr_pair_index(x->n, i, j);
            assert_int_equal(x->pn[ij], y->pn[ij]);
            if (isnan(x->r[ij]) || isnan(y->r[ij])) {
                assert_true(isnan(x->r[ij]) && isnan(y->r[ij]));
                continue;
            }
            if (fabs(x->r[ij] - y->r[ij]) > tol)
                fail_msg("pair %d,%d: %.17g vs %.17g", i, j, x->r[ij], y->r[ij]);
        }
    }
}

static void test_grid_alignment(void **state) {
    (void)state;
    two_groups *d = calloc(1, sizeof *d);
    make_two_groups(d);
    aim_corr_matrix *ordered = feed_time_order(d, 0);
    aim_corr_matrix *ordered_live = feed_time_order(d, 1);
    aim_corr_matrix *batched = feed_batches(d, 0);
    aim_corr_matrix *batched2 = feed_batches(d, 1);
    /* the order the writer happens to drain in changes nothing, to the last bit */
    assert_same_matrix(ordered, ordered_live, 0);
    assert_same_matrix(ordered, batched, 0);
    assert_same_matrix(ordered, batched2, 0);
    assert_int_equal(ordered->ticks, GRID_TICKS);

    /* against the grid definition applied directly, by two passes */
    double (*x)[NSLOT] = calloc(GRID_TICKS, sizeof *x);
    uint8_t (*ok)[NSLOT] = calloc(GRID_TICKS, sizeof *ok);
    reference_rows(d, x, ok);
    for (int i = 0; i < NSLOT; i++) {
        uint64_t n_self = 0;
        for (int k = 0; k < GRID_TICKS; k++)
            n_self += ok[k][i];
        assert_int_equal(ordered->self_n[i], n_self);
        for (int j = i + 1; j < NSLOT; j++) {
            uint64_t n;
            double ref = two_pass(&x[0][i], &ok[0][i], &x[0][j], &ok[0][j], GRID_TICKS, NSLOT, &n);
            assert_int_equal(mat_n(ordered, i, j), n);
            if (fabs(mat_r(ordered, i, j) - ref) > TOL_TWO_PASS)
                fail_msg("pair %d,%d: %.15f vs reference %.15f", i, j, mat_r(ordered, i, j), ref);
        }
    }
    /* the grid counter's first tick has no rate: one value fewer */
    assert_int_equal(ordered->self_n[2], GRID_TICKS - 1);
    /* grid ticks before the slow group's first tick (3 ms + jitter) have no slow values */
    assert_true(ordered->self_n[3] < GRID_TICKS);
    free(x);
    free(ok);
    aim__corr_matrix_free(ordered);
    aim__corr_matrix_free(ordered_live);
    aim__corr_matrix_free(batched);
    aim__corr_matrix_free(batched2);
    free(d);
}

/* A counter is correlated as its rate, by hand: counter 0, 2, 6, 12, 20 at t = 0, 1, 3, 4,
 * 6 s gives rates 2, 2, 6, 4 (per second) at t = 1, 3, 4, 6; with the gauge 1, 2, 3, 5 there,
 * Σdx·dy = 5.5, Σdx² = 11, Σdy² = 8.75: r = 5.5 / √(11 × 8.75) = 0.5606119..., n = 4. */
static void test_counter_rate_by_hand(void **state) {
    (void)state;
    static const int group[2] = { 0, 0 };
    static const double res[2] = { 1e-6, 0.01 };
    static const uint8_t counter[2] = { 1, 0 };
    aim_corr_layout l = { .n_series = 2, .group = group, .resolution = res, .counter = counter,
                          .n_groups = 1, .grid_group = 0, .interval_ns = 1000000000 };
    aim_corr *c;
    assert_int_equal(aim__corr_new(&l, &c), 0);
    static const double t_s[5] = { 0, 1, 3, 4, 6 }, cnt[5] = { 0, 2, 6, 12, 20 },
                        gauge[5] = { 9, 1, 2, 3, 5 };
    uint8_t ok[2] = { 1, 1 };
    for (int k = 0; k < 5; k++) {
        double v[2] = { cnt[k], gauge[k] };
        aim__corr_tick(c, 0, (int64_t)(t_s[k] * 1e9), v, ok);
    }
    aim_corr_matrix *m;
    assert_int_equal(aim__corr_finish(c, &m), 0);
    aim__corr_free(c);
    assert_int_equal(m->self_n[0], 4);
    assert_int_equal(m->self_n[1], 5);
    assert_int_equal(m->pn[0], 4);
    assert_true(fabs(m->r[0] - 5.5 / sqrt(11 * 8.75)) < 1e-12);
    aim__corr_matrix_free(m);
}

/* A group that stops ticking stops contributing 2 s later (interval 100 ms: the limit is
 * 2 × max(100 ms, 1 s)). Grid every 100 ms over 10 s; the slow group at 0, 0.5 … 2.0 s:
 * held until 4.0 s inclusive, so on grid ticks 0.0 … 4.0 s = 41 ticks. Fed as a replay
 * (watermarks) and live: live, the grid waits 3 s (38 ticks at 100 ms) for the silent group,
 * then processes the 79 - 38 = 41 ticks it cannot hold back any more anyway, with the same
 * result, marked inexact. */
static void run_staleness(int live, uint64_t expect_forced) {
    static const int group[2] = { 0, 1 };
    static const double res[2] = { 0.01, 0.01 };
    static const uint8_t counter[2] = { 0, 0 };
    static const int64_t iv[2] = { 100000000, 500000000 };
    aim_corr_layout l = { .n_series = 2, .group = group, .resolution = res, .counter = counter,
                          .n_groups = 2, .group_interval_ns = live ? iv : NULL, .grid_group = 0,
                          .interval_ns = 100000000 };
    aim_corr *c;
    assert_int_equal(aim__corr_new(&l, &c), 0);
    uint8_t one = 1;
    for (int k = 0; k < 100; k++) {
        int64_t t = (int64_t)k * 100000000;
        if (k % 5 == 0 && k <= 20) {
            double v = k;
            aim__corr_tick(c, 1, t, &v, &one);
        }
        double v = k % 7;
        aim__corr_tick(c, 0, t, &v, &one);
        if (!live)
            aim__corr_watermark(c, t + 99999999);
    }
    aim_corr_matrix *m;
    assert_int_equal(aim__corr_finish(c, &m), 0);
    assert_int_equal(aim__corr_forced(c), expect_forced);
    aim__corr_free(c);
    assert_int_equal(m->exact, expect_forced == 0);
    assert_int_equal(m->ticks, 100);
    assert_int_equal(m->self_n[0], 100);
    assert_int_equal(m->self_n[1], 41);
    assert_int_equal(m->pn[0], 41);
    aim__corr_matrix_free(m);
}

static void test_staleness(void **state) {
    (void)state;
    run_staleness(0, 0);
    run_staleness(1, 41);
}

/* A grid that waits for a stalled group longer than its ring: ticks are processed anyway,
 * counted, and the matrix says it is not exact. Grid at 1 s: ring of 3 + 8 = 11 ticks. */
static void test_forced_when_stalled(void **state) {
    (void)state;
    static const int group[2] = { 0, 1 };
    static const double res[2] = { 0.01, 0.01 };
    static const uint8_t counter[2] = { 0, 0 };
    static const int64_t iv[2] = { 1000000000, 1000000000 };
    aim_corr_layout l = { .n_series = 2, .group = group, .resolution = res, .counter = counter,
                          .n_groups = 2, .group_interval_ns = iv, .grid_group = 0,
                          .interval_ns = 1000000000 };
    aim_corr *c;
    assert_int_equal(aim__corr_new(&l, &c), 0);
    uint8_t one = 1;
    double v = 1;
    aim__corr_tick(c, 1, 0, &v, &one);
    for (int k = 1; k <= 20; k++) {
        v = k;
        aim__corr_tick(c, 0, (int64_t)k * 1000000000, &v, &one);
    }
    assert_int_equal(aim__corr_forced(c), 9);
    assert_int_equal(aim__corr_ticks(c), 9);
    aim_corr_matrix *m;
    assert_int_equal(aim__corr_finish(c, &m), 0);
    aim__corr_free(c);
    assert_int_equal(m->ticks, 20);
    assert_false(m->exact);
    aim__corr_matrix_free(m);
}

/* Ranges keep only their grid ticks (the alignment still follows every tick). */
static void test_ranges(void **state) {
    (void)state;
    aim_corr *c = one_group(2, 0.01, 100000000);
    aim_time_range ranges[3] = { { 5000000000LL, 6000000000LL }, { 1000000000LL, 2000000000LL },
                                 { 1500000000LL, 1800000000LL } };
    assert_int_equal(aim__corr_set_ranges(c, ranges, 3), 0);
    double x[100][2];
    uint8_t ok[100][2];
    for (int k = 0; k < 100; k++) {
        x[k][0] = aim__corr_quantise(normal(), 0.01);
        x[k][1] = aim__corr_quantise(x[k][0] + normal(), 0.01);
        ok[k][0] = ok[k][1] = 1;
        aim__corr_tick(c, 0, (int64_t)k * 100000000, x[k], ok[k]);
        /* outside the ranges, the reference does not count the row */
        int64_t t = (int64_t)k * 100000000;
        int in = (t >= 1000000000LL && t < 2000000000LL) || (t >= 5000000000LL && t < 6000000000LL);
        ok[k][0] = ok[k][1] = (uint8_t)in;
    }
    aim_corr_matrix *m;
    assert_int_equal(aim__corr_finish(c, &m), 0);
    aim__corr_free(c);
    assert_int_equal(m->ticks, 20);
    assert_int_equal(m->self_n[0], 20);
    uint64_t n;
    double ref = two_pass(&x[0][0], &ok[0][0], &x[0][1], &ok[0][1], 100, 2, &n);
    assert_int_equal(n, 20);
    assert_true(fabs(m->r[0] - ref) <= TOL_TWO_PASS);
    aim__corr_matrix_free(m);

    /* ranges that cover nothing: nothing is accumulated */
    c = one_group(2, 0.01, 100000000);
    aim_time_range empty = { 5, 5 };
    assert_int_equal(aim__corr_set_ranges(c, &empty, 1), 0);
    aim__corr_tick(c, 0, 5, x[0], ok[0]);
    assert_int_equal(aim__corr_finish(c, &m), 0);
    aim__corr_free(c);
    assert_int_equal(m->ticks, 0);
    aim__corr_matrix_free(m);
}

typedef struct decoded {
    int k;
    double got[4];
} decoded;

static int collect(int64_t t, const double *v, const uint8_t *valid, void *u) {
    (void)t;
    (void)valid;
    decoded *acc = u;
    acc->got[acc->k++] = v[0];
    return 0;
}

static void test_quantise_matches_codec(void **state) {
    (void)state;
    /* what the codec gives back is what the engine feeds itself */
    aim_chunk_column col = { .resolution = 0.01, .counter = 0 };
    double vals[3] = { 12.345, -0.005, 99999.999 };
    uint8_t ok[3] = { 1, 1, 1 };
    aim_chunk_encoder *e;
    assert_int_equal(aim__chunk_encoder_new(1, &col, 8, &e), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(aim__chunk_encoder_add(e, i, &vals[i], &ok[i]), 0);
    const uint8_t *blob;
    size_t len;
    assert_int_equal(aim__chunk_encoder_finish(e, &blob, &len), 0);
    decoded acc = { 0, { 0 } };
    assert_int_equal(aim__chunk_decode(blob, len, 1, &col, collect, &acc), 0);
    assert_int_equal(acc.k, 3);
    for (int i = 0; i < 3; i++)
        assert_true(acc.got[i] == aim__corr_quantise(vals[i], 0.01));
    assert_true(aim__corr_quantise(12.345, 0.01) == 1235 * 0.01);
    assert_true(aim__corr_quantise(1e300, 0.01) == 1e300); /* beyond 2^53 steps: raw */
    aim__chunk_encoder_free(e);
}

static void test_layout_checks(void **state) {
    (void)state;
    static const int group[3] = { 0, 1, 0 }; /* group 0 not contiguous */
    static const double res[3] = { 1, 1, 1 };
    static const uint8_t counter[3] = { 0, 0, 0 };
    aim_corr_layout l = { .n_series = 3, .group = group, .resolution = res, .counter = counter,
                          .n_groups = 2, .grid_group = 0, .interval_ns = 1 };
    aim_corr *c = NULL;
    assert_int_equal(aim__corr_new(&l, &c), -EINVAL);
    l.n_series = 2;
    l.grid_group = 2;
    assert_int_equal(aim__corr_new(&l, &c), -EINVAL);
    l.grid_group = 0;
    assert_int_equal(aim__corr_new(&l, &c), 0);
    aim__corr_free(c);

    /* beyond AIM_CORR_MAX_SERIES, per-instance series are left out first */
    int inst[AIM_CORR_MAX_SERIES + 3];
    uint8_t inc[AIM_CORR_MAX_SERIES + 3];
    for (int i = 0; i < AIM_CORR_MAX_SERIES + 3; i++)
        inst[i] = i % 2 ? i : -1;
    aim__corr_include(AIM_CORR_MAX_SERIES + 3, inst, inc);
    int n = 0;
    for (int i = 0; i < AIM_CORR_MAX_SERIES + 3; i++)
        n += inc[i];
    assert_int_equal(n, AIM_CORR_MAX_SERIES);
    assert_int_equal(inc[AIM_CORR_MAX_SERIES + 2], 1); /* instance -1: kept */
    assert_int_equal(inc[AIM_CORR_MAX_SERIES + 1], 0);
}

/* Issue 11: the run's closing sample (1 ms after the previous tick) made findings: x constant
 * and y constant all run long, then one closing sample where both jump. It makes no row. */
static void closing_sample_makes_no_row(void **state) {
    aim_corr *c = one_group(2, 0.01, 100000000);
    for (int k = 0; k < 20; k++) {
        double v[2] = { 1.0 + (k % 2), 5.0 + (k % 3) };
        uint8_t ok[2] = { 1, 1 };
        aim__corr_tick(c, 0, (int64_t)k * 100000000, v, ok);
    }
    double spike[2] = { 1000.0, -1000.0 };
    uint8_t ok[2] = { 1, 1 };
    aim__corr_tick(c, 0, 19 * 100000000LL + 1000000, spike, ok);
    aim_corr_matrix *m = NULL;
    assert_int_equal(aim__corr_finish(c, &m), 0);
    assert_int_equal(m->ticks, 20);
    assert_true(fabs(m->r[aim__corr_pair_index(m->n, 0, 1)]) < 0.5);
    aim__corr_matrix_free(m);
    aim__corr_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(closing_sample_makes_no_row),
        cmocka_unit_test(test_streaming_matches_two_pass),
        cmocka_unit_test(test_many_patterns),
        cmocka_unit_test(test_grid_alignment),
        cmocka_unit_test(test_counter_rate_by_hand),
        cmocka_unit_test(test_staleness),
        cmocka_unit_test(test_forced_when_stalled),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_quantise_matches_codec),
        cmocka_unit_test(test_layout_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
