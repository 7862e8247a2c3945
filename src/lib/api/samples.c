/* aim_samples (aimeter.h, "reading a stored run"): a run's samples as rows of numbers, for
 * bindings that would otherwise parse the CSV export. Each rate group is decoded once into
 * arrays; a row is a tick of the group with the most ticks, and for every other group the
 * index of its latest tick at or before it (the export's alignment), so memory is the
 * samples themselves plus one index per row and group. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "api/run_load.h"
#include "api/store_error.h"
#include "util/array.h"

typedef struct group_data {
    int group;
    size_t n;                 /* series in the group */
    size_t *column;           /* each one's column (slot order) */
    int64_t *t;
    double *v;                /* [tick * n + i], NaN where the tick has no value */
    size_t ticks, cap;
} group_data;

struct aim_samples {
    int64_t start_wall_ns;
    size_t n_columns;
    group_data *groups;
    size_t n_groups;
    size_t primary;           /* the group whose ticks are the rows */
    long *held;               /* [row * n_groups + g]: tick of group g shown, -1 none */
};

static int append_tick(int64_t t, const double *values, const uint8_t *valid, void *userdata) {
    group_data *g = userdata;
    if (g->ticks == g->cap) {
        /* Times and a row of values per tick: both grow to the one new capacity. */
        size_t cap = aim__array_next_cap(g->cap, g->ticks + 1, 256);
        if (cap == 0 || aim__array_resize(&g->t, cap, sizeof *g->t) < 0 ||
            aim__array_resize(&g->v, cap, (g->n ? g->n : 1) * sizeof *g->v) < 0)
            return -ENOMEM;
        g->cap = cap;
    }
    g->t[g->ticks] = t;
    for (size_t i = 0; i < g->n; i++)
        g->v[g->ticks * g->n + i] = valid[i] ? values[i] : NAN;
    g->ticks++;
    return 0;
}

/* The groups of the run's series, in the order they first appear in slot order. */
static int setup_groups(aim_samples *s, const aim_run_summary *run) {
    size_t ns = (size_t)(run->n_series > 0 ? run->n_series : 0);
    s->n_columns = ns;
    s->groups = calloc(ns ? ns : 1, sizeof *s->groups);
    if (!s->groups)
        return -ENOMEM;
    for (size_t i = 0; i < ns; i++) {
        size_t g = 0;
        while (g < s->n_groups && s->groups[g].group != run->series[i].group)
            g++;
        if (g == s->n_groups) {
            s->groups[g].group = run->series[i].group;
            s->groups[g].column = calloc(ns, sizeof *s->groups[g].column);
            if (!s->groups[g].column)
                return -ENOMEM;
            s->n_groups++;
        }
        s->groups[g].column[s->groups[g].n++] = i;
    }
    return 0;
}

static int align(aim_samples *s) {
    for (size_t g = 1; g < s->n_groups; g++)
        if (s->groups[g].ticks > s->groups[s->primary].ticks)
            s->primary = g;
    size_t rows = s->n_groups ? s->groups[s->primary].ticks : 0;
    size_t cells = rows * s->n_groups;
    s->held = malloc((cells ? cells : 1) * sizeof *s->held);
    if (!s->held)
        return -ENOMEM;
    for (size_t g = 0; g < s->n_groups; g++) {
        const group_data *gd = &s->groups[g];
        size_t next = 0;
        for (size_t row = 0; row < rows; row++) {
            if (g == s->primary) {
                s->held[row * s->n_groups + g] = (long)row;
                continue;
            }
            while (next < gd->ticks && gd->t[next] <= s->groups[s->primary].t[row])
                next++;
            s->held[row * s->n_groups + g] = (long)next - 1;
        }
    }
    return 0;
}

int aim_samples_open(aim_store *store, const char *run_id, aim_samples **ret) {
    if (!store)
        return -EINVAL;
    if (!run_id || !ret) {
        aim__store_set_error(store, "no run or output given");
        return -EINVAL;
    }
    aim_run_summary run;
    int r = aim__api_load_run(store, run_id, &run);
    if (r < 0)
        return r;
    aim_samples *s = calloc(1, sizeof *s);
    r = s ? setup_groups(s, &run) : -ENOMEM;
    if (s)
        s->start_wall_ns = run.start_wall_ns;
    for (size_t g = 0; r >= 0 && g < s->n_groups; g++)
        r = aim__api_group_ticks(store, run.id, s->groups[g].group, append_tick, &s->groups[g]);
    if (r >= 0)
        r = align(s);
    aim__run_summary_clear(&run);
    if (r < 0) {
        if (r == -ENOMEM)
            aim__store_set_error(store, "out of memory");
        aim_samples_free(s);
        return r;
    }
    *ret = s;
    return 0;
}

void aim_samples_free(aim_samples *s) {
    if (!s)
        return;
    for (size_t g = 0; g < s->n_groups; g++) {
        free(s->groups[g].column);
        free(s->groups[g].t);
        free(s->groups[g].v);
    }
    free(s->groups);
    free(s->held);
    free(s);
}

size_t aim_samples_columns(const aim_samples *s) { return s ? s->n_columns : 0; }

size_t aim_samples_rows(const aim_samples *s) {
    return s && s->n_groups ? s->groups[s->primary].ticks : 0;
}

int aim_samples_row(const aim_samples *s, size_t row, int64_t *ret_t_ns, int64_t *ret_wall_ns,
                    double *values, size_t n) {
    if (!s || row >= aim_samples_rows(s) || (n && !values))
        return -EINVAL;
    int64_t t = s->groups[s->primary].t[row];
    if (ret_t_ns)
        *ret_t_ns = t;
    if (ret_wall_ns)
        *ret_wall_ns = s->start_wall_ns + t;
    for (size_t i = 0; i < n; i++)
        values[i] = NAN;
    for (size_t g = 0; g < s->n_groups; g++) {
        const group_data *gd = &s->groups[g];
        long tick = s->held[row * s->n_groups + g];
        for (size_t i = 0; tick >= 0 && i < gd->n; i++)
            if (gd->column[i] < n)
                values[gd->column[i]] = gd->v[(size_t)tick * gd->n + i];
    }
    return (int)s->n_columns;
}
