/* WattTime API v3: the marginal operating emission rate (co2_moer) or the average one
 * (co2_aoer) of a balancing-authority region, at 5-minute resolution, in lbs CO2 per MWh.
 *
 * Login is HTTP basic on /login, which answers a bearer token valid for about 30 minutes;
 * the token is kept in memory for the process (never on disk) and renewed after 25
 * minutes or on a 401. /login is limited to 100 calls per 5 minutes, so a token per
 * request would soon be refused.
 *
 * Access depends on the account: historical and forecast data are for subscribers (and
 * CAISO_NORTH for everyone), while the signal index (a 0-100 percentile) is free everywhere.
 * A percentile is not an intensity and cannot give grams, so it is never returned as one:
 * when it is all the account has, the error says so and quotes it. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "providers/provider_impl.h"
#include "util/numfmt.h"
#include "util/json.h"

#define WT_DEFAULT_URL "https://api.watttime.org"
#define WT_LB_TO_G_PER_KWH 0.45359237 /* 1 lb/MWh = 453.59237 g / 1000 kWh (carbon-data.md 4.1) */
#define WT_TOKEN_REUSE_MS (25LL * 60 * 1000)
#define WT_PERIOD_MS (5LL * 60 * 1000)
#define WT_CHUNK_MS (30LL * 24 * 3600 * 1000) /* the official SDK's chunk for /historical */

/* ---------------------------------------------------------------- parsing */

static json_t *load(const char *body, size_t len, char *err, size_t errlen) {
    json_t *root = aim__json_parse(body, len, err, errlen);
    if (root && !json_is_object(root)) {
        json_decref(root);
        root = NULL;
        aim__prov_fail(err, errlen, -EPROTO, "answer is not a JSON object");
    }
    return root;
}

/* g/kWh per unit of value, 0 when the unit is not an intensity. */
static double unit_factor(const char *unit) {
    static const struct {
        const char *name;
        double factor;
    } units[] = {
        { "lbs_co2_per_mwh", WT_LB_TO_G_PER_KWH },
        { "kg_co2_per_mwh", 1.0 },
        { "g_co2_per_kwh", 1.0 },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(unit, units[i].name) == 0)
            return units[i].factor;
    return 0;
}

static int safe_string(json_t *v, size_t max, const char *extra) {
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max)
        return 0;
    const char *s = json_string_value(v);
    for (size_t i = 0; i < json_string_length(v); i++) {
        char ch = s[i];
        int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                 (ch && strchr(extra, ch));
        if (!ok)
            return 0;
    }
    return 1;
}

