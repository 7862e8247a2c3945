/* The SQL both store back-ends speak (docs/store.md, "back-ends"). The queries of the store
 * are written once, in store/sql/, against this small statement interface; a back-end folder
 * (store/sqlite/, store/postgres/) supplies a driver that runs them on its engine, its own
 * schema and migrations, and its open/close. So `report` on PostgreSQL runs the very queries
 * it runs on SQLite.
 *
 * The SQL dialect is the common subset of SQLite 3.40 and PostgreSQL 15: parameters are
 * written ?1, ?2, ... (a driver renumbers them as it needs), upserts are
 * INSERT ... ON CONFLICT (...) DO UPDATE / DO NOTHING, new keys come back by RETURNING, NULLs
 * are ordered explicitly (NULLS FIRST/LAST) where the order matters. Where the two differ
 * beyond that, the code asks aim__sql_dialect() and picks the text (kept rare).
 *
 * Errors are negative errno values; the connection keeps the engine's message of the last
 * failure (aim__sql_errmsg). Driver mapping: constraint violation -EEXIST, foreign key
 * -ENOENT, busy/locked/serialisation -EBUSY, full -ENOSPC, read-only -EROFS, permission or
 * authentication -EACCES, corrupt -EBADMSG, server unreachable or connection lost
 * -ECONNREFUSED, anything else -EIO. */
#ifndef AIM_STORE_SQL_H
#define AIM_STORE_SQL_H

#include <stddef.h>
#include <stdint.h>

typedef struct aim_sql aim_sql;
typedef struct aim_sql_stmt aim_sql_stmt;

enum aim_sql_dialect { AIM_SQL_SQLITE, AIM_SQL_POSTGRES };

/* What a driver implements. Statement functions get the driver's own statement (whose first
 * member is struct aim_sql_stmt). */
typedef struct aim_sql_driver {
    enum aim_sql_dialect dialect;
    int (*prepare)(aim_sql *c, const char *sql, aim_sql_stmt **ret);
    /* Bound pointers are borrowed: they must stay valid until the statement's next step. */
    int (*bind_int64)(aim_sql_stmt *st, int i, int64_t v);
    int (*bind_double)(aim_sql_stmt *st, int i, double v);
    int (*bind_text)(aim_sql_stmt *st, int i, const char *s, size_t len);
    int (*bind_blob)(aim_sql_stmt *st, int i, const void *p, size_t len);
    int (*bind_null)(aim_sql_stmt *st, int i);
    int (*step)(aim_sql_stmt *st);
    int (*column_is_null)(aim_sql_stmt *st, int i);
    int64_t (*column_int64)(aim_sql_stmt *st, int i);
    double (*column_double)(aim_sql_stmt *st, int i);
    const char *(*column_text)(aim_sql_stmt *st, int i);
    const void *(*column_blob)(aim_sql_stmt *st, int i, size_t *ret_len);
    void (*reset)(aim_sql_stmt *st);
    void (*finalize)(aim_sql_stmt *st);
    int (*exec)(aim_sql *c, const char *script);
    int64_t (*changes)(aim_sql *c);
    int (*begin)(aim_sql *c);
    int (*commit)(aim_sql *c);
    int (*rollback)(aim_sql *c);
    int (*in_transaction)(aim_sql *c);
    void (*close)(aim_sql *c);
} aim_sql_driver;

/* A connection: its driver, the engine's handle, and the message of the last failure. */
struct aim_sql {
    const aim_sql_driver *drv;
    void *h;
    char err[512];
};

/* The head of every driver's statement. */
struct aim_sql_stmt {
    aim_sql *conn;
};

/* Sets c->err from a format (truncated to one line) and returns err. */
int aim__sql_fail(aim_sql *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *aim__sql_errmsg(const aim_sql *c);
enum aim_sql_dialect aim__sql_dialect(const aim_sql *c);

/* Prepares sql (one statement, ?N parameters). 0 or -errno (c's message says why). */
int aim__sql_prepare(aim_sql *c, const char *sql, aim_sql_stmt **ret);
/* Parameters are numbered from 1. A NaN double binds NULL (NaN means "no value" in aimeter);
 * a NULL text binds NULL; len (SIZE_MAX: up to the NUL) for text. */
int aim__sql_bind_int64(aim_sql_stmt *st, int i, int64_t v);
int aim__sql_bind_double(aim_sql_stmt *st, int i, double v);
int aim__sql_bind_text(aim_sql_stmt *st, int i, const char *s);
int aim__sql_bind_text_len(aim_sql_stmt *st, int i, const char *s, size_t len);
int aim__sql_bind_blob(aim_sql_stmt *st, int i, const void *p, size_t len);
int aim__sql_bind_null(aim_sql_stmt *st, int i);
/* 1: a row is ready; 0: done (changes() tells how many rows it wrote); -errno. The first step
 * runs the statement; a statement stepped to its end (or reset) may be bound and run again. */
int aim__sql_step(aim_sql_stmt *st);
/* Columns of the current row, numbered from 0. NULL reads as 0, NaN, NULL (text, blob). An
 * integer column may hold a boolean (PostgreSQL's t/f read as 1/0). Text and blob pointers
 * stay valid until the next step, reset or finalize. */
int aim__sql_column_is_null(aim_sql_stmt *st, int i);
int64_t aim__sql_column_int64(aim_sql_stmt *st, int i);
int aim__sql_column_int(aim_sql_stmt *st, int i);
double aim__sql_column_double(aim_sql_stmt *st, int i);
const char *aim__sql_column_text(aim_sql_stmt *st, int i);
const void *aim__sql_column_blob(aim_sql_stmt *st, int i, size_t *ret_len);
/* Column i's text into buf (truncated to size, "" for NULL): the one copy of a stored name. */
void aim__sql_column_text_copy(aim_sql_stmt *st, int i, char *buf, size_t size);
/* Ends the current run of the statement and clears its bindings. */
void aim__sql_reset(aim_sql_stmt *st);
void aim__sql_finalize(aim_sql_stmt *st);      /* accepts NULL */

/* A script of statements without parameters (schema, pragmas). */
int aim__sql_exec(aim_sql *c, const char *script);
/* Rows written by the last statement run to its end. */
int64_t aim__sql_changes(aim_sql *c);
/* Transactions: begin takes the write lock up front on SQLite (BEGIN IMMEDIATE). */
int aim__sql_begin(aim_sql *c);
int aim__sql_commit(aim_sql *c);
int aim__sql_rollback(aim_sql *c);
int aim__sql_in_transaction(aim_sql *c);
/* Closes the engine's handle and frees c (accepts NULL). */
void aim__sql_close(aim_sql *c);

#endif
