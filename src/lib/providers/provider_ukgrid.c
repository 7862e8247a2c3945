/* UK Carbon Intensity API (NESO): Great Britain, no key, half-hourly periods in gCO2/kWh.
 *
 * National figures carry a forecast and, for past periods, an "actual" (an estimate from
 * metered generation): the actual is used where published, else the forecast. Regional
 * figures (17 regions: 14 DNO areas, England, Scotland, Wales; or an outward postcode) are
 * forecasts only. The API counts direct CO2 from generation, imports and losses included,
 * so the basis is direct. Range requests are split into 14-day pieces, below the API's
 * per-request cap. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "providers/provider_impl.h"
#include "util/numfmt.h"
#include "util/json.h"

#define UK_DEFAULT_URL "https://api.carbonintensity.org.uk"
#define UK_PERIOD_MS (30LL * 60 * 1000)
#define UK_CHUNK_MS (14LL * 24 * 3600 * 1000)

static int uk_period(json_t *pt, size_t index, int regional, aim_prov_parsed *out, char *err,
                     size_t errlen) {
    if (!json_is_object(pt))
        return aim__prov_fail(err, errlen, -EPROTO, "period %zu is not an object", index);
    json_t *from = json_object_get(pt, "from"), *to = json_object_get(pt, "to");
    json_t *in = json_object_get(pt, "intensity");
    int64_t tf, tt;
    if (!json_is_string(from) || !json_is_string(to) ||
        aim__iso8601_parse(json_string_value(from), json_string_length(from), &tf) < 0 ||
        aim__iso8601_parse(json_string_value(to), json_string_length(to), &tt) < 0 || tt <= tf)
        return aim__prov_fail(err, errlen, -EPROTO, "period %zu: \"from\"/\"to\" are not ISO 8601 times in order",
                             index);
    if (!json_is_object(in))
        return aim__prov_fail(err, errlen, -EPROTO, "period %zu has no \"intensity\" object", index);
    json_t *fc = json_object_get(in, "forecast"), *ac = json_object_get(in, "actual");
    json_t *ix = json_object_get(in, "index");
    if (!fc || (!json_is_null(fc) && !json_is_number(fc)) || (ac && !json_is_null(ac) && !json_is_number(ac)))
        return aim__prov_fail(err, errlen, -EPROTO, "period %zu: intensity.forecast/actual are not numbers", index);
    if (ix && !json_is_null(ix) && !json_is_string(ix))
        return aim__prov_fail(err, errlen, -EPROTO, "period %zu: intensity.index is not a string", index);
    json_t *v = !regional && json_is_number(ac) ? ac : fc;
    if (json_is_null(v)) {
        out->skipped++;
        return 0;
    }
    double g = json_number_value(v);
    char num[AIM_NUM_MAX];
    if (!isfinite(g) || g < 0 || g > AIM_PROVIDER_MAX_G_PER_KWH)
        return aim__prov_fail(err, errlen, -EPROTO, "period %zu: %s gCO2/kWh is not plausible", index,
                             aim__fmt_g(num, g, 6));
    int r = aim__prov_series_push(&out->series, tf, g);
    return r < 0 ? aim__prov_fail(err, errlen, r, "too many points") : 0;
}

static int uk_periods(json_t *arr, int regional, aim_prov_parsed *out, char *err, size_t errlen) {
    if (!json_is_array(arr))
        return aim__prov_fail(err, errlen, -EPROTO, "answer has no array of periods");
    size_t i;
    json_t *pt;
    json_array_foreach(arr, i, pt) {
        int r = uk_period(pt, i, regional, out, err, errlen);
        if (r < 0)
            return r;
    }
    return 0;
}

int aim__uk_parse(const char *body, size_t len, int regional, aim_prov_parsed *out, char *err,
                 size_t errlen) {
    json_t *root = aim__json_parse(body, len, err, errlen);
    if (!root)
        return -EPROTO;
    out->basis = AIM_BASIS_DIRECT;
    json_t *data = json_object_get(root, "data");
    int r;
    if (!json_is_object(root) || !data) {
        r = aim__prov_fail(err, errlen, -EPROTO, "answer has no \"data\"");
    } else if (!regional) {
        snprintf(out->zone, sizeof out->zone, "GB");
        r = uk_periods(data, 0, out, err, errlen);
    } else {
        /* Current regional answers wrap the region in a one-element array, range answers
         * give the object itself. */
        json_t *reg = json_is_array(data) ? json_array_get(data, 0) : data;
        json_t *id = json_object_get(reg, "regionid"), *name = json_object_get(reg, "shortname");
        if (json_is_array(data) && json_array_size(data) != 1) {
            r = aim__prov_fail(err, errlen, -EPROTO, "answer has %zu regions, expected one", json_array_size(data));
        } else if (!json_is_object(reg) || !json_is_integer(id) || json_integer_value(id) < 1 ||
                   json_integer_value(id) > 17) {
            r = aim__prov_fail(err, errlen, -EPROTO, "answer has no region with a \"regionid\" 1-17");
        } else if (name && !json_is_string(name)) {
            r = aim__prov_fail(err, errlen, -EPROTO, "region \"shortname\" is not a string");
        } else {
            snprintf(out->zone, sizeof out->zone, "GB-region-%d", (int)json_integer_value(id));
            if (json_is_string(name))
                aim__prov_quote(out->label, sizeof out->label, json_string_value(name), sizeof out->label - 1);
            r = uk_periods(json_object_get(reg, "data"), 1, out, err, errlen);
        }
    }
    json_decref(root);
    return r;
}

