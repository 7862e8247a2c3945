/* `aimeter intensity` as text or JSON (intensity_render.h). */
#include "report/intensity_render.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/iso8601.h"
#include "util/json.h"
#include "util/numfmt.h"
#include "util/strbuf.h"

static int render_text(const aim_intensity_listing *l, char **ret_text) {
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__strbuf_printf(&b, "%s\n", l->source);
    aim__strbuf_printf(&b, "zone %s, %s signal, %s basis, g CO2e/kWh%s\n", l->zone,
                      aim__signal_name(l->signal), aim__basis_name(l->basis),
                      l->stale ? ", stale cache entry" : l->from_cache ? ", from the cache" : "");
    if (l->note[0])
        aim__strbuf_printf(&b, "note: %s\n", l->note);
    aim__strbuf_printf(&b, "%-22s %12s\n", "time (UTC)", "g CO2e/kWh");
    for (size_t i = 0; i < l->n; i++) {
        char t[40], num[AIM_NUM_MAX];
        aim__iso8601_format(l->points[i].t_unix_ms, 1, t, sizeof t);
        aim__strbuf_printf(&b, "%-22s %12s\n", t, aim__fmt_fixed(num, l->points[i].g_per_kwh, 2));
    }
    return aim__strbuf_steal(&b, ret_text);
}

static int render_json(const aim_intensity_listing *l, char **ret_text) {
    json_t *pts = json_array();
    for (size_t i = 0; pts && i < l->n; i++) {
        char t[40];
        aim__iso8601_format(l->points[i].t_unix_ms, 1, t, sizeof t);
        json_t *o = json_pack("{s:s, s:I, s:f}", "time", t, "t_unix_ms",
                              (json_int_t)l->points[i].t_unix_ms, "g_per_kwh",
                              l->points[i].g_per_kwh);
        if (!o || json_array_append_new(pts, o) < 0) {
            json_decref(pts);
            pts = NULL;
        }
    }
    if (!pts)
        return -ENOMEM;
    char fetched[40];
    aim__iso8601_format(l->fetched_unix_ms, 1, fetched, sizeof fetched);
    json_t *root = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:o}",
                             "provider", l->provider, "zone", l->zone, "signal",
                             aim__signal_name(l->signal), "basis", aim__basis_name(l->basis), "unit",
                             "gCO2e/kWh", "source", l->source, "note", l->note, "fetched", fetched,
                             "from_cache", l->from_cache, "stale", l->stale, "points", pts);
    if (!root)
        return -ENOMEM;
    /* 12 digits: this output predates the report style (docs/decisions.md). */
    int r = aim__json_dump_flags(root, JSON_INDENT(2) | JSON_REAL_PRECISION(12), 1, ret_text);
    json_decref(root);
    return r;
}

int aim__intensity_render(const aim_intensity_listing *l, int json, char **ret_text) {
    return json ? render_json(l, ret_text) : render_text(l, ret_text);
}
