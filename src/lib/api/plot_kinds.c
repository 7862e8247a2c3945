/* Which kind of chart aim_plot_render draws (api/plot_kinds.h), and the phases chart. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/plot_kinds.h"
#include "api/run_load.h"
#include "api/store_error.h"
#include "processing/plot_phases.h"
#include "report/plot_draw.h"
#include "store/store.h"

#define NS_PER_S 1e9

static const char *const kind_names[] = {
    [AIM_PLOT_KIND_TIMESERIES] = "timeseries", [AIM_PLOT_KIND_PHASES] = "phases",
    [AIM_PLOT_KIND_SCATTER] = "scatter",       [AIM_PLOT_KIND_CORR] = "corr",
    [AIM_PLOT_KIND_CUMULATIVE] = "cumulative", [AIM_PLOT_KIND_ZONES] = "zones",
};
#define N_KINDS (sizeof kind_names / sizeof kind_names[0])

int aim__plot_kind_parse(aim_store *store, const aim_plot_request *req, aim_plot_kind *ret) {
    aim_plot_kind kind = AIM_PLOT_KIND_TIMESERIES;
    if (req->kind) {
        size_t k = 0;
        while (k < N_KINDS && strcmp(req->kind, kind_names[k]) != 0)
            k++;
        if (k == N_KINDS) {
            aim__store_set_error(store, "unknown kind '%.60s': timeseries, phases, scatter, "
                                 "corr, cumulative or zones", req->kind);
            return -EINVAL;
        }
        kind = (aim_plot_kind)k;
    }
    if (req->layout && strcmp(req->layout, "single") != 0 &&
        strcmp(req->layout, "categories") != 0) {
        aim__store_set_error(store, "unknown layout '%.60s': single or categories", req->layout);
        return -EINVAL;
    }
    const char *only = NULL;   /* an option the kind does not take */
    if (kind != AIM_PLOT_KIND_TIMESERIES) {
        if (req->layout && strcmp(req->layout, "single") != 0)
            only = "a layout";
        else if (req->smooth_s > 0)
            only = "smoothing";
        else if (req->n_more_runs)
            only = "several runs";
    }
    if (kind != AIM_PLOT_KIND_ZONES && req->zones)
        only = "zones";
    if (only) {
        aim__store_set_error(store, "%s is for %s charts, not --kind %s", only,
                             strcmp(only, "zones") == 0 ? "--kind zones" : "time-series",
                             kind_names[kind]);
        return -EINVAL;
    }
    /* the whole run's figures: no metric list, no window */
    if ((kind == AIM_PLOT_KIND_PHASES || kind == AIM_PLOT_KIND_CUMULATIVE ||
         kind == AIM_PLOT_KIND_ZONES) &&
        (req->metrics || req->phase || req->has_from || req->has_to)) {
        aim__store_set_error(store, "--kind %s draws the whole run: it takes no %s",
                             kind_names[kind], req->metrics ? "-m" : "--phase, --from or --to");
        return -EINVAL;
    }
    if (!(req->smooth_s >= 0)) {
        aim__store_set_error(store, "bad smoothing: a duration of 0 s or more");
        return -EINVAL;
    }
    *ret = kind;
    return 0;
}

const char *aim__plot_title_of(const aim_plot_request *req, const aim_run_summary *run) {
    return req->title ? req->title : run->name[0] ? run->name : run->id;
}

int aim__plot_draw_failed(aim_store *store, const char *err) {
    aim__store_set_error(store, "%s", err);
    return -EIO;
}

int aim__plot_window_ranges(aim_store *store, aim_db *db, const char *run_id,
                         const aim_plot_request *req, aim_time_range **ret, size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    if ((req->has_from && !isfinite(req->from_s)) || (req->has_to && !isfinite(req->to_s)) ||
        (req->has_from && req->has_to && req->from_s >= req->to_s)) {
        aim__store_set_error(store, "bad time window: --from must be before --to");
        return -EINVAL;
    }
    aim_time_range *ranges = NULL;
    size_t n = 0;
    if (req->phase) {
        int r = aim__db_phase_ranges(db, run_id, req->phase, &ranges, &n);
        if (r < 0) {
            aim__store_set_error(store, "%s", aim__db_errmsg(db));
            return r;
        }
    } else if (req->has_from || req->has_to) {
        ranges = malloc(sizeof *ranges);
        if (!ranges) {
            aim__store_set_error(store, "out of memory");
            return -ENOMEM;
        }
        ranges[0] = (aim_time_range){ 0, INT64_MAX };
        n = 1;
    }
    int64_t from = req->has_from ? (int64_t)(req->from_s * NS_PER_S) : INT64_MIN;
    int64_t to = req->has_to ? (int64_t)(req->to_s * NS_PER_S) : INT64_MAX;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        aim_time_range t = ranges[i];
        t.t0_ns = t.t0_ns > from ? t.t0_ns : from;
        t.t1_ns = t.t1_ns < to ? t.t1_ns : to;
        if (t.t1_ns > t.t0_ns)
            ranges[kept++] = t;
    }
    if (n && !kept) {   /* nothing of the run in the window: a range that holds no tick */
        ranges[0] = (aim_time_range){ -2, -1 };
        kept = 1;
    }
    *ret = ranges;
    *ret_n = kept;
    return 0;
}

int aim__plot_kind_render(aim_store *store, const char *run_id, const aim_plot_request *req,
                          aim_plot_kind kind, aim_plot_style *st, aim_plot_file_format format) {
    switch (kind) {
    case AIM_PLOT_KIND_PHASES: return aim__plot_phases_render(store, run_id, req, st, format);
    case AIM_PLOT_KIND_SCATTER: return aim__plot_scatter_render(store, run_id, req, st, format);
    case AIM_PLOT_KIND_CORR: return aim__plot_corr_render(store, run_id, req, st, format);
    case AIM_PLOT_KIND_CUMULATIVE:
        return aim__plot_cumulative_render(store, run_id, req, st, format);
    case AIM_PLOT_KIND_ZONES: return aim__plot_zones_render(store, run_id, req, st, format);
    case AIM_PLOT_KIND_TIMESERIES: break;
    }
    aim__store_set_error(store, "no such kind of chart");
    return -EINVAL;
}

int aim__plot_phases_render(aim_store *store, const char *run_id, const aim_plot_request *req,
                            aim_plot_style *st, aim_plot_file_format format) {
    aim_run_summary run;
    int r = aim__api_load_run(store, run_id, &run);
    if (r < 0)
        return r;
    aim_plot_phases m;
    r = aim__plot_phases_build(&run, &m);
    if (r == -ENODATA)
        aim__store_set_error(store, "run %s has no phases: --kind phases needs a run that "
                             "marked them (docs/control.md)", run.id);
    else if (r < 0)
        aim__store_set_error(store, "%s", aim_strerror(r));
    if (r == 0 && !req->height && m.n_groups > 12)
        st->height = 900;   /* room for the names written upright under many groups */
    if (r == 0) {
        st->title = aim__plot_title_of(req, &run);
        char err[300];
        if (aim__plot_draw_phases(&m, st, req->output, format, err, sizeof err) < 0)
            r = aim__plot_draw_failed(store, err);
    }
    aim__plot_phases_free(&m);
    aim__run_summary_clear(&run);
    return r;
}
