/* GET /api/runs/{id}/series (serve_api.h): stored series of a run over a window, each
 * min/max-decimated server-side (processing/decimate.h, the HTML report's decimation) to at
 * most `points` points, in one pass over the samples (store/series_reader): a one-hour run
 * at 1 kHz answers in bounded memory. metrics: comma-separated series keys as `aimeter plot
 * -m` names them ("gpu0.power"; default: every series); from/to: seconds since the run's
 * start (default: the whole run). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "api/run_load.h"
#include "api/serve_api.h"
#include "processing/decimate.h"
#include "processing/summary.h"
#include "store/codec.h"
#include "store/db.h"
#include "store/store.h"
#include "util/number.h"

typedef struct picked {
    int series;                    /* index in the run's series */
    int pos;                       /* its column in its group's ticks */
    aim_decimator dec;
} picked;

/* Every series whose key is in the comma list (or all of them); 0, -1 (400 in resp), -ENOMEM. */
static int pick(const aim_run_summary *run, const char *list, picked *out, size_t *n,
                aim_http_response *resp) {
    *n = 0;
    for (int i = 0; i < run->n_series; i++) {
        char key[160];
        aim__api_series_key(run, &run->series[i], key, sizeof key);
        size_t kl = strlen(key);
        int want = !list;
        for (const char *p = list; p && *p && !want;) {
            const char *c = strchr(p, ',');
            size_t l = c ? (size_t)(c - p) : strlen(p);
            want = l == kl && memcmp(p, key, l) == 0;
            p = c ? c + 1 : p + l;
        }
        if (!want)
            continue;
        out[*n] = (picked){ .series = i };
        for (int k = 0; k < i; k++) /* a group's columns are its series in slot order */
            out[*n].pos += run->series[k].group == run->series[i].group;
        (*n)++;
    }
    if (list && *n == 0) {
        int r = aim__serve_api_error(resp, 400, "no series of this run matches metrics "
                                     "'%.128s' (names as in `aimeter plot -m`: gpu0.power)", list);
        return r < 0 ? r : -1;
    }
    return 0;
}

static int seconds_param(const aim_http_request *req, const char *key, double *ret,
                         aim_http_response *resp) {
    const char *v = aim__http_query(req, key);
    if (!v)
        return 0;
    if (aim__parse_decimal(v, strlen(v), 0, ret) < 0) {
        int r = aim__serve_api_error(resp, 400, "bad %s '%.64s': seconds since the run's start",
                                     key, v);
        return r < 0 ? r : -1;
    }
    return 0;
}

/* One group's pass (read_all): its chunks from the one that holds `from` on, each merged
 * into the decimators of the picked series it carries. */
typedef struct group_pass {
    picked *p;
    size_t n;
    int *col;                      /* [n]: p[k]'s column in this group, -1 when elsewhere */
    double to;
    int past;                      /* a tick after `to` was met: the group is done */
    aim_chunk_col_summary *cs;     /* [group's columns] */
} group_pass;

static int push_tick(int64_t t_rel_ns, const double *values, const uint8_t *valid, void *ud) {
    group_pass *g = ud;
    double ts = (double)t_rel_ns / 1e9; /* as the decimators compare it with to */
    if (ts > g->to) { /* the rest of the chunk is still read: a damaged one is still said */
        g->past = 1;
        return 0;
    }
    int r = 0;
    for (size_t k = 0; k < g->n && r == 0; k++)
        if (g->col[k] >= 0)
            r = aim__decimator_push(&g->p[k].dec, ts, values[g->col[k]], valid[g->col[k]]);
    return r;
}

/* The chunk by its summary when it has one, every picked column of it is free of gaps and it
 * lies in one bucket: 1 when merged so (the decimators then are as its samples would leave
 * them), 0 when it must be decoded, -ENOMEM. */
