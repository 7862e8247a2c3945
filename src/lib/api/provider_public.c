/* The public face of the providers (aimeter.h, "live grid intensity"): one call that
 * fetches (providers/) and renders (report/intensity_render.h), which is what `aimeter
 * intensity` needs, while the query and result structures stay internal and free to change. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "providers/provider_impl.h"
#include "api/error_out.h"
#include "report/intensity_render.h"
#include "report/renderers.h"

#define NS_PER_MS 1000000LL

int aim_parse_wall_time(const char *text, int64_t *ret_unix_ns) {
    int64_t ms;
    if (!text || aim__iso8601_parse(text, strlen(text), &ms) < 0)
        return -EINVAL;
    /* ns since 1970 in 64 bits end in April 2262; the parser takes years up to 9999 (found by
     * fuzz/fuzz_wall_time.c: 9999 overflowed the multiplication). */
    if (ms > INT64_MAX / NS_PER_MS)
        return -EINVAL;
    *ret_unix_ns = ms * NS_PER_MS;
    return 0;
}

int aim_intensity_fetch_render(const aim_intensity_request *req, aim_format format, char **ret_text,
                               aim_error *ret_error) {
    char errbuf[sizeof ret_error->message];
    const size_t errlen = sizeof errbuf;
    int r = aim__error_render_start(ret_error, ret_text, AIM_OUTPUT_INTENSITY, format);
    if (r < 0)
        return r;
    if (!req)
        return aim__error_set(ret_error, -EINVAL, "no request given");
    if (req->from_ns < 0 || req->to_ns < 0 || req->timeout_ns < 0)
        return aim__error_set(ret_error, -EINVAL, "negative time");
    char *def = NULL;
    const char *cache = req->cache_dir;
    if (!cache) {
        if (aim__provider_default_cache_dir(&def) == 0)
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
        return aim__error_set(ret_error, -EINVAL, "only Electricity Maps offers a choice of direct or lifecycle");
    }
    aim_provider_result meta = { .points = NULL };
    aim_prov_series s;
    errbuf[0] = '\0';
    r = aim__provider_fetch_series(&q, NULL, &meta, &s, errbuf, errlen);
    free(def);
    if (r < 0)
        return aim__error_set(ret_error, r, "%s", errbuf[0] ? errbuf : aim_strerror(r));
    aim_intensity_listing l = {
        .provider = req->provider, .zone = meta.zone, .source = meta.source, .note = meta.note,
        .signal = meta.signal, .basis = meta.basis, .fetched_unix_ms = meta.fetched_unix_ms,
        .from_cache = meta.from_cache, .stale = meta.stale, .points = s.p, .n = s.n,
    };
    r = aim__render(AIM_OUTPUT_INTENSITY, format, &l, ret_text);
    aim__prov_series_free(&s);
    if (r < 0)
        return aim__error_set(ret_error, -ENOMEM, "out of memory");
    return 0;
}
