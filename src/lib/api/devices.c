/* `aimeter devices`: what each source can measure on this machine, and why not. Probes every
 * source (sources/) and hands the reports to the renderer (report/devices_render.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aimeter.h"
#include "api/error_out.h"
#include "report/renderers.h"
#include "sources/source.h"
#include "util/fileio.h"

int aim_devices_describe(aim_format format, char **ret_text, aim_error *ret_error) {
    int r = aim__error_render_start(ret_error, ret_text, AIM_OUTPUT_DEVICES, format);
    if (r < 0)
        return r;
    aim_source_env env = { .sysfs_root = aim__sysfs_root(), .procfs_root = aim__procfs_root(),
                           .interval_ns = 100000000, .target_pid = 0 };
    size_t n = (size_t)aim_source_count;
    aim_source_probe *probes = calloc(n + 1, sizeof *probes);
    if (!probes)
        return aim__error_set(ret_error, -ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const aim_source_ops *ops = aim_sources[i];
        aim_source_probe *p = &probes[i];
        int rc = ops->probe ? ops->probe(&env, &p->report) : -EOPNOTSUPP;
        p->name = ops->name;
        p->description = ops->description;
        p->available = aim__probe_available(rc, &p->report);
    }
    aim_render_devices in = { .probes = probes, .n = n };
    r = aim__render(AIM_OUTPUT_DEVICES, format, &in, ret_text);
    free(probes);
    if (r < 0)
        return aim__error_set(ret_error, r, "cannot render the devices: %s", aim_strerror(r));
    return 0;
}