static int push_summary(group_pass *g, int n_cols, const aim_chunk_column *cols,
                        const uint8_t *sum, size_t len) {
    aim_chunk_summary h;
    if (!sum || aim__chunk_summary_decode(sum, len, n_cols, cols, &h, g->cs) < 0 ||
        h.n_ticks < 1)
        return 0;
    if ((double)h.t_first / 1e9 > g->to)
        return 0; /* the group's last chunk read: decoded, as a whole pass would */
    picked *first = NULL;
    for (size_t k = 0; k < g->n; k++) {
        if (g->col[k] < 0)
            continue;
        const aim_chunk_col_summary *c = &g->cs[g->col[k]];
        if (c->dirty || c->count != h.n_ticks)
            return 0;
        if (!first)
            first = &g->p[k];
    }
    if (!first)
        return 1; /* no picked column here (cannot happen: the group was picked) */
    /* every decimator has the one window and buckets: the first one answers for all */
    double t0 = (double)h.t_first / 1e9, t1 = (double)h.t_last / 1e9;
    long b = aim__decimator_bucket(&first->dec, t0);
    if (b < 0 || aim__decimator_bucket(&first->dec, t1) != b)
        return 0;
    for (size_t k = 0; k < g->n; k++) {
        if (g->col[k] < 0)
            continue;
        const aim_chunk_col_summary *c = &g->cs[g->col[k]];
        aim_decimate_run run = { .count = (size_t)c->count, .t_last = t1,
                                   .t = { (double)c->t[0] / 1e9, (double)c->t[1] / 1e9 },
                                   .v = { c->v[0], c->v[1] },
                                   .t_min = (double)c->t_min / 1e9, .v_min = c->v_min,
                                   .t_max = (double)c->t_max / 1e9, .v_max = c->v_max };
        int r = aim__decimator_push_run(&g->p[k].dec, &run);
        if (r < 0)
            return r;
        if (r == 0) /* it is pushed whole or not at all: checked above for every decimator */
            return -EINVAL;
    }
    return 1;
}

static int read_group(aim_db *db, const aim_run_summary *run, int group, group_pass *g,
                      int64_t from_ns) {
    int n_cols = 0;
    for (int i = 0; i < run->n_series; i++)
        n_cols += run->series[i].group == group;
    aim_chunk_column *cols = calloc((size_t)n_cols + 1, sizeof *cols);
    g->cs = calloc((size_t)n_cols + 1, sizeof *g->cs);
    int r = cols && g->cs ? 0 : -ENOMEM;
    for (int i = 0, c = 0; r == 0 && i < run->n_series; i++)
        if (run->series[i].group == group)
            cols[c++] = (aim_chunk_column){ run->series[i].resolution, run->series[i].counter };
    for (size_t k = 0; k < g->n; k++)
        g->col[k] = run->series[g->p[k].series].group == group ? g->p[k].pos : -1;
    aim_db_chunk_iter *it = NULL;
    if (r == 0)
        r = aim__db_chunk_iter_from(db, run->id, group, from_ns, &it);
    g->past = 0;
    while (r == 0 && !g->past) {
        const uint8_t *blob, *sum = NULL;
        size_t len, sum_len = 0;
        int64_t seq = 0;
        int more = aim__db_chunk_iter_next(it, &blob, &len, &seq);
        if (more <= 0) {
            r = more;
            break;
        }
        aim__db_chunk_iter_summary(it, &sum, &sum_len);
        r = push_summary(g, n_cols, cols, sum, sum_len);
        if (r == 0)
            r = aim__chunk_decode(blob, len, n_cols, cols, push_tick, g);
        else if (r > 0)
            r = 0;
        if (r == -EBADMSG || r == -EINVAL) /* the series reader's words */
            r = aim__db_set_error(db, r, "run %s, group %d: chunk %lld %s", run->id, group,
                                  (long long)seq, r == -EBADMSG ? "is corrupt" : aim_strerror(r));
    }
    aim__db_chunk_iter_free(it);
    free(cols);
    free(g->cs);
    g->cs = NULL;
    return r;
}

/* The one pass, group by group (a series is in one group, and its decimator sees its samples
 * in time order either way): only the picked series' groups are read, from the chunk that
 * holds `from` on, to the first tick after `to`: a zoom reads its window, not the run. A chunk
 * that lies in one bucket is merged by its stored summary (chunks.summary) without decoding
 * it; the others are decoded tick by tick. Points outside the window are ignored by the
 * decimators, so the answer is the one a whole pass gives. */
static int read_all(aim_db *db, const aim_run_summary *run, picked *p, size_t n, double from,
                    double to) {
    int *groups = calloc(n + 1, sizeof *groups), n_groups = 0;
    int *col = calloc(n + 1, sizeof *col);
    int r = groups && col ? 0 : -ENOMEM;
    for (size_t k = 0; r == 0 && k < n; k++) {
        int g = run->series[p[k].series].group, seen = 0;
        for (int i = 0; i < n_groups; i++)
            seen |= groups[i] == g;
        if (!seen)
            groups[n_groups++] = g;
    }
    int64_t from_ns = from > 0 ? (int64_t)(from * 1e9) - 1 : INT64_MIN;
    group_pass g = { .p = p, .n = n, .col = col, .to = to };
    for (int i = 0; r == 0 && i < n_groups; i++)
        r = read_group(db, run, groups[i], &g, from_ns);
    free(col);
    free(groups);
    return r;
}

