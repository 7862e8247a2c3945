/* aimeter forecast: a run's completed instances of a repeated phase (epochs), a straight
 * line fitted to their energy and duration against their number, and the sums to N
 * instances with 95 % prediction intervals (processing/forecast.h; aim_forecast_render in
 * aimeter.h). Works on a running run: its writer commits samples and phases every 750 ms.
 *
 * An instance's energy is the run's IT energy between its start and its end, read off the
 * cumulative energy of every device counted in the total, replayed from the stored samples
 * through the writer's own meters (the same rule as `whatif`), interpolated linearly
 * between samples. The phase tables keep one energy per phase name, not per instance, and
 * "every instance of one name" needs the latter. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/energy.h"
#include "processing/forecast.h"
#include "processing/whatif.h"
#include "report/format.h"
#include "report/jsonutil.h"
#include "report/model.h"
#include "util/strbuf.h"
#include "report/table.h"
#include "store/db.h"
#include "api/store_error.h"
#include "store/sqlite/tags_store.h"

/* ------------------------------------------------------------------ cumulative energy */

typedef struct curve {
    int pos, group, counter;
    aim_energy_meter meter;
    int64_t *t;
    double *e;
    size_t n, cap;
} curve;

typedef struct curves {
    curve *c;
    size_t n;
    int group;               /* being replayed */
    int err;
} curves;

static int curve_tick(int64_t t, const double *values, const uint8_t *valid, void *userdata) {
    curves *cs = userdata;
    for (size_t i = 0; i < cs->n; i++) {
        curve *c = &cs->c[i];
        if (c->group != cs->group || !valid[c->pos])
            continue;
        double p;
        if (c->counter)
            aim_energy_meter_counter(&c->meter, t, values[c->pos], &p);
        else
            aim_energy_meter_power(&c->meter, t, values[c->pos]);
        if (c->n == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 1024;
            int64_t *nt = realloc(c->t, cap * sizeof *nt);
            if (nt)
                c->t = nt;
            double *ne = realloc(c->e, cap * sizeof *ne);
            if (ne)
                c->e = ne;
            if (!nt || !ne)
                return cs->err = -ENOMEM;
            c->cap = cap;
        }
        c->t[c->n] = t;
        c->e[c->n] = c->meter.energy_j;
        c->n++;
    }
    return 0;
}

static void curves_free(curves *cs) {
    for (size_t i = 0; i < cs->n; i++) {
        free(cs->c[i].t);
        free(cs->c[i].e);
    }
    free(cs->c);
    memset(cs, 0, sizeof *cs);
}

static int curves_load(aim_db *db, const aim_run_summary *run, curves *cs) {
    memset(cs, 0, sizeof *cs);
    cs->c = calloc((size_t)(run->n_devices > 0 ? run->n_devices : 0) + 1, sizeof *cs->c);
    if (!cs->c)
        return -ENOMEM;
    int groups[64], n_groups = 0;
    for (int d = 0; d < run->n_devices; d++) {
        if (!run->devices[d].has_energy || !run->devices[d].in_total)
            continue;
        curve *c = &cs->c[cs->n];
        int slot = aim_run_energy_series(run, d, &c->counter);
        if (slot < 0)
            continue;
        c->group = run->series[slot].group;
        for (int i = 0; i < slot; i++) /* a group's columns are its series in slot order */
            c->pos += run->series[i].group == c->group;
        cs->n++;
        int g = 0;
        while (g < n_groups && groups[g] != c->group)
            g++;
        if (g == n_groups && n_groups < 64)
            groups[n_groups++] = c->group;
    }
    for (int g = 0; g < n_groups; g++) {
        cs->group = groups[g];
        int r = aim_db_for_each_tick(db, run->id, groups[g], curve_tick, cs);
        if (cs->err)
            return cs->err;
        if (r < 0 && r != -ENOENT) /* a group with no chunk yet: a run that just began */
            return r;
    }
    return 0;
}

