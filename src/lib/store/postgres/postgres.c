/* Opening a PostgreSQL store (store/postgres/pg.h): connect, judge what the database's
 * current schema holds, create or migrate the store's tables when writable, then hand the
 * connection to the shared SQL store (store/sql/sql_store.h). Several nodes may open one new
 * store at once: creation runs in one transaction under an advisory lock, and each opener
 * looks again once it holds the lock. Nothing is written into a schema that holds tables of
 * the store's names without aimeter's mark (aimeter_meta). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/postgres/pg.h"
#include "store/redact.h"
#include "store/sql/sql_store.h"

/* pg_advisory_xact_lock's key for creating or migrating a store: "aimeter" in ASCII. */
#define SCHEMA_LOCK "SELECT pg_advisory_xact_lock(27418991315412338)"

enum store_kind { STORE_EMPTY, STORE_OURS, STORE_FOREIGN, STORE_DAMAGED };

/* What the current schema holds, from one statement over the catalog: aimeter_meta (sorted
 * first) or another table of the store's names (*ret_table: which). */
static const char find_tables[] =
    "SELECT c.relname FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = current_schema() AND c.relname IN ('aimeter_meta', 'runs', 'devices', "
    "'metrics', 'series', 'chunks', 'run_intensity', 'run_price', 'correlations', "
    "'phase_totals', 'phase_devices', 'phases', 'marks', 'record_keys', 'records', "
    "'phase_records', 'phase_metrics', 'run_tags', 'profiles') "
    "ORDER BY c.relname <> 'aimeter_meta', c.relname = 'runs' DESC, c.relname";

static int identify(aim_sql *c, enum store_kind *kind, int *version, char *table, size_t size) {
    aim_sql_stmt *st;
    int r = aim__sql_prepare(c, find_tables, &st);
    if (r < 0)
        return r;
    *kind = STORE_EMPTY;
    *version = 0;
    r = aim__sql_step(st);
    if (r == 1) {
        aim__sql_column_text_copy(st, 0, table, size);
        *kind = strcmp(table, "aimeter_meta") == 0 ? STORE_OURS : STORE_FOREIGN;
    }
    aim__sql_finalize(st);
    if (r < 0 || *kind != STORE_OURS)
        return r < 0 ? r : 0;
    r = aim__sql_prepare(c, "SELECT value FROM aimeter_meta WHERE key = 'schema_version'", &st);
    if (r < 0)
        return r;
    r = aim__sql_step(st);
    const char *v = r == 1 ? aim__sql_column_text(st, 0) : NULL;
    char *end = NULL;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || end == v || *end || n < 1 || n > 1000000)
        *kind = STORE_DAMAGED;
    else
        *version = (int)n;
    aim__sql_finalize(st);
    return r < 0 ? r : 0;
}

static int check_kind(aim_db *db, const char *url, enum store_kind kind, int version,
                      const char *table) {
    if (kind == STORE_FOREIGN)
        return aim__db_set_error(db, -EBADMSG, "%s is not an aimeter store (its schema has a "
                                 "table \"%s\" but no aimeter_meta; aimeter never writes into "
                                 "one)", url, table);
    if (kind == STORE_DAMAGED)
        return aim__db_set_error(db, -EBADMSG, "%s is a damaged aimeter store (aimeter_meta "
                                 "holds no valid schema_version): refused, left as it is", url);
    if (kind == STORE_OURS && version > AIM_DB_SCHEMA_VERSION)
        return aim__db_set_error(db, -EPROTO, "%s was written by a newer aimeter (schema %d, "
                                 "this one knows %d)", url, version, AIM_DB_SCHEMA_VERSION);
    return 0;
}

static int sql_fail(aim_db *db, aim_sql *c, const char *url, int err, const char *what) {
    return aim__db_set_error(db, err, "%s: %s: %s", url, what, aim__sql_errmsg(c));
}

/* What the database at url holds (identify), refused with the store's message unless
 * this aimeter may open it (check_kind). */
static int read_kind(aim_db *db, aim_sql *c, const char *url, enum store_kind *kind,
                     int *version) {
    char table[64] = "";
    int r = identify(c, kind, version, table, sizeof table);
    if (r < 0)
        return sql_fail(db, c, url, r, "cannot read the schema");
    return check_kind(db, url, *kind, *version, table);
}

