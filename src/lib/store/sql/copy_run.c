/* A run from one SQL store into another (store/copy_store.h): `aimeter push`, and later the
 * spooling writer's upload. Both sides are read and written through the statement interface
 * (store/sql/sql.h), so any pair of back-ends works; the only dialect-specific text is the
 * catalogue query (which tables and columns a store has) and the source's read snapshot.
 *
 * Idempotent by construction: the run's row is an upsert, every other per-run table but the
 * chunks is replaced as a whole (they are small, and `records` has no key to upsert by), and
 * the chunks are compared by key (run, group, seq) with a fingerprint of each (its times,
 * ticks and size), so that a second copy writes nothing and a copy cut off half-way is
 * completed by the next. Everything lands in one transaction of the destination. */
#include "store/copy_store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql/sql_store.h"
#include "util/array.h"
#include "util/iso8601.h"
#include "util/strbuf.h"

#define NAME_MAX_LEN 64

/* How a column's values are read and bound: by its declared type in the source. */
enum kind { K_INT, K_DOUBLE, K_TEXT, K_BLOB };

typedef struct column {
    char name[NAME_MAX_LEN];
    enum kind kind;
} column;

/* A table as the source has it, every column of which the destination has too. */
typedef struct table {
    char name[NAME_MAX_LEN];
    column *cols;
    int n;
} table;

/* A chunk's key and fingerprint: a retention that rewrote a chunk under the same key
 * changed its times, ticks or size. */
typedef struct chunk_key {
    int64_t grp, seq, t_first, t_last, n_ticks, len;
} chunk_key;

typedef struct copier {
    aim_db *from, *to;
    aim_sql *src, *dst;
    const char *run_id;
    unsigned flags;
    aim_copy_stats st;
} copier;

static const char *store_name(aim_db *db) {
    const aim_sql_store *s = AIM_SQL_STORE(db);
    return s && s->path[0] ? s->path : "store";
}

/* Sets the destination's message: "STORE: what: the engine's reason". from_src: the failure
 * was on the source's connection. */
static int __attribute__((format(printf, 4, 5)))
fail(copier *x, int err, int from_src, const char *fmt, ...) {
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    aim_sql *c = from_src ? x->src : x->dst;
    const char *why = err == -ENOMEM ? "out of memory" : aim__sql_errmsg(c);
    return aim__db_set_error(x->to, err, "%s: %s: %s", store_name(from_src ? x->from : x->to),
                             what, why);
}

/* ------------------------------------------------------------------ catalogues */

/* Names come from the stores' catalogues; ours are lower-case words. Anything else is not
 * a table of aimeter's and is refused rather than quoted. */
static int plain_name(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n >= NAME_MAX_LEN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static enum kind kind_of(const char *decl) {
    char up[64];
    size_t i = 0;
    for (; decl && decl[i] && i + 1 < sizeof up; i++)
        up[i] = (char)(decl[i] >= 'a' && decl[i] <= 'z' ? decl[i] - 32 : decl[i]);
    up[i] = '\0';
    if (strstr(up, "INT") || strstr(up, "BOOL"))
        return K_INT;
    if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB") || strstr(up, "NUMERIC") ||
        strstr(up, "DECIMAL"))
        return K_DOUBLE;
    if (strstr(up, "BLOB") || strstr(up, "BYTEA"))
        return K_BLOB;
    return K_TEXT;
}

/* The base tables with a run_id column (every per-run table but `runs`). */
static const char *run_tables_sql(aim_sql *c) {
    if (aim__sql_dialect(c) == AIM_SQL_SQLITE)
        return "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p "
               "WHERE m.type = 'table' AND p.name = 'run_id'";
    return "SELECT CAST(c.table_name AS text) FROM information_schema.columns c "
           "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
           "AND t.table_name = c.table_name WHERE c.table_schema = current_schema() "
           "AND t.table_type = 'BASE TABLE' AND c.column_name = 'run_id'";
}

static const char *columns_sql(aim_sql *c) {
    if (aim__sql_dialect(c) == AIM_SQL_SQLITE)
        return "SELECT name, type FROM pragma_table_info(?1) ORDER BY cid";
    return "SELECT CAST(column_name AS text), CAST(data_type AS text) "
           "FROM information_schema.columns WHERE table_schema = current_schema() "
           "AND CAST(table_name AS text) = ?1 ORDER BY ordinal_position";
}

/* The columns of table `name` on the source (from_src) or the destination: t->n 0 when it
 * has no such table. */
static int read_columns(copier *x, int from_src, const char *name, table *t) {
    aim_sql *c = from_src ? x->src : x->dst;
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    aim_sql_stmt *st;
    int r = aim__sql_prepare(c, columns_sql(c), &st);
    if (r < 0)
        return fail(x, r, from_src, "cannot read the columns of %s", name);
    size_t cap = 0;
    aim__sql_bind_text(st, 1, name);
    while ((r = aim__sql_step(st)) == 1) {
        const char *col = aim__sql_column_text(st, 0);
        if (!plain_name(col)) {
            r = aim__db_set_error(x->to, -EPROTO, "%s: table %s has a column named \"%.64s\", "
                                  "not one of aimeter's", store_name(from_src ? x->from : x->to),
                                  name, col ? col : "");
            break;
        }
        if (AIM_ARRAY_RESERVE(t->cols, cap, (size_t)t->n + 1, 32) < 0) {
            r = fail(x, -ENOMEM, from_src, "cannot read the columns of %s", name);
            break;
        }
        snprintf(t->cols[t->n].name, NAME_MAX_LEN, "%s", col);
        t->cols[t->n].kind = kind_of(aim__sql_column_text(st, 1));
        t->n++;
    }
    if (r < 0 && r != -ENOMEM && r != -EPROTO)
        r = fail(x, r, from_src, "cannot read the columns of %s", name);
    aim__sql_finalize(st);
    return r < 0 ? r : 0;
}

