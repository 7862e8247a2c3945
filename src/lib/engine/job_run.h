/* The run an agent stores for each batch job that ended on its node (docs/agent.md, "Job
 * runs"; /work contract "Agent job runs"): the node's energy over the job's window (the
 * agent's counters at its end minus those at its start), the job's share of it from its
 * cgroup (CPU time, memory) and the GPUs it was given (the run's total), the job's tags
 * and its phases. The
 * control thread fills an aim_job_ended when the job ends (jobs.c); the writer thread stores
 * it at a commit (sink_job_runs.c), so the sampler never waits for it. */
#ifndef AIM_ENGINE_JOB_RUN_H
#define AIM_ENGINE_JOB_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "model/job_info.h"
#include "model/job_slots.h"
#include "model/run_tags.h"
#include "processing/summary.h"

#define AIM_JOB_RUN_DEVICES 64

/* One reading of a job's cgroup and of the node (cgroup v2 files under
 * $AIMETER_SYSFS_ROOT/fs/cgroup, /proc/stat and /proc/meminfo under $AIMETER_PROCFS_ROOT). */
typedef struct aim_job_usage {
    int cpu_ok;            /* both CPU figures were read */
    double cg_cpu_us;      /* the cgroup's cpu.stat usage_usec */
    double node_busy_us;   /* the node's busy CPU time (/proc/stat, all CPUs) */
    int mem_n;             /* readings of the memory share so far */
    double mem_share_sum;  /* Σ memory.current / (MemTotal - MemAvailable) */
} aim_job_usage;

/* Reads the cgroup (relative path "/a/b") and the node into u: the CPU figures replace u's,
 * a memory share is added to its sum. Fields that cannot be read are left as they were. */
void aim__job_usage_read(const char *cgroup, aim_job_usage *u);

typedef struct aim_job_ended {
    char id[65];
    aim_job_info info;
    int64_t start_wall_ns, end_wall_ns;   /* Unix epoch */
    int64_t start_mono_ns, end_mono_ns;   /* the agent's clock (its phases' times) */
    double energy_j, carbon_g;            /* the node's, over the window */
    int n_dev;
    double dev_j[AIM_JOB_RUN_DEVICES];    /* per device of the agent's run */
    aim_job_usage first, last;            /* the cgroup at the job's start and latest */
    int cut;                              /* the agent stopped while the job ran */
    /* Its processes' GPU use (model/job_slots.h): the job slot it had (-1: none), the
     * claim's owner, why it had none (-ENOSPC every slot taken, -EEXIST another job had the
     * same cgroup, 0) and the figures aim__job_run_take_gpu takes from the slot. */
    int gpu_slot;
    unsigned gpu_owner;
    int gpu_slot_err;
    aim_job_gpu_figures gpu;
} aim_job_ended;

/* Writer, once every frame of e's window is in (two seconds after its end, or at the
 * agent's stop): e's GPU figures from its slot (e->gpu), and the slot freed for another job.
 * Nothing when e had no slot. */
void aim__job_run_take_gpu(aim_job_ended *e, aim_job_slots *slots);

/* the plugin's --aimeter=tag: ones (AIM_JOB_INFO_TAGS) and the agent's nine (job, node,
 * node_rank, ranks, user, measured_by, agent_run, attribution, cgroup) */
#define AIM_JOB_RUN_TAGS (AIM_JOB_INFO_TAGS + 9)

/* The job run of e from the agent's run summary (its devices, carbon settings, id): into
 * out (devices allocated: aim__run_summary_clear), its tags (at most AIM_JOB_RUN_TAGS) into
 * tags/n_tags, and per device the energy attributed to the job (attributed[d], NaN: no
 * figure) and how (methods[d], static text or NULL). The run id is made from the agent's
 * run id, the job id and its start, so the same window is always the same run. The run's
 * total, carbon, facility energy and cost are the job's: the sum over the counted devices
 * of attributed[d] where known, else the device's whole energy (its tag `attribution` says
 * which: "cgroup", "gpus", "gpu-processes", "node", comma-separated); its devices keep the
 * node's energy. A GPU is the job's whole when it was allotted to the job and no other
 * job's processes used it in the window; else, when its processes' share was known, that
 * share (shared GPUs, jobs without an allotment); else by the allotment (whole or none).
 * -ENOMEM. */
int aim__job_run_build(const aim_job_ended *e, const aim_run_summary *agent,
                       aim_run_summary *out, aim_run_tag *tags, size_t *n_tags,
                       double *attributed, const char **methods);

#endif
