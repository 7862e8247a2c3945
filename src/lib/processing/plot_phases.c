/* The phases chart's model (plot_phases.h). */
#include "processing/plot_phases.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An activity a bar shows: the metric key, and the key used instead when a device did not
 * record it (DCGM's profiling metrics are finer than NVML's utilisations, and absent on most
 * GPUs). */
typedef struct activity {
    aim_device_kind kind;
    const char *key, *fallback;
    const char *words, *fallback_words;
} activity;

static const activity activities[] = {
    { AIM_DEV_HOST, "cpu.util", NULL, "CPU use", NULL },
    { AIM_DEV_GPU, "gpu.sm_active", "gpu.util", "SM active", "utilisation" },
    { AIM_DEV_GPU, "gpu.tensor_active", NULL, "tensor active", NULL },
    { AIM_DEV_GPU, "gpu.dram_active", "gpu.mem_util", "DRAM active", "memory utilisation" },
};

/* 1 when some phase of the run recorded key for device d. */
static int recorded(const aim_workload_summary *w, int d, const char *key) {
    for (size_t i = 0; i < w->n_phases; i++)
        if (isfinite(aim__phase_metric_mean(&w->phases[i], d, key)))
            return 1;
    return 0;
}

void aim__plot_phases_free(aim_plot_phases *m) {
    if (!m)
        return;
    free(m->groups);
    memset(m, 0, sizeof *m);
}

int aim__plot_phases_build(const aim_run_summary *run, aim_plot_phases *m) {
    memset(m, 0, sizeof *m);
    const aim_workload_summary *w = run->workload;
    if (!w || w->n_phases == 0)
        return -ENODATA;
    /* the bars: each device's activities in device order, compute before memory */
    int bar_dev[AIM_PLOT_PHASE_BARS];
    const char *bar_key[AIM_PLOT_PHASE_BARS];
    int hint_dev[AIM_PLOT_PHASE_DEVICES];
    for (int d = 0; d < run->n_devices; d++) {
        aim_device_kind kind = run->devices[d].kind;
        if (kind != AIM_DEV_HOST && kind != AIM_DEV_GPU)
            continue;
        if (m->n_devices < AIM_PLOT_PHASE_DEVICES) {
            hint_dev[m->n_devices] = d;
            snprintf(m->device[m->n_devices++], sizeof m->device[0], "%s", run->devices[d].name);
        }
        for (size_t a = 0; a < sizeof activities / sizeof activities[0]; a++) {
            const activity *act = &activities[a];
            if (act->kind != kind)
                continue;
            const char *key = act->key, *words = act->words;
            if (!recorded(w, d, key)) {
                key = act->fallback;
                words = act->fallback_words;
                if (!key || !recorded(w, d, key))
                    continue;
            }
            if (m->n_bars == AIM_PLOT_PHASE_BARS) {
                m->bars_left_out++;
                continue;
            }
            bar_dev[m->n_bars] = d;
            bar_key[m->n_bars] = key;
            snprintf(m->bar[m->n_bars++], sizeof m->bar[0], "%s %s", run->devices[d].name,
                     words);
        }
    }
    size_t n = w->n_phases < AIM_PLOT_PHASE_GROUPS ? w->n_phases : AIM_PLOT_PHASE_GROUPS;
    m->groups = calloc(n, sizeof *m->groups);
    if (!m->groups)
        return -ENOMEM;
    m->n_groups = n;
    m->n_left_out = w->n_phases - n;
    m->ymax = 100;
    for (size_t i = 0; i < n; i++) {
        const aim_phase_summary *p = &w->phases[i];
        aim_plot_phase_group *g = &m->groups[i];
        snprintf(g->name, sizeof g->name, "%s", p->name);
        g->instances = p->instances;
        for (int b = 0; b < m->n_bars; b++) {
            g->value[b] = aim__phase_metric_mean(p, bar_dev[b], bar_key[b]);
            /* a mean above 100 % (rounding of a counter's share) widens the axis */
            if (isfinite(g->value[b]) && g->value[b] > m->ymax)
                m->ymax = g->value[b];
        }
        for (int k = 0; k < m->n_devices; k++)
            g->hint[k] = aim__phase_hint_of(p, hint_dev[k], run->devices[hint_dev[k]].kind).kind;
    }
    return 0;
}
