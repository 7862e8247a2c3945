#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "corr_fixture.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

double uniform(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

double normal(void) {
    double u = uniform(), v = uniform();
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

double mat_r(const aim_corr_matrix *m, int i, int j) {
    if (i == j)
        return 1;
    if (i > j) {
        int t = i;
        i = j;
        j = t;
    }
    return m->r[aim__corr_pair_index(m->n, i, j)];
}

uint64_t mat_n(const aim_corr_matrix *m, int i, int j) {
    if (i > j) {
        int t = i;
        i = j;
        j = t;
    }
    return i == j ? m->self_n[i] : m->pn[aim__corr_pair_index(m->n, i, j)];
}

aim_corr *one_group(int n, double res, int64_t interval) {
    int group[64];
    double resolution[64];
    uint8_t counter[64];
    for (int i = 0; i < n; i++) {
        group[i] = 0;
        resolution[i] = res;
        counter[i] = 0;
    }
    aim_corr_layout l = { .n_series = n, .group = group, .resolution = resolution,
                          .counter = counter, .n_groups = 1, .grid_group = 0,
                          .interval_ns = interval };
    aim_corr *c = NULL;
    assert_int_equal(aim__corr_new(&l, &c), 0);
    return c;
}

void make_two_groups(two_groups *d) {
    double cnt = 0, cnt2 = 0;
    for (int k = 0; k < GRID_TICKS; k++) {
        d->tg[k] = (int64_t)k * 10000000 + (int64_t)(uniform() * 200000);
        double load = sin(k * 0.02) + 0.2 * normal();
        d->vg[k][0] = 50 + 40 * load;
        d->vg[k][1] = 10 + 5 * load + normal();
        cnt += 0.01 * (60 + 30 * load);
        d->vg[k][2] = cnt;
        for (int i = 0; i < G0; i++)
            d->og[k][i] = 1;
        d->og[k][1] = uniform() > 0.05;
    }
    for (int k = 0; k < SLOW_TICKS; k++) {
        d->ts[k] = (int64_t)k * 35000000 + 3000000 + (int64_t)(uniform() * 500000);
        double load = sin(d->ts[k] / 10000000.0 * 0.02);
        d->vs[k][0] = 100 * load + 3 * normal();
        cnt2 += 0.035 * (5 + load);
        d->vs[k][1] = cnt2;
        d->os[k][0] = uniform() > 0.1;
        d->os[k][1] = uniform() > 0.1;
    }
}
