/* The agent's job slots: the cgroup of each batch job running on the node, so that the
 * NVML source can sum the SM share of each job's processes (gpu.job_sm_util, one series per
 * slot and GPU, and one for the processes in no job, on the sampler thread), and the job
 * GPU stage (writer thread) each job's share of each GPU's energy over the job's window,
 * read when the job's run is stored (engine/jobs.h, engine/job_run.h). docs/methodology.md,
 * "Attribution".
 *
 * Three threads, no lock, nobody waits. The control thread alone claims slots and writes
 * their cgroups and windows (a sequence counter per cgroup: a sampler that sees it odd or
 * changed keeps its older copy for one more poll). The writer thread alone adds energy, into
 * fields only it reads: it restarts a slot's sums when it sees the slot's owner change (a new
 * claim), and counts an interval for a slot only when the interval's end lies in the slot's
 * window, so frames still on their way from an earlier job never count for the next. A slot
 * is claimable again only when the writer has taken its job's figures (or the job's run was
 * dropped). Fixed size: no allocation. */
#ifndef AIM_MODEL_JOB_SLOTS_H
#define AIM_MODEL_JOB_SLOTS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define AIM_JOB_SLOTS 16          /* jobs at once whose GPU use is split by their processes */
#define AIM_JOB_SLOT_NOBODY AIM_JOB_SLOTS /* the gpu.job_sm_util instance of processes in no
                                           * job's cgroup */
#define AIM_JOB_SLOT_SERIES (AIM_JOB_SLOTS + 1) /* gpu.job_sm_util series per GPU */
#define AIM_JOB_SLOT_DEVICES 64   /* devices of the agent's run (AIM_JOB_RUN_DEVICES) */
#define AIM_JOB_SLOT_CGROUP 256   /* a cgroup path, NUL included (aim_job_info.cgroup) */

enum { AIM_JOB_SLOT_FREE = 0, AIM_JOB_SLOT_RUNNING, AIM_JOB_SLOT_ENDED };

typedef struct aim_job_slot {
    /* Written by the control thread. */
    atomic_uint seq;                          /* odd while the cgroup is written */
    _Atomic char cgroup[AIM_JOB_SLOT_CGROUP]; /* "/a/b", "" while no job's processes count */
    atomic_int state;                         /* AIM_JOB_SLOT_* */
    atomic_uint owner;                        /* changes at each claim */
    _Atomic int64_t start_ns, end_ns;         /* the job's window (monotonic; end INT64_MAX
                                               * while it runs) */
    atomic_int shared;                        /* another job had the same or a nested
                                               * cgroup: its processes cannot be told apart */
    char claimed[AIM_JOB_SLOT_CGROUP];        /* the control thread's own: the job's cgroup,
                                               * kept when a shared slot's is cleared */
    /* The writer thread's alone. */
    unsigned acc_owner;                       /* the owner the sums below are of */
    int acc_valid;
    double joules[AIM_JOB_SLOT_DEVICES];      /* the job's share of each device's energy */
    double other_j[AIM_JOB_SLOT_DEVICES];     /* the other jobs' shares meanwhile */
    double device_j[AIM_JOB_SLOT_DEVICES];    /* the device's energy over those intervals */
    uint32_t seen[AIM_JOB_SLOT_DEVICES];      /* intervals with the shares known */
    uint32_t matched[AIM_JOB_SLOT_DEVICES];   /* ... where some job's processes ran */
    uint32_t unexplained[AIM_JOB_SLOT_DEVICES]; /* ... where only processes in no job ran */
} aim_job_slot;

typedef struct aim_job_slots {
    atomic_uint gen;                          /* changes after any slot's cgroup changed */
    aim_job_slot slot[AIM_JOB_SLOTS];
} aim_job_slots;

/* One job's figures over its window, per device of the agent's run. */
typedef struct aim_job_gpu_figures {
    int known[AIM_JOB_SLOT_DEVICES];          /* the job's processes' share can be told */
    double joules[AIM_JOB_SLOT_DEVICES], other_j[AIM_JOB_SLOT_DEVICES];
    double device_j[AIM_JOB_SLOT_DEVICES];    /* the device's energy over the same intervals:
                                               * joules / device_j is the job's fraction */
} aim_job_gpu_figures;

/* Zeroes t: every slot free. */
void aim__job_slots_init(aim_job_slots *t);

/* Control thread. A slot for a job whose processes are under cgroup ("/a/b"), from now_ns
 * on: its index (the claim's owner in *owner), -ENOSPC when every slot is taken, -EEXIST
 * when a running job's cgroup is the same or one holds the other (a node whose jobs have no
 * cgroups of their own: each job's processes would count for the other): that job's slot
 * is then marked shared too, and neither job's GPUs are split by processes. */
int aim__job_slots_claim(aim_job_slots *t, const char *cgroup, int64_t now_ns,
                         unsigned *owner);
/* Slot k's job moved to another cgroup. */
void aim__job_slots_set_cgroup(aim_job_slots *t, int k, const char *cgroup);
/* Slot k's job ended at now_ns: its processes no longer count; the slot stays taken until
 * release. */
void aim__job_slots_end(aim_job_slots *t, int k, int64_t now_ns);
/* The ended job's figures are taken (writer) or its run dropped (control): slot k is free. */
void aim__job_slots_release(aim_job_slots *t, int k);

/* Sampler. The generation: when it differs from the one a copy was made at, the copy is
 * stale. */
unsigned aim__job_slots_gen(const aim_job_slots *t);
/* Slot k's cgroup into out (size bytes): 0, or -EAGAIN when the control thread was writing
 * it (try at the next poll). */
int aim__job_slots_read_cgroup(const aim_job_slots *t, int k, char *out, size_t size);

/* Writer. One interval of device d ending at t1_ns, of de_j joules: shares[k] (k <
 * AIM_JOB_SLOTS) each slot's share of it (together at most 1), any_job whether some job's
 * processes ran, unexplained whether processes in no job ran while none of a job did. Each
 * slot whose window holds t1_ns adds its share and the others'. */
void aim__job_slots_account(aim_job_slots *t, int d, int64_t t1_ns, double de_j,
                            const double *shares, int any_job, int unexplained);
/* Writer. Slot k's figures for the claim owner, for n devices: 0; -EEXIST when the slot was
 * marked shared, -ESTALE when the writer accounted no interval since the claim (nothing is
 * known, out zeroed). A device is known when some job's processes ran on it in the window, or when
 * no process ran there whose job could not be told. */
int aim__job_slots_figures(const aim_job_slots *t, int k, unsigned owner, int n,
                           aim_job_gpu_figures *out);

/* Whether the cgroup path of a process lies in a job's cgroup (the same, or below it). */
int aim__cgroup_within(const char *path, const char *job_cgroup);

#endif
