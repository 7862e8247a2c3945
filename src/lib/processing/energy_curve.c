/* The run's cumulative IT energy against time (energy_curve.h). */
#include "processing/energy_curve.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "processing/energy.h"
#include "processing/whatif.h"
#include "util/array.h"

#define MAX_GROUPS 64

typedef struct curve {
    int pos, group, counter;
    aim_energy_meter meter;
    int64_t *t;
    double *e;
    size_t n, cap;
} curve;

struct aim_energy_curve {
    curve *c;
    size_t n;
    int group;               /* being replayed */
    int err;
    int groups[MAX_GROUPS];
    size_t n_groups;
};

int aim__energy_curve_tick(int64_t t, const double *values, const uint8_t *valid,
                          void *userdata) {
    aim_energy_curve *cs = userdata;
    for (size_t i = 0; i < cs->n; i++) {
        curve *c = &cs->c[i];
        if (c->group != cs->group || !valid[c->pos])
            continue;
        double p;
        if (c->counter)
            aim__energy_meter_counter(&c->meter, t, values[c->pos], &p);
        else
            aim__energy_meter_power(&c->meter, t, values[c->pos]);
        if (c->n == c->cap) {
            /* Times and energies side by side: both grow to the one new capacity. */
            size_t cap = aim__array_next_cap(c->cap, c->n + 1, 1024);
            if (cap == 0 || aim__array_resize(&c->t, cap, sizeof *c->t) < 0 ||
                aim__array_resize(&c->e, cap, sizeof *c->e) < 0)
                return cs->err = -ENOMEM;
            c->cap = cap;
        }
        c->t[c->n] = t;
        c->e[c->n] = c->meter.energy_j;
        c->n++;
    }
    return 0;
}

void aim__energy_curve_free(aim_energy_curve *cs) {
    if (!cs)
        return;
    for (size_t i = 0; i < cs->n; i++) {
        free(cs->c[i].t);
        free(cs->c[i].e);
    }
    free(cs->c);
    free(cs);
}

int aim__energy_curve_new(const aim_run_summary *run, aim_energy_curve **ret) {
    aim_energy_curve *cs = calloc(1, sizeof *cs);
    if (!cs)
        return -ENOMEM;
    cs->c = calloc((size_t)(run->n_devices > 0 ? run->n_devices : 0) + 1, sizeof *cs->c);
    if (!cs->c) {
        free(cs);
        return -ENOMEM;
    }
    for (int d = 0; d < run->n_devices; d++) {
        if (!run->devices[d].has_energy || !run->devices[d].in_total)
            continue;
        curve *c = &cs->c[cs->n];
        int slot = aim__run_energy_series(run, d, &c->counter);
        if (slot < 0)
            continue;
        c->group = run->series[slot].group;
        for (int i = 0; i < slot; i++) /* a group's columns are its series in slot order */
            c->pos += run->series[i].group == c->group;
        cs->n++;
        size_t g = 0;
        while (g < cs->n_groups && cs->groups[g] != c->group)
            g++;
        if (g == cs->n_groups && cs->n_groups < MAX_GROUPS)
            cs->groups[cs->n_groups++] = c->group;
    }
    *ret = cs;
    return 0;
}

size_t aim__energy_curve_groups(const aim_energy_curve *c, const int **ret_groups) {
    *ret_groups = c->groups;
    return c->n_groups;
}

void aim__energy_curve_set_group(aim_energy_curve *c, int group) { c->group = group; }

int aim__energy_curve_error(const aim_energy_curve *c) { return c->err; }

double aim__energy_curve_at(const void *userdata, int64_t t) {
    const aim_energy_curve *cs = userdata;
    double sum = 0;
    for (size_t i = 0; i < cs->n; i++) {
        const curve *c = &cs->c[i];
        if (c->n == 0 || t <= c->t[0])
            continue;
        if (t >= c->t[c->n - 1]) {
            sum += c->e[c->n - 1];
            continue;
        }
        size_t lo = 0, hi = c->n - 1; /* t[lo] < t <= t[hi] */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (c->t[mid] < t)
                lo = mid;
            else
                hi = mid;
        }
        double f = (double)(t - c->t[lo]) / (double)(c->t[hi] - c->t[lo]);
        sum += c->e[lo] + f * (c->e[hi] - c->e[lo]);
    }
    return sum;
}

