/* Correlation upkeep: the grid alignment and the co-moment accumulation (corr.h). */
#include "processing/corr.h"
#include "processing/stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Hold-back rings cover this much time of each group: the writer drains every ring at least
 * once a second and the slowest source ticks once a second, so a grid tick waits at most
 * about two seconds for the other groups. */
#define HOLD_WINDOW_NS 3000000000LL
#define REPLAY_RING 64
#define QUANT_LIMIT 9007199254740992.0
/* With more distinct values than AIM_CORR_MIN_SPREAD, at least that many differ from the
 * most common one, so counting that many values exactly is enough. */
#define SPREAD_K AIM_CORR_MIN_SPREAD

typedef struct corr_group {
    int base, count;          /* slots [base, base + count) */
    int active;               /* has series taking part (or is the grid) */
    int cap, head, len;       /* ring of ticks not yet consumed */
    int64_t *t;
    double *v;                /* [cap * count] */
    uint8_t *ok;
    int seen;                 /* a tick was delivered */
    int64_t last_seen;        /* the latest delivered tick */
    int held;                 /* a tick was consumed */
    int64_t held_t;           /* the latest consumed tick */
} corr_group;

/* Rows sharing one validity pattern: Welford with one count for all its series. */
typedef struct corr_block {
    int used;
    uint64_t last_use;
    uint8_t *mask;            /* [n] */
    int *idx;                 /* the valid series, ascending */
    int k;
    uint64_t count;
    double *mean, *m2;        /* [k] */
    double *c;                /* packed upper triangle over k: co-moments */
} corr_block;

struct aim_corr {
    int n;                    /* series taking part */
    int n_slots;
    int *slot_of;             /* [n] */
    int *index_of;            /* [n_slots]: index or -1 */
    double *res;              /* [n_slots] */
    uint8_t *counter;         /* [n_slots] */
    corr_group *groups;
    int n_groups, grid;
    int64_t interval_ns, stale_ns;
    int64_t last_grid_t;      /* the latest grid tick that made a row */
    int have_grid_t;
    int64_t watermark;
    int closed, finished;

    /* alignment state, per series index */
    double *held_v;
    uint8_t *held_ok;
    double *prev_v;           /* counters: the previous valid (quantised) sample */
    int64_t *prev_t;
    uint8_t *has_prev;
    double *x;                /* the row being built */
    uint8_t *xok;
    double *d, *e;            /* Welford scratch, [n] */

    aim_time_range *ranges;   /* sorted, merged */
    size_t n_ranges, range_pos;

    corr_block blocks[AIM_CORR_BLOCKS];
    uint64_t use_clock;

    /* per pair (packed upper triangle over n) */
    uint64_t *pn;
    double *pmx, *pmy, *pm2x, *pm2y, *pc;
    /* per series (the diagonal) */
    uint64_t *sn;
    double *smean, *sm2;
    /* per series, its first SPREAD_K distinct grid values and how often each came (nd past
     * SPREAD_K: more distinct values than that); enough to tell a series that is constant
     * but for one or two samples (corr.h, AIM_CORR_MIN_SPREAD) */
    double *dv;               /* [n * SPREAD_K] */
    uint64_t *dc;             /* [n * SPREAD_K] */
    uint8_t *nd;

    uint64_t ticks, forced;

    aim_corr_row_fn row_fn;   /* sees every row (aim__corr_set_row_fn), or NULL */
    void *row_userdata;
};

double aim__corr_quantise(double v, double resolution) {
    double x = v / resolution;
    if (!(fabs(x) <= QUANT_LIMIT))
        return v;
    return (double)(int64_t)llround(x) * resolution;
}

static size_t tri(size_t k) { return k * (k - 1) / 2; }

void aim__corr_include(int n_series, const int *instance, uint8_t *include) {
    int n = 0;
    for (int i = 0; i < n_series; i++) {
        include[i] = 1;
        n++;
    }
    for (int i = n_series - 1; i >= 0 && n > AIM_CORR_MAX_SERIES; i--)
        if (instance[i] >= 0) {
            include[i] = 0;
            n--;
        }
}

