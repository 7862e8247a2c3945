/* Correlation matrices in the store (store/corr_store.h); the replay that recomputes one is
 * engine/corr_replay.c's. */
#include "store/corr_store.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_store.h"

static int sql_error(aim_db *db, int rc, const char *what) {
    sqlite3 *h = aim__db_sqlite(db);
    int err = rc == SQLITE_NOMEM ? -ENOMEM : (rc & 0xff) == SQLITE_BUSY ? -EBUSY : -EIO;
    return aim__db_set_error(db, err, "%s: %s", what, h ? sqlite3_errmsg(h) : "no store");
}

static int prepare(aim_db *db, const char *sql, sqlite3_stmt **st) {
    sqlite3 *h = aim__db_sqlite(db);
    if (!h)
        return -EINVAL;
    int rc = sqlite3_prepare_v2(h, sql, -1, st, NULL);
    return rc == SQLITE_OK ? 0 : sql_error(db, rc, "cannot query correlations");
}

/* ------------------------------------------------------------------ save and load */

static int insert_rows(aim_db *db, const char *run_id, const aim_corr_matrix *m) {
    sqlite3_stmt *del = NULL, *ins = NULL, *upd = NULL;
    int r = prepare(db, "DELETE FROM correlations WHERE run_id = ?1", &del);
    if (r == 0)
        r = prepare(db, "INSERT INTO correlations (run_id, a, b, n, r, spread) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &ins);
    if (r == 0)
        r = prepare(db, "UPDATE runs SET corr_ticks = ?2, corr_exact = ?3 WHERE id = ?1", &upd);
    if (r < 0)
        goto out;
    sqlite3_bind_text(del, 1, run_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(del);
    if (rc != SQLITE_DONE) {
        r = sql_error(db, rc, "cannot store correlations");
        goto out;
    }
    sqlite3_bind_text(ins, 1, run_id, -1, SQLITE_STATIC);
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
            sqlite3_bind_int(ins, 2, m->slot[i]);
            sqlite3_bind_int(ins, 3, m->slot[j]);
            sqlite3_bind_int64(ins, 4, (sqlite3_int64)n);
            if (isfinite(rv))
                sqlite3_bind_double(ins, 5, rv);
            else
                sqlite3_bind_null(ins, 5);
            if (i == j && m->spread[i] != AIM_CORR_SPREAD_UNKNOWN)
                sqlite3_bind_int(ins, 6, m->spread[i]);
            else
                sqlite3_bind_null(ins, 6);
            rc = sqlite3_step(ins);
            sqlite3_reset(ins);
            if (rc != SQLITE_DONE)
                r = sql_error(db, rc, "cannot store correlations");
        }
    if (r < 0)
        goto out;
    sqlite3_bind_text(upd, 1, run_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(upd, 2, (sqlite3_int64)m->ticks);
    sqlite3_bind_int(upd, 3, m->exact ? 1 : 0);
    rc = sqlite3_step(upd);
    if (rc != SQLITE_DONE)
        r = sql_error(db, rc, "cannot store correlations");
    else if (sqlite3_changes(aim__db_sqlite(db)) == 0)
        r = aim__db_set_error(db, -ENOENT, "no run %s", run_id);
out:
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    return r;
}

int sq_corr_save(aim_db *db, const char *run_id, const aim_corr_matrix *m) {
    sqlite3 *h = aim__db_sqlite(db);
    if (!h || !run_id || !m)
        return -EINVAL;
    int own = sqlite3_get_autocommit(h);
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

int sq_corr_load(aim_db *db, const char *run_id, aim_corr_matrix **ret) {
    sqlite3_stmt *st = NULL;
    aim_corr_matrix *m = NULL;
    int r = prepare(db, "SELECT corr_ticks, corr_exact, interval_ns FROM runs WHERE id = ?1", &st);
    if (r < 0)
        return r;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL) {
        r = rc == SQLITE_ROW || rc == SQLITE_DONE
                ? aim__db_set_error(db, -ENOENT, "run %s stored no correlation matrix", run_id)
                : sql_error(db, rc, "cannot read correlations");
        sqlite3_finalize(st);
        return r;
    }
    int64_t ticks = sqlite3_column_int64(st, 0);
    int exact = sqlite3_column_int(st, 1);
    int64_t interval = sqlite3_column_int64(st, 2);
    sqlite3_finalize(st);

    /* the diagonal names the series of the matrix */
    r = prepare(db, "SELECT count(*) FROM correlations WHERE run_id = ?1 AND a = b", &st);
    if (r < 0)
        return r;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    int n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (n < 0)
        return sql_error(db, rc, "cannot read correlations");
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
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    int i = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && i < n) {
        m->slot[i] = sqlite3_column_int(st, 0);
        sqlite3_int64 sn = sqlite3_column_int64(st, 1);
        m->self_n[i] = sn > 0 ? (uint64_t)sn : 0;
        m->varying[i] = sqlite3_column_type(st, 2) != SQLITE_NULL;
        int sp = sqlite3_column_int(st, 3);
        m->spread[i] = sqlite3_column_type(st, 3) == SQLITE_NULL ? AIM_CORR_SPREAD_UNKNOWN
                       : sp < AIM_CORR_MIN_SPREAD ? (uint8_t)(sp > 0 ? sp : 0)
                                                  : AIM_CORR_MIN_SPREAD;
        i++;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        r = sql_error(db, rc, "cannot read correlations");
        goto fail;
    }

    r = prepare(db, "SELECT a, b, n, r FROM correlations WHERE run_id = ?1 AND a < b", &st);
    if (r < 0)
        goto fail;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int a = aim__corr_matrix_index(m, sqlite3_column_int(st, 0));
        int b = aim__corr_matrix_index(m, sqlite3_column_int(st, 1));
        if (a < 0 || b < 0 || a >= b)
            continue; /* a pair of a series the matrix does not have: ignore */
        size_t ab = aim__corr_pair_index(n, a, b);
        sqlite3_int64 pn = sqlite3_column_int64(st, 2);
        m->pn[ab] = pn > 0 ? (uint64_t)pn : 0;
        m->r[ab] = sqlite3_column_type(st, 3) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 3);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        r = sql_error(db, rc, "cannot read correlations");
        goto fail;
    }
    *ret = m;
    return 0;
fail:
    aim__corr_matrix_free(m);
    return r;
}

/* ------------------------------------------------------------------ the grid group */

int sq_corr_grid_group(aim_db *db, const aim_run_summary *run, int *ret_group,
                           int *ret_n_groups) {
    sqlite3_stmt *st = NULL;
    int r = prepare(db, "SELECT grp, sum(n_ticks) FROM chunks WHERE run_id = ?1 GROUP BY grp "
                        "ORDER BY grp", &st);
    if (r < 0)
        return r;
    sqlite3_bind_text(st, 1, run->id, -1, SQLITE_STATIC);
    int grid = -1, most = -1, max_grp = -1, rc;
    int64_t most_ticks = -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int g = sqlite3_column_int(st, 0);
        int64_t ticks = sqlite3_column_int64(st, 1);
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
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sql_error(db, rc, "cannot read chunks");
    if (most < 0)
        return aim__db_set_error(db, -ENOENT, "run %s has no samples", run->id);
    for (int i = 0; i < run->n_series; i++)
        if (run->series[i].group > max_grp)
            max_grp = run->series[i].group;
    *ret_group = grid >= 0 ? grid : most;
    *ret_n_groups = max_grp + 1;
    return 0;
}
