/* Attribution in a session (processing/attribution.h): which series give each device's share,
 * the latest value of every series (the writer updates it per frame), and the running sums.
 * The rules need the process tree's series (proctree) and the device's own. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/session_internal.h"

static int slot_of(const aim_session *s, const char *device, aim_metric_id metric) {
    int d = aim_catalog_find_device(&s->catalog, device);
    for (int i = 0; d >= 0 && i < s->catalog.n_series; i++) {
        const aim_catalog_series *cs = &s->catalog.series[i];
        if (cs->device == d && cs->metric == metric && cs->instance == -1)
            return i;
    }
    return -1;
}

/* Logical CPUs: the per-core series procfs declared, else the system's count. */
static double logical_cpus(const aim_session *s) {
    int n = 0;
    for (int i = 0; i < s->catalog.n_series; i++)
        n += s->catalog.series[i].metric == AIM_M_CPU_CORE_UTIL;
    long sys = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : sys > 0 ? (double)sys : 1.0;
}

int aim_session_attr_setup(aim_session *s) {
    int nd = s->catalog.n_devices, ns = s->catalog.n_series;
    s->attr = calloc((size_t)nd + 1, sizeof *s->attr);
    s->latest = calloc((size_t)ns + 1, sizeof *s->latest);
    s->latest_ok = calloc((size_t)ns + 1, 1);
    if (!s->attr || !s->latest || !s->latest_ok)
        return -1;
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
            a->num_slot = slot_of(s, "process", AIM_M_PROC_CPU_UTIL);
            a->den_slot = slot_of(s, "host", AIM_M_CPU_UTIL);
            a->den_scale = logical_cpus(s);
            break;
        case AIM_DEV_DRAM:
            a->rule = AIM_ATTR_DRAM;
            a->num_slot = slot_of(s, "process", AIM_M_PROC_RSS);
            a->den_slot = slot_of(s, "host", AIM_M_MEM_USED);
            break;
        case AIM_DEV_GPU:
            a->rule = AIM_ATTR_GPU;
            a->num_slot = slot_of(s, cd->name, AIM_M_GPU_PROC_SM_UTIL);
            a->den_slot = slot_of(s, cd->name, AIM_M_GPU_UTIL);
            break;
        default: break;
        }
        if (a->num_slot < 0 || a->den_slot < 0)
            a->rule = AIM_ATTR_NONE;
    }
    return 0;
}

void aim_session_attr_frame(aim_session *s, const aim_frame *f) {
    for (int i = 0; i < f->count; i++)
        if (f->valid[i]) {
            s->latest[f->base + i] = f->values[i];
            s->latest_ok[f->base + i] = 1;
        }
}

void aim_session_attr_account(aim_session *s, int d, double de_j) {
    aim_attr_device *a = &s->attr[d];
    if (a->rule == AIM_ATTR_NONE)
        return;
    double share = s->latest_ok[a->num_slot] && s->latest_ok[a->den_slot]
        ? aim_attr_share(a, s->latest[a->num_slot], s->latest[a->den_slot]) : NAN;
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

int aim_session_attr_store(aim_session *s) {
    for (int d = 0; d < s->catalog.n_devices; d++) {
        const aim_attr_device *a = &s->attr[d];
        if (a->rule == AIM_ATTR_NONE)
            continue;
        int r = aim_db_device_attribution(s->db, s->run.id, d, a->energy_j,
                                          aim_attr_method(a->rule));
        if (r < 0)
            return r;
    }
    return 0;
}

void aim_session_attr_free(aim_session *s) {
    free(s->attr);
    free(s->latest);
    free(s->latest_ok);
    s->attr = NULL;
    s->latest = NULL;
    s->latest_ok = NULL;
}

/* The metrics the per-phase bottleneck hints read (report/phases_report.c), followed per
 * phase as time-weighted means. */
void aim_session_phase_channels(aim_session *s) {
    static const aim_metric_id gpu_metrics[] = {
        AIM_M_GPU_UTIL,          AIM_M_GPU_MEM_UTIL,   AIM_M_GPU_SM_ACTIVE,
        AIM_M_GPU_TENSOR_ACTIVE, AIM_M_GPU_DRAM_ACTIVE, AIM_M_GPU_PCIE_TX,
        AIM_M_GPU_PCIE_RX,       AIM_M_GPU_NVLINK_TX,   AIM_M_GPU_NVLINK_RX,
    };
    int host = aim_catalog_find_device(&s->catalog, "host");
    int slot = slot_of(s, "host", AIM_M_CPU_UTIL);
    if (slot >= 0)
        aim_workload_add_channel(&s->workload, slot, host, aim_metric_by_id(AIM_M_CPU_UTIL)->key);
    for (int d = 0; d < s->catalog.n_devices; d++) {
        const aim_catalog_device *cd = &s->catalog.devices[d];
        if (cd->kind != AIM_DEV_GPU)
            continue;
        for (size_t k = 0; k < sizeof gpu_metrics / sizeof gpu_metrics[0]; k++)
            if ((slot = slot_of(s, cd->name, gpu_metrics[k])) >= 0 &&
                aim_workload_add_channel(&s->workload, slot, d,
                                         aim_metric_by_id(gpu_metrics[k])->key) < 0)
                return; /* more GPUs than channels: the first ones have their hints */
    }
}