static int prepare_readonly(aim_db *db, aim_sql *c, const char *url) {
    int r = aim__pg_session_set(c, "SET default_transaction_read_only = on");
    if (r < 0)
        return sql_fail(db, c, url, r, "cannot make the session read-only");
    enum store_kind kind;
    int version;
    r = read_kind(db, c, url, &kind, &version);
    if (r < 0)
        return r;
    if (kind == STORE_EMPTY)
        return aim__db_set_error(db, -ENOENT, "no aimeter store at %s", url);
    if (version < AIM_DB_SCHEMA_READABLE)
        return aim__db_set_error(db, -EPROTO, "%s uses schema %d, older than this aimeter's %d: "
                                 "open it once for writing (any aimeter run) to migrate it", url,
                                 version, AIM_DB_SCHEMA_VERSION);
    return 0;
}

/* Under the lock, in the open transaction: create, migrate, refresh the metrics table. */
static int create_or_migrate(aim_db *db, aim_sql *c, const char *url) {
    int r = aim__sql_exec(c, SCHEMA_LOCK);
    if (r < 0)
        return sql_fail(db, c, url, r, "cannot lock the schema");
    /* Again under the lock: another aimeter may have created or migrated it meanwhile. */
    enum store_kind kind;
    int version;
    r = read_kind(db, c, url, &kind, &version);
    if (r < 0)
        return r;
    if (kind == STORE_EMPTY)
        r = aim__pg_schema_create(c);
    else if (version < AIM_DB_SCHEMA_VERSION)
        r = aim__pg_schema_migrate(c, version);
    if (r < 0)
        return sql_fail(db, c, url, r, kind == STORE_EMPTY ? "cannot create the store"
                                                          : "cannot migrate the store");
    r = aim__sql_metrics_refresh(c);
    return r < 0 ? sql_fail(db, c, url, r, "cannot update the metrics table") : 0;
}

static int prepare_writable(aim_db *db, aim_sql *c, const char *url) {
    enum store_kind kind;
    int version;
    int r = read_kind(db, c, url, &kind, &version);
    if (r < 0)
        return r;
    /* The usual open: a store of this schema with an up-to-date metrics table needs no
     * write, and so no lock. */
    int current = 0;
    if (kind == STORE_OURS && version == AIM_DB_SCHEMA_VERSION &&
        aim__sql_metrics_current(c, &current) == 0 && current)
        return 0;
    r = aim__sql_begin(c);
    if (r < 0)
        return sql_fail(db, c, url, r, "cannot begin a transaction");
    r = create_or_migrate(db, c, url);
    if (r == 0) {
        r = aim__sql_commit(c);
        if (r < 0)
            return sql_fail(db, c, url, r, "cannot commit the schema");
    } else {
        aim__sql_rollback(c);
    }
    return r;
}

int aim__pg_open(aim_db *db, const char *url, int readonly) {
    aim_sql *c = NULL;
    char why[sizeof db->err];
    int r = aim__pg_connect(url, &c, why, sizeof why);
    if (r < 0)
        return aim__db_set_error(db, r, "%s", why);
    /* Every message below, and the store's own (display path), name it without secrets. */
    char shown[1024];
    aim__store_redact(url, shown, sizeof shown);
    r = readonly ? prepare_readonly(db, c, shown) : prepare_writable(db, c, shown);
    if (r < 0) {
        aim__sql_close(c);
        return r;
    }
    /* chunks.summary exists in every PostgreSQL store. */
    return aim__sql_store_attach(db, c, shown, readonly, 1);
}

int aim__pg_store_cancel(aim_db *db) {
    aim_sql *c = aim__db_sql(db);
    return c ? aim__pg_cancel(c) : -EINVAL;
}

/* A SET of the session (kept across a reconnect, aim__pg_session_set): the server ends a
 * statement that runs longer (a lock held by another client, a server too slow). */
int aim__pg_store_statement_timeout(aim_db *db, int64_t ms) {
    aim_sql *c = aim__db_sql(db);
    if (!c || ms < 0)
        return -EINVAL;
    char set[64];
    snprintf(set, sizeof set, "SET statement_timeout = %lld", (long long)ms);
    int r = aim__pg_session_set(c, set);
    return r < 0 ? aim__db_set_error(db, r, "%s: cannot set statement_timeout: %s",
                                     AIM_SQL_STORE(db)->path, aim__sql_errmsg(c)) : 0;
}
