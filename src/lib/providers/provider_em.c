/* Electricity Maps API v3: carbon-intensity/latest, /history (the last 24 hours, hourly)
 * and /past-range (older history, paid plans; at most 10 days per request), by zone or by
 * latitude/longitude, authenticated by an `auth-token` header. Values are the average
 * intensity of the electricity consumed in the zone (imports traced), in gCO2eq/kWh,
 * lifecycle unless `direct` is asked for; there is no marginal signal. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "providers/provider_impl.h"
#include "util/numfmt.h"
#include "util/json.h"

#define EM_DEFAULT_URL "https://api.electricitymaps.com/v3"
#define EM_HOUR_MS (3600LL * 1000)
#define EM_RANGE_CHUNK_MS (240 * EM_HOUR_MS) /* past-range: at most 10 days hourly */
#define EM_HISTORY_SPAN_MS (24 * EM_HOUR_MS)

static int em_zone(json_t *root, aim_prov_parsed *out, char *err, size_t errlen) {
    json_t *z = json_object_get(root, "zone");
    if (!json_is_string(z) || json_string_length(z) == 0 || json_string_length(z) >= sizeof out->zone)
        return aim__prov_fail(err, errlen, -EPROTO, "answer has no valid \"zone\"");
    aim__prov_quote(out->zone, sizeof out->zone, json_string_value(z), sizeof out->zone - 1);
    return 0;
}

static int em_point(json_t *pt, size_t index, aim_prov_parsed *out, char *err, size_t errlen) {
    if (!json_is_object(pt))
        return aim__prov_fail(err, errlen, -EPROTO, "point %zu is not an object", index);
    json_t *ci = json_object_get(pt, "carbonIntensity"), *dt = json_object_get(pt, "datetime");
    json_t *eft = json_object_get(pt, "emissionFactorType"), *unit = json_object_get(pt, "unit");
    json_t *est = json_object_get(pt, "isEstimated");
    if (!ci)
        return aim__prov_fail(err, errlen, -EPROTO, "point %zu has no \"carbonIntensity\"", index);
    if (!json_is_string(dt))
        return aim__prov_fail(err, errlen, -EPROTO, "point %zu has no \"datetime\" string", index);
    int64_t t;
    if (aim__iso8601_parse(json_string_value(dt), json_string_length(dt), &t) < 0)
        return aim__prov_fail(err, errlen, -EPROTO, "point %zu: \"datetime\" is not an ISO 8601 time", index);
    if (unit && !json_is_null(unit) &&
        (!json_is_string(unit) || strcasecmp(json_string_value(unit), "gCO2eq/kWh") != 0)) {
        char q[40];
        aim__prov_quote(q, sizeof q, json_is_string(unit) ? json_string_value(unit) : "?", 32);
        return aim__prov_fail(err, errlen, -EPROTO, "point %zu: unit \"%s\", expected gCO2eq/kWh", index, q);
    }
    if (est && !json_is_boolean(est) && !json_is_null(est))
        return aim__prov_fail(err, errlen, -EPROTO, "point %zu: \"isEstimated\" is not a boolean", index);
    if (eft && !json_is_null(eft)) {
        aim_basis b;
        if (!json_is_string(eft) || aim__basis_parse(json_string_value(eft), &b) < 0 || b == AIM_BASIS_UNKNOWN)
            return aim__prov_fail(err, errlen, -EPROTO,
                                 "point %zu: \"emissionFactorType\" is neither lifecycle nor direct", index);
        if (out->basis != AIM_BASIS_UNKNOWN && out->basis != b)
            return aim__prov_fail(err, errlen, -EPROTO, "points mix lifecycle and direct values");
        out->basis = b;
    }
    if (json_is_null(ci)) {
        out->skipped++; /* the provider has no value for that hour */
        return 0;
    }
    if (!json_is_number(ci))
        return aim__prov_fail(err, errlen, -EPROTO, "point %zu: \"carbonIntensity\" is not a number", index);
    double g = json_number_value(ci);
    char num[AIM_NUM_MAX];
    if (!isfinite(g) || g < 0 || g > AIM_PROVIDER_MAX_G_PER_KWH)
        return aim__prov_fail(err, errlen, -EPROTO, "point %zu: carbonIntensity %s g/kWh is not plausible",
                             index, aim__fmt_g(num, g, 6));
    int r = aim__prov_series_push(&out->series, t, g);
    return r < 0 ? aim__prov_fail(err, errlen, r, "too many points") : 0;
}

