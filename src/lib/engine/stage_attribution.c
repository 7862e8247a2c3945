/* The attribution stage (processing/attribution.h): which series give each device's share
 * of its energy, and the running sums, fed every interval the energy stage closes. The
 * rules need the process tree's series (proctree) and the device's own, read from the
 * writer's latest values (session_internal.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/session_internal.h"

/* Logical CPUs: the per-core series procfs declared, else the system's count. */
static double logical_cpus(const aim_session *s) {
    int n = 0;
    for (int i = 0; i < s->catalog.n_series; i++)
        n += s->catalog.series[i].metric == AIM_M_CPU_CORE_UTIL;
    long sys = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : sys > 0 ? (double)sys : 1.0;
}

static int setup(aim_session *s) {
    int nd = s->catalog.n_devices;
    s->attr = calloc((size_t)nd + 1, sizeof *s->attr);
    if (!s->attr)
        return aim__session_fail(s, -ENOMEM, "out of memory");
    for (int d = 0; d < nd; d++) {
        aim_attr_device *a = &s->attr[d];
        const aim_catalog_device *cd = &s->catalog.devices[d];
        a->num_slot = a->den_slot = -1;
        a->den_scale = 1;
        if (!s->run.devices[d].in_total || !s->run.devices[d].has_energy)
            continue;
        switch (cd->kind) {
        case AIM_DEV_CPU:
            a->rule = AIM_ATTR_CPU;
            a->num_slot = aim__catalog_find_series(&s->catalog, "process", AIM_M_PROC_CPU_UTIL, -1);
            a->den_slot = aim__catalog_find_series(&s->catalog, "host", AIM_M_CPU_UTIL, -1);
            a->den_scale = logical_cpus(s);
            break;
        case AIM_DEV_DRAM:
            a->rule = AIM_ATTR_DRAM;
            a->num_slot = aim__catalog_find_series(&s->catalog, "process", AIM_M_PROC_RSS, -1);
            a->den_slot = aim__catalog_find_series(&s->catalog, "host", AIM_M_MEM_USED, -1);
            break;
        case AIM_DEV_GPU:
            a->rule = AIM_ATTR_GPU;
            a->num_slot = aim__catalog_find_series(&s->catalog, cd->name, AIM_M_GPU_PROC_SM_UTIL, -1);
            a->den_slot = aim__catalog_find_series(&s->catalog, cd->name, AIM_M_GPU_UTIL, -1);
            break;
        default: break;
        }
        if (a->num_slot < 0 || a->den_slot < 0)
            a->rule = AIM_ATTR_NONE;
    }
    return 0;
}

static void interval(aim_session *s, aim_interval *iv) {
    aim_attr_device *a = &s->attr[iv->device];
    if (a->rule == AIM_ATTR_NONE)
        return;
    double de_j = iv->e1_j - iv->e0_j;
    double share = s->latest_ok[a->num_slot] && s->latest_ok[a->den_slot]
        ? aim__attr_share(a, s->latest[a->num_slot], s->latest[a->den_slot]) : NAN;
    if (share != share) {
        /* Until the tree's first sample: the energy extrapolated back to the run's start
         * takes the first share known, as the energy itself takes the first reading. Once a
         * share has been known, an interval without one is left out as before. */
        if (a->device_j == 0)
            a->pending_j += de_j;
        return;
    }
    a->energy_j += share * (de_j + a->pending_j);
    a->device_j += de_j + a->pending_j;
    a->pending_j = 0;
}

static int store(aim_session *s) {
    for (int d = 0; d < s->catalog.n_devices; d++) {
        const aim_attr_device *a = &s->attr[d];
        if (a->rule == AIM_ATTR_NONE)
            continue;
        int r = aim__db_device_attribution(s->db, s->run.id, d, a->energy_j,
                                          aim__attr_method(a->rule));
        if (r < 0)
            return r;
    }
    return 0;
}

static void release(aim_session *s) {
    free(s->attr);
    s->attr = NULL;
}

const aim_stage aim_stage_attribution = {
    .name = "attribution",
    .start = setup,
    .interval = interval,
    .store = store,
    .release = release,
};
