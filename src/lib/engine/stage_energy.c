/* The energy stage: per device, how its energy is known (planned at the start: a measured
 * counter, else integrated measured power, else integrated estimated power), and at every
 * frame the interval it closes, handed down the later stages (stage.h). Power derived from
 * a counter is added to the frame and to the series' latest values here, so the
 * statistics, the store and the live snapshot see it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "engine/session_internal.h"
#include "sources/estimate.h"
#include "util/fileio.h"

static const char *series_source_name(const aim_session *s, int slot) {
    int src = s->catalog.series[slot].source;
    return src >= 0 ? aim_sources[src]->name : "aimeter";
}

static int plan(aim_session *s) {
    aim_run_summary *run = &s->run;
    for (int d = 0; d < s->catalog.n_devices; d++) {
        aim_device_energy *e = &s->energy[d];
        aim_device_summary *dev = &run->devices[d];
        e->counter_slot = e->power_slot = e->derived_power_slot = -1;
        e->meter.start_t = s->start_mono_ns; /* energy from the run's start (processing/energy.h) */
        int est_power = -1;
        for (int i = 0; i < s->catalog.n_series; i++) {
            const aim_catalog_series *cs = &s->catalog.series[i];
            if (cs->device != d || cs->instance != -1)
                continue;
            if (cs->metric == AIM_M_ENERGY && cs->method == AIM_METHOD_MEASURED)
                e->counter_slot = i;
            else if (cs->metric == AIM_M_POWER && cs->method == AIM_METHOD_MEASURED)
                e->power_slot = i;
            else if (cs->metric == AIM_M_POWER && cs->method == AIM_METHOD_DERIVED)
                e->derived_power_slot = i;
            else if (cs->metric == AIM_M_POWER && cs->method == AIM_METHOD_ESTIMATED)
                est_power = i;
        }
        if (e->counter_slot >= 0) {
            dev->has_energy = 1;
            dev->energy_method = AIM_METHOD_MEASURED;
            snprintf(dev->energy_detail, sizeof dev->energy_detail, "%s energy counter",
                     series_source_name(s, e->counter_slot));
        } else if (e->power_slot >= 0) {
            dev->has_energy = 1;
            dev->energy_method = AIM_METHOD_DERIVED;
            snprintf(dev->energy_detail, sizeof dev->energy_detail,
                     "trapezoid integration of %s power", series_source_name(s, e->power_slot));
        } else if (est_power >= 0) {
            e->power_slot = est_power;
            dev->has_energy = 1;
            dev->energy_method = AIM_METHOD_ESTIMATED;
            int packages = 0, cpus = 0;
            if (dev->kind == AIM_DEV_CPU) /* the counts its model multiplies by */
                aim__estimate_cpu_counts(aim__procfs_root(), &packages, &cpus);
            if (aim__estimate_model_text(dev->energy_detail, sizeof dev->energy_detail, dev->kind,
                                        dev->model, packages, cpus) == -EINVAL)
                snprintf(dev->energy_detail, sizeof dev->energy_detail, "%s model",
                         series_source_name(s, est_power));
        }
        /* Power that is integrated into energy is stored at 1 µW rather than the metric's
         * 0.01 W: the writer integrates the value as stored, so a replay of the chunks gives
         * the run's energy exactly, and 1 µW is below every source's own step (NVML counts
         * mW, hwmon µW), so the integral is in effect unrounded (docs/decisions.md). The
         * Mode keeps the metric's resolution (aim__stats_init in build_summary). The rate
         * groups' encoders are made after the stages' start, with this resolution. */
        if (e->counter_slot < 0 && e->power_slot >= 0)
            run->series[e->power_slot].resolution = AIM_INTEGRATED_POWER_RESOLUTION;
        /* Platform (psys) and board sensors overlap the CPU and DRAM: shown, not summed. */
        dev->in_total = dev->has_energy &&
                        (dev->kind == AIM_DEV_CPU || dev->kind == AIM_DEV_DRAM || dev->kind == AIM_DEV_GPU);
    }
    return 0;
}

/* The device's instantaneous power reading for a phase's peak (processing/phases.h), NaN when
 * it has none: the sample integrated, or the measured power beside a counter (its latest
 * value when it is sampled in another group), never the ΔE/Δt of a counter's interval. */
static double power_reading(const aim_session *s, const aim_device_energy *e, const aim_frame *f) {
    double v;
    if (e->power_slot < 0)
        return NAN;
    if (aim__frame_get(f, e->power_slot, &v))
        return v;
    if (s->latest && s->latest_ok && s->latest_ok[e->power_slot])
        return s->latest[e->power_slot];
    return NAN;
}

static void frame(aim_session *s, aim_tick *t) {
    aim_frame *f = t->frame;
    for (int d = 0; d < s->catalog.n_devices; d++) {
        aim_device_energy *e = &s->energy[d];
        double v, p;
        /* The interval this frame closes, for its carbon: from the device's previous reading
         * (none for the first: from the run's start, the edge processing/energy.h extrapolates). */
        int64_t t0 = e->meter.have_last ? e->meter.last_t : e->meter.start_t;
        double e0 = e->meter.energy_j;
        if (e->counter_slot >= 0 && aim__frame_get(f, e->counter_slot, &v)) {
            if (aim__energy_meter_counter(&e->meter, f->t_ns, v, &p) && e->derived_power_slot >= 0) {
                aim__frame_set(f, e->derived_power_slot, p);
                s->latest[e->derived_power_slot] = p; /* the writer noted the frame before */
                s->latest_ok[e->derived_power_slot] = 1;
            }
        } else if (e->counter_slot < 0 && e->power_slot >= 0 && aim__frame_get(f, e->power_slot, &v)) {
            /* As stored: a replay of the chunks then integrates exactly the same values. */
            aim__energy_meter_power(&e->meter, f->t_ns,
                                   aim__codec_quantise(v, s->run.series[e->power_slot].resolution));
        } else {
            continue;
        }
        if (t0 > f->t_ns)
            t0 = f->t_ns;
        aim_interval iv = {
            .device = d, .t0_ns = t0, .t1_ns = f->t_ns,
            .e0_j = e0, .e1_j = e->meter.energy_j,
            .edge_t0_ns = e->meter.start_t, .edge_t1_ns = e->meter.first_t,
            .power_w = power_reading(s, e, f),
        };
        /* A counter's edge is refined over its first second: the phases get each refinement
         * over [start, first reading], where it belongs. */
        double edge = e->meter.edge_delta_j;
        if (edge != 0 && e->meter.first_t > e->meter.start_t && t0 != e->meter.start_t)
            iv.edge_j = edge;
        aim__stages_interval(s, &iv);
    }
}

const aim_stage aim_stage_energy = {
    .name = "energy",
    .start = plan,
    .frame = frame,
};
