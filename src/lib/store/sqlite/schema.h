/* The SQLite schema of an aimeter store and its migrations (store/sqlite/schema.c). Internal to
 * store/: sqlite.c applies them at open, docs/store.md documents them for users. */
#ifndef AIM_SCHEMA_H
#define AIM_SCHEMA_H

#include <sqlite3.h>
#include <stddef.h>

#include "aimeter.h"
#include "model/device.h"

/* PRAGMA application_id of an aimeter store ("AIMT"): how a file is recognised as ours
 * without guessing from table names. */
#define AIM_DB_APPLICATION_ID 0x41494d54

/* Brings the schema from user_version `from` to AIM_DB_SCHEMA_VERSION, one migration at a
 * time in order, and stamps application_id and user_version. Must run inside a write
 * transaction the caller commits or rolls back. Returns an SQLite result code; err gets
 * the failing step. */
int aim__schema_migrate(sqlite3 *db, int from, char *err, size_t errlen);

/* Inserts or refreshes the metrics table from the registry (a no-op write when nothing
 * changed). Inside the caller's write transaction. Returns an SQLite result code. */
int aim__schema_sync_metrics(sqlite3 *db);

/* Whether the metrics table already holds every registry row as aim__schema_sync_metrics
 * would write it (rows for metrics this build lacks do not matter): a read, so that an
 * open finding nothing to do takes no write lock. SQLITE_OK with *ret_current set. */
int aim__schema_metrics_current(sqlite3 *db, int *ret_current);

/* The readable TEXT values stored for enum-like columns, and back. The parsers return
 * the fallback for text this aimeter does not know (a newer writer's value). */
const char *aim__status_text(aim_run_status status);
aim_run_status aim__status_parse(const char *text, aim_run_status fallback);
const char *aim__method_text(aim_method method);
aim_method aim__method_parse(const char *text, aim_method fallback);
aim_device_kind aim__device_kind_parse(const char *text, aim_device_kind fallback);

#endif
