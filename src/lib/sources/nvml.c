/* NVML: NVIDIA GPUs through libnvidia-ml.so.1, loaded at run time (core/dynlib.h) so the
 * binary needs no NVIDIA package to build or to run. AIMETER_NVML_LIBRARY names another
 * library to load (tests point it at tests/fakes/fake_nvml.c).
 *
 * Devices: "gpuN" (N = NVML index, as nvidia-smi numbers them), model = the GPU name.
 * Which GPUs: all, or those named by --gpus (env->gpus), else AIMETER_GPUS, else
 * CUDA_VISIBLE_DEVICES (the
 * workload's own view): comma-separated NVML indices or UUIDs ("GPU-8932f937-...", a unique
 * prefix is enough, the "GPU-" may be left out); "all" selects all; as CUDA does, the list
 * ends at the first entry that names no GPU.
 *
 * Series, each declared only when the GPU answered it at open ("not supported" is never 0):
 *   power (field 186, instantaneous), gpu.power_avg (nvmlDeviceGetPowerUsage: a 1 s average
 *   on Ampere and newer), energy (J since open, from the mJ total-energy counter),
 *   temperature, gpu.mem_temp (field 82), gpu.util, gpu.mem_util, gpu.clock_graphics /
 *   _sm / _mem, gpu.mem_used / _total / _usage (nvmlDeviceGetMemoryInfo_v2, else v1),
 *   gpu.pcie_gen / _width, gpu.pcie_tx / _rx (byte counters, fields 197/198, driver >= 555),
 *   gpu.nvlink_tx / _rx (fields 138/139 over all links), gpu.power_limit, gpu.pstate,
 *   gpu.throttle, gpu.fan.
 * Without field 186 and without the energy counter (old drivers, pre-Volta GPUs), the
 * reading of nvmlDeviceGetPowerUsage is also given as power so the GPU's energy can still be
 * integrated (docs/methodology.md says what that costs).
 * The fields are read with one nvmlDeviceGetFieldValues call per GPU per poll; each field's
 * own return code decides whether its value is valid.
 * A GPU that answers GPU_IS_LOST, or fails every call for NV_LOST_AFTER polls in a row, is
 * given up: its series stay invalid from then on. When every GPU is given up, poll returns
 * -ENODEV and the engine drops the source.
 *
 * With a monitored process tree (env->target_pid), two more series per GPU, each declared
 * only when its call answers at open: gpu.proc_sm_util, the SM share of the tree's processes
 * (nvmlDeviceGetProcessUtilization: the newest sample of each pid since the last poll,
 * summed, at most 100), and gpu.proc_mem, their memory (ComputeRunningProcesses _v3, else
 * _v2, else the plain one). A pid counts when its /proc/<pid>/stat parent links reach the
 * target within NV_TREE_DEPTH steps; only the pids NVML lists are looked at.
 * take_event turns each GPU given up into one line
 * of the run's warnings (when, and NVML's reason); poll only records it, with atomics. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/dynlib.h"
#include "core/fileio.h"
#include "core/source.h"
#include "gpu_select.h"
#include "sources/nvml_abi.h"
#include "sources/procfs_parse.h"

#define NV_MAX_GPUS 16
#define NV_LOST_AFTER 10 /* polls in a row with every call failing */
#define NV_MAX_PROCS 128 /* process samples / running processes read per GPU and poll */
#define NV_TREE_DEPTH 64 /* parent links followed from a GPU process towards the target */
#define NV_TREE_CACHE 64 /* remembered verdicts, by pid: GPU processes are few */

/* A pid's tree membership, valid while its start time is the same (the pid was not
 * recycled) and rechecked at most once per poll: without it, every GPU and both
 * per-process series walked the parent links of every GPU process at every tick, ~280 µs
 * a tick for 8 GPUs on a shared node. */
typedef struct nv_tree_entry {
    int pid;
    uint64_t start;
    uint64_t poll;
    int verdict;
} nv_tree_entry;
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

static const aim_metric_id series_metric[S__COUNT] = {
    [S_POWER] = AIM_M_POWER, [S_POWER_AVG] = AIM_M_GPU_POWER_AVG, [S_ENERGY] = AIM_M_ENERGY,
    [S_TEMP] = AIM_M_TEMPERATURE, [S_MEM_TEMP] = AIM_M_GPU_MEM_TEMP, [S_UTIL] = AIM_M_GPU_UTIL,
    [S_MEM_UTIL] = AIM_M_GPU_MEM_UTIL, [S_CLK_GR] = AIM_M_GPU_CLOCK_GRAPHICS,
    [S_CLK_SM] = AIM_M_GPU_CLOCK_SM, [S_CLK_MEM] = AIM_M_GPU_CLOCK_MEM,
    [S_MEM_USED] = AIM_M_GPU_MEM_USED, [S_MEM_TOTAL] = AIM_M_GPU_MEM_TOTAL,
    [S_MEM_USAGE] = AIM_M_GPU_MEM_USAGE, [S_PCIE_GEN] = AIM_M_GPU_PCIE_GEN,
    [S_PCIE_WIDTH] = AIM_M_GPU_PCIE_WIDTH, [S_PCIE_TX] = AIM_M_GPU_PCIE_TX,
    [S_PCIE_RX] = AIM_M_GPU_PCIE_RX, [S_NVL_TX] = AIM_M_GPU_NVLINK_TX,
    [S_NVL_RX] = AIM_M_GPU_NVLINK_RX, [S_PLIMIT] = AIM_M_GPU_POWER_LIMIT,
    [S_PSTATE] = AIM_M_GPU_PSTATE, [S_THROTTLE] = AIM_M_GPU_THROTTLE, [S_FAN] = AIM_M_GPU_FAN,
};