void aim__corr_free(aim_corr *c) {
    if (!c)
        return;
    for (int g = 0; g < c->n_groups; g++) {
        free(c->groups[g].t);
        free(c->groups[g].v);
        free(c->groups[g].ok);
    }
    free(c->groups);
    for (int b = 0; b < AIM_CORR_BLOCKS; b++) {
        free(c->blocks[b].mask);
        free(c->blocks[b].idx);
        free(c->blocks[b].mean);
        free(c->blocks[b].m2);
        free(c->blocks[b].c);
    }
    free(c->slot_of);
    free(c->index_of);
    free(c->res);
    free(c->counter);
    free(c->held_v);
    free(c->held_ok);
    free(c->prev_v);
    free(c->prev_t);
    free(c->has_prev);
    free(c->x);
    free(c->xok);
    free(c->d);
    free(c->e);
    free(c->ranges);
    free(c->pn);
    free(c->pmx);
    free(c->pmy);
    free(c->pm2x);
    free(c->pm2y);
    free(c->pc);
    free(c->sn);
    free(c->smean);
    free(c->sm2);
    free(c->dv);
    free(c->dc);
    free(c->nd);
    free(c);
}

static int check_layout(const aim_corr_layout *l) {
    if (!l || l->n_series < 0 || l->n_groups < 1 || l->grid_group < 0 ||
        l->grid_group >= l->n_groups || l->interval_ns <= 0 ||
        (l->n_series > 0 && (!l->group || !l->resolution || !l->counter)))
        return -EINVAL;
    int prev = -1;
    for (int i = 0; i < l->n_series; i++) {
        if (l->group[i] < 0 || l->group[i] >= l->n_groups || !(l->resolution[i] > 0) ||
            !isfinite(l->resolution[i]))
            return -EINVAL;
        /* contiguous groups: a group seen before may not come back */
        if (l->group[i] != prev)
            for (int k = 0; k < i; k++)
                if (l->group[k] == l->group[i])
                    return -EINVAL;
        prev = l->group[i];
    }
    return 0;
}

/* Chooses the series that take part: every included one, the last slots dropped beyond
 * AIM_CORR_MAX_SERIES (aim__corr_include() has already left per-instance series out). */
static int choose(aim_corr *c, const aim_corr_layout *l) {
    int n = 0;
    for (int i = 0; i < l->n_series; i++)
        c->index_of[i] = !l->include || l->include[i] ? 0 : -1;
    for (int i = 0; i < l->n_series; i++)
        n += c->index_of[i] == 0;
    for (int i = l->n_series - 1; i >= 0 && n > AIM_CORR_MAX_SERIES; i--)
        if (c->index_of[i] == 0) {
            c->index_of[i] = -1;
            n--;
        }
    n = 0;
    for (int i = 0; i < l->n_series; i++)
        if (c->index_of[i] == 0) {
            c->slot_of[n] = i;
            c->index_of[i] = n++;
        }
    return n;
}

static int ring_cap(const aim_corr_layout *l, int g) {
    if (!l->group_interval_ns || l->group_interval_ns[g] <= 0)
        return REPLAY_RING;
    int64_t cap = HOLD_WINDOW_NS / l->group_interval_ns[g] + 8;
    return cap > 65536 ? 65536 : (int)cap;
}

