/* The statement interface (store/sql/sql.h) over libpq. Choices (docs/store.md,
 * docs/decisions.md): parameters travel in binary with their type named (int8, float8, text,
 * bytea), so no number is formatted and no text needs a NUL. A SELECT's result comes back in
 * binary too (bytea as its bytes, not hex twice their size; int8 and float8 as 8 bytes in
 * network order, exact), read by the column's type (PQftype) for the types read here
 * (readable()); a SELECT whose result holds another type (a timestamp, jsonb, ...) is run
 * once more as text, and as text from then on. Every other statement (INSERT ... RETURNING
 * and the like) takes its result as text: run twice it would write twice. Text results have
 * one parser per type here (bytea in hex). A statement run a third time is prepared on the
 * server under a name and run by that name from then on: the writer's chunk insert and the
 * readers' cached statements are parsed and planned once per connection. */
#include <endian.h>
#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "store/postgres/pg.h"
#include "store/postgres/placeholders.h"
#include "store/postgres/results.h"
#include "store/redact.h"
#include "util/number.h"
#include "util/strbuf.h"
#include "util/utf8.h"

/* Type OIDs of pg_type.h (stable since PostgreSQL 7; void since 7.3). */
enum {
    OID_BOOL = 16, OID_BYTEA = 17, OID_NAME = 19, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23,
    OID_TEXT = 25, OID_JSON = 114, OID_FLOAT8 = 701, OID_UNKNOWN = 705, OID_BPCHAR = 1042,
    OID_VARCHAR = 1043, OID_NUMERIC = 1700, OID_VOID = 2278
};

/* Names of finalized server-side statements not yet deallocated: they go with the next
 * BEGIN in one round trip (or all at once when this many wait), not one round trip each;
 * and inside a failed transaction the server takes no DEALLOCATE. */
#define PENDING_MAX 64

/* Runs of a statement before it is prepared on the server: one run or two is a one-off (a
 * filtered list, a schema query) for which preparing costs a round trip more; the writer's
 * inserts and the cached readers run thousands of times (docs/decisions.md: 30-50 % less time
 * per chunk insert, several times less per cached SELECT). A -D measures without. */
#ifndef PREPARE_AFTER
#define PREPARE_AFTER 2
#endif

typedef struct pg_conn {
    aim_sql base;
    PGconn *pg;
    int64_t changes;
    unsigned next_name;
    int tx_err;                      /* the errno of the failure that aborted the transaction */
    int in_tx;                       /* begun, not yet committed or rolled back (whatever
                                      * became of the connection meanwhile) */
    unsigned epoch;                  /* connections made (resets): a name prepared in an
                                      * earlier one is gone */
    int unnamed_only;                /* server-side names do not last (a pooler in transaction
                                      * mode): every statement runs unnamed from then on */
    int text_results;                /* every result as text (aim__pg_text_results) */
    char setup[256];                 /* the session's SETs, run again on a new connection */
    int n_pending;
    char pending[PENDING_MAX][16];
    /* aim__pg_cancel, from another thread: `lock` guards the socket against a reset that
     * replaces it meanwhile. */
    pthread_mutex_t lock;
    int cancelled;                   /* every statement fails from then on */
    int resetting;                   /* PQreset runs: its socket is not to be touched */
} pg_conn;

#define PGC(c) ((pg_conn *)(c))

enum { ST_IDLE, ST_ROWS, ST_DONE };

/* A column's bytes made by the driver: a text result's bytea decoded, or a binary result's
 * value written as text. */
typedef struct blob_buf {
    unsigned char *p;
    size_t cap;
} blob_buf;

typedef struct pg_stmt {
    aim_sql_stmt base;
    char *sql;                       /* with $N */
    int n;                           /* parameters */
    const char **values;
    int *lengths, *formats;
    Oid *types, *prep_types;
    uint64_t *nums;                  /* int8/float8 values in network order */
    PGresult *res;
    int state, row, rows;
    blob_buf *blobs;                 /* per column of res: its decoded bytea, or its text */
    int n_blobs;
    int text_result;                 /* results as text: not a SELECT, or one with a column
                                      * of a type not read in binary here */
    unsigned runs;
    char name[16];                   /* "" until prepared on the server */
    unsigned epoch;                  /* the connection's epoch the name belongs to */
    aim_strbuf *fixed;               /* per parameter: text repaired into UTF-8 (NULL until
                                      * one needs it) */
} pg_stmt;

#define PGS(st) ((pg_stmt *)(st))

/* ------------------------------------------------------------------ errors */

/* sql.h's mapping, by SQLSTATE (PostgreSQL's appendix A). */
static int errno_of(const char *state, int lost) {
    if (lost)
        return -ECONNREFUSED;
    if (!state || strlen(state) != 5)
        return -EIO;
    if (strcmp(state, "23503") == 0)
        return -ENOENT;
    if (strncmp(state, "23", 2) == 0)
        return -EEXIST;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0)
        return -EBUSY;
    if (strcmp(state, "53100") == 0)
        return -ENOSPC;
    if (strcmp(state, "53200") == 0)
        return -ENOMEM;
    if (strcmp(state, "25006") == 0)
        return -EROFS;
    if (strncmp(state, "28", 2) == 0 || strcmp(state, "42501") == 0)
        return -EACCES;
    if (strncmp(state, "XX00", 4) == 0 && (state[4] == '1' || state[4] == '2'))
        return -EBADMSG;   /* data_corrupted, index_corrupted */
    /* Connection exceptions, and the server shutting down or not yet up. */
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0)
        return -ECONNREFUSED;
    return -EIO;
}

/* libpq's own message (a refused connection: the reason, then a hint on indented lines) as
 * one line, every run of blanks one space. */
static void one_line(char *buf, size_t size, const char *text) {
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < size; p++) {
        int blank = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
        if (!blank)
            buf[n++] = *p;
        else if (n && buf[n - 1] != ' ')
            buf[n++] = ' ';
    }
    while (n && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
}

