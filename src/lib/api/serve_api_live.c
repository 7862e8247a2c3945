/* GET /api/live of `aimeter serve` (serve_api_live.h): the runs in progress in the store. */
#include "api/serve_api_live.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/run_load.h"
#include "api/serve_api.h"
#include "report/jsonutil.h"
#include "store/store.h"
#include "store/tags_store.h"
#include "util/iso8601.h"

/* The latest values: the last seconds of the run hold at least one tick of every group
 * sampled at 1 Hz or faster (a slower series shows once it has a tick in the window). */
#define LATEST_WINDOW_NS (5 * 1000000000LL)

int aim__serve_live_ticks(aim_db *db, const aim_run_summary *run, int64_t after_ns,
                          int64_t upto_ns, aim_serve_live_fn fn, void *userdata) {
    int n = run->n_series;
    if (n <= 0 || upto_ns <= after_ns)
        return 0;
    /* each series' column within its group, and a row of the run's series for fn */
    int *pos = calloc((size_t)n, sizeof *pos);
    double *row = calloc((size_t)n, sizeof *row);
    aim_series_reader *rd = NULL;
    int r = pos && row ? 0 : aim__db_set_error(db, -ENOMEM, "out of memory");
    for (int i = 0; i < n && r == 0; i++)
        for (int k = 0; k < i; k++)
            pos[i] += run->series[k].group == run->series[i].group;
    if (r == 0)
        r = aim__series_reader_open_run_from(db, run, NULL, 0,
                                             after_ns == INT64_MAX ? after_ns : after_ns + 1, &rd);
    aim_series_tick t;
    while (r == 0 && (r = aim__series_reader_next(rd, &t)) > 0) {
        r = 0;
        if (t.t_rel_ns <= after_ns)
            continue; /* the rest of the first chunk read */
        if (t.t_rel_ns > upto_ns)
            continue; /* after the stored duration: the next read's */
        for (int i = 0; i < n; i++)
            row[i] = run->series[i].group == t.group && pos[i] < t.n && t.valid[pos[i]]
                         ? t.values[pos[i]] : NAN;
        r = fn(t.t_rel_ns, row, userdata);
    }
    aim__series_reader_free(rd);
    free(row);
    free(pos);
    return r;
}

typedef struct latest {
    int n;
    double *t, *v;                 /* per series: its latest valid value, t NaN: none */
} latest;

static int note(int64_t t_ns, const double *values, void *userdata) {
    latest *l = userdata;
    for (int i = 0; i < l->n; i++)
        if (isfinite(values[i])) {
            l->t[i] = (double)t_ns / 1e9;
            l->v[i] = values[i];
        }
    return 0;
}

/* "latest": series name -> {"t", "v", "unit"}. */
static int latest_json(aim_db *db, const aim_run_summary *run, json_t *o, int *err) {
    int n = run->n_series > 0 ? run->n_series : 0;
    latest l = { .n = n, .t = calloc((size_t)n + 1, sizeof(double)),
                 .v = calloc((size_t)n + 1, sizeof(double)) };
    int r = l.t && l.v ? 0 : -ENOMEM;
    for (int i = 0; i < n; i++)
        l.t[i] = NAN;
    if (r == 0)
        r = aim__serve_live_ticks(db, run, run->duration_ns - LATEST_WINDOW_NS, run->duration_ns,
                                  note, &l);
    json_t *obj = json_object();
    for (int i = 0; i < n && r == 0; i++) {
        if (isnan(l.t[i]))
            continue;
        char key[160];
        aim__api_series_key(run, &run->series[i], key, sizeof key);
        json_t *e = json_object();
        aim__json_put(e, "t", aim__json_num(l.t[i]), err);
        aim__json_put(e, "v", aim__json_num(l.v[i]), err);
        aim__json_put(e, "unit", json_string(aim__api_series_unit(&run->series[i])), err);
        aim__json_put(obj, key, e, err);
    }
    aim__json_put(o, "latest", obj, err);
    free(l.t);
    free(l.v);
    return r;
}

/* "phases": the open ones, {name, start_s}, in the order they began. */
static int phases_json(aim_db *db, const char *run_id, json_t *o, int *err) {
    aim_phase_instance *ph = NULL;
    size_t n = 0;
    int r = aim__db_phase_instances(db, run_id, &ph, &n);
    json_t *arr = json_array();
    for (size_t i = 0; i < n && r == 0; i++) {
        if (ph[i].closed)
            continue;
        json_t *e = json_object();
        aim__json_put(e, "name", aim__json_str(ph[i].name, sizeof ph[i].name), err);
        aim__json_put(e, "start_s", aim__json_num((double)ph[i].start_ns / 1e9), err);
        aim__json_push(arr, e, err);
    }
    aim__json_put(o, "phases", arr, err);
    free(ph);
    return r;
}

static int run_json(aim_db *db, const char *run_id, json_t *runs, int *err) {
    aim_run_summary run;
    int r = aim__db_load_summary(db, run_id, &run);
    if (r == -ENOENT)
        return 0; /* deleted since the list: no longer live */
    if (r < 0)
        return r;
    if (run.status == AIM_RUN_RUNNING && !run.stale) {
        char t[40];
        json_t *o = json_object();
        aim__json_put(o, "id", aim__json_str(run.id, sizeof run.id), err);
        aim__json_put(o, "name", aim__json_str(run.name, sizeof run.name), err);
        aim__json_put(o, "host", aim__json_str(run.host, sizeof run.host), err);
        aim__fmt_time_iso(t, sizeof t, run.start_wall_ns);
        aim__json_put(o, "start_time", json_string(t), err);
        aim__json_put(o, "duration_s", aim__json_num((double)run.duration_ns / 1e9), err);
        if ((r = latest_json(db, &run, o, err)) == 0)
            r = phases_json(db, run.id, o, err);
        aim__json_push(runs, o, err);
    }
    aim__run_summary_clear(&run);
    return r;
}

int aim__serve_live_json(aim_db *db, json_t **ret) {
    aim_run_summary *list = NULL;
    size_t n = 0;
    int err = 0;
    int r = aim__db_list_runs(db, 0, &list, &n);
    json_t *o = json_object(), *runs = json_array();
    for (size_t i = 0; i < n && r == 0; i++)
        if (list[i].status == AIM_RUN_RUNNING && !list[i].stale)
            r = run_json(db, list[i].id, runs, &err);
    aim__json_put(o, "schema", json_string(AIM_SERVE_LIVE_SCHEMA), &err);
    aim__json_put(o, "runs", runs, &err);
    for (size_t i = 0; i < n; i++)
        aim__run_summary_clear(&list[i]);
    free(list);
    if (r == 0 && err)
        r = -ENOMEM;
    if (r < 0) {
        json_decref(o);
        return r;
    }
    *ret = o;
    return 0;
}

int aim__serve_api_live(aim_serve_ctx *ctx, const char *arg, const aim_http_request *req,
                        aim_http_response *resp) {
    (void)arg;
    (void)req;
    aim_db *db = aim__store_db(ctx->store);
    json_t *o = NULL;
    int r = aim__serve_live_json(db, &o);
    if (r == -ENOMEM)
        return r;
    if (r < 0)
        return aim__serve_api_error(resp, 500, "%s", aim__db_errmsg(db));
    return aim__serve_api_json(resp, o);
}
