/* The store side of the reading accessors (run_load.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/run_load.h"
#include "api/store_error.h"
#include "model/metrics.h"
#include "processing/workload_summary.h"
#include "store/db.h"

static aim_db *open_db(aim_store *store) {
    aim_db *db = aim__store_db(store);
    if (!db)
        aim__store_set_error(store, "store not open");
    return db;
}

int aim__api_load_run(aim_store *store, const char *run_id, aim_run_summary *ret) {
    memset(ret, 0, sizeof *ret);
    aim_db *db = open_db(store);
    if (!db)
        return -EINVAL;
    int r = aim__db_load_summary(db, run_id, ret);
    if (r >= 0)
        r = aim__db_workload_load(db, run_id, ret->n_devices, &ret->workload);
    if (r < 0) {
        aim__store_set_error(store, "%s", aim__db_errmsg(db));
        aim__run_summary_clear(ret);
    }
    return r;
}

int aim__api_group_ticks(aim_store *store, const char *run_id, int group, aim_api_tick_fn fn,
                        void *userdata) {
    aim_db *db = open_db(store);
    if (!db)
        return -EINVAL;
    int r = aim__db_for_each_tick(db, run_id, group, fn, userdata);
    if (r < 0)
        aim__store_set_error(store, "%s", r == -ENOMEM ? aim_strerror(r) : aim__db_errmsg(db));
    return r;
}

const char *aim__api_series_unit(const aim_series_summary *s) {
    const aim_metric_info *m = aim_metric_find(s->metric_key);
    return m && m->unit ? m->unit : "";
}

void aim__api_series_key(const aim_run_summary *run, const aim_series_summary *s, char *out,
                        size_t len) {
    const char *dev = s->device >= 0 && s->device < run->n_devices ? run->devices[s->device].name
                                                                   : "?";
    char inst[16] = "";
    if (s->instance >= 0)
        snprintf(inst, sizeof inst, "[%d]", s->instance);
    snprintf(out, len, "%s.%.48s%s", dev, s->metric_key, inst);
}

void aim__api_series_column(const aim_run_summary *run, const aim_series_summary *s, char *out,
                           size_t len) {
    char key[128];
    aim__api_series_key(run, s, key, sizeof key);
    const char *unit = aim__api_series_unit(s);
    snprintf(out, len, "%s%s%s%s", key, *unit ? " [" : "", unit, *unit ? "]" : "");
}
