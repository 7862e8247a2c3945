/* A live run's carbon and cost (run_carbon.h). */
#include "engine/run_carbon.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "data/carbon.h"
#include "engine/choose.h"
#include "engine/run_provider.h"
#include "engine/whatif_replay.h"
#include "util/iso8601.h"
#include "util/log.h"
#include "util/numfmt.h"
#include "store/steps_store.h"

int aim__run_carbon_setup(aim_run_carbon *rc, const aim_config *cfg, int64_t now_wall_ns,
                         aim_run_summary *run, char *err, size_t errlen) {
    memset(rc, 0, sizeof *rc);
    if (aim__intensity_series_init(&rc->intensity) < 0)
        return -ENOMEM;
    if (aim__intensity_series_init(&rc->price) < 0) {
        aim__intensity_series_destroy(&rc->intensity);
        return -ENOMEM;
    }
    rc->ready = 1;
    int64_t now_ms = now_wall_ns / 1000000;
    int r = aim__intensity_choose_live(cfg, now_ms, &rc->intensity, &rc->live, rc->live_warning,
                                      sizeof rc->live_warning, err, errlen);
    if (rc->live_warning[0]) /* now, while the command waits: never a silent fallback */
        aim__log(AIM_LOG_WARNING, "%s", rc->live_warning);
    if (r == 0)
        r = aim__price_choose(cfg, now_ms, &rc->price, err, errlen);
    if (r < 0)
        return r;

    const aim_intensity_series *in = &rc->intensity;
    snprintf(run->zone, sizeof run->zone, "%s", in->zone);
    snprintf(run->intensity_source, sizeof run->intensity_source, "%s", in->source);
    run->signal = in->signal;
    run->basis = in->basis;
    run->intensity_g_per_kwh =
        in->n ? in->points[aim__step_index(in->points, in->n, now_ms)].g_per_kwh : NAN;
    rc->pue = cfg->pue >= 1.0 ? cfg->pue : 1.0;
    run->pue = rc->pue;
    snprintf(run->pue_source, sizeof run->pue_source, "%s",
             cfg->pue_source[0] ? cfg->pue_source : "default (no facility overhead counted)");
    if (rc->price.n) {
        snprintf(run->currency, sizeof run->currency, "%s", cfg->currency);
        snprintf(run->price_source, sizeof run->price_source, "%s", rc->price.source);
        run->price_per_kwh = rc->price.points[aim__step_index(rc->price.points, rc->price.n,
                                                             now_ms)].g_per_kwh;
    }
    run->carbon_g = run->cost = run->facility_energy_j = NAN;
    return 0;
}

static void add_warning(aim_run_summary *run, const char *line) {
    size_t used = strnlen(run->warnings, sizeof run->warnings);
    if (used < sizeof run->warnings)
        snprintf(run->warnings + used, sizeof run->warnings - used, "%s%s", used ? "\n" : "",
                 line);
}

static void warn(aim_run_summary *run, const char *line) {
    aim__log(AIM_LOG_WARNING, "%s", line);
    add_warning(run, line);
}

int aim__run_carbon_plan(aim_run_carbon *rc, aim_run_summary *run, int64_t anchor_wall_ns,
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
    if (rc->live_warning[0]) /* logged at the setup already; the summary's warnings were
                                written by the sources since */
        add_warning(run, rc->live_warning);
    if (rc->live) {
        int r = aim__run_provider_start(rc->live, &rc->intensity, 0);
        if (r < 0) {
            char line[256];
            snprintf(line, sizeof line, "%s: cannot poll during the run (%s); its first value is "
                     "used throughout, and history is asked at the end", aim__run_provider_name(rc->live),
                     strerror(-r));
            warn(run, line);
        }
    }
    return 0;
}

static void add(aim_intensity_series *s, aim_step_acc *a, int64_t t0, int64_t t1, double e0,
                double e1) {
    pthread_mutex_lock(&s->lock);
    aim__step_acc_add(a, s->points, s->n, t0, t1, e0, e1);
    int64_t t_ms = t1 / 1000000;
    if (t_ms > s->priced_until_ms)
        s->priced_until_ms = t_ms;
    pthread_mutex_unlock(&s->lock);
}

