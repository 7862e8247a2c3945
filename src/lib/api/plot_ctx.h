/* The time series' steps (api/plot.c), shared with its extras (api/plot_extras.c: markers,
 * more runs, smoothing) and the stacked-panel layout (api/plot_categories.c). */
#ifndef AIM_API_PLOT_CTX_H
#define AIM_API_PLOT_CTX_H

#include "aimeter.h"
#include "processing/plot_extras.h"
#include "processing/plot_model.h"
#include "processing/summary.h"
#include "report/plot_page.h"
#include "store/db.h"

/* A series drawn: the run's series index, its rate group and position within it. */
typedef struct picked {
    int series, group, pos;
} picked;

typedef struct plot_ctx {
    aim_store *store;
    aim_db *db;
    const char *run_id;
    aim_run_summary run;
    picked pick[AIM_PLOT_MAX_SERIES];
    int n_pick;
    aim_plot_model model;
    double smooth_s;                          /* > 0: samples go through smoothers */
    aim_plot_smoother smooth[AIM_PLOT_MAX_SERIES];
} plot_ctx;

/* The run's series named in list added to x->model (each with its axis). -EINVAL. */
int aim__plot_ctx_pick(plot_ctx *x, const char *list);
/* The window req asks for, in s since the run's start. -EINVAL, -ENOENT. */
int aim__plot_ctx_window(plot_ctx *x, const aim_plot_request *req, double *x0, double *x1);
/* The picked series' samples in x->model's window, through the store's series reader. */
int aim__plot_ctx_read(plot_ctx *x);
/* The run's phase instances as bands. */
int aim__plot_ctx_bands(plot_ctx *x);

/* One sample of series k into x->model, through its smoother when x->smooth_s > 0
 * (api/plot_extras.c). 0 or -ENOMEM. */
int aim__plot_ctx_point(plot_ctx *x, int k, double t, double value, int valid);
/* The smoothers' last samples into the model, and their memory freed (also on errors). */
int aim__plot_ctx_smooth_flush(plot_ctx *x);

/* After the bands, before the model is finished: the run's markers (one run), the other
 * runs' samples on the same axes (req->more_runs), the smoothers flushed and the series
 * named as smoothed (req->smooth_s).
 * Errors with the store's message set. */
int aim__plot_extras(plot_ctx *x, const aim_plot_request *req);

/* --layout categories: stacked panels (api/plot_categories.c). */
int aim__plot_categories_render(aim_store *store, const char *run_id,
                                const aim_plot_request *req, aim_plot_style *st,
                                aim_plot_file_format format);

#endif
