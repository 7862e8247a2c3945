/* The public face of the providers (aimeter.h, "live grid intensity"): one call that
 * fetches and renders, which is what `aimeter intensity` needs, while the query and result
 * structures stay internal and free to change. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "providers/provider_impl.h"
#include "util/json.h"
#include "util/numfmt.h"
#include "util/strbuf.h"

#define NS_PER_MS 1000000LL

int aim_parse_wall_time(const char *text, int64_t *ret_unix_ns) {
    int64_t ms;
    if (!text || aim_iso8601_parse(text, strlen(text), &ms) < 0)
        return -EINVAL;
    /* ns since 1970 in 64 bits end in April 2262; the parser takes years up to 9999 (found by
     * fuzz/fuzz_wall_time.c: 9999 overflowed the multiplication). */
    if (ms > INT64_MAX / NS_PER_MS)
        return -EINVAL;
    *ret_unix_ns = ms * NS_PER_MS;
    return 0;
}

static char *render_text(const aim_provider_result *m,
                         const aim_prov_series *s) {
    aim_strbuf b = AIM_STRBUF_INIT;
    aim_strbuf_printf(&b, "%s\n", m->source);
    aim_strbuf_printf(&b, "zone %s, %s signal, %s basis, g CO2e/kWh%s\n", m->zone,
                      aim_signal_name(m->signal), aim_basis_name(m->basis),
                      m->stale ? ", stale cache entry" : m->from_cache ? ", from the cache" : "");
    if (m->note[0])
        aim_strbuf_printf(&b, "note: %s\n", m->note);
    aim_strbuf_printf(&b, "%-22s %12s\n", "time (UTC)", "g CO2e/kWh");
    for (size_t i = 0; i < s->n; i++) {
        char t[40], num[AIM_NUM_MAX];
        aim_iso8601_format(s->p[i].t_unix_ms, 1, t, sizeof t);
        aim_strbuf_printf(&b, "%-22s %12s\n", t, aim_fmt_fixed(num, s->p[i].g_per_kwh, 2));
    }
    char *text = NULL;
    return aim_strbuf_steal(&b, &text) == 0 ? text : NULL;
}

static char *render_json(const aim_intensity_request *req, const aim_provider_result *m,
                         const aim_prov_series *s) {
    json_t *pts = json_array();
    for (size_t i = 0; pts && i < s->n; i++) {
        char t[40];
        aim_iso8601_format(s->p[i].t_unix_ms, 1, t, sizeof t);
        json_t *o = json_pack("{s:s, s:I, s:f}", "time", t, "t_unix_ms", (json_int_t)s->p[i].t_unix_ms,
                              "g_per_kwh", s->p[i].g_per_kwh);
        if (!o || json_array_append_new(pts, o) < 0) {
            json_decref(pts);
            pts = NULL;
        }
    }
    if (!pts)
        return NULL;
    char fetched[40];
    aim_iso8601_format(m->fetched_unix_ms, 1, fetched, sizeof fetched);
    json_t *root = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:o}", "provider", req->provider,
                             "zone", m->zone, "signal", aim_signal_name(m->signal), "basis",
                             aim_basis_name(m->basis), "unit", "gCO2e/kWh", "source", m->source, "note",
                             m->note, "fetched", fetched, "from_cache", m->from_cache, "stale", m->stale,
                             "points", pts);
    if (!root)
        return NULL;
    /* 12 digits: this output predates the report style (docs/decisions.md). */
    char *text = NULL;
    int r = aim_json_dump_flags(root, JSON_INDENT(2) | JSON_REAL_PRECISION(12), 1, &text);
    json_decref(root);
    return r == 0 ? text : NULL;
}

int aim_intensity_fetch_render(const aim_intensity_request *req, const char *format, char **ret_text,
                               char *errbuf, size_t errlen) {
    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!req || !ret_text || !format || (strcmp(format, "text") != 0 && strcmp(format, "json") != 0))
        return aim_prov_fail(errbuf, errlen, -EINVAL, "format must be text or json");
    if (req->from_ns < 0 || req->to_ns < 0 || req->timeout_ns < 0)
        return aim_prov_fail(errbuf, errlen, -EINVAL, "negative time");
    char *def = NULL;
    const char *cache = req->cache_dir;
    if (!cache) {
        if (aim_provider_default_cache_dir(&def) == 0)
            cache = def;
    } else if (!*cache) {
        cache = NULL;
    }
    aim_provider_query q = {
        .provider = req->provider, .zone = req->zone, .lat = req->lat, .lon = req->lon,
        .have_latlon = req->have_latlon, .from_unix_ms = req->from_ns / NS_PER_MS,
        .to_unix_ms = req->to_ns / NS_PER_MS,
        .signal = req->marginal ? AIM_SIGNAL_MARGINAL : AIM_SIGNAL_AVERAGE,
        .basis = req->direct ? AIM_BASIS_DIRECT : AIM_BASIS_LIFECYCLE, .cache_dir = cache,
        .timeout_ms = (long)((req->timeout_ns + NS_PER_MS - 1) / NS_PER_MS),
    };
    if (req->direct && (!req->provider || strcmp(req->provider, "electricitymaps") != 0)) {
        free(def);
        return aim_prov_fail(errbuf, errlen, -EINVAL, "only Electricity Maps offers a choice of direct or lifecycle");
    }
    aim_provider_result meta = { .points = NULL };
    aim_prov_series s;
    int r = aim_provider_fetch_series(&q, NULL, &meta, &s, errbuf, errlen);
    free(def);
    if (r < 0)
        return r;
    char *text = strcmp(format, "json") == 0 ? render_json(req, &meta, &s) : render_text(&meta, &s);
    aim_prov_series_free(&s);
    if (!text)
        return aim_prov_fail(errbuf, errlen, -ENOMEM, "out of memory");
    *ret_text = text;
    return 0;
}
