/* aimeter plot --kind zones (api/plot_kinds.h): aimeter whatif --zones's pricing
 * (api/whatif.h) drawn as bars. */
#include <errno.h>

#include "api/plot_kinds.h"
#include "api/store_error.h"
#include "api/whatif.h"
#include "processing/plot_zones.h"
#include "report/plot_draw.h"

int aim__plot_zones_render(aim_store *store, const char *run_id, const aim_plot_request *req,
                           aim_plot_style *st, aim_plot_file_format format) {
    if (!req->zones || !*req->zones) {
        aim__store_set_error(store, "--kind zones needs --zones ZONE[,ZONE...] (aimeter zones "
                             "lists them)");
        return -EINVAL;
    }
    aim_whatif_job *job;
    aim_whatif_result res;
    int r = aim__whatif_job_run(store, run_id, req->zones, NULL, 0, &job, &res);
    if (r < 0)
        return r;
    aim_plot_zones m;
    if ((r = aim__plot_zones_build(&res, &m)) < 0)
        aim__store_set_error(store, "out of memory");
    if (r == 0) {
        st->title = aim__plot_title_of(req, res.run);
        char err[300];
        if (aim__plot_draw_zones(&m, st, req->output, format, err, sizeof err) < 0)
            r = aim__plot_draw_failed(store, err);
    }
    aim__plot_zones_free(&m);
    aim__whatif_job_free(job);
    return r;
}
