/* NVML: NVIDIA GPUs through libnvidia-ml.so.1, loaded at run time (util/dynlib.h) so the
 * binary needs no NVIDIA package to build or to run. AIMETER_NVML_LIBRARY names another
 * library to load (tests point it at tests/fakes/fake_nvml.c).
 *
 * Devices: "gpuN" (N = NVML index, as nvidia-smi numbers them), model = the GPU name.
 * Which GPUs: all, or those named by --gpus (the "gpus" option), else AIMETER_GPUS, else
 * CUDA_VISIBLE_DEVICES (the workload's own view): comma-separated NVML indices or UUIDs
 * ("GPU-8932f937-...", a unique prefix is enough, the "GPU-" may be left out); "all" selects
 * all; as CUDA does, the list ends at the first entry that names no GPU.
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
 * In an agent (env->job_slots), gpu.job_sm_util per GPU and job slot: the same samples summed
 * over the pids whose /proc/<pid>/cgroup lies in the slot's job cgroup (nvml_proc.c).
 * take_event turns each GPU given up into one line
 * of the run's warnings (when, and NVML's reason); poll only records it, with atomics. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sources/nvidia/nvml_internal.h"
#include "sources/nvidia/gpu_select.h"
#include "util/numfmt.h"

const aim_metric_id aim_nv_series_metric[S__COUNT] = {
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

static const char *nv_strerror(const nv_state *st, aim_nvml_return r) {
    return aim__nvml_lib_strerror(&st->nl, r);
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

/* outcome() for the call behind series a (and b, when >= 0), remembering its result. */
static int got(nv_reading *rd, aim_nvml_return r, enum nv_series a, int b) {
    rd->err[a] = r;
    rd->tried[a] = 1;
    if (b >= 0) {
        rd->err[b] = r;
        rd->tried[b] = 1;
    }
    return outcome(rd, r);
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
    if (!st->nl.api.get_field_values || g->n_fields == 0)
        return;
    memset(g->fv, 0, sizeof g->fv);
    for (int i = 0; i < g->n_fields; i++) {
        g->fv[i].field_id = g->field_id[i];
        g->fv[i].scope_id = g->field_scope[i];
    }
    aim_nvml_return r = st->nl.api.get_field_values(g->h, g->n_fields, g->fv);
    if (!outcome(rd, r)) {
        for (int i = 0; i < g->n_fields; i++)
            got(rd, r, g->field_series[i], -1);
        return;
    }
    for (int i = 0; i < g->n_fields; i++) {
        unsigned long long u;
        enum nv_series s = g->field_series[i];
        if (!got(rd, g->fv[i].nvml_return, s, -1) || !field_u64(&g->fv[i], &u))
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
void aim__nv_read_gpu(const nv_state *st, nv_gpu *g, nv_reading *rd) {
    const aim_nvml_api *a = &st->nl.api;
    memset(rd, 0, sizeof *rd);
    unsigned int u, u2;
    unsigned long long ull;

    const uint8_t *need = g->need;
    read_fields(st, g, rd);
    if (need[S_POWER_AVG] && a->get_power_usage && got(rd, a->get_power_usage(g->h, &u), S_POWER_AVG, -1))
        put(rd, S_POWER_AVG, u / 1000.0);
    if (need[S_ENERGY] && a->get_total_energy && got(rd, a->get_total_energy(g->h, &ull), S_ENERGY, -1)) {
        rd->c[S_ENERGY] = ull;
        rd->ok[S_ENERGY] = 1;
    }
    if (need[S_TEMP] && a->get_temperature &&
        got(rd, a->get_temperature(g->h, AIM_NVML_TEMPERATURE_GPU, &u), S_TEMP, -1))
        put(rd, S_TEMP, u);
    aim_nvml_utilization ut;
    if ((need[S_UTIL] || need[S_MEM_UTIL]) && a->get_utilization &&
        got(rd, a->get_utilization(g->h, &ut), S_UTIL, S_MEM_UTIL)) {
        put(rd, S_UTIL, ut.gpu);
        put(rd, S_MEM_UTIL, ut.memory);
    }
    if (a->get_clock_info) {
        if (need[S_CLK_GR] && got(rd, a->get_clock_info(g->h, AIM_NVML_CLOCK_GRAPHICS, &u), S_CLK_GR, -1))
            put(rd, S_CLK_GR, u);
        if (need[S_CLK_SM] && got(rd, a->get_clock_info(g->h, AIM_NVML_CLOCK_SM, &u), S_CLK_SM, -1))
            put(rd, S_CLK_SM, u);
        if (need[S_CLK_MEM] && got(rd, a->get_clock_info(g->h, AIM_NVML_CLOCK_MEM, &u), S_CLK_MEM, -1))
            put(rd, S_CLK_MEM, u);
    }
    unsigned long long total = 0, used = 0;
    int have_mem = 0, need_mem = need[S_MEM_USED] || need[S_MEM_TOTAL] || need[S_MEM_USAGE];
    if (need_mem && a->get_memory_info_v2 && (g->mem_mode == 2 || g->mem_mode == -1)) {
        aim_nvml_memory_v2 m2;
        memset(&m2, 0, sizeof m2);
        m2.version = AIM_NVML_MEMORY_V2_VERSION;
        if (got(rd, a->get_memory_info_v2(g->h, &m2), S_MEM_USED, S_MEM_TOTAL)) {
            total = m2.total, used = m2.used, have_mem = 1;
            if (g->mem_mode == -1)
                g->mem_mode = 2;
        }
    }
    if (need_mem && !have_mem && a->get_memory_info && (g->mem_mode == 1 || g->mem_mode == -1)) {
        aim_nvml_memory m1;
        if (got(rd, a->get_memory_info(g->h, &m1), S_MEM_USED, S_MEM_TOTAL)) {
            total = m1.total, used = m1.used, have_mem = 1;
            if (g->mem_mode == -1)
                g->mem_mode = 1;
        }
    }
    rd->err[S_MEM_USAGE] = rd->err[S_MEM_USED];
    rd->tried[S_MEM_USAGE] = rd->tried[S_MEM_USED];
    if (have_mem) {
        put(rd, S_MEM_USED, (double)used / 1073741824.0);
        put(rd, S_MEM_TOTAL, (double)total / 1073741824.0);
        if (total > 0)
            put(rd, S_MEM_USAGE, 100.0 * (double)used / (double)total);
    }
    if (need[S_PCIE_GEN] && a->get_pcie_gen && got(rd, a->get_pcie_gen(g->h, &u), S_PCIE_GEN, -1))
        put(rd, S_PCIE_GEN, u);
    if (need[S_PCIE_WIDTH] && a->get_pcie_width && got(rd, a->get_pcie_width(g->h, &u2), S_PCIE_WIDTH, -1))
        put(rd, S_PCIE_WIDTH, u2);
    if (need[S_PLIMIT] && a->get_enforced_power_limit &&
        got(rd, a->get_enforced_power_limit(g->h, &u), S_PLIMIT, -1))
        put(rd, S_PLIMIT, u / 1000.0);
    int ps;
    if (need[S_PSTATE] && a->get_pstate && got(rd, a->get_pstate(g->h, &ps), S_PSTATE, -1) && ps >= 0 &&
        ps <= 15)
        put(rd, S_PSTATE, ps);
    if (need[S_THROTTLE] && a->get_clock_reasons && got(rd, a->get_clock_reasons(g->h, &ull), S_THROTTLE, -1))
        put(rd, S_THROTTLE, (double)ull);
    if (need[S_FAN] && a->get_fan_speed && got(rd, a->get_fan_speed(g->h, &u), S_FAN, -1))
        put(rd, S_FAN, u);
}

/* ------------------------------------------------------------------ opening */

/* Reads each selected GPU once and keeps the series it answered; returns 0 when the GPU has
 * anything to measure. Counters get their baseline here. */
int aim__nv_probe_gpu(const nv_state *st, nv_gpu *g, nv_reading *rd) {
    for (int s = 0; s < S__COUNT; s++) {
        g->slot[s] = -1;
        g->need[s] = 1;
    }
    g->mem_mode = -1;
    g->n_fields = 0;
    for (int i = 0; i < NV_N_FIELDS; i++) {
        g->field_id[g->n_fields] = field_defs[i].id;
        g->field_scope[g->n_fields] = field_defs[i].scope;
        g->field_series[g->n_fields] = field_defs[i].series;
        g->n_fields++;
    }
    aim__nv_read_gpu(st, g, rd);
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

/* Declares the series the GPU answered and --metrics selects; from then on the poll asks
 * the driver only for those (the fields batch shrinks with them). */
static int declare_gpu(nv_gpu *g, const nv_reading *rd, const aim_metric_select *sel,
                       aim_source_ctx *ctx, int dev) {
    for (int s = 0; s < S__COUNT; s++) {
        int want = (rd->ok[s] || (s == S_POWER && g->avg_as_power)) &&
                   aim__metric_selected(sel, aim_nv_series_metric[s]);
        if (!want)
            continue;
        int slot = aim__source_ctx_add_series(ctx, dev, aim_nv_series_metric[s], -1,
                                             AIM_METHOD_MEASURED);
        if (slot < 0)
            return slot;
        g->slot[s] = slot;
    }
    for (int s = 0; s < S__COUNT; s++)
        g->need[s] = g->slot[s] >= 0;
    if (g->avg_as_power && g->slot[S_POWER] >= 0)
        g->need[S_POWER_AVG] = 1;
    int k = 0;
    for (int i = 0; i < g->n_fields; i++)
        if (g->need[g->field_series[i]]) {
            g->field_id[k] = g->field_id[i];
            g->field_scope[k] = g->field_scope[i];
            g->field_series[k] = g->field_series[i];
            k++;
        }
    g->n_fields = k;
    return 0;
}

static void nvml_close(void *state) {
    nv_state *st = state;
    if (!st)
        return;
    if (st->proc_dirfd >= 0)
        close(st->proc_dirfd);
    aim__nvml_lib_stop(&st->nl);
    free(st);
}

/* The selected GPUs into st->g[] (zeroed); returns how many, or -ENODEV. */
int aim__nv_select_gpus(nv_state *st, const char *gpus, aim_source_ctx *ctx) {
    aim_nvml_gpu_ref refs[AIM_NVML_MAX_GPUS];
    int n = aim__nvml_lib_select(&st->nl, gpus, ctx, "nvml", refs);
    st->n = n > 0 ? n : 0;
    for (int i = 0; i < st->n; i++) {
        nv_gpu *g = &st->g[i];
        memset(g, 0, sizeof *g);
        g->h = refs[i].h;
        g->index = refs[i].index;
        memcpy(g->mig_uuid, refs[i].mig_uuid, sizeof g->mig_uuid);
    }
    return n;
}

/* 1 when the GPU runs in MIG mode (Ampere and newer; NOT_SUPPORTED elsewhere means no). */
int aim__nv_mig_enabled(const nv_state *st, const nv_gpu *g) {
    unsigned int cur = 0, pending = 0;
    return st->nl.api.get_mig_mode &&
           st->nl.api.get_mig_mode(g->h, &cur, &pending) == AIM_NVML_SUCCESS &&
           cur == AIM_NVML_MIG_ENABLE;
}

/* A GA100 board (A100, A800, A30): its nvmlDeviceGetPowerUsage is the power at that call,
 * not the one-second average of later Ampere and newer chips (docs/methodology.md). Known by
 * the PCI device id (GA100 is 0x2080-0x20ff) or, where NVML gives none, by the name. */
static int is_ga100(const nv_state *st, const nv_gpu *g, const char *model) {
    aim_nvml_pci_info pci;
    if (st->nl.api.get_pci_info && st->nl.api.get_pci_info(g->h, &pci) == AIM_NVML_SUCCESS &&
        (pci.pci_device_id & 0xffffu) == 0x10deu) {
        unsigned id = pci.pci_device_id >> 16;
        return id >= 0x2080 && id <= 0x20ff;
    }
    static const char *const names[] = { "A100", "A800", "A30" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *at = strstr(model, names[i]);
        if (at && !(at[strlen(names[i])] >= '0' && at[strlen(names[i])] <= '9'))
            return 1; /* "A30", not "A3000" (a GA104) */
    }
    return 0;
}

static int nvml_open(const aim_source_env *env, aim_source_ctx *ctx, void **ret_state) {
    nv_state *st = calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    st->proc_dirfd = -1;
    char why[320], addr[72];
    int r = aim__nvml_lib_start(&st->nl, env->sysfs_root, why, sizeof why);
    if (r < 0) {
        /* No library and no NVIDIA GPU is the ordinary machine: say nothing. A library that
         * is present but fails, or a GPU without its library (a container started without
         * the NVIDIA runtime), is worth one line. */
        if (r != -EOPNOTSUPP)
            aim__source_ctx_warn(ctx, "nvml: no NVIDIA GPU measured: %s", why);
        else if (aim__nvml_pci_device(env->sysfs_root, addr, sizeof addr))
            aim__source_ctx_warn(ctx, "nvml: NVIDIA GPU at PCI %s not measured: %s (is the "
                                "NVIDIA driver installed, or the container started with the "
                                "NVIDIA runtime?)", addr, why);
        free(st);
        return -ENODEV;
    }
    st->target = env->target_pid;
    st->slots = env->job_slots;
    if ((st->target > 0 || st->slots) && env->procfs_root)
        st->proc_dirfd = open(env->procfs_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    r = aim__nv_select_gpus(st, aim__source_env_option(env, "gpus"), ctx);
    if (r < 0) {
        nvml_close(st);
        return r;
    }
    int kept = 0;
    for (int i = 0; i < st->n; i++) {
        nv_gpu *g = &st->g[i];
        nv_reading rd;
        char name[32], model[AIM_NVML_NAME_BUFFER] = "";
        snprintf(name, sizeof name, "gpu%u", g->index);
        if (aim__nv_probe_gpu(st, g, &rd) < 0) {
            /* Selected but silent: a run without it must say so, or its energy looks whole. */
            aim__source_ctx_warn(ctx, "nvml: %s answered no query at start (%s); it is not "
                                "measured, and the run's GPU energy leaves it out", name,
                                nv_strerror(st, rd.last_err));
            continue;
        }
        if (st->nl.api.get_name && st->nl.api.get_name(g->h, model, sizeof model) != AIM_NVML_SUCCESS)
            model[0] = '\0';
        if (rd.ok[S_POWER_AVG] && is_ga100(st, g, model)) {
            /* Its "average" is instantaneous: `power` where field 186 is missing, and no row
             * labelled "1 s average". */
            if (!rd.ok[S_POWER])
                g->avg_as_power = 1;
            rd.ok[S_POWER_AVG] = 0;
        }
        int dev = aim__source_ctx_add_device(ctx, name, AIM_DEV_GPU, model[0] ? model : NULL);
        if (dev < 0) {
            nvml_close(st);
            return dev;
        }
        /* The UUID names the board whatever its index (the uuid label of the exposition). */
        char uuid[AIM_NVML_NAME_BUFFER] = "";
        if (st->nl.api.get_uuid && st->nl.api.get_uuid(g->h, uuid, sizeof uuid) == AIM_NVML_SUCCESS)
            aim__source_ctx_set_device_uuid(ctx, dev, uuid);
        g->dev = dev;
        r = declare_gpu(g, &rd, env->metrics, ctx, dev);
        if (r >= 0)
            r = aim__nv_declare_proc_series(st, g, env->metrics, ctx, dev);
        if (r < 0) {
            nvml_close(st);
            return r;
        }
        /* MIG: the GPU-level counters cover every instance; say so where it matters. */
        if (aim__nv_mig_enabled(st, g))
            aim__source_ctx_warn(ctx, "nvml: %s is in MIG mode%s%s: its power, energy, clocks and "
                                "temperature are the whole GPU's, shared by all its instances; "
                                "utilisation and per-process samples are not available in MIG "
                                "mode", name, g->mig_uuid[0] ? ", selected through instance " : "",
                                g->mig_uuid);
        if (kept != i)
            st->g[kept] = *g;
        kept++;
    }
    st->n = kept;
    if (st->slots && (r = aim__nv_declare_job_series(st, ctx)) < 0) {
        nvml_close(st);
        return r;
    }
    for (int i = 0; i < AIM_NVML_MAX_GPUS; i++) {
        atomic_init(&st->lost_state[i], 0);
        atomic_init(&st->lost_t_ns[i], 0);
        atomic_init(&st->lost_err[i], 0);
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    st->t_open_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    if (kept == 0) {
        aim__source_ctx_warn(ctx, "nvml: no NVIDIA GPU measured: no selected GPU answered");
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
        aim__frame_set(f, g->slot[s], (double)(c - g->ctr_last[s]) * bytes_per_unit / 1e9 /
                                         ((double)(f->t_ns - g->ctr_t[s]) / 1e9));
    /* A counter that went back wrapped or was reset: this interval is unknown. */
    g->ctr_last[s] = c;
    g->ctr_t[s] = f->t_ns;
    g->ctr_have[s] = 1;
}

static int nvml_poll(void *state, aim_frame *f) {
    nv_state *st = state;
    st->poll_no++;
    st->poll_t_ns = f->t_ns;
    if (st->slots)
        aim__nv_refresh_job_slots(st);
    int live = 0;
    for (int i = 0; i < st->n; i++) {
        nv_gpu *g = &st->g[i];
        if (g->lost)
            continue;
        nv_reading rd;
        aim__nv_read_gpu(st, g, &rd);
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
            aim__frame_set(f, g->slot[s], rd.v[s]);
        }
        if (g->avg_as_power && g->slot[S_POWER] >= 0 && rd.ok[S_POWER_AVG])
            aim__frame_set(f, g->slot[S_POWER], rd.v[S_POWER_AVG]);
        if (g->slot[S_ENERGY] >= 0 && rd.ok[S_ENERGY]) {
            unsigned long long c = rd.c[S_ENERGY];
            /* Backwards only when the driver reloaded: the counter restarted from 0. */
            g->energy_mj += (double)(c >= g->energy_last ? c - g->energy_last : c);
            g->energy_last = c;
            aim__frame_set(f, g->slot[S_ENERGY], g->energy_mj / 1000.0);
        }
        put_rate(g, f, &rd, S_PCIE_TX, 1.0);
        put_rate(g, f, &rd, S_PCIE_RX, 1.0);
        put_rate(g, f, &rd, S_NVL_TX, 1024.0);
        put_rate(g, f, &rd, S_NVL_RX, 1024.0);
        if (g->slot_proc_sm >= 0 || g->slot_job_sm >= 0)
            aim__nv_poll_proc_sm(st, g, f);
        if (g->slot_proc_mem >= 0)
            aim__nv_poll_proc_mem(st, g, f);
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
        char at[AIM_NUM_MAX];
        snprintf(buf, size, "gpu%u lost at %s s (%s); its series stop there%s", st->g[i].index,
                 aim__fmt_fixed(at, (double)(t < 0 ? 0 : t) / 1e9, 2), nv_strerror(st, err),
                 others ? ", the other GPUs continue" : "");
        return 1;
    }
    return 0;
}

const aim_source_ops aim_source_nvml = {
    .name = "nvml",
    .vendor = "nvidia",
    .options = aim_nv_gpu_options,
    .description = "NVIDIA GPUs through NVML: power, energy counter, utilisation, memory, clocks",
    /* The driver refreshes power every 20-100 ms and the energy counter about every 100 ms;
     * each query is an ioctl, so polling faster than 10 ms only costs CPU time. */
    .min_interval_ns = 10000000,
    .probe = aim__nv_probe,
    .open = nvml_open,
    .poll = nvml_poll,
    .close = nvml_close,
    .take_event = nvml_take_event,
};
