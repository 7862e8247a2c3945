/* A run's chunks (store/store.h): the writer's insert, the iterator the series reader reads
 * them with, and the per-group facts it needs (codec columns, tick count), in the SQL both
 * back-ends run (store/sql/sql.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql/core.h"
#include "util/array.h"

#define S(db) AIM_SQL_STORE(db)

static const char chunk_insert_sql[] =
    "INSERT INTO chunks (run_id, grp, seq, t_first_ns, t_last_ns, n_ticks, data, summary) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char group_columns_sql[] =
    "SELECT resolution, counter FROM series WHERE run_id = ?1 AND grp = ?2 ORDER BY slot";
/* PostgreSQL's sum of BIGINTs is a NUMERIC: cast back, so that both engines answer an
 * integer. */
static const char group_ticks_sql[] =
    "SELECT count(*), CAST(coalesce(sum(n_ticks), 0) AS BIGINT) FROM chunks "
    "WHERE run_id = ?1 AND grp = ?2";

/* The iterator's pages, their size the dialect's choice (page_size). SQLite steps a
 * statement's rows lazily, in one read snapshot: the whole group is ONE page (no limit), so
 * that a retention pass that rewrites old chunks meanwhile (store/sql/retention.c: a bucket
 * takes its first seq, the others are deleted) cannot make the reader skip the merged data.
 * A server engine (PostgreSQL) hands a statement's whole result at once: the iterator asks
 * for PG_PAGE chunks at a time, after the last seq it read, and holds one page at most,
 * whatever the run's length; its pages are separate snapshots (docs/store.md: aimeter's
 * writers never downsample a PostgreSQL store). A store of schema 10 read as it is has no
 * summaries: NULL in their place. */
#define PG_PAGE 64
static const char *const page_sql[2] = {
    "SELECT data, seq, NULL FROM chunks WHERE run_id = ?1 AND grp = ?2 AND t_last_ns >= ?3 "
    "AND seq > ?4 ORDER BY seq LIMIT ?5",
    "SELECT data, seq, summary FROM chunks WHERE run_id = ?1 AND grp = ?2 AND t_last_ns >= ?3 "
    "AND seq > ?4 ORDER BY seq LIMIT ?5",
};

static int64_t page_size(aim_db *db) {
    return aim__sql_dialect(S(db)->conn) == AIM_SQL_SQLITE ? INT64_MAX : PG_PAGE;
}

int sql_chunk_insert(aim_db *db, const char *run_id, int group, int64_t seq, int64_t t_first_ns,
                     int64_t t_last_ns, int n_ticks, const void *blob, size_t len,
                     const void *summary, size_t summary_len) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_CHUNK_INSERT, chunk_insert_sql, &st);
    if (r < 0)
        return r;
    if (len > INT32_MAX)
        return aim__db_set_error(db, -EFBIG, "%s: chunk too large", S(db)->path);
    /* Binding fails only on a bad parameter number or no memory, and the step reports it:
     * data is NOT NULL. */
    aim__sql_bind_text(st, 1, run_id ? run_id : "");
    aim__sql_bind_int64(st, 2, group);
    aim__sql_bind_int64(st, 3, seq);
    aim__sql_bind_int64(st, 4, t_first_ns);
    aim__sql_bind_int64(st, 5, t_last_ns);
    aim__sql_bind_int64(st, 6, n_ticks);
    /* Borrowed, not copied (the writer's backlog copy outlives the step): no memcpy on the
     * ingest path. An empty blob is an empty value, not NULL. */
    aim__sql_bind_blob(st, 7, blob ? blob : "", len);
    aim__sql_bind_blob(st, 8, summary_len <= INT32_MAX ? summary : NULL, summary_len);
    S(db)->tx_chunks = 1;
    return aim__sql_store_done(db, st, "cannot insert a chunk");
}

/* ------------------------------------------------------------------ the iterator */

typedef struct sql_chunk_iter {
    aim_db *db;
    aim_sql_stmt *st;         /* its own statement: several iterators may be live */
    char *run_id;             /* bound by the pages, so the iterator's own copy */
    int group;
    int64_t from_ns;
    int64_t last_seq;         /* of the last chunk handed out */
    int64_t page;             /* chunks per page (page_size) */
    int64_t in_page;          /* rows read of the current page */
    int running;              /* the statement is inside a page */
    int done;
} sql_chunk_iter;