void aim__run_carbon_account(aim_run_carbon *rc, int d, int64_t t0_mono_ns, int64_t t1_mono_ns,
                            double e0_j, double e1_j) {
    if (d < 0 || (size_t)d >= rc->n_dev || !rc->carbon)
        return;
    int64_t t0 = rc->anchor_wall_ns + (t0_mono_ns - rc->anchor_mono_ns);
    int64_t t1 = rc->anchor_wall_ns + (t1_mono_ns - rc->anchor_mono_ns);
    add(&rc->intensity, &rc->carbon[d], t0, t1, e0_j, e1_j);
    if (rc->price.n)
        add(&rc->price, &rc->cost[d], t0, t1, e0_j, e1_j);
}

double aim__run_carbon_intensity_now(aim_run_carbon *rc) {
    if (!rc->ready)
        return NAN;
    aim_intensity_series *in = &rc->intensity;
    pthread_mutex_lock(&in->lock);
    double v = in->n ? in->points[aim__step_index(in->points, in->n, in->priced_until_ms)].g_per_kwh
                     : NAN;
    pthread_mutex_unlock(&in->lock);
    return v;
}

double aim__run_carbon_device_g(aim_run_carbon *rc, int d, double e_j) {
    if (d < 0 || (size_t)d >= rc->n_dev || !rc->carbon || !rc->include[d])
        return 0.0;
    aim_intensity_series *in = &rc->intensity;
    pthread_mutex_lock(&in->lock);
    double g = in->n ? aim__step_acc_value(&rc->carbon[d], in->points, in->n, e_j) * rc->pue : 0.0;
    pthread_mutex_unlock(&in->lock);
    return g == g ? g : 0.0; /* NaN (no intensity data) counts as nothing */
}

void aim__run_carbon_refresh(aim_run_carbon *rc, aim_run_summary *run) {
    if (!rc->carbon || rc->repriced) /* re-priced: the figures are final, and the
                                         accumulators belong to the old series */
        return;
    for (size_t d = 0; d < rc->n_dev; d++)
        rc->e_now[d] = run->devices[d].has_energy ? run->devices[d].energy_j : 0.0;
    run->facility_energy_j = run->total_energy_j * rc->pue;
    double facility_kwh = run->facility_energy_j / 3.6e6;

    aim_intensity_series *in = &rc->intensity;
    pthread_mutex_lock(&in->lock);
    for (size_t d = 0; d < rc->n_dev; d++)
        run->devices[d].carbon_g =
            rc->include[d] ? aim__step_acc_value(&rc->carbon[d], in->points, in->n, rc->e_now[d]) *
                                 rc->pue
                           : NAN;
    run->carbon_g = aim__step_acc_sum(rc->carbon, rc->e_now, rc->include, rc->n_dev, in->points,
                                     in->n) * rc->pue;
    /* One value: that value. A series: the energy-weighted mean actually applied, so that
     * carbon = facility kWh × intensity holds in the report whatever the series. */
    if (in->n == 1 || (in->n > 1 && !(facility_kwh > 0)))
        run->intensity_g_per_kwh =
            in->points[aim__step_index(in->points, in->n, rc->anchor_wall_ns / 1000000)].g_per_kwh;
    else if (in->n > 1)
        run->intensity_g_per_kwh = run->carbon_g / facility_kwh;
    pthread_mutex_unlock(&in->lock);

    aim_intensity_series *pr = &rc->price;
    if (!pr->n)
        return;
    pthread_mutex_lock(&pr->lock);
    run->cost = aim__step_acc_sum(rc->cost, rc->e_now, rc->include, rc->n_dev, pr->points, pr->n) *
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
    int r = s->n ? aim__db_steps_count(db, run_id, which, &stored) : 0;
    if (r == 0 && s->n > stored)
        r = aim__db_steps_insert(db, run_id, which, s->points + stored, s->n - stored);
    pthread_mutex_unlock(&s->lock);
    return r;
}

int aim__run_carbon_store(aim_run_carbon *rc, aim_db *db, const char *run_id) {
    if (!rc->ready)
        return 0;
    int r = store_new(&rc->intensity, db, run_id, 0);
    if (r == 0)
        r = store_new(&rc->price, db, run_id, 1);
    return r;
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
    char a[40], b[40], line[512], num[AIM_NUM_MAX];
    if (start_ms < p[0].t_unix_ms) {
        aim__iso8601_format(p[0].t_unix_ms, 1, a, sizeof a);
        aim__iso8601_format(start_ms, 1, b, sizeof b);
        snprintf(line, sizeof line, "%s file %s starts at %s, after the run started (%s): its "
                 "first value, %s %s, was used before it", what, base, a, b,
                 aim__fmt_g(num, p[0].g_per_kwh, 6), unit);
        warn(run, line);
    }
    if (n > 1) {
        int64_t covered = p[n - 1].t_unix_ms + (p[n - 1].t_unix_ms - p[n - 2].t_unix_ms);
        if (end_ms > covered) {
            aim__iso8601_format(covered, 1, a, sizeof a);
            aim__iso8601_format(end_ms, 1, b, sizeof b);
            snprintf(line, sizeof line, "%s file %s covers until %s (its last point plus one "
                     "period), before the run ended (%s): its last value, %s %s, was used "
                     "after it", what, base, a, b, aim__fmt_g(num, p[n - 1].g_per_kwh, 6), unit);
            warn(run, line);
        }
    }
}