/* Decimates dec's points once more into buckets buckets (breaks kept or dropped). */
static int again(aim_decimator *dec, double x0, double x1, size_t buckets, int breaks) {
    aim_decimator d;
    int r = 0;
    aim__decimator_init(&d, x0, x1, buckets);
    for (size_t i = 0; i < dec->n && r == 0; i++)
        if (breaks || !isnan(dec->v[i]))
            r = aim__decimator_push(&d, dec->t[i], dec->v[i], 1);
    if (r == 0)
        r = aim__decimator_finish(&d);
    d.samples = dec->samples;
    d.per_bucket = dec->per_bucket > d.per_bucket ? dec->per_bucket : d.per_bucket;
    aim__decimator_free(dec);
    *dec = d;
    return r;
}

/* A bucket holds at most 2 points without a gap, 6 with one: a series past `points` (gaps)
 * is decimated once more, over its own points, into points / 6 buckets, and, when even that
 * is too many (points under 6), into points / 2 without its breaks. Each pass keeps every
 * bucket's minimum and maximum. */
int aim__serve_api_bound(aim_decimator *dec, double x0, double x1, long points) {
    int r = aim__decimator_finish(dec);
    if (r == 0 && dec->n > (size_t)points)
        r = again(dec, x0, x1, (size_t)(points / 6 > 0 ? points / 6 : 1), 1);
    if (r == 0 && dec->n > (size_t)points)
        r = again(dec, x0, x1, (size_t)points / 2, 0);
    return r;
}

static json_t *series_json(const aim_run_summary *run, const picked *p, int *err) {
    const aim_series_summary *s = &run->series[p->series];
    char key[160];
    aim__api_series_key(run, s, key, sizeof key);
    json_t *o = json_object(), *t = json_array(), *v = json_array();
    aim__json_put(o, "name", json_string(key), err);
    aim__json_put(o, "unit", json_string(aim__api_series_unit(s)), err);
    aim__json_put(o, "samples", aim__json_count(p->dec.samples), err);
    aim__json_put(o, "per_point", aim__json_count(p->dec.per_bucket ? p->dec.per_bucket : 1), err);
    for (size_t i = 0; i < p->dec.n; i++) {
        aim__json_push(t, aim__json_num(p->dec.t[i]), err);
        aim__json_push(v, aim__json_num(p->dec.v[i]), err); /* NaN: null, a break */
    }
    aim__json_put(o, "t", t, err);
    aim__json_put(o, "v", v, err);
    return o;
}

int aim__serve_api_series(aim_store *store, const char *run_id, const aim_http_request *req,
                          aim_http_response *resp) {
    aim_run_summary run;
    int r = aim__api_load_run(store, run_id, &run);
    if (r < 0)
        return aim__serve_api_error(resp, r == -ENOENT ? 404 : 500, "%s", aim_store_errmsg(store));
    double duration = run.duration_ns > 0 ? (double)run.duration_ns / 1e9 : 0;
    double from = 0, to = duration;
    long points = AIM_SERVE_POINTS_DEFAULT;
    picked *p = calloc((size_t)run.n_series + 1, sizeof *p);
    size_t n = 0;
    if (!p)
        r = -ENOMEM;
    else if ((r = seconds_param(req, "from", &from, resp)) == 0 &&
             (r = seconds_param(req, "to", &to, resp)) == 0 &&
             (r = aim__serve_api_uint(req, "points", 2, AIM_SERVE_POINTS_MAX, &points, resp)) >= 0 &&
             (r = pick(&run, aim__http_query(req, "metrics"), p, &n, resp)) == 0 && to < from) {
        r = aim__serve_api_error(resp, 400, "from %g s is after to %g s", from, to);
        r = r < 0 ? r : -1;
    }
    if (r >= 0) {
        for (size_t k = 0; k < n; k++)
            aim__decimator_init(&p[k].dec, from, to, (size_t)points / 2);
        r = read_all(aim__store_db(store), &run, p, n, from, to);
        for (size_t k = 0; k < n && r == 0; k++)
            r = aim__serve_api_bound(&p[k].dec, from, to, points);
        if (r == -EBADMSG || r == -EINVAL) {
            r = aim__serve_api_error(resp, 500, "%s", aim__db_errmsg(aim__store_db(store)));
        } else if (r == 0) {
            int err = 0;
            json_t *o = json_object(), *arr = json_array();
            aim__json_put(o, "run", json_string(run.id), &err);
            aim__json_put(o, "from_s", aim__json_num(from), &err);
            aim__json_put(o, "to_s", aim__json_num(to), &err);
            aim__json_put(o, "points", json_integer(points), &err);
            for (size_t k = 0; k < n; k++)
                aim__json_push(arr, series_json(&run, &p[k], &err), &err);
            aim__json_put(o, "series", arr, &err);
            if (err) {
                json_decref(o);
                o = NULL;
            }
            r = aim__serve_api_json(resp, o);
        }
    }
    for (size_t k = 0; p && k < n; k++)
        aim__decimator_free(&p[k].dec);
    free(p);
    aim__run_summary_clear(&run);
    return r == -1 ? 0 : r;
}
