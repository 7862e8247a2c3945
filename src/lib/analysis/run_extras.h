/* What a report needs for the idle baseline and embodied carbon (issue 4), loaded from the
 * store (store/extras_store.c); aim_run_summary.extras owns it. */
#ifndef AIM_RUN_EXTRAS_H
#define AIM_RUN_EXTRAS_H

#include <stddef.h>

typedef struct aim_idle_device {
    char name[32];
    double power_w;          /* the baseline run's mean power of this device */
} aim_idle_device;

/* A device's energy attributed to the monitored process tree. */
typedef struct aim_attr_figure {
    int device;              /* index into the run's devices */
    double joules;
    char method[128];
} aim_attr_figure;

typedef struct aim_run_extras {
    char idle_run_id[40];    /* "" without a baseline */
    int idle_found;          /* the baseline run is (still) in the store */
    double idle_duration_s;
    aim_idle_device *idle;   /* the baseline's devices counted in its total */
    size_t n_idle;
    int embodied;
    double mem_total_gib;    /* this run's memory size (mem.total), for DRAM per GB; NaN */
    aim_attr_figure *attr;   /* devices with an attributed figure */
    size_t n_attr;
} aim_run_extras;

void aim_run_extras_free(aim_run_extras *x);

#endif