/* The fields read in the batch, and the series each one feeds. */
#define NV_N_FIELDS 6
static const struct {
    unsigned int id, scope;
    enum nv_series series;
} field_defs[NV_N_FIELDS] = {
    { AIM_NVML_FI_POWER_INSTANT, AIM_NVML_POWER_SCOPE_GPU, S_POWER },
    { AIM_NVML_FI_MEMORY_TEMP, 0, S_MEM_TEMP },
    { AIM_NVML_FI_PCIE_COUNT_TX_BYTES, 0, S_PCIE_TX },
    { AIM_NVML_FI_PCIE_COUNT_RX_BYTES, 0, S_PCIE_RX },
    { AIM_NVML_FI_NVLINK_THROUGHPUT_DATA_TX, AIM_NVML_SCOPE_ALL_LINKS, S_NVL_TX },
    { AIM_NVML_FI_NVLINK_THROUGHPUT_DATA_RX, AIM_NVML_SCOPE_ALL_LINKS, S_NVL_RX },
};

/* One reading of every series: gauges in v (already in the metric's unit), counters raw in
 * c (mJ, bytes, KiB), ok[s] when the call or field succeeded. */
typedef struct nv_reading {
    double v[S__COUNT];
    unsigned long long c[S__COUNT];
    uint8_t ok[S__COUNT];
    int any_ok;
    int lost;
    aim_nvml_return last_err; /* the last failure's code, for the lost-GPU message */
} nv_reading;

typedef struct nv_gpu {
    aim_nvml_device h;
    unsigned int index;
    int slot[S__COUNT];        /* -1: not declared */
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
} nv_gpu;

typedef struct nv_state {
    aim_dynlib lib;
    aim_nvml_api api;
    int inited;
    int64_t t_open_ns; /* CLOCK_MONOTONIC at open: lost times are said relative to it */
    /* A GPU given up, from the sampler thread (poll) to the writer thread (take_event):
     * poll fills lost_t_ns/lost_err, then stores 1 with release; take_event reads them after
     * an acquire load and stores 2 (said). Indexed like g[]; no lock, no allocation. */
    atomic_int lost_state[NV_MAX_GPUS];
    _Atomic int64_t lost_t_ns[NV_MAX_GPUS];
    atomic_int lost_err[NV_MAX_GPUS];
    const char *gpus; /* --gpus (env->gpus), valid during open/probe only */
    int n;
    nv_gpu g[NV_MAX_GPUS];
    pid_t target;     /* root of the monitored tree, 0: none */
    int proc_dirfd;   /* procfs root, for the tree walk; -1: none */
    uint64_t poll_no; /* polls so far: a tree verdict is rechecked once per poll */
    nv_tree_entry tree_cache[NV_TREE_CACHE];
    aim_nvml_process_sample psamp[NV_MAX_PROCS];           /* poll's scratch */
    unsigned char pinfo[NV_MAX_PROCS * AIM_NVML_PROCINFO_MAX_SIZE];
} nv_state;

static const char *const nvml_sonames[] = { "libnvidia-ml.so.1", "libnvidia-ml.so", NULL };