int aim__em_parse(const char *body, size_t len, aim_em_kind kind, aim_prov_parsed *out, char *err,
                 size_t errlen) {
    json_t *root = aim__json_parse(body, len, err, errlen);
    if (!root)
        return -EPROTO;
    int r;
    if (!json_is_object(root)) {
        r = aim__prov_fail(err, errlen, -EPROTO, "answer is not a JSON object");
    } else if ((r = em_zone(root, out, err, errlen)) == 0) {
        if (kind == AIM_EM_LATEST) {
            r = em_point(root, 0, out, err, errlen);
        } else {
            const char *key = kind == AIM_EM_HISTORY ? "history" : "data";
            json_t *arr = json_object_get(root, key);
            if (!json_is_array(arr)) {
                r = aim__prov_fail(err, errlen, -EPROTO, "answer has no \"%s\" array", key);
            } else {
                size_t i;
                json_t *pt;
                json_array_foreach(arr, i, pt) {
                    if ((r = em_point(pt, i, out, err, errlen)) < 0)
                        break;
                }
            }
        }
    }
    json_decref(root);
    return r;
}

/* One GET and parse into a. */
static int em_get(aim_prov_ctx *c, const char *url, const char *header, aim_em_kind kind,
                  const char *what, aim_prov_answer *a, char *err, size_t errlen) {
    aim_http_response rs;
    int r = aim__prov_get(c, url, header, NULL, NULL, &rs, err, errlen);
    if (r < 0)
        return r;
    char whatfull[96];
    snprintf(whatfull, sizeof whatfull, "Electricity Maps %s", what);
    r = aim__prov_http_status(c, &rs, whatfull, a, err, errlen);
    if (r == 0) {
        aim_prov_parsed p = { .basis = AIM_BASIS_UNKNOWN };
        char perr[200];
        r = aim__em_parse(rs.body, rs.len, kind, &p, perr, sizeof perr);
        if (r < 0) {
            aim__prov_fail(err, errlen, r, "Electricity Maps %s: %s", what, perr);
        } else {
            for (size_t i = 0; i < p.series.n && r == 0; i++)
                r = aim__prov_series_push(&a->series, p.series.p[i].t_unix_ms, p.series.p[i].g_per_kwh);
            if (r < 0)
                aim__prov_fail(err, errlen, r, "out of memory");
            snprintf(a->zone, sizeof a->zone, "%s", p.zone);
            if (p.basis != AIM_BASIS_UNKNOWN)
                a->basis = p.basis;
        }
        aim__prov_parsed_free(&p);
    }
    aim__http_response_free(&rs);
    return r;
}

/* base/path?zone=..|lat=..&lon=..&emissionFactorType=.. */
static int em_url(const aim_provider_query *q, const char *base, const char *path, char *url,
                  size_t size) {
    int k = snprintf(url, size, "%s/%s", base, path);
    if (k < 0 || (size_t)k >= size)
        return -ENOBUFS;
    int r;
    if (q->zone && *q->zone) {
        r = aim__prov_url_add(url, size, "zone", q->zone);
    } else {
        /* Locale-free: a host program (Python) may have set a decimal comma, and
         * "lat=48,850000" is another query, or none. */
        char lat[AIM_NUM_MAX], lon[AIM_NUM_MAX];
        aim__fmt_fixed(lat, q->lat, 6);
        aim__fmt_fixed(lon, q->lon, 6);
        r = aim__prov_url_add(url, size, "lat", lat);
        if (r == 0)
            r = aim__prov_url_add(url, size, "lon", lon);
        /* Never the caller's IP location: that would be the grid of wherever the network
         * exits, silently. */
        if (r == 0)
            r = aim__prov_url_add(url, size, "shouldUseFallbackCallerLookup", "false");
    }
    if (r == 0)
        r = aim__prov_url_add(url, size, "emissionFactorType",
                             q->basis == AIM_BASIS_DIRECT ? "direct" : "lifecycle");
    return r;
}

