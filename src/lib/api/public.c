/* The public aim_store handle: a thin owner of one aim_db plus the error text callers read
 * with aim_store_errmsg(). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aimeter.h"
#include "report/report.h"
#include "store/db.h"
#include "api/store_error.h"
#include "store/tags_store.h"

struct aim_store {
    aim_db *db;
    char err[512];
};

int aim_store_new(aim_store **ret_store) {
    if (!ret_store)
        return -EINVAL;
    aim_store *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    *ret_store = s;
    return 0;
}

void aim_store_free(aim_store *store) {
    if (!store)
        return;
    aim__db_close(store->db);
    free(store);
}

const char *aim_store_errmsg(const aim_store *store) {
    if (!store)
        return "no store";
    return store->err;
}

aim_db *aim__store_db(struct aim_store *store) { return store ? store->db : NULL; }

void aim__store_set_error(struct aim_store *store, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(store->err, sizeof store->err, fmt, ap);
    va_end(ap);
    aim__db_fix_reason(store->err, sizeof store->err, -EIO);
}

int aim__store_check_format(struct aim_store *store, aim_output out, aim_format format) {
    int r = aim__render_check(out, format, store->err, sizeof store->err);
    return r;
}

int aim_store_open(aim_store *store, const char *path, int readonly) {
    if (!store)
        return -EINVAL;
    if (store->db) {
        snprintf(store->err, sizeof store->err, "store already open");
        return -EALREADY;
    }
    char *owned = NULL;
    if (!path) {
        int r = aim_default_db_path(&owned);
        if (r < 0) {
            snprintf(store->err, sizeof store->err,
                     "no default store path: set AIMETER_DB or HOME (%s)", aim_strerror(r));
            return r;
        }
        path = owned;
    }
    int r = aim__db_open(path, readonly, &store->db, store->err, sizeof store->err);
    free(owned);
    return r;
}

static int need_open(aim_store *store) {
    if (!store)
        return -EINVAL;
    if (!store->db) {
        snprintf(store->err, sizeof store->err, "store not open");
        return -EINVAL;
    }
    return 0;
}

int aim_store_resolve_run(aim_store *store, const char *ref, char **ret_id) {
    int r = need_open(store);
    if (r < 0)
        return r;
    if (!ret_id) {
        aim__store_set_error(store, "no output given");
        return -EINVAL;
    }
    return aim__db_resolve_run(store->db, ref, ret_id, store->err, sizeof store->err);
}

int aim_store_phase_ranges(aim_store *store, const char *run_id, const char *phase,
                           aim_time_range **ret_ranges, size_t *ret_n) {
    int r = need_open(store);
    if (r < 0)
        return r;
    if (!run_id || !phase || !ret_ranges || !ret_n) {
        aim__store_set_error(store, "no run, phase or output given");
        return -EINVAL;
    }
    r = aim__db_phase_ranges(store->db, run_id, phase, ret_ranges, ret_n);
    if (r < 0)
        aim__store_set_error(store, "%s", aim__db_errmsg(store->db));
    return r;
}

int aim_store_list_runs(aim_store *store, aim_format format, size_t limit, char **ret_text) {
    int r = need_open(store);
    if (r < 0)
        return r;
    if (!ret_text) {
        aim__store_set_error(store, "no output given");
        return -EINVAL;
    }
    r = aim__store_check_format(store, AIM_OUTPUT_RUNS, format);
    if (r < 0)
        return r;
    aim_run_summary *runs = NULL;
    size_t n = 0;
    r = aim__db_list_runs(store->db, limit, &runs, &n);
    if (r < 0) {
        snprintf(store->err, sizeof store->err, "%s", aim__db_errmsg(store->db));
        return r;
    }
    for (size_t i = 0; i < n && r == 0; i++)
        r = aim__db_run_tags_load(store->db, runs[i].id, &runs[i].tags, &runs[i].n_tags);
    if (r < 0) {
        snprintf(store->err, sizeof store->err, "%s", aim__db_errmsg(store->db));
    } else {
        aim_render_runs in = { .runs = runs, .n = n };
        r = aim__render(AIM_OUTPUT_RUNS, format, &in, ret_text);
        if (r < 0)
            snprintf(store->err, sizeof store->err, "cannot render the list of runs as %s: %s",
                     aim__render_format_name(format), aim_strerror(r));
    }
    for (size_t i = 0; i < n; i++)
        aim__run_summary_clear(&runs[i]);
    free(runs);
    return r;
}
