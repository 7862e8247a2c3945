/* The public aim_report_render(): loads a run's summary from the store (store), builds its
 * report model (processing) and hands it to the renderer (report). The summary holds
 * the running statistics kept while sampling, so a report costs O(series) whatever the run's
 * length: no sample is read. */
#include <errno.h>
#include <string.h>

#include "aimeter.h"
#include "processing/report_model.h"
#include "store/corr_store.h"
#include "store/db.h"
#include "api/store_error.h"
#include "store/tags_store.h"

int aim_report_render(aim_store *store, const char *run_id, aim_format format,
                      char **ret_text) {
    if (!store)
        return -EINVAL;
    /* Every failure says why in aim_store_errmsg(): the caller prints that line. */
    if (!run_id || !ret_text) {
        aim__store_set_error(store, "no run or output given");
        return -EINVAL;
    }
    if (format == AIM_FORMAT_HTML) /* it reads the samples too: api/html_report.c */
        return aim_report_render_html(store, run_id, NULL, 0, ret_text);
    int r = aim__store_check_format(store, AIM_OUTPUT_REPORT, format);
    if (r < 0)
        return r;
    aim_db *db = aim__store_db(store);
    if (!db) {
        aim__store_set_error(store, "store not open");
        return -EINVAL;
    }
    aim_run_summary run;
    memset(&run, 0, sizeof run);
    r = aim__db_load_summary(db, run_id, &run);
    if (r >= 0)
        r = aim__db_workload_load(db, run_id, run.n_devices, &run.workload);
    if (r >= 0)
        r = aim__db_extras_load(db, run_id, &run.extras);
    if (r >= 0)
        r = aim__db_run_tags_load(db, run_id, &run.tags, &run.n_tags);
    if (r < 0) {
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
        aim__run_summary_clear(&run);
        return r;
    }
    /* The correlation matrix stored when the run ended: read, never recomputed here; the
     * model reads its families and classes (processing), the report only renders it. */
    if (aim__db_corr_load(db, run_id, &run.corr) < 0)
        run.corr = NULL;
    aim_report_model m;
    r = aim__report_model_build(&run, &m);
    if (r == 0)
        r = aim__render(AIM_OUTPUT_REPORT, format, &m, ret_text);
    aim__report_model_free(&m);
    if (r < 0)
        aim__store_set_error(store, "cannot render run %s: %s", run_id, aim_strerror(r));
    aim__run_summary_clear(&run);
    return r;
}
