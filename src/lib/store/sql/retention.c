/* Retention of a long run's samples (store/store.h, docs/retention.md): deleting the rows
 * older than a time, and replacing old chunks by coarser ones. Each call is one bounded
 * transaction of its own, made by the writer thread between two commits, so the sampler
 * never waits for it and the writer's next commit waits at most one pass.
 *
 * A downsampled chunk holds one tick per bucket of step ns that had samples, at the bucket's
 * last nanosecond ((k + 1) * step - 1): its ticks are step or more apart, which is how a later
 * pass tells it from a chunk of raw samples without a column of its own (the schema is
 * unchanged). Gauges keep the mean of the bucket's values, counters (cumulative: energy,
 * bytes) the bucket's last reading, so the difference of two counter readings, the energy
 * between them, stays exact. */
#include <errno.h>
#include <stdlib.h>

#include "store/sql/sql_store.h"
#include "util/array.h"

static int fail(aim_db *db, const char *what) {
    return aim__db_set_error(db, -EIO, "store: %s: %s", what, aim__sql_errmsg(aim__db_sql(db)));
}

/* sql prepared with run_id as ?1 and the two integers as ?2 and ?3. */
static int prepare(aim_db *db, const char *sql, const char *run_id, int64_t a, int64_t b,
                   aim_sql_stmt **ret, const char *what) {
    if (aim__sql_prepare(aim__db_sql(db), sql, ret) < 0)
        return fail(db, what);
    aim__sql_bind_text(*ret, 1, run_id);
    aim__sql_bind_int64(*ret, 2, a);
    aim__sql_bind_int64(*ret, 3, b);
    return 0;
}

/* Deletes up to max rows of run_id from one table; *ret_n: how many. */
static int prune_table(aim_db *db, const char *sql, const char *run_id, int64_t before_ns,
                       int max, int *ret_n) {
    aim_sql_stmt *st;
    int r = prepare(db, sql, run_id, before_ns, max, &st, "cannot prune");
    if (r < 0)
        return r;
    int rc = aim__sql_step(st);
    if (rc != 0) {
        aim__sql_finalize(st);
        return fail(db, "cannot prune");
    }
    *ret_n = (int)aim__sql_changes(aim__db_sql(db));
    aim__sql_finalize(st);
    return 0;
}

int sql_prune_before(aim_db *db, const char *run_id, int64_t before_ns, int max_rows) {
    /* Whole chunks only (their last tick is older); closed phase instances, marks and
     * records by their time. The run's totals, per-phase figures and record keys are
     * aggregates the writer keeps itself: they stay. */
    static const char *const sql[] = {
        "DELETE FROM chunks WHERE run_id = ?1 AND (grp, seq) IN (SELECT grp, seq FROM chunks "
        "WHERE run_id = ?1 AND t_last_ns < ?2 LIMIT ?3)",
        "DELETE FROM phases WHERE run_id = ?1 AND seq IN (SELECT seq FROM phases WHERE "
        "run_id = ?1 AND end_ns IS NOT NULL AND end_ns < ?2 LIMIT ?3)",
        "DELETE FROM marks WHERE run_id = ?1 AND seq IN (SELECT seq FROM marks WHERE "
        "run_id = ?1 AND t_ns < ?2 LIMIT ?3)",
    };
    /* records has no key of its own: a row is named by the engine's row address. */
    static const char *const records_sql[] = {
        [AIM_SQL_SQLITE] = "DELETE FROM records WHERE rowid IN (SELECT rowid FROM records "
                           "WHERE run_id = ?1 AND t_ns < ?2 LIMIT ?3)",
        [AIM_SQL_POSTGRES] = "DELETE FROM records WHERE ctid IN (SELECT ctid FROM records "
                             "WHERE run_id = ?1 AND t_ns < ?2 LIMIT ?3)",
    };
    if (!run_id || max_rows < 1)
        return aim__db_set_error(db, -EINVAL, "store: prune: bad arguments");
    int r = sql_begin(db);
    if (r < 0)
        return r;
    int total = 0;
    for (size_t i = 0; i <= sizeof sql / sizeof sql[0] && r >= 0; i++) {
        int n = 0;
        r = prune_table(db, i < sizeof sql / sizeof sql[0]
                                ? sql[i] : records_sql[aim__sql_dialect(aim__db_sql(db))],
                        run_id, before_ns, max_rows, &n);
        total += n;
    }
    if (r < 0) {
        sql_rollback(db);
        return r;
    }
    r = sql_commit(db);
    return r < 0 ? r : total;
}

/* ------------------------------------------------------------------ downsampling */

