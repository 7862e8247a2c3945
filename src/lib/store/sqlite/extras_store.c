/* The idle baseline and embodied flags of a run (db.h: aim__db_run_set_extras,
 * aim__db_extras_load). */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/run_extras.h"
#include "store/sqlite/sqlite_store.h"
#include "util/array.h"

int sq_run_set_extras(aim_db *adb, const char *run_id, const char *idle_run_id,
                          int embodied) {
    sqlite3 *db = aim__db_sqlite(adb);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "UPDATE runs SET idle_run_id = ?2, embodied = ?3 WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return aim__db_set_error(adb, -EIO, "store: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, idle_run_id ? idle_run_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, embodied != 0);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : aim__db_set_error(adb, -EIO, "store: %s", sqlite3_errmsg(db));
}

int sq_device_attribution(aim_db *adb, const char *run_id, int idx, double joules,
                              const char *method) {
    sqlite3 *db = aim__db_sqlite(adb);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "UPDATE devices SET attributed_j = ?3, attributed_method = ?4 "
                               "WHERE run_id = ?1 AND idx = ?2", -1, &st, NULL) != SQLITE_OK)
        return aim__db_set_error(adb, -EIO, "store: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, idx);
    sqlite3_bind_double(st, 3, joules);
    sqlite3_bind_text(st, 4, method, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : aim__db_set_error(adb, -EIO, "store: %s", sqlite3_errmsg(db));
}

/* Attribution figures of the run's devices, when it has any. */
static int load_attribution(sqlite3 *db, const char *run_id, aim_run_extras *x) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT idx, attributed_j, attributed_method FROM devices "
                               "WHERE run_id = ?1 AND attributed_j IS NOT NULL ORDER BY idx",
                           -1, &st, NULL) != SQLITE_OK)
        return -EIO;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    int r = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (aim__array_resize(&x->attr, x->n_attr + 1, sizeof *x->attr) < 0) {
            r = -ENOMEM;
            break;
        }
        aim_attr_figure *a = &x->attr[x->n_attr++];
        a->device = sqlite3_column_int(st, 0);
        a->joules = sqlite3_column_double(st, 1);
        sq_col_text(st, 2, a->method, sizeof a->method);
    }
    sqlite3_finalize(st);
    return r;
}

int sq_run_cpu_use(aim_db *adb, const char *run_id, double *ret_pct) {
    sqlite3 *db = aim__db_sqlite(adb);
    sqlite3_stmt *st;
    *ret_pct = NAN;
    if (sqlite3_prepare_v2(db, "SELECT s.mean FROM series s JOIN devices d ON d.run_id = "
                               "s.run_id AND d.idx = s.device_idx WHERE s.run_id = ?1 AND "
                               "d.kind = 'host' AND s.metric_key = 'cpu.util' AND "
                               "s.instance = -1 AND s.mean IS NOT NULL LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return aim__db_set_error(adb, -EIO, "store: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *ret_pct = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? 0 : aim__db_set_error(adb, -EIO, "store: %s", sqlite3_errmsg(db));
}

static int load_baseline(sqlite3 *db, aim_run_extras *x) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT d.name, d.energy_j, r.duration_ns FROM devices d "
                               "JOIN runs r ON r.id = d.run_id WHERE d.run_id = ?1 AND "
                               "d.in_total = 1 AND d.energy_j IS NOT NULL ORDER BY d.idx",
                           -1, &st, NULL) != SQLITE_OK)
        return -EIO;
    sqlite3_bind_text(st, 1, x->idle_run_id, -1, SQLITE_STATIC);
    size_t cap = 0;
    int r = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        double dur = (double)sqlite3_column_int64(st, 2) / 1e9;
        x->idle_found = 1;
        x->idle_duration_s = dur;
        if (!(dur > 0))
            continue;
        if (AIM_ARRAY_RESERVE(x->idle, cap, x->n_idle + 1, 8) < 0) {
            r = -ENOMEM;
            break;
        }
        aim_idle_device *d = &x->idle[x->n_idle++];
        sq_col_text(st, 0, d->name, sizeof d->name);
        d->power_w = sqlite3_column_double(st, 1) / dur;
    }
    sqlite3_finalize(st);
    return r;
}

int sq_extras_load(aim_db *adb, const char *run_id, aim_run_extras **ret) {
    *ret = NULL;
    sqlite3 *db = aim__db_sqlite(adb);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT idle_run_id, embodied, (SELECT mean FROM series s "
                               "WHERE s.run_id = runs.id AND s.metric_key = 'mem.total' "
                               "LIMIT 1) FROM runs WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return aim__db_set_error(adb, -EIO, "store: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    aim_run_extras *x = NULL;
    int r = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *idle = sqlite3_column_text(st, 0);
        int embodied = sqlite3_column_int(st, 1);
        {
            x = calloc(1, sizeof *x);
            if (!x) {
                r = -ENOMEM;
            } else {
                snprintf(x->idle_run_id, sizeof x->idle_run_id, "%s",
                         idle ? (const char *)idle : "");
                x->embodied = embodied;
                x->mem_total_gib = sqlite3_column_type(st, 2) == SQLITE_NULL
                                       ? NAN : sqlite3_column_double(st, 2);
            }
        }
    }
    sqlite3_finalize(st);
    if (r == 0 && x && x->idle_run_id[0])
        r = load_baseline(db, x);
    if (r == 0 && x && x->idle_run_id[0])
        r = aim__db_run_cpu_use(adb, x->idle_run_id, &x->idle_cpu_pct);
    if (r == 0 && x)
        r = load_attribution(db, run_id, x);
    if (r == 0 && x && !x->idle_run_id[0] && !x->embodied && x->n_attr == 0) {
        aim__run_extras_free(x); /* nothing to show */
        x = NULL;
    }
    if (r < 0) {
        aim__run_extras_free(x);
        return aim__db_set_error(adb, r, "store: cannot read the idle baseline: %s",
                                sqlite3_errmsg(db));
    }
    *ret = x;
    return 0;
}