#define SYM(field, req, ...) { { __VA_ARGS__, NULL }, offsetof(aim_nvml_api, field), req }
static const aim_dynsym nvml_syms[] = {
    SYM(init, 1, "nvmlInit_v2", "nvmlInit"),
    SYM(shutdown, 1, "nvmlShutdown"),
    SYM(error_string, 0, "nvmlErrorString"),
    SYM(get_count, 1, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"),
    SYM(get_handle_by_index, 1, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"),
    SYM(get_name, 0, "nvmlDeviceGetName"),
    SYM(get_uuid, 0, "nvmlDeviceGetUUID"),
    SYM(get_pci_info, 0, "nvmlDeviceGetPciInfo_v3", "nvmlDeviceGetPciInfo_v2",
        "nvmlDeviceGetPciInfo"),
    SYM(get_power_usage, 0, "nvmlDeviceGetPowerUsage"),
    SYM(get_total_energy, 0, "nvmlDeviceGetTotalEnergyConsumption"),
    SYM(get_enforced_power_limit, 0, "nvmlDeviceGetEnforcedPowerLimit"),
    SYM(get_temperature, 0, "nvmlDeviceGetTemperature"),
    SYM(get_utilization, 0, "nvmlDeviceGetUtilizationRates"),
    SYM(get_clock_info, 0, "nvmlDeviceGetClockInfo"),
    SYM(get_memory_info, 0, "nvmlDeviceGetMemoryInfo"),
    SYM(get_memory_info_v2, 0, "nvmlDeviceGetMemoryInfo_v2"),
    SYM(get_pcie_gen, 0, "nvmlDeviceGetCurrPcieLinkGeneration"),
    SYM(get_pcie_width, 0, "nvmlDeviceGetCurrPcieLinkWidth"),
    SYM(get_field_values, 0, "nvmlDeviceGetFieldValues"),
    SYM(get_pstate, 0, "nvmlDeviceGetPerformanceState"),
    SYM(get_clock_reasons, 0, "nvmlDeviceGetCurrentClocksEventReasons",
        "nvmlDeviceGetCurrentClocksThrottleReasons"),
    SYM(get_fan_speed, 0, "nvmlDeviceGetFanSpeed"),
    SYM(get_process_utilization, 0, "nvmlDeviceGetProcessUtilization"),
    SYM(get_compute_procs_v3, 0, "nvmlDeviceGetComputeRunningProcesses_v3"),
    SYM(get_compute_procs_v2, 0, "nvmlDeviceGetComputeRunningProcesses_v2"),
    SYM(get_compute_procs_v1, 0, "nvmlDeviceGetComputeRunningProcesses"),
};
#undef SYM

static const char *nv_strerror(const nv_state *st, aim_nvml_return r) {
    const char *s = st->api.error_string ? st->api.error_string(r) : NULL;
    return s ? s : "unknown NVML error";
}

/* ------------------------------------------------------------------ reading */

/* Records one call's outcome; returns 1 when it succeeded. */
static int outcome(nv_reading *rd, aim_nvml_return r) {
    if (r == AIM_NVML_ERROR_GPU_IS_LOST)
        rd->lost = 1;
    if (r != AIM_NVML_SUCCESS)
        rd->last_err = r;
    if (r == AIM_NVML_SUCCESS)
        rd->any_ok = 1;
    return r == AIM_NVML_SUCCESS;
}

static void put(nv_reading *rd, enum nv_series s, double v) {
    rd->v[s] = v;
    rd->ok[s] = 1;
}

/* A field's value as an unsigned count, whatever type the driver chose. */
static int field_u64(const aim_nvml_field_value *f, unsigned long long *ret) {
    switch (f->value_type) {
    case AIM_NVML_VALUE_DOUBLE:
        if (!(f->value.d >= 0))
            return 0;
        *ret = (unsigned long long)f->value.d;
        return 1;
    case AIM_NVML_VALUE_UINT: *ret = f->value.ui; return 1;
    case AIM_NVML_VALUE_ULONG: *ret = f->value.ul; return 1;
    case AIM_NVML_VALUE_ULONGLONG: *ret = f->value.ull; return 1;
    case AIM_NVML_VALUE_SLONGLONG:
        if (f->value.sll < 0)
            return 0;
        *ret = (unsigned long long)f->value.sll;
        return 1;
    case AIM_NVML_VALUE_SINT:
        if (f->value.si < 0)
            return 0;
        *ret = (unsigned long long)f->value.si;
        return 1;
    case AIM_NVML_VALUE_USHORT: *ret = f->value.us; return 1;
    default: return 0;
    }
}

static void read_fields(const nv_state *st, nv_gpu *g, nv_reading *rd) {
    if (!st->api.get_field_values || g->n_fields == 0)
        return;
    memset(g->fv, 0, sizeof g->fv);
    for (int i = 0; i < g->n_fields; i++) {
        g->fv[i].field_id = g->field_id[i];
        g->fv[i].scope_id = g->field_scope[i];
    }
    if (!outcome(rd, st->api.get_field_values(g->h, g->n_fields, g->fv)))
        return;
    for (int i = 0; i < g->n_fields; i++) {
        unsigned long long u;
        enum nv_series s = g->field_series[i];
        if (!outcome(rd, g->fv[i].nvml_return) || !field_u64(&g->fv[i], &u))
            continue;
        if (s == S_POWER)
            put(rd, s, (double)u / 1000.0);
        else if (s == S_MEM_TEMP)
            put(rd, s, (double)u);
        else {
            rd->c[s] = u;
            rd->ok[s] = 1;
        }
    }
}

/* One reading of everything the GPU offers. No allocation, no I/O beyond NVML's own. */
static void read_gpu(const nv_state *st, nv_gpu *g, nv_reading *rd) {
    const aim_nvml_api *a = &st->api;
    memset(rd, 0, sizeof *rd);
    unsigned int u, u2;
    unsigned long long ull;

    read_fields(st, g, rd);
    if (a->get_power_usage && outcome(rd, a->get_power_usage(g->h, &u)))
        put(rd, S_POWER_AVG, u / 1000.0);
    if (a->get_total_energy && outcome(rd, a->get_total_energy(g->h, &ull))) {
        rd->c[S_ENERGY] = ull;
        rd->ok[S_ENERGY] = 1;
    }
    if (a->get_temperature && outcome(rd, a->get_temperature(g->h, AIM_NVML_TEMPERATURE_GPU, &u)))
        put(rd, S_TEMP, u);
    aim_nvml_utilization ut;
    if (a->get_utilization && outcome(rd, a->get_utilization(g->h, &ut))) {
        put(rd, S_UTIL, ut.gpu);
        put(rd, S_MEM_UTIL, ut.memory);
    }
    if (a->get_clock_info) {
        if (outcome(rd, a->get_clock_info(g->h, AIM_NVML_CLOCK_GRAPHICS, &u)))
            put(rd, S_CLK_GR, u);
        if (outcome(rd, a->get_clock_info(g->h, AIM_NVML_CLOCK_SM, &u)))
            put(rd, S_CLK_SM, u);
        if (outcome(rd, a->get_clock_info(g->h, AIM_NVML_CLOCK_MEM, &u)))
            put(rd, S_CLK_MEM, u);
    }
    unsigned long long total = 0, used = 0;
    int have_mem = 0;
    if (a->get_memory_info_v2 && (g->mem_mode == 2 || g->mem_mode == -1)) {
        aim_nvml_memory_v2 m2;
        memset(&m2, 0, sizeof m2);
        m2.version = AIM_NVML_MEMORY_V2_VERSION;
        if (outcome(rd, a->get_memory_info_v2(g->h, &m2))) {
            total = m2.total, used = m2.used, have_mem = 1;
            if (g->mem_mode == -1)
                g->mem_mode = 2;
        }
    }
    if (!have_mem && a->get_memory_info && (g->mem_mode == 1 || g->mem_mode == -1)) {
        aim_nvml_memory m1;
        if (outcome(rd, a->get_memory_info(g->h, &m1))) {
            total = m1.total, used = m1.used, have_mem = 1;
            if (g->mem_mode == -1)
                g->mem_mode = 1;
        }
    }
    if (have_mem) {
        put(rd, S_MEM_USED, (double)used / 1073741824.0);
        put(rd, S_MEM_TOTAL, (double)total / 1073741824.0);
        if (total > 0)
            put(rd, S_MEM_USAGE, 100.0 * (double)used / (double)total);
    }
    if (a->get_pcie_gen && outcome(rd, a->get_pcie_gen(g->h, &u)))
        put(rd, S_PCIE_GEN, u);
    if (a->get_pcie_width && outcome(rd, a->get_pcie_width(g->h, &u2)))
        put(rd, S_PCIE_WIDTH, u2);
    if (a->get_enforced_power_limit && outcome(rd, a->get_enforced_power_limit(g->h, &u)))
        put(rd, S_PLIMIT, u / 1000.0);
    int ps;
    if (a->get_pstate && outcome(rd, a->get_pstate(g->h, &ps)) && ps >= 0 && ps <= 15)
        put(rd, S_PSTATE, ps);
    if (a->get_clock_reasons && outcome(rd, a->get_clock_reasons(g->h, &ull)))
        put(rd, S_THROTTLE, (double)ull);
    if (a->get_fan_speed && outcome(rd, a->get_fan_speed(g->h, &u)))
        put(rd, S_FAN, u);
}

/* ------------------------------------------------------------------ opening */

static void nv_shutdown(nv_state *st) {
    if (st->inited)
        st->api.shutdown();
    st->inited = 0;
    aim_dynlib_close(&st->lib);
}

/* Loads the library and initialises NVML. Returns 0; -EOPNOTSUPP when no library loads,
 * -ENODEV when it is unusable (a required symbol missing, nvmlInit failing). why receives
 * the reason on failure. */
static int nv_start(nv_state *st, char *why, size_t whylen) {
    int r = aim_dynlib_open(&st->lib, nvml_sonames, "AIMETER_NVML_LIBRARY", nvml_syms,
                            sizeof nvml_syms / sizeof nvml_syms[0], &st->api, why, whylen);
    if (r < 0)
        return r == -EOPNOTSUPP ? r : -ENODEV;
    aim_nvml_return nr = st->api.init();
    if (nr != AIM_NVML_SUCCESS) {
        snprintf(why, whylen, "nvmlInit failed (%s)", nv_strerror(st, nr));
        aim_dynlib_close(&st->lib);
        return -ENODEV;
    }
    st->inited = 1;
    return 0;
}

/* Reads each selected GPU once and keeps the series it answered; returns 0 when the GPU has
 * anything to measure. Counters get their baseline here. */
static int probe_gpu(const nv_state *st, nv_gpu *g, nv_reading *rd) {
    for (int s = 0; s < S__COUNT; s++)
        g->slot[s] = -1;
    g->mem_mode = -1;
    g->n_fields = 0;
    for (int i = 0; i < NV_N_FIELDS; i++) {
        g->field_id[g->n_fields] = field_defs[i].id;
        g->field_scope[g->n_fields] = field_defs[i].scope;
        g->field_series[g->n_fields] = field_defs[i].series;
        g->n_fields++;
    }
    read_gpu(st, g, rd);
    if (g->mem_mode == -1)
        g->mem_mode = 0;
    /* Keep only the fields that answered, so the poll asks for nothing it cannot have. */
    int k = 0;
    for (int i = 0; i < g->n_fields; i++)
        if (rd->ok[g->field_series[i]]) {
            g->field_id[k] = g->field_id[i];
            g->field_scope[k] = g->field_scope[i];
            g->field_series[k] = g->field_series[i];
            k++;
        }
    g->n_fields = k;
    if (!rd->any_ok || rd->lost)
        return -ENODEV;
    g->energy_last = rd->c[S_ENERGY];
    g->avg_as_power = !rd->ok[S_POWER] && !rd->ok[S_ENERGY] && rd->ok[S_POWER_AVG];
    return 0;
}

static int declare_gpu(nv_gpu *g, const nv_reading *rd, aim_source_ctx *ctx, int dev) {
    for (int s = 0; s < S__COUNT; s++) {
        int want = rd->ok[s] || (s == S_POWER && g->avg_as_power);
        if (!want)
            continue;
        int slot = aim_source_ctx_add_series(ctx, dev, series_metric[s], -1,
                                             AIM_METHOD_MEASURED);
        if (slot < 0)
            return slot;
        g->slot[s] = slot;
    }
    return 0;
}

static void nvml_close(void *state) {
    nv_state *st = state;
    if (!st)
        return;
    if (st->proc_dirfd >= 0)
        close(st->proc_dirfd);
    nv_shutdown(st);
    free(st);
}

/* The GPUs to measure: fills st->g[] with handles of the selected ones. */
static int enumerate(nv_state *st, aim_source_ctx *ctx) {
    unsigned int count = 0;
    aim_nvml_return nr = st->api.get_count(&count);
    if (nr != AIM_NVML_SUCCESS) {
        if (ctx)
            aim_source_ctx_warn(ctx, "nvml: no NVIDIA GPU measured: nvmlDeviceGetCount failed (%s)",
                                nv_strerror(st, nr));
        return -ENODEV;
    }
    int n = count > NV_MAX_GPUS ? NV_MAX_GPUS : (int)count;
    if (count > NV_MAX_GPUS && ctx)
        aim_source_ctx_warn(ctx, "nvml: the driver reports %u GPUs; only the first %d are "
                            "measured", count, NV_MAX_GPUS);
    aim_nvml_device handles[NV_MAX_GPUS];
    char uuids[NV_MAX_GPUS][AIM_NVML_NAME_BUFFER];
    int sel[NV_MAX_GPUS] = { 0 };
    for (int i = 0; i < n; i++) {
        uuids[i][0] = '\0';
        handles[i] = NULL;
        /* NO_PERMISSION here is a GPU hidden by cgroups: skip it, not the source. */
        if (st->api.get_handle_by_index((unsigned)i, &handles[i]) != AIM_NVML_SUCCESS)
            handles[i] = NULL;
        else if (!st->api.get_uuid ||
                 st->api.get_uuid(handles[i], uuids[i], sizeof uuids[i]) != AIM_NVML_SUCCESS)
            uuids[i][0] = '\0';
    }
    const char *var;
    aim_source_env sel_env = { .gpus = st->gpus };
    const char *spec = aim_gpu_spec(&sel_env, &var);
    if (spec) {
        char bad[72];
        unsigned int ids[NV_MAX_GPUS];
        for (int i = 0; i < n; i++)
            ids[i] = (unsigned int)i; /* NVML indices */
        aim_gpu_select(spec, n, ids, uuids[0], sizeof uuids[0], sel, bad, sizeof bad);
        if (bad[0] && ctx)
            aim_source_ctx_warn(ctx, "nvml: %s entry \"%s\" names no single one of the %d "
                                "GPUs; it and the entries after it are ignored", var, bad, n);
    } else {
        for (int i = 0; i < n; i++)
            sel[i] = 1;
    }
    st->n = 0;
    for (int i = 0; i < n; i++)
        if (sel[i] && handles[i]) {
            nv_gpu *g = &st->g[st->n++];
            memset(g, 0, sizeof *g);
            g->h = handles[i];
            g->index = (unsigned)i;
        }
    if (st->n == 0 && ctx)
        aim_source_ctx_warn(ctx, "nvml: no NVIDIA GPU measured: %s",
                            n == 0 ? "the driver reports no GPU"
                            : spec ? "the GPU selection names none"
                                   : "no GPU handle could be opened");
    return st->n > 0 ? 0 : -ENODEV;
}

/* The PCI address of an NVIDIA display controller (vendor 0x10de, class 0x03xxxx) in
 * sysfs, or 0 when there is none. Without NVML this tells "no NVIDIA GPU here" (nothing to
 * say: most machines) from "a GPU nobody can read" (worth a warning). */
static int nvidia_pci_device(const char *sysfs_root, char *ret_addr, size_t size) {
    char path[PATH_MAX], text[32];
    if (aim_path_join(path, sizeof path, sysfs_root, "bus/pci/devices") < 0)
        return 0;
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int found = 0;
    for (struct dirent *e; !found && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char rel[PATH_MAX];
        snprintf(rel, sizeof rel, "bus/pci/devices/%.64s/vendor", e->d_name);
        if (aim_path_join(path, sizeof path, sysfs_root, rel) < 0 ||
            aim_read_text(path, text, sizeof text) < 0 || strncmp(text, "0x10de", 6) != 0)
            continue;
        snprintf(rel, sizeof rel, "bus/pci/devices/%.64s/class", e->d_name);
        if (aim_path_join(path, sizeof path, sysfs_root, rel) < 0 ||
            aim_read_text(path, text, sizeof text) < 0 || strncmp(text, "0x03", 4) != 0)
            continue;
        snprintf(ret_addr, size, "%.64s", e->d_name);
        found = 1;
    }
    closedir(d);
    return found;
}

static int64_t realtime_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static aim_nvml_return (*procs_fn(const nv_state *st, int ver))(aim_nvml_device, unsigned int *,
                                                                 void *) {
    return ver == 3 ? st->api.get_compute_procs_v3
           : ver == 2 ? st->api.get_compute_procs_v2
           : ver == 1 ? st->api.get_compute_procs_v1 : NULL;
}

/* Declares the per-process series of one GPU that its driver answers (see the top). */
static int declare_proc_series(nv_state *st, nv_gpu *g, aim_source_ctx *ctx, int dev) {
    g->slot_proc_sm = g->slot_proc_mem = -1;
    if (st->target <= 0 || st->proc_dirfd < 0)
        return 0;
    unsigned int count = 0;
    aim_nvml_return r;
    if (st->api.get_process_utilization) {
        r = st->api.get_process_utilization(g->h, NULL, &count, 0);
        if (r == AIM_NVML_SUCCESS || r == AIM_NVML_ERROR_INSUFFICIENT_SIZE ||
            r == AIM_NVML_ERROR_NOT_FOUND) {
            int slot = aim_source_ctx_add_series(ctx, dev, AIM_M_GPU_PROC_SM_UTIL, -1,
                                                 AIM_METHOD_MEASURED);
            if (slot < 0)
                return slot;
            g->slot_proc_sm = slot;
            /* Samples from before the run are not the run's. */
            g->proc_last_seen_us = (unsigned long long)realtime_us();
        }
    }
    for (int ver = 3; ver >= 1; ver--) {
        aim_nvml_return (*fn)(aim_nvml_device, unsigned int *, void *) = procs_fn(st, ver);
        if (!fn)
            continue;
        count = 0;
        r = fn(g->h, &count, NULL);
        if (r != AIM_NVML_SUCCESS && r != AIM_NVML_ERROR_INSUFFICIENT_SIZE)
            continue;
        int slot = aim_source_ctx_add_series(ctx, dev, AIM_M_GPU_PROC_MEM, -1,
                                             AIM_METHOD_MEASURED);
        if (slot < 0)
            return slot;
        g->slot_proc_mem = slot;
        g->procs_ver = ver;
        break;
    }
    return 0;
}

static int nvml_open(const aim_source_env *env, aim_source_ctx *ctx, void **ret_state) {
    nv_state *st = calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    st->proc_dirfd = -1;
    char why[320], addr[72];
    int r = nv_start(st, why, sizeof why);
    if (r < 0) {
        /* No library and no NVIDIA GPU is the ordinary machine: say nothing. A library that
         * is present but fails, or a GPU without its library (a container started without
         * the NVIDIA runtime), is worth one line. */
        if (r != -EOPNOTSUPP)
            aim_source_ctx_warn(ctx, "nvml: no NVIDIA GPU measured: %s", why);
        else if (nvidia_pci_device(env->sysfs_root, addr, sizeof addr))
            aim_source_ctx_warn(ctx, "nvml: NVIDIA GPU at PCI %s not measured: %s (is the "
                                "NVIDIA driver installed, or the container started with the "
                                "NVIDIA runtime?)", addr, why);
        free(st);
        return -ENODEV;
    }
    st->target = env->target_pid;
    if (st->target > 0 && env->procfs_root)
        st->proc_dirfd = open(env->procfs_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    st->gpus = env->gpus;
    r = enumerate(st, ctx);
    st->gpus = NULL;
    if (r < 0) {
        nvml_close(st);
        return r;
    }
    int kept = 0;
    for (int i = 0; i < st->n; i++) {
        nv_gpu *g = &st->g[i];
        nv_reading rd;
        if (probe_gpu(st, g, &rd) < 0)
            continue;
        char name[32], model[AIM_NVML_NAME_BUFFER] = "";
        snprintf(name, sizeof name, "gpu%u", g->index);
        if (st->api.get_name && st->api.get_name(g->h, model, sizeof model) != AIM_NVML_SUCCESS)
            model[0] = '\0';
        int dev = aim_source_ctx_add_device(ctx, name, AIM_DEV_GPU, model[0] ? model : NULL);
        if (dev < 0) {
            nvml_close(st);
            return dev;
        }
        r = declare_gpu(g, &rd, ctx, dev);
        if (r >= 0)
            r = declare_proc_series(st, g, ctx, dev);
        if (r < 0) {
            nvml_close(st);
            return r;
        }
        if (kept != i)
            st->g[kept] = *g;
        kept++;
    }
    st->n = kept;
    for (int i = 0; i < NV_MAX_GPUS; i++) {
        atomic_init(&st->lost_state[i], 0);
        atomic_init(&st->lost_t_ns[i], 0);
        atomic_init(&st->lost_err[i], 0);
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    st->t_open_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    if (kept == 0) {
        aim_source_ctx_warn(ctx, "nvml: no NVIDIA GPU measured: no selected GPU answered");
        nvml_close(st);
        return -ENODEV;
    }
    *ret_state = st;
    return 0;
}

/* ------------------------------------------------------------------ polling */

/* GB/s from a byte-like counter over the time since the previous poll. */
static void put_rate(nv_gpu *g, aim_frame *f, const nv_reading *rd, enum nv_series s,
                     double bytes_per_unit) {
    if (g->slot[s] < 0 || !rd->ok[s])
        return;
    unsigned long long c = rd->c[s];
    if (g->ctr_have[s] && f->t_ns > g->ctr_t[s] && c >= g->ctr_last[s])
        aim_frame_set(f, g->slot[s], (double)(c - g->ctr_last[s]) * bytes_per_unit / 1e9 /
                                         ((double)(f->t_ns - g->ctr_t[s]) / 1e9));
    /* A counter that went back wrapped or was reset: this interval is unknown. */
    g->ctr_last[s] = c;
    g->ctr_t[s] = f->t_ns;
    g->ctr_have[s] = 1;
}

/* Whether pid is the target or one of its descendants: follows parent links in procfs.
 * A pid procfs does not show (gone, or another pid namespace) is not in the tree. */
static int read_stat_at(int dirfd, int pid, aim_pid_stat *ret) {
    char name[32], buf[1024];
    snprintf(name, sizeof name, "%d/stat", pid);
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    close(fd);
    return n > 0 && aim_parse_pid_stat(buf, (size_t)n, ret) == 0 ? 0 : -1;
}

static int walk_to_target(const nv_state *st, unsigned int pid) {
    int p = (int)pid;
    for (int depth = 0; depth < NV_TREE_DEPTH && p > 0; depth++) {
        if (p == st->target)
            return 1;
        aim_pid_stat ps;
        if (read_stat_at(st->proc_dirfd, p, &ps) < 0 || ps.ppid == p)
            return 0;
        p = ps.ppid;
    }
    return 0;
}

static int in_tree(nv_state *st, unsigned int pid) {
    if ((int)pid == st->target)
        return 1;
    nv_tree_entry *e = &st->tree_cache[pid % NV_TREE_CACHE];
    if (e->pid == (int)pid && e->poll == st->poll_no)
        return e->verdict;
    aim_pid_stat ps;
    if (read_stat_at(st->proc_dirfd, (int)pid, &ps) < 0)
        return 0; /* not visible here (another pid namespace) or gone */
    if (e->pid != (int)pid || e->start != ps.starttime) {
        e->pid = (int)pid;
        e->start = ps.starttime;
        e->verdict = ps.ppid != (int)pid && walk_to_target(st, (unsigned int)ps.ppid);
    }
    e->poll = st->poll_no;
    return e->verdict;
}

/* gpu.proc_sm_util: the newest sample of each pid since the last poll, summed over the
 * tree's pids (see NV_PROC_HOLD_NS for a poll that finds no new sample). */
static void poll_proc_sm(nv_state *st, nv_gpu *g, aim_frame *f) {
    unsigned int count = NV_MAX_PROCS;
    aim_nvml_return r = st->api.get_process_utilization(g->h, st->psamp, &count,
                                                        g->proc_last_seen_us);
    if (r == AIM_NVML_ERROR_NOT_FOUND) {
        int hold = g->proc_sm_t > 0 && f->t_ns - g->proc_sm_t < NV_PROC_HOLD_NS;
        aim_frame_set(f, g->slot_proc_sm, hold ? g->proc_sm_last : 0.0);
        return;
    }
    if (r != AIM_NVML_SUCCESS || count > NV_MAX_PROCS)
        return; /* unknown this tick */
    double sum = 0;
    for (unsigned int i = 0; i < count; i++) {
        const aim_nvml_process_sample *a = &st->psamp[i];
        if (a->timestamp_us > g->proc_last_seen_us)
            g->proc_last_seen_us = a->timestamp_us;
        int newest = 1; /* the last of the newest samples of this pid */
        for (unsigned int j = 0; j < count && newest; j++) {
            const aim_nvml_process_sample *b = &st->psamp[j];
            if (j != i && b->pid == a->pid &&
                (b->timestamp_us > a->timestamp_us ||
                 (b->timestamp_us == a->timestamp_us && j > i)))
                newest = 0;
        }
        if (newest && a->sm_util <= 100 && in_tree(st, a->pid))
            sum += a->sm_util;
    }
    if (sum > 100)
        sum = 100;
    g->proc_sm_last = sum;
    g->proc_sm_t = f->t_ns;
    aim_frame_set(f, g->slot_proc_sm, sum);
}

/* The stride of _v3's entries: 24 bytes, or 32 on drivers 535.43-535.86. The buffer was
 * filled with 0xFF: with 32-byte entries the bytes [24 n, 32 n) were written, and they hold
 * a pid (high bytes 0) when n >= 2; with n == 1 both strides read entry 0 alike. */
static size_t v3_stride(const unsigned char *buf, unsigned int n) {
    for (size_t b = (size_t)n * AIM_NVML_PROCINFO_V2_SIZE;
         b < (size_t)n * AIM_NVML_PROCINFO_MAX_SIZE; b++)
        if (buf[b] != 0xFF)
            return AIM_NVML_PROCINFO_MAX_SIZE;
    return AIM_NVML_PROCINFO_V2_SIZE;
}

/* gpu.proc_mem: the memory of the tree's processes; unknown when one of them has none. */
static void poll_proc_mem(nv_state *st, nv_gpu *g, aim_frame *f) {
    /* Room for NV_MAX_PROCS entries of the largest stride, whatever the driver assumes. */
    memset(st->pinfo, 0xFF, sizeof st->pinfo);
    unsigned int count = NV_MAX_PROCS;
    if (procs_fn(st, g->procs_ver)(g->h, &count, st->pinfo) != AIM_NVML_SUCCESS ||
        count > NV_MAX_PROCS)
        return;
    size_t stride = g->procs_ver == 1 ? AIM_NVML_PROCINFO_V1_SIZE
                    : g->procs_ver == 2 ? AIM_NVML_PROCINFO_V2_SIZE
                                        : v3_stride(st->pinfo, count);
    unsigned long long bytes = 0;
    for (unsigned int i = 0; i < count; i++) {
        unsigned int pid;
        unsigned long long mem;
        memcpy(&pid, st->pinfo + i * stride, sizeof pid);
        memcpy(&mem, st->pinfo + i * stride + AIM_NVML_PROCINFO_MEM_OFFSET, sizeof mem);
        if (!in_tree(st, pid))
            continue;
        if (mem == AIM_NVML_VALUE_NOT_AVAILABLE_ULL)
            return;
        bytes += mem;
    }
    aim_frame_set(f, g->slot_proc_mem, (double)bytes / 1073741824.0);
}

static int nvml_poll(void *state, aim_frame *f) {
    nv_state *st = state;
    st->poll_no++;
    int live = 0;
    for (int i = 0; i < st->n; i++) {
        nv_gpu *g = &st->g[i];
        if (g->lost)
            continue;
        nv_reading rd;
        read_gpu(st, g, &rd);
        g->fail_streak = rd.any_ok ? 0 : g->fail_streak + 1;
        if (rd.lost || g->fail_streak >= NV_LOST_AFTER) {
            g->lost = 1;
            atomic_store_explicit(&st->lost_t_ns[i], f->t_ns - st->t_open_ns,
                                  memory_order_relaxed);
            atomic_store_explicit(&st->lost_err[i],
                                  rd.lost ? AIM_NVML_ERROR_GPU_IS_LOST : rd.last_err,
                                  memory_order_relaxed);
            atomic_store_explicit(&st->lost_state[i], 1, memory_order_release);
            continue;
        }
        live++;
        for (int s = 0; s < S__COUNT; s++) {
            if (g->slot[s] < 0 || !rd.ok[s] || s == S_ENERGY || s == S_PCIE_TX ||
                s == S_PCIE_RX || s == S_NVL_TX || s == S_NVL_RX)
                continue;
            aim_frame_set(f, g->slot[s], rd.v[s]);
        }
        if (g->avg_as_power && g->slot[S_POWER] >= 0 && rd.ok[S_POWER_AVG])
            aim_frame_set(f, g->slot[S_POWER], rd.v[S_POWER_AVG]);
        if (g->slot[S_ENERGY] >= 0 && rd.ok[S_ENERGY]) {
            unsigned long long c = rd.c[S_ENERGY];
            /* Backwards only when the driver reloaded: the counter restarted from 0. */
            g->energy_mj += (double)(c >= g->energy_last ? c - g->energy_last : c);
            g->energy_last = c;
            aim_frame_set(f, g->slot[S_ENERGY], g->energy_mj / 1000.0);
        }
        put_rate(g, f, &rd, S_PCIE_TX, 1.0);
        put_rate(g, f, &rd, S_PCIE_RX, 1.0);
        put_rate(g, f, &rd, S_NVL_TX, 1024.0);
        put_rate(g, f, &rd, S_NVL_RX, 1024.0);
        if (g->slot_proc_sm >= 0)
            poll_proc_sm(st, g, f);
        if (g->slot_proc_mem >= 0)
            poll_proc_mem(st, g, f);
    }
    return live > 0 ? 0 : -ENODEV;
}

/* One line per GPU given up since the last call (writer thread; see nv_state). */
static int nvml_take_event(void *state, char *buf, size_t size) {
    nv_state *st = state;
    for (int i = 0; i < st->n; i++) {
        if (atomic_load_explicit(&st->lost_state[i], memory_order_acquire) != 1)
            continue;
        atomic_store_explicit(&st->lost_state[i], 2, memory_order_relaxed);
        int64_t t = atomic_load_explicit(&st->lost_t_ns[i], memory_order_relaxed);
        aim_nvml_return err = atomic_load_explicit(&st->lost_err[i], memory_order_relaxed);
        int others = 0; /* still measured, as far as the sampler has said */
        for (int j = 0; j < st->n; j++)
            others += j != i && atomic_load_explicit(&st->lost_state[j], memory_order_relaxed) == 0;
        snprintf(buf, size, "gpu%u lost at %.2f s (%s); its series stop there%s",
                 st->g[i].index, (double)(t < 0 ? 0 : t) / 1e9, nv_strerror(st, err),
                 others ? ", the other GPUs continue" : "");
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ probe */

static int nvml_probe(const aim_source_env *env, aim_probe_report *rep) {
    (void)env;
    nv_state *st = calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    char why[320];
    if (nv_start(st, why, sizeof why) < 0) {
        aim_probe_add(rep, "libnvidia-ml.so.1", "absent", "%s", why);
        free(st);
        return -ENODEV;
    }
    aim_probe_add(rep, st->lib.path, "available", "NVML loaded");
    int avail = 0;
    st->gpus = env->gpus;
    if (enumerate(st, NULL) == 0) {
        for (int i = 0; i < st->n; i++) {
            nv_gpu *g = &st->g[i];
            char what[128], model[AIM_NVML_NAME_BUFFER] = "";
            if (st->api.get_name && st->api.get_name(g->h, model, sizeof model) != AIM_NVML_SUCCESS)
                model[0] = '\0';
            snprintf(what, sizeof what, "gpu%u %s", g->index, model);
            nv_reading rd;
            if (probe_gpu(st, g, &rd) < 0) {
                aim_probe_add(rep, what, "absent", "the GPU answers no query");
                continue;
            }
            /* What is missing is the shorter list, and the one a user asks about. */
            char list[224];
            size_t o = 0;
            int have = 0;
            list[0] = '\0';
            for (int s = 0; s < S__COUNT; s++) {
                have += rd.ok[s];
                if (!rd.ok[s] && o < sizeof list) {
                    int w = snprintf(list + o, sizeof list - o, " %s",
                                     aim_metric_by_id(series_metric[s])->key);
                    if (w > 0)
                        o += (size_t)w;
                }
            }
            avail++;
            aim_probe_add(rep, what, "available", "%d of %d quantities%s%s", have, S__COUNT,
                          o ? "; not supported:" : "", list);
            if (!rd.ok[S_PCIE_TX])
                aim_probe_add(rep, what, "not supported",
                              "PCIe TX/RX: no byte counters (fields 197/198 need driver >= 555)");
        }
    } else {
        aim_probe_add(rep, "GPUs", "absent", "no GPU selected or reported by the driver");
    }
    nv_shutdown(st);
    free(st);
    return avail > 0 ? 0 : -ENODEV;
}

const aim_source_ops aim_source_nvml = {
    .name = "nvml",
    .description = "NVIDIA GPUs through NVML: power, energy counter, utilisation, memory, clocks",
    /* The driver refreshes power every 20-100 ms and the energy counter about every 100 ms;
     * each query is an ioctl, so polling faster than 10 ms only costs CPU time. */
    .min_interval_ns = 10000000,
    .probe = nvml_probe,
    .open = nvml_open,
    .poll = nvml_poll,
    .close = nvml_close,
    .take_event = nvml_take_event,
};
