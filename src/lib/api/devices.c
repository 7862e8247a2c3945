/* `aimeter devices`: what each source can measure on this machine, and why not. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "sources/source.h"

int aim_devices_describe(const char *format, char **ret_text) {
    int json = format && strcmp(format, "json") == 0;
    if (format && !json && strcmp(format, "text") != 0)
        return -EINVAL;
    aim_source_env env = { .sysfs_root = aim_sysfs_root(), .procfs_root = aim_procfs_root(),
                           .interval_ns = 100000000, .target_pid = 0 };
    aim_probe_report *rep = malloc(sizeof *rep);
    if (!rep)
        return -ENOMEM;
    json_t *arr = json ? json_array() : NULL;
    aim_strbuf buf = AIM_STRBUF_INIT;
    int r = json && !arr ? -ENOMEM : 0;
    for (int i = 0; i < aim_source_count && r >= 0; i++) {
        const aim_source_ops *ops = aim_sources[i];
        memset(rep, 0, sizeof *rep);
        int pr = ops->probe ? ops->probe(&env, rep) : -EOPNOTSUPP;
        int usable = 0;
        for (int k = 0; k < rep->count; k++)
            usable |= strcmp(rep->lines[k].status, "available") == 0;
        const char *state = pr >= 0 && usable ? "available" : "unavailable";
        if (json) {
            json_t *lines = json_array();
            for (int k = 0; k < rep->count; k++) {
                const aim_probe_line *l = &rep->lines[k];
                json_array_append_new(
                    lines, json_pack("{s:o,s:o,s:o}", "what", aim_json_str(l->what, sizeof l->what),
                                     "status", aim_json_str(l->status, sizeof l->status),
                                     "detail", aim_json_str(l->detail, sizeof l->detail)));
            }
            const char *desc = ops->description ? ops->description : "";
            json_array_append_new(arr, json_pack("{s:o,s:o,s:s,s:o}", "source",
                                                 aim_json_str(ops->name, (size_t)-1), "description",
                                                 aim_json_str(desc, (size_t)-1), "status", state,
                                                 "checks", lines));
            continue;
        }
        aim_strbuf_printf(&buf, "%-10s %-12s %s\n", ops->name, state,
                          ops->description ? ops->description : "");
        for (int k = 0; k < rep->count; k++)
            aim_strbuf_printf(&buf, "  %-40s %-14s %s\n", rep->lines[k].what,
                              rep->lines[k].status, rep->lines[k].detail);
    }
    free(rep);
    if (json) {
        /* Its own layout (no trailing newline), older than the report style: kept. */
        if (r >= 0)
            r = aim_json_dump_flags(arr, JSON_INDENT(2), 0, ret_text);
        json_decref(arr);
        return r;
    }
    if (r < 0) {
        aim_strbuf_free(&buf);
        return r;
    }
    return aim_strbuf_steal(&buf, ret_text);
}
