/* The SQLite schema of an aimeter store and its migrations (store/sqlite/schema.c). Internal to
 * store/: sqlite.c applies them at open, docs/store.md documents them for users. The
 * metrics table's rows are written by the shared SQL (store/sql/metrics_table.c). */
#ifndef AIM_SCHEMA_H
#define AIM_SCHEMA_H

#include <sqlite3.h>
#include <stddef.h>

/* PRAGMA application_id of an aimeter store ("AIMT"): how a file is recognised as ours
 * without guessing from table names. */
#define AIM_DB_APPLICATION_ID 0x41494d54

/* Brings the schema from user_version `from` to AIM_DB_SCHEMA_VERSION, one migration at a
 * time in order, and stamps application_id and user_version. Must run inside a write
 * transaction the caller commits or rolls back. Returns an SQLite result code; err gets
 * the failing step. */
int aim__schema_migrate(sqlite3 *db, int from, char *err, size_t errlen);

#endif
