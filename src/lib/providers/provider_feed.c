/* The polling thread behind provider_feed.h. It sleeps on a condition variable bound to
 * CLOCK_MONOTONIC (a wall-clock jump must not make it poll a thousand times or never), and
 * a stop both wakes it and aborts the HTTP transfer in flight, so a run's end never waits
 * for a slow provider. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "providers/provider_feed.h"
#include "providers/provider_impl.h"

struct aim_provider_feed {
    aim_provider_query q;
    char *provider, *zone, *cache_dir;
    int64_t cadence_ms;
    aim_provider_feed_fn fn;   /* set before the thread starts, read by it only */
    void *fn_data;
    pthread_t thread;
    int started, joined;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    atomic_int stop;
    /* under lock */
    aim_prov_series points;
    aim_provider_result meta; /* of the last successful answer (points unused) */
    int have_meta;
    char note[256];
    uint64_t polls, failures;
};

static char *dup_or_null(const char *s, int *oom) {
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

int aim__provider_feed_new(const aim_provider_query *q, int64_t cadence_ms, aim_provider_feed **ret) {
    aim_provider_query latest = *q;
    latest.from_unix_ms = latest.to_unix_ms = 0;
    int r = aim__provider_check_query(&latest, NULL, 0);
    if (r < 0)
        return r;
    if (cadence_ms < 0)
        return -EINVAL;
    aim_provider_feed *f = calloc(1, sizeof *f);
    if (!f)
        return -ENOMEM;
    int oom = 0;
    f->provider = dup_or_null(q->provider, &oom);
    f->zone = dup_or_null(q->zone, &oom);
    f->cache_dir = dup_or_null(q->cache_dir, &oom);
    pthread_condattr_t ca;
    int cr = pthread_condattr_init(&ca);
    if (cr == 0) {
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        cr = pthread_cond_init(&f->cond, &ca);
        pthread_condattr_destroy(&ca);
    }
    if (oom || cr != 0) {
        free(f->provider);
        free(f->zone);
        free(f->cache_dir);
        if (cr == 0)
            pthread_cond_destroy(&f->cond);
        free(f);
        return -ENOMEM;
    }
    pthread_mutex_init(&f->lock, NULL);
    f->q = latest;
    f->q.provider = f->provider;
    f->q.zone = f->zone;
    f->q.cache_dir = f->cache_dir;
    f->cadence_ms = cadence_ms ? cadence_ms : aim__provider_cadence_ms(q->provider);
    snprintf(f->note, sizeof f->note, "waiting for the first answer from %s", aim__provider_label(q->provider));
    *ret = f;
    return 0;
}

/* Waits ms or until stopped; returns non-zero when stopped. */
static int nap(aim_provider_feed *f, int64_t ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&f->lock);
    while (!atomic_load(&f->stop))
        if (pthread_cond_timedwait(&f->cond, &f->lock, &ts) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&f->lock);
    return atomic_load(&f->stop);
}

static void *poll_thread(void *arg) {
    aim_provider_feed *f = arg;
    int64_t backoff = 0;
    while (!atomic_load(&f->stop)) {
        aim_provider_result meta = { .points = NULL };
        aim_prov_series s;
        char err[256];
        int r = aim__provider_fetch_series(&f->q, &f->stop, &meta, &s, err, sizeof err);
        int64_t next = f->cadence_ms;
        int give_up = 0;
        pthread_mutex_lock(&f->lock);
        f->polls++;
        if (r == 0) {
            int oom = 0;
            for (size_t i = 0; i < s.n && !oom; i++)
                oom = aim__prov_series_push(&f->points, s.p[i].t_unix_ms, s.p[i].g_per_kwh) < 0;
            aim__prov_series_sort_dedupe(&f->points);
            f->meta = meta;
            f->have_meta = 1;
            snprintf(f->note, sizeof f->note, "%s", oom ? "out of memory: points lost" : meta.note);
            backoff = 0;
        } else if (r != -ECANCELED) {
            f->failures++;
            snprintf(f->note, sizeof f->note, "%s", err);
            /* A query that can never work is not retried; anything else may recover (the
             * network comes back, the user fixes the key file). */
            give_up = r == -EINVAL || r == -EOPNOTSUPP;
            int64_t floor = f->cadence_ms / 4 > 0 ? f->cadence_ms / 4 : 1;
            backoff = backoff ? backoff * 2 : floor;
            if (backoff > 4 * f->cadence_ms)
                backoff = 4 * f->cadence_ms;
            next = backoff;
            if (meta.retry_after_s > 0 && (int64_t)meta.retry_after_s * 1000 > next)
                next = (int64_t)meta.retry_after_s * 1000;
        }
        pthread_mutex_unlock(&f->lock);
        if (r == 0 && f->fn && s.n)
            f->fn(f->fn_data, s.p, s.n, &meta);
        aim__prov_series_free(&s);
        if (give_up || nap(f, next))
            break;
    }
    return NULL;
}