/* Σ over devices of their energy at t (ns since the start), linear between samples. */
static double energy_at(const curves *cs, int64_t t) {
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

/* ------------------------------------------------------------------ the forecast */

typedef struct point {
    long index;              /* instance number */
    char name[129];
    int64_t start_ns, end_ns;
    double energy_j, seconds;
    int fitted;
} point;

typedef struct sum3 {
    double value, half;      /* half-width of the 95 % prediction interval; NaN: none */
} sum3;

typedef struct fc {
    aim_run_summary run;
    const char *phase;
    int numbered;            /* 1: "epoch 1", "epoch 2"; 0: every instance called phase */
    long base;               /* the first number: 0 or 1 */
    uint64_t target, skip;
    point *pts;
    size_t n_pts, n_open, n_fit;
    size_t n_unterm;         /* closed by aimeter at the run's end: never completed */
    long *future;            /* indices still to come */
    size_t n_future;
    aim_linfit fe, ft;       /* energy and time against the index */
    sum3 rem_e, rem_t;       /* the remaining instances */
    aim_forecast_verdict ve, vt; /* whether the energy and time lines forecast at all */
    long x_last;             /* the last instance to come */
    double obs_e, obs_t;     /* completed instances */
    double upto_e, upto_t;   /* the run up to the end of the latest completed instance */
    double g_per_j;          /* the run's carbon per joule of IT energy, PUE included */
    double cost_per_j;       /* NaN without a price */
    int running;
} fc;

static int cmp_point(const void *a, const void *b) {
    const point *x = a, *y = b;
    if (x->start_ns != y->start_ns)
        return x->start_ns < y->start_ns ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static void phase_list(char *out, size_t len, const aim_phase_instance *inst, size_t n) {
    out[0] = '\0';
    size_t shown = 0;
    for (size_t i = 0; i < n && shown < 8; i++) {
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(inst[k].name, inst[i].name) == 0;
        if (seen)
            continue;
        size_t l = strlen(out);
        aim_bprintf(out + l, len - l, "%s'%s'", shown ? ", " : "", inst[i].name);
        shown++;
    }
    if (shown == 0)
        aim_bprintf(out, len, "none");
}

static int select_points(fc *f, aim_store *store, const aim_phase_instance *inst, size_t n) {
    size_t n_num = 0;
    for (size_t i = 0; i < n; i++) {
        long k = aim_forecast_instance(f->phase, inst[i].name);
        n_num += k >= 0;
    }
    f->numbered = n_num > 0;
    f->pts = calloc(n + 1, sizeof *f->pts);
    if (!f->pts)
        return -ENOMEM;
    long order = 0, min_index = -1;
    for (size_t i = 0; i < n; i++) {
        long k = aim_forecast_instance(f->phase, inst[i].name);
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
        point *p = &f->pts[f->n_pts++];
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
    if (f->n_fit < 2) {
        char list[640];
        phase_list(list, sizeof list, inst, n);
        aim_store_set_error(store, "run %.*s has %zu completed instance%s of '%s'%s%s%s; a line "
                            "needs 2 to fit (its phases: %s)", AIM_FIELD(f->run.id), f->n_pts,
                            f->n_pts == 1 ? "" : "s", f->phase, f->skip ? " after --skip" : "",
                            f->n_open ? " and one in progress" : "",
                            f->n_unterm ? " and one left open when the command ended" : "", list);
        return -ENODATA;
    }
    return 0;
}

static int plan_future(fc *f, aim_store *store) {
    long last = f->base + (long)f->target - 1; /* the target's index */
    long max_done = f->pts[0].index;
    for (size_t i = 0; i < f->n_pts; i++)
        if (f->pts[i].index > max_done)
            max_done = f->pts[i].index;
    if (max_done > last) {
        aim_store_set_error(store, "the run already completed instance %ld of '%s': forecast to "
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

static int fit(fc *f, const curves *cs) {
    double *x = calloc(f->n_pts + 1, sizeof *x);
    double *ye = calloc(f->n_pts + 1, sizeof *ye);
    double *yt = calloc(f->n_pts + 1, sizeof *yt);
    double *fx = calloc(f->n_future + 1, sizeof *fx);
    int r = x && ye && yt && fx ? 0 : -ENOMEM;
    size_t m = 0;
    int64_t last_end = 0;
    for (size_t i = 0; r == 0 && i < f->n_pts; i++) {
        point *p = &f->pts[i];
        p->energy_j = energy_at(cs, p->end_ns) - energy_at(cs, p->start_ns);
        f->obs_e += p->energy_j;
        f->obs_t += p->seconds;
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
        r = aim_linfit_compute(x, ye, m, &f->fe);
    if (r == 0)
        r = aim_linfit_compute(x, yt, m, &f->ft);
    if (r == 0) {
        for (size_t j = 0; j < f->n_future; j++)
            fx[j] = (double)f->future[j];
        aim_linfit_sum(&f->fe, fx, f->n_future, &f->rem_e.value, &f->rem_e.half);
        aim_linfit_sum(&f->ft, fx, f->n_future, &f->rem_t.value, &f->rem_t.half);
        f->x_last = f->n_future ? f->future[f->n_future - 1] : f->base + (long)f->target - 1;
        f->ve = f->n_future ? aim_forecast_check(&f->fe, (double)f->x_last) : AIM_FORECAST_OK;
        f->vt = f->n_future ? aim_forecast_check(&f->ft, (double)f->x_last) : AIM_FORECAST_OK;
        f->upto_e = energy_at(cs, last_end);
        f->upto_t = (double)last_end / 1e9;
    }
    free(x);
    free(ye);
    free(yt);
    free(fx);
    return r;
}

static void money(fc *f) {
    const aim_run_summary *run = &f->run;
    double pue = run->pue >= 1.0 ? run->pue : 1.0;
    f->g_per_j = run->total_energy_j > 0 && isfinite(run->carbon_g)
                     ? run->carbon_g / run->total_energy_j
                     : run->intensity_g_per_kwh * pue / 3.6e6;
    f->cost_per_j = strnlen(run->currency, sizeof run->currency) && run->total_energy_j > 0 &&
                            isfinite(run->cost)
                        ? run->cost / run->total_energy_j
                        : NAN;
}

/* ------------------------------------------------------------------ rendering */

static const char *num(char *b, double v) { return aim_fmt_sig(b, v, 4, 0); }

/* done + the sum to come, bounded at zero (aim_forecast_bound): "v ± h", or "v (lo to hi)"
 * when the bound cut the interval's low end. */
static void pm(char *out, size_t len, double done, double sum, double half, double scale) {
    char a[AIM_NUM_MAX], h[AIM_NUM_MAX], l[AIM_NUM_MAX];
    double v, lo, hi;
    aim_forecast_bound(sum, half, &v, &lo, &hi);
    if (isnan(half) || half == 0) /* no interval, or nothing left to predict */
        aim_bprintf(out, len, "%s", num(a, (done + v) * scale));
    else if (sum - half < 0)
        aim_bprintf(out, len, "%s (%s to %s)", num(a, (done + v) * scale),
                    num(l, (done + lo) * scale), num(h, (done + hi) * scale));
    else
        aim_bprintf(out, len, "%s ± %s", num(a, (done + v) * scale),
                    aim_fmt_sig(h, half * scale, 2, 0));
}

/* Why a line is not forecast with, in one sentence (aim_forecast_check), or NULL. */
static const char *verdict_text(char *out, size_t len, const fc *f, aim_forecast_verdict v,
                                const aim_linfit *l, const char *what, const char *unit) {
    char b[AIM_NUM_MAX], r2[AIM_NUM_MAX], min[AIM_NUM_MAX];
    switch (v) {
    case AIM_FORECAST_OK:
        return NULL;
    case AIM_FORECAST_TOO_FEW:
        aim_bprintf(out, len, "only %zu instances fitted; a forecast needs at least %d (a line "
                    "through 2 leaves no residual to bound its error)", l->n, AIM_FORECAST_MIN_FIT);
        break;
    case AIM_FORECAST_FALLING:
        aim_bprintf(out, len, "the %s per instance falls (slope %s %s per instance) and the line "
                    "reaches zero by instance %ld: a straight line cannot forecast it", what,
                    num(b, l->b), unit, f->x_last);
        break;
    case AIM_FORECAST_POOR_FIT:
        aim_bprintf(out, len, "the line explains too little (R² %s, below %s) for the trend it "
                    "extrapolates (slope %s %s per instance): too poor a fit to forecast",
                    aim_fmt_fixed(r2, l->r2, 3), aim_fmt_fixed(min, AIM_FORECAST_MIN_R2, 1),
                    num(b, l->b), unit);
        break;
    }
    return out;
}

static void range_text(char *out, size_t len, const fc *f) {
    if (f->numbered)
        aim_bprintf(out, len, "'%s %ld'..'%s %ld'", f->phase, f->base, f->phase,
                    f->base + (long)f->target - 1);
    else
        aim_bprintf(out, len, "%llu instances", (unsigned long long)f->target);
}

static void fit_line(aim_strbuf *b, const char *what, const char *unit, const aim_linfit *l) {
    char a[AIM_NUM_MAX], sa[AIM_NUM_MAX], bb[AIM_NUM_MAX], sb[AIM_NUM_MAX], s[AIM_NUM_MAX],
        r2[AIM_NUM_MAX];
    aim_strbuf_printf(b, "  %-7s a = %s %s (se %s), b = %s %s per instance (se %s), s = %s %s, "
                      "R² = %s\n", what, num(a, l->a), unit, num(sa, l->se_a), num(bb, l->b), unit,
                      num(sb, l->se_b), num(s, l->s), unit, aim_fmt_fixed(r2, l->r2, 3));
}

static void text_doc(aim_strbuf *b, const fc *f) {
    const aim_run_summary *run = &f->run;
    char n1[AIM_NUM_MAX], rng[400];
    aim_strbuf_append(b, "aimeter forecast  run ");
    aim_strbuf_append_clean(b, run->id, sizeof run->id);
    if (strnlen(run->name, sizeof run->name)) {
        aim_strbuf_append(b, "  \"");
        aim_strbuf_append_clean(b, run->name, sizeof run->name);
        aim_strbuf_append(b, "\"");
    }
    aim_strbuf_printf(b, "  (%s)\n", aim_report_status_word(run));
    aim_strbuf_append(b, "Phase '");
    aim_strbuf_append_clean(b, f->phase, strlen(f->phase));
    aim_strbuf_printf(b, "'%s: %zu completed", f->numbered ? " (numbered instances)" : "",
                      f->n_pts);
    if (f->n_open)
        aim_strbuf_printf(b, ", %zu in progress", f->n_open);
    if (f->n_unterm)
        aim_strbuf_printf(b, ", %zu left open when the command ended (not counted)", f->n_unterm);
    aim_strbuf_printf(b, "; fitted on %zu", f->n_fit);
    if (f->skip)
        aim_strbuf_printf(b, " (the first %llu left out)", (unsigned long long)f->skip);
    aim_strbuf_append(b, "\n\n");

    aim_table t;
    aim_table_init(&t, 5);
    for (size_t c = 2; c < 5; c++)
        aim_table_align_right(&t, c);
    aim_table_row(&t);
    aim_table_set(&t, 0, "#");
    aim_table_set(&t, 1, "Instance");
    aim_table_set(&t, 2, "Start s");
    aim_table_set(&t, 3, "Time s");
    aim_table_set(&t, 4, "Energy J");
    for (size_t i = 0; i < f->n_pts; i++) {
        const point *p = &f->pts[i];
        aim_table_row(&t);
        aim_table_set(&t, 0, "%ld%s", p->index, p->fitted ? "" : " (skipped)");
        aim_table_set(&t, 1, "%s", p->name);
        aim_table_set(&t, 2, "%s", aim_fmt_fixed(n1, (double)p->start_ns / 1e9, 2));
        aim_table_set(&t, 3, "%s", num(n1, p->seconds));
        aim_table_set(&t, 4, "%s", num(n1, p->energy_j));
    }
    aim_table_text(&t, b, "  ", 0);
    aim_table_free(&t);

    aim_strbuf_append(b, "\nLeast squares per instance, y = a + b × number:\n");
    fit_line(b, "energy", "J", &f->fe);
    fit_line(b, "time", "s", &f->ft);

    range_text(rng, sizeof rng, f);
    aim_strbuf_printf(b, "\nForecast to %s (%zu to come), 95 %% prediction intervals:\n", rng,
                      f->n_future);
    aim_table_init(&t, 6);
    for (size_t c = 2; c < 6; c++)
        aim_table_align_right(&t, c);
    aim_table_row(&t);
    aim_table_set(&t, 1, "Unit");
    aim_table_set(&t, 2, "Completed (%zu)", f->n_pts);
    aim_table_set(&t, 3, "To come (%zu)", f->n_future);
    aim_table_set(&t, 4, "All %llu", (unsigned long long)f->target);
    aim_table_set(&t, 5, "Run to the end");
    struct {
        const char *label, *unit;
        double obs, rem, half, upto, scale;
    } rows[4] = {
        { "Energy", "J", f->obs_e, f->rem_e.value, f->rem_e.half, f->upto_e, 1 },
        { "Time", "s", f->obs_t, f->rem_t.value, f->rem_t.half, f->upto_t, 1 },
        { "Carbon", "g CO2e", f->obs_e, f->rem_e.value, f->rem_e.half, f->upto_e, f->g_per_j },
        { "Cost", "", f->obs_e, f->rem_e.value, f->rem_e.half, f->upto_e, f->cost_per_j },
    };
    char cur[8];
    aim_bprintf(cur, sizeof cur, "%.*s", AIM_FIELD(run->currency));
    rows[3].unit = cur;
    for (size_t i = 0; i < 4; i++) {
        if (i == 3 && isnan(f->cost_per_j))
            continue;
        char c[4 * AIM_NUM_MAX];
        aim_table_row(&t);
        aim_table_set(&t, 0, "%s", rows[i].label);
        aim_table_set(&t, 1, "%s", rows[i].unit);
        aim_table_set(&t, 2, "%s", num(n1, rows[i].obs * rows[i].scale));
        if ((i == 1 ? f->vt : f->ve) != AIM_FORECAST_OK) {
            for (size_t col = 3; col < 6; col++)
                aim_table_set(&t, col, "no forecast");
            continue;
        }
        pm(c, sizeof c, 0, rows[i].rem, rows[i].half, rows[i].scale);
        aim_table_set(&t, 3, "%s", c);
        pm(c, sizeof c, rows[i].obs, rows[i].rem, rows[i].half, rows[i].scale);
        aim_table_set(&t, 4, "%s", c);
        pm(c, sizeof c, rows[i].upto, rows[i].rem, rows[i].half, rows[i].scale);
        aim_table_set(&t, 5, "%s", c);
    }
    aim_table_text(&t, b, "  ", 0);
    aim_table_free(&t);
    char why[512];
    if (verdict_text(why, sizeof why, f, f->ve, &f->fe, "energy", "J"))
        aim_strbuf_printf(b, "\nNo energy, carbon or cost forecast: %s.\n", why);
    if (verdict_text(why, sizeof why, f, f->vt, &f->ft, "time", "s"))
        aim_strbuf_printf(b, "\nNo time forecast: %s.\n", why);
    aim_strbuf_append(b, "\n\"Run to the end\": the run as measured up to the end of its latest "
                         "completed instance, plus the instances to come (time between "
                         "instances is not forecast).\n");
    aim_strbuf_append(b, "Interval: Ŝ ± t(0.975, n-2) × s × √(m + m²/n + (Σ(x_j - x̄))² / Sxx) "
                         "for the sum of m instances to come, bounded at zero (what is to come "
                         "never costs less than nothing).\n");
    aim_strbuf_printf(b, "Carbon at the run's own %s g CO2e per kWh of IT energy (its mean "
                      "intensity, PUE included).\n", num(n1, f->g_per_j * 3.6e6));
}

static json_t *fit_json(const aim_linfit *l, int *err) {
    json_t *o = json_object();
    aim_json_put(o, "n", aim_json_count(l->n), err);
    aim_json_put(o, "intercept", aim_json_num(l->a), err);
    aim_json_put(o, "slope", aim_json_num(l->b), err);
    aim_json_put(o, "se_intercept", aim_json_num(l->se_a), err);
    aim_json_put(o, "se_slope", aim_json_num(l->se_b), err);
    aim_json_put(o, "residual_se", aim_json_num(l->s), err);
    aim_json_put(o, "r2", aim_json_num(l->r2), err);
    return o;
}

/* done + the sum to come, bounded at zero; null when the line forecasts nothing. */
static json_t *quantity(aim_forecast_verdict v, double done, const sum3 *rem, double scale,
                        int *err) {
    if (v != AIM_FORECAST_OK)
        return json_null();
    double val, lo, hi;
    aim_forecast_bound(rem->value, rem->half, &val, &lo, &hi);
    json_t *o = json_object();
    aim_json_put(o, "value", aim_json_num((done + val) * scale), err);
    aim_json_put(o, "low", aim_json_num((done + lo) * scale), err);
    aim_json_put(o, "high", aim_json_num((done + hi) * scale), err);
    return o;
}

static json_t *block(const fc *f, double e0, double t0, int *err) {
    json_t *o = json_object();
    aim_json_put(o, "energy_j", quantity(f->ve, e0, &f->rem_e, 1, err), err);
    aim_json_put(o, "time_s", quantity(f->vt, t0, &f->rem_t, 1, err), err);
    aim_json_put(o, "carbon_g", quantity(f->ve, e0, &f->rem_e, f->g_per_j, err), err);
    aim_json_put(o, "cost", isnan(f->cost_per_j) ? json_null()
                                                 : quantity(f->ve, e0, &f->rem_e, f->cost_per_j,
                                                            err), err);
    return o;
}

static const char *const verdict_word[] = { "ok", "too_few", "falling", "poor_fit" };

static json_t *verdict_json(const fc *f, aim_forecast_verdict v, const aim_linfit *l,
                            const char *what, const char *unit, int *err) {
    char why[512];
    json_t *o = json_object();
    aim_json_put(o, "ok", json_boolean(v == AIM_FORECAST_OK), err);
    aim_json_put(o, "verdict", json_string(verdict_word[v]), err);
    const char *t = verdict_text(why, sizeof why, f, v, l, what, unit);
    aim_json_put(o, "reason", t ? json_string(t) : json_null(), err);
    return o;
}

static int json_doc(const fc *f, char **ret_text) {
    int err = 0;
    const aim_run_summary *run = &f->run;
    json_t *root = json_object();
    aim_json_put(root, "schema", json_string("aimeter.forecast/1"), &err);
    aim_json_put(root, "run", aim_json_str(run->id, sizeof run->id), &err);
    aim_json_put(root, "name", aim_json_str(run->name, sizeof run->name), &err);
    aim_json_put(root, "status", json_string(aim_json_status(run->status)), &err);
    aim_json_put(root, "running", json_boolean(f->running), &err);
    aim_json_put(root, "phase", json_string(f->phase), &err);
    aim_json_put(root, "numbered", json_boolean(f->numbered), &err);
    aim_json_put(root, "first_index", json_integer(f->base), &err);
    aim_json_put(root, "target", aim_json_count(f->target), &err);
    aim_json_put(root, "completed", aim_json_count(f->n_pts), &err);
    aim_json_put(root, "in_progress", aim_json_count(f->n_open), &err);
    aim_json_put(root, "unterminated", aim_json_count(f->n_unterm), &err);
    aim_json_put(root, "skipped", aim_json_count(f->n_pts - f->n_fit), &err);
    aim_json_put(root, "level", aim_json_num(0.95), &err);
    json_t *pts = json_array();
    for (size_t i = 0; i < f->n_pts; i++) {
        const point *p = &f->pts[i];
        json_t *o = json_object();
        aim_json_put(o, "index", json_integer(p->index), &err);
        aim_json_put(o, "name", aim_json_str(p->name, sizeof p->name), &err);
        aim_json_put(o, "start_s", aim_json_num((double)p->start_ns / 1e9), &err);
        aim_json_put(o, "duration_s", aim_json_num(p->seconds), &err);
        aim_json_put(o, "energy_j", aim_json_num(p->energy_j), &err);
        aim_json_put(o, "fitted", json_boolean(p->fitted), &err);
        aim_json_push(pts, o, &err);
    }
    aim_json_put(root, "instances", pts, &err);
    json_t *fitj = json_object();
    aim_json_put(fitj, "energy_j", fit_json(&f->fe, &err), &err);
    aim_json_put(fitj, "time_s", fit_json(&f->ft, &err), &err);
    aim_json_put(root, "fit", fitj, &err);
    json_t *ok = json_object();
    aim_json_put(ok, "energy_j", verdict_json(f, f->ve, &f->fe, "energy", "J", &err), &err);
    aim_json_put(ok, "time_s", verdict_json(f, f->vt, &f->ft, "time", "s", &err), &err);
    aim_json_put(root, "forecast", ok, &err);
    json_t *fut = json_array();
    for (size_t j = 0; j < f->n_future; j++)
        aim_json_push(fut, json_integer(f->future[j]), &err);
    aim_json_put(root, "to_come", fut, &err);
    aim_json_put(root, "remaining", block(f, 0, 0, &err), &err);
    aim_json_put(root, "instances_total", block(f, f->obs_e, f->obs_t, &err), &err);
    aim_json_put(root, "run_total", block(f, f->upto_e, f->upto_t, &err), &err);
    json_t *done = json_object();
    aim_json_put(done, "energy_j", aim_json_num(f->obs_e), &err);
    aim_json_put(done, "time_s", aim_json_num(f->obs_t), &err);
    aim_json_put(done, "run_energy_j", aim_json_num(f->upto_e), &err);
    aim_json_put(done, "run_time_s", aim_json_num(f->upto_t), &err);
    aim_json_put(root, "completed_totals", done, &err);
    aim_json_put(root, "carbon_g_per_kwh", aim_json_num(f->g_per_j * 3.6e6), &err);
    aim_json_put(root, "currency", aim_json_str_or_null(run->currency, sizeof run->currency),
                 &err);
    int r = err ? -ENOMEM : aim_json_dump(root, ret_text);
    json_decref(root);
    return r;
}

/* ------------------------------------------------------------------ entry point */

int aim_forecast_render(aim_store *store, const char *run_id, const aim_forecast_request *req,
                        const char *format, char **ret_text, int *ret_running) {
    aim_db *db = aim_store_db(store);
    if (!db || !run_id || !req || !format || !ret_text) {
        if (store)
            aim_store_set_error(store, db ? "no run, request or output given" : "store not open");
        return -EINVAL;
    }
    int json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "text") != 0) {
        aim_store_set_error(store, "unknown format '%s' (text or json)", format);
        return -EINVAL;
    }
    if (req->target < 1 || req->target > 1000000) {
        aim_store_set_error(store, "the number of instances to forecast to must be 1 to 1000000");
        return -EINVAL;
    }
    const char *phase = req->phase && *req->phase ? req->phase : "epoch";
    if (strlen(phase) > 128) {
        aim_store_set_error(store, "phase name longer than 128 bytes");
        return -EINVAL;
    }
    fc *f = calloc(1, sizeof *f);
    if (!f) {
        aim_store_set_error(store, "out of memory");
        return -ENOMEM;
    }
    f->phase = phase;
    f->target = req->target;
    f->skip = req->skip;
    aim_phase_instance *inst = NULL;
    size_t n_inst = 0;
    curves cs = { 0 };
    int r = aim_db_load_summary(db, run_id, &f->run);
    if (r == 0)
        r = aim_db_phase_instances(db, run_id, &inst, &n_inst);
    if (r < 0)
        aim_store_set_error(store, "%s", aim_db_errmsg(db));
    if (r == 0) {
        f->running = f->run.status == AIM_RUN_RUNNING && !f->run.stale;
        if (ret_running)
            *ret_running = f->running;
        r = select_points(f, store, inst, n_inst);
    }
    if (r == 0)
        r = plan_future(f, store);
    if (r == 0) {
        r = curves_load(db, &f->run, &cs);
        if (r < 0 && r != -ENOMEM)
            aim_store_set_error(store, "%s", aim_db_errmsg(db));
    }
    if (r == 0) {
        r = fit(f, &cs);
        if (r == -EINVAL)
            aim_store_set_error(store, "the instances of '%s' cannot be fitted (every one has "
                                "the same number)", phase);
    }
    if (r == 0) {
        money(f);
        if (json) {
            r = json_doc(f, ret_text);
        } else {
            aim_strbuf b = AIM_STRBUF_INIT;
            text_doc(&b, f);
            r = aim_strbuf_steal(&b, ret_text);
        }
    }
    if (r == -ENOMEM)
        aim_store_set_error(store, "out of memory");
    curves_free(&cs);
    free(inst);
    free(f->pts);
    free(f->future);
    aim_run_summary_clear(&f->run);
    free(f);
    return r;
}
