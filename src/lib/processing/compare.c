/* The compare table (compare.h). */
#include "processing/compare.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/workload_summary.h"
#include "util/array.h"

enum { RANK_TIME, RANK_DEVICE, RANK_ENERGY, RANK_POWER, RANK_CARBON, RANK_COST, RANK_EFFICIENCY,
       RANK_RECORD };

void aim__cmp_free(aim_cmp_table *t) {
    if (!t)
        return;
    for (size_t i = 0; i < t->n_rows; i++) {
        free(t->rows[i].value);
        free(t->rows[i].sd);
        free(t->rows[i].n);
        free(t->rows[i].ratio);
    }
    free(t->rows);
    memset(t, 0, sizeof *t);
}

typedef struct builder {
    aim_cmp_table *t;
    size_t cap;
    int err;
} builder;

static aim_cmp_row *new_row(aim_cmp_table *t, size_t *cap, const char *key) {
    if (AIM_ARRAY_RESERVE(t->rows, *cap, t->n_rows + 1, 16) < 0)
        return NULL;
    aim_cmp_row *r = &t->rows[t->n_rows];
    memset(r, 0, sizeof *r);
    size_t nc = t->n_cols ? t->n_cols : 1;
    r->value = malloc(nc * sizeof *r->value);
    r->sd = malloc(nc * sizeof *r->sd);
    r->n = calloc(nc, sizeof *r->n);
    r->ratio = malloc(nc * sizeof *r->ratio);
    if (!r->value || !r->sd || !r->n || !r->ratio) {
        free(r->value);
        free(r->sd);
        free(r->n);
        free(r->ratio);
        return NULL;
    }
    for (size_t c = 0; c < nc; c++)
        r->value[c] = r->sd[c] = r->ratio[c] = NAN;
    r->best = -1;
    snprintf(r->key, sizeof r->key, "%s", key);
    t->n_rows++;
    return r;
}

/* The row called key, created with label/unit/rank when new; sets column col to v. */
static void put(builder *b, const char *key, const char *label, const char *unit, int rank,
                int lower_better, size_t col, double v) {
    if (b->err)
        return;
    aim_cmp_table *t = b->t;
    aim_cmp_row *r = NULL;
    for (size_t i = 0; i < t->n_rows && !r; i++)
        if (strcmp(t->rows[i].key, key) == 0)
            r = &t->rows[i];
    if (!r) {
        r = new_row(t, &b->cap, key);
        if (!r) {
            b->err = -ENOMEM;
            return;
        }
        snprintf(r->label, sizeof r->label, "%s", label);
        snprintf(r->unit, sizeof r->unit, "%s", unit);
        r->rank = rank;
        r->lower_better = lower_better;
    }
    if (isfinite(v)) {
        r->value[col] = v;
        r->n[col] = 1;
    }
}

