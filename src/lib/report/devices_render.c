/* `aimeter devices` as text or JSON (devices_render.h). */
#include "report/devices_render.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

#include "util/strbuf.h"

static int render_json(const aim_source_probe *probes, size_t n, char **ret_text) {
    json_t *arr = json_array();
    if (!arr)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const aim_source_probe *p = &probes[i];
        json_t *lines = json_array();
        for (int k = 0; k < p->report.count; k++)
            json_array_append_new(lines, json_pack("{s:s,s:s,s:s}", "what", p->report.lines[k].what,
                                                   "status", p->report.lines[k].status,
                                                   "detail", p->report.lines[k].detail));
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:o}", "source", p->name,
                                             "description", p->description ? p->description : "",
                                             "status", p->available ? "available" : "unavailable",
                                             "checks", lines));
    }
    char *text = json_dumps(arr, JSON_INDENT(2));
    json_decref(arr);
    if (!text)
        return -ENOMEM;
    *ret_text = text;
    return 0;
}

int aim_devices_render(const aim_source_probe *probes, size_t n, int json, char **ret_text) {
    if (json)
        return render_json(probes, n, ret_text);
    aim_strbuf b = AIM_STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        const aim_source_probe *p = &probes[i];
        aim_strbuf_printf(&b, "%-10s %-12s %s\n", p->name,
                          p->available ? "available" : "unavailable",
                          p->description ? p->description : "");
        for (int k = 0; k < p->report.count; k++)
            aim_strbuf_printf(&b, "  %-40s %-14s %s\n", p->report.lines[k].what,
                              p->report.lines[k].status, p->report.lines[k].detail);
    }
    return aim_strbuf_steal(&b, ret_text);
}
