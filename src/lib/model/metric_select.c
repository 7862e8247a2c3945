/* --metrics presets and lists (metric_select.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "model/metric_select.h"

int aim__metric_is_profiling(aim_metric_id id) {
    return id >= AIM_M_GPU_GR_ACTIVE && id <= AIM_M_GPU_FP16_ACTIVE;
}

/* The metrics a GPU source can give; what `basic` selects is these minus profiling. */
static int is_gpu_metric(aim_metric_id id) {
    return id == AIM_M_POWER || id == AIM_M_ENERGY || id == AIM_M_TEMPERATURE ||
           (id >= AIM_M_GPU_POWER_AVG && id <= AIM_M_GPU_JOB_SM_UTIL);
}

static void add_preset(aim_metric_select *sel, int with_profiling) {
    for (int id = 0; id < AIM_M__COUNT; id++)
        if (is_gpu_metric((aim_metric_id)id) &&
            (with_profiling || !aim__metric_is_profiling((aim_metric_id)id)))
            sel->want[id] = 1;
}

int aim__metric_select_parse(const char *spec, aim_metric_select *ret, char *err, size_t errlen) {
    aim_metric_select sel;
    memset(&sel, 0, sizeof sel);
    if (!spec || !*spec) {
        *ret = sel;
        return 0;
    }
    sel.mode = AIM_METRICS_EXPLICIT;
    sel.want[AIM_M_POWER] = sel.want[AIM_M_ENERGY] = 1;
    const char *p = spec;
    for (;;) {
        size_t len = strcspn(p, ",");
        char item[64];
        if (len == 0 || len >= sizeof item) {
            if (err)
                snprintf(err, errlen, "--metrics: %s in \"%.80s\"",
                         len ? "an entry is too long" : "empty entry", spec);
            return -EINVAL;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        const aim_metric_info *info = aim_metric_find(item);
        if (strcasecmp(item, "basic") == 0)
            add_preset(&sel, 0);
        else if (strcasecmp(item, "full") == 0)
            add_preset(&sel, 1);
        else if (info)
            sel.want[aim__metric_id_of(info)] = 1; /* host metrics: accepted, always on */
        else {
            if (err)
                snprintf(err, errlen, "--metrics: \"%s\" is neither basic, full nor a metric "
                         "key (aimeter devices and docs/metrics.md list them)", item);
            return -EINVAL;
        }
        if (!p[len])
            break;
        p += len + 1;
    }
    *ret = sel;
    return 0;
}

int aim__metric_selected(const aim_metric_select *sel, aim_metric_id id) {
    if ((unsigned)id >= AIM_M__COUNT)
        return 0;
    if (!sel || sel->mode == AIM_METRICS_DEFAULT || !is_gpu_metric(id))
        return 1;
    return sel->want[id];
}

int aim__metric_profiling_forced(const aim_metric_select *sel) {
    if (!sel || sel->mode == AIM_METRICS_DEFAULT)
        return 0;
    for (int id = AIM_M_GPU_GR_ACTIVE; id <= AIM_M_GPU_FP16_ACTIVE; id++)
        if (sel->want[id])
            return 1;
    return 0;
}