int aim__wt_parse_data(const char *body, size_t len, const char *expected_signal,
                      aim_prov_parsed *out, char *err, size_t errlen) {
    json_t *root = load(body, len, err, errlen);
    if (!root)
        return -EPROTO;
    int r = 0;
    json_t *data = json_object_get(root, "data"), *meta = json_object_get(root, "meta");
    json_t *units = json_object_get(meta, "units"), *sig = json_object_get(meta, "signal_type");
    json_t *region = json_object_get(meta, "region");
    double factor = 0;
    char q[48];
    if (!json_is_array(data)) {
        r = aim__prov_fail(err, errlen, -EPROTO, "answer has no \"data\" array");
    } else if (!json_is_object(meta)) {
        r = aim__prov_fail(err, errlen, -EPROTO, "answer has no \"meta\" object");
    } else if (!json_is_string(units)) {
        r = aim__prov_fail(err, errlen, -EPROTO, "answer does not state its units (meta.units)");
    } else if ((factor = unit_factor(json_string_value(units))) == 0) {
        aim__prov_quote(q, sizeof q, json_string_value(units), 40);
        r = aim__prov_fail(err, errlen, -EPROTO, "unit \"%s\" is not an intensity (expected lbs_co2_per_mwh)", q);
    } else if (sig && !json_is_null(sig) &&
               (!json_is_string(sig) || strcmp(json_string_value(sig), expected_signal) != 0)) {
        aim__prov_quote(q, sizeof q, json_is_string(sig) ? json_string_value(sig) : "?", 40);
        r = aim__prov_fail(err, errlen, -EPROTO, "answer is for signal \"%s\", not %s", q, expected_signal);
    } else if (region && !json_is_null(region) && !safe_string(region, sizeof out->zone - 1, "_-.")) {
        r = aim__prov_fail(err, errlen, -EPROTO, "meta.region is not a region code");
    }
    if (r == 0 && json_is_string(region))
        snprintf(out->zone, sizeof out->zone, "%s", json_string_value(region));
    size_t i;
    json_t *pt;
    if (r == 0) {
        json_array_foreach(data, i, pt) {
            json_t *pt_time = json_object_get(pt, "point_time"), *val = json_object_get(pt, "value");
            int64_t t;
            if (!json_is_object(pt) || !json_is_string(pt_time) || !val) {
                r = aim__prov_fail(err, errlen, -EPROTO, "point %zu lacks point_time or value", i);
                break;
            }
            if (aim__iso8601_parse(json_string_value(pt_time), json_string_length(pt_time), &t) < 0) {
                r = aim__prov_fail(err, errlen, -EPROTO, "point %zu: point_time is not an ISO 8601 time", i);
                break;
            }
            if (json_is_null(val)) {
                out->skipped++;
                continue;
            }
            if (!json_is_number(val)) {
                r = aim__prov_fail(err, errlen, -EPROTO, "point %zu: value is not a number", i);
                break;
            }
            double g = json_number_value(val) * factor;
            if (!isfinite(g) || g < 0 || g > AIM_PROVIDER_MAX_G_PER_KWH) {
                char num[AIM_NUM_MAX];
                r = aim__prov_fail(err, errlen, -EPROTO, "point %zu: %s g/kWh is not plausible", i,
                                  aim__fmt_g(num, g, 6));
                break;
            }
            if ((r = aim__prov_series_push(&out->series, t, g)) < 0) {
                aim__prov_fail(err, errlen, r, "too many points");
                break;
            }
        }
    }
    json_decref(root);
    return r;
}

/* The one string field `key` of an answer, checked by safe_string and copied into out. */
static int parse_word(const char *body, size_t len, const char *key, const char *extra,
                      const char *what, char *out, size_t size, char *err, size_t errlen) {
    json_t *root = load(body, len, err, errlen);
    if (!root)
        return -EPROTO;
    json_t *v = json_object_get(root, key);
    int r = 0;
    if (!safe_string(v, size - 1, extra))
        r = aim__prov_fail(err, errlen, -EPROTO, "%s answer has no valid \"%s\"", what, key);
    else
        memcpy(out, json_string_value(v), json_string_length(v) + 1);
    json_decref(root);
    return r;
}

int aim__wt_parse_login(const char *body, size_t len, char *token, size_t size, char *err,
                       size_t errlen) {
    /* A JWT is base64url parts joined by dots; anything else could inject a header. */
    return parse_word(body, len, "token", "-_.=+/", "login", token, size, err, errlen);
}

int aim__wt_parse_region(const char *body, size_t len, char *region, size_t size, char *err,
                        size_t errlen) {
    return parse_word(body, len, "region", "_-.", "region-from-loc", region, size, err, errlen);
}

int aim__wt_parse_index(const char *body, size_t len, double *ret_percent, char *err, size_t errlen) {
    json_t *root = load(body, len, err, errlen);
    if (!root)
        return -EPROTO;
    json_t *data = json_object_get(root, "data");
    int r = aim__prov_fail(err, errlen, -EPROTO, "signal-index answer has no value");
    int64_t best = INT64_MIN;
    size_t i;
    json_t *pt;
    if (json_is_array(data)) {
        json_array_foreach(data, i, pt) {
            json_t *tv = json_object_get(pt, "point_time"), *v = json_object_get(pt, "value");
            int64_t t;
            if (!json_is_string(tv) || !json_is_number(v) ||
                aim__iso8601_parse(json_string_value(tv), json_string_length(tv), &t) < 0) {
                r = aim__prov_fail(err, errlen, -EPROTO, "signal-index point %zu is malformed", i);
                break;
            }
            double p = json_number_value(v);
            if (!isfinite(p) || p < 0 || p > 100) {
                char num[AIM_NUM_MAX];
                r = aim__prov_fail(err, errlen, -EPROTO, "signal-index value %s is not a percentile",
                                  aim__fmt_g(num, p, 6));
                break;
            }
            if (t > best) {
                best = t;
                *ret_percent = p;
                r = 0;
            }
        }
    }
    json_decref(root);
    return r;
}

