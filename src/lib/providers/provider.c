/* One entry point for every live provider: checks the query, serves the disk cache when it
 * is still fresh, asks the provider otherwise, and falls back to a stale cache entry only
 * when the provider cannot be reached (and then says so in the source). A failure is never
 * turned into a default value here: the caller decides what to fall back to, and tells
 * the user. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/provider_impl.h"

#define DEFAULT_TIMEOUT_MS 20000L
#define MAX_RANGE_MS (366LL * 24 * 3600 * 1000)
#define MIN_TIME_MS 946684800000LL /* 2000-01-01: no provider has older data */

typedef struct provider_desc {
    const char *name;
    const char *label;
    int64_t cadence_ms;
    int has_average, has_marginal;
    int needs_location; /* zone or lat/lon required */
    int by_position;    /* can locate a latitude/longitude itself */
    int (*fetch)(aim_prov_ctx *c, aim_prov_answer *a, char *err, size_t errlen);
} provider_desc;

/* Cadence: WattTime publishes 5-minute values (data_point_period_seconds 300); Electricity
 * Maps' hourly values are revised as data arrive, and 5 minutes keeps the latest estimate
 * without hammering a free key; the UK API works in half hours. */
static const provider_desc providers[] = {
    { "electricitymaps", "Electricity Maps", 5 * 60 * 1000, 1, 0, 1, 1, aim__em_fetch },
    { "watttime", "WattTime", 5 * 60 * 1000, 1, 1, 1, 1, aim__wt_fetch },
    { "ukgrid", "UK Carbon Intensity API", 30 * 60 * 1000, 1, 0, 0, 0, aim__uk_fetch },
};

static const provider_desc *find(const char *name) {
    for (size_t i = 0; name && i < sizeof providers / sizeof providers[0]; i++)
        if (strcmp(name, providers[i].name) == 0)
            return &providers[i];
    return NULL;
}

int64_t aim__provider_cadence_ms(const char *provider) {
    const provider_desc *d = find(provider);
    return d ? d->cadence_ms : 0;
}

const char *aim__provider_label(const char *provider) {
    const provider_desc *d = find(provider);
    return d ? d->label : NULL;
}

