/* Correlation matrices in the store, and their replay from the chunks (corr_store.h). The
 * replay reads the chunks the way the CSV export does (one decoded chunk per group at a time,
 * merged by time), so its memory is bounded by a chunk per group whatever the run's length. */
#include "store/sqlite/corr_store.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/codec.h"
#include "store/sqlite/db_internal.h"

static int sql_error(aim_db *db, int rc, const char *what) {
    sqlite3 *h = aim_db_sqlite(db);
    int err = rc == SQLITE_NOMEM ? -ENOMEM : (rc & 0xff) == SQLITE_BUSY ? -EBUSY : -EIO;
    return aim_db_set_error(db, err, "%s: %s", what, h ? sqlite3_errmsg(h) : "no store");
}

static int prepare(aim_db *db, const char *sql, sqlite3_stmt **st) {
    sqlite3 *h = aim_db_sqlite(db);
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
                size_t ij = aim_corr_pair_index(m->n, i, j);
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
    else if (sqlite3_changes(aim_db_sqlite(db)) == 0)
        r = aim_db_set_error(db, -ENOENT, "no run %s", run_id);
out:
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    return r;
}

int aim_db_corr_save(aim_db *db, const char *run_id, const aim_corr_matrix *m) {
    sqlite3 *h = aim_db_sqlite(db);
    if (!h || !run_id || !m)
        return -EINVAL;
    int own = sqlite3_get_autocommit(h);
    int r = own ? aim_db_begin(db) : 0;
    if (r < 0)
        return r;
    r = insert_rows(db, run_id, m);
    if (own) {
        if (r < 0)
            aim_db_rollback(db);
        else
            r = aim_db_commit(db);
    }
    return r;
}

int aim_db_corr_load(aim_db *db, const char *run_id, aim_corr_matrix **ret) {
    sqlite3_stmt *st = NULL;
    aim_corr_matrix *m = NULL;
    int r = prepare(db, "SELECT corr_ticks, corr_exact, interval_ns FROM runs WHERE id = ?1", &st);
    if (r < 0)
        return r;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL) {
        r = rc == SQLITE_ROW || rc == SQLITE_DONE
                ? aim_db_set_error(db, -ENOENT, "run %s stored no correlation matrix", run_id)
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
    r = aim_corr_matrix_new(n, &m);
    if (r < 0)
        return aim_db_set_error(db, r, "out of memory");
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
        int a = aim_corr_matrix_index(m, sqlite3_column_int(st, 0));
        int b = aim_corr_matrix_index(m, sqlite3_column_int(st, 1));
        if (a < 0 || b < 0 || a >= b)
            continue; /* a pair of a series the matrix does not have: ignore */
        size_t ab = aim_corr_pair_index(n, a, b);
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
    aim_corr_matrix_free(m);
    return r;
}

/* ------------------------------------------------------------------ replay */

typedef struct cursor {
    int group;
    int n;                    /* series in the group */
    aim_chunk_column *cols;
    aim_db_chunk_iter *it;
    int64_t *t;               /* the decoded current chunk */
    double *v;
    uint8_t *ok;
    size_t count, cap, pos;
    int done;
} cursor;

static int append_tick(int64_t t, const double *values, const uint8_t *valid, void *userdata) {
    cursor *c = userdata;
    if (c->count == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 128;
        size_t cells = cap * (size_t)(c->n ? c->n : 1);
        int64_t *nt = realloc(c->t, sizeof *nt * cap);
        if (nt)
            c->t = nt;
        double *nv = realloc(c->v, sizeof *nv * cells);
        if (nv)
            c->v = nv;
        uint8_t *no = realloc(c->ok, cells);
        if (no)
            c->ok = no;
        if (!nt || !nv || !no)
            return -ENOMEM;
        c->cap = cap;
    }
    c->t[c->count] = t;
    if (c->n) {
        memcpy(&c->v[c->count * (size_t)c->n], values, sizeof *values * (size_t)c->n);
        memcpy(&c->ok[c->count * (size_t)c->n], valid, (size_t)c->n);
    }
    c->count++;
    return 0;
}

