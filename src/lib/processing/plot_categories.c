/* The panels of --layout categories (plot_categories.h). */
#include "processing/plot_categories.h"

#include <string.h>

#include "model/metrics.h"

static const char *const panel_names[AIM_PLOT_PANELS] = { "Energy", "Compute", "Memory",
                                                          "Communication" };

const char *aim__plot_panel_name(int panel) {
    return panel >= 0 && panel < AIM_PLOT_PANELS ? panel_names[panel] : "";
}

int aim__plot_panel_of(const char *key) {
    const aim_metric_info *m = aim_metric_find(key);
    if (!m)
        return -1;
    switch (m->category) {
    case AIM_CAT_ENERGY: return 0;
    case AIM_CAT_COMPUTE: return 1;
    case AIM_CAT_MEMORY: return 2;
    case AIM_CAT_COMMUNICATION: return 3;
    case AIM_CAT_SYSTEM:
        if (strcmp(key, "cpu.util") == 0 || strcmp(key, "cpu.core_util") == 0 ||
            strcmp(key, "proc.cpu_util") == 0)
            return 1;
        if (strcmp(key, "mem.used") == 0 || strcmp(key, "mem.util") == 0 ||
            strcmp(key, "proc.rss") == 0)
            return 2;
        return -1;
    default:
        return -1;
    }
}

static const char *unit_of(const aim_series_summary *s) {
    const aim_metric_info *m = aim_metric_find(s->metric_key);
    return m && m->unit ? m->unit : "";
}

void aim__plot_categories_pick(const aim_run_summary *run, const int *only, size_t n_only,
                               int ret[AIM_PLOT_PANELS][AIM_PLOT_MAX_SERIES],
                               int n[AIM_PLOT_PANELS], size_t *ret_left_out) {
    const char *units[AIM_PLOT_PANELS][2] = { { NULL } };
    size_t left_out = 0;
    memset(n, 0, AIM_PLOT_PANELS * sizeof *n);
    size_t count = only ? n_only : (size_t)run->n_series;
    for (size_t k = 0; k < count; k++) {
        int i = only ? only[k] : (int)k;
        const aim_series_summary *s = &run->series[i];
        if (!only && (s->counter || s->instance >= 0 || !(s->max > s->min)))
            continue;
        int p = aim__plot_panel_of(s->metric_key);
        if (p < 0) {
            left_out += only != NULL;   /* named, but in no panel */
            continue;
        }
        const char *u = unit_of(s);
        int axis = 0;
        while (axis < 2 && units[p][axis] && strcmp(units[p][axis], u) != 0)
            axis++;
        if (axis == 2 || n[p] == AIM_PLOT_MAX_SERIES) {
            left_out++;
            continue;
        }
        units[p][axis] = u;
        ret[p][n[p]++] = i;
    }
    *ret_left_out = left_out;
}
