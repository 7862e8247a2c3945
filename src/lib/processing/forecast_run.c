/* aimeter forecast over one run (forecast_run.h). */
#include "processing/forecast_run.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/numfmt.h"

static int cmp_point(const void *a, const void *b) {
    const aim_fc_point *x = a, *y = b;
    if (x->start_ns != y->start_ns)
        return x->start_ns < y->start_ns ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static void phase_list(char *out, size_t len, const aim_fc_instance *inst, size_t n) {
    out[0] = '\0';
    size_t shown = 0;
    for (size_t i = 0; i < n && shown < 8; i++) {
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(inst[k].name, inst[i].name) == 0;
        if (seen)
            continue;
        size_t l = strlen(out);
        aim__bprintf(out + l, len - l, "%s'%s'", shown ? ", " : "", inst[i].name);
        shown++;
    }
    if (shown == 0)
        aim__bprintf(out, len, "none");
}

int aim__forecast_points(aim_forecast_result *f, const aim_run_summary *run, const char *phase,
                         uint64_t skip, const aim_fc_instance *inst, size_t n) {
    memset(f, 0, sizeof *f);
    f->run = run;
    f->phase = phase;
    f->skip = skip;
    f->cost_per_j = NAN;
    size_t n_num = 0;
    for (size_t i = 0; i < n; i++) {
        long k = aim__forecast_instance(f->phase, inst[i].name);
        n_num += k >= 0;
    }
    f->numbered = n_num > 0;
    f->pts = calloc(n + 1, sizeof *f->pts);
    if (!f->pts)
        return -ENOMEM;
    long order = 0, min_index = -1;
    for (size_t i = 0; i < n; i++) {
        long k = aim__forecast_instance(f->phase, inst[i].name);
        if (f->numbered ? k < 0 : k != AIM_INSTANCE_SAME)
            continue;
        if (!inst[i].closed) {
            f->n_open++;
            continue;
        }
        if (inst[i].unterminated) { /* the command never ended it: not a completed instance */
            f->n_unterm++;
            continue;
        }
        aim_fc_point *p = &f->pts[f->n_pts++];
        p->index = f->numbered ? k : ++order;
        if (min_index < 0 || p->index < min_index)
            min_index = p->index;
        snprintf(p->name, sizeof p->name, "%s", inst[i].name);
        p->start_ns = inst[i].start_ns;
        p->end_ns = inst[i].end_ns;
        p->seconds = (double)(p->end_ns - p->start_ns) / 1e9;
    }
    f->base = f->numbered && min_index == 0 ? 0 : 1;
    qsort(f->pts, f->n_pts, sizeof *f->pts, cmp_point);
    for (size_t i = 0; i < f->n_pts; i++) {
        f->pts[i].fitted = i >= f->skip;
        f->n_fit += f->pts[i].fitted;
    }
    return 0;
}

static int check_points(aim_forecast_result *f, const aim_fc_instance *inst, size_t n, char *err,
                        size_t errlen) {
    if (f->n_fit < 2) {
        char list[640];
        phase_list(list, sizeof list, inst, n);
        aim__bprintf(err, errlen, "run %.*s has %zu completed instance%s of '%s'%s%s%s; a line "
                            "needs 2 to fit (its phases: %s)", (int)strnlen(f->run->id, sizeof f->run->id), f->run->id, f->n_pts,
                            f->n_pts == 1 ? "" : "s", f->phase, f->skip ? " after --skip" : "",
                            f->n_open ? " and one in progress" : "",
                            f->n_unterm ? " and one left open when the command ended" : "", list);
        return -ENODATA;
    }
    return 0;
}

static int plan_future(aim_forecast_result *f, char *err, size_t errlen) {
    long last = f->base + (long)f->target - 1; /* the target's index */
    long max_done = f->pts[0].index;
    for (size_t i = 0; i < f->n_pts; i++)
        if (f->pts[i].index > max_done)
            max_done = f->pts[i].index;
    if (max_done > last) {
        aim__bprintf(err, errlen, "the run already completed instance %ld of '%s': forecast to "
                            "%ld or more", max_done, f->phase, max_done - f->base + 1);
        return -ERANGE;
    }
    size_t cap = (size_t)(last - f->base + 1);
    f->future = calloc(cap + 1, sizeof *f->future);
    if (!f->future)
        return -ENOMEM;
    for (long x = f->base; x <= last; x++) {
        int done = 0;
        for (size_t i = 0; i < f->n_pts && !done; i++)
            done = f->pts[i].index == x;
        if (!done)
            f->future[f->n_future++] = x;
    }
    return 0;
}

static void money(aim_forecast_result *f) {
    const aim_run_summary *run = f->run;
    double pue = run->pue >= 1.0 ? run->pue : 1.0;
    f->g_per_j = run->total_energy_j > 0 && isfinite(run->carbon_g)
                     ? run->carbon_g / run->total_energy_j
                     : run->intensity_g_per_kwh * pue / 3.6e6;
    f->cost_per_j = strnlen(run->currency, sizeof run->currency) && run->total_energy_j > 0 &&
                            isfinite(run->cost)
                        ? run->cost / run->total_energy_j
                        : NAN;
}

void aim__forecast_measure(aim_forecast_result *f, aim_energy_at_fn energy_at,
                           const void *userdata) {
    f->obs_e = f->obs_t = 0;
    for (size_t i = 0; i < f->n_pts; i++) {
        aim_fc_point *p = &f->pts[i];
        p->energy_j = energy_at(userdata, p->end_ns) - energy_at(userdata, p->start_ns);
        f->obs_e += p->energy_j;
        f->obs_t += p->seconds;
    }
}

int aim__forecast_fit(aim_forecast_result *f, aim_energy_at_fn energy_at, const void *userdata) {
    double *x = calloc(f->n_pts + 1, sizeof *x);
    double *ye = calloc(f->n_pts + 1, sizeof *ye);
    double *yt = calloc(f->n_pts + 1, sizeof *yt);
    double *fx = calloc(f->n_future + 1, sizeof *fx);
    int r = x && ye && yt && fx ? 0 : -ENOMEM;
    size_t m = 0;
    int64_t last_end = 0;
    if (r == 0)
        aim__forecast_measure(f, energy_at, userdata);
    for (size_t i = 0; r == 0 && i < f->n_pts; i++) {
        aim_fc_point *p = &f->pts[i];
        if (p->end_ns > last_end)
            last_end = p->end_ns;
        if (!p->fitted)
            continue;
        x[m] = (double)p->index;
        ye[m] = p->energy_j;
        yt[m] = p->seconds;
        m++;
    }
    if (r == 0)
        r = aim__linfit_compute(x, ye, m, &f->fe);
    if (r == 0)
        r = aim__linfit_compute(x, yt, m, &f->ft);
    if (r == 0) {
        for (size_t j = 0; j < f->n_future; j++)
            fx[j] = (double)f->future[j];
        aim__linfit_sum(&f->fe, fx, f->n_future, &f->rem_e.value, &f->rem_e.half);
        aim__linfit_sum(&f->ft, fx, f->n_future, &f->rem_t.value, &f->rem_t.half);
        f->x_last = f->n_future ? f->future[f->n_future - 1] : f->base + (long)f->target - 1;
        f->ve = f->n_future ? aim__forecast_check(&f->fe, (double)f->x_last) : AIM_FORECAST_OK;
        f->vt = f->n_future ? aim__forecast_check(&f->ft, (double)f->x_last) : AIM_FORECAST_OK;
        f->upto_e = energy_at(userdata, last_end);
        f->upto_t = (double)last_end / 1e9;
    }
    free(x);
    free(ye);
    free(yt);
    free(fx);
    if (r == 0)
        money(f);
    return r;
}


int aim__forecast_plan(aim_forecast_result *res, const aim_run_summary *run, const char *phase,
                      uint64_t target, uint64_t skip, const aim_fc_instance *inst, size_t n,
                      char *err, size_t errlen) {
    int r = aim__forecast_points(res, run, phase, skip, inst, n);
    res->target = target;
    if (r == 0)
        r = check_points(res, inst, n, err, errlen);
    if (r == 0)
        r = plan_future(res, err, errlen);
    return r;
}

void aim__forecast_result_free(aim_forecast_result *res) {
    if (!res)
        return;
    free(res->pts);
    free(res->future);
    res->pts = NULL;
    res->future = NULL;
}