static int has_column(const table *t, const char *name) {
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return 1;
    return 0;
}

/* The source's table `name`, checked against the destination's: every column it has must be
 * there (a column the destination has beyond them takes its default). */
static int load_table(copier *x, const char *name, table *t) {
    int r = read_columns(x, 1, name, t);
    if (r < 0)
        return r;
    table d;
    r = read_columns(x, 0, name, &d);
    if (r < 0) {
        free(d.cols);
        return r;
    }
    if (t->n > 0 && d.n == 0)
        r = aim__db_set_error(x->to, -EPROTO, "%s has no table %s, which %s has: the stores' "
                              "schemas differ (its rows would be lost)", store_name(x->to), name,
                              store_name(x->from));
    for (int i = 0; r == 0 && i < t->n; i++)
        if (!has_column(&d, t->cols[i].name))
            r = aim__db_set_error(x->to, -EPROTO, "%s: table %s has no column %s, which %s "
                                  "has: the stores' schemas differ (its values would be lost)",
                                  store_name(x->to), name, t->cols[i].name, store_name(x->from));
    free(d.cols);
    return r;
}

/* Order of the per-run tables: devices and series before the tables that name them, then
 * by name, so that a destination with foreign keys between them takes the rows. */
static int table_rank(const char *name) {
    return strcmp(name, "devices") == 0 ? 0 : strcmp(name, "series") == 0 ? 1 : 2;
}

static int cmp_tables(const void *a, const void *b) {
    const table *ta = a, *tb = b;
    int ra = table_rank(ta->name), rb = table_rank(tb->name);
    return ra != rb ? ra - rb : strcmp(ta->name, tb->name);
}

/* The source's per-run tables but chunks, each checked against the destination. */
static int load_run_tables(copier *x, table **ret, int *ret_n) {
    *ret = NULL;
    *ret_n = 0;
    aim_sql_stmt *st;
    int r = aim__sql_prepare(x->src, run_tables_sql(x->src), &st);
    if (r < 0)
        return fail(x, r, 1, "cannot read the list of tables");
    char (*names)[NAME_MAX_LEN] = NULL;
    size_t n = 0, cap = 0;
    while ((r = aim__sql_step(st)) == 1) {
        const char *name = aim__sql_column_text(st, 0);
        if (!plain_name(name)) {
            r = aim__db_set_error(x->to, -EPROTO, "%s: a table named \"%.64s\" is not one of "
                                  "aimeter's", store_name(x->from), name ? name : "");
            break;
        }
        if (strcmp(name, "chunks") == 0)
            continue;
        if (AIM_ARRAY_RESERVE(names, cap, n + 1, 16) < 0) {
            r = fail(x, -ENOMEM, 1, "cannot read the list of tables");
            break;
        }
        snprintf(names[n++], NAME_MAX_LEN, "%s", name);
    }
    if (r < 0 && r != -ENOMEM && r != -EPROTO)
        r = fail(x, r, 1, "cannot read the list of tables");
    aim__sql_finalize(st);
    table *tabs = r < 0 || n == 0 ? NULL : calloc(n, sizeof *tabs);
    if (r == 0 && n > 0 && !tabs)
        r = fail(x, -ENOMEM, 1, "cannot read the list of tables");
    int got = 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        r = load_table(x, names[i], &tabs[i]);
        got = (int)i + 1;
    }
    free(names);
    if (r < 0) {
        for (int i = 0; i < got; i++)
            free(tabs[i].cols);
        free(tabs);
        return r;
    }
    qsort(tabs, n, sizeof *tabs, cmp_tables);
    *ret = tabs;
    *ret_n = (int)n;
    return 0;
}

/* ------------------------------------------------------------------ statements */

static void append_columns(aim_strbuf *b, const table *t) {
    for (int i = 0; i < t->n; i++)
        aim__strbuf_printf(b, "%s\"%s\"", i ? ", " : "", t->cols[i].name);
}

/* SELECT every column of t WHERE `where` (parameters ?1...). */
static int prepare_select(copier *x, const table *t, const char *where, aim_sql_stmt **ret) {
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__strbuf_append(&b, "SELECT ");
    append_columns(&b, t);
    aim__strbuf_printf(&b, " FROM \"%s\" WHERE %s", t->name, where);
    char *sql;
    if (aim__strbuf_steal(&b, &sql) < 0)
        return fail(x, -ENOMEM, 1, "cannot read %s", t->name);
    int r = aim__sql_prepare(x->src, sql, ret);
    free(sql);
    return r < 0 ? fail(x, r, 1, "cannot read %s", t->name) : 0;
}

/* INSERT every column of t, then `tail` (an ON CONFLICT clause, or ""). With update_key:
 * ON CONFLICT (update_key) DO UPDATE of every other column. */