static void em_source(const aim_provider_query *q, aim_prov_answer *a, const char *endpoint) {
    snprintf(a->source, sizeof a->source, "Electricity Maps API v3 carbon-intensity/%s, zone %s", endpoint,
             a->zone[0] ? a->zone : q->zone ? q->zone : "?");
}

int aim__em_fetch(aim_prov_ctx *c, aim_prov_answer *a, char *err, size_t errlen) {
    const aim_provider_query *q = c->q;
    char key[512], header[600], base[512], url[2048];
    int r = aim__credentials_get("ELECTRICITYMAPS_API_KEY", "electricitymaps_api_key", key, sizeof key,
                                err, errlen);
    if (r < 0)
        return r;
    snprintf(c->secret[0], sizeof c->secret[0], "%s", key);
    snprintf(header, sizeof header, "auth-token: %s", key);
    explicit_bzero(key, sizeof key);
    aim__prov_base_url("AIMETER_ELECTRICITYMAPS_URL", EM_DEFAULT_URL, base, sizeof base);
    a->basis = q->basis == AIM_BASIS_DIRECT ? AIM_BASIS_DIRECT : AIM_BASIS_LIFECYCLE;

    if (!q->from_unix_ms && !q->to_unix_ms) {
        if ((r = em_url(q, base, "carbon-intensity/latest", url, sizeof url)) == 0)
            r = em_get(c, url, header, AIM_EM_LATEST, "carbon-intensity/latest", a, err, errlen);
        em_source(q, a, "latest");
        goto out;
    }
    int64_t now = aim__prov_now_ms();
    /* The hourly period containing `from` starts up to an hour before it. */
    int64_t start = q->from_unix_ms - EM_HOUR_MS;
    if (start >= now - EM_HISTORY_SPAN_MS) {
        if ((r = em_url(q, base, "carbon-intensity/history", url, sizeof url)) == 0)
            r = em_get(c, url, header, AIM_EM_HISTORY, "carbon-intensity/history", a, err, errlen);
        em_source(q, a, "history");
        goto out;
    }
    for (int64_t s = start; s < q->to_unix_ms && r == 0; s += EM_RANGE_CHUNK_MS) {
        int64_t e = s + EM_RANGE_CHUNK_MS < q->to_unix_ms ? s + EM_RANGE_CHUNK_MS : q->to_unix_ms;
        char ts[40], te[40];
        aim__iso8601_format(s, 1, ts, sizeof ts);
        aim__iso8601_format(e, 1, te, sizeof te);
        r = em_url(q, base, "carbon-intensity/past-range", url, sizeof url);
        if (r == 0)
            r = aim__prov_url_add(url, sizeof url, "start", ts);
        if (r == 0)
            r = aim__prov_url_add(url, sizeof url, "end", te);
        if (r == 0)
            r = em_get(c, url, header, AIM_EM_RANGE, "carbon-intensity/past-range", a, err, errlen);
    }
    em_source(q, a, "past-range");
    if (r == -EACCES && a->http_status == 403 && q->to_unix_ms > now - EM_HISTORY_SPAN_MS) {
        /* Free keys have history but not past-range: the last 24 hours, and say so. */
        a->series.n = 0;
        if ((r = em_url(q, base, "carbon-intensity/history", url, sizeof url)) == 0)
            r = em_get(c, url, header, AIM_EM_HISTORY, "carbon-intensity/history", a, err, errlen);
        em_source(q, a, "history");
        snprintf(a->note, sizeof a->note,
                 "this key cannot read past-range: only the last 24 hours (carbon-intensity/history)");
    }
out:
    explicit_bzero(header, sizeof header);
    if (r == -ENOBUFS)
        r = aim__prov_fail(err, errlen, -EINVAL, "the query makes a URL that is too long");
    return r;
}
