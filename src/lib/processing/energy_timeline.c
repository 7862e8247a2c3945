/* The cumulative energy and carbon curve (energy_timeline.h). */
#include "processing/energy_timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "processing/whatif.h"
#include "util/array.h"
#include "util/numfmt.h"

#define NS_PER_S 1e9

void aim__energy_timeline_init(aim_energy_timeline *tl, double x0, double x1, size_t buckets) {
    memset(tl, 0, sizeof *tl);
    aim__decimator_init(&tl->grid, x0, x1, buckets);
    tl->bucket = -1;
    tl->t_last = x0;
}

static void point(aim_energy_timeline *tl, double t, double kwh, double g) {
    if (tl->err)
        return;
    if (tl->n == tl->cap) {
        /* Three arrays side by side: all grow to the one new capacity. */
        size_t cap = aim__array_next_cap(tl->cap, tl->n + 1, 256);
        if (cap == 0 || aim__array_resize(&tl->t, cap, sizeof *tl->t) < 0 ||
            aim__array_resize(&tl->kwh, cap, sizeof *tl->kwh) < 0 ||
            aim__array_resize(&tl->g, cap, sizeof *tl->g) < 0) {
            tl->err = -ENOMEM;
            return;
        }
        tl->cap = cap;
    }
    tl->t[tl->n] = t;
    tl->kwh[tl->n] = kwh;
    tl->g[tl->n] = g;
    tl->n++;
}

/* An interval (t0, t1] ns of one device priced: the intervals come in time order, so the
 * curve keeps the sums at the last interval of each bucket. */
static void interval_at(aim_energy_timeline *tl, int64_t t1_ns) {
    double t = (double)t1_ns / NS_PER_S;
    /* an interval past the window (a sample after the recorded end) stays in the last
     * bucket; one before it (none on the sample clock) in the first */
    long b = aim__decimator_bucket(&tl->grid, t);
    if (b < 0)
        b = t < tl->grid.x0 ? 0 : (long)tl->grid.buckets - 1;
    if (tl->bucket < 0) {
        point(tl, tl->grid.x0, 0, 0);   /* the curve starts at nothing */
        tl->bucket = b;
    } else if (b > tl->bucket) {
        point(tl, tl->t_last, tl->kwh_sum, tl->g_sum);
        tl->bucket = b;
    }
    if (t > tl->t_last)
        tl->t_last = t;
}

static void on_own(void *userdata, int dev, int64_t t0_ns, int64_t t1_ns, double carbon_g) {
    (void)dev;
    (void)t0_ns;
    aim_energy_timeline *tl = userdata;
    interval_at(tl, t1_ns);
    tl->g_sum += carbon_g;
}

static void on_unit(void *userdata, int dev, int64_t t0_ns, int64_t t1_ns, double kwh) {
    (void)dev;
    (void)t0_ns;
    aim_energy_timeline *tl = userdata;
    interval_at(tl, t1_ns);
    tl->kwh_sum += kwh;
}

void aim__energy_timeline_scenarios(aim_energy_timeline *tl, const aim_run_summary *run,
                                    aim_whatif_scenario sc[2]) {
    memset(sc, 0, 2 * sizeof *sc);
    aim__whatif_run_scenario(run, &tl->own_point, &sc[0]);
    sc[0].on_interval = on_own;
    sc[0].userdata = tl;
    tl->unit_point.t_unix_ms = run->start_wall_ns / 1000000;
    tl->unit_point.g_per_kwh = 1;
    sc[1].points = &tl->unit_point;
    sc[1].n = 1;
    aim__bprintf(sc[1].label, sizeof sc[1].label, "1 g/kWh");
    sc[1].on_interval = on_unit;
    sc[1].userdata = tl;
}

/* An energy counter's first reading counts the energy since the run's start by extrapolation,
 * which the next readings refine, and a refinement can take back a little of it: the sums
 * can dip. A cumulative curve never goes down, so each point is at most every later one
 * (a running minimum from the end); the last point stays the run's total. */
static void monotone(aim_energy_timeline *tl) {
    for (size_t i = tl->n; i-- > 1;) {
        if (tl->kwh[i - 1] > tl->kwh[i])
            tl->kwh[i - 1] = tl->kwh[i];
        if (tl->g[i - 1] > tl->g[i])
            tl->g[i - 1] = tl->g[i];
    }
}

int aim__energy_timeline_finish(aim_energy_timeline *tl) {
    if (tl->bucket >= 0)
        point(tl, tl->t_last, tl->kwh_sum, tl->g_sum);
    tl->bucket = -1;
    if (tl->err)
        return tl->err;
    monotone(tl);
    return 0;
}

void aim__energy_timeline_free(aim_energy_timeline *tl) {
    if (!tl)
        return;
    free(tl->t);
    free(tl->kwh);
    free(tl->g);
    tl->t = tl->kwh = tl->g = NULL;
    tl->n = tl->cap = 0;
    aim__decimator_free(&tl->grid);
}