/* The failure a result (or its absence) reports: c's message, and the errno. */
static int fail_result(aim_sql *c, const PGresult *res) {
    PGconn *pg = PGC(c)->pg;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg || !*msg)
        msg = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(pg);
    if (!res && PQstatus(pg) != CONNECTION_BAD && !*msg)
        msg = "out of memory";
    char line[sizeof c->err];
    one_line(line, sizeof line, msg);
    int err = !res && PQstatus(pg) != CONNECTION_BAD ? -ENOMEM
                                                     : errno_of(state, PQstatus(pg) == CONNECTION_BAD);
    if (PQtransactionStatus(pg) == PQTRANS_INERROR && !PGC(c)->tx_err)
        PGC(c)->tx_err = err;
    return aim__sql_fail(c, err, "%s", line[0] ? line : "unknown error");
}

/* Rows written by a command: INSERT, UPDATE and DELETE only, as SQLite counts them. */
static void count_changes(pg_conn *pc, const PGresult *res) {
    const char *tag = PQcmdStatus((PGresult *)res);
    if (strncmp(tag, "INSERT", 6) == 0 || strncmp(tag, "UPDATE", 6) == 0 ||
        strncmp(tag, "DELETE", 6) == 0)
        pc->changes = strtoll(PQcmdTuples((PGresult *)res), NULL, 10);
}

/* A command without rows or parameters (BEGIN, a script): 0 or -errno. */
static int run_command(aim_sql *c, const char *sql) {
    PGresult *res = PQexec(PGC(c)->pg, sql);
    ExecStatusType s = PQresultStatus(res);
    int r = 0;
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY)
        count_changes(PGC(c), res);
    else
        r = fail_result(c, res);
    PQclear(res);
    return r;
}

/* Whether a transaction is open: libpq's word while the connection lives; once it is lost,
 * whether one was begun and not ended (the caller must still hear it failed). */
static int tx_open(const pg_conn *pc) {
    PGTransactionStatusType t = PQtransactionStatus(pc->pg);
    return pc->in_tx || t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* A connection the server dropped (a restart, a terminated backend) is made again before
 * a statement or BEGIN outside a transaction: a long-lived store (a run's writer, serve) then
 * outlives a server restart. Only outside a transaction: a loss inside one fails that
 * transaction, whose writes went with the connection (the caller retries the batch). A
 * statement that failed with the connection is not run again here: whether the server ran it
 * is unknown. The new connection's server has none of the old one's named statements
 * (epoch), nor its SETs (run again). 0, or -ECONNREFUSED while the server stays away. */
static int revive(pg_conn *pc) {
    if (tx_open(pc))
        return 0;
    /* A server that hung up while the connection was idle left its last words (a FATAL
     * notice) and an end of file on the socket, which an idle connection never has to read:
     * read what is there without blocking, so that the loss is seen before a statement is
     * sent. A few rounds: the notice, then the end. */
    int fd = PQsocket(pc->pg);
    for (int i = 0; i < 4 && fd >= 0 && PQstatus(pc->pg) == CONNECTION_OK; i++) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 0) <= 0 || !PQconsumeInput(pc->pg))
            break;
    }
    if (PQstatus(pc->pg) == CONNECTION_OK)
        return 0;
    pthread_mutex_lock(&pc->lock);
    int cancelled = pc->cancelled;
    pc->resetting = !cancelled;
    pthread_mutex_unlock(&pc->lock);
    if (cancelled)
        return aim__sql_fail(&pc->base, -ECANCELED, "connection cancelled (no answer in time)");
    PQreset(pc->pg);
    pthread_mutex_lock(&pc->lock);
    pc->resetting = 0;
    if (pc->cancelled && PQsocket(pc->pg) >= 0)
        shutdown(PQsocket(pc->pg), SHUT_RDWR);   /* cancelled during the reset */
    pthread_mutex_unlock(&pc->lock);
    if (PQstatus(pc->pg) != CONNECTION_OK) {
        char line[sizeof pc->base.err];
        one_line(line, sizeof line, PQerrorMessage(pc->pg));
        return aim__sql_fail(&pc->base, -ECONNREFUSED, "connection lost, not made again: %s",
                             line[0] ? line : "unknown error");
    }
    pc->epoch++;
    pc->n_pending = 0;
    return run_command(&pc->base, pc->setup);
}

/* The DEALLOCATEs waiting, then `then` (NULL: nothing), as one script; the queue is empty
 * after it. */
static void pending_script(pg_conn *pc, const char *then, char *sql, size_t size) {
    size_t at = 0;
    sql[0] = '\0';
    for (int i = 0; i < pc->n_pending; i++)
        at += (size_t)snprintf(sql + at, size - at, "DEALLOCATE %s;", pc->pending[i]);
    if (then)
        snprintf(sql + at, size - at, "%s", then);
    pc->n_pending = 0;
}

#define PENDING_SQL (PENDING_MAX * 28 + 16)

/* ------------------------------------------------------------------ statements */

/* Whether sql is a SELECT (after blanks, comments and opening parentheses): a statement that
 * only reads, so that running it once more (its result as text) changes nothing. A WITH may
 * hold an INSERT: not a SELECT here. */
static int is_select(const char *sql) {
    const char *p = sql;
    for (;;) {
        p += strspn(p, " \t\r\n\f(");
        if (p[0] == '-' && p[1] == '-') {
            p += strcspn(p, "\n");
        } else if (p[0] == '/' && p[1] == '*') {
            int depth = 0;   /* PostgreSQL's block comments nest */
            for (; *p; p++) {
                if (p[0] == '/' && p[1] == '*')
                    depth++, p++;
                else if (p[0] == '*' && p[1] == '/' && --depth == 0) {
                    p += 2;
                    break;
                } else if (p[0] == '*' && p[1] == '/')
                    p++;
            }
        } else {
            break;
        }
    }
    if (strncasecmp(p, "select", 6) != 0)
        return 0;
    char c = p[6];
    return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '$' || (unsigned char)c >= 0x80);
}

static int pg_prepare(aim_sql *c, const char *sql, aim_sql_stmt **ret) {
    char *text;
    int n;
    int r = aim__pg_placeholders(sql, &text, &n);
    if (r == -EINVAL)
        return aim__sql_fail(c, r, "bad parameter number in: %.200s", sql);
    if (r < 0)
        return aim__sql_fail(c, r, "out of memory");
    pg_stmt *s = calloc(1, sizeof *s);
    size_t k = n ? (size_t)n : 1;
    if (s) {
        s->values = calloc(k, sizeof *s->values);
        s->lengths = calloc(k, sizeof *s->lengths);
        s->formats = calloc(k, sizeof *s->formats);
        s->types = calloc(k, sizeof *s->types);
        s->prep_types = calloc(k, sizeof *s->prep_types);
        s->nums = calloc(k, sizeof *s->nums);
    }
    if (!s || !s->values || !s->lengths || !s->formats || !s->types || !s->prep_types ||
        !s->nums) {
        if (s) {
            free(s->values); free(s->lengths); free(s->formats);
            free(s->types); free(s->prep_types); free(s->nums);
        }
        free(s);
        free(text);
        return aim__sql_fail(c, -ENOMEM, "out of memory");
    }
    s->base.conn = c;
    s->sql = text;
    s->n = n;
    s->text_result = !is_select(text);
    *ret = &s->base;
    return 0;
}

