/* aimeter plot --kind corr (api/plot_kinds.h): the run's correlation result (aim_corr_compute:
 * the stored matrix, or a replay over the window) as a heat-map. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/plot_kinds.h"
#include "api/run_load.h"
#include "api/store_error.h"
#include "processing/corr_result.h"
#include "processing/plot_corr.h"
#include "report/plot_draw.h"
#include "store/store.h"

/* The result's indices of the run's series named by -m (one not correlated is skipped). */
static int picked(aim_store *store, const aim_run_summary *run, const aim_corr_result *res,
                  const char *list, size_t *ret, size_t *ret_n) {
    int idx[AIM_PLOT_CORR_MAX], n = 0;
    int r = aim__plot_metric_list(store, run, list, idx, AIM_PLOT_CORR_MAX, &n);
    if (r < 0)
        return r;
    aim_corr_info info;
    aim__corr_res_info(res, &info);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        const aim_series_summary *s = &run->series[idx[i]];
        for (size_t j = 0; j < info.n_series; j++) {
            aim_corr_series_info si;
            if (aim__corr_res_series(res, j, &si) == 0 && si.instance == s->instance &&
                strcmp(si.device, run->devices[s->device].name) == 0 &&
                strcmp(si.metric_key, s->metric_key) == 0) {
                ret[k++] = j;
                break;
            }
        }
    }
    *ret_n = k;
    return 0;
}

int aim__plot_corr_render(aim_store *store, const char *run_id, const aim_plot_request *req,
                          aim_plot_style *st, aim_plot_file_format format) {
    aim_db *db = aim__store_db(store);
    aim_run_summary run;
    int r = aim__api_load_run(store, run_id, &run);
    if (r < 0)
        return r;
    aim_time_range *ranges = NULL;
    size_t n_ranges = 0, pick[AIM_PLOT_CORR_MAX], n_pick = 0;
    aim_corr_result *res = NULL;
    r = aim__plot_window_ranges(store, db, run_id, req, &ranges, &n_ranges);
    if (r == 0)
        r = aim_corr_compute(store, run_id, ranges, n_ranges, 0, &res);
    if (r == 0 && req->metrics)
        r = picked(store, &run, res, req->metrics, pick, &n_pick);
    aim_plot_corr m = { 0 };
    if (r == 0 && (r = aim__plot_corr_build(res, req->metrics ? pick : NULL, n_pick, &m)) < 0)
        aim__store_set_error(store, "out of memory");
    if (r == 0) {
        st->title = aim__plot_title_of(req, &run);
        char err[300];
        if (aim__plot_draw_corr(&m, st, req->output, format, err, sizeof err) < 0)
            r = aim__plot_draw_failed(store, err);
    }
    aim__plot_corr_free(&m);
    aim_corr_result_free(res);
    free(ranges);
    aim__run_summary_clear(&run);
    return r;
}