int aim__corr_new(const aim_corr_layout *l, aim_corr **ret) {
    int r = check_layout(l);
    if (r < 0 || !ret)
        return -EINVAL;
    aim_corr *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    size_t slots = (size_t)l->n_series + 1;
    c->n_slots = l->n_series;
    c->slot_of = calloc(slots, sizeof *c->slot_of);
    c->index_of = calloc(slots, sizeof *c->index_of);
    c->res = calloc(slots, sizeof *c->res);
    c->counter = calloc(slots, 1);
    c->groups = calloc((size_t)l->n_groups, sizeof *c->groups);
    if (!c->slot_of || !c->index_of || !c->res || !c->counter || !c->groups) {
        aim__corr_free(c);
        return -ENOMEM;
    }
    c->n_groups = l->n_groups;
    c->grid = l->grid_group;
    c->interval_ns = l->interval_ns;
    /* The slowest source floor is 1 s: a group's latest tick is at most one of its intervals
     * old, so twice that tolerates one missed tick before a series stops contributing. */
    c->stale_ns = 2 * (l->interval_ns > 1000000000LL ? l->interval_ns : 1000000000LL);
    c->watermark = INT64_MIN;
    for (int i = 0; i < l->n_series; i++) {
        c->res[i] = l->resolution[i];
        c->counter[i] = l->counter[i] != 0;
    }
    int n = c->n = choose(c, l);

    for (int g = 0; g < l->n_groups; g++) {
        corr_group *gr = &c->groups[g];
        gr->base = -1;
        for (int i = 0; i < l->n_series; i++)
            if (l->group[i] == g) {
                if (gr->base < 0)
                    gr->base = i;
                gr->count++;
                gr->active |= c->index_of[i] >= 0;
            }
        if (gr->base < 0)
            gr->base = 0;
        gr->active |= g == c->grid;
        if (!gr->active)
            continue;
        gr->cap = ring_cap(l, g);
        size_t cells = (size_t)gr->cap * (size_t)(gr->count ? gr->count : 1);
        gr->t = calloc((size_t)gr->cap, sizeof *gr->t);
        gr->v = calloc(cells, sizeof *gr->v);
        gr->ok = calloc(cells, 1);
        if (!gr->t || !gr->v || !gr->ok) {
            aim__corr_free(c);
            return -ENOMEM;
        }
    }

    size_t sn = (size_t)n + 1, pairs = tri((size_t)n) + 1;
    c->held_v = calloc(sn, sizeof *c->held_v);
    c->held_ok = calloc(sn, 1);
    c->prev_v = calloc(sn, sizeof *c->prev_v);
    c->prev_t = calloc(sn, sizeof *c->prev_t);
    c->has_prev = calloc(sn, 1);
    c->x = calloc(sn, sizeof *c->x);
    c->xok = calloc(sn, 1);
    c->d = calloc(sn, sizeof *c->d);
    c->e = calloc(sn, sizeof *c->e);
    c->pn = calloc(pairs, sizeof *c->pn);
    c->pmx = calloc(pairs, sizeof *c->pmx);
    c->pmy = calloc(pairs, sizeof *c->pmy);
    c->pm2x = calloc(pairs, sizeof *c->pm2x);
    c->pm2y = calloc(pairs, sizeof *c->pm2y);
    c->pc = calloc(pairs, sizeof *c->pc);
    c->sn = calloc(sn, sizeof *c->sn);
    c->smean = calloc(sn, sizeof *c->smean);
    c->sm2 = calloc(sn, sizeof *c->sm2);
    c->dv = calloc(sn * SPREAD_K, sizeof *c->dv);
    c->dc = calloc(sn * SPREAD_K, sizeof *c->dc);
    c->nd = calloc(sn, 1);
    int bad = !c->held_v || !c->held_ok || !c->prev_v || !c->prev_t || !c->has_prev || !c->x ||
              !c->xok || !c->d || !c->e || !c->pn || !c->pmx || !c->pmy || !c->pm2x ||
              !c->pm2y || !c->pc || !c->sn || !c->smean || !c->sm2 ||
              !c->dv || !c->dc || !c->nd;
    for (int b = 0; b < AIM_CORR_BLOCKS && !bad; b++) {
        corr_block *bl = &c->blocks[b];
        bl->mask = calloc(sn, 1);
        bl->idx = calloc(sn, sizeof *bl->idx);
        bl->mean = calloc(sn, sizeof *bl->mean);
        bl->m2 = calloc(sn, sizeof *bl->m2);
        bl->c = calloc(pairs, sizeof *bl->c);
        bad = !bl->mask || !bl->idx || !bl->mean || !bl->m2 || !bl->c;
    }
    if (bad) {
        aim__corr_free(c);
        return -ENOMEM;
    }
    *ret = c;
    return 0;
}

static int range_cmp(const void *a, const void *b) {
    const aim_time_range *x = a, *y = b;
    return x->t0_ns < y->t0_ns ? -1 : x->t0_ns > y->t0_ns;
}

int aim__corr_set_ranges(aim_corr *c, const aim_time_range *ranges, size_t n) {
    if (!c || (n && !ranges) || c->ticks)
        return -EINVAL;
    aim_time_range *copy = malloc((n ? n : 1) * sizeof *copy);
    if (!copy)
        return -ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (ranges[i].t1_ns > ranges[i].t0_ns)
            copy[m++] = ranges[i];
    qsort(copy, m, sizeof *copy, range_cmp);
    /* merge overlaps so a forward cursor finds a tick's range */
    size_t w = 0;
    for (size_t i = 0; i < m; i++) {
        if (w && copy[i].t0_ns <= copy[w - 1].t1_ns) {
            if (copy[i].t1_ns > copy[w - 1].t1_ns)
                copy[w - 1].t1_ns = copy[i].t1_ns;
        } else {
            copy[w++] = copy[i];
        }
    }
    free(c->ranges);
    c->ranges = copy;
    /* "restricted to nothing" must stay distinguishable from "not restricted" */
    c->n_ranges = w ? w : 1;
    if (!w)
        copy[0] = (aim_time_range){ 0, 0 };
    c->range_pos = 0;
    return 0;
}