static int param(pg_stmt *s, int i) {
    if (i < 1 || i > s->n)
        return aim__sql_fail(s->base.conn, -ERANGE, "parameter %d out of range (statement has %d)",
                             i, s->n);
    return i - 1;
}

static int bind_word(aim_sql_stmt *st, int i, uint64_t host, Oid type) {
    pg_stmt *s = PGS(st);
    int k = param(s, i);
    if (k < 0)
        return k;
    s->nums[k] = htobe64(host);
    s->values[k] = (const char *)&s->nums[k];
    s->lengths[k] = 8;
    s->formats[k] = 1;
    s->types[k] = type;
    return 0;
}

static int pg_bind_int64(aim_sql_stmt *st, int i, int64_t v) {
    return bind_word(st, i, (uint64_t)v, OID_INT8);
}

static int pg_bind_double(aim_sql_stmt *st, int i, double v) {
    uint64_t u;
    memcpy(&u, &v, sizeof u);  /* IEEE 754, as float8's binary form */
    return bind_word(st, i, u, OID_FLOAT8);
}

static int bind_bytes(aim_sql_stmt *st, int i, const void *p, size_t len, Oid type) {
    pg_stmt *s = PGS(st);
    int k = param(s, i);
    if (k < 0)
        return k;
    if (len > INT32_MAX)
        return aim__sql_fail(st->conn, -E2BIG, "parameter %d: %zu bytes, more than a "
                             "PostgreSQL value holds", i, len);
    /* Binary text is the bytes themselves: no copy, and no NUL needed after them. */
    s->values[k] = len ? (const char *)p : "";
    s->lengths[k] = (int)len;
    s->formats[k] = 1;
    s->types[k] = type;
    return 0;
}

/* The server takes only valid UTF-8 text, without NUL: one argument of a command line in
 * Latin-1 would make the whole run unstorable (and every later push of it). Such text is
 * stored with each invalid sequence replaced by U+FFFD, up to a NUL (util/strbuf.h's repair,
 * util/utf8.h's rule), in a buffer of the statement's; valid text, the rule, is bound as it
 * is, without a copy. */
static int pg_bind_text(aim_sql_stmt *st, int i, const char *p, size_t len) {
    pg_stmt *s = PGS(st);
    if (len && (memchr(p, '\0', len) || !aim__utf8_valid(p, len))) {
        int k = param(s, i);
        if (k < 0)
            return k;
        if (!s->fixed && !(s->fixed = calloc((size_t)s->n, sizeof *s->fixed)))
            return aim__sql_fail(st->conn, -ENOMEM, "out of memory");
        aim_strbuf *b = &s->fixed[k];
        aim__strbuf_free(b);
        aim__strbuf_append_utf8(b, p, len);
        if (b->err)
            return aim__sql_fail(st->conn, -ENOMEM, "out of memory");
        p = b->len ? b->data : "";
        len = b->len;
    }
    return bind_bytes(st, i, p, len, OID_TEXT);
}

static int pg_bind_blob(aim_sql_stmt *st, int i, const void *p, size_t len) {
    return bind_bytes(st, i, p, len, OID_BYTEA);
}

static int pg_bind_null(aim_sql_stmt *st, int i) {
    pg_stmt *s = PGS(st);
    int k = param(s, i);
    if (k < 0)
        return k;
    s->values[k] = NULL;
    s->lengths[k] = 0;
    s->formats[k] = 0;
    s->types[k] = 0;   /* the server infers it */
    return 0;
}

/* Whether the statement prepared on the server takes the values bound now: a type it was
 * prepared with is fixed; a NULL fits any. */
static int types_fit(const pg_stmt *s) {
    for (int k = 0; k < s->n; k++)
        if (s->values[k] && s->types[k] != s->prep_types[k])
            return 0;
    return 1;
}

/* Queues s's server-side statement for deallocation. A full queue inside a failed
 * transaction drops the name: the statement then lives until the connection ends. */
static void deallocate(pg_stmt *s) {
    pg_conn *pc = PGC(s->base.conn);
    if (!s->name[0])
        return;
    /* A name of an earlier connection, or one a pooler may have put anywhere: nothing to
     * deallocate here. */
    if (PQstatus(pc->pg) == CONNECTION_OK && s->epoch == pc->epoch && !pc->unnamed_only) {
        if (pc->n_pending == PENDING_MAX && PQtransactionStatus(pc->pg) != PQTRANS_INERROR) {
            char sql[PENDING_SQL];
            pending_script(pc, NULL, sql, sizeof sql);
            PQclear(PQexec(pc->pg, sql));
        }
        if (pc->n_pending < PENDING_MAX)
            memcpy(pc->pending[pc->n_pending++], s->name, sizeof s->name);
    }
    s->name[0] = '\0';
}

/* Prepares s on the server under a new name with the types bound now. */
static int server_prepare(pg_stmt *s) {
    pg_conn *pc = PGC(s->base.conn);
    deallocate(s);
    char name[16];
    snprintf(name, sizeof name, "aim_%u", ++pc->next_name);
    PGresult *res = PQprepare(pc->pg, name, s->sql, s->n, s->types);
    int r = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        /* The name taken on this server connection: not ours, so a pooler shares it between
         * clients (and names do not last): unnamed from then on, this run too when no
         * transaction was spoilt by the failure. */
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (state && strcmp(state, "42P05") == 0) {
            pc->unnamed_only = 1;
            pc->n_pending = 0;
        }
        r = pc->unnamed_only && !tx_open(pc) ? 0 : fail_result(&pc->base, res);
    } else {
        memcpy(s->name, name, sizeof name);
        memcpy(s->prep_types, s->types, (size_t)s->n * sizeof *s->types);
        s->epoch = pc->epoch;
    }
    PQclear(res);
    return r;
}

