/* The shared SQL store's handle (store/sql/sql_store.h): attaching a back-end's connection,
 * closing, the statement cache, and transactions with the test seam of a full disk. */
#include "store/sql/sql_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/sql/core.h"
#include "util/number.h"

_Static_assert(AIM_SQL_ST__COUNT <= AIM_SQL_STORE_CACHE, "the statement cache is too small");

/* "FIRST", "FIRST-LAST" or "FIRST-" (for ever): the store's test seam for a disk that fills
 * and (perhaps) frees again, without a mount. Anything else leaves the store alone. */
static void read_fault(aim_sql_store *s) {
    const char *v = getenv("AIMETER_TEST_STORE_FAULT");
    if (!v || !*v)
        return;
    const char *dash = strchr(v, '-');
    double first, last = 0;
    if (aim__parse_decimal(v, dash ? (size_t)(dash - v) : strlen(v), 0, &first) < 0 || first < 1 ||
        (dash && dash[1] && aim__parse_decimal(dash + 1, strlen(dash + 1), 0, &last) < 0))
        return;
    s->fault_first = (int64_t)first;
    s->fault_last = dash ? (int64_t)last : (int64_t)first;
}

int aim__sql_store_attach(aim_db *db, aim_sql *conn, const char *display_path, int readonly,
                          int summaries) {
    aim_sql_store *s = calloc(1, sizeof *s);
    if (!s) {
        aim__sql_close(conn);
        return aim__db_set_error(db, -ENOMEM, "%s: out of memory", display_path);
    }
    s->conn = conn;
    s->readonly = readonly;
    s->summaries = summaries;
    snprintf(s->path, sizeof s->path, "%s", display_path);
    if (gethostname(s->host, sizeof s->host - 1) < 0)
        s->host[0] = '\0';
    if (!readonly)
        read_fault(s);
    db->impl = s;
    return 0;
}

aim_sql *aim__db_sql(aim_db *db) {
    return db && db->impl ? AIM_SQL_STORE(db)->conn : NULL;
}

void sql_close(aim_db *db) {
    aim_sql_store *s = db ? AIM_SQL_STORE(db) : NULL;
    if (!s)
        return;
    for (int i = 0; i < AIM_SQL_STORE_CACHE; i++)
        aim__sql_finalize(s->cache[i]);
    aim__sql_close(s->conn);
    free(s);
    db->impl = NULL;
}

int aim__sql_store_fail(aim_db *db, int err, const char *what) {
    aim_sql_store *s = AIM_SQL_STORE(db);
    return aim__db_set_error(db, err, "%s: %s: %s", s->path, what, aim__sql_errmsg(s->conn));
}

int aim__sql_store_stmt(aim_db *db, int slot, const char *sql, aim_sql_stmt **ret) {
    aim_sql_store *s = AIM_SQL_STORE(db);
    if (!s->cache[slot]) {
        int r = aim__sql_prepare(s->conn, sql, &s->cache[slot]);
        if (r < 0)
            return aim__sql_store_fail(db, r, "preparing a statement");
    }
    *ret = s->cache[slot];
    return 0;
}

int aim__sql_store_done(aim_db *db, aim_sql_stmt *st, const char *what) {
    int r = aim__sql_step(st);
    if (r < 0)
        r = aim__sql_store_fail(db, r, what);
    aim__sql_reset(st);
    return r < 0 ? r : 0;
}

/* ------------------------------------------------------------------ transactions */

int sql_begin(aim_db *db) {
    AIM_SQL_STORE(db)->tx_chunks = 0;
    int r = aim__sql_begin(AIM_SQL_STORE(db)->conn);
    return r < 0 ? aim__sql_store_fail(db, r, "cannot begin a transaction") : 0;
}

int sql_rollback(aim_db *db) {
    AIM_SQL_STORE(db)->tx_chunks = 0;
    int r = aim__sql_rollback(AIM_SQL_STORE(db)->conn);
    return r < 0 ? aim__sql_store_fail(db, r, "cannot roll back") : 0;
}

/* A failed COMMIT (a full disk, an I/O error) may leave the transaction open; it is rolled
 * back here, so that the caller's next BEGIN works and its data is what it still holds. */
int sql_commit(aim_db *db) {
    aim_sql_store *s = AIM_SQL_STORE(db);
    int injected = 0;
    if (s->tx_chunks && s->fault_first > 0) {
        int64_t n = ++s->sample_commits;
        injected = n >= s->fault_first && (s->fault_last == 0 || n <= s->fault_last);
    }
    int r = injected ? -ENOSPC : aim__sql_commit(s->conn);
    if (r < 0 && !injected)
        r = aim__sql_store_fail(db, r, "cannot commit");
    if (r < 0 && aim__sql_in_transaction(s->conn)) {
        char keep[sizeof db->err];
        memcpy(keep, db->err, sizeof keep);
        aim__db_rollback(db);
        memcpy(db->err, keep, sizeof keep);
    }
    if (injected)
        return aim__db_set_error(db, -ENOSPC,
                                 "%s: database or disk is full (AIMETER_TEST_STORE_FAULT)",
                                 s->path);
    s->tx_chunks = 0;
    return r;
}

int aim__sql_auto_begin(aim_db *db, int *began) {
    *began = 0;
    if (aim__sql_in_transaction(AIM_SQL_STORE(db)->conn))
        return 0;
    int r = aim__db_begin(db);
    *began = r == 0;
    return r;
}

int aim__sql_auto_end(aim_db *db, int began, int r) {
    if (!began)
        return r;
    if (r < 0) {
        char keep[sizeof db->err];
        memcpy(keep, db->err, sizeof keep);
        aim__db_rollback(db);
        memcpy(db->err, keep, sizeof keep);
        return r;
    }
    return aim__db_commit(db);
}
