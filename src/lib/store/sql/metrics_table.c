/* The metrics table (sql_store.h): the registry of model/metrics.h as rows, so that a store
 * read by another tool says what each series' metric_key means. Both back-ends refresh it
 * when they open a store for writing, and only when it differs, so that the usual open
 * writes nothing. */
#include <string.h>

#include "model/metrics.h"
#include "store/sql/sql_store.h"

static const char *kind_text(const aim_metric_info *m) {
    return m->kind == AIM_KIND_COUNTER ? "counter" : "gauge";
}

static int same_text(aim_sql_stmt *st, int col, const char *want) {
    const char *got = aim__sql_column_text(st, col);
    return got && want && strcmp(got, want) == 0;
}

int aim__sql_metrics_current(aim_sql *c, int *ret_current) {
    *ret_current = 0;
    aim_sql_stmt *st = NULL;
    int r = aim__sql_prepare(c, "SELECT key, label, unit, category, kind, description "
                                "FROM metrics", &st);
    if (r < 0)
        return r;
    size_t n = aim_metric_count(), matched = 0;
    while ((r = aim__sql_step(st)) == 1) {
        const char *key = aim__sql_column_text(st, 0);
        const aim_metric_info *m = key ? aim_metric_find(key) : NULL;
        /* Rows for metrics this build lacks (a newer writer's) do not matter. */
        if (!m)
            continue;
        matched += same_text(st, 1, m->label) && same_text(st, 2, m->unit) &&
                   same_text(st, 3, aim_category_name(m->category)) &&
                   same_text(st, 4, kind_text(m)) && same_text(st, 5, m->description);
    }
    aim__sql_finalize(st);
    if (r < 0)
        return r;
    *ret_current = matched == n;
    return 0;
}

int aim__sql_metrics_refresh(aim_sql *c) {
    /* The WHERE makes an unchanged row a no-op; every column is NOT NULL, so <> is exact. */
    static const char sql[] =
        "INSERT INTO metrics (key, label, unit, category, kind, description) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (key) DO UPDATE SET label = excluded.label, unit = excluded.unit, "
        "category = excluded.category, kind = excluded.kind, "
        "description = excluded.description "
        "WHERE metrics.label <> excluded.label OR metrics.unit <> excluded.unit "
        "OR metrics.category <> excluded.category OR metrics.kind <> excluded.kind "
        "OR metrics.description <> excluded.description";
    aim_sql_stmt *st = NULL;
    int r = aim__sql_prepare(c, sql, &st);
    for (size_t i = 0; r == 0 && i < aim_metric_count(); i++) {
        const aim_metric_info *m = aim_metric_get(i);
        if ((r = aim__sql_bind_text(st, 1, m->key)) < 0 ||
            (r = aim__sql_bind_text(st, 2, m->label)) < 0 ||
            (r = aim__sql_bind_text(st, 3, m->unit)) < 0 ||
            (r = aim__sql_bind_text(st, 4, aim_category_name(m->category))) < 0 ||
            (r = aim__sql_bind_text(st, 5, kind_text(m))) < 0 ||
            (r = aim__sql_bind_text(st, 6, m->description)) < 0)
            break;
        r = aim__sql_step(st);
        r = r < 0 ? r : 0;
        aim__sql_reset(st);
    }
    aim__sql_finalize(st);
    return r;
}
