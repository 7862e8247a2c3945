/* The cumulative chart's model (plot_cumulative.h). */
#include "processing/plot_cumulative.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/intensity_series.h"

#define J_PER_KWH 3.6e6

void aim__plot_cumulative_free(aim_plot_cumulative *m) {
    if (!m)
        return;
    free(m->t);
    free(m->kwh);
    free(m->g);
    memset(m, 0, sizeof *m);
}

/* The intensity in force at t ns after the run's start, g/kWh. */
static double intensity_at(const aim_run_summary *run, int64_t t_ns) {
    if (run->n_intensity_points == 0)
        return run->intensity_g_per_kwh;
    int64_t wall_ms = (run->start_wall_ns + t_ns) / 1000000;
    size_t i = aim__step_index(run->intensity_points, run->n_intensity_points, wall_ms);
    return run->intensity_points[i].g_per_kwh;
}

int aim__plot_cumulative_build(const aim_run_summary *run,
                               double (*energy_at)(const void *userdata, int64_t t_ns),
                               const void *userdata, size_t n_points, aim_plot_cumulative *m) {
    memset(m, 0, sizeof *m);
    n_points = n_points < 2 ? 2 : n_points;
    m->t = malloc(n_points * sizeof *m->t);
    m->kwh = malloc(n_points * sizeof *m->kwh);
    m->g = malloc(n_points * sizeof *m->g);
    if (!m->t || !m->kwh || !m->g) {
        aim__plot_cumulative_free(m);
        return -ENOMEM;
    }
    m->n = n_points;
    m->pue = run->pue > 0 ? run->pue : 1.0;
    int64_t dur = run->duration_ns > 0 ? run->duration_ns : 0;
    double prev_j = 0, g = 0, first_i = NAN;
    for (size_t k = 0; k < n_points; k++) {
        int64_t t = (int64_t)((double)dur * (double)k / (double)(n_points - 1));
        double j = energy_at(userdata, t);
        j = isfinite(j) ? j : prev_j;
        /* the step's energy at the intensity in force at its start */
        double i = intensity_at(run, k ? (int64_t)((double)dur * (double)(k - 1) /
                                                   (double)(n_points - 1)) : 0);
        if (k == 0)
            first_i = i;
        else if (i != first_i)
            m->intensity_varies = 1;
        if (isfinite(i))
            g += (j - prev_j) * m->pue / J_PER_KWH * i;
        prev_j = j;
        m->t[k] = (double)t / 1e9;
        m->kwh[k] = j * m->pue / J_PER_KWH;
        m->g[k] = g;
    }
    m->t_max = m->t[n_points - 1] > 0 ? m->t[n_points - 1] : 1;
    m->kwh_max = m->kwh[n_points - 1];
    m->g_max = m->g[n_points - 1];
    return 0;
}
