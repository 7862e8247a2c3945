/* The PostgreSQL back-end's parts (docs/store.md, "PostgreSQL"): the statement driver over
 * libpq (driver.c), the schema (schema.c) and the open (postgres.c). Seen by store/ alone. */
#ifndef AIM_STORE_PG_H
#define AIM_STORE_PG_H

#include <stddef.h>
#include <stdint.h>

#include "store/sql/sql.h"
#include "store/store.h"

/* Connects to the server a postgresql:// or postgres:// URL names, as the driver's
 * connection. The URL goes to libpq whole (sslmode and the rest pass through) with
 * connect_timeout 10 unless it or PGCONNECT_TIMEOUT sets one, and application_name aimeter
 * unless it sets one. A password in the URL (user:pw@, password=, sslpassword=) is refused
 * before anything is sent (-EINVAL): it would be seen in argv, ps and logs. A connection the
 * server drops later is made again before the next statement outside a transaction.
 * Errors (err names the URL, its secrets redacted: store/redact.h): -EINVAL, -ENOMEM,
 * -EACCES (authentication), -ENOENT (no such database), -ECONNREFUSED (anything else). */
int aim__pg_connect(const char *url, aim_sql **ret, char *err, size_t errlen);

/* Runs set (a SET of the session, e.g. default_transaction_read_only) on c and keeps it:
 * a connection the driver makes again after the server dropped it (a restart) gets it too.
 * 0 or -errno (c's message says why). */
int aim__pg_session_set(aim_sql *c, const char *set);

/* Makes the statement c runs now (in another thread) fail at once, and every later one:
 * the socket is shut down. Thread-safe against c's own use, not against its close. 0. */
int aim__pg_cancel(aim_sql *c);

/* The PostgreSQL store's open (aim_store_ops.open): url is the whole URL. Its bounds
 * (store.h): cancel (aim__pg_cancel) and statement_timeout (SET for the session). */
int aim__pg_open(aim_db *db, const char *url, int readonly);
int aim__pg_store_cancel(aim_db *db);
int aim__pg_store_statement_timeout(aim_db *db, int64_t ms);

/* Schema (schema.c): creating a new store's tables at AIM_DB_SCHEMA_VERSION, and migrating
 * one of an older version (from, at least the base schema's). Inside the caller's
 * transaction; 0 or -errno (c's message says why). */
int aim__pg_schema_create(aim_sql *c);
int aim__pg_schema_migrate(aim_sql *c, int from);

#endif
