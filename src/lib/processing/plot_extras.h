/* What a time-series chart (processing/plot_model.h) may add before it is finished: the
 * workload's markers, and a centred moving mean of a series. No I/O. */
#ifndef AIM_PLOT_EXTRAS_H
#define AIM_PLOT_EXTRAS_H

#include "processing/plot_model.h"

/* A marker at t s since the run's start: kept when inside the window. 0 or -ENOMEM. */
int aim__plot_mark_add(aim_plot_model *m, const char *text, double t);

/* A centred moving mean over time, as a filter in front of the decimation (samples come one
 * at a time and are not kept): each valid sample is replaced by the mean of the valid
 * samples within half the window either side of it, emitted once a later sample shows that
 * its window is complete; a gap (invalid or non-finite) is an edge: the samples before it
 * are emitted with what they have, the gap is passed on, and the mean starts again after
 * it. Memory: the samples of one window. */
typedef int (*aim_plot_emit_fn)(void *userdata, double t, double value, int valid);

typedef struct aim_plot_smoother {
    double half;                /* half the window, s */
    double *t, *v;              /* buffered samples of the current segment */
    size_t len, cap;
    size_t next;                /* the next sample to emit */
    size_t lo, hi;              /* [lo, hi): the window of the latest one emitted */
    double sum;                 /* of v[lo..hi) */
} aim_plot_smoother;

void aim__plot_smoother_init(aim_plot_smoother *s, double window_s);
/* One sample (in time order); fn gets every point whose window is now complete. 0, -ENOMEM
 * or what fn returned. */
int aim__plot_smoother_push(aim_plot_smoother *s, double t, double value, int valid,
                            aim_plot_emit_fn fn, void *userdata);
/* The samples still waiting, emitted with the part of their window that came. */
int aim__plot_smoother_flush(aim_plot_smoother *s, aim_plot_emit_fn fn, void *userdata);
void aim__plot_smoother_free(aim_plot_smoother *s);

/* Room for need values in each of two arrays of one capacity (a chart's x and y). 0 or
 * -ENOMEM (both arrays still valid). */
int aim__plot_reserve_pair(double **a, double **b, size_t *cap, size_t need);

/* An axis's range from the extremes of its values: padded 5 % each way; one value +-10 %
 * (+-1 around 0); none (lo > hi): 0 to 1. Every chart's axes are padded alike. */
void aim__plot_pad_range(double *lo, double *hi);

#endif