static int in_ranges(aim_corr *c, int64_t t) {
    if (!c->ranges)
        return 1;
    while (c->range_pos < c->n_ranges && c->ranges[c->range_pos].t1_ns <= t)
        c->range_pos++;
    return c->range_pos < c->n_ranges && c->ranges[c->range_pos].t0_ns <= t;
}

/* ------------------------------------------------------------------ accumulation */

/* Merges a block into the per-pair and per-series state (Chan et al.):
 *   n = na + nb, δ = mean_b - mean_a, mean = mean_a + δ nb / n,
 *   M2 = M2a + M2b + δ² na nb / n, C = Ca + Cb + δx δy na nb / n. */
static void block_flush(aim_corr *c, corr_block *b) {
    if (!b->used || b->count == 0) {
        b->used = 0;
        return;
    }
    int n = c->n, k = b->k;
    double nb = (double)b->count;
    for (int p = 0; p < k; p++) {
        int i = b->idx[p];
        if (c->sn[i] == 0) {
            c->sn[i] = b->count;
            c->smean[i] = b->mean[p];
            c->sm2[i] = b->m2[p];
        } else {
            double na = (double)c->sn[i], tot = na + nb, dx = b->mean[p] - c->smean[i];
            c->smean[i] += dx * nb / tot;
            c->sm2[i] += b->m2[p] + dx * dx * na * nb / tot;
            c->sn[i] += b->count;
        }
    }
    size_t bp = 0;
    for (int p = 0; p < k; p++) {
        int i = b->idx[p];
        for (int q = p + 1; q < k; q++, bp++) {
            int j = b->idx[q];
            size_t ij = aim__corr_pair_index(n, i, j);
            if (c->pn[ij] == 0) {
                c->pn[ij] = b->count;
                c->pmx[ij] = b->mean[p];
                c->pmy[ij] = b->mean[q];
                c->pm2x[ij] = b->m2[p];
                c->pm2y[ij] = b->m2[q];
                c->pc[ij] = b->c[bp];
                continue;
            }
            double na = (double)c->pn[ij], w = nb / (na + nb);
            double dx = b->mean[p] - c->pmx[ij], dy = b->mean[q] - c->pmy[ij];
            double f = na * w;
            c->pmx[ij] += dx * w;
            c->pmy[ij] += dy * w;
            c->pm2x[ij] += b->m2[p] + dx * dx * f;
            c->pm2y[ij] += b->m2[q] + dy * dy * f;
            c->pc[ij] += b->c[bp] + dx * dy * f;
            c->pn[ij] += b->count;
        }
    }
    b->used = 0;
}

static corr_block *block_for(aim_corr *c, const uint8_t *mask) {
    corr_block *lru = &c->blocks[0];
    for (int i = 0; i < AIM_CORR_BLOCKS; i++) {
        corr_block *b = &c->blocks[i];
        if (b->used && memcmp(b->mask, mask, (size_t)c->n) == 0)
            return b;
        if (!b->used || (lru->used && b->last_use < lru->last_use))
            lru = b;
    }
    block_flush(c, lru);
    memcpy(lru->mask, mask, (size_t)c->n);
    lru->k = 0;
    for (int i = 0; i < c->n; i++)
        if (mask[i])
            lru->idx[lru->k++] = i;
    lru->count = 0;
    memset(lru->mean, 0, sizeof *lru->mean * (size_t)lru->k);
    memset(lru->m2, 0, sizeof *lru->m2 * (size_t)lru->k);
    memset(lru->c, 0, sizeof *lru->c * tri((size_t)lru->k));
    lru->used = 1;
    return lru;
}

/* Counts a grid value of series i among its first SPREAD_K distinct ones. */
static void note_value(aim_corr *c, int i, double v) {
    if (c->nd[i] > SPREAD_K)
        return;
    double *dv = c->dv + (size_t)i * SPREAD_K;
    uint64_t *dc = c->dc + (size_t)i * SPREAD_K;
    for (int k = 0; k < c->nd[i]; k++)
        if (dv[k] == v) {
            dc[k]++;
            return;
        }
    if (c->nd[i] < SPREAD_K) {
        dv[c->nd[i]] = v;
        dc[c->nd[i]] = 1;
    }
    c->nd[i]++;
}