/* ---------------------------------------------------------------- login */

static pthread_mutex_t tok_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char base[512];
    char user[256];
    char token[4096];
    int64_t got_mono_ms;
} tok;

void aim__wt_forget_token(void) {
    pthread_mutex_lock(&tok_lock);
    explicit_bzero(&tok, sizeof tok);
    pthread_mutex_unlock(&tok_lock);
}

typedef struct wt_call {
    aim_prov_ctx *c;
    const char *base, *user, *password;
    char bearer[4200];
} wt_call;

static int login(wt_call *w, int force, char *err, size_t errlen) {
    pthread_mutex_lock(&tok_lock);
    int have = !force && tok.token[0] && strcmp(tok.base, w->base) == 0 && strcmp(tok.user, w->user) == 0 &&
               aim__prov_mono_ms() - tok.got_mono_ms < WT_TOKEN_REUSE_MS;
    if (have)
        snprintf(w->bearer, sizeof w->bearer, "Authorization: Bearer %s", tok.token);
    pthread_mutex_unlock(&tok_lock);
    if (have)
        return 0;
    char url[600];
    snprintf(url, sizeof url, "%s/login", w->base);
    aim_http_response rs;
    int r = aim__prov_get(w->c, url, NULL, w->user, w->password, &rs, err, errlen);
    if (r < 0)
        return r;
    if (rs.status == 401 || rs.status == 403) {
        aim__http_response_free(&rs);
        return aim__prov_fail(err, errlen, -EACCES,
                             "WattTime login refused (HTTP %ld): check WATTTIME_USERNAME and WATTTIME_PASSWORD",
                             rs.status);
    }
    r = aim__prov_http_status(w->c, &rs, "WattTime login", NULL, err, errlen);
    char token[4096];
    if (r == 0) {
        char perr[160];
        r = aim__wt_parse_login(rs.body, rs.len, token, sizeof token, perr, sizeof perr);
        if (r < 0)
            aim__prov_fail(err, errlen, r, "WattTime login: %s", perr);
    }
    aim__http_response_free(&rs);
    if (r < 0)
        return r;
    snprintf(w->c->secret[1], sizeof w->c->secret[1], "%s", token);
    snprintf(w->bearer, sizeof w->bearer, "Authorization: Bearer %s", token);
    pthread_mutex_lock(&tok_lock);
    snprintf(tok.base, sizeof tok.base, "%s", w->base);
    snprintf(tok.user, sizeof tok.user, "%s", w->user);
    snprintf(tok.token, sizeof tok.token, "%s", token);
    tok.got_mono_ms = aim__prov_mono_ms();
    pthread_mutex_unlock(&tok_lock);
    explicit_bzero(token, sizeof token);
    return 0;
}

/* GET with the bearer token; one new login on a 401 (the token expired early). The status
 * is mapped to an error; rs is valid (caller frees) when 0 is returned. */
static int call(wt_call *w, const char *url, const char *what, aim_prov_answer *a,
                aim_http_response *rs, char *err, size_t errlen) {
    for (int attempt = 0;; attempt++) {
        int r = login(w, attempt > 0, err, errlen);
        if (r < 0)
            return r;
        if (w->c->secret[1][0] == '\0') /* a reused token: scrub it from messages too */
            snprintf(w->c->secret[1], sizeof w->c->secret[1], "%s", w->bearer + strlen("Authorization: Bearer "));
        r = aim__prov_get(w->c, url, w->bearer, NULL, NULL, rs, err, errlen);
        if (r < 0)
            return r;
        if (rs->status == 401 && attempt == 0) {
            aim__http_response_free(rs);
            continue;
        }
        char whatfull[96];
        snprintf(whatfull, sizeof whatfull, "WattTime %s", what);
        r = aim__prov_http_status(w->c, rs, whatfull, a, err, errlen);
        if (r < 0)
            aim__http_response_free(rs);
        return r;
    }
}

