/* Store internals shared by the files of store/ (not by the engine or the report). */
#ifndef AIM_DB_INTERNAL_H
#define AIM_DB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* The SQLite handle, for store/ files with queries of their own (corr_store.c). */
struct sqlite3;
struct sqlite3 *aim_db_sqlite(aim_db *db);

#endif