static int prepare_insert(copier *x, const table *t, const char *tail, const char *update_key,
                          aim_sql_stmt **ret) {
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__strbuf_printf(&b, "INSERT INTO \"%s\" (", t->name);
    append_columns(&b, t);
    aim__strbuf_append(&b, ") VALUES (");
    for (int i = 0; i < t->n; i++)
        aim__strbuf_printf(&b, "%s?%d", i ? ", " : "", i + 1);
    aim__strbuf_printf(&b, ")%s", tail);
    if (update_key) {
        int any = 0;
        for (int i = 0; i < t->n; i++)
            if (strcmp(t->cols[i].name, update_key) != 0) {
                if (!any)
                    aim__strbuf_printf(&b, " ON CONFLICT (\"%s\") DO UPDATE SET ", update_key);
                aim__strbuf_printf(&b, "%s\"%s\" = excluded.\"%s\"", any ? ", " : "",
                                   t->cols[i].name, t->cols[i].name);
                any = 1;
            }
        if (!any)
            aim__strbuf_printf(&b, " ON CONFLICT (\"%s\") DO NOTHING", update_key);
    }
    char *sql;
    if (aim__strbuf_steal(&b, &sql) < 0)
        return fail(x, -ENOMEM, 0, "cannot write %s", t->name);
    int r = aim__sql_prepare(x->dst, sql, ret);
    free(sql);
    return r < 0 ? fail(x, r, 0, "cannot write %s", t->name) : 0;
}

/* Binds column i of the source's current row as parameter i + 1 of ins. The source's
 * pointers stay valid until its next step, which comes after ins has run. */
static int bind_value(aim_sql_stmt *sel, aim_sql_stmt *ins, int i, enum kind kind) {
    if (aim__sql_column_is_null(sel, i))
        return aim__sql_bind_null(ins, i + 1);
    switch (kind) {
    case K_INT:
        return aim__sql_bind_int64(ins, i + 1, aim__sql_column_int64(sel, i));
    case K_DOUBLE:
        return aim__sql_bind_double(ins, i + 1, aim__sql_column_double(sel, i));
    case K_BLOB: {
        size_t len = 0;
        const void *p = aim__sql_column_blob(sel, i, &len);
        /* An empty blob reads as NULL: bind it as empty, not as NULL. */
        return aim__sql_bind_blob(ins, i + 1, p ? p : "", p ? len : 0);
    }
    default:
        return aim__sql_bind_text(ins, i + 1, aim__sql_column_text(sel, i));
    }
}

/* Every row sel gives (bound and reset by the caller) inserted by ins: the rows written
 * (engine's count) added to *ret_written. */
static int pump(copier *x, const table *t, aim_sql_stmt *sel, aim_sql_stmt *ins,
                int64_t *ret_written) {
    int r;
    while ((r = aim__sql_step(sel)) == 1) {
        for (int i = 0; i < t->n && r >= 0; i++)
            r = bind_value(sel, ins, i, t->cols[i].kind);
        if (r < 0)
            return fail(x, r, 0, "cannot write %s", t->name);
        r = aim__sql_step(ins);
        if (r < 0) {
            r = fail(x, r, 0, "cannot write %s", t->name);
            aim__sql_reset(ins);
            return r;
        }
        *ret_written += aim__sql_changes(x->dst);
        aim__sql_reset(ins);
    }
    return r < 0 ? fail(x, r, 1, "cannot read %s", t->name) : 0;
}

/* One statement on the destination with the run id as ?1 (a DELETE). */
static int dst_run(copier *x, const char *sql, const char *what) {
    aim_sql_stmt *st;
    int r = aim__sql_prepare(x->dst, sql, &st);
    if (r == 0) {
        aim__sql_bind_text(st, 1, x->run_id);
        r = aim__sql_step(st);
        aim__sql_finalize(st);
    }
    return r < 0 ? fail(x, r, 0, "%s", what) : 0;
}

/* ------------------------------------------------------------------ the copy */

/* Refuses to touch a destination run of the same id that is another run: ids are a start
 * second and 24 random bits, unique in the store that made them only, so two nodes of one
 * job may well have made the same one. A run is the same when its host and start time are:
 * a copy of it (an earlier push) or nothing at all. -EEXIST with nothing written. */
static int check_same_run(copier *x, const char *host, int64_t start_ns) {
    aim_sql_stmt *st;
    int r = aim__sql_prepare(x->dst, "SELECT host, start_wall_ns FROM runs WHERE id = ?1", &st);
    if (r < 0)
        return fail(x, r, 0, "cannot read the run");
    aim__sql_bind_text(st, 1, x->run_id);
    r = aim__sql_step(st);
    if (r == 1) {
        const char *dhost = aim__sql_column_text(st, 0);
        int64_t dstart = aim__sql_column_int64(st, 1);
        if (strcmp(dhost ? dhost : "", host) != 0 || dstart != start_ns) {
            char when[32];
            aim__fmt_time_iso(when, sizeof when, dstart);
            r = aim__db_set_error(x->to, -EEXIST, "run %s in %s is another run (host %.64s, "
                                  "started %s); not copied", x->run_id, store_name(x->to),
                                  dhost ? dhost : "", when);
        }
    } else if (r < 0) {
        r = fail(x, r, 0, "cannot read the run");
    }
    aim__sql_finalize(st);
    return r < 0 ? r : 0;
}

/* The run's row: inserted, or updated where a copy of it is there (its totals and status
 * change until the run ends), unless the destination's run of that id is another run.
 * Sets st.running from its status. */
