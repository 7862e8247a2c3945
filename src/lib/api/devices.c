/* `aimeter devices`: what each source can measure on this machine, and why not. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fileio.h"
#include "sources/source.h"

static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -EINVAL;
        if ((size_t)n < *cap - *len) {
            *len += (size_t)n;
            return 0;
        }
        size_t ncap = (*cap + (size_t)n) * 2;
        char *nb = realloc(*buf, ncap);
        if (!nb)
            return -ENOMEM;
        *buf = nb;
        *cap = ncap;
    }
}

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
    size_t len = 0, cap = 1024;
    char *buf = json ? NULL : malloc(cap);
    int r = 0;
    if (json ? !arr : !buf)
        r = -ENOMEM;
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
            for (int k = 0; k < rep->count; k++)
                json_array_append_new(lines, json_pack("{s:s,s:s,s:s}", "what", rep->lines[k].what,
                                                       "status", rep->lines[k].status,
                                                       "detail", rep->lines[k].detail));
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:o}", "source", ops->name,
                                                 "description", ops->description ? ops->description : "",
                                                 "status", state, "checks", lines));
            continue;
        }
        r = append(&buf, &len, &cap, "%-10s %-12s %s\n", ops->name, state,
                   ops->description ? ops->description : "");
        for (int k = 0; k < rep->count && r >= 0; k++)
            r = append(&buf, &len, &cap, "  %-40s %-14s %s\n", rep->lines[k].what,
                       rep->lines[k].status, rep->lines[k].detail);
    }
    free(rep);
    if (json) {
        char *text = r >= 0 ? json_dumps(arr, JSON_INDENT(2)) : NULL;
        json_decref(arr);
        if (!text)
            return r < 0 ? r : -ENOMEM;
        *ret_text = text;
        return 0;
    }
    if (r < 0) {
        free(buf);
        return r;
    }
    *ret_text = buf;
    return 0;
}
