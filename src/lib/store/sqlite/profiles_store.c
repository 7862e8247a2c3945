/* Imported profiles in SQLite (store/profiles_store.h). */
#include "store/profiles_store.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_store.h"
#include "util/array.h"

/* Created by the first import (profiles_store.h says why not by a migration). */
static const char create_sql[] =
    "CREATE TABLE IF NOT EXISTS profiles (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a link to one stays right\n"
    "  name TEXT NOT NULL,\n"
    "  imported_at_ns INTEGER NOT NULL,  -- Unix epoch, ns\n"
    "  epochs INTEGER NOT NULL,          -- number of epochs\n"
    "  energy_j REAL,                    -- J, the profile's total IT energy; NULL: unknown\n"
    "  profile TEXT NOT NULL             -- the aimeter.profile/1 JSON (docs/report-json.md)\n"
    ")";

static int fail(aim_db *adb, int err, const char *what) {
    sqlite3 *db = aim__db_sqlite(adb);
    int rc = db ? sqlite3_errcode(db) : SQLITE_OK;
    if (err == -EIO && (rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN))
        err = -EROFS;
    return aim__db_set_error(adb, err, "store: %s: %s", what,
                            err == -ENOMEM ? "out of memory" : db ? sqlite3_errmsg(db) : "closed");
}

/* 1 when the table exists, 0 when not (a store that never imported one), -EIO. */
static int has_table(aim_db *adb) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(aim__db_sqlite(adb), "SELECT 1 FROM sqlite_master WHERE type = "
                           "'table' AND name = 'profiles'", -1, &st, NULL) != SQLITE_OK)
        return fail(adb, -EIO, "cannot read the profiles");
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(adb, -EIO, "cannot read the profiles");
    return rc == SQLITE_ROW;
}

static void read_row(sqlite3_stmt *st, aim_profile_row *row) {
    row->id = sqlite3_column_int64(st, 0);
    sq_col_text(st, 1, row->name, sizeof row->name);
    row->imported_at_ns = sqlite3_column_int64(st, 2);
    row->epochs = sqlite3_column_int64(st, 3);
    row->energy_j = sqlite3_column_type(st, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 4);
}

int sq_profile_insert(aim_db *adb, const aim_profile_row *row, const char *json, int64_t *ret_id) {
    sqlite3 *db = aim__db_sqlite(adb);
    if (sqlite3_exec(db, create_sql, NULL, NULL, NULL) != SQLITE_OK)
        return fail(adb, -EIO, "cannot make the profiles table");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT INTO profiles (name, imported_at_ns, epochs, energy_j, "
                           "profile) VALUES (?1, ?2, ?3, ?4, ?5)", -1, &st, NULL) != SQLITE_OK)
        return fail(adb, -EIO, "cannot store the profile");
    sqlite3_bind_text(st, 1, row->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, row->imported_at_ns);
    sqlite3_bind_int64(st, 3, row->epochs);
    if (isfinite(row->energy_j))
        sqlite3_bind_double(st, 4, row->energy_j);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_text(st, 5, json, -1, SQLITE_STATIC);
    int r = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(adb, -EIO, "cannot store the profile");
    sqlite3_finalize(st);
    if (r == 0)
        *ret_id = sqlite3_last_insert_rowid(db);
    return r;
}

int sq_profile_list(aim_db *adb, aim_profile_row **ret, size_t *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    int r = has_table(adb);
    if (r <= 0)
        return r;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(aim__db_sqlite(adb), "SELECT id, name, imported_at_ns, epochs, "
                           "energy_j FROM profiles ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        return fail(adb, -EIO, "cannot read the profiles");
    aim_profile_row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;
    r = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (AIM_ARRAY_RESERVE(rows, cap, n + 1, 16) < 0) {
            r = fail(adb, -ENOMEM, "cannot read the profiles");
            break;
        }
        read_row(st, &rows[n++]);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = fail(adb, -EIO, "cannot read the profiles");
    sqlite3_finalize(st);
    if (r < 0) {
        free(rows);
        return r;
    }
    *ret = rows;
    *ret_n = n;
    return 0;
}

int sq_profile_get(aim_db *adb, int64_t id, aim_profile_row *ret_row, char **ret_json) {
    int r = has_table(adb);
    if (r == 0)
        return aim__db_set_error(adb, -ENOENT, "no profile %lld in the store", (long long)id);
    if (r < 0)
        return r;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(aim__db_sqlite(adb), "SELECT id, name, imported_at_ns, epochs, "
                           "energy_j, profile FROM profiles WHERE id = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return fail(adb, -EIO, "cannot read the profile");
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 5);
        char *json = strdup(t ? (const char *)t : "");
        if (!json) {
            r = fail(adb, -ENOMEM, "cannot read the profile");
        } else {
            read_row(st, ret_row);
            *ret_json = json;
        }
    } else if (rc == SQLITE_DONE) {
        r = aim__db_set_error(adb, -ENOENT, "no profile %lld in the store", (long long)id);
    } else {
        r = fail(adb, -EIO, "cannot read the profile");
    }
    sqlite3_finalize(st);
    return r;
}