typedef struct bucketer {
    int n;
    const aim_chunk_column *cols;
    int64_t step, stop;        /* ticks at or after stop are kept as they are */
    int64_t k;                 /* the open bucket, -1: none */
    double *sum, *last;        /* per series */
    int *count;
    double *row;               /* scratch for one output tick */
    uint8_t *ok;
    aim_chunk_encoder *out;    /* the buckets */
    aim_chunk_encoder *rest;   /* the ticks from stop on */
} bucketer;

static int flush_bucket(bucketer *b) {
    if (b->k < 0)
        return 0;
    for (int i = 0; i < b->n; i++) {
        b->ok[i] = b->count[i] > 0;
        b->row[i] = !b->count[i] ? 0 : b->cols[i].counter ? b->last[i] : b->sum[i] / b->count[i];
        b->sum[i] = 0;
        b->count[i] = 0;
    }
    int r = aim__chunk_encoder_add(b->out, (b->k + 1) * b->step - 1, b->row, b->ok);
    b->k = -1;
    return r;
}

static int bucket_tick(int64_t t, const double *values, const uint8_t *valid, void *userdata) {
    bucketer *b = userdata;
    if (t >= b->stop)
        return aim__chunk_encoder_add(b->rest, t, values, valid);
    int64_t k = t / b->step;
    if (k != b->k) {
        int r = flush_bucket(b);
        if (r < 0)
            return r;
        b->k = k;
    }
    for (int i = 0; i < b->n; i++)
        if (valid[i]) {
            b->sum[i] += values[i];
            b->last[i] = values[i];
            b->count[i]++;
        }
    return 0;
}

/* The chunks one pass rewrites: seq order, from the oldest of raw samples. */
static const char select_sql[] =
    "SELECT seq, t_first_ns, t_last_ns, n_ticks, data FROM chunks WHERE run_id = ?1 AND "
    "grp = ?2 AND t_first_ns < ?3 AND ((n_ticks > 1 AND t_last_ns - t_first_ns < ?4 * "
    "(n_ticks - 1)) OR (n_ticks = 1 AND t_last_ns % ?4 != ?4 - 1)) ORDER BY seq";

/* The codec's bound on a chunk's ticks: the capacity of both encoders. */
#define DS_MAX_TICKS 65536

static int put_chunk(aim_db *db, const char *run_id, int group, int64_t seq,
                     aim_chunk_encoder *e) {
    int n = aim__chunk_encoder_ticks(e);
    if (n == 0)
        return 0;
    int64_t first = aim__chunk_encoder_first_t(e), last = aim__chunk_encoder_last_t(e);
    const uint8_t *blob;
    size_t len;
    int r = aim__chunk_encoder_finish(e, &blob, &len);
    const uint8_t *sum;
    size_t sum_len;
    aim__chunk_encoder_summary(e, &sum, &sum_len);
    return r < 0 ? r : sql_chunk_insert(db, run_id, group, seq, first, last, n, blob, len, sum,
                                        sum_len);
}

static void stop_at(bucketer *b, int64_t t) {
    int64_t end = (t / b->step + 1) * b->step; /* the end of t's bucket */
    if (end < b->stop)
        b->stop = end;
}

/* Reads the pass's chunks into b and collects their seqs; the caller deletes and rewrites.
 * After max_chunks the pass goes on to the end of the bucket it is in, so that a bucket is
 * never split across two passes; the ticks from there on (of the last chunk read) are kept
 * as they are. */
static int read_pass(aim_db *db, const char *run_id, int group, int64_t cutoff, int max_chunks,
                     bucketer *b, int64_t **ret_seqs, int *ret_n) {
    aim_sql_stmt *st;
    int r = prepare(db, select_sql, run_id, group, cutoff, &st, "cannot read chunks to downsample");
    if (r < 0)
        return r;
    aim__sql_bind_int64(st, 4, b->step);
    int64_t *seqs = NULL;
    size_t cap = 0;
    int n = 0, rc;
    while ((rc = aim__sql_step(st)) == 1) {
        int64_t t_first = aim__sql_column_int64(st, 1), t_last = aim__sql_column_int64(st, 2);
        int ticks = aim__sql_column_int(st, 3);
        if (t_first >= b->stop || aim__chunk_encoder_ticks(b->rest) > 0)
            break;
        if (b->k >= 0 && aim__chunk_encoder_ticks(b->out) + ticks >= DS_MAX_TICKS - 1)
            stop_at(b, b->k * b->step); /* the output is full: close the open bucket here */
        if (AIM_ARRAY_RESERVE(seqs, cap, (size_t)n + 1, 64) < 0) {
            r = aim__db_set_error(db, -ENOMEM, "out of memory");
            break;
        }
        seqs[n++] = aim__sql_column_int64(st, 0);
        size_t len = 0;
        const void *blob = aim__sql_column_blob(st, 4, &len);
        r = aim__chunk_decode(blob, len, b->n, b->cols, bucket_tick, b);
        if (r < 0) {
            r = aim__db_set_error(db, r == -EBADMSG ? r : -EIO,
                                  "store: run %s, group %d: chunk %lld %s", run_id, group,
                                  (long long)seqs[n - 1],
                                  r == -EBADMSG ? "is corrupt" : "cannot be downsampled");
            break;
        }
        if (n >= max_chunks)
            stop_at(b, t_last);
    }
    if (r == 0 && rc < 0)
        r = fail(db, "cannot read chunks to downsample");
    aim__sql_finalize(st);
    if (r == 0)
        r = flush_bucket(b);
    if (r < 0) {
        free(seqs);
        return r;
    }
    *ret_seqs = seqs;
    *ret_n = n;
    return 0;
}

