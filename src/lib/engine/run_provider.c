/* A live provider during a run (run_provider.h). */
#include "engine/run_provider.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/provider_feed.h"

#define MIN_CADENCE_MS 100

struct aim_run_provider {
    aim_provider_query q;          /* strings below */
    char provider[24];
    char zone[64];
    char *cache_dir;               /* NULL: no disk cache (no HOME) */
    aim_provider_feed *feed;
    aim_intensity_series *series;  /* the run's, once started */
    pthread_mutex_t lock;          /* received and last, written by the polling thread */
    aim_prov_series received;      /* every point received, at its own time */
    aim_intensity_point last;      /* the newest point passed to the series */
};

int aim__run_provider_query(const aim_config *cfg, aim_provider_query *q, char *err, size_t errlen) {
    memset(q, 0, sizeof *q);
    if (!cfg->provider[0]) {
        if (err && errlen)
            snprintf(err, errlen, "no provider configured");
        return -ENOENT;
    }
    q->provider = cfg->provider;
    if (cfg->provider_region[0]) {
        q->zone = cfg->provider_region;
    } else if (cfg->have_location) {
        q->have_latlon = 1;
        q->lat = cfg->lat;
        q->lon = cfg->lon;
    } else if (cfg->zone[0]) {
        q->zone = cfg->zone;
    }
    q->signal = cfg->marginal ? AIM_SIGNAL_MARGINAL : AIM_SIGNAL_AVERAGE;
    q->basis = AIM_BASIS_LIFECYCLE; /* Electricity Maps' default, the table's basis too */
    return aim__provider_check_query(q, err, errlen);
}

/* "Electricity Maps API v3 carbon-intensity/latest, zone DE, fetched 2026-11-21T10:00:00Z,
 * average signal, from the disk cache" */
static void describe(char *buf, size_t size, const aim_provider_result *meta) {
    snprintf(buf, size, "%.140s, %s signal%s", meta->source,
             meta->signal == AIM_SIGNAL_MARGINAL ? "marginal" : "average",
             meta->stale ? "" : meta->from_cache ? ", from the disk cache" : "");
}

int aim__run_provider_open(const aim_config *cfg, int64_t timeout_ms, aim_intensity_series *out,
                          aim_run_provider **ret, char *note, size_t notelen) {
    if (note && notelen)
        note[0] = '\0';
    aim_provider_query q;
    int r = aim__run_provider_query(cfg, &q, note, notelen);
    if (r < 0)
        return r;
    aim_run_provider *p = calloc(1, sizeof *p);
    if (!p) {
        if (note && notelen)
            snprintf(note, notelen, "out of memory");
        return -ENOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    snprintf(p->provider, sizeof p->provider, "%s", q.provider);
    snprintf(p->zone, sizeof p->zone, "%s", q.zone ? q.zone : "");
    p->q = q;
    p->q.provider = p->provider;
    p->q.zone = q.zone ? p->zone : NULL;
    if (aim__provider_default_cache_dir(&p->cache_dir) < 0)
        p->cache_dir = NULL; /* no HOME: every answer from the provider itself */
    p->q.cache_dir = p->cache_dir;

    aim_provider_query first = p->q;
    first.timeout_ms = timeout_ms > 0 ? timeout_ms : AIM_RUN_PROVIDER_START_MS;
    aim_provider_result meta = { .points = NULL };
    aim_prov_series s;
    char err[256];
    r = aim__provider_fetch_series(&first, NULL, &meta, &s, err, sizeof err);
    if (r == 0 && s.n == 0)
        r = aim__prov_fail(err, sizeof err, -ENOENT, "no data");
    if (r == 0)
        r = aim__intensity_series_append(out, s.p, s.n);
    if (r < 0) {
        if (note && notelen)
            snprintf(note, notelen, "%s", err[0] ? err : strerror(-r));
        aim__prov_series_free(&s);
        aim__run_provider_free(p);
        return r;
    }
    out->origin = AIM_ORIGIN_PROVIDER;
    snprintf(out->zone, sizeof out->zone, "%.*s", (int)sizeof out->zone - 1, meta.zone);
    out->signal = meta.signal;
    out->basis = meta.basis;
    describe(out->source, sizeof out->source, &meta);
    if (note && notelen)
        snprintf(note, notelen, "%s", meta.note);
    p->received = s; /* handed over */
    p->last = s.p[s.n - 1];
    *ret = p;
    return 0;
}

/* The feed's callback, on its thread: keep every point, and give the series the newest one
 * when it is new. Older new points (an answer with several) are not appended: the series
 * moves a point older than what was priced to that time, so they would all land on one
 * instant; the back-fill puts them where they belong. */
static void on_points(void *userdata, const aim_intensity_point *pts, size_t n,
                      const aim_provider_result *meta) {
    (void)meta;
    aim_run_provider *p = userdata;
    aim_intensity_point newest = pts[n - 1];
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < n; i++)
        if (aim__prov_series_push(&p->received, pts[i].t_unix_ms, pts[i].g_per_kwh) < 0)
            break; /* out of memory: the series below still gets the newest point */
    aim__prov_series_sort_dedupe(&p->received);
    int fresh = newest.t_unix_ms > p->last.t_unix_ms ||
                (newest.t_unix_ms == p->last.t_unix_ms && newest.g_per_kwh != p->last.g_per_kwh);
    if (fresh)
        p->last = newest;
    pthread_mutex_unlock(&p->lock);
    if (!fresh)
        return;
    /* A revised value for the period in force, or a point the writer has not priced past
     * yet, may not be later than the series' last point: it then applies from just after it
     * (series.h moves it further, to what was priced, when needed). */
    aim_intensity_series *s = p->series;
    pthread_mutex_lock(&s->lock);
    int64_t after = s->n ? s->points[s->n - 1].t_unix_ms + 1 : INT64_MIN;
    pthread_mutex_unlock(&s->lock);
    if (newest.t_unix_ms < after)
        newest.t_unix_ms = after;
    aim__intensity_series_append(s, &newest, 1); /* only this thread appends after the start */
}

