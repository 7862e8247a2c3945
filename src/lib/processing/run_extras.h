/* What a report needs for the idle baseline and embodied carbon (issue 4), loaded from the
 * store (store/sql/extras_store.c); aim_run_summary.extras owns it. */
#ifndef AIM_RUN_EXTRAS_H
#define AIM_RUN_EXTRAS_H

#include <stddef.h>

/* An idle baseline is idle when the host's CPU use averaged at most this over it
 * (docs/methodology.md, "Idle baseline"): aimeter's own sampling costs about 1 %, a quiet
 * desktop a few; a baseline taken beside a busy process is far above. */
#define AIM_IDLE_MAX_CPU_PCT 10.0

/* 1 when a baseline whose mean CPU use was cpu_pct was not idle; 0 when it was idle or its
 * CPU use is unknown (NaN). */
static inline int aim__idle_busy(double cpu_pct) { return cpu_pct > AIM_IDLE_MAX_CPU_PCT; }

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
    double idle_cpu_pct;     /* the baseline's mean host CPU use, %; NaN: not measured */
    aim_idle_device *idle;   /* the baseline's devices counted in its total */
    size_t n_idle;
    int embodied;
    double mem_total_gib;    /* this run's memory size (mem.total), for DRAM per GB; NaN */
    aim_attr_figure *attr;   /* devices with an attributed figure */
    size_t n_attr;
} aim_run_extras;

void aim__run_extras_free(aim_run_extras *x);

#endif
