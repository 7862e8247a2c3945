/* The SQLite back-end's internals, shared by the files of store/sqlite/ only: opening a store
 * file (sqlite.c), the driver that runs store/sql/'s queries on it (driver.c), and the
 * operations ops.c puts in its aim_store_ops table: sq_open, then the shared sql_* ones
 * (store/sql/sql_store.h). */
#ifndef AIM_SQLITE_STORE_H
#define AIM_SQLITE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/sql/sql_store.h"
#include "store/store.h"

struct sqlite3;

int sq_open(aim_db *db, const char *path, int readonly);

/* A connection of the SQL interface over h (store/sql/sql.h; dialect AIM_SQL_SQLITE), which
 * then owns h: closing it closes h. -ENOMEM (h left to the caller). */
int aim__sqlite_conn_new(struct sqlite3 *h, aim_sql **ret);
/* The -errno of SQLite result code rc on h (sql.h's mapping; h's system errno tells EROFS,
 * ENOSPC and the like apart), 0 for a success code. */
int aim__sqlite_errno(struct sqlite3 *h, int rc);
/* The message of rc on h: h's own, or rc's text when h's last call succeeded. */
const char *aim__sqlite_why(struct sqlite3 *h, int rc);

#endif