/* ---------------------------------------------------------------- fetching */

static int url_for(const char *base, const char *path, const char *region, const char *signal,
                   char *url, size_t size) {
    snprintf(url, size, "%s/v3/%s", base, path);
    int r = aim__prov_url_add(url, size, "region", region);
    return r == 0 ? aim__prov_url_add(url, size, "signal_type", signal) : r;
}

/* GET a data endpoint and append its points (only the earliest when first_only). */
static int get_data(wt_call *w, const char *url, const char *what, const char *signal, int first_only,
                    int last_only, aim_prov_answer *a, char *err, size_t errlen) {
    aim_http_response rs;
    int r = call(w, url, what, a, &rs, err, errlen);
    if (r < 0)
        return r;
    aim_prov_parsed p = { .basis = AIM_BASIS_UNKNOWN };
    char perr[200];
    r = aim__wt_parse_data(rs.body, rs.len, signal, &p, perr, sizeof perr);
    aim__http_response_free(&rs);
    if (r < 0) {
        aim__prov_parsed_free(&p);
        return aim__prov_fail(err, errlen, r, "WattTime %s: %s", what, perr);
    }
    aim__prov_series_sort_dedupe(&p.series);
    size_t b = 0, e = p.series.n;
    if (first_only && e > 1)
        e = 1;
    if (last_only && e > 1)
        b = e - 1;
    for (size_t i = b; i < e && r == 0; i++)
        r = aim__prov_series_push(&a->series, p.series.p[i].t_unix_ms, p.series.p[i].g_per_kwh);
    if (p.zone[0])
        snprintf(a->zone, sizeof a->zone, "%s", p.zone);
    aim__prov_parsed_free(&p);
    return r < 0 ? aim__prov_fail(err, errlen, r, "out of memory") : 0;
}

/* The current value: forecast's first point, else historical's last, else explain. */
static int latest(wt_call *w, const char *region, const char *signal, aim_prov_answer *a, char *err,
                  size_t errlen) {
    char url[1024];
    url_for(w->base, "forecast", region, signal, url, sizeof url);
    aim__prov_url_add(url, sizeof url, "horizon_hours", "0");
    int r = get_data(w, url, "forecast", signal, 1, 0, a, err, errlen);
    snprintf(a->source, sizeof a->source, "WattTime API v3 forecast (current value), region %s, %s", region,
             signal);
    if (!(r == -EACCES && a->http_status == 403))
        return r;
    int64_t now = aim__prov_now_ms();
    char ts[40], te[40];
    aim__iso8601_format(now - 6 * WT_PERIOD_MS, 1, ts, sizeof ts);
    aim__iso8601_format(now, 1, te, sizeof te);
    url_for(w->base, "historical", region, signal, url, sizeof url);
    aim__prov_url_add(url, sizeof url, "start", ts);
    aim__prov_url_add(url, sizeof url, "end", te);
    r = get_data(w, url, "historical", signal, 0, 1, a, err, errlen);
    snprintf(a->source, sizeof a->source, "WattTime API v3 historical (latest point), region %s, %s", region,
             signal);
    if (!(r == -EACCES && a->http_status == 403))
        return r;
    /* What the account does have, to make the refusal useful. */
    url_for(w->base, "signal-index", region, "co2_moer", url, sizeof url);
    aim_http_response rs;
    double pct;
    char perr[160], idx[96] = "";
    if (call(w, url, "signal-index", NULL, &rs, perr, sizeof perr) == 0) {
        if (aim__wt_parse_index(rs.body, rs.len, &pct, perr, sizeof perr) == 0)
            snprintf(idx, sizeof idx, " (now %.0f)", pct);
        aim__http_response_free(&rs);
    }
    return aim__prov_fail(err, errlen, -EACCES,
                         "WattTime: this account has no %s values for region %s (HTTP 403), only the "
                         "0-100 signal index%s, which is a percentile, not an intensity; see docs/providers.md",
                         signal, region, idx);
}