static int check_query(const aim_provider_query *q, const provider_desc **ret, char *err, size_t errlen) {
    const provider_desc *d = find(q->provider);
    if (!d)
        return aim__prov_fail(err, errlen, -EINVAL, "unknown provider '%s' (electricitymaps, watttime or ukgrid)",
                             q->provider ? q->provider : "");
    if ((q->signal == AIM_SIGNAL_MARGINAL && !d->has_marginal) ||
        (q->signal == AIM_SIGNAL_AVERAGE && !d->has_average) ||
        (q->signal != AIM_SIGNAL_AVERAGE && q->signal != AIM_SIGNAL_MARGINAL))
        return aim__prov_fail(err, errlen, -EOPNOTSUPP,
                             "%s offers no %s signal (average only; WattTime gives marginal)", d->label,
                             aim__signal_name(q->signal) ? aim__signal_name(q->signal) : "such");
    int has_zone = q->zone && *q->zone;
    if (has_zone) {
        size_t n = strlen(q->zone);
        if (n >= 64 || strspn(q->zone, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.") != n ||
            strcmp(q->zone, ".") == 0 || strcmp(q->zone, "..") == 0)
            return aim__prov_fail(err, errlen, -EINVAL,
                                 "zone must be 1-63 letters, digits, '-', '_' or '.'");
    }
    if (q->have_latlon) {
        if (has_zone)
            return aim__prov_fail(err, errlen, -EINVAL, "give a zone or a position (lat/lon), not both");
        if (!isfinite(q->lat) || !isfinite(q->lon) || q->lat < -90 || q->lat > 90 || q->lon < -180 ||
            q->lon > 180)
            return aim__prov_fail(err, errlen, -EINVAL, "latitude must be within -90..90 and longitude -180..180");
        /* Checked here rather than at the fetch, so that a run refuses it before it starts. */
        if (!d->by_position)
            return aim__prov_fail(err, errlen, -EINVAL,
                                 "%s has no latitude/longitude lookup: give a postcode or a region id as its zone",
                                 d->label);
    }
    if (d->needs_location && !has_zone && !q->have_latlon)
        return aim__prov_fail(err, errlen, -EINVAL, "%s needs a zone or a position (lat/lon)", d->label);
    if (q->from_unix_ms || q->to_unix_ms) {
        if (q->from_unix_ms < MIN_TIME_MS || q->to_unix_ms <= q->from_unix_ms)
            return aim__prov_fail(err, errlen, -EINVAL, "the period must end after it starts, after 2000-01-01");
        if (q->to_unix_ms - q->from_unix_ms > MAX_RANGE_MS)
            return aim__prov_fail(err, errlen, -EINVAL, "the period is longer than 366 days");
    }
    if (q->timeout_ms < 0)
        return aim__prov_fail(err, errlen, -EINVAL, "negative timeout");
    *ret = d;
    return 0;
}

int aim__provider_check_query(const aim_provider_query *q, char *err, size_t errlen) {
    const provider_desc *d;
    return check_query(q, &d, err, errlen);
}

static void meta_from_entry(aim_provider_result *meta, const aim_cache_entry *e) {
    snprintf(meta->zone, sizeof meta->zone, "%s", e->zone);
    meta->signal = e->signal;
    meta->basis = e->basis;
    snprintf(meta->source, sizeof meta->source, "%s", e->source);
    snprintf(meta->note, sizeof meta->note, "%s", e->note);
    meta->fetched_unix_ms = e->fetched_ms;
    meta->from_cache = 1;
}

static void reset_meta(aim_provider_result *meta) {
    meta->n = 0;
    meta->zone[0] = meta->source[0] = meta->note[0] = '\0';
    meta->signal = AIM_SIGNAL_AVERAGE;
    meta->basis = AIM_BASIS_UNKNOWN;
    meta->fetched_unix_ms = 0;
    meta->from_cache = meta->stale = meta->retry_after_s = 0;
}

int aim__provider_fetch_series(const aim_provider_query *q, const atomic_int *cancel,
                              aim_provider_result *meta, aim_prov_series *out, char *err,
                              size_t errlen) {
    reset_meta(meta);
    memset(out, 0, sizeof *out);
    if (err && errlen)
        err[0] = '\0';
    const provider_desc *d;
    int r = check_query(q, &d, err, errlen);
    if (r < 0)
        return r;
    int history = q->from_unix_ms || q->to_unix_ms;
    int64_t now = aim__prov_now_ms();
    char name[256];
    aim_cache_entry cached = { .fetched_ms = 0 };
    int cacheable = q->cache_dir && aim__cache_name(q, name, sizeof name) == 0;
    int have_cached = cacheable && aim__cache_load(q->cache_dir, name, &cached) == 0;
    if (have_cached && aim__cache_fresh(q, &cached, now)) {
        meta_from_entry(meta, &cached);
        *out = cached.series;
        return 0;
    }

    aim_prov_ctx *c = calloc(1, sizeof *c); /* secrets: on the heap, wiped before free */
    aim_prov_answer a = { .basis = AIM_BASIS_UNKNOWN };
    if (!c) {
        aim__cache_entry_free(&cached);
        return aim__prov_fail(err, errlen, -ENOMEM, "out of memory");
    }
    c->q = q;
    c->cancel = cancel;
    c->deadline_mono_ms = aim__prov_mono_ms() + (q->timeout_ms > 0 ? q->timeout_ms : DEFAULT_TIMEOUT_MS);
    r = d->fetch(c, &a, err, errlen);
    if (r == 0) {
        aim__prov_series_sort_dedupe(&a.series);
        if (history)
            aim__prov_series_clip(&a.series, q->from_unix_ms, q->to_unix_ms);
        if (a.series.n == 0) {
            char when[48] = "now";
            if (history)
                aim__iso8601_format(q->from_unix_ms, 0, when, sizeof when);
            r = aim__prov_fail(err, errlen, -ENOENT, "%s has no data for %s%s", a.source[0] ? a.source : d->label,
                              history ? "the period from " : "", when);
            if (a.note[0] && err) {
                size_t n = strlen(err);
                snprintf(err + n, errlen - n, " (%s)", a.note);
            }
        }
    }
    if (r == 0) {
        char fetched[40];
        aim__iso8601_format(now, 1, fetched, sizeof fetched);
        snprintf(meta->zone, sizeof meta->zone, "%s", a.zone[0] ? a.zone : q->zone ? q->zone : "");
        meta->signal = q->signal;
        meta->basis = a.basis;
        snprintf(meta->source, sizeof meta->source, "%.150s, fetched %.24s", a.source, fetched);
        snprintf(meta->note, sizeof meta->note, "%s", a.note);
        meta->fetched_unix_ms = now;
        if (cacheable) {
            aim_cache_entry e = { .series = a.series, .fetched_ms = now, .signal = meta->signal,
                                  .basis = meta->basis };
            snprintf(e.zone, sizeof e.zone, "%s", meta->zone);
            snprintf(e.source, sizeof e.source, "%s", meta->source);
            snprintf(e.note, sizeof e.note, "%s", meta->note);
            int cr = aim__cache_store(q->cache_dir, name, &e);
            if (cr < 0) {
                size_t n = strlen(meta->note);
                snprintf(meta->note + n, sizeof meta->note - n, "%scache not written: %s", n ? "; " : "",
                         strerror(-cr));
            }
        }
        *out = a.series;
        a.series.p = NULL;
    } else {
        if (a.rate_limited)
            meta->retry_after_s = a.retry_after_s;
        /* Offline: an old answer, clearly marked, beats none; any other failure (a refused
         * key, a malformed answer, a rate limit) is reported as it is. */
        if (have_cached && (r == -ENETUNREACH || (r == -EAGAIN && !a.rate_limited))) {
            meta_from_entry(meta, &cached);
            meta->stale = 1;
            size_t n = strlen(meta->source);
            snprintf(meta->source + n, sizeof meta->source - n, " [stale: provider unreachable]");
            /* Scrubbed before it is cut to fit: a secret straddling the cut would leave
             * its first part behind. */
            aim__prov_scrub(err, c->secret[0]);
            aim__prov_scrub(err, c->secret[1]);
            char why[200];
            snprintf(why, sizeof why, "%s", err ? err : "");
            snprintf(meta->note, sizeof meta->note, "stale cache entry served: %s", why);
            *out = cached.series;
            cached.series.p = NULL;
            if (err && errlen)
                err[0] = '\0';
            r = 0;
        }
    }
    aim__prov_scrub(err, c->secret[0]);
    aim__prov_scrub(err, c->secret[1]);
    explicit_bzero(c, sizeof *c);
    free(c);
    aim__prov_series_free(&a.series);
    aim__cache_entry_free(&cached);
    return r;
}

int aim__provider_fetch(const aim_provider_query *q, aim_provider_result *r, char *err, size_t errlen) {
    aim_prov_series s;
    int rc = aim__provider_fetch_series(q, NULL, r, &s, err, errlen);
    if (rc < 0)
        return rc;
    r->n = s.n;
    if (s.n > r->cap || !r->points) {
        rc = aim__prov_fail(err, errlen, -ENOBUFS, "%zu points do not fit in a buffer of %zu", s.n, r->cap);
    } else {
        memcpy(r->points, s.p, s.n * sizeof *s.p);
    }
    aim__prov_series_free(&s);
    return rc;
}
