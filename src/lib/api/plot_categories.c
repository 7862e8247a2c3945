/* --layout categories (api/plot_ctx.h): one time-series model per panel (Energy, Compute,
 * Memory, Communication; processing/plot_categories.h picks the series), each read as the
 * single chart is (api/plot.c's steps), drawn stacked by report/plot_render.h. */
#include <errno.h>
#include <string.h>

#include "api/plot_ctx.h"
#include "api/plot_kinds.h"
#include "api/run_load.h"
#include "api/store_error.h"
#include "processing/plot_categories.h"
#include "report/plot_render.h"
#include "store/store.h"
#include "util/strbuf.h"

/* The panel's series as a -m list, read like the single chart's. */
static int panel(plot_ctx *p, const aim_plot_request *req, const aim_plot_style *st,
                 const int *series, int n) {
    aim_strbuf list = AIM_STRBUF_INIT;
    for (int k = 0; k < n; k++) {
        char key[160];
        aim__api_series_key(&p->run, &p->run.series[series[k]], key, sizeof key);
        aim__strbuf_printf(&list, "%s%s", k ? "," : "", key);
    }
    if (list.err) {
        aim__strbuf_free(&list);
        aim__store_set_error(p->store, "out of memory");
        return -ENOMEM;
    }
    double x0 = 0, x1 = 0;
    int r = aim__plot_ctx_pick(p, list.data);
    aim__strbuf_free(&list);
    p->model.width_px = aim__plot_area_width(st, 2);   /* the panels share one width */
    if (r == 0)
        r = aim__plot_ctx_window(p, req, &x0, &x1);
    if (r == 0) {
        p->model.x0 = x0;
        p->model.x1 = x1;
        r = aim__plot_ctx_read(p);
    }
    if (r == 0)
        r = aim__plot_ctx_bands(p);
    if (r == 0)
        r = aim__plot_extras(p, req);
    if (r == 0 && (r = aim__plot_model_finish(&p->model)) < 0)
        aim__store_set_error(p->store, "%s", aim_strerror(r));
    return r;
}

int aim__plot_categories_render(aim_store *store, const char *run_id,
                                const aim_plot_request *req, aim_plot_style *st,
                                aim_plot_file_format format) {
    if (req->n_more_runs) {
        aim__store_set_error(store, "--layout categories draws one run");
        return -EINVAL;
    }
    aim_db *db = aim__store_db(store);
    aim_run_summary run;
    int r = aim__api_load_run(store, run_id, &run);
    if (r < 0)
        return r;
    int only[4 * AIM_PLOT_MAX_SERIES], n_only = 0;
    if (req->metrics)
        r = aim__plot_metric_list(store, &run, req->metrics, only, 4 * AIM_PLOT_MAX_SERIES,
                                  &n_only);
    int picks[AIM_PLOT_PANELS][AIM_PLOT_MAX_SERIES], n[AIM_PLOT_PANELS];
    size_t left_out = 0;
    plot_ctx panels[AIM_PLOT_PANELS];
    const aim_plot_model *models[AIM_PLOT_PANELS];
    const char *names[AIM_PLOT_PANELS];
    int n_panels = 0;
    if (r == 0) {
        aim__plot_categories_pick(&run, req->metrics ? only : NULL, (size_t)n_only, picks, n,
                                  &left_out);
        for (int p = 0; p < AIM_PLOT_PANELS; p++)
            n_panels += n[p] > 0;
        if (n_panels == 0) {
            aim__store_set_error(store, "no metric to draw in the panels Energy, Compute, "
                                 "Memory, Communication%s",
                                 req->metrics ? " among those given" : "");
            r = -EINVAL;
        }
    }
    if (r == 0 && !req->height)   /* room for every panel and its legend */
        st->height = 110 + 320 * n_panels;
    int k = 0;
    for (int p = 0; p < AIM_PLOT_PANELS && r == 0; p++) {
        if (!n[p])
            continue;
        plot_ctx *x = &panels[k];
        memset(x, 0, sizeof *x);
        x->store = store, x->db = db, x->run_id = run_id;
        x->smooth_s = req->smooth_s;   /* the panels' samples go through the smoothers too */
        x->run = run;   /* shared: cleared once, below */
        aim__plot_model_init(&x->model, 0, 0, st->width);
        models[k] = &x->model;
        names[k++] = aim__plot_panel_name(p);
        r = panel(x, req, st, picks[p], n[p]);
    }
    if (r == 0) {
        st->title = aim__plot_title_of(req, &run);
        char err[300];
        if (aim__plot_render_panels(models, names, k, left_out, st, req->output, format, err,
                                    sizeof err) < 0)
            r = aim__plot_draw_failed(store, err);
    }
    for (int i = 0; i < k; i++) {
        aim__plot_ctx_smooth_flush(&panels[i]);   /* frees what an error left */
        aim__plot_model_free(&panels[i].model);
    }
    aim__run_summary_clear(&run);
    return r;
}
