/* GET /api/runs/{id}/events (serve_api.h): a run's new samples, phases and end as Server-Sent
 * Events (serve/sse.h), polled from the store every 500 ms (its writer commits every 750 ms).
 *   event: samples, id: the time of the last sample read (s since the run's start), data:
 *     {"from_s", "to_s", "series": [{"name", "unit", "t": [], "v": []}]}, the samples after
 *     Last-Event-ID (or since=S, or the last 60 s), each series decimated as /series does to
 *     at most points (default 500) points;
 *   event: phase, data: {"name", "start_s", "end_s" | null}: every instance on the first poll
 *     (resumed with Last-Event-ID or since: only those open, or begun or ended after it), then
 *     each that began or ended, known by its name and start (not its place in the list);
 *   event: end, data: {"status", "stale"}: the run is no longer running (the stream ends);
 *   event: error, data: {"error"}: the run is gone or the store failed (the stream ends).
 * The stream ends by itself within 8 s (sse.h); the browser's EventSource comes back with
 * Last-Event-ID. The store is used under the server's lock, taken for each poll. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/run_load.h"
#include "api/serve_api.h"
#include "api/serve_api_live.h"
#include "processing/decimate.h"
#include "report/jsonutil.h"
#include "serve/sse.h"
#include "store/store.h"
#include "store/tags_store.h"
#include "util/number.h"

#define EVENTS_POINTS_DEFAULT 500
#define FIRST_WINDOW_NS (60 * 1000000000LL)
#define POLL_NS 500000000L
/* A resumed stream re-sends the instances that began or ended this long before its resume
 * point too: the store may hold a phase's change only after the samples past it (a repeat
 * is harmless, the client keys instances by name and start). */
#define RESUME_SLACK_NS (5 * 1000000000LL)
/* one line per event (no indent), otherwise the report style */
#define SSE_JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

typedef struct events {
    aim_serve_ctx *ctx;
    char run_id[64];
    long points;
    int64_t after_ns;              /* the samples up to it are sent */
    int have_after;                /* 0: the first poll takes the last 60 s */
    aim_phase_instance *phases;    /* as the client knows them, sorted by by_identity */
    size_t n_phases;
    int polls;
    int polls_done;                /* the phases were looked at once */
    int resumed;                   /* Last-Event-ID or since: the client knows the phases... */
    int64_t resume_ns;             /* ...that ended before it */
} events;

typedef struct decimated {
    int n;
    aim_decimator *dec;            /* per series */
} decimated;

static int push(int64_t t_ns, const double *values, void *userdata) {
    decimated *d = userdata;
    int r = 0;
    for (int i = 0; i < d->n && r == 0; i++)
        if (!isnan(values[i]))
            r = aim__decimator_push(&d->dec[i], (double)t_ns / 1e9, values[i], 1);
    return r;
}

/* "t of the last sample" with every digit a double needs: the next read starts after it. */
static void seconds_id(char *out, size_t len, int64_t ns) {
    snprintf(out, len, "%lld.%09lld", (long long)(ns / 1000000000), (long long)(ns % 1000000000));
}

/* The samples in (after, upto] as one event; nothing when there are none. */
static int samples_event(events *ev, aim_db *db, const aim_run_summary *run, int64_t upto,
                         aim_strbuf *out) {
    int n = run->n_series > 0 ? run->n_series : 0;
    double from = ev->after_ns > 0 ? (double)ev->after_ns / 1e9 : 0, to = (double)upto / 1e9;
    decimated d = { .n = n, .dec = calloc((size_t)n + 1, sizeof *d.dec) };
    if (!d.dec)
        return -ENOMEM;
    for (int i = 0; i < n; i++)
        aim__decimator_init(&d.dec[i], from, to, (size_t)ev->points / 2);
    int r = aim__serve_live_ticks(db, run, ev->after_ns, upto, push, &d);
    for (int i = 0; i < n && r == 0; i++)
        r = aim__serve_api_bound(&d.dec[i], from, to, ev->points);
    int err = 0;
    json_t *o = json_object(), *arr = json_array();
    aim__json_put(o, "from_s", aim__json_num(from), &err);
    aim__json_put(o, "to_s", aim__json_num(to), &err);
    for (int i = 0; i < n && r == 0; i++) {
        char key[160];
        aim__api_series_key(run, &run->series[i], key, sizeof key);
        json_t *s = json_object(), *t = json_array(), *v = json_array();
        aim__json_put(s, "name", json_string(key), &err);
        aim__json_put(s, "unit", json_string(aim__api_series_unit(&run->series[i])), &err);
        for (size_t k = 0; k < d.dec[i].n; k++) {
            aim__json_push(t, aim__json_num(d.dec[i].t[k]), &err);
            aim__json_push(v, aim__json_num(d.dec[i].v[k]), &err); /* NaN: null, a break */
        }
        aim__json_put(s, "t", t, &err);
        aim__json_put(s, "v", v, &err);
        aim__json_push(arr, s, &err);
    }
    aim__json_put(o, "series", arr, &err);
    char *text = NULL;
    if (r == 0 && !err && aim__json_dump_flags(o, SSE_JSON_FLAGS, 0, &text) == 0) {
        char id[40];
        seconds_id(id, sizeof id, upto);
        aim__sse_event(out, "samples", id, text);
        ev->after_ns = upto;
    } else if (r == 0) {
        r = -ENOMEM;
    }
    free(text);
    json_decref(o);
    for (int i = 0; i < n; i++)
        aim__decimator_free(&d.dec[i]);
    free(d.dec);
    return r;
}

