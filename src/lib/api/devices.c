/* `aimeter devices`: what each source can measure on this machine, and why not. Probes every
 * source (sources/) and hands the reports to the renderer (report/devices_render.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "report/devices_render.h"
#include "sources/source.h"
#include "util/fileio.h"

int aim_devices_describe(const char *format, char **ret_text) {
    int json = format && strcmp(format, "json") == 0;
    if (format && !json && strcmp(format, "text") != 0)
        return -EINVAL;
    aim_source_env env = { .sysfs_root = aim_sysfs_root(), .procfs_root = aim_procfs_root(),
                           .interval_ns = 100000000, .target_pid = 0 };
    size_t n = (size_t)aim_source_count;
    aim_source_probe *probes = calloc(n + 1, sizeof *probes);
    if (!probes)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const aim_source_ops *ops = aim_sources[i];
        aim_source_probe *p = &probes[i];
        int rc = ops->probe ? ops->probe(&env, &p->report) : -EOPNOTSUPP;
        p->name = ops->name;
        p->description = ops->description;
        p->available = aim_probe_available(rc, &p->report);
    }
    int r = aim_devices_render(probes, n, json, ret_text);
    free(probes);
    return r;
}