static int rewrite(aim_db *db, const char *run_id, int group, const int64_t *seqs, int n,
                   bucketer *b) {
    aim_sql_stmt *del;
    if (aim__sql_prepare(aim__db_sql(db), "DELETE FROM chunks WHERE run_id = ?1 AND grp = ?2 "
                         "AND seq = ?3", &del) < 0)
        return fail(db, "cannot delete chunks");
    int r = 0;
    for (int i = 0; i < n && r == 0; i++) {
        aim__sql_bind_text(del, 1, run_id);
        aim__sql_bind_int64(del, 2, group);
        aim__sql_bind_int64(del, 3, seqs[i]);
        if (aim__sql_step(del) != 0)
            r = fail(db, "cannot delete chunks");
        aim__sql_reset(del);
    }
    aim__sql_finalize(del);
    /* The buckets take the first seq, the ticks kept as they are the last: the group's
     * chunks stay in time order and no new seq is taken from the writer's. */
    if (r == 0)
        r = put_chunk(db, run_id, group, seqs[0], b->out);
    if (r == 0)
        r = put_chunk(db, run_id, group, seqs[n - 1], b->rest);
    return r;
}

int sql_downsample(aim_db *db, const char *run_id, int group, int64_t before_ns, int64_t step_ns,
                   int max_chunks) {
    if (!run_id || step_ns < 1 || max_chunks < 2)
        return aim__db_set_error(db, -EINVAL, "store: downsample: bad arguments");
    int64_t cutoff = before_ns > 0 ? before_ns / step_ns * step_ns : 0;
    if (cutoff <= 0)
        return 0;
    aim_chunk_column *cols = NULL;
    int n_cols = 0;
    int r = sql_group_columns(db, run_id, group, &cols, &n_cols);
    if (r < 0)
        return r;
    bucketer b = { .n = n_cols, .cols = cols, .step = step_ns, .stop = cutoff, .k = -1 };
    size_t n = (size_t)(n_cols ? n_cols : 1);
    b.sum = calloc(n, sizeof *b.sum);
    b.last = calloc(n, sizeof *b.last);
    b.row = calloc(n, sizeof *b.row);
    b.count = calloc(n, sizeof *b.count);
    b.ok = calloc(n, 1);
    int64_t *seqs = NULL;
    int n_seqs = 0;
    if (!b.sum || !b.last || !b.row || !b.count || !b.ok)
        r = aim__db_set_error(db, -ENOMEM, "out of memory");
    if (r == 0 && (aim__chunk_encoder_new(n_cols, cols, DS_MAX_TICKS, &b.out) < 0 ||
                   aim__chunk_encoder_new(n_cols, cols, DS_MAX_TICKS, &b.rest) < 0))
        r = aim__db_set_error(db, -ENOMEM, "out of memory");
    if (r == 0)
        r = sql_begin(db);
    if (r == 0) {
        r = read_pass(db, run_id, group, cutoff, max_chunks, &b, &seqs, &n_seqs);
        /* Nothing to gain from one chunk that only moves (its ticks all kept as they are,
         * or the pass's only chunk both bucketed and kept: two chunks for one seq). */
        int idle = n_seqs == 0 || aim__chunk_encoder_ticks(b.out) == 0 ||
                   (n_seqs == 1 && aim__chunk_encoder_ticks(b.rest) > 0);
        if (r == 0 && !idle)
            r = rewrite(db, run_id, group, seqs, n_seqs, &b);
        if (r < 0 || idle)
            sql_rollback(db);
        else
            r = sql_commit(db);
        if (r == 0 && !idle)
            r = n_seqs;
    }
    free(seqs);
    aim__chunk_encoder_free(b.out);
    aim__chunk_encoder_free(b.rest);
    free(b.sum);
    free(b.last);
    free(b.row);
    free(b.count);
    free(b.ok);
    free(cols);
    return r;
}
