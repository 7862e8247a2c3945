/* Idle split and embodied carbon of a run's devices (extras_figures.h). */
#include "processing/extras_figures.h"

#include <math.h>
#include <string.h>

#include "data/embodied.h"

static double run_seconds(const aim_run_summary *run) { return (double)run->duration_ns / 1e9; }

double aim__idle_power(const aim_run_extras *x, const char *name) {
    for (size_t i = 0; i < x->n_idle; i++)
        if (strncmp(x->idle[i].name, name, sizeof x->idle[i].name) == 0)
            return x->idle[i].power_w;
    return NAN;
}

aim_idle_split aim__idle_split_of(const aim_run_summary *run, const aim_device_summary *d) {
    aim_idle_split s = { NAN, NAN, NAN, NAN };
    double p = aim__idle_power(run->extras, d->name);
    if (!isfinite(p) || !d->has_energy)
        return s;
    s.idle_j = p * run_seconds(run);
    s.net_j = d->energy_j - s.idle_j;
    if (isfinite(d->carbon_g) && d->energy_j > 0) {
        s.idle_g = d->carbon_g * s.idle_j / d->energy_j;
        s.net_g = d->carbon_g - s.idle_g;
    }
    return s;
}

aim_embodied_figure aim__embodied_of(const aim_run_summary *run, const aim_device_summary *d) {
    aim_embodied_figure f = { NULL, 1, NAN };
    const char *kind = d->kind == AIM_DEV_CPU ? "cpu" : d->kind == AIM_DEV_DRAM ? "dram"
                       : d->kind == AIM_DEV_GPU ? "gpu" : NULL;
    const aim_embodied_info *row;
    if (!kind || aim_embodied_lookup(kind, d->model[0] ? d->model : NULL, &row) < 0)
        return f;
    if (strcmp(row->unit, "GB") == 0) {
        double gib = run->extras->mem_total_gib;
        if (!isfinite(gib))
            return f;
        f.units = gib * 1.073741824;
    }
    f.row = row;
    f.g = aim_embodied_amortise(row->kg_co2e * f.units, row->lifetime_years, run_seconds(run)) *
          1000.0;
    return f;
}