/* What the query's zone names: national (0), a region id (1-17), or a postcode. */
typedef struct uk_target {
    int regionid;
    char postcode[12];
} uk_target;

static int uk_target_parse(const char *zone, uk_target *t, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    if (!zone || !*zone || strcasecmp(zone, "GB") == 0 || strcasecmp(zone, "national") == 0)
        return 0;
    static const char *const nations[] = { "england", "scotland", "wales" };
    for (int i = 0; i < 3; i++)
        if (strcasecmp(zone, nations[i]) == 0) {
            t->regionid = 15 + i;
            return 0;
        }
    const char *z = zone;
    if (strncasecmp(z, "GB-region-", 10) == 0)
        z += 10;
    size_t n = strlen(z);
    if (n >= 1 && n <= 2 && strspn(z, "0123456789") == n) {
        int id = atoi(z);
        if (id < 1 || id > 17)
            return aim__prov_fail(err, errlen, -ENOENT, "no UK region %d (regions are 1-17)", id);
        t->regionid = id;
        return 0;
    }
    /* An outward postcode: a letter, then letters and digits, 2-4 characters. */
    if (n >= 2 && n <= 4 && isalpha((unsigned char)z[0])) {
        int ok = 1, digit = 0;
        for (size_t i = 0; i < n; i++) {
            ok &= isalnum((unsigned char)z[i]) != 0;
            digit |= isdigit((unsigned char)z[i]) != 0;
        }
        if (ok && digit) {
            for (size_t i = 0; i < n; i++)
                t->postcode[i] = (char)toupper((unsigned char)z[i]);
            return 0;
        }
    }
    return aim__prov_fail(err, errlen, -EINVAL,
                         "UK zone '%s': use GB (national), a region id 1-17, england/scotland/wales, or an "
                         "outward postcode such as RG10",
                         zone);
}

int aim__uk_fetch(aim_prov_ctx *c, aim_prov_answer *a, char *err, size_t errlen) {
    const aim_provider_query *q = c->q;
    uk_target t;
    if (q->have_latlon && !(q->zone && *q->zone))
        return aim__prov_fail(err, errlen, -EINVAL,
                             "the UK Carbon Intensity API has no latitude/longitude lookup: give a postcode or a "
                             "region id with --zone");
    int r = uk_target_parse(q->zone, &t, err, errlen);
    if (r < 0)
        return r;
    int regional = t.regionid || t.postcode[0];
    char base[512], where[48] = "", url[1024];
    aim__prov_base_url("AIMETER_UKGRID_URL", UK_DEFAULT_URL, base, sizeof base);
    if (t.regionid)
        snprintf(where, sizeof where, "regionid/%d", t.regionid);
    else if (t.postcode[0])
        snprintf(where, sizeof where, "postcode/%s", t.postcode);
    a->basis = AIM_BASIS_DIRECT;
    int history = q->from_unix_ms || q->to_unix_ms;
    char label[64] = "";
    /* Periods are aligned on :00 and :30 UTC: the one in force at `from` starts at from
     * rounded down to the half hour. */
    int64_t first = q->from_unix_ms - ((q->from_unix_ms % UK_PERIOD_MS) + UK_PERIOD_MS) % UK_PERIOD_MS;
    for (int64_t s = first; r == 0; s += UK_CHUNK_MS) {
        if (!history) {
            if (regional)
                snprintf(url, sizeof url, "%s/regional/%s", base, where);
            else
                snprintf(url, sizeof url, "%s/intensity", base);
        } else {
            if (s >= q->to_unix_ms)
                break;
            int64_t e = s + UK_CHUNK_MS < q->to_unix_ms ? s + UK_CHUNK_MS : q->to_unix_ms;
            char ts[40], te[40];
            aim__iso8601_format(s, 0, ts, sizeof ts);
            aim__iso8601_format(e, 0, te, sizeof te);
            if (regional)
                snprintf(url, sizeof url, "%s/regional/intensity/%s/%s/%s", base, ts, te, where);
            else
                snprintf(url, sizeof url, "%s/intensity/%s/%s", base, ts, te);
        }
        aim_http_response rs;
        if ((r = aim__prov_get(c, url, NULL, NULL, NULL, &rs, err, errlen)) < 0)
            break;
        r = aim__prov_http_status(c, &rs, "UK Carbon Intensity API", a, err, errlen);
        if (r == 0) {
            aim_prov_parsed p = { .basis = AIM_BASIS_DIRECT };
            char perr[200];
            r = aim__uk_parse(rs.body, rs.len, regional, &p, perr, sizeof perr);
            if (r < 0)
                aim__prov_fail(err, errlen, r, "UK Carbon Intensity API: %s", perr);
            for (size_t i = 0; r == 0 && i < p.series.n; i++)
                r = aim__prov_series_push(&a->series, p.series.p[i].t_unix_ms, p.series.p[i].g_per_kwh);
            if (r == 0) {
                snprintf(a->zone, sizeof a->zone, "%s", p.zone);
                snprintf(label, sizeof label, "%s", p.label);
            }
            aim__prov_parsed_free(&p);
        }
        aim__http_response_free(&rs);
        if (!history)
            break;
    }
    if (regional)
        snprintf(a->source, sizeof a->source, "UK Carbon Intensity API regional forecast, %s%s%s%s", a->zone,
                 label[0] ? " (" : "", label, label[0] ? ")" : "");
    else
        snprintf(a->source, sizeof a->source,
                 "UK Carbon Intensity API national, GB (actual where published, else forecast)");
    return r;
}
