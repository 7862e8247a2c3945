/* Markers and smoothing of a time-series chart (plot_extras.h). */
#include "processing/plot_extras.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int aim__plot_mark_add(aim_plot_model *m, const char *text, double t) {
    if (!(t >= m->x0 && t <= m->x1))
        return 0;
    aim_plot_mark *nm = realloc(m->marks, (m->n_marks + 1) * sizeof *nm);
    if (!nm)
        return -ENOMEM;
    m->marks = nm;
    snprintf(nm[m->n_marks].text, sizeof nm[0].text, "%s", text);
    nm[m->n_marks++].t = t;
    return 0;
}

int aim__plot_series_smooth(aim_plot_series *s, double window_s) {
    if (!(window_s > 0) || s->n == 0)
        return 0;
    double *out = malloc(s->cap * sizeof *out);   /* as large as x: points may follow */
    if (!out)
        return -ENOMEM;
    double half = window_s / 2;
    size_t k = 0;
    while (k < s->n) {
        if (isnan(s->y[k])) {
            out[k++] = NAN;
            continue;
        }
        /* one segment between gaps: a window sliding over it, its sum kept as it moves */
        size_t end = k;
        while (end < s->n && !isnan(s->y[end]))
            end++;
        size_t lo = k, hi = k;   /* the window is [lo, hi) */
        double sum = 0;
        for (size_t i = k; i < end; i++) {
            while (hi < end && s->x[hi] <= s->x[i] + half)
                sum += s->y[hi++];
            while (s->x[lo] < s->x[i] - half)
                sum -= s->y[lo++];
            out[i] = sum / (double)(hi - lo);
        }
        k = end;
    }
    free(s->y);
    s->y = out;
    return 0;
}

void aim__plot_pad_range(double *lo, double *hi) {
    if (*lo > *hi) {
        *lo = 0;
        *hi = 1;
    } else if (*lo == *hi) {
        double d = fabs(*lo) > 0 ? fabs(*lo) * 0.1 : 1;
        *lo -= d;
        *hi += d;
    } else {
        double pad = (*hi - *lo) * 0.05;
        *lo -= pad;
        *hi += pad;
    }
}
