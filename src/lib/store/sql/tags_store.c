/* Run tags, phase instances and markers in the store (tags_store.h). */
#include "store/tags_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql/sql_store.h"
#include "util/array.h"

static int fail(aim_db *adb, int err, const char *what) {
    aim_sql *c = aim__db_sql(adb);
    return aim__db_set_error(adb, err, "store: %s: %s", what,
                             err == -ENOMEM ? "out of memory" : c ? aim__sql_errmsg(c) : "closed");
}

/* sql prepared on adb's connection; -EIO also when the store is closed. */
static int prep(aim_db *adb, const char *sql, aim_sql_stmt **st) {
    aim_sql *c = aim__db_sql(adb);
    return c && aim__sql_prepare(c, sql, st) == 0 ? 0 : -EIO;
}

int sql_run_tags_store(aim_db *adb, const char *run_id, const aim_run_tag *tags, size_t n) {
    if (n == 0)
        return 0;
    aim_sql_stmt *st;
    if (prep(adb, "INSERT INTO run_tags (run_id, key, value) "
                         "VALUES (?1, ?2, ?3) ON CONFLICT (run_id, key) DO UPDATE "
                         "SET value = excluded.value", &st) < 0)
        return fail(adb, -EIO, "cannot store the run's tags");
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        aim__sql_bind_text(st, 1, run_id);
        aim__sql_bind_text(st, 2, tags[i].key);
        aim__sql_bind_text(st, 3, tags[i].value);
        if (aim__sql_step(st) != 0)
            r = fail(adb, -EIO, "cannot store the run's tags");
        aim__sql_reset(st);
    }
    aim__sql_finalize(st);
    return r;
}

/* One run's tags through st (prepared by the caller, reset here). */
static int tags_of(aim_db *adb, aim_sql_stmt *st, const char *run_id, aim_run_tag **ret,
                   size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    aim__sql_reset(st);
    aim__sql_bind_text(st, 1, run_id);
    aim_run_tag *tags = NULL;
    size_t n = 0, cap = 0;
    int r = 0, rc;
    while ((rc = aim__sql_step(st)) == 1) {
        if (AIM_ARRAY_RESERVE(tags, cap, n + 1, 8) < 0) {
            r = fail(adb, -ENOMEM, "cannot read the run's tags");
            break;
        }
        aim__sql_column_text_copy(st, 0, tags[n].key, sizeof tags[n].key);
        aim__sql_column_text_copy(st, 1, tags[n].value, sizeof tags[n].value);
        n++;
    }
    if (r == 0 && rc != 0)
        r = fail(adb, -EIO, "cannot read the run's tags");
    if (r < 0) {
        free(tags);
        return r;
    }
    *ret = tags;
    *ret_n = n;
    return 0;
}

static const char tags_sql[] = "SELECT key, value FROM run_tags WHERE run_id = ?1 ORDER BY key";

int sql_run_tags_load(aim_db *adb, const char *run_id, aim_run_tag **ret, size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    aim_sql_stmt *st;
    if (prep(adb, tags_sql, &st) < 0)
        return fail(adb, -EIO, "cannot read the run's tags");
    int r = tags_of(adb, st, run_id, ret, ret_n);
    aim__sql_finalize(st);
    return r;
}

int sql_runs_tags_load(aim_db *adb, aim_run_summary *runs, size_t n) {
    if (n == 0)
        return 0;
    aim_sql_stmt *st;
    if (prep(adb, tags_sql, &st) < 0)
        return fail(adb, -EIO, "cannot read the run's tags");
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++)
        r = tags_of(adb, st, runs[i].id, &runs[i].tags, &runs[i].n_tags);
    aim__sql_finalize(st);
    return r;
}

/* The ids the statement (key in ?1, value in ?2 when given) returns. */
static int tagged_ids(aim_db *adb, const char *sql, const char *key, const char *value,
                      char (**ret)[40], size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    aim_sql_stmt *st;
    if (prep(adb, sql, &st) < 0)
        return fail(adb, -EIO, "cannot look the tag up");
    aim__sql_bind_text(st, 1, key);
    if (value)
        aim__sql_bind_text(st, 2, value);
    char (*ids)[40] = NULL;
    size_t n = 0, cap = 0;
    int r = 0, rc;
    while ((rc = aim__sql_step(st)) == 1) {
        if (AIM_ARRAY_RESERVE(ids, cap, n + 1, 16) < 0) {
            r = fail(adb, -ENOMEM, "cannot look the tag up");
            break;
        }
        aim__sql_column_text_copy(st, 0, ids[n++], sizeof ids[0]);
    }
    if (r == 0 && rc != 0)
        r = fail(adb, -EIO, "cannot look the tag up");
    aim__sql_finalize(st);
    if (r < 0) {
        free(ids);
        return r;
    }
    *ret = ids;
    *ret_n = n;
    return 0;
}