static int copy_run_row(copier *x) {
    table t;
    int r = load_table(x, "runs", &t);
    if (r < 0) {
        free(t.cols);
        return r;
    }
    aim_sql_stmt *st;
    r = aim__sql_prepare(x->src, "SELECT status, host, start_wall_ns FROM runs WHERE id = ?1",
                         &st);
    if (r < 0) {
        free(t.cols);
        return fail(x, r, 1, "cannot read the run");
    }
    aim__sql_bind_text(st, 1, x->run_id);
    r = aim__sql_step(st);
    char host[256] = "";
    int64_t start_ns = 0;
    if (r == 1) {
        const char *status = aim__sql_column_text(st, 0);
        x->st.running = status && strcmp(status, "running") == 0;
        const char *h = aim__sql_column_text(st, 1);
        snprintf(host, sizeof host, "%s", h ? h : "");
        start_ns = aim__sql_column_int64(st, 2);
    }
    aim__sql_finalize(st);
    if (r == 1)
        r = check_same_run(x, host, start_ns);
    else if (r == 0)
        r = aim__db_set_error(x->to, -ENOENT, "%s: no run %s", store_name(x->from), x->run_id);
    else if (r < 0)
        r = fail(x, r, 1, "cannot read the run");
    aim_sql_stmt *sel = NULL, *ins = NULL;
    if (r >= 0)
        r = prepare_select(x, &t, "\"id\" = ?1", &sel);
    if (r >= 0)
        r = prepare_insert(x, &t, "", "id", &ins);
    if (r >= 0) {
        aim__sql_bind_text(sel, 1, x->run_id);
        r = pump(x, &t, sel, ins, &x->st.rows);
    }
    aim__sql_finalize(sel);
    aim__sql_finalize(ins);
    free(t.cols);
    return r < 0 ? r : 0;
}

/* The metrics the run's series name, where the destination lacks them: its own registry's
 * rows are written when it is opened, an older aimeter's metric would have no unit there. */
static int copy_metrics(copier *x) {
    table t;
    int r = read_columns(x, 1, "metrics", &t);
    if (r == 0 && t.n > 0 && has_column(&t, "key")) {
        free(t.cols);
        r = load_table(x, "metrics", &t);
        aim_sql_stmt *sel = NULL, *ins = NULL;
        if (r == 0)
            r = prepare_select(x, &t, "\"key\" IN (SELECT metric_key FROM series "
                               "WHERE run_id = ?1)", &sel);
        if (r == 0)
            r = prepare_insert(x, &t, " ON CONFLICT (\"key\") DO NOTHING", NULL, &ins);
        if (r == 0) {
            aim__sql_bind_text(sel, 1, x->run_id);
            r = pump(x, &t, sel, ins, &x->st.rows);
        }
        aim__sql_finalize(sel);
        aim__sql_finalize(ins);
    }
    free(t.cols);
    return r;
}

/* Every per-run table but chunks: the destination's rows of the run replaced by the
 * source's (deleted in reverse order, inserted in order). */
static int copy_tables(copier *x, const table *tabs, int n) {
    int r = 0;
    for (int i = n - 1; r == 0 && i >= 0; i--) {
        char sql[160], what[128];
        snprintf(sql, sizeof sql, "DELETE FROM \"%s\" WHERE run_id = ?1", tabs[i].name);
        snprintf(what, sizeof what, "cannot replace the run's %s", tabs[i].name);
        r = dst_run(x, sql, what);
    }
    for (int i = 0; r == 0 && i < n; i++) {
        aim_sql_stmt *sel = NULL, *ins = NULL;
        r = prepare_select(x, &tabs[i], "run_id = ?1", &sel);
        if (r == 0)
            r = prepare_insert(x, &tabs[i], "", NULL, &ins);
        if (r == 0) {
            aim__sql_bind_text(sel, 1, x->run_id);
            r = pump(x, &tabs[i], sel, ins, &x->st.rows);
        }
        aim__sql_finalize(sel);
        aim__sql_finalize(ins);
    }
    return r;
}

/* The keys and fingerprints of the run's chunks in one store, in key order. */
static int chunk_keys(copier *x, int from_src, chunk_key **ret, size_t *ret_n) {
    aim_sql *c = from_src ? x->src : x->dst;
    *ret = NULL;
    *ret_n = 0;
    aim_sql_stmt *st;
    int r = aim__sql_prepare(c, "SELECT grp, seq, t_first_ns, t_last_ns, n_ticks, length(data) "
                                "FROM chunks WHERE run_id = ?1 ORDER BY grp, seq", &st);
    if (r < 0)
        return fail(x, r, from_src, "cannot read the run's chunks");
    chunk_key *keys = NULL;
    size_t n = 0, cap = 0;
    aim__sql_bind_text(st, 1, x->run_id);
    while ((r = aim__sql_step(st)) == 1) {
        if (AIM_ARRAY_RESERVE(keys, cap, n + 1, 256) < 0) {
            r = -ENOMEM;
            break;
        }
        chunk_key *k = &keys[n++];
        k->grp = aim__sql_column_int64(st, 0);
        k->seq = aim__sql_column_int64(st, 1);
        k->t_first = aim__sql_column_int64(st, 2);
        k->t_last = aim__sql_column_int64(st, 3);
        k->n_ticks = aim__sql_column_int64(st, 4);
        k->len = aim__sql_column_int64(st, 5);
    }
    aim__sql_finalize(st);
    if (r < 0) {
        free(keys);
        return fail(x, r, from_src, "cannot read the run's chunks");
    }
    *ret = keys;
    *ret_n = n;
    return 0;
}