static void moved_warning(aim_run_carbon *rc, aim_run_summary *run) {
    if (rc->intensity.moved) {
        char line[256];
        snprintf(line, sizeof line, "intensity: %zu point%s arrived after the time it applies "
                 "from and was applied from its arrival (stored so)", rc->intensity.moved,
                 rc->intensity.moved == 1 ? "" : "s");
        warn(run, line);
    }
}

void aim__run_carbon_finish(aim_run_carbon *rc, aim_run_summary *run) {
    if (!rc->ready)
        return;
    /* Nothing may change the series after the last interval was priced. */
    aim__run_provider_stop(rc->live);
    char unit[32];
    pthread_mutex_lock(&rc->intensity.lock);
    coverage(&rc->intensity, "intensity", "g/kWh", run);
    if (!rc->live) /* with a provider the back-fill may put them where they belong */
        moved_warning(rc, run);
    pthread_mutex_unlock(&rc->intensity.lock);
    snprintf(unit, sizeof unit, "%s/kWh", run->currency);
    pthread_mutex_lock(&rc->price.lock);
    coverage(&rc->price, "price", unit, run);
    pthread_mutex_unlock(&rc->price.lock);
}

/* ------------------------------------------------------------------ back-fill */

/* 1 when the merged series is the one the run was priced with. */
static int same_series(const aim_intensity_series *s, const aim_prov_series *best) {
    if (s->n != best->n)
        return 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->points[i].t_unix_ms != best->p[i].t_unix_ms ||
            s->points[i].g_per_kwh != best->p[i].g_per_kwh)
            return 0;
    return 1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Prices the run's stored samples with best (the writer's accounting, replayed), and when
 * they give the run's own energy, makes best the run's series and its carbon the result.
 * 1 re-priced, 0 kept as it was (warning given), < 0 out of memory. */
static int reprice(aim_run_carbon *rc, aim_db *db, aim_run_summary *run, const aim_prov_series *best,
                   const char *name, const aim_backfill_hook *hook) {
    size_t n_dev = run->n_devices > 0 ? (size_t)run->n_devices : 0;
    double *device_g = calloc(n_dev + 1, sizeof *device_g);
    if (!device_g)
        return -ENOMEM;
    aim_whatif_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.points = best->p;
    sc.n = best->n;
    sc.device_g = device_g;
    if (hook) {
        sc.on_interval = hook->on_interval;
        sc.userdata = hook->userdata;
    }
    aim_whatif_totals tot;
    double t0 = now_s();
    int r = aim__whatif_replay(db, run, rc->pue, &sc, 1, &tot);
    double took = now_s() - t0;
    char line[512];
    /* The replay reads counters at their stored resolution (1 µJ): it agrees with the live
     * energy to far better than this, unless samples are missing from the store. */
    double tol = 1e-3 + 1e-6 * fabs(run->total_energy_j);
    if (r == 0 && !(fabs(tot.energy_j - run->total_energy_j) <= tol)) {
        char got[AIM_NUM_MAX], want[AIM_NUM_MAX];
        snprintf(line, sizeof line, "%s: history not applied: the stored samples give %s J, the "
                 "run measured %s J; carbon stays as priced during the run", name,
                 aim__fmt_g(got, tot.energy_j, 6), aim__fmt_g(want, run->total_energy_j, 6));
        warn(run, line);
        r = 1;
    } else if (r < 0) {
        snprintf(line, sizeof line, "%s: history not applied: cannot read the stored samples (%s); "
                 "carbon stays as priced during the run", name, aim__db_errmsg(db));
        warn(run, line);
    } else if ((r = aim__intensity_series_replace(&rc->intensity, best->p, best->n)) == 0) {
        rc->repriced = 1;
        run->carbon_g = sc.carbon_g;
        for (size_t d = 0; d < n_dev; d++)
            run->devices[d].carbon_g = device_g[d];
        double facility_kwh = run->facility_energy_j / 3.6e6;
        run->intensity_g_per_kwh = best->n == 1 || !(facility_kwh > 0) ? best->p[0].g_per_kwh
                                                                        : run->carbon_g / facility_kwh;
        aim__log(AIM_LOG_DEBUG, "%s: run re-priced with %zu points from %llu stored samples in %.3f s",
                name, best->n, (unsigned long long)tot.ticks, took);
        free(device_g);
        return 1;
    }
    free(device_g);
    return r == -ENOMEM ? r : 0;
}

