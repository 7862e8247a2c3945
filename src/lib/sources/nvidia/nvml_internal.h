/* The NVML metrics source's shared internals: nvml.c reads and polls the GPUs,
 * nvml_proc.c measures the monitored process tree's share of them, nvml_probe.c tells
 * `aimeter devices` what each GPU offers. Not a module boundary anyone else uses. */
#ifndef AIM_NVML_INTERNAL_H
#define AIM_NVML_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/job_slots.h"
#include "model/metric_select.h"
#include "sources/source.h"
#include "sources/nvidia/nvml_abi.h"
#include "sources/nvidia/nvml_lib.h"

#define NV_LOST_AFTER 10 /* polls in a row with every call failing */
#define NV_MAX_PROCS 128 /* process samples / running processes read per GPU and poll */
#define NV_TREE_DEPTH 64 /* parent links followed from a GPU process towards the target */
#define NV_TREE_SETS 64  /* remembered pids: sets by pid, NV_TREE_WAYS pids per set, the */
#define NV_TREE_WAYS 4   /* longest unchecked one replaced (GPU processes are few) */
#define NV_TREE_CACHE (NV_TREE_SETS * NV_TREE_WAYS)

/* A pid's tree membership, valid while its start time is the same (the pid was not
 * recycled), rechecked at most once per NV_PID_RECHECK_NS: without it, every GPU and both
 * per-process series walked the parent links of every GPU process at every tick, ~280 µs
 * a tick for 8 GPUs on a shared node. */
typedef struct nv_tree_entry {
    int pid;
    uint64_t start;
    uint64_t poll;
    int64_t checked_ns;       /* poll time its start time was last read (NV_PID_RECHECK_NS) */
    int verdict;              /* in the monitored tree */
    /* The agent's job slot of the pid's cgroup (-1: none), for the slots' generation
     * job_gen; job_known 0: not read yet for this pid. */
    int job_known, job;
    unsigned job_gen;
} nv_tree_entry;
/* How long a pid's entry stands before its start time is read again: a pid recycled within
 * it is taken for the old process until then. Reading /proc/<pid>/stat at every poll cost
 * ~1 µs per GPU process and tick (91 µs a tick for 24 processes, bench_gpu). */
#define NV_PID_RECHECK_NS 1000000000LL
/* How long the last per-process SM share stands when the driver has no newer sample: its
 * sample period is 1/6 s to 1 s, so a poll often comes between two. After that, no sample
 * means no process of the tree ran on the GPU: 0. */
#define NV_PROC_HOLD_NS 1000000000LL

/* The series of one GPU, in declaration order. */
enum nv_series {
    S_POWER, S_POWER_AVG, S_ENERGY, S_TEMP, S_MEM_TEMP, S_UTIL, S_MEM_UTIL, S_CLK_GR, S_CLK_SM,
    S_CLK_MEM, S_MEM_USED, S_MEM_TOTAL, S_MEM_USAGE, S_PCIE_GEN, S_PCIE_WIDTH, S_PCIE_TX,
    S_PCIE_RX, S_NVL_TX, S_NVL_RX, S_PLIMIT, S_PSTATE, S_THROTTLE, S_FAN, S__COUNT
};

/* The metric of each series. */
extern const aim_metric_id aim_nv_series_metric[S__COUNT];

#define NV_N_FIELDS 6 /* fields read in the batch (nvml.c) */

/* One reading of every series: gauges in v (already in the metric's unit), counters raw in
 * c (mJ, bytes, KiB), ok[s] when the call or field succeeded. */
typedef struct nv_reading {
    double v[S__COUNT];
    unsigned long long c[S__COUNT];
    uint8_t ok[S__COUNT];
    aim_nvml_return err[S__COUNT]; /* each series' call result, for `aimeter devices` */
    uint8_t tried[S__COUNT];       /* 0: the library has no call for it, or not asked */
    int any_ok;
    int lost;
    aim_nvml_return last_err; /* the last failure's code, for the lost-GPU message */
} nv_reading;

