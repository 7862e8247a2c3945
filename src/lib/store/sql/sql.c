/* The statement interface's front (store/sql/sql.h): each call goes to the connection's
 * driver; what every driver would otherwise repeat (NaN as NULL, NULL texts, one-line
 * messages, copying a name out) is done here once. */
#include "store/sql/sql.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRV(st) ((st)->conn->drv)

int aim__sql_fail(aim_sql *c, int err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    /* One line: engines' messages may carry a DETAIL or HINT on the next lines. */
    for (char *p = c->err; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return err;
}

const char *aim__sql_errmsg(const aim_sql *c) {
    return c && c->err[0] ? c->err : "unknown error";
}

enum aim_sql_dialect aim__sql_dialect(const aim_sql *c) {
    return c->drv->dialect;
}

int aim__sql_prepare(aim_sql *c, const char *sql, aim_sql_stmt **ret) {
    return c->drv->prepare(c, sql, ret);
}

int aim__sql_bind_int64(aim_sql_stmt *st, int i, int64_t v) {
    return DRV(st)->bind_int64(st, i, v);
}

int aim__sql_bind_double(aim_sql_stmt *st, int i, double v) {
    return isnan(v) ? DRV(st)->bind_null(st, i) : DRV(st)->bind_double(st, i, v);
}

int aim__sql_bind_text(aim_sql_stmt *st, int i, const char *s) {
    return s ? DRV(st)->bind_text(st, i, s, strlen(s)) : DRV(st)->bind_null(st, i);
}

int aim__sql_bind_text_len(aim_sql_stmt *st, int i, const char *s, size_t len) {
    if (!s)
        return DRV(st)->bind_null(st, i);
    return DRV(st)->bind_text(st, i, s, len == SIZE_MAX ? strlen(s) : len);
}

int aim__sql_bind_blob(aim_sql_stmt *st, int i, const void *p, size_t len) {
    return p ? DRV(st)->bind_blob(st, i, p, len) : DRV(st)->bind_null(st, i);
}

int aim__sql_bind_null(aim_sql_stmt *st, int i) {
    return DRV(st)->bind_null(st, i);
}

int aim__sql_step(aim_sql_stmt *st) {
    return DRV(st)->step(st);
}

int aim__sql_column_is_null(aim_sql_stmt *st, int i) {
    return DRV(st)->column_is_null(st, i);
}

int64_t aim__sql_column_int64(aim_sql_stmt *st, int i) {
    return DRV(st)->column_int64(st, i);
}

int aim__sql_column_int(aim_sql_stmt *st, int i) {
    return (int)DRV(st)->column_int64(st, i);
}

double aim__sql_column_double(aim_sql_stmt *st, int i) {
    return DRV(st)->column_is_null(st, i) ? NAN : DRV(st)->column_double(st, i);
}

const char *aim__sql_column_text(aim_sql_stmt *st, int i) {
    return DRV(st)->column_text(st, i);
}

const void *aim__sql_column_blob(aim_sql_stmt *st, int i, size_t *ret_len) {
    size_t len = 0;
    const void *p = DRV(st)->column_blob(st, i, &len);
    if (ret_len)
        *ret_len = p ? len : 0;
    return p;
}

void aim__sql_column_text_copy(aim_sql_stmt *st, int i, char *buf, size_t size) {
    if (size == 0)
        return;
    const char *s = DRV(st)->column_text(st, i);
    snprintf(buf, size, "%s", s ? s : "");
}

void aim__sql_reset(aim_sql_stmt *st) {
    if (st)
        DRV(st)->reset(st);
}

void aim__sql_finalize(aim_sql_stmt *st) {
    if (st)
        DRV(st)->finalize(st);
}

int aim__sql_exec(aim_sql *c, const char *script) {
    return c->drv->exec(c, script);
}

int64_t aim__sql_changes(aim_sql *c) {
    return c->drv->changes(c);
}

int aim__sql_begin(aim_sql *c) {
    return c->drv->begin(c);
}

int aim__sql_commit(aim_sql *c) {
    return c->drv->commit(c);
}

int aim__sql_rollback(aim_sql *c) {
    return c->drv->rollback(c);
}

int aim__sql_in_transaction(aim_sql *c) {
    return c->drv->in_transaction(c);
}

void aim__sql_close(aim_sql *c) {
    if (c)
        c->drv->close(c);
}