static int cmp_key(const chunk_key *a, const chunk_key *b) {
    if (a->grp != b->grp)
        return a->grp < b->grp ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int same_chunk(const chunk_key *a, const chunk_key *b) {
    return a->t_first == b->t_first && a->t_last == b->t_last && a->n_ticks == b->n_ticks &&
           a->len == b->len;
}

/* The chunks: the destination's keys merged with the source's. */
typedef struct chunk_stmts {
    aim_sql_stmt *sel;  /* source: one chunk by key */
    aim_sql_stmt *ins;  /* destination: insert, nothing when there */
    aim_sql_stmt *del;  /* destination: one chunk by key */
} chunk_stmts;

static int delete_chunk(copier *x, chunk_stmts *s, const chunk_key *k) {
    aim__sql_bind_text(s->del, 1, x->run_id);
    aim__sql_bind_int64(s->del, 2, k->grp);
    aim__sql_bind_int64(s->del, 3, k->seq);
    int r = aim__sql_step(s->del);
    aim__sql_reset(s->del);
    return r < 0 ? fail(x, r, 0, "cannot replace chunk %lld of group %lld", (long long)k->seq,
                        (long long)k->grp) : 0;
}

static int insert_chunk(copier *x, const table *t, chunk_stmts *s, const chunk_key *k) {
    aim__sql_bind_text(s->sel, 1, x->run_id);
    aim__sql_bind_int64(s->sel, 2, k->grp);
    aim__sql_bind_int64(s->sel, 3, k->seq);
    int64_t written = 0;
    int r = pump(x, t, s->sel, s->ins, &written);
    aim__sql_reset(s->sel);
    if (r < 0)
        return r;
    /* Nothing written: another copy inserted it since the keys were read. */
    if (written > 0)
        x->st.chunks_written += written;
    else
        x->st.chunks_present++;
    return 0;
}

static int copy_chunks(copier *x) {
    table t;
    int r = load_table(x, "chunks", &t);
    chunk_key *src = NULL, *dst = NULL;
    size_t ns = 0, nd = 0;
    chunk_stmts s = { NULL, NULL, NULL };
    if (r == 0 && t.n == 0)
        goto out; /* a store without samples at all */
    if (r == 0)
        r = chunk_keys(x, 1, &src, &ns);
    if (r == 0)
        r = chunk_keys(x, 0, &dst, &nd);
    if (r == 0)
        r = prepare_select(x, &t, "run_id = ?1 AND grp = ?2 AND seq = ?3", &s.sel);
    if (r == 0)
        r = prepare_insert(x, &t, " ON CONFLICT (run_id, grp, seq) DO NOTHING", NULL, &s.ins);
    if (r == 0) {
        r = aim__sql_prepare(x->dst, "DELETE FROM chunks WHERE run_id = ?1 AND grp = ?2 AND "
                             "seq = ?3", &s.del);
        if (r < 0)
            r = fail(x, r, 0, "cannot write chunks");
    }
    for (size_t i = 0, j = 0; r == 0 && (i < ns || j < nd);) {
        int c = i < ns && j < nd ? cmp_key(&src[i], &dst[j]) : i < ns ? -1 : 1;
        if (c == 0 && same_chunk(&src[i], &dst[j])) {
            x->st.chunks_present++;
        } else if (c == 0 && (x->flags & AIM_COPY_KEEP_EXTRA)) {
            x->st.chunks_kept++; /* the source's was downsampled: the destination's is raw */
        } else if (c == 0) {
            r = delete_chunk(x, &s, &dst[j]);
            if (r == 0)
                r = insert_chunk(x, &t, &s, &src[i]);
        } else if (c < 0) {
            r = insert_chunk(x, &t, &s, &src[i]);
        } else if (!(x->flags & AIM_COPY_KEEP_EXTRA)) {
            r = delete_chunk(x, &s, &dst[j]);
            x->st.chunks_removed += r == 0;
        } else {
            x->st.chunks_kept++; /* pruned (or dropped by a spool) at the source */
        }
        i += c <= 0;
        j += c >= 0;
    }
out:
    aim__sql_finalize(s.sel);
    aim__sql_finalize(s.ins);
    aim__sql_finalize(s.del);
    free(src);
    free(dst);
    free(t.cols);
    return r;
}

static int copy(copier *x) {
    table *tabs = NULL;
    int n = 0;
    int r = copy_run_row(x);
    if (r == 0)
        r = load_run_tables(x, &tabs, &n);
    if (r == 0)
        r = copy_metrics(x);
    if (r == 0)
        r = copy_tables(x, tabs, n);
    if (r == 0)
        r = copy_chunks(x);
    for (int i = 0; i < n; i++)
        free(tabs[i].cols);
    free(tabs);
    return r;
}

/* ------------------------------------------------------------------ fingerprint */

/* FNV-1a (64 bits): a change detector, not a defence against anyone. */
#define FP_OFFSET 14695981039346656037ULL
#define FP_PRIME 1099511628211ULL

static uint64_t fp_bytes(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * FP_PRIME;
    return h;
}

static uint64_t fp_u64(uint64_t h, uint64_t v) { return fp_bytes(h, &v, sizeof v); }

/* Every row of t that `where` (?1 = the run) selects on the source, hashed as a set (the sum
 * of the rows' hashes: their order is the engine's), into *h with the table's name and count. */
static int fp_table(copier *x, const table *t, const char *where, uint64_t *h) {
    aim_sql_stmt *sel = NULL;
    int r = prepare_select(x, t, where, &sel);
    if (r < 0)
        return r;
    aim__sql_bind_text(sel, 1, x->run_id);
    uint64_t sum = 0, count = 0;
    while ((r = aim__sql_step(sel)) == 1) {
        uint64_t rh = FP_OFFSET;
        for (int i = 0; i < t->n; i++) {
            unsigned char tag = aim__sql_column_is_null(sel, i) ? 0 : (unsigned char)(1 + t->cols[i].kind);
            rh = fp_bytes(rh, &tag, 1);
            if (tag == 0)
                continue;
            if (t->cols[i].kind == K_INT) {
                rh = fp_u64(rh, (uint64_t)aim__sql_column_int64(sel, i));
            } else if (t->cols[i].kind == K_DOUBLE) {
                double d = aim__sql_column_double(sel, i);
                uint64_t bits;
                memcpy(&bits, &d, sizeof bits);
                rh = fp_u64(rh, bits);
            } else if (t->cols[i].kind == K_BLOB) {
                size_t len = 0;
                const void *p = aim__sql_column_blob(sel, i, &len);
                rh = fp_bytes(fp_u64(rh, len), p ? p : "", p ? len : 0);
            } else {
                const char *v = aim__sql_column_text(sel, i);
                size_t len = v ? strlen(v) : 0;
                rh = fp_bytes(fp_u64(rh, len), v ? v : "", len);
            }
        }
        sum += rh;
        count++;
    }
    aim__sql_finalize(sel);
    if (r < 0)
        return fail(x, r, 1, "cannot read %s", t->name);
    *h = fp_u64(fp_u64(fp_bytes(*h, t->name, strlen(t->name) + 1), sum), count);
    return 0;
}

static int cmp_names(const void *a, const void *b) { return strcmp(a, b); }

/* The source's run (x->run_id) hashed: its row, each per-run table's rows (by table name),
 * its chunks' keys and fingerprints (not their data: a rewrite changes its times, ticks or
 * size, as copy_chunks compares them). */
static int run_fingerprint(copier *x, uint64_t *ret) {
    uint64_t h = FP_OFFSET;
    table t;
    int r = read_columns(x, 1, "runs", &t);
    if (r == 0)
        r = fp_table(x, &t, "\"id\" = ?1", &h);
    free(t.cols);
    char (*names)[NAME_MAX_LEN] = NULL;
    size_t n = 0, cap = 0;
    aim_sql_stmt *st = NULL;
    if (r == 0 && (r = aim__sql_prepare(x->src, run_tables_sql(x->src), &st)) < 0)
        r = fail(x, r, 1, "cannot read the list of tables");
    while (r == 0 && (r = aim__sql_step(st)) == 1) {
        const char *name = aim__sql_column_text(st, 0);
        r = 0;
        if (!plain_name(name) || strcmp(name, "chunks") == 0)
            continue; /* not aimeter's (the copy refuses those), or hashed by key below */
        if (AIM_ARRAY_RESERVE(names, cap, n + 1, 16) < 0) {
            r = fail(x, -ENOMEM, 1, "cannot read the list of tables");
            break;
        }
        snprintf(names[n++], NAME_MAX_LEN, "%s", name);
    }
    if (r < 0 && r != -ENOMEM && st)
        r = fail(x, r, 1, "cannot read the list of tables");
    aim__sql_finalize(st);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; r >= 0 && i < n; i++) {
        r = read_columns(x, 1, names[i], &t);
        if (r == 0)
            r = fp_table(x, &t, "run_id = ?1", &h);
        free(t.cols);
    }
    free(names);
    chunk_key *keys = NULL;
    size_t nk = 0;
    if (r >= 0)
        r = chunk_keys(x, 1, &keys, &nk);
    for (size_t i = 0; r >= 0 && i < nk; i++) {
        const chunk_key *k = &keys[i];
        uint64_t v[6] = { (uint64_t)k->grp, (uint64_t)k->seq, (uint64_t)k->t_first,
                          (uint64_t)k->t_last, (uint64_t)k->n_ticks, (uint64_t)k->len };
        h = fp_bytes(h, v, sizeof v);
    }
    free(keys);
    if (r < 0)
        return r;
    *ret = fp_u64(h, nk);
    return 0;
}

