/* A phase's figures (phase_figures.h). */
#include "processing/phase_figures.h"

#include <math.h>
#include <string.h>

#include "processing/phases.h"

static aim_phase_component component_of(const aim_device_summary *d) {
    switch (d->kind) {
    case AIM_DEV_CPU: return AIM_PHASE_CPU;
    case AIM_DEV_DRAM: return AIM_PHASE_DRAM;
    case AIM_DEV_GPU: return AIM_PHASE_GPU;
    default: return AIM_PHASE_OTHER;
    }
}

double aim__phase_power_limit_w(const aim_run_summary *run, int d) {
    for (int i = 0; i < run->n_series; i++) {
        const aim_series_summary *s = &run->series[i];
        if (s->device == d && s->instance == -1 && s->count > 0 && s->max > 0 &&
            strncmp(s->metric_key, "gpu.power_limit", sizeof s->metric_key) == 0)
            return s->max;
    }
    return NAN;
}

double aim__phase_peak_w(const aim_phase_summary *p, int d) {
    return aim__phase_device_peak_w(p->peak_w[d], p->energy_j[d], p->total_ns);
}

int aim__phase_above_limit(double peak_w, double limit_w) { return peak_w > limit_w * 1.0001; }

aim_phase_figures aim__phase_figures_of(const aim_run_summary *run, const aim_phase_summary *p) {
    aim_phase_figures f;
    memset(&f, 0, sizeof f);
    for (int d = 0; d < run->n_devices; d++) {
        if (!run->devices[d].in_total)
            continue;
        f.energy_j += p->energy_j[d];
        f.comp_j[component_of(&run->devices[d])] += p->energy_j[d];
        f.peak_w += aim__phase_peak_w(p, d);
    }
    f.mean_w = p->total_ns > 0 ? f.energy_j / ((double)p->total_ns / 1e9) : NAN;
    f.share = run->duration_ns > 0 ? 100.0 * (double)p->total_ns / (double)run->duration_ns
                                   : NAN;
    return f;
}

void aim__phase_used_components(const aim_run_summary *run, int used[AIM_PHASE_COMPONENTS]) {
    memset(used, 0, sizeof(int) * AIM_PHASE_COMPONENTS);
    const aim_workload_summary *w = run->workload;
    for (size_t i = 0; i < w->n_phases; i++) {
        aim_phase_figures f = aim__phase_figures_of(run, &w->phases[i]);
        for (int c = 0; c < AIM_PHASE_COMPONENTS; c++)
            used[c] |= f.comp_j[c] > 0;
    }
}