/* Grid values of series i away from its most common one, counted up to SPREAD_K. */
static uint8_t spread_of(const aim_corr *c, int i) {
    if (c->nd[i] > SPREAD_K)
        return SPREAD_K;
    uint64_t top = 0;
    for (int k = 0; k < c->nd[i]; k++)
        if (c->dc[(size_t)i * SPREAD_K + k] > top)
            top = c->dc[(size_t)i * SPREAD_K + k];
    uint64_t off = c->sn[i] - top;
    return (uint8_t)(off < SPREAD_K ? off : SPREAD_K);
}

/* One row: Welford within the block, C_pq += (x_p - mean_p,old) (x_q - mean_q,new). */
static void accumulate(aim_corr *c, const double *x, const uint8_t *ok) {
    int any = 0;
    for (int i = 0; i < c->n; i++)
        if (ok[i]) {
            any = 1;
            note_value(c, i, x[i]);
        }
    if (!any)
        return;
    corr_block *b = block_for(c, ok);
    b->last_use = ++c->use_clock;
    b->count++;
    double inv = 1.0 / (double)b->count;
    int k = b->k;
    double *d = c->d, *e = c->e;
    for (int p = 0; p < k; p++) {
        double v = x[b->idx[p]];
        double dv = v - b->mean[p];
        b->mean[p] += dv * inv;
        double ev = v - b->mean[p];
        b->m2[p] += dv * ev;
        d[p] = dv;
        e[p] = ev;
    }
    double *row = b->c;
    for (int p = 0; p < k - 1; p++) {
        double dp = d[p];
        const double *eq = e + p + 1;
        int len = k - p - 1;
        for (int q = 0; q < len; q++)
            row[q] += dp * eq[q];
        row += len;
    }
}

/* ------------------------------------------------------------------ alignment */

/* A group's tick becomes the held state of its series. */
static void consume(aim_corr *c, corr_group *g, int64_t t, const double *v, const uint8_t *ok) {
    for (int p = 0; p < g->count; p++) {
        int slot = g->base + p;
        int i = c->index_of[slot];
        if (i < 0)
            continue;
        if (!ok[p] || !isfinite(v[p])) {
            c->held_ok[i] = 0;
            continue;
        }
        double q = aim__corr_quantise(v[p], c->res[slot]);
        if (!c->counter[slot]) {
            c->held_v[i] = q;
            c->held_ok[i] = 1;
            continue;
        }
        /* A counter's rate over the span since its previous valid sample. */
        if (c->has_prev[i] && t > c->prev_t[i]) {
            c->held_v[i] = (q - c->prev_v[i]) / ((double)(t - c->prev_t[i]) * 1e-9);
            c->held_ok[i] = 1;
        } else {
            c->held_ok[i] = 0;
        }
        c->prev_v[i] = q;
        c->prev_t[i] = t;
        c->has_prev[i] = 1;
    }
    g->held = 1;
    g->held_t = t;
}

static void consume_head(aim_corr *c, corr_group *g) {
    size_t off = (size_t)g->head * (size_t)g->count;
    consume(c, g, g->t[g->head], g->v + off, g->ok + off);
    g->head = (g->head + 1) % g->cap;
    g->len--;
}

static void consume_upto(aim_corr *c, corr_group *g, int64_t t) {
    while (g->len > 0 && g->t[g->head] <= t)
        consume_head(c, g);
}