/* 1 when the cursor has a tick at pos, 0 at the end, -errno. */
static int peek(aim_db *db, const char *run_id, cursor *c) {
    while (!c->done && c->pos == c->count) {
        const uint8_t *blob;
        size_t len;
        int64_t seq;
        int more = aim_db_chunk_iter_next(c->it, &blob, &len, &seq);
        if (more < 0)
            return more;
        if (more == 0) {
            c->done = 1;
            break;
        }
        c->count = c->pos = 0;
        int r = aim_chunk_decode(blob, len, c->n, c->cols, append_tick, c);
        if (r < 0)
            return aim_db_set_error(db, r, "run %s, group %d: chunk %lld %s", run_id, c->group,
                                    (long long)seq, r == -EBADMSG ? "is corrupt" : aim_strerror(r));
    }
    return c->pos < c->count;
}

static void cursors_free(cursor *cs, int n) {
    for (int i = 0; cs && i < n; i++) {
        aim_db_chunk_iter_free(cs[i].it);
        free(cs[i].cols);
        free(cs[i].t);
        free(cs[i].v);
        free(cs[i].ok);
    }
    free(cs);
}

int aim_db_corr_grid_group(aim_db *db, const aim_run_summary *run, int *ret_group,
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
        return aim_db_set_error(db, -ENOENT, "run %s has no samples", run->id);
    for (int i = 0; i < run->n_series; i++)
        if (run->series[i].group > max_grp)
            max_grp = run->series[i].group;
    *ret_group = grid >= 0 ? grid : most;
    *ret_n_groups = max_grp + 1;
    return 0;
}

int aim_db_corr_replay(aim_db *db, const aim_run_summary *run, const aim_time_range *ranges,
                       size_t n_ranges, aim_corr_matrix **ret) {
    int grid, n_groups;
    int r = aim_db_corr_grid_group(db, run, &grid, &n_groups);
    if (r < 0)
        return r;
    aim_corr_run_layout rl;
    r = aim_corr_run_layout_init(&rl, run, n_groups, grid, NULL);
    if (r < 0)
        return aim_db_set_error(db, r, r == -ENOMEM ? "out of memory"
                                                    : "run %s: a series has a bad group", run->id);
    aim_corr *c = NULL;
    cursor *cs = calloc((size_t)n_groups, sizeof *cs);
    r = cs ? aim_corr_new(&rl.layout, &c) : -ENOMEM;
    if (r == 0 && ranges && n_ranges)
        r = aim_corr_set_ranges(c, ranges, n_ranges);
    if (r < 0) {
        r = aim_db_set_error(db, r, "%s",
                             r == -ENOMEM ? "out of memory" : "bad correlation layout");
        goto out;
    }
    for (int g = 0; g < n_groups; g++) {
        cursor *cu = &cs[g];
        cu->group = g;
        for (int i = 0; i < run->n_series; i++)
            cu->n += run->series[i].group == g;
        cu->cols = calloc((size_t)cu->n + 1, sizeof *cu->cols);
        if (!cu->cols) {
            r = aim_db_set_error(db, -ENOMEM, "out of memory");
            goto out;
        }
        int k = 0;
        for (int i = 0; i < run->n_series; i++)
            if (run->series[i].group == g) {
                cu->cols[k].resolution = run->series[i].resolution;
                cu->cols[k++].counter = run->series[i].counter;
            }
        /* groups with no series taking part (other than the grid) need not be read */
        int needed = g == grid;
        for (int i = 0; i < run->n_series && !needed; i++)
            needed = run->series[i].group == g && rl.include[i];
        if (!needed) {
            cu->done = 1;
            continue;
        }
        r = aim_db_chunk_iter_new(db, run->id, g, &cu->it);
        if (r < 0)
            goto out;
    }
    /* merge the groups in time order: before each tick, every tick earlier than it has been
     * delivered, which lets the grid ticks before it go (the watermark) */
    for (;;) {
        int best = -1;
        for (int g = 0; g < n_groups; g++) {
            r = peek(db, run->id, &cs[g]);
            if (r < 0)
                goto out;
            if (r && (best < 0 || cs[g].t[cs[g].pos] < cs[best].t[cs[best].pos]))
                best = g;
        }
        r = 0;
        if (best < 0)
            break;
        cursor *cu = &cs[best];
        int64_t t = cu->t[cu->pos];
        if (t > INT64_MIN)
            aim_corr_watermark(c, t - 1);
        size_t off = cu->pos * (size_t)cu->n;
        aim_corr_tick(c, best, t, cu->v + off, cu->ok + off);
        cu->pos++;
    }
    r = aim_corr_finish(c, ret);
    if (r < 0)
        aim_db_set_error(db, r, "out of memory");
out:
    aim_corr_free(c);
    cursors_free(cs, n_groups);
    aim_corr_run_layout_clear(&rl);
    return r;
}
