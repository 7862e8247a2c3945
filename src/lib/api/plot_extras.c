/* The time series' extras (api/plot_ctx.h): the run's markers, other runs on the same axes
 * (x: seconds since each run's start; the legend names each run), and smoothing. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/plot_ctx.h"
#include "api/plot_kinds.h"
#include "api/run_load.h"
#include "api/store_error.h"
#include "processing/plot_extras.h"
#include "store/store.h"
#include "store/tags_store.h"
#include "util/utf8.h"

#define NS_PER_S 1e9

static int add_marks(plot_ctx *x) {
    aim_mark_row *marks = NULL;
    size_t n = 0;
    int r = aim__db_marks_load(x->db, x->run_id, &marks, &n);
    if (r < 0) {
        aim__store_set_error(x->store, "%s", aim__db_errmsg(x->db));
        return r;
    }
    for (size_t i = 0; i < n && r == 0; i++)
        r = aim__plot_mark_add(&x->model, marks[i].text, (double)marks[i].t_ns / NS_PER_S);
    free(marks);
    if (r < 0)
        aim__store_set_error(x->store, "out of memory");
    return r;
}

/* "train 91009a": the run's name and the end of its id, which tells apart runs of one name;
 * the id alone for a run without a name. */
static void run_label(const aim_run_summary *run, char *out, size_t size) {
    size_t len = strlen(run->id);
    if (run->name[0] && len > 6)   /* 60 bytes of the name at most, cut between code points */
        snprintf(out, size, "%.*s %s",
                 (int)aim__utf8_prefix(run->name, strlen(run->name), 60), run->name,
                 run->id + len - 6);
    else
        snprintf(out, size, "%s", run->id);
}

/* Prefixes the names of series [from, to) with the run's label. */
static void label_series(aim_plot_model *m, int from, int to, const aim_run_summary *run) {
    char label[80];
    run_label(run, label, sizeof label);
    for (int i = from; i < to; i++) {
        char name[sizeof label + sizeof m->series[0].name + 2];
        snprintf(name, sizeof name, "%s: %s", label, m->series[i].name);
        aim__utf8_shorten(m->series[i].name, sizeof m->series[i].name, name);
    }
}

/* Another run's samples of the same metrics, moved into x's model as series of their own. */
static int add_run(plot_ctx *x, const char *run_id, const aim_plot_request *req) {
    plot_ctx y = { .store = x->store, .db = x->db, .run_id = run_id, .smooth_s = x->smooth_s };
    int r = aim__db_load_summary(x->db, run_id, &y.run);
    if (r < 0) {
        aim__store_set_error(x->store, "%s", aim__db_errmsg(x->db));
        return r;
    }
    aim__plot_model_init(&y.model, x->model.x0, x->model.x1, x->model.width_px);
    r = aim__plot_ctx_pick(&y, req->metrics);
    if (r == 0 && x->model.n_series + y.model.n_series > AIM_PLOT_MAX_SERIES) {
        aim__store_set_error(x->store, "%d runs x %d metrics: a chart shows %d series at most",
                             (int)req->n_more_runs + 1, y.model.n_series, AIM_PLOT_MAX_SERIES);
        r = -EINVAL;
    }
    if (r == 0 && !req->has_to && !req->phase) {
        /* the window reaches the longest run's end */
        double end = (double)y.run.duration_ns / NS_PER_S;
        if (end > x->model.x1)
            x->model.x1 = end;
        y.model.x1 = x->model.x1;
    }
    if (r == 0)
        r = aim__plot_ctx_read(&y);
    int rf = aim__plot_ctx_smooth_flush(&y);
    if (r == 0 && rf < 0) {
        aim__store_set_error(x->store, "out of memory");
        r = rf;
    }
    int first = x->model.n_series;
    for (int k = 0; r == 0 && k < y.model.n_series; k++) {
        aim_plot_series *s = &y.model.series[k];
        int i = aim__plot_series_add(&x->model, s->name, y.model.unit[s->axis]);
        if (i < 0) {   /* the same metrics, so the same units: cannot happen */
            aim__store_set_error(x->store, "%s", aim_strerror(i));
            r = i;
            break;
        }
        /* the series moves, its decimator with it; its name and axis are x's */
        aim_plot_series *d = &x->model.series[i];
        int axis = d->axis;
        *d = *s;
        d->axis = axis;
        memset(s, 0, sizeof *s);
    }
    if (r == 0)
        label_series(&x->model, first, x->model.n_series, &y.run);
    aim__plot_model_free(&y.model);
    aim__run_summary_clear(&y.run);
    return r;
}

typedef struct emit_to {
    aim_plot_model *m;
    int series;
} emit_to;

static int emit_point(void *userdata, double t, double value, int valid) {
    emit_to *e = userdata;
    return aim__plot_point(e->m, e->series, t, value, valid);
}

int aim__plot_ctx_point(plot_ctx *x, int k, double t, double value, int valid) {
    if (!(x->smooth_s > 0))
        return aim__plot_point(&x->model, k, t, value, valid);
    aim_plot_smoother *s = &x->smooth[k];
    if (!(s->half > 0))
        aim__plot_smoother_init(s, x->smooth_s);
    emit_to e = { .m = &x->model, .series = k };
    return aim__plot_smoother_push(s, t, value, valid, emit_point, &e);
}

int aim__plot_ctx_smooth_flush(plot_ctx *x) {
    int r = 0;
    for (int k = 0; k < AIM_PLOT_MAX_SERIES; k++) {
        emit_to e = { .m = &x->model, .series = k };
        int rk = aim__plot_smoother_flush(&x->smooth[k], emit_point, &e);
        r = r < 0 ? r : rk;
        aim__plot_smoother_free(&x->smooth[k]);
    }
    return r;
}

int aim__plot_extras(plot_ctx *x, const aim_plot_request *req) {
    int r = aim__plot_ctx_smooth_flush(x);
    if (r < 0) {
        aim__store_set_error(x->store, "out of memory");
        return r;
    }
    if (req->n_more_runs) {
        int mine = x->model.n_series;
        for (size_t i = 0; i < req->n_more_runs && r == 0; i++)
            r = add_run(x, req->more_runs[i], req);
        if (r == 0)
            label_series(&x->model, 0, mine, &x->run);
    } else {
        r = add_marks(x);   /* several runs: whose markers would they be? */
    }
    if (r < 0 || !(req->smooth_s > 0))
        return r;
    char span[32];
    snprintf(span, sizeof span, "%g", req->smooth_s);
    for (int i = 0; i < x->model.n_series; i++) {
        /* said on the chart: in the legend and the axis label */
        aim_plot_series *s = &x->model.series[i];
        char said[48], name[sizeof s->name];
        snprintf(said, sizeof said, " (mean over %s s)", span);
        /* the span always said: the name is shortened to leave it room */
        aim__utf8_shorten(name, sizeof name - strlen(said), s->name);
        snprintf(s->name, sizeof s->name, "%s%s", name, said);
    }
    return r;
}