static int by_rank(const void *a, const void *b) {
    const aim_cmp_row *x = a, *y = b;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* qsort is not stable: sort (rank, position) pairs instead of relying on it. */
static void sort_rows(aim_cmp_table *t) {
    for (size_t i = 0; i < t->n_rows; i++)
        t->rows[i].rank = t->rows[i].rank * 1000000 + (int)(i < 999999 ? i : 999999);
    qsort(t->rows, t->n_rows, sizeof *t->rows, by_rank);
    for (size_t i = 0; i < t->n_rows; i++)
        t->rows[i].rank /= 1000000;
}

static void add_run(builder *b, const aim_run_summary *run, size_t col) {
    char key[96], label[128], unit[24];
    double secs = (double)run->duration_ns / 1e9;
    put(b, "time", "Time", "s", RANK_TIME, 1, col, secs);
    for (int d = 0; run->devices && d < run->n_devices; d++) {
        const aim_device_summary *dev = &run->devices[d];
        if (!dev->has_energy)
            continue;
        char name[sizeof dev->name + 1];
        size_t nl = strnlen(dev->name, sizeof dev->name);
        memcpy(name, dev->name, nl);
        name[nl] = '\0';
        snprintf(key, sizeof key, "energy.%s", name);
        snprintf(label, sizeof label, "Energy %s%s", name, dev->in_total ? "" : " (not in total)");
        put(b, key, label, "J", RANK_DEVICE, 1, col, dev->energy_j);
    }
    put(b, "energy", "Energy, total", "J", RANK_ENERGY, 1, col, run->total_energy_j);
    put(b, "power", "Mean power", "W", RANK_POWER, 0, col,
        secs > 0 ? run->total_energy_j / secs : NAN);
    put(b, "carbon", "Carbon", "g CO2e", RANK_CARBON, 1, col, run->carbon_g);
    size_t cl = strnlen(run->currency, sizeof run->currency);
    if (cl) {
        snprintf(key, sizeof key, "cost.%.*s", (int)cl, run->currency);
        snprintf(unit, sizeof unit, "%.*s", (int)cl, run->currency);
        put(b, key, "Cost", unit, RANK_COST, 1, col, run->cost);
    }
    const aim_workload_summary *w = run->workload;
    for (size_t i = 0; w && w->records && i < w->n_records; i++) {
        const aim_record_summary *rec = &w->records[i];
        int kl = (int)strnlen(rec->key, sizeof rec->key);
        if (rec->counter) {
            snprintf(key, sizeof key, "j_per.%.*s", kl, rec->key);
            snprintf(label, sizeof label, "J per %.*s", kl, rec->key);
            snprintf(unit, sizeof unit, "J/unit");
            put(b, key, label, unit, RANK_EFFICIENCY, 1, col,
                rec->total > 0 ? run->total_energy_j / rec->total : NAN);
            snprintf(key, sizeof key, "record.%.*s", kl, rec->key);
            snprintf(label, sizeof label, "%.*s (total)", kl, rec->key);
            put(b, key, label, "", RANK_RECORD, 0, col, rec->total);
        } else {
            snprintf(key, sizeof key, "record.%.*s", kl, rec->key);
            snprintf(label, sizeof label, "%.*s (mean)", kl, rec->key);
            put(b, key, label, "", RANK_RECORD, 0, col,
                rec->count ? rec->total / (double)rec->count : NAN);
        }
    }
}

int aim__cmp_build(const aim_run_summary *const *runs, size_t n_runs, aim_cmp_table *ret) {
    if (!ret || (n_runs && !runs))
        return -EINVAL;
    memset(ret, 0, sizeof *ret);
    ret->n_cols = n_runs;
    builder b = { .t = ret };
    for (size_t i = 0; i < n_runs && !b.err; i++)
        add_run(&b, runs[i], i);
    if (b.err) {
        aim__cmp_free(ret);
        return b.err;
    }
    sort_rows(ret);
    return 0;
}

int aim__cmp_group(const aim_cmp_table *in, const size_t *group_of, size_t n_groups,
                  aim_cmp_table *ret) {
    if (!in || !ret || (in->n_cols && !group_of))
        return -EINVAL;
    for (size_t c = 0; c < in->n_cols; c++)
        if (group_of[c] >= n_groups)
            return -EINVAL;
    memset(ret, 0, sizeof *ret);
    ret->n_cols = n_groups;
    size_t cap = 0;
    for (size_t i = 0; i < in->n_rows; i++) {
        const aim_cmp_row *src = &in->rows[i];
        aim_cmp_row *r = new_row(ret, &cap, src->key);
        if (!r) {
            aim__cmp_free(ret);
            return -ENOMEM;
        }
        memcpy(r->label, src->label, sizeof r->label);
        memcpy(r->unit, src->unit, sizeof r->unit);
        r->rank = src->rank;
        r->lower_better = src->lower_better;
        /* Two passes per group: the mean, then the squared deviations from it. */
        for (size_t g = 0; g < n_groups; g++) {
            double sum = 0;
            uint64_t n = 0;
            for (size_t c = 0; c < in->n_cols; c++)
                if (group_of[c] == g && !isnan(src->value[c])) {
                    sum += src->value[c];
                    n++;
                }
            if (n == 0)
                continue;
            double mean = sum / (double)n, ss = 0;
            for (size_t c = 0; c < in->n_cols; c++)
                if (group_of[c] == g && !isnan(src->value[c]))
                    ss += (src->value[c] - mean) * (src->value[c] - mean);
            r->value[g] = mean;
            r->n[g] = n;
            r->sd[g] = n >= 2 ? sqrt(ss / (double)(n - 1)) : NAN;
        }
    }
    return 0;
}

void aim__cmp_finish(aim_cmp_table *t, size_t baseline) {
    for (size_t i = 0; i < t->n_rows; i++) {
        aim_cmp_row *r = &t->rows[i];
        double base = baseline < t->n_cols ? r->value[baseline] : NAN;
        r->best = -1;
        for (size_t c = 0; c < t->n_cols; c++) {
            r->ratio[c] = !isnan(base) && base != 0 && !isnan(r->value[c]) ? r->value[c] / base
                                                                           : NAN;
            if (r->lower_better && !isnan(r->value[c]) &&
                (r->best < 0 || r->value[c] < r->value[r->best]))
                r->best = (long)c;
        }
        /* One run alone is not "the best" of anything. */
        size_t have = 0;
        for (size_t c = 0; c < t->n_cols; c++)
            have += !isnan(r->value[c]);
        if (have < 2)
            r->best = -1;
    }
}

/* ------------------------------------------------------------------ the comparison */

static const aim_run_tag *find_tag(const aim_run_summary *run, const char *key) {
    for (size_t i = 0; i < run->n_tags; i++)
        if (strcmp(run->tags[i].key, key) == 0)
            return &run->tags[i];
    return NULL;
}

/* Groups in the order their first run appears. */
static int make_groups(aim_compare_result *q) {
    q->group_of = calloc(q->n + 1, sizeof *q->group_of);
    q->groups = calloc(q->n + 1, sizeof *q->groups);
    if (!q->group_of || !q->groups)
        return -ENOMEM;
    for (size_t i = 0; i < q->n; i++) {
        const aim_run_tag *t = find_tag(&q->runs[i], q->by);
        size_t g = 0;
        while (g < q->n_groups && !(q->groups[g].has == (t != NULL) &&
                                    (!t || strcmp(q->groups[g].value, t->value) == 0)))
            g++;
        if (g == q->n_groups) {
            q->groups[g].has = t != NULL;
            if (t)
                memcpy(q->groups[g].value, t->value, sizeof q->groups[g].value);
            q->n_groups++;
        }
        q->groups[g].n_runs++;
        q->group_of[i] = g;
    }
    return 0;
}

size_t aim__compare_base_col(const aim_compare_result *res) {
    return res->by ? res->group_of[res->baseline] : res->baseline;
}

int aim__compare_compute(const aim_run_summary *runs, size_t n, size_t baseline, const char *by,
                        aim_compare_result *ret) {
    memset(ret, 0, sizeof *ret);
    if (!runs || n == 0 || baseline >= n)
        return -EINVAL;
    ret->runs = runs;
    ret->n = n;
    ret->baseline = baseline;
    ret->by = by;
    int r = by ? make_groups(ret) : 0;
    const aim_run_summary **ptrs = r == 0 ? calloc(n, sizeof *ptrs) : NULL;
    if (r == 0 && !ptrs)
        r = -ENOMEM;
    if (r == 0) {
        for (size_t i = 0; i < n; i++)
            ptrs[i] = &runs[i];
        aim_cmp_table per_run;
        r = aim__cmp_build(ptrs, n, &per_run);
        if (r == 0 && by) {
            r = aim__cmp_group(&per_run, ret->group_of, ret->n_groups, &ret->table);
            aim__cmp_free(&per_run);
        } else if (r == 0) {
            ret->table = per_run;
        }
    }
    free(ptrs);
    if (r == 0)
        aim__cmp_finish(&ret->table, aim__compare_base_col(ret));
    return r;
}

void aim__compare_result_free(aim_compare_result *res) {
    if (!res)
        return;
    aim__cmp_free(&res->table);
    free(res->group_of);
    free(res->groups);
    res->group_of = NULL;
    res->groups = NULL;
    res->n_groups = 0;
}
