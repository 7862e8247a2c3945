/* Correlation matrices in the store (store/corr_store.h); the replay that recomputes one is
 * engine/corr_replay.c's. */
#include "store/corr_store.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql/sql_store.h"

/* err: a driver's -errno; what callers tell apart (memory, a busy store) is kept. */
static int corr_fail(aim_db *db, int err, const char *what) {
    aim_sql *c = aim__db_sql(db);
    err = err == -ENOMEM || err == -EBUSY ? err : -EIO;
    return aim__db_set_error(db, err, "%s: %s", what, c ? aim__sql_errmsg(c) : "no store");
}

static int prepare(aim_db *db, const char *sql, aim_sql_stmt **st) {
    aim_sql *c = aim__db_sql(db);
    if (!c)
        return -EINVAL;
    int rc = aim__sql_prepare(c, sql, st);
    return rc == 0 ? 0 : corr_fail(db, rc, "cannot query correlations");
}

/* ------------------------------------------------------------------ save and load */

static int insert_rows(aim_db *db, const char *run_id, const aim_corr_matrix *m) {
    aim_sql_stmt *del = NULL, *ins = NULL, *upd = NULL;
    int r = prepare(db, "DELETE FROM correlations WHERE run_id = ?1", &del);
    if (r == 0)
        r = prepare(db, "INSERT INTO correlations (run_id, a, b, n, r, spread) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &ins);
    if (r == 0)
        r = prepare(db, "UPDATE runs SET corr_ticks = ?2, corr_exact = ?3 WHERE id = ?1", &upd);
    if (r < 0)
        goto out;
    aim__sql_bind_text(del, 1, run_id);
    int rc = aim__sql_step(del);
    if (rc != 0) {
        r = corr_fail(db, rc, "cannot store correlations");
        goto out;
    }
    for (int i = 0; i < m->n && r == 0; i++)
        for (int j = i; j < m->n && r == 0; j++) {
            uint64_t n;
            double rv;
            if (i == j) {
                n = m->self_n[i];
                rv = m->varying[i] ? 1.0 : NAN;
            } else {
                size_t ij = aim__corr_pair_index(m->n, i, j);
                n = m->pn[ij];
                rv = m->r[ij];
                if (n == 0)
                    continue; /* absent: no common tick */
            }
            aim__sql_bind_text(ins, 1, run_id);
            aim__sql_bind_int64(ins, 2, m->slot[i]);
            aim__sql_bind_int64(ins, 3, m->slot[j]);
            aim__sql_bind_int64(ins, 4, (int64_t)n);
            if (isfinite(rv))
                aim__sql_bind_double(ins, 5, rv);
            else
                aim__sql_bind_null(ins, 5);
            if (i == j && m->spread[i] != AIM_CORR_SPREAD_UNKNOWN)
                aim__sql_bind_int64(ins, 6, m->spread[i]);
            else
                aim__sql_bind_null(ins, 6);
            rc = aim__sql_step(ins);
            aim__sql_reset(ins);
            if (rc != 0)
                r = corr_fail(db, rc, "cannot store correlations");
        }
    if (r < 0)
        goto out;
    aim__sql_bind_text(upd, 1, run_id);
    aim__sql_bind_int64(upd, 2, (int64_t)m->ticks);
    aim__sql_bind_int64(upd, 3, m->exact ? 1 : 0);
    rc = aim__sql_step(upd);
    if (rc != 0)
        r = corr_fail(db, rc, "cannot store correlations");
    else if (aim__sql_changes(aim__db_sql(db)) == 0)
        r = aim__db_set_error(db, -ENOENT, "no run %s", run_id);
out:
    aim__sql_finalize(del);
    aim__sql_finalize(ins);
    aim__sql_finalize(upd);
    return r;
}

int sql_corr_save(aim_db *db, const char *run_id, const aim_corr_matrix *m) {
    aim_sql *c = aim__db_sql(db);
    if (!c || !run_id || !m)
        return -EINVAL;
    int own = !aim__sql_in_transaction(c);
    int r = own ? aim__db_begin(db) : 0;
    if (r < 0)
        return r;
    r = insert_rows(db, run_id, m);
    if (own) {
        if (r < 0)
            aim__db_rollback(db);
        else
            r = aim__db_commit(db);
    }
    return r;
}

int sql_corr_load(aim_db *db, const char *run_id, aim_corr_matrix **ret) {
    aim_sql_stmt *st = NULL;
    aim_corr_matrix *m = NULL;
    int r = prepare(db, "SELECT corr_ticks, corr_exact, interval_ns FROM runs WHERE id = ?1", &st);
    if (r < 0)
        return r;
    aim__sql_bind_text(st, 1, run_id);
    int rc = aim__sql_step(st);
    if (rc != 1 || aim__sql_column_is_null(st, 0)) {
        r = rc >= 0 ? aim__db_set_error(db, -ENOENT, "run %s stored no correlation matrix", run_id)
                    : corr_fail(db, rc, "cannot read correlations");
        aim__sql_finalize(st);
        return r;
    }
    int64_t ticks = aim__sql_column_int64(st, 0);
    int exact = aim__sql_column_int(st, 1);
    int64_t interval = aim__sql_column_int64(st, 2);
    aim__sql_finalize(st);

    /* the diagonal names the series of the matrix */
    r = prepare(db, "SELECT count(*) FROM correlations WHERE run_id = ?1 AND a = b", &st);
    if (r < 0)
        return r;
    aim__sql_bind_text(st, 1, run_id);
    rc = aim__sql_step(st);
    int n = rc == 1 ? aim__sql_column_int(st, 0) : -1;
    aim__sql_finalize(st);
    if (n < 0)
        return corr_fail(db, rc, "cannot read correlations");
    r = aim__corr_matrix_new(n, &m);
    if (r < 0)
        return aim__db_set_error(db, r, "out of memory");
    m->ticks = ticks > 0 ? (uint64_t)ticks : 0;
    m->exact = exact != 0;
    m->interval_ns = interval;

    r = prepare(db, "SELECT a, n, r, spread FROM correlations WHERE run_id = ?1 AND a = b "
                    "ORDER BY a", &st);
    if (r < 0)
        goto fail;
    aim__sql_bind_text(st, 1, run_id);
    int i = 0;
    while ((rc = aim__sql_step(st)) == 1 && i < n) {
        m->slot[i] = aim__sql_column_int(st, 0);
        int64_t sn = aim__sql_column_int64(st, 1);
        m->self_n[i] = sn > 0 ? (uint64_t)sn : 0;
        m->varying[i] = !aim__sql_column_is_null(st, 2);
        int sp = aim__sql_column_int(st, 3);
        m->spread[i] = aim__sql_column_is_null(st, 3) ? AIM_CORR_SPREAD_UNKNOWN
                       : sp < AIM_CORR_MIN_SPREAD ? (uint8_t)(sp > 0 ? sp : 0)
                                                  : AIM_CORR_MIN_SPREAD;
        i++;
    }
    aim__sql_finalize(st);
    st = NULL;
    if (rc < 0) {
        r = corr_fail(db, rc, "cannot read correlations");
        goto fail;
    }

    r = prepare(db, "SELECT a, b, n, r FROM correlations WHERE run_id = ?1 AND a < b", &st);
    if (r < 0)
        goto fail;
    aim__sql_bind_text(st, 1, run_id);
    while ((rc = aim__sql_step(st)) == 1) {
        int a = aim__corr_matrix_index(m, aim__sql_column_int(st, 0));
        int b = aim__corr_matrix_index(m, aim__sql_column_int(st, 1));
        if (a < 0 || b < 0 || a >= b)
            continue; /* a pair of a series the matrix does not have: ignore */
        size_t ab = aim__corr_pair_index(n, a, b);
        int64_t pn = aim__sql_column_int64(st, 2);
        m->pn[ab] = pn > 0 ? (uint64_t)pn : 0;
        m->r[ab] = aim__sql_column_double(st, 3); /* NULL reads as NaN */
    }
    aim__sql_finalize(st);
    if (rc != 0) {
        r = corr_fail(db, rc, "cannot read correlations");
        goto fail;
    }
    *ret = m;
    return 0;
fail:
    aim__corr_matrix_free(m);
    return r;
}

/* ------------------------------------------------------------------ the grid group */

int sql_grid_group(aim_db *db, const aim_run_summary *run, int *ret_group, int *ret_n_groups) {
    aim_sql_stmt *st = NULL;
    /* The cast: PostgreSQL sums BIGINTs as NUMERIC. */
    int r = prepare(db, "SELECT grp, CAST(sum(n_ticks) AS BIGINT) FROM chunks WHERE "
                        "run_id = ?1 GROUP BY grp ORDER BY grp", &st);
    if (r < 0)
        return r;
    aim__sql_bind_text(st, 1, run->id);
    int grid = -1, most = -1, max_grp = -1, rc;
    int64_t most_ticks = -1;
    while ((rc = aim__sql_step(st)) == 1) {
        int g = aim__sql_column_int(st, 0);
        int64_t ticks = aim__sql_column_int64(st, 1);
        if (g < 0 || g > 1000)
            continue;
        if (g > max_grp)
            max_grp = g;
        if (grid < 0 && (uint64_t)ticks == run->samples)
            grid = g;
        if (ticks > most_ticks) {
            most_ticks = ticks;
            most = g;
        }
    }
    aim__sql_finalize(st);
    if (rc != 0)
        return corr_fail(db, rc, "cannot read chunks");
    if (most < 0)
        return aim__db_set_error(db, -ENOENT, "run %s has no samples", run->id);
    for (int i = 0; i < run->n_series; i++)
        if (run->series[i].group > max_grp)
            max_grp = run->series[i].group;
    *ret_group = grid >= 0 ? grid : most;
    *ret_n_groups = max_grp + 1;
    return 0;
}
