/* aimeter forecast: a run's completed instances of a repeated phase (epochs), a straight
 * line fitted to their energy and duration against their number, and the sums to N
 * instances with 95 % prediction intervals (aim_forecast_render in aimeter.h). Works on a
 * running run: its writer commits samples and phases every 750 ms.
 *
 * This file checks the request, loads the run's summary and phase instances, replays its
 * stored samples into the cumulative energy curve (processing/energy_curve.h; an instance's
 * energy is the run's IT energy between its start and its end, by the same rule as
 * `whatif`), and hands them to processing/forecast_run.h; report/forecast_report.h renders
 * the result. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/run_load.h"
#include "api/store_error.h"
#include "processing/energy_curve.h"
#include "processing/forecast_run.h"
#include "report/forecast_report.h"
#include "store/db.h"
#include "store/tags_store.h"
#include "util/strbuf.h"

/* The store's phase instances as processing takes them (run_load.h). */
int aim__api_fc_instances(const aim_phase_instance *inst, size_t n, aim_fc_instance **ret) {
    aim_fc_instance *out = calloc(n + 1, sizeof *out);
    if (!out)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        memcpy(out[i].name, inst[i].name, sizeof out[i].name);
        out[i].start_ns = inst[i].start_ns;
        out[i].end_ns = inst[i].end_ns;
        out[i].closed = inst[i].closed;
        out[i].unterminated = inst[i].unterminated;
    }
    *ret = out;
    return 0;
}

int aim__api_energy_curve_load(aim_db *db, const aim_run_summary *run, aim_energy_curve **ret) {
    aim_energy_curve *c;
    int r = aim__energy_curve_new(run, &c);
    if (r < 0)
        return r;
    const int *groups;
    size_t n_groups = aim__energy_curve_groups(c, &groups);
    for (size_t g = 0; r == 0 && g < n_groups; g++) {
        aim__energy_curve_set_group(c, groups[g]);
        r = aim__db_for_each_tick(db, run->id, groups[g], aim__energy_curve_tick, c);
        if (aim__energy_curve_error(c))
            r = aim__energy_curve_error(c);
        else if (r == -ENOENT) /* a group with no chunk yet: a run that just began */
            r = 0;
    }
    if (r < 0) {
        aim__energy_curve_free(c);
        return r;
    }
    *ret = c;
    return 0;
}

int aim_forecast_render(aim_store *store, const char *run_id, const aim_forecast_request *req,
                        aim_format format, char **ret_text, int *ret_running) {
    aim_db *db = aim__store_db(store);
    if (!db || !run_id || !req || !ret_text) {
        if (store)
            aim__store_set_error(store, db ? "no run, request or output given" : "store not open");
        return -EINVAL;
    }
    int rc = aim__store_check_format(store, AIM_OUTPUT_FORECAST, format);
    if (rc < 0)
        return rc;
    if (req->target < 1 || req->target > 1000000) {
        aim__store_set_error(store, "the number of instances to forecast to must be 1 to 1000000");
        return -EINVAL;
    }
    const char *phase = req->phase && *req->phase ? req->phase : "epoch";
    if (strlen(phase) > 128) {
        aim__store_set_error(store, "phase name longer than 128 bytes");
        return -EINVAL;
    }
    aim_run_summary run = { 0 };
    aim_forecast_result f = { 0 };
    aim_phase_instance *inst = NULL;
    aim_fc_instance *fci = NULL;
    size_t n_inst = 0;
    aim_energy_curve *curve = NULL;
    int r = aim__db_load_summary(db, run_id, &run);
    if (r == 0)
        r = aim__db_phase_instances(db, run_id, &inst, &n_inst);
    if (r < 0)
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
    int running = r == 0 && run.status == AIM_RUN_RUNNING && !run.stale;
    if (r == 0 && ret_running)
        *ret_running = running;
    if (r == 0)
        r = aim__api_fc_instances(inst, n_inst, &fci);
    if (r == 0) {
        char err[1024];
        r = aim__forecast_plan(&f, &run, phase, req->target, req->skip, fci, n_inst, err,
                              sizeof err);
        if (r < 0 && r != -ENOMEM)
            aim__store_set_error(store, "%s", err);
        f.running = running;
    }
    if (r == 0) {
        r = aim__api_energy_curve_load(db, &run, &curve);
        if (r < 0 && r != -ENOMEM)
            aim__store_set_error(store, "%s", aim__db_errmsg(db));
    }
    if (r == 0) {
        r = aim__forecast_fit(&f, aim__energy_curve_at, curve);
        if (r == -EINVAL)
            aim__store_set_error(store, "the instances of '%s' cannot be fitted (every one has "
                                "the same number)", phase);
    }
    if (r == 0)
        r = aim__render(AIM_OUTPUT_FORECAST, format, &f, ret_text);
    if (r == -ENOMEM)
        aim__store_set_error(store, "out of memory");
    aim__energy_curve_free(curve);
    aim__forecast_result_free(&f);
    free(fci);
    free(inst);
    aim__run_summary_clear(&run);
    return r;
}