int aim__provider_feed_set_callback(aim_provider_feed *f, aim_provider_feed_fn fn, void *userdata) {
    if (f->started)
        return -EALREADY;
    f->fn = fn;
    f->fn_data = userdata;
    return 0;
}

int aim__provider_feed_start(aim_provider_feed *f) {
    if (f->started)
        return -EALREADY;
    int r = pthread_create(&f->thread, NULL, poll_thread, f);
    if (r != 0)
        return -r;
    f->started = 1;
    return 0;
}

int aim__provider_feed_latest(aim_provider_feed *f, aim_intensity_point *ret, char *note, size_t notelen) {
    pthread_mutex_lock(&f->lock);
    int r = f->points.n ? 0 : -ENODATA;
    if (r == 0)
        *ret = f->points.p[f->points.n - 1];
    if (note && notelen)
        snprintf(note, notelen, "%s", f->note);
    pthread_mutex_unlock(&f->lock);
    return r;
}

int aim__provider_feed_points(aim_provider_feed *f, aim_provider_result *r) {
    pthread_mutex_lock(&f->lock);
    int rc = 0;
    if (f->have_meta) {
        snprintf(r->zone, sizeof r->zone, "%s", f->meta.zone);
        r->signal = f->meta.signal;
        r->basis = f->meta.basis;
        snprintf(r->source, sizeof r->source, "%s", f->meta.source);
        snprintf(r->note, sizeof r->note, "%s", f->note);
        r->fetched_unix_ms = f->meta.fetched_unix_ms;
        r->from_cache = f->meta.from_cache;
        r->stale = f->meta.stale;
    }
    r->n = f->points.n;
    if (f->points.n == 0)
        rc = -ENODATA;
    else if (f->points.n > r->cap || !r->points)
        rc = -ENOBUFS;
    else
        memcpy(r->points, f->points.p, f->points.n * sizeof *f->points.p);
    pthread_mutex_unlock(&f->lock);
    return rc;
}

void aim__provider_feed_counts(aim_provider_feed *f, uint64_t *ret_polls, uint64_t *ret_failures) {
    pthread_mutex_lock(&f->lock);
    if (ret_polls)
        *ret_polls = f->polls;
    if (ret_failures)
        *ret_failures = f->failures;
    pthread_mutex_unlock(&f->lock);
}

void aim__provider_feed_stop(aim_provider_feed *f) {
    if (!f || !f->started || f->joined)
        return;
    pthread_mutex_lock(&f->lock);
    atomic_store(&f->stop, 1);
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->lock);
    pthread_join(f->thread, NULL);
    f->joined = 1;
}

void aim__provider_feed_free(aim_provider_feed *f) {
    if (!f)
        return;
    aim__provider_feed_stop(f);
    aim__prov_series_free(&f->points);
    pthread_cond_destroy(&f->cond);
    pthread_mutex_destroy(&f->lock);
    free(f->provider);
    free(f->zone);
    free(f->cache_dir);
    free(f);
}

int aim__provider_backfill(const aim_provider_query *q, int64_t from_ms, int64_t to_ms,
                          aim_provider_result *r, char *err, size_t errlen) {
    aim_provider_query h = *q;
    h.from_unix_ms = from_ms;
    h.to_unix_ms = to_ms;
    return aim__provider_fetch(&h, r, err, errlen);
}