int aim__wt_fetch(aim_prov_ctx *c, aim_prov_answer *a, char *err, size_t errlen) {
    const aim_provider_query *q = c->q;
    char user[256], password[512], base[512];
    int r = aim__credentials_get("WATTTIME_USERNAME", "watttime_username", user, sizeof user, err, errlen);
    if (r < 0)
        return r;
    r = aim__credentials_get("WATTTIME_PASSWORD", "watttime_password", password, sizeof password, err, errlen);
    if (r < 0)
        return r;
    snprintf(c->secret[0], sizeof c->secret[0], "%s", password);
    aim__prov_base_url("AIMETER_WATTTIME_URL", WT_DEFAULT_URL, base, sizeof base);
    wt_call w = { .c = c, .base = base, .user = user, .password = password };
    const char *signal = q->signal == AIM_SIGNAL_MARGINAL ? "co2_moer" : "co2_aoer";
    a->basis = AIM_BASIS_DIRECT; /* operating emission rates: combustion at the plants */

    char region[64], url[1024];
    if (q->zone && *q->zone) {
        snprintf(region, sizeof region, "%s", q->zone);
    } else {
        /* Locale-free: a host program (Python) may have set a decimal comma, and
         * "lat=48,850000" is another query, or none. */
        char lat[AIM_NUM_MAX], lon[AIM_NUM_MAX];
        aim__fmt_fixed(lat, q->lat, 6);
        aim__fmt_fixed(lon, q->lon, 6);
        snprintf(url, sizeof url, "%s/v3/region-from-loc", base);
        aim__prov_url_add(url, sizeof url, "latitude", lat);
        aim__prov_url_add(url, sizeof url, "longitude", lon);
        aim__prov_url_add(url, sizeof url, "signal_type", signal);
        aim_http_response rs;
        if ((r = call(&w, url, "region-from-loc", a, &rs, err, errlen)) < 0)
            goto out;
        char perr[160];
        r = aim__wt_parse_region(rs.body, rs.len, region, sizeof region, perr, sizeof perr);
        aim__http_response_free(&rs);
        if (r < 0) {
            aim__prov_fail(err, errlen, r, "WattTime region-from-loc: %s", perr);
            goto out;
        }
    }
    snprintf(a->zone, sizeof a->zone, "%s", region);

    if (!q->from_unix_ms && !q->to_unix_ms) {
        r = latest(&w, region, signal, a, err, errlen);
        goto out;
    }
    r = 0;
    for (int64_t s = q->from_unix_ms - WT_PERIOD_MS; s < q->to_unix_ms && r == 0; s += WT_CHUNK_MS) {
        int64_t e = s + WT_CHUNK_MS < q->to_unix_ms ? s + WT_CHUNK_MS : q->to_unix_ms;
        char ts[40], te[40];
        aim__iso8601_format(s, 1, ts, sizeof ts);
        aim__iso8601_format(e, 1, te, sizeof te);
        url_for(base, "historical", region, signal, url, sizeof url);
        aim__prov_url_add(url, sizeof url, "start", ts);
        aim__prov_url_add(url, sizeof url, "end", te);
        r = get_data(&w, url, "historical", signal, 0, 0, a, err, errlen);
    }
    snprintf(a->source, sizeof a->source, "WattTime API v3 historical, region %s, %s", region, signal);
    if (r == -EACCES && a->http_status == 403) {
        /* Not a subscriber: the current value is what the account has; say so. */
        a->series.n = 0;
        r = latest(&w, region, signal, a, err, errlen);
        if (r == 0)
            snprintf(a->note, sizeof a->note,
                     "this WattTime account cannot read historical data (HTTP 403): only the current value");
    }
out:
    explicit_bzero(password, sizeof password);
    explicit_bzero(w.bearer, sizeof w.bearer);
    return r;
}