int aim__store_run_fingerprint(aim_db *db, const char *run_id, uint64_t *ret) {
    if (!db || !run_id || !*run_id || !ret)
        return -EINVAL;
    copier x = { .from = db, .to = db, .run_id = run_id };
    x.src = x.dst = aim__db_sql(db);
    if (!x.src)
        return aim__db_set_error(db, -EOPNOTSUPP, "%s is not an SQL store", store_name(db));
    return run_fingerprint(&x, ret);
}

/* The source is read in one snapshot, so that the run's row, its tables and its chunks are
 * of one commit of a run still being written. Deferred on SQLite: a read lock, no write
 * lock, and the writer goes on (WAL). */
static int snapshot_begin(copier *x) {
    const char *sql = aim__sql_dialect(x->src) == AIM_SQL_SQLITE
                          ? "BEGIN"
                          : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    int r = aim__sql_exec(x->src, sql);
    return r < 0 ? fail(x, r, 1, "cannot read the store") : 0;
}

static void snapshot_end(copier *x) {
    aim__sql_exec(x->src, "COMMIT");
}

int aim__store_copy_run(aim_db *from, aim_db *to, const char *run_id, unsigned flags,
                        aim_copy_stats *ret) {
    if (!to)
        return -EINVAL;
    if (!from || from == to || !run_id || !*run_id)
        return aim__db_set_error(to, -EINVAL, "store copy: %s", !run_id || !*run_id
                                 ? "no run given" : "no source store, or the destination itself");
    copier x = { .from = from, .to = to, .run_id = run_id, .flags = flags };
    x.src = aim__db_sql(from);
    x.dst = aim__db_sql(to);
    if (!x.src || !x.dst)
        return aim__db_set_error(to, -EOPNOTSUPP, "store copy: %s is not an SQL store",
                                 x.src ? store_name(to) : store_name(from));
    int own_snapshot = !aim__sql_in_transaction(x.src);
    int r = own_snapshot ? snapshot_begin(&x) : 0;
    if (r < 0)
        return r;
    /* First: the snapshot (SQLite's deferred BEGIN) starts at this read. */
    if (flags & AIM_COPY_FINGERPRINT)
        r = run_fingerprint(&x, &x.st.fingerprint);
    if (r == 0)
        r = aim__db_begin(to);
    if (r == 0) {
        r = copy(&x);
        if (r == 0) {
            r = aim__db_commit(to); /* rolls back when it fails */
        } else {
            /* The rollback's own message must not replace the reason. */
            char why[sizeof to->err];
            memcpy(why, to->err, sizeof why);
            aim__db_rollback(to);
            memcpy(to->err, why, sizeof why);
        }
    }
    if (own_snapshot)
        snapshot_end(&x);
    if (r == 0 && ret)
        *ret = x.st;
    return r;
}

