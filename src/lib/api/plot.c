/* aim_plot_render (aimeter.h): the run's summary, phases and samples from the store, the
 * chart model of processing/plot_model.h, drawn by report/plot_render.h. The samples come
 * through the store's one series reader, only the rate groups of the metrics asked for. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "api/plot_ctx.h"
#include "api/plot_kinds.h"
#include "api/run_load.h"
#include "api/store_error.h"
#include "processing/plot_model.h"
#include "report/plot_render.h"
#include "store/store.h"
#include "store/tags_store.h"
#include "util/strbuf.h"

#define NS_PER_S 1e9


/* The run's series named in list, each with its axis. */
static int pick_metrics(plot_ctx *x, const char *list) {
    int found[AIM_PLOT_MAX_SERIES + 1], n = 0;
    int r = aim__plot_metric_list(x->store, &x->run, list, found, AIM_PLOT_MAX_SERIES + 1, &n);
    if (r < 0)
        return r;
    for (int k = 0; k < n; k++) {
        const aim_series_summary *s = &x->run.series[found[k]];
        char name[160];
        aim__api_series_key(&x->run, s, name, sizeof name);
        r = aim__plot_series_add(&x->model, name, aim__api_series_unit(s));
        if (r == -E2BIG) {
            aim__store_set_error(x->store, "more than %d metrics: a chart shows %d at most",
                                 AIM_PLOT_MAX_SERIES, AIM_PLOT_MAX_SERIES);
            return -EINVAL;
        }
        if (r == -EDOM) {
            aim__store_set_error(x->store,
                                 "'%s' [%s] would need a third y-axis: a chart has two "
                                 "units at most (here %s and %s)", name,
                                 aim__api_series_unit(s), x->model.unit[0], x->model.unit[1]);
            return -EINVAL;
        }
        picked *pk = &x->pick[x->n_pick++];
        pk->series = found[k];
        pk->group = s->group;
        pk->pos = 0;
        for (int i = 0; i < found[k]; i++)
            pk->pos += x->run.series[i].group == s->group;
    }
    return 0;
}

/* The window: the run, narrowed by from/to and by the phase's instances. */
static int window(plot_ctx *x, const aim_plot_request *req, double *x0, double *x1) {
    *x0 = 0;
    *x1 = (double)x->run.duration_ns / NS_PER_S;
    if (req->phase) {
        aim_time_range *ranges = NULL;
        size_t n = 0;
        int r = aim__db_phase_ranges(x->db, x->run_id, req->phase, &ranges, &n);
        if (r < 0) {
            aim__store_set_error(x->store, "%s", aim__db_errmsg(x->db));
            return r;
        }
        if (n) {
            *x0 = (double)ranges[0].t0_ns / NS_PER_S;
            *x1 = *x0;
            for (size_t i = 0; i < n; i++) {
                double a = (double)ranges[i].t0_ns / NS_PER_S, b = (double)ranges[i].t1_ns / NS_PER_S;
                *x0 = a < *x0 ? a : *x0;
                *x1 = b > *x1 ? b : *x1;
            }
        }
        free(ranges);
    }
    if (req->has_from && req->from_s > *x0)
        *x0 = req->from_s;
    if (req->has_to && req->to_s < *x1)
        *x1 = req->to_s;
    if ((req->has_from && !isfinite(req->from_s)) || (req->has_to && !isfinite(req->to_s)) ||
        (req->has_from && req->has_to && req->from_s >= req->to_s)) {
        aim__store_set_error(x->store, "bad time window: --from must be before --to");
        return -EINVAL;
    }
    if (*x1 < *x0)
        *x1 = *x0;   /* nothing of the run in it: an empty chart of that window */
    return 0;
}

static int read_samples(plot_ctx *x) {
    int groups[AIM_PLOT_MAX_SERIES], n_groups = 0;
    for (int k = 0; k < x->n_pick; k++) {
        int seen = 0;
        for (int g = 0; g < n_groups; g++)
            seen |= groups[g] == x->pick[k].group;
        if (!seen)
            groups[n_groups++] = x->pick[k].group;
    }
    aim_series_reader *rd = NULL;
    int r = aim__series_reader_open_run(x->db, &x->run, groups, n_groups, &rd);
    aim_series_tick t;
    while (r == 0 && (r = aim__series_reader_next(rd, &t)) > 0) {
        double ts = (double)t.t_rel_ns / NS_PER_S;
        if (ts > x->model.x1)
            break;   /* time order: the rest is after the window */
        r = 0;
        for (int k = 0; k < x->n_pick && r == 0; k++)
            if (x->pick[k].group == t.group && x->pick[k].pos < t.n)
                r = aim__plot_ctx_point(x, k, ts, t.values[x->pick[k].pos],
                                        t.valid[x->pick[k].pos]);
    }
    aim__series_reader_free(rd);
    if (r > 0)
        r = 0;
    if (r < 0)
        aim__store_set_error(x->store, "%s", r == -ENOMEM ? aim_strerror(r) : aim__db_errmsg(x->db));
    return r;
}

static int add_bands(plot_ctx *x) {
    aim_phase_instance *ph = NULL;
    size_t n = 0;
    int r = aim__db_phase_instances(x->db, x->run_id, &ph, &n);
    if (r < 0) {
        aim__store_set_error(x->store, "%s", aim__db_errmsg(x->db));
        return r;
    }
    for (size_t i = 0; i < n && r == 0; i++) {
        int64_t end = ph[i].closed ? ph[i].end_ns : x->run.duration_ns;
        r = aim__plot_band_add(&x->model, ph[i].name, ph[i].depth, (double)ph[i].start_ns / NS_PER_S,
                               (double)end / NS_PER_S);
    }
    free(ph);
    if (r < 0)
        aim__store_set_error(x->store, "%s", aim_strerror(r));
    return r;
}

