/* The SQL driver over SQLite (store/sql/sql.h): the shared queries of store/sql/ run on an
 * sqlite3 handle through it. SQLite speaks the common dialect natively (?N parameters,
 * ON CONFLICT, RETURNING), so a statement is prepared as written.
 *
 * Bindings are SQLITE_STATIC (the interface borrows bound pointers until the next step):
 * the ingest path binds a chunk's blob without copying it. reset() therefore also clears
 * the bindings, so that no statement keeps a pointer its caller is about to free. */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "store/sqlite/sqlite_store.h"

typedef struct sq_stmt {
    aim_sql_stmt base;
    sqlite3_stmt *st;
} sq_stmt;

/* The connection with its transaction statements prepared once: the writer begins and
 * commits twice a second for as long as it runs. */
enum { TX_BEGIN, TX_COMMIT, TX_ROLLBACK, TX__COUNT };
static const char *const tx_sql[TX__COUNT] = { "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK" };

typedef struct sq_conn {
    aim_sql base;
    sqlite3_stmt *tx[TX__COUNT];
} sq_conn;

#define H(c) ((sqlite3 *)(c)->h)
#define ST(s) (((sq_stmt *)(s))->st)

int aim__sqlite_errno(sqlite3 *h, int rc) {
    int sys = h ? sqlite3_system_errno(h) : 0;
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return -ENOENT;
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return 0;
    case SQLITE_NOMEM:
        return -ENOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -EBUSY;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_FORMAT:
        return -EBADMSG;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return sys == EROFS ? -EROFS : -EACCES;
    case SQLITE_FULL:
        return -ENOSPC;
    case SQLITE_CONSTRAINT:
        return -EEXIST;
    case SQLITE_CANTOPEN:
        switch (sys) {
        case EROFS: case ENOENT: case EISDIR: return -sys;
        case ENOTDIR: return -ENOENT;
        default: return -EACCES;
        }
    case SQLITE_IOERR:
        return sys == EROFS || sys == EACCES || sys == ENOSPC || sys == EDQUOT ? -sys : -EIO;
    default:
        return -EIO;
    }
}

const char *aim__sqlite_why(sqlite3 *h, int rc) {
    /* The handle's message is that of its last call: after a ROLLBACK that succeeded it is
     * "not an error", and rc's own text is the reason. */
    return h && sqlite3_errcode(h) != SQLITE_OK ? sqlite3_errmsg(h) : sqlite3_errstr(rc);
}

/* c's message and the -errno of a failed call (computed at once: the system errno is that
 * of the handle's last call). An error code that maps to 0 (a row where none was expected)
 * is still a failure. */
static int fail(aim_sql *c, int rc) {
    int err = aim__sqlite_errno(H(c), rc);
    return aim__sql_fail(c, err < 0 ? err : -EIO, "%s", aim__sqlite_why(H(c), rc));
}

static int sq_prepare(aim_sql *c, const char *sql, aim_sql_stmt **ret) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(H(c), sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK)
        return fail(c, rc);
    if (!st)
        return aim__sql_fail(c, -EINVAL, "no statement in the SQL text");
    sq_stmt *s = malloc(sizeof *s);
    if (!s) {
        sqlite3_finalize(st);
        return aim__sql_fail(c, -ENOMEM, "out of memory");
    }
    s->base.conn = c;
    s->st = st;
    *ret = &s->base;
    return 0;
}

static int bound(aim_sql_stmt *st, int rc) {
    return rc == SQLITE_OK ? 0 : fail(st->conn, rc);
}

static int sq_bind_int64(aim_sql_stmt *st, int i, int64_t v) {
    return bound(st, sqlite3_bind_int64(ST(st), i, v));
}

static int sq_bind_double(aim_sql_stmt *st, int i, double v) {
    return bound(st, sqlite3_bind_double(ST(st), i, v));
}

static int sq_bind_text(aim_sql_stmt *st, int i, const char *s, size_t len) {
    return bound(st, sqlite3_bind_text64(ST(st), i, s, len, SQLITE_STATIC, SQLITE_UTF8));
}

