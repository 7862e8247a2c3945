/* A live run's carbon and cost (run_carbon.h). */
#include "carbon/run_carbon.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "carbon/carbon.h"
#include "carbon/choose.h"
#include "core/log.h"

int aim_run_carbon_setup(aim_run_carbon *rc, const aim_config *cfg, int64_t now_wall_ns,
                         aim_run_summary *run, char *err, size_t errlen) {
    memset(rc, 0, sizeof *rc);
    if (aim_intensity_series_init(&rc->intensity) < 0)
        return -ENOMEM;
    if (aim_intensity_series_init(&rc->price) < 0) {
        aim_intensity_series_destroy(&rc->intensity);
        return -ENOMEM;
    }
    rc->ready = 1;
    int64_t now_ms = now_wall_ns / 1000000;
    int r = aim_intensity_choose(cfg, now_ms, &rc->intensity, err, errlen);
    if (r == 0)
        r = aim_price_choose(cfg, now_ms, &rc->price, err, errlen);
    if (r < 0)
        return r;

    const aim_intensity_series *in = &rc->intensity;
    snprintf(run->zone, sizeof run->zone, "%s", in->zone);
    snprintf(run->intensity_source, sizeof run->intensity_source, "%s", in->source);
    run->signal = in->signal;
    run->basis = in->basis;
    run->intensity_g_per_kwh =
        in->n ? in->points[aim_step_index(in->points, in->n, now_ms)].g_per_kwh : NAN;
    rc->pue = cfg->pue >= 1.0 ? cfg->pue : 1.0;
    run->pue = rc->pue;
    snprintf(run->pue_source, sizeof run->pue_source, "%s",
             cfg->pue_source[0] ? cfg->pue_source : "default (no facility overhead counted)");
    if (rc->price.n) {
        snprintf(run->currency, sizeof run->currency, "%s", cfg->currency);
        snprintf(run->price_source, sizeof run->price_source, "%s", rc->price.source);
        run->price_per_kwh = rc->price.points[aim_step_index(rc->price.points, rc->price.n,
                                                             now_ms)].g_per_kwh;
    }
    run->carbon_g = run->cost = run->facility_energy_j = NAN;
    return 0;
}

int aim_run_carbon_plan(aim_run_carbon *rc, const aim_run_summary *run, int64_t anchor_wall_ns,
                        int64_t anchor_mono_ns) {
    size_t n = run->n_devices > 0 ? (size_t)run->n_devices : 0;
    rc->n_dev = n;
    rc->carbon = calloc(n + 1, sizeof *rc->carbon);
    rc->cost = calloc(n + 1, sizeof *rc->cost);
    rc->e_now = calloc(n + 1, sizeof *rc->e_now);
    rc->include = calloc(n + 1, 1);
    if (!rc->carbon || !rc->cost || !rc->e_now || !rc->include)
        return -ENOMEM;
    for (size_t d = 0; d < n; d++)
        rc->include[d] = run->devices[d].in_total && run->devices[d].has_energy;
    rc->anchor_wall_ns = anchor_wall_ns;
    rc->anchor_mono_ns = anchor_mono_ns;
    return 0;
}

static void add(aim_intensity_series *s, aim_step_acc *a, int64_t t0, int64_t t1, double e0,
                double e1) {
    pthread_mutex_lock(&s->lock);
    aim_step_acc_add(a, s->points, s->n, t0, t1, e0, e1);
    int64_t t_ms = t1 / 1000000;
    if (t_ms > s->priced_until_ms)
        s->priced_until_ms = t_ms;
    pthread_mutex_unlock(&s->lock);
}

void aim_run_carbon_account(aim_run_carbon *rc, int d, int64_t t0_mono_ns, int64_t t1_mono_ns,
                            double e0_j, double e1_j) {
    if (d < 0 || (size_t)d >= rc->n_dev || !rc->carbon)
        return;
    int64_t t0 = rc->anchor_wall_ns + (t0_mono_ns - rc->anchor_mono_ns);
    int64_t t1 = rc->anchor_wall_ns + (t1_mono_ns - rc->anchor_mono_ns);
    add(&rc->intensity, &rc->carbon[d], t0, t1, e0_j, e1_j);
    if (rc->price.n)
        add(&rc->price, &rc->cost[d], t0, t1, e0_j, e1_j);
}

double aim_run_carbon_device_g(aim_run_carbon *rc, int d, double e_j) {
    if (d < 0 || (size_t)d >= rc->n_dev || !rc->carbon || !rc->include[d])
        return 0.0;
    aim_intensity_series *in = &rc->intensity;
    pthread_mutex_lock(&in->lock);
    double g = in->n ? aim_step_acc_value(&rc->carbon[d], in->points, in->n, e_j) * rc->pue : 0.0;
    pthread_mutex_unlock(&in->lock);
    return g == g ? g : 0.0; /* NaN (no intensity data) counts as nothing */
}

