/* The workload stage (workload.h): events from the API and the control socket applied
 * before each batch of frames, the followed metrics sampled per phase, and each accounted
 * interval's energy and carbon given to the phases it overlaps. */
#include <errno.h>
#include <math.h>

#include "engine/session_internal.h"

/* The metrics the per-phase bottleneck hints read (report/phases_report.c), followed per
 * phase as time-weighted means. */
static void add_channels(aim_session *s) {
    static const aim_metric_id gpu_metrics[] = {
        AIM_M_GPU_UTIL,          AIM_M_GPU_MEM_UTIL,   AIM_M_GPU_SM_ACTIVE,
        AIM_M_GPU_TENSOR_ACTIVE, AIM_M_GPU_DRAM_ACTIVE, AIM_M_GPU_PCIE_TX,
        AIM_M_GPU_PCIE_RX,       AIM_M_GPU_NVLINK_TX,   AIM_M_GPU_NVLINK_RX,
    };
    int host = aim__catalog_find_device(&s->catalog, "host");
    int slot = aim__catalog_find_series(&s->catalog, "host", AIM_M_CPU_UTIL, -1);
    if (slot >= 0)
        aim__workload_add_channel(&s->workload, slot, host, aim__metric_by_id(AIM_M_CPU_UTIL)->key);
    for (int d = 0; d < s->catalog.n_devices; d++) {
        const aim_catalog_device *cd = &s->catalog.devices[d];
        if (cd->kind != AIM_DEV_GPU)
            continue;
        for (size_t k = 0; k < sizeof gpu_metrics / sizeof gpu_metrics[0]; k++)
            if ((slot = aim__catalog_find_series(&s->catalog, cd->name, gpu_metrics[k], -1)) >= 0 &&
                aim__workload_add_channel(&s->workload, slot, d,
                                         aim__metric_by_id(gpu_metrics[k])->key) < 0)
                return; /* more GPUs than channels: the first ones have their hints */
    }
}

static int start(aim_session *s) {
    aim_jobs *jobs = NULL;
    if (s->cfg.agent) {
        const char *names[AIM_JOB_DEVICES];
        int n = s->catalog.n_devices < AIM_JOB_DEVICES ? s->catalog.n_devices : AIM_JOB_DEVICES;
        for (int d = 0; d < n; d++)
            names[d] = s->catalog.devices[d].name;
        if (aim__jobs_new(n, names, &jobs) < 0)
            return aim__session_fail(s, -ENOMEM, "out of memory");
        aim__jobs_attach_slots(jobs, s->job_slots);
    }
    int r = aim__workload_init(&s->workload, s->cfg.control_path, s->run_info, jobs);
    if (r < 0)
        return aim__session_fail(s, r, r == -EEXIST ? "control socket %s: the path is in use"
                                                   : "control socket %s: %s",
                                s->cfg.control_path, aim_strerror(r));
    add_channels(s);
    return 0;
}

static void batch(aim_session *s) { aim__workload_apply(&s->workload); }

static void frame(aim_session *s, aim_tick *t) { aim__workload_frame(&s->workload, t->frame); }

static void interval(aim_session *s, aim_interval *iv) {
    if (iv->edge_j != 0)
        aim__workload_account(&s->workload, iv->device, iv->edge_t0_ns, iv->edge_t1_ns, iv->edge_j,
                             NAN, iv->g_edge - iv->g0);
    aim__workload_account(&s->workload, iv->device, iv->t0_ns, iv->t1_ns,
                         iv->e1_j - iv->e0_j - iv->edge_j, iv->power_w, iv->g1 - iv->g_edge);
}

/* What comes after the end is not the run's. */
static void stopping(aim_session *s) { aim__workload_close_socket(&s->workload); }

static void end(aim_session *s, int64_t t_ns) { aim__workload_finish(&s->workload, t_ns); }

static int store(aim_session *s) {
    return aim__workload_store(&s->workload, s->db, s->run.id, s->start_mono_ns);
}

static void release(aim_session *s) { aim__workload_free(&s->workload); }

const aim_stage aim_stage_workload = {
    .name = "workload",
    .start = start,
    .batch = batch,
    .frame = frame,
    .interval = interval,
    .stopping = stopping,
    .end = end,
    .store = store,
    .release = release,
};