static int sq_bind_blob(aim_sql_stmt *st, int i, const void *p, size_t len) {
    return bound(st, sqlite3_bind_blob64(ST(st), i, p, len, SQLITE_STATIC));
}

static int sq_bind_null(aim_sql_stmt *st, int i) {
    return bound(st, sqlite3_bind_null(ST(st), i));
}

static int sq_step(aim_sql_stmt *st) {
    int rc = sqlite3_step(ST(st));
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return fail(st->conn, rc);
}

static int sq_column_is_null(aim_sql_stmt *st, int i) {
    return sqlite3_column_type(ST(st), i) == SQLITE_NULL;
}

static int64_t sq_column_int64(aim_sql_stmt *st, int i) {
    return sqlite3_column_int64(ST(st), i);
}

static double sq_column_double(aim_sql_stmt *st, int i) {
    return sqlite3_column_double(ST(st), i);
}

static const char *sq_column_text(aim_sql_stmt *st, int i) {
    return (const char *)sqlite3_column_text(ST(st), i);
}

static const void *sq_column_blob(aim_sql_stmt *st, int i, size_t *ret_len) {
    const void *p = sqlite3_column_blob(ST(st), i);
    int n = sqlite3_column_bytes(ST(st), i);
    *ret_len = (size_t)(n > 0 ? n : 0);
    return p;
}

static void sq_reset(aim_sql_stmt *st) {
    sqlite3_reset(ST(st));
    sqlite3_clear_bindings(ST(st));
}

static void sq_finalize(aim_sql_stmt *st) {
    sqlite3_finalize(ST(st));
    free(st);
}

static int sq_exec(aim_sql *c, const char *script) {
    int rc = sqlite3_exec(H(c), script, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : fail(c, rc);
}

static int64_t sq_changes(aim_sql *c) {
    return sqlite3_changes64(H(c));
}

static int tx(aim_sql *c, int which) {
    sq_conn *q = (sq_conn *)c;
    if (!q->tx[which]) {
        int rc = sqlite3_prepare_v3(H(c), tx_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                                    &q->tx[which], NULL);
        if (rc != SQLITE_OK)
            return fail(c, rc);
    }
    int rc = sqlite3_step(q->tx[which]);
    int r = rc == SQLITE_DONE ? 0 : fail(c, rc);
    sqlite3_reset(q->tx[which]);
    return r;
}

static int sq_begin(aim_sql *c) { return tx(c, TX_BEGIN); }
static int sq_commit(aim_sql *c) { return tx(c, TX_COMMIT); }
static int sq_rollback(aim_sql *c) { return tx(c, TX_ROLLBACK); }

static int sq_in_transaction(aim_sql *c) {
    return !sqlite3_get_autocommit(H(c));
}

static void sq_close_conn(aim_sql *c) {
    sq_conn *q = (sq_conn *)c;
    for (int i = 0; i < TX__COUNT; i++)
        sqlite3_finalize(q->tx[i]);
    sqlite3_close_v2(H(c));
    free(q);
}

static const aim_sql_driver sqlite_driver = {
    .dialect = AIM_SQL_SQLITE,
    .prepare = sq_prepare,
    .bind_int64 = sq_bind_int64,
    .bind_double = sq_bind_double,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .column_is_null = sq_column_is_null,
    .column_int64 = sq_column_int64,
    .column_double = sq_column_double,
    .column_text = sq_column_text,
    .column_blob = sq_column_blob,
    .reset = sq_reset,
    .finalize = sq_finalize,
    .exec = sq_exec,
    .changes = sq_changes,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .in_transaction = sq_in_transaction,
    .close = sq_close_conn,
};

int aim__sqlite_conn_new(sqlite3 *h, aim_sql **ret) {
    sq_conn *q = calloc(1, sizeof *q);
    if (!q)
        return -ENOMEM;
    q->base.drv = &sqlite_driver;
    q->base.h = h;
    *ret = &q->base;
    return 0;
}
