/* Imported energy profiles (table profiles, docs/store.md): what POST /api/profiles keeps.
 * The table is created by the first import (CREATE TABLE IF NOT EXISTS), not by a schema
 * migration: a store that never imported one is unchanged, older aimeters still open it, and
 * a store opened read-only lists none. Each row keeps the profile's JSON as rendered
 * (report/profile.h) and the figures the list shows. Internal. */
#ifndef AIM_PROFILES_STORE_H
#define AIM_PROFILES_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

typedef struct aim_profile_row {
    int64_t id;
    char name[129];
    int64_t imported_at_ns;  /* Unix time */
    int64_t epochs;
    double energy_j;         /* NaN: unknown */
} aim_profile_row;

/* Stores a profile: row's name, imported_at_ns, epochs and energy_j (its id ignored) and its
 * JSON text; *ret_id its new id (1, 2, ...; never reused). -EIO, -EROFS (read-only store),
 * -ENOMEM (db errmsg set). */
int aim__db_profile_insert(aim_db *db, const aim_profile_row *row, const char *json,
                           int64_t *ret_id);

/* Every stored profile, oldest first: *ret NULL when none (or no table yet); free() it.
 * -EIO, -ENOMEM (db errmsg set). */
int aim__db_profile_list(aim_db *db, aim_profile_row **ret, size_t *ret_n);

/* Profile id's row and JSON text (*ret_json: free() it). -ENOENT when there is none, -EIO,
 * -ENOMEM (db errmsg set). */
int aim__db_profile_get(aim_db *db, int64_t id, aim_profile_row *ret_row, char **ret_json);

#endif
