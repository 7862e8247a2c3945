/* The chart model of aimeter plot (plot_model.h): samples in, the points to draw out. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/plot_extras.h"
#include "processing/plot_model.h"

void aim__plot_model_init(aim_plot_model *m, double x0, double x1, int width_px) {
    memset(m, 0, sizeof *m);
    m->x0 = x0;
    m->x1 = x1;
    m->width_px = width_px > 0 ? width_px : 1;
}

void aim__plot_model_free(aim_plot_model *m) {
    if (!m)
        return;
    for (int i = 0; i < m->n_series; i++) {
        free(m->series[i].x);
        free(m->series[i].y);
        aim__decimator_free(&m->series[i].dec);
    }
    free(m->bands);
    free(m->marks);
    memset(m, 0, sizeof *m);
}

int aim__plot_series_add(aim_plot_model *m, const char *name, const char *unit) {
    if (m->n_series >= AIM_PLOT_MAX_SERIES)
        return -E2BIG;
    int axis = 0;
    while (axis < m->n_axes && strcmp(m->unit[axis], unit) != 0)
        axis++;
    if (axis == AIM_PLOT_MAX_AXES)
        return -EDOM;
    if (axis == m->n_axes)
        snprintf(m->unit[m->n_axes++], sizeof m->unit[0], "%s", unit);
    aim_plot_series *s = &m->series[m->n_series];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->axis = axis;
    return m->n_series++;
}

int aim__plot_point(aim_plot_model *m, int i, double t, double value, int valid) {
    if (i < 0 || i >= m->n_series || !(t >= m->x0 && t <= m->x1))
        return 0;
    aim_plot_series *s = &m->series[i];
    if (!s->started) {
        /* the window and the width are known once samples come (api/plot.c sets them after
         * the series) */
        aim__decimator_init(&s->dec, m->x0, m->x1, (size_t)m->width_px);
        s->started = 1;
    }
    return aim__decimator_push(&s->dec, t, value, valid);
}

int aim__plot_band_add(aim_plot_model *m, const char *name, int depth, double t0, double t1) {
    double a = t0 > m->x0 ? t0 : m->x0, b = t1 < m->x1 ? t1 : m->x1;
    if (!(b > a))
        return 0;
    aim_plot_band *nb = realloc(m->bands, (m->n_bands + 1) * sizeof *nb);
    if (!nb)
        return -ENOMEM;
    m->bands = nb;
    aim_plot_band *band = &m->bands[m->n_bands++];
    snprintf(band->name, sizeof band->name, "%s", name);
    band->depth = depth;
    band->x0 = a;
    band->x1 = b;
    return 0;
}

int aim__plot_model_finish(aim_plot_model *m) {
    if (!(m->x1 > m->x0))
        m->x1 = m->x0 + 1;   /* a run of one instant still gets an axis */
    size_t most = 0;
    for (int i = 0; i < m->n_series; i++) {
        aim_plot_series *s = &m->series[i];
        if (!s->started)
            continue;
        int r = aim__decimator_finish(&s->dec);
        if (r < 0)
            return r;
        free(s->x);
        free(s->y);
        s->x = s->dec.t;
        s->y = s->dec.v;
        s->n = s->dec.n;
        s->n_samples = s->dec.samples;
        most = s->dec.per_bucket > most ? s->dec.per_bucket : most;
        s->dec.t = s->dec.v = NULL;
        aim__decimator_free(&s->dec);
        s->started = 0;
    }
    m->per_pixel = most;
    m->note[0] = 0;
    if (most)
        snprintf(m->note, sizeof m->note, "min/max of up to %zu samples per pixel", most);
    for (int a = 0; a < m->n_axes; a++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < m->n_series; i++) {
            const aim_plot_series *s = &m->series[i];
            if (s->axis != a)
                continue;
            for (size_t k = 0; k < s->n; k++)
                if (isfinite(s->y[k])) {
                    lo = s->y[k] < lo ? s->y[k] : lo;
                    hi = s->y[k] > hi ? s->y[k] : hi;
                }
        }
        aim__plot_pad_range(&lo, &hi);
        m->ymin[a] = lo;
        m->ymax[a] = hi;
    }
    return 0;
}