int sql_chunk_iter_new(aim_db *db, const char *run_id, int group, int64_t from_ns, void **ret) {
    sql_chunk_iter *it = calloc(1, sizeof *it);
    if (!it || !(it->run_id = strdup(run_id ? run_id : ""))) {
        free(it);
        return aim__db_set_error(db, -ENOMEM, "out of memory");
    }
    it->db = db;
    it->group = group;
    it->from_ns = from_ns;
    it->last_seq = INT64_MIN;
    it->page = page_size(db);
    int r = aim__sql_prepare(S(db)->conn, page_sql[S(db)->summaries != 0], &it->st);
    if (r < 0) {
        free(it->run_id);
        free(it);
        return aim__sql_store_fail(db, r, "cannot read chunks");
    }
    *ret = it;
    return 0;
}

/* Steps the page; at a full page's end, runs the next one after the last seq. 1: a row,
 * 0: the end, -errno. */
static int step(sql_chunk_iter *it) {
    for (;;) {
        if (!it->running) {
            aim__sql_bind_text(it->st, 1, it->run_id);
            aim__sql_bind_int64(it->st, 2, it->group);
            aim__sql_bind_int64(it->st, 3, it->from_ns);
            aim__sql_bind_int64(it->st, 4, it->last_seq);
            aim__sql_bind_int64(it->st, 5, it->page);
            it->running = 1;
            it->in_page = 0;
        }
        int r = aim__sql_step(it->st);
        if (r == 1) {
            it->in_page++;
            it->last_seq = aim__sql_column_int64(it->st, 1);
            return 1;
        }
        /* Done or failed: the page is over (reset also unbinds). */
        int full = it->in_page == it->page;
        aim__sql_reset(it->st);
        it->running = 0;
        if (r < 0 || !full)
            return r;
    }
}

int sql_chunk_iter_next(void *iter, const uint8_t **ret_blob, size_t *ret_len, int64_t *ret_seq) {
    sql_chunk_iter *it = iter;
    if (it->done)
        return 0;
    int r = step(it);
    if (r <= 0) {
        it->done = r == 0;
        return r < 0 ? aim__sql_store_fail(it->db, r, "cannot read chunks") : 0;
    }
    size_t len = 0;
    const void *blob = aim__sql_column_blob(it->st, 0, &len);
    /* An empty blob reads as NULL in SQLite. */
    *ret_blob = blob ? blob : (const uint8_t *)"";
    *ret_len = blob ? len : 0;
    if (ret_seq)
        *ret_seq = it->last_seq;
    return 1;
}

int sql_chunk_iter_summary(void *iter, const uint8_t **ret, size_t *ret_len) {
    sql_chunk_iter *it = iter;
    size_t len = 0;
    const void *blob = it->running ? aim__sql_column_blob(it->st, 2, &len) : NULL;
    *ret = blob;
    *ret_len = blob ? len : 0;
    return blob && len > 0;
}

void sql_chunk_iter_free(void *iter) {
    sql_chunk_iter *it = iter;
    if (!it)
        return;
    aim__sql_finalize(it->st);
    free(it->run_id);
    free(it);
}

/* ------------------------------------------------------------------ per group */

int sql_group_ticks(aim_db *db, const char *run_id, int group, int64_t *ret_ticks) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_GROUP_TICKS, group_ticks_sql, &st);
    if (r < 0)
        return r;
    aim__sql_bind_text(st, 1, run_id ? run_id : "");
    aim__sql_bind_int64(st, 2, group);
    r = aim__sql_step(st);
    if (r == 1) {
        *ret_ticks = aim__sql_column_int64(st, 1);
        r = 0;
    } else {
        r = aim__sql_store_fail(db, r < 0 ? r : -EIO, "cannot count ticks");
    }
    aim__sql_reset(st);
    return r;
}

int sql_group_columns(aim_db *db, const char *run_id, int group, aim_chunk_column **ret,
                      int *ret_n) {
    aim_sql_stmt *st = NULL;
    int r = aim__sql_store_stmt(db, AIM_SQL_ST_GROUP_COLUMNS, group_columns_sql, &st);
    if (r < 0)
        return r;
    aim__sql_bind_text(st, 1, run_id ? run_id : "");
    aim__sql_bind_int64(st, 2, group);
    aim_chunk_column *cols = NULL;
    int n = 0, rc;
    size_t cap = 0;
    while ((rc = aim__sql_step(st)) == 1) {
        if (AIM_ARRAY_RESERVE(cols, cap, (size_t)n + 1, 16) < 0) {
            r = aim__db_set_error(db, -ENOMEM, "out of memory");
            break;
        }
        cols[n].resolution = aim__sql_column_is_null(st, 0) ? 0 : aim__sql_column_double(st, 0);
        cols[n].counter = aim__sql_column_int64(st, 1) != 0;
        n++;
    }
    if (r == 0 && rc < 0)
        r = aim__sql_store_fail(db, rc, "cannot read series");
    aim__sql_reset(st);
    if (r < 0) {
        free(cols);
        return r;
    }
    *ret = cols;
    *ret_n = n;
    return 0;
}
