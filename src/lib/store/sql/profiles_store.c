/* Imported profiles in the store (store/profiles_store.h). */
#include "store/profiles_store.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql/sql_store.h"
#include "util/array.h"

/* SQLite: created by the first import (profiles_store.h says why not by a migration).
 * PostgreSQL's schema has the table from the start (store/postgres/). */
static const char create_sql[] =
    "CREATE TABLE IF NOT EXISTS profiles (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a link to one stays right\n"
    "  name TEXT NOT NULL,\n"
    "  imported_at_ns INTEGER NOT NULL,  -- Unix epoch, ns\n"
    "  epochs INTEGER NOT NULL,          -- number of epochs\n"
    "  energy_j REAL,                    -- J, the profile's total IT energy; NULL: unknown\n"
    "  profile TEXT NOT NULL             -- the aimeter.profile/1 JSON (docs/report-json.md)\n"
    ")";

/* err: -EIO, -ENOMEM or a driver's -errno; a store it may not write is -EROFS. */
static int fail(aim_db *adb, int err, const char *what) {
    aim_sql *c = aim__db_sql(adb);
    if (err == -EROFS || err == -EACCES)
        err = -EROFS;
    else if (err != -ENOMEM)
        err = -EIO;
    return aim__db_set_error(adb, err, "store: %s: %s", what,
                             err == -ENOMEM ? "out of memory" : c ? aim__sql_errmsg(c) : "closed");
}

/* 1 when the table exists, 0 when not (a store that never imported one), -EIO. */
static int has_table(aim_db *adb) {
    aim_sql *c = aim__db_sql(adb);
    if (!c)
        return fail(adb, -EIO, "cannot read the profiles");
    if (aim__sql_dialect(c) != AIM_SQL_SQLITE)
        return 1;
    aim_sql_stmt *st;
    if (aim__sql_prepare(c, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                         "name = 'profiles'", &st) < 0)
        return fail(adb, -EIO, "cannot read the profiles");
    int rc = aim__sql_step(st);
    aim__sql_finalize(st);
    if (rc < 0)
        return fail(adb, -EIO, "cannot read the profiles");
    return rc == 1;
}

static void read_row(aim_sql_stmt *st, aim_profile_row *row) {
    row->id = aim__sql_column_int64(st, 0);
    aim__sql_column_text_copy(st, 1, row->name, sizeof row->name);
    row->imported_at_ns = aim__sql_column_int64(st, 2);
    row->epochs = aim__sql_column_int64(st, 3);
    row->energy_j = aim__sql_column_double(st, 4); /* NULL reads as NaN */
}

int sql_profile_insert(aim_db *adb, const aim_profile_row *row, const char *json,
                       int64_t *ret_id) {
    aim_sql *c = aim__db_sql(adb);
    if (!c)
        return fail(adb, -EIO, "cannot store the profile");
    int rc = aim__sql_dialect(c) == AIM_SQL_SQLITE ? aim__sql_exec(c, create_sql) : 0;
    if (rc < 0)
        return fail(adb, rc, "cannot make the profiles table");
    aim_sql_stmt *st;
    rc = aim__sql_prepare(c, "INSERT INTO profiles (name, imported_at_ns, epochs, energy_j, "
                          "profile) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id", &st);
    if (rc < 0)
        return fail(adb, rc, "cannot store the profile");
    aim__sql_bind_text(st, 1, row->name);
    aim__sql_bind_int64(st, 2, row->imported_at_ns);
    aim__sql_bind_int64(st, 3, row->epochs);
    if (isfinite(row->energy_j))
        aim__sql_bind_double(st, 4, row->energy_j);
    else
        aim__sql_bind_null(st, 4);
    aim__sql_bind_text(st, 5, json);
    rc = aim__sql_step(st);
    int64_t id = rc == 1 ? aim__sql_column_int64(st, 0) : 0;
    if (rc == 1)
        rc = aim__sql_step(st); /* the end of the one row RETURNING gives */
    int r = rc == 0 ? 0 : fail(adb, rc < 0 ? rc : -EIO, "cannot store the profile");
    aim__sql_finalize(st);
    if (r == 0)
        *ret_id = id;
    return r;
}

int sql_profile_list(aim_db *adb, aim_profile_row **ret, size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    int r = has_table(adb);
    if (r <= 0)
        return r;
    aim_sql_stmt *st;
    if (aim__sql_prepare(aim__db_sql(adb), "SELECT id, name, imported_at_ns, epochs, energy_j "
                         "FROM profiles ORDER BY id", &st) < 0)
        return fail(adb, -EIO, "cannot read the profiles");
    aim_profile_row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;
    r = 0;
    while ((rc = aim__sql_step(st)) == 1) {
        if (AIM_ARRAY_RESERVE(rows, cap, n + 1, 16) < 0) {
            r = fail(adb, -ENOMEM, "cannot read the profiles");
            break;
        }
        read_row(st, &rows[n++]);
    }
    if (r == 0 && rc != 0)
        r = fail(adb, -EIO, "cannot read the profiles");
    aim__sql_finalize(st);
    if (r < 0) {
        free(rows);
        return r;
    }
    *ret = rows;
    *ret_n = n;
    return 0;
}

int sql_profile_get(aim_db *adb, int64_t id, aim_profile_row *ret_row, char **ret_json) {
    int r = has_table(adb);
    if (r == 0)
        return aim__db_set_error(adb, -ENOENT, "no profile %lld in the store", (long long)id);
    if (r < 0)
        return r;
    r = 0;
    aim_sql_stmt *st;
    if (aim__sql_prepare(aim__db_sql(adb), "SELECT id, name, imported_at_ns, epochs, "
                         "energy_j, profile FROM profiles WHERE id = ?1", &st) < 0)
        return fail(adb, -EIO, "cannot read the profile");
    aim__sql_bind_int64(st, 1, id);
    int rc = aim__sql_step(st);
    if (rc == 1) {
        const char *t = aim__sql_column_text(st, 5);
        char *json = strdup(t ? t : "");
        if (!json) {
            r = fail(adb, -ENOMEM, "cannot read the profile");
        } else {
            read_row(st, ret_row);
            *ret_json = json;
        }
    } else if (rc == 0) {
        r = aim__db_set_error(adb, -ENOENT, "no profile %lld in the store", (long long)id);
    } else {
        r = fail(adb, -EIO, "cannot read the profile");
    }
    aim__sql_finalize(st);
    return r;
}
