/* A finished correlation matrix: which series are constant, which are the same quantity,
 * and which pairs are findings (corr.h). Pure functions of the matrix, so the report, the
 * stored matrix and a replay all classify alike. */
#include "processing/corr.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int aim__corr_matrix_new(int n, aim_corr_matrix **ret) {
    if (n < 0 || !ret)
        return -EINVAL;
    aim_corr_matrix *m = calloc(1, sizeof *m);
    if (!m)
        return -ENOMEM;
    size_t sn = (size_t)n + 1, pairs = (size_t)n * (size_t)(n > 0 ? n - 1 : 0) / 2 + 1;
    m->n = n;
    m->exact = 1;
    m->slot = calloc(sn, sizeof *m->slot);
    m->self_n = calloc(sn, sizeof *m->self_n);
    m->varying = calloc(sn, 1);
    m->spread = malloc(sn);
    m->pn = calloc(pairs, sizeof *m->pn);
    m->r = malloc(pairs * sizeof *m->r);
    if (!m->slot || !m->self_n || !m->varying || !m->spread || !m->pn || !m->r) {
        aim__corr_matrix_free(m);
        return -ENOMEM;
    }
    for (size_t i = 0; i < pairs; i++)
        m->r[i] = NAN;
    memset(m->spread, AIM_CORR_MIN_SPREAD, sn); /* until counted: as before schema 9 */
    *ret = m;
    return 0;
}

void aim__corr_matrix_free(aim_corr_matrix *m) {
    if (!m)
        return;
    free(m->slot);
    free(m->self_n);
    free(m->varying);
    free(m->spread);
    free(m->pn);
    free(m->r);
    free(m);
}

int aim__corr_matrix_index(const aim_corr_matrix *m, int slot) {
    /* slots ascend: binary search */
    int lo = 0, hi = m->n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (m->slot[mid] == slot)
            return mid;
        if (m->slot[mid] < slot)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

aim_corr_series_state aim__corr_matrix_state(const aim_corr_matrix *m, int i) {
    if (m->self_n[i] < AIM_CORR_MIN_N)
        return AIM_CORR_SERIES_NO_DATA;
    if (!m->varying[i])
        return AIM_CORR_SERIES_CONSTANT;
    return m->spread[i] < AIM_CORR_MIN_SPREAD ? AIM_CORR_SERIES_SPARSE : AIM_CORR_SERIES_VARYING;
}

static int usable(const aim_corr_matrix *m, int i) {
    return aim__corr_matrix_state(m, i) == AIM_CORR_SERIES_VARYING;
}

static int find_root(int *parent, int i) {
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

int aim__corr_derived(const int *model, int i, int j) {
    return model && model[i] != 0 && model[i] == -model[j];
}

void aim__corr_classes(const aim_corr_matrix *m, const int *same_key, const int *model,
                      int *rep) {
    int n = m->n;
    for (int i = 0; i < n; i++)
        rep[i] = i;
    for (int i = 0; i < n; i++) {
        if (!usable(m, i))
            continue;
        for (int j = i + 1; j < n; j++) {
            size_t ij = aim__corr_pair_index(n, i, j);
            double limit = same_key && same_key[i] >= 0 && same_key[i] == same_key[j]
                               ? AIM_CORR_DEFINED_R : AIM_CORR_IDENTICAL_R;
            /* signed: r near -1 is one series mirroring the other, not the same quantity */
            if (!usable(m, j) || m->pn[ij] < AIM_CORR_MIN_N || !(m->r[ij] >= limit) ||
                aim__corr_derived(model, i, j))
                continue;
            int a = find_root(rep, i), b = find_root(rep, j);
            /* the smaller index is the root, so a class's root is its first series */
            if (a < b)
                rep[b] = a;
            else if (b < a)
                rep[a] = b;
        }
    }
    for (int i = 0; i < n; i++)
        rep[i] = find_root(rep, i);
}

static int pick_cmp_strength(const aim_corr_pick *x, const aim_corr_pick *y) {
    double ax = fabs(x->r), ay = fabs(y->r);
    if (ax != ay)
        return ax > ay ? -1 : 1;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

static int cmp_strength(const void *a, const void *b) { return pick_cmp_strength(a, b); }

static int cmp_index(const void *a, const void *b) {
    const aim_corr_pick *x = a, *y = b;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

static int wanted(const aim_corr_matrix *m, const int *rep, const int *model,
                  aim_corr_pick_kind kind, double min_abs, int i, int j, size_t ij) {
    double r = m->r[ij];
    if (kind == AIM_CORR_PICK_IDENTICAL)
        return rep[j] == i; /* each member once, with its class's first series */
    if (kind == AIM_CORR_PICK_DERIVED)
        return aim__corr_derived(model, i, j) && rep[i] == i && rep[j] == j && isfinite(r) &&
               m->pn[ij] >= AIM_CORR_MIN_N;
    if (!usable(m, i) || !usable(m, j) || m->pn[ij] < AIM_CORR_MIN_N || !isfinite(r) ||
        aim__corr_derived(model, i, j))
        return 0;
    if (rep[i] != i || rep[j] != j || fabs(r) < min_abs)
        return 0;
    return kind == AIM_CORR_PICK_POSITIVE ? r > 0 : r < 0;
}

size_t aim__corr_select(const aim_corr_matrix *m, const int *rep, const int *model,
                       aim_corr_pick_kind kind, double min_abs, aim_corr_pick *out, size_t max) {
    int n = m->n;
    size_t total = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            total += (size_t)wanted(m, rep, model, kind, min_abs, i, j,
                                   aim__corr_pair_index(n, i, j));
    if (max == 0 || total == 0)
        return total;
    aim_corr_pick *all = malloc(total * sizeof *all);
    if (!all)
        return (size_t)-1;
    size_t k = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            size_t ij = aim__corr_pair_index(n, i, j);
            if (wanted(m, rep, model, kind, min_abs, i, j, ij))
                all[k++] = (aim_corr_pick){ .a = i, .b = j, .r = m->r[ij], .n = m->pn[ij] };
        }
    qsort(all, total, sizeof *all,
          kind == AIM_CORR_PICK_IDENTICAL || kind == AIM_CORR_PICK_DERIVED ? cmp_index
                                                                           : cmp_strength);
    memcpy(out, all, (max < total ? max : total) * sizeof *out);
    free(all);
    return total;
}
