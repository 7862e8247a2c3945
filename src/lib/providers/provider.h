/* Live grid-intensity providers: Electricity Maps v3, WattTime v3 and the UK Carbon
 * Intensity API, behind one call. The run wires this in through provider_feed.h (polling
 * during the run, back-fill at its end); `aimeter intensity` uses it directly.
 *
 * Every answer is validated (fields, types, units, timestamps, values) before a single
 * point reaches the caller: a provider that changes its format makes aimeter fail loudly,
 * never compute carbon with a wrong number. Nothing here prints; the error line in `err`
 * is meant for the user and never contains a key, token or password. */
#ifndef AIM_PROVIDER_H
#define AIM_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "model/intensity.h"

typedef struct aim_provider_query {
    const char *provider;  /* "electricitymaps", "watttime", "ukgrid" */
    /* Electricity Maps zone ("DE", "US-CAL-CISO"), WattTime region ("CAISO_NORTH"), UK:
     * NULL/"GB" (national), a region id 1-17, "england"/"scotland"/"wales", or an outward
     * postcode ("RG10"). NULL with have_latlon: located by the provider (not UK). */
    const char *zone;
    double lat, lon;
    int have_latlon;
    /* Both 0: the latest value only. Else history over [from, to): the series then starts
     * with the value in force at `from` (a provider period may begin before it). */
    int64_t from_unix_ms, to_unix_ms;
    aim_signal signal;     /* a provider that cannot give it fails with -EOPNOTSUPP */
    /* Electricity Maps only, which offers both: LIFECYCLE (0, its default) or DIRECT.
     * WattTime and the UK API have one basis each and report it in the result. */
    aim_basis basis;
    const char *cache_dir; /* NULL: no disk cache */
    long timeout_ms;       /* the whole fetch (every HTTP call in it); 0 = 20 s */
} aim_provider_query;

typedef struct aim_provider_result {
    aim_intensity_point *points; /* caller's buffer of cap points */
    size_t cap;
    size_t n;              /* filled, sorted by time, deduplicated; with -ENOBUFS: needed */
    char zone[64];         /* the zone/region the provider answered for */
    aim_signal signal;
    aim_basis basis;
    /* "Electricity Maps API v3 carbon-intensity/history, zone DE, fetched
     * 2026-11-21T10:00:00Z"; a stale cache entry says so here. */
    char source[192];
    char note[256];        /* caveats (a fallback taken, stale data); "" when none */
    int64_t fetched_unix_ms; /* when the provider answered (the cache keeps it) */
    int from_cache;        /* 1 when served from the disk cache */
    int stale;             /* 1 when the cache entry had expired (provider unreachable) */
    int retry_after_s;     /* set on 429 (0 when the provider did not say) */
} aim_provider_result;

/* Fetches a series. 0, or: -EINVAL bad query; -EACCES missing/invalid credentials, a
 * credentials file others can read, HTTP 401/403; -EAGAIN HTTP 429 (retry_after_s filled),
 * timeout, or a 5xx; -ENETUNREACH the provider cannot be reached; -EPROTO malformed,
 * truncated or wrong-unit response; -EOPNOTSUPP signal not offered; -ENOENT unknown zone or
 * no data; -ENOBUFS more than cap points (n says how many; the answer was cached, so a
 * retry with a bigger buffer costs no request); -ENOMEM. On any error `err` holds one
 * line for the user (never a secret). Thread-safe. */
int aim__provider_fetch(const aim_provider_query *q, aim_provider_result *r, char *err,
                       size_t errlen);

/* Checks a query without any I/O (provider, signal, zone syntax, position, period), so a
 * run can refuse a typo before it starts. 0, -EINVAL or -EOPNOTSUPP with err filled. */
int aim__provider_check_query(const aim_provider_query *q, char *err, size_t errlen);

/* The provider's own update period, the polling cadence of a run: 5 min for Electricity
 * Maps and WattTime, 30 min for the UK API. 0 for an unknown provider. */
int64_t aim__provider_cadence_ms(const char *provider);

/* "Electricity Maps", "WattTime", "UK Carbon Intensity API"; NULL when unknown. */
const char *aim__provider_label(const char *provider);

/* $XDG_CACHE_HOME/aimeter/intensity (absolute XDG_CACHE_HOME only), else
 * ~/.cache/aimeter/intensity. Caller frees. -ENOENT when neither HOME nor XDG is set. */
int aim__provider_default_cache_dir(char **ret_path);

#endif
