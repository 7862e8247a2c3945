/* The public correlation API (aimeter.h): aim_corr_compute() reads the matrix a run stored
 * or replays its samples (store), builds the result (processing/corr_result.h), and the
 * accessors and aim_corr_render() hand it out or to the renderer (report/corr_report.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "processing/corr_result.h"
#include "report/corr_report.h"
#include "report/renderers.h"
#include "engine/corr_replay.h"
#include "store/corr_store.h"
#include "api/store_error.h"

void aim_corr_result_free(aim_corr_result *c) { aim__corr_res_free(c); }

int aim_corr_compute(aim_store *store, const char *run_id, const aim_time_range *ranges,
                     size_t n_ranges, unsigned flags, aim_corr_result **ret_result) {
    aim_db *db = aim__store_db(store);
    if (!db) {
        if (store)
            aim__store_set_error(store, "store not open");
        return -EINVAL;
    }
    if (!run_id || !ret_result || (n_ranges && !ranges) || (flags & ~AIM_CORR_RECOMPUTE)) {
        aim__store_set_error(store, "bad arguments");
        return -EINVAL;
    }
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    int r = aim__db_load_summary(db, run_id, &run);
    aim_corr_matrix *m = NULL;
    int recomputed = 0;
    if (r == 0 && n_ranges == 0 && !(flags & AIM_CORR_RECOMPUTE)) {
        r = aim__db_corr_load(db, run_id, &m);
        if (r == -ENOENT)
            r = 0; /* none stored: replay */
        for (int i = 0; r == 0 && m && i < m->n; i++)
            if (m->spread[i] == AIM_CORR_SPREAD_UNKNOWN) { /* stored before schema 9 */
                aim__corr_matrix_free(m);
                m = NULL;
            }
    }
    if (r == 0 && !m) {
        r = aim__corr_replay_run(db, &run, n_ranges ? ranges : NULL, n_ranges, &m);
        recomputed = 1;
    }
    if (r == 0)
        r = aim__corr_res_build(&run, m, 1, recomputed, ret_result);
    if (r < 0)
        aim__store_set_error(store, "%s", r == -ENOMEM ? "out of memory" : aim__db_errmsg(db));
    aim__run_summary_clear(&run);
    return r;
}

void aim_corr_get_info(const aim_corr_result *c, aim_corr_info *ret) { aim__corr_res_info(c, ret); }

/* Fails with rc and the message on the result (none when c is NULL); returns rc. */
static int corr_fail(aim_corr_result *c, int rc, const char *msg) {
    if (c)
        snprintf(aim__corr_res_errmsg(c), 256, "%s", msg);
    return rc;
}

const char *aim_corr_errmsg(const aim_corr_result *c) {
    return c ? aim__corr_res_errmsg((aim_corr_result *)c) : "no correlation result";
}

int aim_corr_series(aim_corr_result *c, size_t index, aim_corr_series_info *ret) {
    if (!c || !ret)
        return corr_fail(c, -EINVAL, "no result or output given");
    int r = aim__corr_res_series(c, index, ret);
    return r < 0 ? corr_fail(c, r, "series index past the end") : 0;
}

double aim_corr_r(const aim_corr_result *c, size_t a, size_t b, uint64_t *ret_n) {
    return aim__corr_res_r(c, a, b, ret_n);
}

int aim_corr_pairs(aim_corr_result *c, aim_corr_kind kind, double min_abs, aim_corr_pair *ret,
                   size_t max, size_t *ret_count) {
    if (!c || !ret_count || (max && !ret))
        return corr_fail(c, -EINVAL, "no result or output given");
    if ((unsigned)kind > AIM_CORR_DERIVED)
        return corr_fail(c, -EINVAL, "unknown kind of pair");
    size_t n = aim__corr_res_pairs(c, kind, min_abs, ret, max);
    if (n == (size_t)-1) /* the processing layer's "out of memory" */
        return corr_fail(c, -ENOMEM, "out of memory");
    *ret_count = n;
    return 0;
}

int aim_corr_render(aim_corr_result *c, aim_format format, int matrix, double min_abs,
                    size_t top, char **ret_text) {
    if (!c || !ret_text)
        return corr_fail(c, -EINVAL, "no result or output given");
    int r = aim__render_check(AIM_OUTPUT_CORR, format, aim__corr_res_errmsg(c), 256);
    if (r < 0)
        return r;
    if (!(min_abs >= 0) || min_abs > 1)
        return corr_fail(c, -EINVAL, "min_abs must be between 0 and 1");
    aim_render_corr in = { .result = c, .matrix = matrix, .min_abs = min_abs, .top = top };
    r = aim__render(AIM_OUTPUT_CORR, format, &in, ret_text);
    return r < 0 ? corr_fail(c, r, aim_strerror(r)) : 0;
}