/* ------------------------------------------------------------------ dropping a run */

/* The spool's clean-up (copy_store.h): every per-run table, then the run's row, in one
 * transaction; the tables read from the catalogue as the copy reads them. */
static int drop_run(aim_db *db, const char *run_id, const uint64_t *copied);

int aim__store_drop_run(aim_db *db, const char *run_id) { return drop_run(db, run_id, NULL); }

int aim__store_drop_run_if(aim_db *db, const char *run_id, uint64_t copied) {
    return drop_run(db, run_id, &copied);
}

/* db's per-run tables (a run_id column; aimeter's names only), from its catalogue. */
static int list_run_tables(aim_db *db, aim_sql *c, char (**ret)[NAME_MAX_LEN], size_t *ret_n) {
    char (*names)[NAME_MAX_LEN] = NULL;
    size_t n = 0, cap = 0;
    aim_sql_stmt *st = NULL;
    int r = aim__sql_prepare(c, run_tables_sql(c), &st);
    while (r == 0 && (r = aim__sql_step(st)) == 1) {
        const char *name = aim__sql_column_text(st, 0);
        if (!plain_name(name)) {
            r = 0;
            continue; /* not aimeter's: left alone */
        }
        if (AIM_ARRAY_RESERVE(names, cap, n + 1, 16) < 0) {
            r = -ENOMEM;
            break;
        }
        snprintf(names[n++], NAME_MAX_LEN, "%s", name);
        r = 0; /* the next row */
    }
    aim__sql_finalize(st);
    if (r < 0) {
        free(names);
        return aim__db_set_error(db, r, "%s: cannot list the tables: %s", store_name(db),
                                 r == -ENOMEM ? "out of memory" : aim__sql_errmsg(c));
    }
    *ret = names;
    *ret_n = n;
    return 0;
}

/* The runs row of `from` inserted as `to` (?1, ?2): every column the store has, id
 * replaced, so that a column a migration adds is carried without a change here. */
static int runs_row_copy_sql(aim_sql *c, aim_strbuf *sql) {
    aim_sql_stmt *st = NULL;
    aim_strbuf cols = { 0 }, vals = { 0 };
    int r = aim__sql_prepare(c, columns_sql(c), &st);
    if (r == 0)
        r = aim__sql_bind_text(st, 1, "runs");
    while (r == 0 && (r = aim__sql_step(st)) == 1) {
        const char *name = aim__sql_column_text(st, 0);
        if (!plain_name(name)) {
            r = 0;
            continue;
        }
        aim__strbuf_printf(&cols, "%s\"%s\"", cols.len ? ", " : "", name);
        if (strcmp(name, "id") == 0)
            aim__strbuf_printf(&vals, "%s?2", vals.len ? ", " : "");
        else
            aim__strbuf_printf(&vals, "%s\"%s\"", vals.len ? ", " : "", name);
        r = 0; /* the next row */
    }
    aim__sql_finalize(st);
    if (r == 0 && (cols.err || vals.err))
        r = -ENOMEM;
    if (r == 0)
        aim__strbuf_printf(sql, "INSERT INTO runs (%s) SELECT %s FROM runs WHERE id = ?1",
                            cols.data, vals.data);
    if (r == 0 && sql->err)
        r = -ENOMEM;
    aim__strbuf_free(&cols);
    aim__strbuf_free(&vals);
    return r;
}

/* One statement with ?1 = from, ?2 = to (when it has it). */
static int run_two(aim_sql *c, const char *sql, const char *from, const char *to) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_prepare(c, sql, &st);
    if (r == 0 && (r = aim__sql_bind_text(st, 1, from)) == 0 && strstr(sql, "?2"))
        r = aim__sql_bind_text(st, 2, to);
    if (r == 0)
        r = aim__sql_step(st);
    aim__sql_finalize(st);
    return r < 0 ? r : 0;
}

