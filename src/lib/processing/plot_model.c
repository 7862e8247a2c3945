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

static int push(aim_plot_series *s, double x, double y) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        double *nx = realloc(s->x, cap * sizeof *nx);
        if (!nx)
            return -ENOMEM;
        s->x = nx;
        double *ny = realloc(s->y, cap * sizeof *ny);
        if (!ny)
            return -ENOMEM;
        s->y = ny;
        s->cap = cap;
    }
    s->x[s->n] = x;
    s->y[s->n] = y;
    s->n++;
    return 0;
}

int aim__plot_point(aim_plot_model *m, int i, double t, double value, int valid) {
    if (i < 0 || i >= m->n_series || !(t >= m->x0 && t <= m->x1))
        return 0;
    aim_plot_series *s = &m->series[i];
    if (!valid || !isfinite(value)) {
        /* one break is enough, and a line cannot start with one */
        if (s->n == 0 || isnan(s->y[s->n - 1]))
            return 0;
        return push(s, t, NAN);
    }
    s->n_samples++;
    return push(s, t, value);
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

static int push2(aim_plot_series *s, double x0, double y0, double x1, double y1) {
    int r = push(s, x0, y0);
    return r < 0 ? r : push(s, x1, y1);
}

/* One pixel's bucket while decimating: its extremes and where they were. */
typedef struct bucket {
    size_t count;
    double min, max, t_min, t_max;
} bucket;

static int bucket_flush(aim_plot_series *out, bucket *b, size_t *most) {
    if (b->count == 0)
        return 0;
    if (b->count > *most)
        *most = b->count;
    int r;
    if (b->t_min == b->t_max && b->min == b->max)
        r = push(out, b->t_min, b->min);
    else if (b->t_min <= b->t_max)
        r = push2(out, b->t_min, b->min, b->t_max, b->max);
    else
        r = push2(out, b->t_max, b->max, b->t_min, b->min);
    b->count = 0;
    return r;
}

/* The min/max envelope of s over width buckets across the window, gaps kept. */
static int decimate(aim_plot_model *m, aim_plot_series *s, size_t *most) {
    aim_plot_series out = { 0 };
    bucket b = { 0 };
    long cur = -1;
    double span = m->x1 - m->x0;
    int r = 0;
    for (size_t k = 0; k < s->n && r == 0; k++) {
        if (isnan(s->y[k])) {
            r = bucket_flush(&out, &b, most);
            if (r == 0)
                r = push(&out, s->x[k], NAN);
            continue;
        }
        long idx = (long)((s->x[k] - m->x0) / span * m->width_px);
        if (idx >= m->width_px)
            idx = m->width_px - 1;
        if (idx != cur) {
            r = bucket_flush(&out, &b, most);
            cur = idx;
        }
        double v = s->y[k];
        if (b.count == 0 || v < b.min) {
            b.min = v;
            b.t_min = s->x[k];
        }
        if (b.count == 0 || v > b.max) {
            b.max = v;
            b.t_max = s->x[k];
        }
        b.count++;
    }
    if (r == 0)
        r = bucket_flush(&out, &b, most);
    if (r < 0) {
        free(out.x);
        free(out.y);
        return r;
    }
    free(s->x);
    free(s->y);
    s->x = out.x;
    s->y = out.y;
    s->n = out.n;
    s->cap = out.cap;
    return 0;
}

int aim__plot_model_finish(aim_plot_model *m) {
    if (!(m->x1 > m->x0))
        m->x1 = m->x0 + 1;   /* a run of one instant still gets an axis */
    size_t most = 0;
    for (int i = 0; i < m->n_series; i++) {
        aim_plot_series *s = &m->series[i];
        if (s->n_samples > 2 * (size_t)m->width_px) {
            int r = decimate(m, s, &most);
            if (r < 0)
                return r;
        }
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
