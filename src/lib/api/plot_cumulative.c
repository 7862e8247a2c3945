/* aimeter plot --kind cumulative (api/plot_kinds.h): the run's cumulative energy and carbon
 * read from the store (api/run_load.h), the same curve as the HTML report's, a point per
 * pixel of the picture's width. */
#include <errno.h>

#include "api/plot_kinds.h"
#include "api/run_load.h"
#include "api/store_error.h"
#include "processing/energy_timeline.h"
#include "processing/plot_cumulative.h"
#include "report/plot_draw.h"
#include "store/store.h"

int aim__plot_cumulative_render(aim_store *store, const char *run_id,
                                const aim_plot_request *req, aim_plot_style *st,
                                aim_plot_file_format format) {
    aim_db *db = aim__store_db(store);
    aim_run_summary run;
    int r = aim__api_load_run(store, run_id, &run);
    if (r < 0)
        return r;
    aim_energy_timeline tl;
    r = aim__api_energy_timeline_load(db, &run, (size_t)st->width, &tl);
    if (r < 0)
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
    aim_plot_cumulative m = { 0 };
    if (r == 0 && (r = aim__plot_cumulative_build(&run, &tl, &m)) < 0)
        aim__store_set_error(store, "out of memory");
    if (r == 0) {
        st->title = aim__plot_title_of(req, &run);
        char err[300];
        if (aim__plot_draw_cumulative(&m, st, req->output, format, err, sizeof err) < 0)
            r = aim__plot_draw_failed(store, err);
    }
    aim__plot_cumulative_free(&m);
    aim__energy_timeline_free(&tl);
    aim__run_summary_clear(&run);
    return r;
}