typedef struct nv_gpu {
    aim_nvml_device h;
    unsigned int index;
    int slot[S__COUNT];        /* -1: not declared */
    uint8_t need[S__COUNT];    /* what read_gpu asks the driver for: all while probing,
                                * then only the declared series (--metrics, unsupported) */
    int mem_mode;              /* 2: MemoryInfo_v2, 1: v1, 0: none; -1 while probing */
    int avg_as_power;          /* PowerUsage also written as power (see the top) */
    int n_fields;
    unsigned int field_id[NV_N_FIELDS], field_scope[NV_N_FIELDS];
    enum nv_series field_series[NV_N_FIELDS];
    aim_nvml_field_value fv[NV_N_FIELDS];
    unsigned long long energy_last;
    double energy_mj;          /* since open */
    unsigned long long ctr_last[S__COUNT]; /* rate series: previous counter and its time */
    int64_t ctr_t[S__COUNT];
    uint8_t ctr_have[S__COUNT];
    int fail_streak;
    int lost;
    int slot_proc_sm, slot_proc_mem;     /* -1: not declared */
    int procs_ver;                       /* 3, 2, 1: which ComputeRunningProcesses */
    unsigned long long proc_last_seen_us; /* newest process sample seen */
    double proc_sm_last;
    int64_t proc_sm_t;                   /* frame time of proc_sm_last; 0: none yet */
    int dev;                             /* its device in the catalogue */
    int proc_util_ok;                    /* ProcessUtilization answered at open */
    int slot_job_sm;                     /* gpu.job_sm_util of slot 0, the other slots and
                                          * the processes in no job follow; -1: none */
    double job_sm_last[AIM_JOB_SLOT_SERIES]; /* as proc_sm_last, per series */
    char mig_uuid[AIM_NVML_NAME_BUFFER]; /* the MIG instance that selected it, or "" */
} nv_gpu;

typedef struct nv_state {
    aim_nvml_lib nl;
    int64_t t_open_ns; /* CLOCK_MONOTONIC at open: lost times are said relative to it */
    /* A GPU given up, from the sampler thread (poll) to the writer thread (take_event):
     * poll fills lost_t_ns/lost_err, then stores 1 with release; take_event reads them after
     * an acquire load and stores 2 (said). Indexed like g[]; no lock, no allocation. */
    atomic_int lost_state[AIM_NVML_MAX_GPUS];
    _Atomic int64_t lost_t_ns[AIM_NVML_MAX_GPUS];
    atomic_int lost_err[AIM_NVML_MAX_GPUS];
    int n;
    nv_gpu g[AIM_NVML_MAX_GPUS];
    pid_t target;     /* root of the monitored tree, 0: none */
    int proc_dirfd;   /* procfs root, for the tree walk and cgroups; -1: none */
    /* The agent's job slots (model/job_slots.h), NULL outside an agent, and the poll's copy
     * of their cgroups, made at generation job_gen ("" : no job in the slot). */
    const aim_job_slots *slots;
    unsigned job_gen;
    int job_gen_ok;   /* job_cg holds generation job_gen */
    char job_cg[AIM_JOB_SLOTS][AIM_JOB_SLOT_CGROUP];
    double job_sum[AIM_JOB_SLOT_SERIES]; /* poll's scratch */
    uint64_t poll_no; /* polls so far */
    int64_t poll_t_ns; /* the poll's frame time */
    nv_tree_entry tree_cache[NV_TREE_CACHE];
    aim_nvml_process_sample psamp[NV_MAX_PROCS];           /* poll's scratch */
    unsigned char pinfo[NV_MAX_PROCS * AIM_NVML_PROCINFO_MAX_SIZE];
} nv_state;

/* nvml.c */
/* One reading of everything the GPU offers (what g->need asks for). */
void aim__nv_read_gpu(const nv_state *st, nv_gpu *g, nv_reading *rd);
/* Reads a selected GPU once and keeps the fields it answered; 0 when it has anything. */
int aim__nv_probe_gpu(const nv_state *st, nv_gpu *g, nv_reading *rd);
/* The selected GPUs into st->g[]; how many, or -ENODEV. */
int aim__nv_select_gpus(nv_state *st, const char *gpus, aim_source_ctx *ctx);
/* 1 when the GPU runs in MIG mode. */
int aim__nv_mig_enabled(const nv_state *st, const nv_gpu *g);

/* nvml_proc.c */
typedef aim_nvml_return (*aim_nv_procs_call)(aim_nvml_device, unsigned int *, void *);
/* ComputeRunningProcesses version ver (3, 2, 1), or NULL when the driver lacks it. */
aim_nv_procs_call aim__nv_procs_fn(const nv_state *st, int ver);
/* Declares gpu.proc_sm_util / gpu.proc_mem (a monitored tree) and gpu.job_sm_util (the
 * agent's job slots) where the driver answers and --metrics wants. */
int aim__nv_declare_proc_series(nv_state *st, nv_gpu *g, const aim_metric_select *sel,
                               aim_source_ctx *ctx, int dev);
/* After every GPU's own series: gpu.job_sm_util per job slot where room is left. */
int aim__nv_declare_job_series(nv_state *st, aim_source_ctx *ctx);
/* Once per poll: the copy of the job slots' cgroups, renewed when they changed. */
void aim__nv_refresh_job_slots(nv_state *st);
/* gpu.proc_sm_util and gpu.job_sm_util, from one call. */
void aim__nv_poll_proc_sm(nv_state *st, nv_gpu *g, aim_frame *f);
void aim__nv_poll_proc_mem(nv_state *st, nv_gpu *g, aim_frame *f);

/* nvml_probe.c */
int aim__nv_probe(const aim_source_env *env, aim_probe_report *rep);

#endif