int aim__run_provider_start(aim_run_provider *p, aim_intensity_series *series, int64_t cadence_ms) {
    if (p->feed)
        return -EALREADY;
    aim_provider_query fq = p->q;
    fq.timeout_ms = 0; /* a poll runs in the background: the provider's default patience */
    const char *env = getenv("AIMETER_PROVIDER_CADENCE");
    int64_t ns;
    if (env && *env && aim_parse_duration(env, &ns) == 0 && ns >= MIN_CADENCE_MS * 1000000LL) {
        cadence_ms = ns / 1000000;
        /* A cache entry lives for the provider's own cadence: polled faster, every poll
         * would be answered from it. */
        fq.cache_dir = NULL;
    }
    p->series = series;
    int r = aim__provider_feed_new(&fq, cadence_ms, &p->feed);
    if (r == 0)
        r = aim__provider_feed_set_callback(p->feed, on_points, p);
    if (r == 0)
        r = aim__provider_feed_start(p->feed);
    if (r < 0) {
        aim__provider_feed_free(p->feed);
        p->feed = NULL;
    }
    return r;
}

void aim__run_provider_stop(aim_run_provider *p) {
    if (p && p->feed)
        aim__provider_feed_stop(p->feed);
}

void aim__run_provider_counts(aim_run_provider *p, uint64_t *ret_polls, uint64_t *ret_failures,
                             char *note, size_t notelen) {
    uint64_t polls = 0, failures = 0;
    if (note && notelen)
        note[0] = '\0';
    if (p->feed) {
        aim__provider_feed_counts(p->feed, &polls, &failures);
        aim_intensity_point pt;
        aim__provider_feed_latest(p->feed, &pt, note, notelen);
    }
    if (ret_polls)
        *ret_polls = polls;
    if (ret_failures)
        *ret_failures = failures;
}

size_t aim__run_provider_received(aim_run_provider *p) {
    pthread_mutex_lock(&p->lock);
    size_t n = p->received.n;
    pthread_mutex_unlock(&p->lock);
    return n;
}

int aim__run_provider_merge(const aim_intensity_point *live, size_t n_live,
                           const aim_intensity_point *hist, size_t n_hist, int64_t from_ms,
                           int64_t to_ms, aim_prov_series *out) {
    memset(out, 0, sizeof *out);
    int64_t h0 = n_hist ? hist[0].t_unix_ms : INT64_MAX;
    int64_t h1 = n_hist ? hist[n_hist - 1].t_unix_ms : INT64_MIN;
    int r = 0;
    for (size_t i = 0; i < n_live && r == 0; i++)
        if (live[i].t_unix_ms < h0)
            r = aim__prov_series_push(out, live[i].t_unix_ms, live[i].g_per_kwh);
    for (size_t i = 0; i < n_hist && r == 0; i++)
        r = aim__prov_series_push(out, hist[i].t_unix_ms, hist[i].g_per_kwh);
    for (size_t i = 0; i < n_live && r == 0; i++)
        if (live[i].t_unix_ms > h1)
            r = aim__prov_series_push(out, live[i].t_unix_ms, live[i].g_per_kwh);
    if (r < 0) {
        aim__prov_series_free(out);
        return r;
    }
    aim__prov_series_sort_dedupe(out);
    aim__prov_series_clip(out, from_ms, to_ms);
    return 0;
}

int aim__run_provider_backfill(aim_run_provider *p, int64_t from_ms, int64_t to_ms,
                              int64_t timeout_ms, aim_prov_series *ret, char *source,
                              size_t sourcelen, char *note, size_t notelen) {
    if (note && notelen)
        note[0] = '\0';
    if (source && sourcelen)
        source[0] = '\0';
    aim_provider_query h = p->q;
    h.from_unix_ms = from_ms;
    h.to_unix_ms = to_ms;
    h.timeout_ms = timeout_ms > 0 ? timeout_ms : AIM_RUN_PROVIDER_BACKFILL_MS;
    /* No disk cache: a run's span is asked once, and the run stores what it used. */
    h.cache_dir = NULL;
    aim_provider_result meta = { .points = NULL };
    aim_prov_series hist;
    char err[256];
    int r = aim__provider_fetch_series(&h, NULL, &meta, &hist, err, sizeof err);
    if (r < 0) {
        if (note && notelen)
            snprintf(note, notelen, "%s", err[0] ? err : strerror(-r));
        return r;
    }
    pthread_mutex_lock(&p->lock);
    r = aim__run_provider_merge(p->received.p, p->received.n, hist.p, hist.n, from_ms, to_ms, ret);
    pthread_mutex_unlock(&p->lock);
    aim__prov_series_free(&hist);
    if (r < 0) {
        if (note && notelen)
            snprintf(note, notelen, "out of memory");
        return r;
    }
    if (source && sourcelen)
        describe(source, sourcelen, &meta);
    if (note && notelen)
        snprintf(note, notelen, "%s", meta.note);
    return 0;
}

const char *aim__run_provider_name(const aim_run_provider *p) { return p->provider; }

void aim__run_provider_free(aim_run_provider *p) {
    if (!p)
        return;
    aim__provider_feed_free(p->feed); /* stops the thread first: no callback after this */
    aim__prov_series_free(&p->received);
    free(p->cache_dir);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