void aim_run_carbon_refresh(aim_run_carbon *rc, aim_run_summary *run) {
    if (!rc->carbon)
        return;
    for (size_t d = 0; d < rc->n_dev; d++)
        rc->e_now[d] = run->devices[d].has_energy ? run->devices[d].energy_j : 0.0;
    run->facility_energy_j = run->total_energy_j * rc->pue;
    double facility_kwh = run->facility_energy_j / 3.6e6;

    aim_intensity_series *in = &rc->intensity;
    pthread_mutex_lock(&in->lock);
    for (size_t d = 0; d < rc->n_dev; d++)
        run->devices[d].carbon_g =
            rc->include[d] ? aim_step_acc_value(&rc->carbon[d], in->points, in->n, rc->e_now[d]) *
                                 rc->pue
                           : NAN;
    run->carbon_g = aim_step_acc_sum(rc->carbon, rc->e_now, rc->include, rc->n_dev, in->points,
                                     in->n) * rc->pue;
    /* One value: that value. A series: the energy-weighted mean actually applied, so that
     * carbon = facility kWh × intensity holds in the report whatever the series. */
    if (in->n == 1 || (in->n > 1 && !(facility_kwh > 0)))
        run->intensity_g_per_kwh =
            in->points[aim_step_index(in->points, in->n, rc->anchor_wall_ns / 1000000)].g_per_kwh;
    else if (in->n > 1)
        run->intensity_g_per_kwh = run->carbon_g / facility_kwh;
    pthread_mutex_unlock(&in->lock);

    aim_intensity_series *pr = &rc->price;
    if (!pr->n)
        return;
    pthread_mutex_lock(&pr->lock);
    run->cost = aim_step_acc_sum(rc->cost, rc->e_now, rc->include, rc->n_dev, pr->points, pr->n) *
                rc->pue;
    if (pr->n > 1 && facility_kwh > 0)
        run->price_per_kwh = run->cost / facility_kwh;
    pthread_mutex_unlock(&pr->lock);
}

/* The store says how many points it holds, rather than a count kept here: the caller's
 * transaction may still roll back after this insert (a failed commit), and the points must
 * then go in with the next one. Points only ever append, so the count is an index. */
static int store_new(aim_intensity_series *s, aim_db *db, const char *run_id, int which) {
    pthread_mutex_lock(&s->lock);
    size_t stored = 0;
    int r = s->n ? aim_db_steps_count(db, run_id, which, &stored) : 0;
    if (r == 0 && s->n > stored)
        r = aim_db_steps_insert(db, run_id, which, s->points + stored, s->n - stored);
    pthread_mutex_unlock(&s->lock);
    return r;
}

int aim_run_carbon_store(aim_run_carbon *rc, aim_db *db, const char *run_id) {
    if (!rc->ready)
        return 0;
    int r = store_new(&rc->intensity, db, run_id, 0);
    if (r == 0)
        r = store_new(&rc->price, db, run_id, 1);
    return r;
}

static void iso_time(char *buf, size_t size, int64_t unix_ms) {
    time_t secs = (time_t)(unix_ms / 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm)) {
        snprintf(buf, size, "?");
        return;
    }
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void warn(aim_run_summary *run, const char *line) {
    aim_log(AIM_LOG_WARNING, "%s", line);
    size_t used = strnlen(run->warnings, sizeof run->warnings);
    if (used < sizeof run->warnings)
        snprintf(run->warnings + used, sizeof run->warnings - used, "%s%s", used ? "\n" : "",
                 line);
}

/* A file's points cover [first, last + the last spacing]: its last step is taken to last as
 * long as the one before it (a one-point file has no end). */
static void coverage(aim_intensity_series *s, const char *what, const char *unit,
                     aim_run_summary *run) {
    if (s->origin != AIM_ORIGIN_FILE || s->n == 0)
        return;
    int64_t start_ms = run->start_wall_ns / 1000000;
    int64_t end_ms = (run->end_wall_ns ? run->end_wall_ns
                                       : run->start_wall_ns + run->duration_ns) / 1000000;
    const aim_intensity_point *p = s->points;
    size_t n = s->n;
    const char *base = strrchr(s->file, '/');
    base = base && base[1] ? base + 1 : s->file;
    char a[40], b[40], line[512];
    if (start_ms < p[0].t_unix_ms) {
        iso_time(a, sizeof a, p[0].t_unix_ms);
        iso_time(b, sizeof b, start_ms);
        snprintf(line, sizeof line, "%s file %s starts at %s, after the run started (%s): its "
                 "first value, %.6g %s, was used before it", what, base, a, b,
                 p[0].g_per_kwh, unit);
        warn(run, line);
    }
    if (n > 1) {
        int64_t covered = p[n - 1].t_unix_ms + (p[n - 1].t_unix_ms - p[n - 2].t_unix_ms);
        if (end_ms > covered) {
            iso_time(a, sizeof a, covered);
            iso_time(b, sizeof b, end_ms);
            snprintf(line, sizeof line, "%s file %s covers until %s (its last point plus one "
                     "period), before the run ended (%s): its last value, %.6g %s, was used "
                     "after it", what, base, a, b, p[n - 1].g_per_kwh, unit);
            warn(run, line);
        }
    }
}

void aim_run_carbon_finish(aim_run_carbon *rc, aim_run_summary *run) {
    if (!rc->ready)
        return;
    char unit[32];
    pthread_mutex_lock(&rc->intensity.lock);
    coverage(&rc->intensity, "intensity", "g/kWh", run);
    if (rc->intensity.moved) {
        char line[256];
        snprintf(line, sizeof line, "intensity: %zu point%s arrived after the time it applies "
                 "from and was applied from its arrival (stored so)", rc->intensity.moved,
                 rc->intensity.moved == 1 ? "" : "s");
        warn(run, line);
    }
    pthread_mutex_unlock(&rc->intensity.lock);
    snprintf(unit, sizeof unit, "%s/kWh", run->currency);
    pthread_mutex_lock(&rc->price.lock);
    coverage(&rc->price, "price", unit, run);
    pthread_mutex_unlock(&rc->price.lock);
}

void aim_run_carbon_free(aim_run_carbon *rc) {
    if (!rc)
        return;
    if (rc->ready) {
        aim_intensity_series_destroy(&rc->intensity);
        aim_intensity_series_destroy(&rc->price);
    }
    free(rc->carbon);
    free(rc->cost);
    free(rc->e_now);
    free(rc->include);
    memset(rc, 0, sizeof *rc);
}