/* Whether res failed because the server has no statement of that name. */
static int name_unknown(const PGresult *res) {
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    return state && strcmp(state, "26000") == 0;   /* invalid_sql_statement_name */
}

/* Runs s, by its name if it has one, its result in binary (format 1) or as text (0). */
static PGresult *run(pg_conn *pc, pg_stmt *s, int format) {
    if (s->name[0])
        return PQexecPrepared(pc->pg, s->name, s->n, s->values, s->lengths, s->formats, format);
    return PQexecParams(pc->pg, s->sql, s->n, s->types, s->values, s->lengths, s->formats,
                        format);
}

/* The types whose binary form is read here (the column accessors below): every type the
 * store's SQL selects, and numeric (sum() and avg() of integers). */
static int readable_type(Oid t) {
    switch (t) {
    case OID_BOOL: case OID_BYTEA: case OID_NAME: case OID_INT8: case OID_INT2: case OID_INT4:
    case OID_TEXT: case OID_JSON: case OID_FLOAT8: case OID_UNKNOWN: case OID_BPCHAR:
    case OID_VARCHAR: case OID_NUMERIC: case OID_VOID:
        return 1;
    default:
        return 0;
    }
}

/* Whether every column of a binary result is of a type read here. */
static int readable(const PGresult *res) {
    for (int i = 0, nf = PQnfields(res); i < nf; i++)
        if (PQfformat(res, i) && !readable_type(PQftype(res, i)))
            return 0;
    return 1;
}

static int execute(pg_stmt *s) {
    pg_conn *pc = PGC(s->base.conn);
    PQclear(s->res);
    s->res = NULL;
    int r = revive(pc);
    if (r < 0)
        return r;
    if (s->name[0] && (s->epoch != pc->epoch || pc->unnamed_only))
        s->name[0] = '\0';   /* gone with its connection, or never to be trusted */
    if (!pc->unnamed_only && s->runs >= PREPARE_AFTER && (!s->name[0] || !types_fit(s))) {
        r = server_prepare(s);
        if (r < 0)
            return r;
    }
    s->runs++;
    int format = !s->text_result && !pc->text_results;
    PGresult *res = run(pc, s, format);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && s->name[0] && name_unknown(res)) {
        /* Prepared, and gone: a pooler in transaction mode (PgBouncer) hands each
         * transaction another server connection, or a DEALLOCATE ALL ran. Unnamed from then
         * on, on this connection; run once more now unless the failure spoilt a
         * transaction (the caller's retry runs it then). */
        pc->unnamed_only = 1;
        pc->n_pending = 0;
        s->name[0] = '\0';
        if (!tx_open(pc)) {
            PQclear(res);
            res = run(pc, s, format);
            st = PQresultStatus(res);
        }
    }
    if (st == PGRES_TUPLES_OK && format && !readable(res)) {
        /* A column of a type without a binary reader here: a SELECT (is_select), so running
         * it again changes nothing; as text from then on. */
        s->text_result = 1;
        PQclear(res);
        res = run(pc, s, 0);
        st = PQresultStatus(res);
    }
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        r = fail_result(&pc->base, res);
        PQclear(res);
        return r;
    }
    count_changes(pc, res);
    s->res = res;
    s->rows = PQntuples(res);
    s->row = -1;
    return 0;
}

static int pg_step(aim_sql_stmt *st) {
    pg_stmt *s = PGS(st);
    if (s->state != ST_ROWS) {
        int r = execute(s);
        if (r < 0) {
            s->state = ST_IDLE;
            return r;
        }
        s->state = ST_ROWS;
    }
    if (++s->row < s->rows)
        return 1;
    s->state = ST_DONE;
    PQclear(s->res);
    s->res = NULL;
    return 0;
}

/* The current row's value of column i, NULL for SQL NULL or no row. */
static const char *value(pg_stmt *s, int i) {
    if (!s->res || s->row < 0 || s->row >= s->rows || i < 0 || i >= PQnfields(s->res) ||
        PQgetisnull(s->res, s->row, i))
        return NULL;
    return PQgetvalue(s->res, s->row, i);
}

static int pg_column_is_null(aim_sql_stmt *st, int i) {
    return value(PGS(st), i) == NULL;
}

/* Column i of the current row: its value (NULL: SQL NULL), whether it came in binary, its
 * type and its length. libpq ends every value with a NUL, a binary one too. */
typedef struct cell {
    const char *v;
    int binary;
    Oid type;
    int len;
} cell;

static cell cell_of(pg_stmt *s, int i) {
    cell c = { value(s, i), 0, 0, 0 };
    if (c.v) {
        c.binary = PQfformat(s->res, i) == 1;
        c.type = PQftype(s->res, i);
        c.len = PQgetlength(s->res, s->row, i);
    }
    return c;
}

/* Column i's buffer of the driver's own bytes, at least n of them: NULL without memory. */
static unsigned char *column_buf(pg_stmt *s, int i, size_t n) {
    int nf = PQnfields(s->res);
    if (s->n_blobs < nf) {
        blob_buf *b = realloc(s->blobs, (size_t)nf * sizeof *b);
        if (!b)
            return NULL;
        memset(b + s->n_blobs, 0, (size_t)(nf - s->n_blobs) * sizeof *b);
        s->blobs = b;
        s->n_blobs = nf;
    }
    blob_buf *b = &s->blobs[i];
    if (b->cap < n) {
        unsigned char *p = realloc(b->p, n);
        if (!p)
            return NULL;
        b->p = p;
        b->cap = n;
    }
    return b->p;
}

/* Binary values: integers in network byte order, float8 as its IEEE 754 bits in it. */
static uint64_t be_u64(const char *v) {
    uint64_t u;
    memcpy(&u, v, sizeof u);
    return be64toh(u);
}

static uint32_t be_u32(const char *v) {
    uint32_t u;
    memcpy(&u, v, sizeof u);
    return be32toh(u);
}

static uint16_t be_u16(const char *v) {
    uint16_t u;
    memcpy(&u, v, sizeof u);
    return be16toh(u);
}

