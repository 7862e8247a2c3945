/* The idle baseline and embodied flags of a run (db.h: aim__db_run_set_extras,
 * aim__db_extras_load). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/run_extras.h"
#include "store/sql/sql_store.h"
#include "util/array.h"

/* The engine's message of the last failure as adb's. */
static int fail(aim_db *adb) {
    return aim__db_set_error(adb, -EIO, "store: %s", aim__sql_errmsg(aim__db_sql(adb)));
}

int sql_run_set_extras(aim_db *adb, const char *run_id, const char *idle_run_id, int embodied) {
    aim_sql_stmt *st;
    if (aim__sql_prepare(aim__db_sql(adb), "UPDATE runs SET idle_run_id = ?2, embodied = ?3 "
                         "WHERE id = ?1", &st) < 0)
        return fail(adb);
    aim__sql_bind_text(st, 1, run_id);
    aim__sql_bind_text(st, 2, idle_run_id ? idle_run_id : "");
    aim__sql_bind_int64(st, 3, embodied != 0);
    int rc = aim__sql_step(st);
    aim__sql_finalize(st);
    return rc == 0 ? 0 : fail(adb);
}

int sql_device_attribution(aim_db *adb, const char *run_id, int idx, double joules,
                           const char *method) {
    aim_sql_stmt *st;
    if (aim__sql_prepare(aim__db_sql(adb), "UPDATE devices SET attributed_j = ?3, "
                         "attributed_method = ?4 WHERE run_id = ?1 AND idx = ?2", &st) < 0)
        return fail(adb);
    aim__sql_bind_text(st, 1, run_id);
    aim__sql_bind_int64(st, 2, idx);
    aim__sql_bind_double(st, 3, joules);
    aim__sql_bind_text(st, 4, method);
    int rc = aim__sql_step(st);
    aim__sql_finalize(st);
    return rc == 0 ? 0 : fail(adb);
}

/* Attribution figures of the run's devices, when it has any. */
static int load_attribution(aim_sql *c, const char *run_id, aim_run_extras *x) {
    aim_sql_stmt *st;
    if (aim__sql_prepare(c, "SELECT idx, attributed_j, attributed_method FROM devices "
                         "WHERE run_id = ?1 AND attributed_j IS NOT NULL ORDER BY idx", &st) < 0)
        return -EIO;
    aim__sql_bind_text(st, 1, run_id);
    int r = 0;
    while (aim__sql_step(st) == 1) {
        if (aim__array_resize(&x->attr, x->n_attr + 1, sizeof *x->attr) < 0) {
            r = -ENOMEM;
            break;
        }
        aim_attr_figure *a = &x->attr[x->n_attr++];
        a->device = aim__sql_column_int(st, 0);
        a->joules = aim__sql_column_double(st, 1);
        aim__sql_column_text_copy(st, 2, a->method, sizeof a->method);
    }
    aim__sql_finalize(st);
    return r;
}

int sql_run_cpu_use(aim_db *adb, const char *run_id, double *ret_pct) {
    aim_sql_stmt *st;
    *ret_pct = NAN;
    if (aim__sql_prepare(aim__db_sql(adb), "SELECT s.mean FROM series s JOIN devices d ON "
                         "d.run_id = s.run_id AND d.idx = s.device_idx WHERE s.run_id = ?1 AND "
                         "d.kind = 'host' AND s.metric_key = 'cpu.util' AND "
                         "s.instance = -1 AND s.mean IS NOT NULL LIMIT 1", &st) < 0)
        return fail(adb);
    aim__sql_bind_text(st, 1, run_id);
    int rc = aim__sql_step(st);
    if (rc == 1)
        *ret_pct = aim__sql_column_double(st, 0);
    aim__sql_finalize(st);
    return rc >= 0 ? 0 : fail(adb);
}

static int load_baseline(aim_sql *c, aim_run_extras *x) {
    aim_sql_stmt *st;
    if (aim__sql_prepare(c, "SELECT d.name, d.energy_j, r.duration_ns FROM devices d "
                         "JOIN runs r ON r.id = d.run_id WHERE d.run_id = ?1 AND "
                         "d.in_total = 1 AND d.energy_j IS NOT NULL ORDER BY d.idx", &st) < 0)
        return -EIO;
    aim__sql_bind_text(st, 1, x->idle_run_id);
    size_t cap = 0;
    int r = 0;
    while (aim__sql_step(st) == 1) {
        double dur = (double)aim__sql_column_int64(st, 2) / 1e9;
        x->idle_found = 1;
        x->idle_duration_s = dur;
        if (!(dur > 0))
            continue;
        if (AIM_ARRAY_RESERVE(x->idle, cap, x->n_idle + 1, 8) < 0) {
            r = -ENOMEM;
            break;
        }
        aim_idle_device *d = &x->idle[x->n_idle++];
        aim__sql_column_text_copy(st, 0, d->name, sizeof d->name);
        d->power_w = aim__sql_column_double(st, 1) / dur;
    }
    aim__sql_finalize(st);
    return r;
}

int sql_extras_load(aim_db *adb, const char *run_id, aim_run_extras **ret) {
    *ret = NULL;
    aim_sql *c = aim__db_sql(adb);
    aim_sql_stmt *st;
    if (aim__sql_prepare(c, "SELECT idle_run_id, embodied, (SELECT mean FROM series s "
                         "WHERE s.run_id = runs.id AND s.metric_key = 'mem.total' "
                         "LIMIT 1) FROM runs WHERE id = ?1", &st) < 0)
        return fail(adb);
    aim__sql_bind_text(st, 1, run_id);
    aim_run_extras *x = NULL;
    int r = 0;
    if (aim__sql_step(st) == 1) {
        x = calloc(1, sizeof *x);
        if (!x) {
            r = -ENOMEM;
        } else {
            aim__sql_column_text_copy(st, 0, x->idle_run_id, sizeof x->idle_run_id);
            x->embodied = aim__sql_column_int(st, 1);
            x->mem_total_gib = aim__sql_column_double(st, 2); /* NULL reads as NaN */
        }
    }
    aim__sql_finalize(st);
    if (r == 0 && x && x->idle_run_id[0])
        r = load_baseline(c, x);
    if (r == 0 && x && x->idle_run_id[0])
        r = aim__db_run_cpu_use(adb, x->idle_run_id, &x->idle_cpu_pct);
    if (r == 0 && x)
        r = load_attribution(c, run_id, x);
    if (r == 0 && x && !x->idle_run_id[0] && !x->embodied && x->n_attr == 0) {
        aim__run_extras_free(x); /* nothing to show */
        x = NULL;
    }
    if (r < 0) {
        aim__run_extras_free(x);
        return aim__db_set_error(adb, r, "store: cannot read the idle baseline: %s",
                                 aim__sql_errmsg(c));
    }
    *ret = x;
    return 0;
}
