/* `aimeter devices` as text or JSON (devices_render.h). */
#include "report/devices_render.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

#include "util/json.h"
#include "util/strbuf.h"

static int render_json(const aim_source_probe *probes, size_t n, char **ret_text) {
    json_t *arr = json_array();
    if (!arr)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const aim_source_probe *p = &probes[i];
        json_t *lines = json_array();
        for (int k = 0; k < p->report.count; k++)
            json_array_append_new(lines, json_pack("{s:o,s:o,s:o}",
                                         "what", aim__json_str(p->report.lines[k].what, (size_t)-1),
                                         "status", aim__json_str(p->report.lines[k].status, (size_t)-1),
                                         "detail", aim__json_str(p->report.lines[k].detail, (size_t)-1)));
        json_array_append_new(arr, json_pack("{s:o,s:o,s:s,s:o}",
                                             "source", aim__json_str(p->name, (size_t)-1),
                                             "description", aim__json_str(p->description ? p->description : "", (size_t)-1),
                                             "status", p->available ? "available" : "unavailable",
                                             "checks", lines));
    }
    /* Its own layout (no trailing newline), older than the report style: kept. */
    int r = aim__json_dump_flags(arr, JSON_INDENT(2), 0, ret_text);
    json_decref(arr);
    return r;
}

int aim__devices_render(const aim_source_probe *probes, size_t n, int json, char **ret_text) {
    if (json)
        return render_json(probes, n, ret_text);
    aim_strbuf b = AIM_STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        const aim_source_probe *p = &probes[i];
        aim__strbuf_printf(&b, "%-10s %-12s %s\n", p->name,
                          p->available ? "available" : "unavailable",
                          p->description ? p->description : "");
        for (int k = 0; k < p->report.count; k++)
            aim__strbuf_printf(&b, "  %-40s %-14s %s\n", p->report.lines[k].what,
                              p->report.lines[k].status, p->report.lines[k].detail);
    }
    return aim__strbuf_steal(&b, ret_text);
}
