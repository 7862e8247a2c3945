/* Markers and smoothing of a time-series chart (plot_extras.h). */
#include "processing/plot_extras.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

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

int aim__plot_reserve_pair(double **a, double **b, size_t *cap, size_t need) {
    /* a may grow and b not: the smaller capacity is both's */
    size_t acap = *cap, bcap = *cap;
    int r = AIM_ARRAY_RESERVE(*a, acap, need, 256);
    if (r == 0)
        r = AIM_ARRAY_RESERVE(*b, bcap, need, 256);
    *cap = acap < bcap ? acap : bcap;
    return r;
}

void aim__plot_smoother_init(aim_plot_smoother *s, double window_s) {
    memset(s, 0, sizeof *s);
    s->half = window_s / 2;
}

void aim__plot_smoother_free(aim_plot_smoother *s) {
    if (!s)
        return;
    free(s->t);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Emits buffered samples while their window is complete: all of them when `all`, else those
 * whose window ends before t_new. */
static int emit(aim_plot_smoother *s, int all, double t_new, aim_plot_emit_fn fn, void *ud) {
    int r = 0;
    while (r == 0 && s->next < s->len && (all || s->t[s->next] + s->half < t_new)) {
        double tc = s->t[s->next];
        while (s->hi < s->len && s->t[s->hi] <= tc + s->half)
            s->sum += s->v[s->hi++];
        while (s->t[s->lo] < tc - s->half)
            s->sum -= s->v[s->lo++];
        r = fn(ud, tc, s->sum / (double)(s->hi - s->lo), 1);
        s->next++;
    }
    /* what no later window reaches goes: the buffer holds about one window */
    if (s->lo > 0 && s->lo >= s->len / 2) {
        memmove(s->t, s->t + s->lo, (s->len - s->lo) * sizeof *s->t);
        memmove(s->v, s->v + s->lo, (s->len - s->lo) * sizeof *s->v);
        s->len -= s->lo, s->next -= s->lo, s->hi -= s->lo, s->lo = 0;
    }
    return r;
}

int aim__plot_smoother_flush(aim_plot_smoother *s, aim_plot_emit_fn fn, void *userdata) {
    int r = emit(s, 1, 0, fn, userdata);
    s->len = s->next = s->lo = s->hi = 0;
    s->sum = 0;
    return r;
}

int aim__plot_smoother_push(aim_plot_smoother *s, double t, double value, int valid,
                            aim_plot_emit_fn fn, void *userdata) {
    if (!valid || !isfinite(value)) {
        int r = aim__plot_smoother_flush(s, fn, userdata);
        return r < 0 ? r : fn(userdata, t, value, 0);
    }
    int r = aim__plot_reserve_pair(&s->t, &s->v, &s->cap, s->len + 1);
    if (r < 0)
        return r;
    s->t[s->len] = t;
    s->v[s->len++] = value;
    return emit(s, 0, t, fn, userdata);
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