void aim__run_carbon_backfill(aim_run_carbon *rc, aim_db *db, aim_run_summary *run,
                             const aim_backfill_hook *hook) {
    if (!rc->ready || !rc->live)
        return;
    aim__run_provider_stop(rc->live);
    const char *name = aim__run_provider_name(rc->live);
    char line[640], note[256], source[192];
    uint64_t polls, failures;
    aim__run_provider_counts(rc->live, &polls, &failures, note, sizeof note);
    if (failures) {
        snprintf(line, sizeof line, "%s: %llu of %llu polls during the run failed (last: %.300s)", name,
                 (unsigned long long)failures, (unsigned long long)polls, note);
        warn(run, line);
    }
    int64_t from_ms = run->start_wall_ns / 1000000;
    int64_t end_ns = run->end_wall_ns ? run->end_wall_ns : run->start_wall_ns + run->duration_ns;
    int64_t to_ms = (end_ns + 999999) / 1000000;
    aim_prov_series best = { 0 };
    int r = to_ms > from_ms ? aim__run_provider_backfill(rc->live, from_ms, to_ms, AIM_RUN_PROVIDER_BACKFILL_MS,
                                                        &best, source, sizeof source, note, sizeof note)
                            : -EINVAL;
    int changed = 0;
    if (r < 0) {
        size_t n = aim__run_provider_received(rc->live);
        snprintf(line, sizeof line, "%s: no history for the run's span (%.300s); carbon uses the %zu "
                 "value%s received during the run", name, to_ms > from_ms ? note : "run too short",
                 n, n == 1 ? "" : "s");
        warn(run, line);
    } else {
        if (note[0]) {
            snprintf(line, sizeof line, "%s: history: %.400s", name, note);
            warn(run, line);
        }
        if (best.n && !same_series(&rc->intensity, &best)) {
            int rr = reprice(rc, db, run, &best, name, hook);
            changed = rr > 0;
            if (rr < 0)
                warn(run, "history not applied: out of memory");
            if (changed && hook && hook->cannot)
                warn(run, hook->cannot);
        }
    }
    if (!rc->repriced)
        moved_warning(rc, run);
    if (changed) {
        /* The series now says where it came from: the history, with what was polled
         * around it. */
        snprintf(rc->intensity.source, sizeof rc->intensity.source, "%.150s; back-filled at the end of the run",
                 source);
        snprintf(run->intensity_source, sizeof run->intensity_source, "%s", rc->intensity.source);
    }
    aim__prov_series_free(&best);
    /* One transaction: the new series with the carbon it gives, or neither. */
    int s = aim__db_begin(db);
    if (s == 0) {
        if (changed)
            s = aim__db_steps_replace(db, run->id, 0, rc->intensity.points, rc->intensity.n);
        if (s == 0 && changed && hook && hook->store)
            s = hook->store(hook->userdata, db);
        if (s == 0)
            s = aim__db_run_update(db, run);
        if (s == 0)
            s = aim__db_commit(db);
        if (s < 0) {
            char keep[256];
            snprintf(keep, sizeof keep, "%s", aim__db_errmsg(db));
            aim__db_rollback(db);
            aim__log(AIM_LOG_WARNING, "%s: could not store the end of the run's history (%s); the "
                    "store keeps the carbon priced during the run", name, keep);
        }
    } else {
        aim__log(AIM_LOG_WARNING, "%s: could not store the end of the run's history (%s); the "
                "store keeps the carbon priced during the run", name, aim__db_errmsg(db));
    }
}

void aim__run_carbon_free(aim_run_carbon *rc) {
    if (!rc)
        return;
    aim__run_provider_free(rc->live);
    if (rc->ready) {
        aim__intensity_series_destroy(&rc->intensity);
        aim__intensity_series_destroy(&rc->price);
    }
    free(rc->carbon);
    free(rc->cost);
    free(rc->e_now);
    free(rc->include);
    memset(rc, 0, sizeof *rc);
}
