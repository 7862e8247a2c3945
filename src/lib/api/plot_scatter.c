/* aimeter plot --kind scatter (api/plot_kinds.h): the two metrics' rows of the correlation's
 * own replay (engine/corr_replay.h, restricted to those two series and to the window), so
 * the points drawn are the ones r is computed from, and r is the correlation result's. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/plot_kinds.h"
#include "api/run_load.h"
#include "api/store_error.h"
#include "engine/corr_replay.h"
#include "processing/corr_result.h"
#include "processing/plot_scatter.h"
#include "report/plot_draw.h"
#include "store/store.h"

typedef struct rows {
    aim_plot_scatter *m;
    int x_index;            /* the x metric's matrix index (0 or 1) */
    int err;
} rows;

static void on_row(void *userdata, int64_t t_ns, const double *x, const uint8_t *ok) {
    (void)t_ns;
    rows *r = userdata;
    int xi = r->x_index, yi = 1 - xi;
    if (!r->err && ok[0] && ok[1])
        r->err = aim__plot_scatter_add(r->m, x[xi], x[yi]);
}

int aim__plot_scatter_render(aim_store *store, const char *run_id, const aim_plot_request *req,
                             aim_plot_style *st, aim_plot_file_format format) {
    aim_db *db = aim__store_db(store);
    if (!req->metrics) {
        aim__store_set_error(store, "--kind scatter needs two metrics: -m X,Y");
        return -EINVAL;
    }
    aim_run_summary run;
    int r = aim__api_load_run(store, run_id, &run);
    if (r < 0)
        return r;
    int idx[3], n = 0;
    r = aim__plot_metric_list(store, &run, req->metrics, idx, 3, &n);
    if (r == 0 && n != 2) {
        aim__store_set_error(store, "--kind scatter draws exactly two metrics (-m X,Y), not %d",
                             n);
        r = -EINVAL;
    }
    aim_time_range *ranges = NULL;
    size_t n_ranges = 0;
    if (r == 0)
        r = aim__plot_window_ranges(store, db, run_id, req, &ranges, &n_ranges);
    aim_plot_scatter m;
    aim__plot_scatter_init(&m);
    uint8_t *include = r == 0 ? calloc((size_t)run.n_series + 1, 1) : NULL;
    if (r == 0 && !include) {
        aim__store_set_error(store, "out of memory");
        r = -ENOMEM;
    }
    aim_corr_matrix *mx = NULL;
    rows rw = { .m = &m, .x_index = idx[0] < idx[1] ? 0 : 1 };
    if (r == 0) {
        include[idx[0]] = include[idx[1]] = 1;
        r = aim__corr_replay_rows(db, &run, include, ranges, n_ranges, on_row, &rw, &mx);
        if (r == 0 && rw.err)
            r = rw.err;
        if (r < 0)
            aim__store_set_error(store, "%s", r == -ENOMEM ? "out of memory" : aim__db_errmsg(db));
    }
    aim_corr_result *res = NULL;
    if (r == 0 && (r = aim__corr_res_build(&run, mx, 1, 1, &res)) < 0)
        aim__store_set_error(store, "out of memory");
    if (r == 0) {
        /* the correlation's names and units: a counter is drawn as its rate */
        for (int axis = 0; axis < 2; axis++) {
            aim_corr_series_info info;
            size_t k = (size_t)(axis == 0 ? rw.x_index : 1 - rw.x_index);
            if (aim__corr_res_series(res, k, &info) == 0) {
                snprintf(m.name[axis], sizeof m.name[axis], "%s", info.name);
                snprintf(m.unit[axis], sizeof m.unit[axis], "%s", info.unit);
            }
        }
        m.r = aim__corr_res_r(res, 0, 1, &m.r_n);
        /* a cell of about 2 x 2 pixels of the plot area */
        r = aim__plot_scatter_finish(&m, (st->width - 200) / 2, (st->height - 200) / 2);
        if (r < 0)
            aim__store_set_error(store, "out of memory");
    }
    if (r == 0) {
        st->title = aim__plot_title_of(req, &run);
        char err[300];
        if (aim__plot_draw_scatter(&m, st, req->output, format, err, sizeof err) < 0)
            r = aim__plot_draw_failed(store, err);
    }
    aim__corr_res_free(res);
    aim__plot_scatter_free(&m);
    free(include);
    free(ranges);
    aim__run_summary_clear(&run);
    return r;
}
