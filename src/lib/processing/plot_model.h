/* The model of a time-series chart (aimeter plot): the series drawn, each on one of at most
 * two y-axes (one per unit), the phase bands, the ranges and the note on decimation. Filled
 * from samples handed to it; report/plot_render.h draws it. No I/O. */
#ifndef AIM_PLOT_MODEL_H
#define AIM_PLOT_MODEL_H

#include <stddef.h>

#include "processing/decimate.h"

#define AIM_PLOT_MAX_SERIES 8   /* the Okabe-Ito palette has 8 colours */
#define AIM_PLOT_MAX_AXES 2

typedef struct aim_plot_series {
    char name[160];             /* the CSV export's column name without its unit */
    int axis;                   /* 0: left, 1: right */
    /* After aim__plot_model_finish: the points drawn (a NaN y breaks the line) and the valid
     * samples in the window. */
    double *x, *y;
    size_t n;
    size_t n_samples;
    /* The samples as they come, decimated (processing/decimate.h) over the window as it is
     * at the series' first sample. */
    aim_decimator dec;
    int started;
} aim_plot_series;

typedef struct aim_plot_band {
    char name[129];
    int depth;                  /* 0: outermost; a phase inside another is deeper */
    double x0, x1;              /* clipped to the window, s */
} aim_plot_band;

/* A marker the workload set (aimeter mark), drawn as a tick on the top axis. */
typedef struct aim_plot_mark {
    char text[129];
    double t;                   /* s since the run's start, inside the window */
} aim_plot_mark;

typedef struct aim_plot_model {
    double x0, x1;              /* the window, s since the run's start (x1 > x0 after finish) */
    int width_px;               /* the plot's width: the decimation's bucket count */
    aim_plot_series series[AIM_PLOT_MAX_SERIES];
    int n_series;
    char unit[AIM_PLOT_MAX_AXES][32];   /* per axis; "" for a unitless metric */
    int n_axes;
    double ymin[AIM_PLOT_MAX_AXES], ymax[AIM_PLOT_MAX_AXES];
    aim_plot_band *bands;
    size_t n_bands;
    size_t per_pixel;           /* after finish: 0 when every sample is drawn, else the most
                                   samples one pixel's min/max stands for */
    char note[96];              /* after finish: what the chart says about decimation, or "" */
    aim_plot_mark *marks;       /* processing/plot_extras.h; in time order */
    size_t n_marks;
} aim_plot_model;

/* An empty model over the window [x0, x1] s, drawn width_px pixels wide. */
void aim__plot_model_init(aim_plot_model *m, double x0, double x1, int width_px);
void aim__plot_model_free(aim_plot_model *m);

/* Adds a series with its unit: its index, -E2BIG past AIM_PLOT_MAX_SERIES, -EDOM when it
 * would need a third axis (a third distinct unit). */
int aim__plot_series_add(aim_plot_model *m, const char *name, const char *unit);

/* One sample of series i at t s: kept when t is inside the window; an invalid or non-finite
 * value is a gap (the line is not joined across it). Samples come in time order. 0 or
 * -ENOMEM. */
int aim__plot_point(aim_plot_model *m, int i, double t, double value, int valid);

/* A phase instance [t0, t1] s at its nesting depth, clipped to the window (nothing when outside it). 0 or
 * -ENOMEM. */
int aim__plot_band_add(aim_plot_model *m, const char *name, int depth, double t0, double t1);

/* The points drawn: every series decimated with one bucket per pixel (processing/decimate.h:
 * a pixel with more than 2 samples becomes their minimum and maximum, in the order they came,
 * so peaks survive), the axes' ranges and the note. 0 or -ENOMEM. */
int aim__plot_model_finish(aim_plot_model *m);

#endif