/* --from and --to become int64 nanoseconds for the store's ranges (api/plot_kinds.c): past
 * 9.2e9 s (292 years) either way they would not fit, and the conversion would be undefined. */
#define WINDOW_MAX_S 9.2e9

static int check_window(aim_store *store, const aim_plot_request *req) {
    const char *opt = NULL;
    double v = 0;
    if (req->has_from && !(fabs(req->from_s) <= WINDOW_MAX_S))
        opt = "--from", v = req->from_s;
    else if (req->has_to && !(fabs(req->to_s) <= WINDOW_MAX_S))
        opt = "--to", v = req->to_s;
    if (opt) {
        aim__store_set_error(store, "bad %s %g: seconds since the run's start, between "
                             "-9.2e9 and 9.2e9", opt, v);
        return -EINVAL;
    }
    return 0;
}

static int check_request(aim_store *store, const aim_plot_request *req, aim_plot_style *st,
                         aim_plot_file_format *format) {
    if (!req->output) {
        aim__store_set_error(store, "no output file given");
        return -EINVAL;
    }
    if (aim__plot_format_from_path(req->output, format) < 0) {
        aim__store_set_error(store, "cannot tell the format of '%s': the file must end in "
                             ".png, .svg or .pdf", req->output);
        return -EOPNOTSUPP;
    }
    st->width = req->width ? req->width : 1200;
    st->height = req->height ? req->height : 600;
    st->dpi = req->dpi ? req->dpi : 100;
    if (st->width < 100 || st->width > 10000 || st->height < 100 || st->height > 10000) {
        aim__store_set_error(store, "bad size %dx%d: 100 to 10000 pixels each way", st->width,
                             st->height);
        return -EINVAL;
    }
    if (st->dpi < 30 || st->dpi > 1200) {
        aim__store_set_error(store, "bad dpi %d: 30 to 1200", st->dpi);
        return -EINVAL;
    }
    return check_window(store, req);
}

int aim_plot_render(aim_store *store, const char *run_id, const aim_plot_request *req) {
    aim_db *db = aim__store_db(store);
    if (!db || !run_id || !req) {
        if (store)
            aim__store_set_error(store, "%s", db ? "no run or no request given" : "store not open");
        return -EINVAL;
    }
    aim_plot_style st;
    aim_plot_file_format format;
    int r = check_request(store, req, &st, &format);
    aim_plot_kind kind = AIM_PLOT_KIND_TIMESERIES;
    if (r == 0)
        r = aim__plot_kind_parse(store, req, &kind);
    if (r < 0)
        return r;
    if (kind != AIM_PLOT_KIND_TIMESERIES)
        return aim__plot_kind_render(store, run_id, req, kind, &st, format);
    if (req->layout && strcmp(req->layout, "categories") == 0)
        return aim__plot_categories_render(store, run_id, req, &st, format);
    if (!req->metrics) {
        aim__store_set_error(store, "no metric given");
        return -EINVAL;
    }
    plot_ctx x = { .store = store, .db = db, .run_id = run_id, .smooth_s = req->smooth_s };
    r = aim__db_load_summary(db, run_id, &x.run);
    if (r < 0) {
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
        return r;
    }
    double x0 = 0, x1 = 0;
    aim__plot_model_init(&x.model, 0, 0, st.width);
    r = pick_metrics(&x, req->metrics);
    x.model.width_px = aim__plot_area_width(&st, x.model.n_axes);
    if (r == 0)
        r = window(&x, req, &x0, &x1);
    if (r == 0) {
        x.model.x0 = x0;
        x.model.x1 = x1;
        r = read_samples(&x);
    }
    if (r == 0 && !req->n_more_runs)   /* several runs: whose phases would they be? */
        r = add_bands(&x);
    if (r == 0)
        r = aim__plot_extras(&x, req);   /* markers, more runs, smoothing (api/plot_extras.c) */
    if (r == 0 && (r = aim__plot_model_finish(&x.model)) < 0)
        aim__store_set_error(store, "%s", aim_strerror(r));
    if (r == 0) {
        st.title = req->title ? req->title : x.run.name[0] ? x.run.name : x.run.id;
        char err[300];
        r = aim__plot_render_file(&x.model, &st, req->output, format, err, sizeof err);
        if (r < 0) {
            aim__store_set_error(store, "%s", err);
            r = -EIO;
        }
    }
    aim__plot_ctx_smooth_flush(&x);   /* frees what an error left */
    aim__plot_model_free(&x.model);
    aim__run_summary_clear(&x.run);
    return r;
}

/* For the layouts and extras of api/plot_ctx.h, which build on the same steps. */
int aim__plot_ctx_pick(plot_ctx *x, const char *list) { return pick_metrics(x, list); }
int aim__plot_ctx_window(plot_ctx *x, const aim_plot_request *req, double *x0, double *x1) {
    return window(x, req, x0, x1);
}
int aim__plot_ctx_read(plot_ctx *x) { return read_samples(x); }
int aim__plot_ctx_bands(plot_ctx *x) { return add_bands(x); }