/* The event of type `event` whose data is o (consumed; err: one of its values failed): 0, or
 * -ENOMEM with nothing written. */
static int json_event(aim_strbuf *out, const char *event, json_t *o, int err) {
    char *text = NULL;
    int r = !err ? aim__json_dump_flags(o, SSE_JSON_FLAGS, 0, &text) : -ENOMEM;
    json_decref(o);
    if (r == 0)
        aim__sse_event(out, event, NULL, text);
    free(text);
    return r;
}

static int phase_event(const aim_phase_instance *p, aim_strbuf *out) {
    int err = 0;
    json_t *o = json_object();
    aim__json_put(o, "name", aim__json_str(p->name, sizeof p->name), &err);
    aim__json_put(o, "start_s", aim__json_num((double)p->start_ns / 1e9), &err);
    aim__json_put(o, "end_s", p->closed ? aim__json_num((double)p->end_ns / 1e9) : json_null(),
                  &err);
    return json_event(out, "phase", o, err);
}

/* An instance's identity is its name and start, not its place in the list: retention may
 * delete a running run's closed instances, moving the others up. */
static int by_identity(const void *a, const void *b) {
    const aim_phase_instance *x = a, *y = b;
    if (x->start_ns != y->start_ns)
        return x->start_ns < y->start_ns ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Whether p is worth sending: on the first poll, each instance (a resumed stream: only those
 * open, or begun or ended after the resume point, less a slack for an instance stored after
 * the samples that set it); later, those that began (not known) or ended (known open). */
static int phase_news(const events *ev, const aim_phase_instance *p) {
    if (ev->polls_done == 0)
        return !ev->resumed || !p->closed || p->start_ns >= ev->resume_ns - RESUME_SLACK_NS ||
               p->end_ns >= ev->resume_ns - RESUME_SLACK_NS;
    const aim_phase_instance *known = ev->n_phases
        ? bsearch(p, ev->phases, ev->n_phases, sizeof *p, by_identity) : NULL;
    return !known || (p->closed && !known->closed);
}

/* The instances that began or ended since the client last heard (phase_news). */
static int phase_events(events *ev, aim_db *db, aim_strbuf *out) {
    aim_phase_instance *ph = NULL;
    size_t n = 0;
    int r = aim__db_phase_instances(db, ev->run_id, &ph, &n);
    if (r == 0 && n > 1)
        qsort(ph, n, sizeof *ph, by_identity); /* the order they began; for bsearch */
    for (size_t i = 0; i < n && r == 0; i++)
        if (phase_news(ev, &ph[i]))
            r = phase_event(&ph[i], out);
    if (r == 0) {
        ev->polls_done = 1;
        free(ev->phases);
        ev->phases = ph;
        ev->n_phases = n;
    } else {
        free(ph);
    }
    return r;
}

static int end_event(const aim_run_summary *run, aim_strbuf *out) {
    char data[96];
    snprintf(data, sizeof data, "{\"status\":\"%s\",\"stale\":%s}", aim__json_status(run->status),
             run->stale ? "true" : "false");
    aim__sse_event(out, "end", NULL, data);
    return 0;
}

/* One look at the store: 1 (more to come), 0 (the run ended: that was the last), -errno. */
static int poll_store(events *ev, aim_strbuf *out) {
    aim_db *db = aim__store_db(ev->ctx->store);
    aim_run_summary run;
    int r = aim__db_load_summary(db, ev->run_id, &run);
    if (r < 0)
        return r; /* deleted meanwhile, or the store failed: the stream ends */
    if (!ev->have_after) {
        ev->after_ns = run.duration_ns - FIRST_WINDOW_NS;
        ev->have_after = 1;
    }
    if (run.duration_ns > ev->after_ns)
        r = samples_event(ev, db, &run, run.duration_ns, out);
    if (r == 0)
        r = phase_events(ev, db, out);
    int live = run.status == AIM_RUN_RUNNING && !run.stale;
    if (r == 0 && !live)
        end_event(&run, out);
    aim__run_summary_clear(&run);
    return r < 0 ? r : live;
}

/* A failed poll as the stream's last event, so that the stream ends normally: an
 * EventSource that lost its connection would come back forever, one told closes. */
static int error_event(const events *ev, int err, aim_strbuf *out) {
    char msg[320];
    const char *why = aim__db_errmsg(aim__store_db(ev->ctx->store));
    if (err == -ENOENT)
        snprintf(msg, sizeof msg, "no run %s in the store", ev->run_id);
    else
        snprintf(msg, sizeof msg, "%s", why && *why ? why : strerror(-err));
    int bad = 0;
    json_t *o = json_object();
    aim__json_put(o, "error", aim__json_str(msg, sizeof msg), &bad);
    int r = json_event(out, "error", o, bad);
    return r < 0 ? r : 0;
}

static int events_poll(void *cls, aim_strbuf *out) {
    events *ev = cls;
    if (ev->polls++ > 0) { /* the first answers at once; then twice a second */
        struct timespec ts = { 0, POLL_NS };
        nanosleep(&ts, NULL);
    }
    if (ev->ctx->lock)
        pthread_mutex_lock(ev->ctx->lock);
    int r = poll_store(ev, out);
    if (r < 0)
        r = error_event(ev, r, out); /* under the lock: the store's message */
    if (ev->ctx->lock)
        pthread_mutex_unlock(ev->ctx->lock);
    return r;
}

static void events_free(void *cls) {
    events *ev = cls;
    free(ev->phases);
    free(ev);
}

/* Last-Event-ID or since: seconds since the run's start, >= 0. 1 and *ret, 0 absent, -1 bad
 * (400 in resp). */
static int after_param(const char *name, const char *v, int64_t *ret, aim_http_response *resp) {
    if (!v)
        return 0;
    double s;
    if (aim__parse_decimal(v, strlen(v), 0, &s) < 0 || !(s < 9e9)) {
        int r = aim__serve_api_error(resp, 400, "bad %s '%.64s': seconds since the run's start",
                                     name, v);
        return r < 0 ? r : -1;
    }
    *ret = (int64_t)llround(s * 1e9);
    return 1;
}

int aim__serve_api_events(aim_serve_ctx *ctx, const char *run_id, const aim_http_request *req,
                          aim_http_response *resp) {
    long points = EVENTS_POINTS_DEFAULT;
    int64_t after = 0;
    int r, have = 0;
    if ((r = aim__serve_api_uint(req, "points", 2, AIM_SERVE_POINTS_MAX, &points, resp)) < 0)
        return r == -1 ? 0 : r;
    /* an EventSource's reconnection carries the last id it saw: it wins over the URL's since */
    if ((r = after_param("Last-Event-ID", req->last_event_id, &after, resp)) == 0)
        r = after_param("since", aim__http_query(req, "since"), &after, resp);
    if (r < 0)
        return r == -1 ? 0 : r;
    have = r;
    if (strlen(run_id) >= sizeof ((events *)0)->run_id)
        return aim__serve_api_error(resp, 400, "bad run id");
    events *ev = calloc(1, sizeof *ev);
    if (!ev)
        return -ENOMEM;
    *ev = (events){ .ctx = ctx, .points = points, .after_ns = after, .have_after = have,
                    .resumed = have, .resume_ns = after };
    strcpy(ev->run_id, run_id);
    aim_sse_source src = { .poll = events_poll, .free = events_free, .cls = ev };
    aim_http_stream stream;
    if ((r = aim__sse_stream(&src, aim__sse_budget(req), NULL, &stream)) < 0)
        return r;
    free(resp->body);
    *resp = (aim_http_response){ .status = 200, .type = AIM_SSE_TYPE, .stream = stream };
    return 0;
}
