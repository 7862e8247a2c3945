/* The section of a series (sections.h). */
#include "processing/sections.h"

#include <string.h>

static const char *const section_names[AIM_SEC__COUNT] = {
    "CPU", "DRAM", "GPU", "Platform", "Other", "System", "Process",
};

const char *aim__section_name(aim_section sec) {
    return sec >= 0 && sec < AIM_SEC__COUNT ? section_names[sec] : NULL;
}

const aim_metric_info *aim__series_metric(const aim_series_summary *s) {
    size_t n = strnlen(s->metric_key, sizeof s->metric_key);
    if (n > 0 && n < sizeof s->metric_key)
        return aim_metric_find(s->metric_key);
    return s->metric >= 0 ? aim__metric_by_id((aim_metric_id)s->metric) : NULL;
}

aim_section aim__series_section(const aim_run_summary *run, const aim_series_summary *s,
                               const aim_metric_info *info) {
    if (s->device < 0 || s->device >= run->n_devices)
        return AIM_SEC_NONE;
    switch (run->devices[s->device].kind) {
    case AIM_DEV_HOST: {
        /* Host-level metrics say themselves which component they describe. */
        const char *comp =
            info ? aim__metric_component((aim_metric_id)aim__metric_id_of(info)) : NULL;
        if (comp && strcmp(comp, "CPU") == 0)
            return AIM_SEC_CPU;
        if (comp && strcmp(comp, "DRAM") == 0)
            return AIM_SEC_DRAM;
        if (comp && strcmp(comp, "Process") == 0)
            return AIM_SEC_PROCESS;
        return AIM_SEC_SYSTEM;
    }
    case AIM_DEV_CPU: return AIM_SEC_CPU;
    case AIM_DEV_DRAM: return AIM_SEC_DRAM;
    case AIM_DEV_GPU: return AIM_SEC_GPU;
    case AIM_DEV_PLATFORM: return AIM_SEC_PLATFORM;
    case AIM_DEV_PROCESS: return AIM_SEC_PROCESS;
    case AIM_DEV_OTHER: return AIM_SEC_OTHER;
    }
    return AIM_SEC_OTHER;
}
