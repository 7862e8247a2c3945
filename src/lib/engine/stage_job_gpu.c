/* The job GPU stage: an agent's batch jobs' share of each GPU's energy, from the SM share
 * of each job's processes (gpu.job_sm_util, one series per job slot and one for the
 * processes in no job, the NVML source) over the GPU's utilisation
 * (processing/attribution.h, aim__attr_job_shares). Each interval the energy stage closes
 * is accounted to the slots whose job's window holds it (model/job_slots.h); the job's
 * figures are taken when its run is stored (engine/job_run.h). Nothing here allocates after
 * start or does I/O. */
#include <errno.h>
#include <stdlib.h>

#include "engine/session_internal.h"
#include "model/job_slots.h"
#include "processing/attribution.h"

/* A GPU's series: its utilisation and the first job slot's share (the others follow, the
 * processes in no job last). */
typedef struct aim_job_gpu {
    int util_slot, job0_slot;   /* -1: none */
} aim_job_gpu;

static int setup(aim_session *s) {
    if (!s->job_slots)
        return 0;
    int nd = s->catalog.n_devices;
    s->job_gpu = calloc((size_t)nd + 1, sizeof *s->job_gpu);
    if (!s->job_gpu)
        return aim__session_fail(s, -ENOMEM, "out of memory");
    for (int d = 0; d < nd; d++) {
        aim_job_gpu *g = &s->job_gpu[d];
        const aim_catalog_device *cd = &s->catalog.devices[d];
        g->util_slot = g->job0_slot = -1;
        if (cd->kind != AIM_DEV_GPU || d >= AIM_JOB_SLOT_DEVICES ||
            !s->run.devices[d].in_total || !s->run.devices[d].has_energy)
            continue;
        int util = aim__catalog_find_series(&s->catalog, cd->name, AIM_M_GPU_UTIL, -1);
        int job0 = aim__catalog_find_series(&s->catalog, cd->name, AIM_M_GPU_JOB_SM_UTIL, 0);
        int last = aim__catalog_find_series(&s->catalog, cd->name, AIM_M_GPU_JOB_SM_UTIL,
                                            AIM_JOB_SLOT_NOBODY);
        if (util >= 0 && job0 >= 0 && last == job0 + AIM_JOB_SLOT_NOBODY) {
            g->util_slot = util;
            g->job0_slot = job0;
        }
    }
    return 0;
}

static void interval(aim_session *s, aim_interval *iv) {
    if (!s->job_gpu)
        return;
    const aim_job_gpu *g = &s->job_gpu[iv->device];
    if (g->job0_slot < 0 || !s->latest_ok[g->util_slot])
        return;
    double sm[AIM_JOB_SLOT_SERIES], shares[AIM_JOB_SLOTS];
    int any_job = 0;
    for (int k = 0; k < AIM_JOB_SLOT_SERIES; k++) {
        if (!s->latest_ok[g->job0_slot + k])
            return; /* not read yet: this interval is nobody's */
        sm[k] = s->latest[g->job0_slot + k];
        any_job |= k < AIM_JOB_SLOTS && sm[k] > 0;
    }
    aim__attr_job_shares(sm, AIM_JOB_SLOTS, s->latest[g->util_slot], shares);
    aim__job_slots_account(s->job_slots, iv->device, iv->t1_ns, iv->e1_j - iv->e0_j, shares,
                           any_job, !any_job && sm[AIM_JOB_SLOT_NOBODY] > 0);
}

static void release(aim_session *s) {
    free(s->job_gpu);
    s->job_gpu = NULL;
}

const aim_stage aim_stage_job_gpu = {
    .name = "job GPU shares",
    .start = setup,
    .interval = interval,
    .release = release,
};