static double be_double(const char *v) {
    uint64_t u = be_u64(v);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* The double that digits[0].digits[1..nd-1] x 10^e10 reads as (correctly rounded); 0 for
 * none. */
static double read_digits(const char *digits, int nd, int e10) {
    char back[64];   /* "d.ddde-5" */
    int k = snprintf(back, sizeof back, "%c%s%.*se%d", digits[0], nd > 1 ? "." : "", nd - 1,
                     digits + 1, e10);
    double r = 0;
    return k > 0 && aim__parse_decimal(back, (size_t)k, 0, &r) == 0 ? r : 0;
}

/* Whether digits x 10^e10 (as read_digits) is exactly halfway between a (positive, finite)
 * and a neighbouring double: 1 above a, -1 below, else 0. a = M x 2^X; the midpoints are
 * K x 2^Y with K odd (2M+1 above; 2M-1 below, or 4M-1 a quarter-step lower at a power of
 * two). D x 10^E (D's odd part Dodd x 2^t) is K x 2^Y exactly when t + E = Y and
 * Dodd x 5^E = K (E < 0: Dodd = K x 5^-E). */
static int on_boundary(const char *digits, int nd, int e10, double a) {
    uint64_t bits, d = 0;
    memcpy(&bits, &a, sizeof bits);
    unsigned eb = (unsigned)(bits >> 52) & 0x7ff;
    uint64_t frac = bits & ((UINT64_C(1) << 52) - 1);
    uint64_t m = eb ? frac | UINT64_C(1) << 52 : frac;
    int x = eb ? (int)eb - 1075 : -1074;
    for (int k = 0; k < nd; k++)
        d = d * 10 + (uint64_t)(digits[k] - '0');
    if (d == 0)
        return 0;
    int t = 0;
    for (; !(d & 1); d >>= 1)
        t++;
    int e = e10 - (nd - 1);
    int quarter = frac == 0 && eb > 1;
    const uint64_t ks[2] = { 2 * m + 1, quarter ? 4 * m - 1 : 2 * m - 1 };
    const int ys[2] = { x - 1, quarter ? x - 2 : x - 1 };
    int n = e < 0 ? -e : e;
    if (n > 27)
        return 0;   /* 5^28 > 2^64: no K (< 2^55) and no D (< 10^17) holds it */
    uint64_t p5 = 1;
    for (int k = 0; k < n; k++)
        p5 *= 5;
    for (int j = 0; j < 2; j++) {
        if (t + e != ys[j])
            continue;
        if (e >= 0 ? ks[j] % p5 == 0 && ks[j] / p5 == d : d % p5 == 0 && d / p5 == ks[j])
            return j == 0 ? 1 : -1;
    }
    return 0;
}

/* float8's text as the server writes it (extra_float_digits > 0, PostgreSQL 12 on, its Ryu
 * shortest output, src/common/d2s.c): the fewest significant digits strictly inside the
 * interval of decimals that read back as the double, of those the nearest; fixed-point
 * where the first digit's power of ten is -4 to 14, else d.ddde+XX (printf's %e form). out
 * holds FLOAT8_TEXT bytes. No locale's radix: the digits are picked out of printf's %e,
 * each candidate read back by aim__parse_decimal. */
#define FLOAT8_TEXT 40

static void float8_text(double d, char *out) {
    if (isnan(d)) {
        strcpy(out, "NaN");
        return;
    }
    if (isinf(d)) {
        strcpy(out, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    char *o = out;
    if (signbit(d))
        *o++ = '-';
    double a = fabs(d);
    if (a == 0) {
        strcpy(o, "0");
        return;
    }
    char digits[24];
    int nd = 0, e10 = 0;
    for (int p = 1; p <= 17; p++) {
        /* The p digits nearest a (printf rounds correctly)... */
        char e[64];
        snprintf(e, sizeof e, "%.*e", p - 1, a);
        const char *q = e;
        nd = 0;
        for (; *q && *q != 'e' && nd < 17; q++)
            if (*q >= '0' && *q <= '9')
                digits[nd++] = *q;
        q = strchr(q, 'e');
        e10 = q ? (int)strtol(q + 1, NULL, 10) : 0;
        /* The server's Ryu takes no decimal on the boundary (acceptBounds false). */
        double r = read_digits(digits, nd, e10);
        int bound = r == a ? on_boundary(digits, nd, e10, a) : 0;
        if (p == 17 || (r == a && !bound))
            break;
        /* ...or the p digits on a's other side, one unit in the last digit up or down: where
         * the nearest is on a boundary, or a's neighbours are not equally far (a power of
         * two). */
        if (r < a || bound < 0) {
            int k = nd - 1;
            for (; k >= 0 && digits[k] == '9'; k--)
                digits[k] = '0';
            if (k >= 0) {
                digits[k]++;
            } else {   /* 99 -> 100: one digit more to the left */
                digits[0] = '1';
                e10++;
            }
        } else {
            int k = nd - 1;
            for (; k >= 0 && digits[k] == '0'; k--)
                digits[k] = '9';
            digits[k]--;   /* k >= 0: the first digit is not 0 */
            if (digits[0] == '0') {   /* 100 -> 099 = 99.9 */
                memmove(digits, digits + 1, (size_t)nd - 1);
                digits[nd - 1] = '9';
                e10--;
            }
        }
        if (read_digits(digits, nd, e10) == a && !on_boundary(digits, nd, e10, a))
            break;
    }
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (e10 >= -4 && e10 < 15) {
        if (e10 < 0) {
            *o++ = '0';
            *o++ = '.';
            for (int z = 0; z < -e10 - 1; z++)
                *o++ = '0';
            memcpy(o, digits, (size_t)nd);
            o += nd;
        } else {
            for (int k = 0; k < nd || k <= e10; k++) {
                if (k == e10 + 1)
                    *o++ = '.';
                *o++ = k < nd ? digits[k] : '0';
            }
        }
        *o = '\0';
    } else {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        snprintf(o, 16, "e%c%02d", e10 < 0 ? '-' : '+', e10 < 0 ? -e10 : e10);
    }
}

/* numeric's binary form (ndigits, weight, sign, dscale, then ndigits base-10000 digits,
 * each 16 bits) as the server's text writes it (numeric.c's get_str_from_var): the integer
 * part without leading zeros, then dscale decimals. Into column i's buffer; NULL without
 * memory, "" for a malformed value. */
static const char *numeric_text(pg_stmt *s, int i, const char *v, int len) {
    if (len < 8)
        return "";
    int ndigits = (int16_t)be_u16(v), weight = (int16_t)be_u16(v + 2);
    unsigned sign = be_u16(v + 4);
    int dscale = (int16_t)be_u16(v + 6);
    if (sign == 0xC000)
        return "NaN";
    if (sign == 0xD000)
        return "Infinity";
    if (sign == 0xF000)
        return "-Infinity";
    if (ndigits < 0 || dscale < 0 || len != 8 + 2 * ndigits || (sign != 0 && sign != 0x4000))
        return "";
    size_t size = (size_t)(weight >= 0 ? weight + 1 : 1) * 4 + (size_t)dscale + 8;
    char *out = (char *)column_buf(s, i, size), *o = out;
    if (!out)
        return NULL;
    const char *dig = v + 8;
#define DIGIT(d) ((d) >= 0 && (d) < ndigits ? (int)(be_u16(dig + 2 * (d)) % 10000) : 0)
    if (sign == 0x4000)
        *o++ = '-';
    int d;
    if (weight < 0) {
        d = weight + 1;
        *o++ = '0';
    } else {
        for (d = 0; d <= weight; d++) {
            int x = DIGIT(d), put = d > 0;
            for (int p = 1000; p > 1; p /= 10) {
                int q = x / p;
                x -= q * p;
                put |= q > 0;
                if (put)
                    *o++ = (char)('0' + q);
            }
            *o++ = (char)('0' + x);
        }
    }
    if (dscale > 0) {
        *o++ = '.';
        char *end = o + dscale;
        for (int k = 0; k < dscale; d++, k += 4) {
            int x = DIGIT(d);
            for (int p = 1000; p >= 1; p /= 10) {
                *o++ = (char)('0' + x / p);
                x %= p;
            }
        }
        o = end;
    }
#undef DIGIT
    *o = '\0';
    return out;
}

/* Column i's value as text, the server's text for it: a text result's as it came; a binary
 * one's text-like types as they came, the others written here as the server writes them
 * (into column i's buffer). NULL for SQL NULL (or no memory). */
static const char *cell_text(pg_stmt *s, int i, cell c) {
    if (!c.v || !c.binary)
        return c.v;
    char *buf;
    switch (c.type) {
    case OID_BOOL:
        return c.len == 1 && c.v[0] ? "t" : "f";
    case OID_INT8: case OID_INT4: case OID_INT2:
        if (!(buf = (char *)column_buf(s, i, 24)))
            return NULL;
        snprintf(buf, 24, "%lld", c.len == 8 ? (long long)(int64_t)be_u64(c.v)
                                  : c.len == 4 ? (long long)(int32_t)be_u32(c.v)
                                  : c.len == 2 ? (long long)(int16_t)be_u16(c.v) : 0LL);
        return buf;
    case OID_FLOAT8:
        if (!(buf = (char *)column_buf(s, i, FLOAT8_TEXT)))
            return NULL;
        float8_text(c.len == 8 ? be_double(c.v) : 0, buf);
        return buf;
    case OID_NUMERIC:
        return numeric_text(s, i, c.v, c.len);
    case OID_BYTEA: {
        /* bytea_output hex's "\x0a1b...". */
        static const char hex[] = "0123456789abcdef";
        if (!(buf = (char *)column_buf(s, i, 2 * (size_t)c.len + 3)))
            return NULL;
        buf[0] = '\\', buf[1] = 'x';
        for (size_t k = 0; k < (size_t)c.len; k++) {
            buf[2 + 2 * k] = hex[(unsigned char)c.v[k] >> 4];
            buf[3 + 2 * k] = hex[(unsigned char)c.v[k] & 15];
        }
        buf[2 + 2 * (size_t)c.len] = '\0';
        return buf;
    }
    default:   /* text, varchar, bpchar, name, unknown, json, void: the text itself */
        return c.v;
    }
}

/* float8's and numeric's text (and bool's): PostgreSQL writes no locale's commas. */
static double text_double(const char *t) {
    if (strcmp(t, "t") == 0)
        return 1;
    if (strcmp(t, "f") == 0 || !*t)
        return 0;
    if (strcmp(t, "Infinity") == 0)
        return INFINITY;
    if (strcmp(t, "-Infinity") == 0)
        return -INFINITY;
    if (strcmp(t, "NaN") == 0)
        return NAN;
    size_t len = strlen(t);
    /* numeric may carry more digits than the parser takes: those past a double's 17 do not
     * change it. */
    if (len > 127 && !strpbrk(t, "eE") && strchr(t, '.') && (size_t)(strchr(t, '.') - t) < 100)
        len = 127;
    double d = 0;
    return aim__parse_decimal(t, len, 1, &d) == 0 ? d : 0;
}

/* A double as an integer as SQLite casts one: the fraction dropped, the ends kept. */
static int64_t double_int64(double d) {
    if (isnan(d))
        return 0;
    if (d >= 9223372036854775807.0)
        return INT64_MAX;
    if (d <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)d;
}

static int64_t pg_column_int64(aim_sql_stmt *st, int i) {
    pg_stmt *s = PGS(st);
    cell c = cell_of(s, i);
    if (!c.v)
        return 0;
    if (c.binary) {
        if (c.type == OID_INT8 && c.len == 8)
            return (int64_t)be_u64(c.v);
        if (c.type == OID_INT4 && c.len == 4)
            return (int32_t)be_u32(c.v);
        if (c.type == OID_INT2 && c.len == 2)
            return (int16_t)be_u16(c.v);
        if (c.type == OID_BOOL)
            return c.len == 1 && c.v[0];
        if (c.type == OID_FLOAT8 && c.len == 8)
            return double_int64(be_double(c.v));
    }
    const char *t = cell_text(s, i, c);
    if (!t)
        return 0;
    if (t[0] == 't' && !t[1])
        return 1;
    char *end;
    errno = 0;
    long long v = strtoll(t, &end, 10);
    if (end != t && errno == 0 && (*end == '\0' || (*end == '.' && !strpbrk(end, "eE"))))
        return v;   /* an integer, or a numeric's fraction dropped (as SQLite casts) */
    return double_int64(text_double(t));
}

static double pg_column_double(aim_sql_stmt *st, int i) {
    pg_stmt *s = PGS(st);
    cell c = cell_of(s, i);
    if (!c.v)
        return NAN;
    if (c.binary) {
        if (c.type == OID_FLOAT8 && c.len == 8)
            return be_double(c.v);
        if (c.type == OID_INT8 && c.len == 8)
            return (double)(int64_t)be_u64(c.v);
        if (c.type == OID_INT4 && c.len == 4)
            return (int32_t)be_u32(c.v);
        if (c.type == OID_INT2 && c.len == 2)
            return (int16_t)be_u16(c.v);
        if (c.type == OID_BOOL)
            return c.len == 1 && c.v[0];
    }
    const char *t = cell_text(s, i, c);
    return t ? text_double(t) : 0;
}

static const char *pg_column_text(aim_sql_stmt *st, int i) {
    pg_stmt *s = PGS(st);
    return cell_text(s, i, cell_of(s, i));
}

/* A bytea's bytes: a binary result's as they came; a text result's hex ("\x0a1b...",
 * bytea_output = hex, set at connect) decoded into a buffer of the statement's per column
 * (two blobs of one row, a chunk and its summary, live together). Another type: its text,
 * as SQLite gives. */
static const void *pg_column_blob(aim_sql_stmt *st, int i, size_t *ret_len) {
    pg_stmt *s = PGS(st);
    cell c = cell_of(s, i);
    *ret_len = 0;
    if (!c.v)
        return NULL;
    if (c.type == OID_BYTEA && c.binary) {
        *ret_len = (size_t)c.len;
        return c.v;   /* never NULL for an empty blob: NULL means SQL NULL */
    }
    const char *t = cell_text(s, i, c);
    if (!t)
        return NULL;
    if (c.type != OID_BYTEA || t[0] != '\\' || t[1] != 'x') {
        *ret_len = t == c.v ? (size_t)c.len : strlen(t);
        return t;
    }
    size_t n = ((size_t)c.len - 2) / 2;
    unsigned char *p = column_buf(s, i, n + 1);
    if (!p)
        return NULL;
    const char *h = t + 2;
    for (size_t k = 0; k < n; k++) {
        int hi = aim__hex_digit(h[2 * k]), lo = aim__hex_digit(h[2 * k + 1]);
        if (hi < 0 || lo < 0)
            return NULL;
        p[k] = (unsigned char)(hi << 4 | lo);
    }
    *ret_len = n;
    return p;
}

static void pg_reset(aim_sql_stmt *st) {
    pg_stmt *s = PGS(st);
    PQclear(s->res);
    s->res = NULL;
    s->state = ST_IDLE;
    for (int k = 0; k < s->n; k++) {
        s->values[k] = NULL;
        s->lengths[k] = s->formats[k] = 0;
        s->types[k] = 0;
    }
}

static void pg_finalize(aim_sql_stmt *st) {
    pg_stmt *s = PGS(st);
    PQclear(s->res);
    deallocate(s);
    for (int k = 0; s->fixed && k < s->n; k++)
        aim__strbuf_free(&s->fixed[k]);
    free(s->fixed);
    for (int k = 0; k < s->n_blobs; k++)
        free(s->blobs[k].p);
    free(s->blobs);
    free(s->values);
    free(s->lengths);
    free(s->formats);
    free(s->types);
    free(s->prep_types);
    free(s->nums);
    free(s->sql);
    free(s);
}

/* ------------------------------------------------------------------ connection */

static int pg_exec(aim_sql *c, const char *script) {
    int r = revive(PGC(c));
    return r < 0 ? r : run_command(c, script);
}

static int64_t pg_changes(aim_sql *c) {
    return PGC(c)->changes;
}

static int pg_begin(aim_sql *c) {
    pg_conn *pc = PGC(c);
    pc->tx_err = 0;
    int r = revive(pc);
    if (r < 0)
        return r;
    if (!pc->n_pending || PQtransactionStatus(pc->pg) != PQTRANS_IDLE) {
        r = run_command(c, "BEGIN");
    } else {
        char sql[PENDING_SQL];
        pending_script(pc, "BEGIN", sql, sizeof sql);
        r = run_command(c, sql);
        /* A DEALLOCATE that failed (the statement gone with a reset session) stopped the
         * script before its BEGIN. */
        if (r < 0 && PQstatus(pc->pg) == CONNECTION_OK &&
            PQtransactionStatus(pc->pg) == PQTRANS_IDLE)
            r = run_command(c, "BEGIN");
    }
    pc->in_tx = r == 0;
    return r;
}

static int pg_commit(aim_sql *c) {
    pg_conn *pc = PGC(c);
    pc->in_tx = 0;   /* ended, whatever the answer: a lost connection took it along */
    /* The server answers COMMIT of a failed transaction with a ROLLBACK and no error: the
     * caller must hear that nothing was written, with the first failure's cause. */
    if (PQtransactionStatus(pc->pg) == PQTRANS_INERROR) {
        int err = pc->tx_err ? pc->tx_err : -EIO;
        char why[sizeof c->err];
        snprintf(why, sizeof why, "%s", c->err);
        run_command(c, "ROLLBACK");
        return aim__sql_fail(c, err, "transaction rolled back: %s", why[0] ? why : "a statement failed");
    }
    int r = run_command(c, "COMMIT");
    if (r < 0 && PQtransactionStatus(pc->pg) != PQTRANS_IDLE)
        PQclear(PQexec(pc->pg, "ROLLBACK"));   /* sql.h: a failed commit rolls back */
    return r;
}

static int pg_rollback(aim_sql *c) {
    pg_conn *pc = PGC(c);
    pc->tx_err = 0;
    pc->in_tx = 0;
    /* The server ends the transaction of a connection it lost: rolled back already. */
    if (PQstatus(pc->pg) != CONNECTION_OK)
        return 0;
    return run_command(c, "ROLLBACK");
}

static int pg_in_transaction(aim_sql *c) {
    return tx_open(PGC(c));
}

static void pg_close(aim_sql *c) {
    PQfinish(PGC(c)->pg);   /* its server-side statements end with it */
    pthread_mutex_destroy(&PGC(c)->lock);
    free(c);
}

static const aim_sql_driver pg_driver = {
    .dialect = AIM_SQL_POSTGRES,
    .prepare = pg_prepare,
    .bind_int64 = pg_bind_int64,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .column_is_null = pg_column_is_null,
    .column_int64 = pg_column_int64,
    .column_double = pg_column_double,
    .column_text = pg_column_text,
    .column_blob = pg_column_blob,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .exec = pg_exec,
    .changes = pg_changes,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_transaction = pg_in_transaction,
    .close = pg_close,
};

/* ------------------------------------------------------------------ connecting */

/* libpq prints the server's notices (a WARNING for ROLLBACK outside a transaction) on
 * stderr by default; the library never prints. */
static void quiet(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

/* Whether the parsed options set key (from the URL). */
static const char *option(PQconninfoOption *opts, const char *key) {
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, key) == 0)
            return o->val && *o->val ? o->val : NULL;
    return NULL;
}

/* Why a connection failed, from libpq's text (no SQLSTATE comes back from a refused
 * start-up): authentication and a missing database said apart from an unreachable server. */
static int connect_errno(const char *msg) {
    if (strstr(msg, "authentication failed") || strstr(msg, "no password supplied") ||
        strstr(msg, "permission denied") || strstr(msg, "no pg_hba.conf entry") ||
        strstr(msg, "not permitted to log in") ||
        (strstr(msg, "role \"") && strstr(msg, "does not exist")))
        return -EACCES;   /* SQLSTATE class 28 on the server's side */
    if (strstr(msg, "database \"") && strstr(msg, "does not exist"))
        return -ENOENT;
    return -ECONNREFUSED;
}

int aim__pg_connect(const char *url, aim_sql **ret, char *err, size_t errlen) {
    /* Every message names the URL without its secrets (store/redact.h). */
    char shown[1024];
    aim__store_redact(url, shown, sizeof shown);
    char *why = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &why);
    if (!opts) {
        char line[400];
        one_line(line, sizeof line, why ? why : "out of memory");
        snprintf(err, errlen, "%s: not a valid PostgreSQL URL: %s", shown, line);
        aim__store_scrub(err, errlen, url);   /* libpq's text may quote the URL */
        PQfreemem(why);
        return why ? -EINVAL : -ENOMEM;
    }
    if (option(opts, "password") || option(opts, "sslpassword")) {
        int ssl = !option(opts, "password");
        PQconninfoFree(opts);
        /* Not even the URL in the message: it holds the secret. */
        snprintf(err, errlen, "%s in a PostgreSQL URL is refused (it would show in "
                 "argv, ps and logs): put it in %s instead", ssl ? "an sslpassword" : "a password",
                 ssl ? "a service file (PGSERVICEFILE) or an unencrypted key file"
                     : "~/.pgpass, PGPASSFILE, a service file or PGPASSWORD");
        return -EINVAL;
    }
    int own_timeout = option(opts, "connect_timeout") || getenv("PGCONNECT_TIMEOUT");
    PQconninfoFree(opts);

    /* Later keywords win: ours first, then the URL (expanded from dbname), which may set
     * its own application_name, client_encoding or connect_timeout. */
    const char *keys[10], *vals[10];
    int n = 0;
    keys[n] = "application_name", vals[n++] = "aimeter";
    keys[n] = "client_encoding", vals[n++] = "UTF8";
    /* Over TCP, a server host that vanished (power, network) is noticed in about a minute,
     * not the kernel's two hours: probes after 30 s idle, 3 unanswered 10 s apart; data
     * unacknowledged for 60 s ends the connection. libpq ignores them on a Unix socket. */
    keys[n] = "keepalives_idle", vals[n++] = "30";
    keys[n] = "keepalives_interval", vals[n++] = "10";
    keys[n] = "keepalives_count", vals[n++] = "3";
    keys[n] = "tcp_user_timeout", vals[n++] = "60000";
    if (!own_timeout)
        keys[n] = "connect_timeout", vals[n++] = "10";
    keys[n] = "dbname", vals[n++] = url;
    keys[n] = NULL, vals[n] = NULL;
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (!pg) {
        snprintf(err, errlen, "%s: out of memory", shown);
        return -ENOMEM;
    }
    if (PQstatus(pg) != CONNECTION_OK) {
        char line[400];
        one_line(line, sizeof line, PQerrorMessage(pg));
        int r = connect_errno(line);
        snprintf(err, errlen, "%s: cannot connect: %s", shown, line[0] ? line : "unknown error");
        PQfinish(pg);
        return r;
    }
    PQsetNoticeProcessor(pg, quiet, NULL);
    pg_conn *pc = calloc(1, sizeof *pc);
    if (!pc) {
        PQfinish(pg);
        snprintf(err, errlen, "%s: out of memory", shown);
        return -ENOMEM;
    }
    pc->base.drv = &pg_driver;
    pc->base.h = pg;
    pc->pg = pg;
    pthread_mutex_init(&pc->lock, NULL);
    /* What the driver's parsers rely on, whatever the server's or role's defaults: shortest
     * exact doubles (PostgreSQL 12 on; 17 digits before), bytea in hex. Run again on each
     * new connection (revive). */
    snprintf(pc->setup, sizeof pc->setup, "SET extra_float_digits = 3; SET bytea_output = 'hex'");
    int r = run_command(&pc->base, pc->setup);
    if (r < 0) {
        snprintf(err, errlen, "%s: %s", shown, pc->base.err);
        pg_close(&pc->base);
        return r;
    }
    *ret = &pc->base;
    return 0;
}

int aim__pg_session_set(aim_sql *c, const char *set) {
    pg_conn *pc = PGC(c);
    size_t have = strlen(pc->setup);
    if (have + 2 + strlen(set) >= sizeof pc->setup)
        return aim__sql_fail(c, -E2BIG, "session settings too long");
    int r = pg_exec(c, set);
    if (r == 0)
        snprintf(pc->setup + have, sizeof pc->setup - have, "; %s", set);
    return r;
}

/* Shutting the socket down (not closing it: the descriptor stays the connection's until
 * PQfinish, so no other file can take its number) wakes the thread that waits on it with an
 * end of file, whatever the server does: a PQcancel would itself wait for a stalled server.
 * A server that resumes finds its client gone and rolls the transaction back. */
int aim__pg_cancel(aim_sql *c) {
    pg_conn *pc = PGC(c);
    pthread_mutex_lock(&pc->lock);
    pc->cancelled = 1;
    if (!pc->resetting && PQsocket(pc->pg) >= 0)
        shutdown(PQsocket(pc->pg), SHUT_RDWR);
    pthread_mutex_unlock(&pc->lock);
    return 0;
}

void aim__pg_text_results(aim_sql *c, int on) {
    PGC(c)->text_results = on != 0;
}

int aim__pg_result_binary(aim_sql_stmt *st) {
    return PGS(st)->res && PQbinaryTuples(PGS(st)->res);
}
