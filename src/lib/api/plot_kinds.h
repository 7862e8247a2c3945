/* aim_plot_render's kinds of chart other than the time series (api/plot.c draws that one):
 * which kind a request names, and one function per kind that reads what it needs from the
 * store, builds the kind's model (processing/plot_KIND.h) and draws it (report/plot_draw.h). */
#ifndef AIM_API_PLOT_KINDS_H
#define AIM_API_PLOT_KINDS_H

#include "aimeter.h"
#include "processing/summary.h"
#include "report/plot_page.h"
#include "store/db.h"

typedef enum aim_plot_kind {
    AIM_PLOT_KIND_TIMESERIES,
    AIM_PLOT_KIND_PHASES,
    AIM_PLOT_KIND_SCATTER,
    AIM_PLOT_KIND_CORR,
    AIM_PLOT_KIND_CUMULATIVE,
    AIM_PLOT_KIND_ZONES,
} aim_plot_kind;

/* req->kind (NULL: the time series) and the options only some kinds take: -EINVAL with the
 * store's message listing the valid kinds, or naming the option the kind does not take. */
int aim__plot_kind_parse(aim_store *store, const aim_plot_request *req, aim_plot_kind *ret);

/* Draws kind (not the time series) of run_id into req->output; st is checked, its title not
 * yet set. Errors as aim_plot_render's, with the store's message set. */
int aim__plot_kind_render(aim_store *store, const char *run_id, const aim_plot_request *req,
                          aim_plot_kind kind, aim_plot_style *st, aim_plot_file_format format);

/* The run's series named in list ("gpu0.power, gpu0.gpu.clock_sm": -m, the export's column
 * names without the unit), each once, in the order given: up to max indices into
 * run->series in ret (the rest are checked, not returned). -EINVAL with the store's message:
 * a bad list, none, or an unknown name (aim__plot_unknown_metric). */
int aim__plot_metric_list(aim_store *store, const aim_run_summary *run, const char *list,
                          int *ret, int max, int *ret_n);
/* "unknown metric 'X'; this run has: ..." as the store's message; -EINVAL. */
int aim__plot_unknown_metric(aim_store *store, const aim_run_summary *run, const char *name);

/* The chart's title: req->title, else the run's name, else its id. */
const char *aim__plot_title_of(const aim_plot_request *req, const aim_run_summary *run);

/* The parts of the run a chart's samples come from: the instances of req->phase (or the
 * whole run), cut to req's from/to; *ret NULL with n 0: the whole run; a window with nothing
 * of the run: one range that holds no tick. Allocated (free()). -EINVAL a bad window,
 * -ENOENT no such phase, -ENOMEM, with the store's message. */
int aim__plot_window_ranges(aim_store *store, aim_db *db, const char *run_id,
                            const aim_plot_request *req, aim_time_range **ret, size_t *ret_n);

/* Draw failed (err says why): the store's message, -EIO. */
int aim__plot_draw_failed(aim_store *store, const char *err);

/* One kind each (api/plot_KIND.c), called by aim__plot_kind_render. */
int aim__plot_phases_render(aim_store *store, const char *run_id, const aim_plot_request *req,
                            aim_plot_style *st, aim_plot_file_format format);
int aim__plot_scatter_render(aim_store *store, const char *run_id, const aim_plot_request *req,
                             aim_plot_style *st, aim_plot_file_format format);
int aim__plot_corr_render(aim_store *store, const char *run_id, const aim_plot_request *req,
                          aim_plot_style *st, aim_plot_file_format format);
int aim__plot_cumulative_render(aim_store *store, const char *run_id,
                                const aim_plot_request *req, aim_plot_style *st,
                                aim_plot_file_format format);
int aim__plot_zones_render(aim_store *store, const char *run_id, const aim_plot_request *req,
                           aim_plot_style *st, aim_plot_file_format format);

#endif
