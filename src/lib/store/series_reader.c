/* The one reader of stored samples (store/store.h): per group, a chunk iterator of the
 * back-end and the current chunk decoded; next() hands out the earliest tick of all groups.
 * Memory is one decoded chunk per group whatever the run's length. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "store/store.h"
#include "util/array.h"

typedef struct cursor {
    int group;
    int n;                    /* series in the group */
    aim_chunk_column *cols;
    aim_db_chunk_iter *it;
    int64_t *t;               /* the decoded current chunk */
    double *v;                /* [tick * n + i] */
    uint8_t *ok;
    size_t count, cap, pos;
    int done;
} cursor;

struct aim_series_reader {
    aim_db *db;
    char *run_id;
    int n;
    cursor *cs;
};

static int append_tick(int64_t t, const double *values, const uint8_t *valid, void *userdata) {
    cursor *c = userdata;
    if (c->count == c->cap) {
        /* A tick is a time and a row of n values and validities: all three grow to the one
         * new capacity in ticks. */
        size_t cap = aim__array_next_cap(c->cap, c->count + 1, 64);
        size_t row = (size_t)(c->n ? c->n : 1);
        if (cap == 0 || aim__array_resize(&c->t, cap, sizeof *c->t) < 0 ||
            aim__array_resize(&c->v, cap, row * sizeof *c->v) < 0 ||
            aim__array_resize(&c->ok, cap, row * sizeof *c->ok) < 0)
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

/* 1 when the cursor has a tick at pos, 0 at its end, -errno (db's message set). */
static int peek(aim_series_reader *r, cursor *c) {
    while (!c->done && c->pos == c->count) {
        const uint8_t *blob;
        size_t len;
        int64_t seq = 0;
        int more = aim__db_chunk_iter_next(c->it, &blob, &len, &seq);
        if (more < 0)
            return more;
        if (more == 0) {
            c->done = 1;
            break;
        }
        c->count = c->pos = 0;
        int e = aim__chunk_decode(blob, len, c->n, c->cols, append_tick, c);
        if (e < 0)
            return aim__db_set_error(r->db, e, "run %s, group %d: chunk %lld %s", r->run_id,
                                    c->group, (long long)seq,
                                    e == -EBADMSG ? "is corrupt" : aim_strerror(e));
    }
    return c->pos < c->count;
}

void aim__series_reader_free(aim_series_reader *r) {
    if (!r)
        return;
    for (int i = 0; r->cs && i < r->n; i++) {
        aim__db_chunk_iter_free(r->cs[i].it);
        free(r->cs[i].cols);
        free(r->cs[i].t);
        free(r->cs[i].v);
        free(r->cs[i].ok);
    }
    free(r->cs);
    free(r->run_id);
    free(r);
}

static int open_from(aim_db *db, const char *run_id, const aim_series_group *groups,
                     int n_groups, int64_t from_ns, aim_series_reader **ret) {
    aim_series_reader *r = calloc(1, sizeof *r);
    if (r) {
        r->db = db;
        r->run_id = strdup(run_id);
        r->cs = calloc((size_t)(n_groups > 0 ? n_groups : 1), sizeof *r->cs);
    }
    if (!r || !r->run_id || !r->cs) {
        aim__series_reader_free(r);
        return aim__db_set_error(db, -ENOMEM, "out of memory");
    }
    for (int g = 0; g < n_groups; g++) {
        cursor *c = &r->cs[g];
        r->n++;
        c->group = groups[g].group;
        c->n = groups[g].n;
        c->cols = calloc((size_t)c->n + 1, sizeof *c->cols);
        if (!c->cols) {
            aim__series_reader_free(r);
            return aim__db_set_error(db, -ENOMEM, "out of memory");
        }
        if (c->n)
            memcpy(c->cols, groups[g].cols, sizeof *c->cols * (size_t)c->n);
        int e = aim__db_chunk_iter_from(db, run_id, c->group, from_ns, &c->it);
        if (e < 0) {
            aim__series_reader_free(r);
            return e;
        }
    }
    *ret = r;
    return 0;
}

int aim__series_reader_open(aim_db *db, const char *run_id, const aim_series_group *groups,
                           int n_groups, aim_series_reader **ret) {
    return open_from(db, run_id, groups, n_groups, INT64_MIN, ret);
}

int aim__series_reader_open_run(aim_db *db, const aim_run_summary *run, const int *groups,
                               int n_groups, aim_series_reader **ret) {
    return aim__series_reader_open_run_from(db, run, groups, n_groups, INT64_MIN, ret);
}

int aim__series_reader_open_run_from(aim_db *db, const aim_run_summary *run, const int *groups,
                                    int n_groups, int64_t from_ns, aim_series_reader **ret) {
    size_t ns = (size_t)(run->n_series > 0 ? run->n_series : 0);
    int *all = NULL;
    if (!groups) {
        /* every group its series use, in order of first use */
        all = calloc(ns + 1, sizeof *all);
        if (!all)
            return aim__db_set_error(db, -ENOMEM, "out of memory");
        n_groups = 0;
        for (size_t i = 0; i < ns; i++) {
            int k = 0;
            while (k < n_groups && all[k] != run->series[i].group)
                k++;
            if (k == n_groups)
                all[n_groups++] = run->series[i].group;
        }
        groups = all;
    }
    aim_series_group *gs = calloc((size_t)(n_groups > 0 ? n_groups : 1), sizeof *gs);
    aim_chunk_column *cols = calloc(ns * (size_t)(n_groups > 0 ? n_groups : 1) + 1, sizeof *cols);
    int e = gs && cols ? 0 : aim__db_set_error(db, -ENOMEM, "out of memory");
    for (int g = 0; e == 0 && g < n_groups; g++) {
        gs[g].group = groups[g];
        gs[g].cols = cols + ns * (size_t)g;
        for (size_t i = 0; i < ns; i++)
            if (run->series[i].group == groups[g]) {
                cols[ns * (size_t)g + (size_t)gs[g].n].resolution = run->series[i].resolution;
                cols[ns * (size_t)g + (size_t)gs[g].n++].counter = run->series[i].counter;
            }
    }
    if (e == 0)
        e = open_from(db, run->id, gs, n_groups, from_ns, ret);
    free(cols);
    free(gs);
    free(all);
    return e;
}

int aim__series_reader_next(aim_series_reader *r, aim_series_tick *ret) {
    int best = -1;
    for (int g = 0; g < r->n; g++) {
        cursor *c = &r->cs[g];
        int e = peek(r, c);
        if (e < 0)
            return e;
        /* strictly earlier: a tie goes to the group listed first */
        if (e && (best < 0 || c->t[c->pos] < r->cs[best].t[r->cs[best].pos]))
            best = g;
    }
    if (best < 0)
        return 0;
    cursor *c = &r->cs[best];
    size_t off = c->pos * (size_t)c->n;
    ret->index = best;
    ret->group = c->group;
    ret->t_rel_ns = c->t[c->pos];
    ret->n = c->n;
    ret->values = c->v + off; /* allocated even for a group of no series */
    ret->valid = c->ok + off;
    c->pos++; /* the buffer stays until the next peek decodes another chunk */
    return 1;
}

int aim__series_reader_more(aim_series_reader *r, int index) {
    return peek(r, &r->cs[index]);
}

int aim__series_reader_groups(const aim_series_reader *r) { return r->n; }

int aim__series_reader_group(const aim_series_reader *r, int index) { return r->cs[index].group; }

/* ------------------------------------------------------------------ one group (db.h) */

int aim__db_for_each_tick(aim_db *db, const char *run_id, int group, aim_chunk_tick_fn fn,
                         void *userdata) {
    int r = aim__db_run_exists(db, run_id);
    if (r < 0)
        return r;
    aim_series_group g = { .group = group };
    aim_chunk_column *cols = NULL;
    r = db->ops->group_columns(db, run_id, group, &cols, &g.n);
    if (r < 0)
        return r;
    g.cols = cols;
    aim_series_reader *rd = NULL;
    r = aim__series_reader_open(db, run_id, &g, 1, &rd);
    free(cols);
    int64_t ticks = 0;
    aim_series_tick t;
    while (r == 0 && (r = aim__series_reader_next(rd, &t)) > 0) {
        ticks++;
        r = fn(t.t_rel_ns, t.values, t.valid, userdata);
    }
    aim__series_reader_free(rd);
    if (r == -EBADMSG || r == -EINVAL) {
        /* the replays' messages name the store, as the CLI prints them alone */
        char why[sizeof db->err];
        memcpy(why, db->err, sizeof why);
        aim__db_set_error(db, r, "%s: %s", db->url ? db->url : "store", why);
    }
    if (r == 0 && ticks == 0 && g.n == 0)
        r = aim__db_set_error(db, -ENOENT, "%s: run %s has no group %d",
                             db->url ? db->url : "store", run_id, group);
    return r;
}