int sql_runs_with_tag(aim_db *adb, const char *key, char (**ret)[40], size_t *ret_n) {
    return tagged_ids(adb, "SELECT r.id FROM run_tags t JOIN runs r "
                           "ON r.id = t.run_id WHERE t.key = ?1 ORDER BY r.start_wall_ns, r.id",
                      key, NULL, ret, ret_n);
}

int sql_runs_with_tag_value(aim_db *adb, const char *key, const char *value, char (**ret)[40],
                            size_t *ret_n) {
    return tagged_ids(adb, "SELECT r.id FROM run_tags t JOIN runs r ON r.id = t.run_id "
                           "WHERE t.key = ?1 AND t.value = ?2 ORDER BY r.start_wall_ns, r.id",
                      key, value, ret, ret_n);
}

/* Marks the instances aimeter closed at the end of the run (aim__phases_finish closes every
 * open one at the same time, after every other end): per name, its last `unterminated`
 * instances that end at the latest end of all. */
static int mark_unterminated(aim_db *adb, const char *run_id, aim_phase_instance *v, size_t n) {
    int64_t last_end = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].closed && v[i].end_ns > last_end)
            last_end = v[i].end_ns;
    aim_sql_stmt *st;
    if (prep(adb, "SELECT name, unterminated FROM phase_totals "
                         "WHERE run_id = ?1 AND unterminated > 0", &st) < 0)
        return fail(adb, -EIO, "cannot read the run's phases");
    aim__sql_bind_text(st, 1, run_id);
    int rc;
    while ((rc = aim__sql_step(st)) == 1) {
        const char *name = aim__sql_column_text(st, 0);
        int left = aim__sql_column_int(st, 1);
        for (size_t i = n; i-- > 0 && left > 0 && name;)
            if (v[i].closed && !v[i].unterminated && v[i].end_ns == last_end &&
                strcmp(v[i].name, name) == 0) {
                v[i].unterminated = 1;
                left--;
            }
    }
    aim__sql_finalize(st);
    return rc == 0 ? 0 : fail(adb, -EIO, "cannot read the run's phases");
}

int sql_phase_instances(aim_db *adb, const char *run_id, aim_phase_instance **ret,
                        size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    aim_sql_stmt *st;
    if (prep(adb, "SELECT phase, depth, start_ns, end_ns FROM phases "
                         "WHERE run_id = ?1 ORDER BY seq", &st) < 0)
        return fail(adb, -EIO, "cannot read the run's phases");
    aim__sql_bind_text(st, 1, run_id);
    aim_phase_instance *v = NULL;
    size_t n = 0, cap = 0;
    int r = 0, rc;
    while ((rc = aim__sql_step(st)) == 1) {
        if (AIM_ARRAY_RESERVE(v, cap, n + 1, 32) < 0) {
            r = fail(adb, -ENOMEM, "cannot read the run's phases");
            break;
        }
        aim_phase_instance *p = &v[n++];
        aim__sql_column_text_copy(st, 0, p->name, sizeof p->name);
        p->depth = aim__sql_column_int(st, 1);
        p->start_ns = aim__sql_column_int64(st, 2);
        p->closed = !aim__sql_column_is_null(st, 3);
        p->end_ns = p->closed ? aim__sql_column_int64(st, 3) : 0;
        p->unterminated = 0;
    }
    if (r == 0 && rc != 0)
        r = fail(adb, -EIO, "cannot read the run's phases");
    aim__sql_finalize(st);
    if (r == 0)
        r = mark_unterminated(adb, run_id, v, n);
    if (r < 0) {
        free(v);
        return r;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

int sql_marks_load(aim_db *adb, const char *run_id, aim_mark_row **ret, size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    aim_sql_stmt *st;
    if (prep(adb, "SELECT t_ns, text FROM marks WHERE run_id = ?1 "
                         "ORDER BY seq", &st) < 0)
        return fail(adb, -EIO, "cannot read the run's markers");
    aim__sql_bind_text(st, 1, run_id);
    aim_mark_row *v = NULL;
    size_t n = 0, cap = 0;
    int r = 0, rc;
    while ((rc = aim__sql_step(st)) == 1) {
        if (AIM_ARRAY_RESERVE(v, cap, n + 1, 32) < 0) {
            r = fail(adb, -ENOMEM, "cannot read the run's markers");
            break;
        }
        aim_mark_row *m = &v[n++];
        m->t_ns = aim__sql_column_int64(st, 0);
        aim__sql_column_text_copy(st, 1, m->text, sizeof m->text);
    }
    if (r == 0 && rc != 0)
        r = fail(adb, -EIO, "cannot read the run's markers");
    aim__sql_finalize(st);
    if (r < 0) {
        free(v);
        return r;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}