/* The copy of the run's row under the new id first, then every per-run table's rows moved
 * to it, then the old row: the foreign keys to runs(id) hold at every statement. */
int aim__store_rename_run(aim_db *db, const char *run_id, const char *new_id) {
    if (!db || !run_id || !*run_id || !new_id || !*new_id || strlen(new_id) >= 40)
        return -EINVAL;
    aim_sql *c = aim__db_sql(db);
    if (!c)
        return aim__db_set_error(db, -EOPNOTSUPP, "%s is not an SQL store", store_name(db));
    char (*names)[NAME_MAX_LEN] = NULL;
    size_t n = 0;
    int r = list_run_tables(db, c, &names, &n);
    if (r < 0)
        return r;
    aim_strbuf ins = { 0 };
    r = runs_row_copy_sql(c, &ins);
    if (r < 0) {
        free(names);
        aim__strbuf_free(&ins);
        return aim__db_set_error(db, r, "%s: cannot read the runs table: %s", store_name(db),
                                 r == -ENOMEM ? "out of memory" : aim__sql_errmsg(c));
    }
    r = aim__db_begin(db);
    if (r == 0 && aim__db_run_exists(db, run_id) == -ENOENT)
        r = aim__db_set_error(db, -ENOENT, "%s: no run %s", store_name(db), run_id);
    else if (r == 0 && aim__db_run_exists(db, new_id) == 0)
        r = aim__db_set_error(db, -EEXIST, "%s: run %s exists already", store_name(db), new_id);
    if (r == 0 && (r = run_two(c, ins.data, run_id, new_id)) < 0)
        r = aim__db_set_error(db, r, "%s: cannot rename run %s: %s", store_name(db), run_id,
                              aim__sql_errmsg(c));
    for (size_t i = 0; r == 0 && i <= n; i++) {
        char sql[160];
        if (i < n)
            snprintf(sql, sizeof sql, "UPDATE \"%s\" SET run_id = ?2 WHERE run_id = ?1", names[i]);
        else
            snprintf(sql, sizeof sql, "DELETE FROM runs WHERE id = ?1");
        if ((r = run_two(c, sql, run_id, new_id)) < 0)
            r = aim__db_set_error(db, r, "%s: cannot rename run %s: %s", store_name(db), run_id,
                                  aim__sql_errmsg(c));
    }
    free(names);
    aim__strbuf_free(&ins);
    if (r == 0)
        return aim__db_commit(db);
    char why[sizeof db->err];
    memcpy(why, db->err, sizeof why);
    aim__db_rollback(db);
    memcpy(db->err, why, sizeof why);
    return r;
}

/* copied: remove only when the run's fingerprint, read inside the deleting transaction,
 * equals it. */
static int drop_run(aim_db *db, const char *run_id, const uint64_t *copied) {
    if (!db || !run_id || !*run_id)
        return -EINVAL;
    aim_sql *c = aim__db_sql(db);
    if (!c)
        return aim__db_set_error(db, -EOPNOTSUPP, "%s is not an SQL store", store_name(db));
    char (*names)[NAME_MAX_LEN] = NULL;
    size_t n = 0;
    aim_sql_stmt *st = NULL;
    int r = list_run_tables(db, c, &names, &n);
    if (r < 0)
        return r;
    r = aim__db_begin(db);
    if (r == 0 && copied) {
        /* The check and the deletes in one transaction that no other commit can come
         * between: SQLite's BEGIN IMMEDIATE holds the write lock already; PostgreSQL's
         * serializable isolation fails one of two that overlap. */
        if (aim__sql_dialect(c) != AIM_SQL_SQLITE &&
            (r = aim__sql_exec(c, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")) < 0)
            r = aim__db_set_error(db, r, "%s: cannot remove run %s: %s", store_name(db), run_id,
                                  aim__sql_errmsg(c));
        uint64_t now = 0;
        int gone = r == 0 && aim__db_run_exists(db, run_id) == -ENOENT; /* nothing to remove */
        if (r == 0 && !gone)
            r = aim__store_run_fingerprint(db, run_id, &now);
        if (r == 0 && !gone && now != *copied)
            r = aim__db_set_error(db, -ESTALE, "%s: run %s was written to since it was copied: "
                                  "kept (copied again, it can be removed)", store_name(db), run_id);
    }
    /* Children first (chunks among them), the run's row last: whatever foreign keys say. */
    for (size_t i = 0; r == 0 && i <= n; i++) {
        char sql[160];
        if (i < n)
            snprintf(sql, sizeof sql, "DELETE FROM \"%s\" WHERE run_id = ?1", names[i]);
        else
            snprintf(sql, sizeof sql, "DELETE FROM runs WHERE id = ?1");
        r = aim__sql_prepare(c, sql, &st);
        if (r == 0) {
            aim__sql_bind_text(st, 1, run_id);
            r = aim__sql_step(st);
            aim__sql_finalize(st);
        }
        if (r < 0)
            r = aim__db_set_error(db, r, "%s: cannot remove run %s: %s", store_name(db), run_id,
                                  aim__sql_errmsg(c));
        else
            r = 0;
    }
    free(names);
    if (r == 0)
        return aim__db_commit(db);
    char why[sizeof db->err];
    memcpy(why, db->err, sizeof why);
    aim__db_rollback(db);
    memcpy(db->err, why, sizeof why);
    return r;
}
