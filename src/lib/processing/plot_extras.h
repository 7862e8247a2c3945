/* What a time-series chart (processing/plot_model.h) may add before it is finished: the
 * workload's markers, and a centred moving mean of a series. No I/O. */
#ifndef AIM_PLOT_EXTRAS_H
#define AIM_PLOT_EXTRAS_H

#include "processing/plot_model.h"

/* A marker at t s since the run's start: kept when inside the window. 0 or -ENOMEM. */
int aim__plot_mark_add(aim_plot_model *m, const char *text, double t);

/* Replaces each point of s by the mean of the points within window_s / 2 seconds either
 * side of it (a centred moving mean over time, so uneven sampling is weighed by count, not
 * by duration), never across a gap: a NaN point stays, and the points on each side of it
 * are smoothed apart. Runs on the samples as added, before the decimation. window_s <= 0:
 * nothing. 0 or -ENOMEM. */
int aim__plot_series_smooth(aim_plot_series *s, double window_s);

/* An axis's range from the extremes of its values: padded 5 % each way; one value +-10 %
 * (+-1 around 0); none (lo > hi): 0 to 1. Every chart's axes are padded alike. */
void aim__plot_pad_range(double *lo, double *hi);

#endif