/* Processes the oldest grid tick: its row from every series' held value. */
static void emit(aim_corr *c) {
    corr_group *grid = &c->groups[c->grid];
    int64_t t = grid->t[grid->head];
    consume_head(c, grid);
    if (!in_ranges(c, t))
        return;
    /* The run's closing sample, 1-2 ms after the previous tick, makes no row: its counter
     * rates are mostly granularity (processing/stats.h). Live and replay both see it here. */
    if (c->have_grid_t && aim__interval_is_short(t - c->last_grid_t, c->interval_ns))
        return;
    c->last_grid_t = t;
    c->have_grid_t = 1;
    memcpy(c->x, c->held_v, sizeof *c->x * (size_t)c->n);
    memcpy(c->xok, c->held_ok, (size_t)c->n);
    for (int gi = 0; gi < c->n_groups; gi++) {
        const corr_group *g = &c->groups[gi];
        if (!g->active || gi == c->grid || (g->held && t - g->held_t <= c->stale_ns))
            continue;
        /* stale or never seen: its series have no value at t */
        for (int p = 0; p < g->count; p++) {
            int i = c->index_of[g->base + p];
            if (i >= 0)
                c->xok[i] = 0;
        }
    }
    if (c->row_fn)
        c->row_fn(c->row_userdata, t, c->x, c->xok);
    accumulate(c, c->x, c->xok);
    c->ticks++;
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

static void advance(aim_corr *c) {
    corr_group *grid = &c->groups[c->grid];
    for (;;) {
        if (grid->len == 0) {
            /* every grid tick up to `done` is processed: other groups may catch up to it */
            int64_t done = c->closed ? INT64_MAX
                                     : max64(grid->seen ? grid->last_seen : INT64_MIN,
                                             c->watermark);
            for (int gi = 0; gi < c->n_groups; gi++)
                if (gi != c->grid && c->groups[gi].active)
                    consume_upto(c, &c->groups[gi], done);
            return;
        }
        int64_t t = grid->t[grid->head];
        int ready = 1;
        for (int gi = 0; gi < c->n_groups; gi++) {
            corr_group *g = &c->groups[gi];
            if (gi == c->grid || !g->active)
                continue;
            consume_upto(c, g, t);
            if (!c->closed && c->watermark < t && !(g->seen && g->last_seen >= t))
                ready = 0;
        }
        if (!ready)
            return;
        emit(c);
    }
}

void aim__corr_tick(aim_corr *c, int group, int64_t t_ns, const double *values,
                   const uint8_t *valid) {
    if (!c || c->finished || group < 0 || group >= c->n_groups)
        return;
    corr_group *g = &c->groups[group];
    if (!g->active)
        return;
    if (g->len == g->cap) {
        /* Held back longer than the ring covers: a group stalled. Process the oldest tick
         * with what is known now; a replay could differ, so say so. */
        c->forced++;
        if (group == c->grid) {
            corr_group *grid = g;
            for (int gi = 0; gi < c->n_groups; gi++)
                if (gi != c->grid && c->groups[gi].active)
                    consume_upto(c, &c->groups[gi], grid->t[grid->head]);
            emit(c);
        } else {
            consume_head(c, g);
        }
    }
    int pos = (g->head + g->len) % g->cap;
    g->t[pos] = t_ns;
    if (g->count) {
        size_t off = (size_t)pos * (size_t)g->count;
        memcpy(g->v + off, values, sizeof *values * (size_t)g->count);
        if (valid)
            memcpy(g->ok + off, valid, (size_t)g->count);
        else
            memset(g->ok + off, 1, (size_t)g->count);
    }
    g->len++;
    g->seen = 1;
    g->last_seen = t_ns;
    advance(c);
}

void aim__corr_watermark(aim_corr *c, int64_t t_ns) {
    if (!c || c->finished || t_ns <= c->watermark)
        return;
    c->watermark = t_ns;
    advance(c);
}

void aim__corr_set_row_fn(aim_corr *c, aim_corr_row_fn fn, void *userdata) {
    c->row_fn = fn;
    c->row_userdata = userdata;
}

uint64_t aim__corr_ticks(const aim_corr *c) { return c ? c->ticks : 0; }
uint64_t aim__corr_forced(const aim_corr *c) { return c ? c->forced : 0; }

int aim__corr_finish(aim_corr *c, aim_corr_matrix **ret) {
    if (!c || !ret)
        return -EINVAL;
    if (!c->finished) {
        c->closed = 1;
        advance(c);
        for (int b = 0; b < AIM_CORR_BLOCKS; b++)
            block_flush(c, &c->blocks[b]);
        c->finished = 1;
    }
    aim_corr_matrix *m;
    int r = aim__corr_matrix_new(c->n, &m);
    if (r < 0)
        return r;
    memcpy(m->slot, c->slot_of, sizeof *m->slot * (size_t)c->n);
    m->ticks = c->ticks;
    m->interval_ns = c->interval_ns;
    m->exact = c->forced == 0;
    for (int i = 0; i < c->n; i++) {
        m->self_n[i] = c->sn[i];
        m->varying[i] = c->sm2[i] > 0;
        m->spread[i] = spread_of(c, i);
    }
    size_t pairs = tri((size_t)c->n);
    for (size_t ij = 0; ij < pairs; ij++) {
        m->pn[ij] = c->pn[ij];
        double sxx = c->pm2x[ij], syy = c->pm2y[ij];
        if (c->pn[ij] < 2 || !(sxx > 0) || !(syy > 0)) {
            m->r[ij] = NAN;
            continue;
        }
        double rr = c->pc[ij] / sqrt(sxx * syy);
        m->r[ij] = rr > 1 ? 1 : rr < -1 ? -1 : rr;
    }
    *ret = m;
    return 0;
}
