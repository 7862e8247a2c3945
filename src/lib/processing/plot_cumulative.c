/* The cumulative chart's model (plot_cumulative.h). */
#include "processing/plot_cumulative.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/intensity_series.h"
#include "processing/whatif.h"

void aim__plot_cumulative_free(aim_plot_cumulative *m) {
    if (!m)
        return;
    free(m->t);
    free(m->kwh);
    free(m->g);
    memset(m, 0, sizeof *m);
}

/* Whether the run's stored intensity takes more than one value between its start and end. */
static int intensity_varies(const aim_run_summary *run) {
    if (run->n_intensity_points < 2)
        return 0;
    const aim_intensity_point *p = run->intensity_points;
    size_t n = run->n_intensity_points;
    int64_t start_ms = run->start_wall_ns / 1000000;
    int64_t end_ms = (run->start_wall_ns + (run->duration_ns > 0 ? run->duration_ns : 0)) / 1000000;
    size_t i0 = aim__step_index(p, n, start_ms), i1 = aim__step_index(p, n, end_ms);
    for (size_t i = i0 + 1; i <= i1 && i < n; i++)
        if (p[i].g_per_kwh != p[i0].g_per_kwh)
            return 1;
    return 0;
}

int aim__plot_cumulative_build(const aim_run_summary *run, const aim_energy_timeline *tl,
                               aim_plot_cumulative *m) {
    memset(m, 0, sizeof *m);
    double end = run->duration_ns > 0 ? (double)run->duration_ns / 1e9 : 0;
    /* the curve, and a last point at the run's end when its last sample came earlier:
     * nothing more was recorded, so the sums stay */
    size_t n = tl->n;
    int extend = n == 0 || tl->t[n - 1] < end;
    size_t cap = n + (size_t)extend + 1;
    m->t = malloc(cap * sizeof *m->t);
    m->kwh = malloc(cap * sizeof *m->kwh);
    m->g = malloc(cap * sizeof *m->g);
    if (!m->t || !m->kwh || !m->g) {
        aim__plot_cumulative_free(m);
        return -ENOMEM;
    }
    if (n == 0) {   /* no energy: a flat line from the start */
        m->t[0] = m->kwh[0] = m->g[0] = 0;
        n = 1;
    } else {
        memcpy(m->t, tl->t, n * sizeof *m->t);
        memcpy(m->kwh, tl->kwh, n * sizeof *m->kwh);
        memcpy(m->g, tl->g, n * sizeof *m->g);
    }
    if (extend || n < 2) {
        m->t[n] = end > m->t[n - 1] ? end : m->t[n - 1];
        m->kwh[n] = m->kwh[n - 1];
        m->g[n] = m->g[n - 1];
        n++;
    }
    /* without an intensity the run's carbon is unknown (NaN): the line stays at 0 */
    for (size_t i = 0; i < n; i++)
        if (!isfinite(m->g[i]))
            m->g[i] = 0;
    m->n = n;
    m->pue = aim__whatif_pue(0, run);
    m->intensity_varies = intensity_varies(run);
    m->t_max = m->t[n - 1] > 0 ? m->t[n - 1] : 1;
    m->kwh_max = m->kwh[n - 1];
    m->g_max = m->g[n - 1];
    return 0;
}
