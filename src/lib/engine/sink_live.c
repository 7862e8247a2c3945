/* The live sink: publishes the live snapshot (live.h) after every batch of frames the writer
 * takes — each series' latest value, each device's energy and the run's totals — for the
 * status line (aim_session_live) and, later, the Prometheus endpoint and the web UI. */
#include <errno.h>

#include "engine/session_internal.h"
#include "engine/sink.h"

static int start(aim_session *s) {
    int r = aim__live_new(s->catalog.n_series, s->catalog.n_devices, &s->live);
    return r < 0 ? aim__session_fail(s, r, "out of memory") : 0;
}

/* How long a counter is followed for its live power: NVML's energy counter moves every
 * ~100 ms, so over one 50 ms interval it reads 0 W or twice the draw; over a second it reads
 * the draw. */
#define LIVE_POWER_WINDOW_NS 1000000000LL

/* A device's power for the live total. Its own power reading when it has one (what `top`
 * and /metrics show per device); else its counter's mean over the last window (the first
 * window: since the first reading), never one interval's ΔE/Δt. 0 before anything. */
static double live_power(aim_session *s, aim_device_energy *e) {
    if (e->power_slot >= 0 && s->latest_ok[e->power_slot])
        return s->latest[e->power_slot];
    const aim_energy_meter *m = &e->meter;
    if (e->counter_slot < 0 || !m->have_last)
        return m->have_power ? m->last_power_w : 0.0;
    if (!e->live_have_ref) {
        e->live_ref_t = m->last_t;
        e->live_ref_j = m->energy_j;
        e->live_have_ref = 1;
        return m->have_power ? m->last_power_w : 0.0;
    }
    int64_t span = m->last_t - e->live_ref_t;
    if (span > 0 && (span >= LIVE_POWER_WINDOW_NS || !e->live_have_power)) {
        e->live_power_w = (m->energy_j - e->live_ref_j) / ((double)span * 1e-9);
        if (span >= LIVE_POWER_WINDOW_NS) { /* a full window: the next one starts here */
            e->live_ref_t = m->last_t;
            e->live_ref_j = m->energy_j;
            e->live_have_power = 1;
        }
    }
    return e->live_power_w;
}

static void publish(aim_session *s) {
    const aim_run_summary *run = &s->run;
    double power = 0, energy = 0;
    for (int d = 0; d < s->catalog.n_devices; d++) {
        if (!run->devices[d].in_total)
            continue;
        aim_device_energy *e = &s->energy[d];
        energy += e->meter.energy_j;
        power += live_power(s, e);
    }
    aim_live *l = s->live;
    aim__live_write_begin(l);
    aim__live_set_totals(l, run->duration_ns, run->samples, power, energy, run->carbon_g,
                        s->workload.ready ? aim__phases_current(s->workload.phases) : NULL);
    aim__live_set_intensity(l, aim__run_carbon_intensity_now(&s->carbon));
    for (int d = 0; d < s->catalog.n_devices; d++)
        aim__live_set_device(l, d, run->devices[d].has_energy ? s->energy[d].meter.energy_j : 0.0);
    for (int i = 0; i < s->catalog.n_series; i++)
        aim__live_set_series(l, i, s->latest[i], s->latest_ok[i]);
    aim__workload_live_records(&s->workload, l);
    aim__live_write_end(l);
}

static int finish(aim_session *s) {
    publish(s);
    return 0;
}

static void release(aim_session *s) {
    aim__live_free(s->live);
    s->live = NULL;
}

const aim_sink aim_sink_live = {
    .name = "live",
    .start = start,
    .publish = publish,
    .finish = finish,
    .release = release,
};
