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

static void publish(aim_session *s) {
    const aim_run_summary *run = &s->run;
    double power = 0, energy = 0;
    for (int d = 0; d < s->catalog.n_devices; d++) {
        if (!run->devices[d].in_total)
            continue;
        const aim_energy_meter *m = &s->energy[d].meter;
        energy += m->energy_j;
        if (m->have_power)
            power += m->last_power_w;
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
