/* Run tags, phase instances and markers in the store (tags_store.h). */
#include "store/tags_store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_store.h"
#include "util/array.h"

static int fail(aim_db *adb, int err, const char *what) {
    sqlite3 *db = aim__db_sqlite(adb);
    return aim__db_set_error(adb, err, "store: %s: %s", what,
                            err == -ENOMEM ? "out of memory" : db ? sqlite3_errmsg(db) : "closed");
}

int sq_run_tags_store(aim_db *adb, const char *run_id, const aim_run_tag *tags, size_t n) {
    if (n == 0)
        return 0;
    sqlite3 *db = aim__db_sqlite(adb);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO run_tags (run_id, key, value) "
                               "VALUES (?1, ?2, ?3)", -1, &st, NULL) != SQLITE_OK)
        return fail(adb, -EIO, "cannot store the run's tags");
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, tags[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, tags[i].value, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            r = fail(adb, -EIO, "cannot store the run's tags");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return r;
}

/* One run's tags through st (prepared by the caller, reset here). */
static int tags_of(aim_db *adb, sqlite3_stmt *st, const char *run_id, aim_run_tag **ret,
                   size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    aim_run_tag *tags = NULL;
    size_t n = 0, cap = 0;
    int r = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (AIM_ARRAY_RESERVE(tags, cap, n + 1, 8) < 0) {
            r = fail(adb, -ENOMEM, "cannot read the run's tags");
            break;
        }
        sq_col_text(st, 0, tags[n].key, sizeof tags[n].key);
        sq_col_text(st, 1, tags[n].value, sizeof tags[n].value);
        n++;
    }
    if (r == 0 && rc != SQLITE_DONE)
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

int sq_run_tags_load(aim_db *adb, const char *run_id, aim_run_tag **ret, size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(aim__db_sqlite(adb), tags_sql, -1, &st, NULL) != SQLITE_OK)
        return fail(adb, -EIO, "cannot read the run's tags");
    int r = tags_of(adb, st, run_id, ret, ret_n);
    sqlite3_finalize(st);
    return r;
}

int sq_runs_tags_load(aim_db *adb, aim_run_summary *runs, size_t n) {
    if (n == 0)
        return 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(aim__db_sqlite(adb), tags_sql, -1, &st, NULL) != SQLITE_OK)
        return fail(adb, -EIO, "cannot read the run's tags");
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++)
        r = tags_of(adb, st, runs[i].id, &runs[i].tags, &runs[i].n_tags);
    sqlite3_finalize(st);
    return r;
}

int sq_runs_with_tag(aim_db *adb, const char *key, char (**ret)[40], size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    sqlite3 *db = aim__db_sqlite(adb);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT r.id FROM run_tags t JOIN runs r ON r.id = t.run_id "
                               "WHERE t.key = ?1 ORDER BY r.start_wall_ns, r.id",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(adb, -EIO, "cannot look the tag up");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    char (*ids)[40] = NULL;
    size_t n = 0, cap = 0;
    int r = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (AIM_ARRAY_RESERVE(ids, cap, n + 1, 16) < 0) {
            r = fail(adb, -ENOMEM, "cannot look the tag up");
            break;
        }
        sq_col_text(st, 0, ids[n++], sizeof ids[0]);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = fail(adb, -EIO, "cannot look the tag up");
    sqlite3_finalize(st);
    if (r < 0) {
        free(ids);
        return r;
    }
    *ret = ids;
    *ret_n = n;
    return 0;
}

/* Marks the instances aimeter closed at the end of the run (aim__phases_finish closes every
 * open one at the same time, after every other end): per name, its last `unterminated`
 * instances that end at the latest end of all. */
static int mark_unterminated(aim_db *adb, const char *run_id, aim_phase_instance *v, size_t n) {
    int64_t last_end = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].closed && v[i].end_ns > last_end)
            last_end = v[i].end_ns;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(aim__db_sqlite(adb), "SELECT name, unterminated FROM phase_totals "
                           "WHERE run_id = ?1 AND unterminated > 0", -1, &st, NULL) != SQLITE_OK)
        return fail(adb, -EIO, "cannot read the run's phases");
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int left = sqlite3_column_int(st, 1);
        for (size_t i = n; i-- > 0 && left > 0 && name;)
            if (v[i].closed && !v[i].unterminated && v[i].end_ns == last_end &&
                strcmp(v[i].name, name) == 0) {
                v[i].unterminated = 1;
                left--;
            }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(adb, -EIO, "cannot read the run's phases");
}

int sq_phase_instances(aim_db *adb, const char *run_id, aim_phase_instance **ret,
                           size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    sqlite3 *db = aim__db_sqlite(adb);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT phase, depth, start_ns, end_ns FROM phases "
                               "WHERE run_id = ?1 ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
        return fail(adb, -EIO, "cannot read the run's phases");
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    aim_phase_instance *v = NULL;
    size_t n = 0, cap = 0;
    int r = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (AIM_ARRAY_RESERVE(v, cap, n + 1, 32) < 0) {
            r = fail(adb, -ENOMEM, "cannot read the run's phases");
            break;
        }
        aim_phase_instance *p = &v[n++];
        sq_col_text(st, 0, p->name, sizeof p->name);
        p->depth = sqlite3_column_int(st, 1);
        p->start_ns = sqlite3_column_int64(st, 2);
        p->closed = sqlite3_column_type(st, 3) != SQLITE_NULL;
        p->end_ns = p->closed ? sqlite3_column_int64(st, 3) : 0;
        p->unterminated = 0;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = fail(adb, -EIO, "cannot read the run's phases");
    sqlite3_finalize(st);
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

int sq_marks_load(aim_db *adb, const char *run_id, aim_mark_row **ret, size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    sqlite3 *db = aim__db_sqlite(adb);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT t_ns, text FROM marks WHERE run_id = ?1 ORDER BY seq", -1,
                           &st, NULL) != SQLITE_OK)
        return fail(adb, -EIO, "cannot read the run's markers");
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    aim_mark_row *v = NULL;
    size_t n = 0, cap = 0;
    int r = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (AIM_ARRAY_RESERVE(v, cap, n + 1, 32) < 0) {
            r = fail(adb, -ENOMEM, "cannot read the run's markers");
            break;
        }
        aim_mark_row *m = &v[n++];
        m->t_ns = sqlite3_column_int64(st, 0);
        sq_col_text(st, 1, m->text, sizeof m->text);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = fail(adb, -EIO, "cannot read the run's markers");
    sqlite3_finalize(st);
    if (r < 0) {
        free(v);
        return r;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}
