/* A fake libnvidia-ml.so.1 for tests: the subset of the NVML ABI that aimeter uses, with the
 * real symbol names, driven by a scenario file named by AIMETER_FAKE_NVML_SCENARIO (read
 * by nvmlInit; without it nvmlInit fails with DRIVER_NOT_LOADED).
 *
 * Built twice (tests/fakes/meson.build): libfake_nvml.so is a current driver;
 * libfake_nvml_old.so (FAKE_NVML_OLD) is an old one that lacks the newer symbols
 * (nvmlInit_v2, nvmlDeviceGetCount_v2, nvmlDeviceGetHandleByIndex_v2,
 * nvmlDeviceGetMemoryInfo_v2, nvmlDeviceGetFieldValues, nvmlDeviceGetCurrentClocksEventReasons)
 * and only has the plain names.
 *
 * Time base: CLOCK_MONOTONIC seconds since the first nvmlInit; the fake is real time.
 *
 * Scenario format: one statement per line, '#' starts a comment, numbers in C locale.
 *   gpus N                      number of GPUs (1..8; default 1)
 *   energy_refresh_ms MS        the energy counter advances every MS ms (default 100)
 *   gpuK name TEXT...           rest of the line (default "Fake GPU K")
 *   gpuK uuid TEXT              (default GPU-0000000K-fake-fake-fake-00000000000K)
 *   gpuK pci BUSID              (default 00000000:0K:00.0)
 *   gpuK power T:MW T:MW ...    piecewise-constant power trace: from T s on, MW milliwatts;
 *                               steps in increasing T, the first one holds from 0
 *                               (default 0:100000, i.e. 100 W throughout)
 *   gpuK energy_base MJ         counter value at init, mJ (default 1000000: "since driver load")
 *   gpuK lost_at T              from T s on every call on this GPU returns GPU_IS_LOST
 *   gpuK fail_at T              from T s on every call on this GPU returns UNKNOWN
 *   gpuK unsupported NAME...    these return NOT_SUPPORTED: power_instant power_avg energy
 *                               temperature mem_temp util clocks memory_v1 memory_v2 pcie_link
 *                               pcie_bytes nvlink power_limit pstate throttle fan
 *                               proc_util (ProcessUtilization) proc_info (every
 *                               ComputeRunningProcesses)
 *   gpuK temperature C | mem_temp C | fan PCT | pstate P | throttle MASK | power_limit MW
 *   gpuK util GPU MEM           percent
 *   gpuK clocks GR SM MEM       MHz
 *   gpuK memory TOTAL USED RESERVED   bytes (v1 reports used + reserved as used)
 *   gpuK pcie GEN WIDTH
 *   gpuK pcie_rate TX RX        bytes/s: the byte counters (fields 197/198) grow linearly
 *   gpuK nvlink_rate TX RX      KiB/s, all links (fields 138/139, scope all links)
 *   gpuK proc PID SM MEM [OLD]  a compute process (at most 8 per GPU): SM % in each process
 *                               sample, MEM bytes of GPU memory (-1: not available); with
 *                               OLD, each call also returns an older sample of it with OLD %
 *   gpuK proc_pidfile PATH SM MEM   a compute process whose pid is read from PATH at each call
 *                               (the workload writes it: its pid is not known in advance)
 *   gpuK proc_stride32          ComputeRunningProcesses_v3 writes 32-byte entries, as
 *                               drivers 535.43-535.86 did
 *   gpuK mig [PENDING]          MIG mode on (PENDING 0: off after the next reset); the
 *                               utilisation and process-utilisation calls then answer
 *                               NOT_SUPPORTED, as on a real MIG GPU
 *   gpuK mig_instance UUID      a MIG instance of this GPU (at most 4): GetHandleByUUID
 *                               finds it, GetDeviceHandleFromMigDeviceHandle gives gpuK
 *   driver TEXT | nvml_version TEXT   what nvmlSystemGet{Driver,NVML}Version say
 *   pcie_throughput_ms MS       how long nvmlDeviceGetPcieThroughput blocks (default 20);
 *                               it answers pcie_rate / 1024 (KB/s), unless pcie_throughput
 *                               is listed as unsupported
 * fake_nvml_device_calls() (not NVML) counts the device calls, so tests can check what a
 * poll asks for.
 * Process samples come every 100 ms of CLOCK_REALTIME (their time stamp is the start of the
 * current 100 ms, in µs); a call with last_seen at or after it gets NOT_FOUND.
 * Derived values: field 186 is the trace at t; nvmlDeviceGetPowerUsage and field 185 are the
 * trace's average over [t - 1 s, t]; the energy counter is energy_base + the exact integral
 * of the trace up to t rounded down to a multiple of the refresh period, truncated to mJ. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sources/nvidia/nvml_abi.h"

#define FAKE_MAX_GPUS 8
#define FAKE_MAX_STEPS 64

enum feature {
    F_POWER_INSTANT, F_POWER_AVG, F_ENERGY, F_TEMPERATURE, F_MEM_TEMP, F_UTIL, F_CLOCKS,
    F_MEMORY_V1, F_MEMORY_V2, F_PCIE_LINK, F_PCIE_BYTES, F_NVLINK, F_POWER_LIMIT, F_PSTATE,
    F_THROTTLE, F_FAN, F_PROC_UTIL, F_PROC_INFO, F_PCIE_THROUGHPUT, F__COUNT
};
static const char *const feature_names[F__COUNT] = {
    "power_instant", "power_avg", "energy", "temperature", "mem_temp", "util", "clocks",
    "memory_v1", "memory_v2", "pcie_link", "pcie_bytes", "nvlink", "power_limit", "pstate",
    "throttle", "fan", "proc_util", "proc_info", "pcie_throughput",
};
#define FAKE_MAX_MIG 4
#define FAKE_MAX_PROCS 8

typedef struct fake_gpu {
    char name[96], uuid[96], pci[32];
    int n_steps;
    double step_t[FAKE_MAX_STEPS], step_mw[FAKE_MAX_STEPS];
    unsigned long long energy_base;
    double lost_at, fail_at; /* < 0: never */
    int unsupported[F__COUNT];
    unsigned temperature, mem_temp, fan, power_limit, throttle, util_gpu, util_mem;
    int pstate;
    unsigned clk_gr, clk_sm, clk_mem, pcie_gen, pcie_width;
    unsigned long long mem_total, mem_used, mem_reserved;
    double pcie_tx, pcie_rx, nvlink_tx, nvlink_rx;
    int n_procs, stride32;
    unsigned proc_pid[FAKE_MAX_PROCS], proc_sm[FAKE_MAX_PROCS], proc_old_sm[FAKE_MAX_PROCS];
    int proc_has_old[FAKE_MAX_PROCS];
    long long proc_mem[FAKE_MAX_PROCS];
    char proc_pidfile[FAKE_MAX_PROCS][128]; /* "" unless the pid comes from a file */
    int mig, mig_pending;
    int n_mig;
    char mig_uuid[FAKE_MAX_MIG][96];
} fake_gpu;

/* A MIG instance handle: points here, never at a fake_gpu. */
typedef struct fake_mig {
    int gpu, k;
} fake_mig;

static struct {
    int refs;
    struct timespec t0;
    int n_gpus;
    double refresh_s;
    fake_gpu gpu[FAKE_MAX_GPUS];
    fake_mig migs[FAKE_MAX_GPUS][FAKE_MAX_MIG];
    char driver[80], nvml_version[80];
    double throughput_s;
    unsigned long device_calls;
} fk;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)(ts.tv_sec - fk.t0.tv_sec) + (double)(ts.tv_nsec - fk.t0.tv_nsec) * 1e-9;
}

/* Power (mW) at t: the last step that starts at or before t. */
static double power_at(const fake_gpu *g, double t) {
    double p = g->n_steps ? g->step_mw[0] : 0;
    for (int i = 0; i < g->n_steps; i++)
        if (g->step_t[i] <= t)
            p = g->step_mw[i];
    return p;
}

/* Integral of the trace over [0, t] in mW·s = mJ (steps in increasing time, the first
 * from 0). */
static double energy_mj(const fake_gpu *g, double t) {
    double e = 0;
    for (int i = 0; i < g->n_steps; i++) {
        double a = i == 0 ? 0 : g->step_t[i];
        double b = i + 1 < g->n_steps ? g->step_t[i + 1] : t;
        if (b > t)
            b = t;
        if (b > a)
            e += (b - a) * g->step_mw[i];
    }
    return e;
}

static void set_defaults(void) {
    memset(&fk.gpu, 0, sizeof fk.gpu);
    fk.n_gpus = 1;
    fk.refresh_s = 0.1;
    fk.throughput_s = 0.02;
    snprintf(fk.driver, sizeof fk.driver, "555.42.06");
    snprintf(fk.nvml_version, sizeof fk.nvml_version, "12.555.42.06");
    for (int k = 0; k < FAKE_MAX_GPUS; k++) {
        fake_gpu *g = &fk.gpu[k];
        snprintf(g->name, sizeof g->name, "Fake GPU %d", k);
        snprintf(g->uuid, sizeof g->uuid, "GPU-0000000%d-fake-fake-fake-00000000000%d", k, k);
        snprintf(g->pci, sizeof g->pci, "00000000:0%d:00.0", k);
        g->n_steps = 1;
        g->step_mw[0] = 100000;
        g->energy_base = 1000000;
        g->lost_at = -1;
        g->fail_at = -1;
        g->temperature = 40;
        g->mem_temp = 50;
        g->fan = 30;
        g->power_limit = 300000;
        g->util_gpu = 50;
        g->util_mem = 20;
        g->clk_gr = 1500;
        g->clk_sm = 1500;
        g->clk_mem = 5000;
        g->pcie_gen = 4;
        g->pcie_width = 16;
        g->mem_total = 8ull << 30;
        g->mem_used = 2ull << 30;
        g->mem_reserved = 1ull << 28;
    }
}

static void parse_gpu_line(fake_gpu *g, char *key, char *rest) {
    char *save = NULL;
    if (strcmp(key, "name") == 0) {
        rest[strcspn(rest, "\n")] = '\0';
        snprintf(g->name, sizeof g->name, "%s", rest);
    } else if (strcmp(key, "uuid") == 0) {
        sscanf(rest, "%95s", g->uuid);
    } else if (strcmp(key, "pci") == 0) {
        sscanf(rest, "%31s", g->pci);
    } else if (strcmp(key, "power") == 0) {
        g->n_steps = 0;
        for (char *tok = strtok_r(rest, " \t\n", &save); tok && g->n_steps < FAKE_MAX_STEPS;
             tok = strtok_r(NULL, " \t\n", &save))
            if (sscanf(tok, "%lf:%lf", &g->step_t[g->n_steps], &g->step_mw[g->n_steps]) == 2)
                g->n_steps++;
    } else if (strcmp(key, "energy_base") == 0) {
        sscanf(rest, "%llu", &g->energy_base);
    } else if (strcmp(key, "lost_at") == 0) {
        sscanf(rest, "%lf", &g->lost_at);
    } else if (strcmp(key, "fail_at") == 0) {
        sscanf(rest, "%lf", &g->fail_at);
    } else if (strcmp(key, "unsupported") == 0) {
        for (char *tok = strtok_r(rest, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
            for (int f = 0; f < F__COUNT; f++)
                if (strcmp(tok, feature_names[f]) == 0)
                    g->unsupported[f] = 1;
    } else if (strcmp(key, "temperature") == 0) {
        sscanf(rest, "%u", &g->temperature);
    } else if (strcmp(key, "mem_temp") == 0) {
        sscanf(rest, "%u", &g->mem_temp);
    } else if (strcmp(key, "fan") == 0) {
        sscanf(rest, "%u", &g->fan);
    } else if (strcmp(key, "pstate") == 0) {
        sscanf(rest, "%d", &g->pstate);
    } else if (strcmp(key, "throttle") == 0) {
        sscanf(rest, "%u", &g->throttle);
    } else if (strcmp(key, "power_limit") == 0) {
        sscanf(rest, "%u", &g->power_limit);
    } else if (strcmp(key, "util") == 0) {
        sscanf(rest, "%u %u", &g->util_gpu, &g->util_mem);
    } else if (strcmp(key, "clocks") == 0) {
        sscanf(rest, "%u %u %u", &g->clk_gr, &g->clk_sm, &g->clk_mem);
    } else if (strcmp(key, "memory") == 0) {
        sscanf(rest, "%llu %llu %llu", &g->mem_total, &g->mem_used, &g->mem_reserved);
    } else if (strcmp(key, "pcie") == 0) {
        sscanf(rest, "%u %u", &g->pcie_gen, &g->pcie_width);
    } else if (strcmp(key, "pcie_rate") == 0) {
        sscanf(rest, "%lf %lf", &g->pcie_tx, &g->pcie_rx);
    } else if (strcmp(key, "proc") == 0 && g->n_procs < FAKE_MAX_PROCS) {
        int k = g->n_procs;
        int n = sscanf(rest, "%u %u %lld %u", &g->proc_pid[k], &g->proc_sm[k], &g->proc_mem[k],
                       &g->proc_old_sm[k]);
        if (n >= 3) {
            g->proc_has_old[k] = n == 4;
            g->n_procs++;
        }
    } else if (strcmp(key, "proc_pidfile") == 0 && g->n_procs < FAKE_MAX_PROCS) {
        int k = g->n_procs;
        if (sscanf(rest, "%127s %u %lld", g->proc_pidfile[k], &g->proc_sm[k],
                   &g->proc_mem[k]) == 3)
            g->n_procs++;
    } else if (strcmp(key, "proc_stride32") == 0) {
        g->stride32 = 1;
    } else if (strcmp(key, "mig") == 0) {
        g->mig = 1;
        g->mig_pending = 1;
        sscanf(rest, "%d", &g->mig_pending);
    } else if (strcmp(key, "mig_instance") == 0 && g->n_mig < FAKE_MAX_MIG) {
        if (sscanf(rest, "%95s", g->mig_uuid[g->n_mig]) == 1)
            g->n_mig++;
    } else if (strcmp(key, "nvlink_rate") == 0) {
        sscanf(rest, "%lf %lf", &g->nvlink_tx, &g->nvlink_rx);
    }
}

static int load_scenario(void) {
    const char *path = getenv("AIMETER_FAKE_NVML_SCENARIO");
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return -1;
    set_defaults();
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "#")] = '\0';
        char key[32], sub[32];
        int off = 0;
        if (sscanf(line, " %31s %n", key, &off) != 1)
            continue;
        if (strcmp(key, "gpus") == 0) {
            sscanf(line + off, "%d", &fk.n_gpus);
            if (fk.n_gpus < 0 || fk.n_gpus > FAKE_MAX_GPUS)
                fk.n_gpus = FAKE_MAX_GPUS;
        } else if (strcmp(key, "driver") == 0 || strcmp(key, "nvml_version") == 0) {
            char *dst = key[0] == 'd' ? fk.driver : fk.nvml_version;
            char *text = line + off;
            text[strcspn(text, " \t\n")] = '\0';
            snprintf(dst, 80, "%s", text);
        } else if (strcmp(key, "pcie_throughput_ms") == 0) {
            double ms = 20;
            sscanf(line + off, "%lf", &ms);
            fk.throughput_s = ms >= 0 ? ms / 1000 : 0.02;
        } else if (strcmp(key, "energy_refresh_ms") == 0) {
            double ms = 100;
            sscanf(line + off, "%lf", &ms);
            fk.refresh_s = ms > 0 ? ms / 1000 : 0.1;
        } else if (strncmp(key, "gpu", 3) == 0 && key[3] >= '0' && key[3] < '0' + FAKE_MAX_GPUS &&
                   key[4] == '\0') {
            int off2 = 0;
            if (sscanf(line + off, "%31s %n", sub, &off2) == 1)
                parse_gpu_line(&fk.gpu[key[3] - '0'], sub, line + off + off2);
        }
    }
    fclose(f);
    return 0;
}

static fake_gpu *gpu_of(aim_nvml_device dev) { return (fake_gpu *)(void *)dev; }

/* The common checks of every device call: initialised, a known handle, not lost, and the
 * feature supported. */
static aim_nvml_return check(aim_nvml_device dev, int feature) {
    fk.device_calls++;
    if (fk.refs <= 0)
        return AIM_NVML_ERROR_UNINITIALIZED;
    fake_gpu *g = gpu_of(dev);
    if (g < &fk.gpu[0] || g >= &fk.gpu[fk.n_gpus])
        return AIM_NVML_ERROR_INVALID_ARGUMENT;
    if (g->lost_at >= 0 && now_s() >= g->lost_at)
        return AIM_NVML_ERROR_GPU_IS_LOST;
    if (g->fail_at >= 0 && now_s() >= g->fail_at)
        return AIM_NVML_ERROR_UNKNOWN;
    if (feature >= 0 && g->unsupported[feature])
        return AIM_NVML_ERROR_NOT_SUPPORTED;
    if (g->mig && (feature == F_UTIL || feature == F_PROC_UTIL))
        return AIM_NVML_ERROR_NOT_SUPPORTED; /* per instance only, in MIG mode */
    return AIM_NVML_SUCCESS;
}

/* Exported ABI: prototypes first (-Wmissing-prototypes), then the definitions. */
aim_nvml_return nvmlInit(void);
aim_nvml_return nvmlShutdown(void);
const char *nvmlErrorString(aim_nvml_return r);
aim_nvml_return nvmlDeviceGetCount(unsigned int *count);
aim_nvml_return nvmlDeviceGetHandleByIndex(unsigned int index, aim_nvml_device *dev);
aim_nvml_return nvmlDeviceGetName(aim_nvml_device dev, char *name, unsigned int len);
aim_nvml_return nvmlDeviceGetUUID(aim_nvml_device dev, char *uuid, unsigned int len);
aim_nvml_return nvmlDeviceGetPciInfo_v3(aim_nvml_device dev, aim_nvml_pci_info *pci);
aim_nvml_return nvmlDeviceGetPowerUsage(aim_nvml_device dev, unsigned int *mw);
aim_nvml_return nvmlDeviceGetTotalEnergyConsumption(aim_nvml_device dev, unsigned long long *mj);
aim_nvml_return nvmlDeviceGetEnforcedPowerLimit(aim_nvml_device dev, unsigned int *mw);
aim_nvml_return nvmlDeviceGetTemperature(aim_nvml_device dev, int sensor, unsigned int *c);
aim_nvml_return nvmlDeviceGetUtilizationRates(aim_nvml_device dev, aim_nvml_utilization *u);
aim_nvml_return nvmlDeviceGetClockInfo(aim_nvml_device dev, int clock, unsigned int *mhz);
aim_nvml_return nvmlDeviceGetMemoryInfo(aim_nvml_device dev, aim_nvml_memory *m);
aim_nvml_return nvmlDeviceGetCurrPcieLinkGeneration(aim_nvml_device dev, unsigned int *gen);
aim_nvml_return nvmlDeviceGetCurrPcieLinkWidth(aim_nvml_device dev, unsigned int *w);
aim_nvml_return nvmlDeviceGetPerformanceState(aim_nvml_device dev, int *p);
aim_nvml_return nvmlDeviceGetCurrentClocksThrottleReasons(aim_nvml_device dev,
                                                          unsigned long long *mask);
aim_nvml_return nvmlDeviceGetFanSpeed(aim_nvml_device dev, unsigned int *pct);
aim_nvml_return nvmlDeviceGetProcessUtilization(aim_nvml_device dev, aim_nvml_process_sample *buf,
                                                unsigned int *count,
                                                unsigned long long last_seen_us);
aim_nvml_return nvmlDeviceGetComputeRunningProcesses(aim_nvml_device dev, unsigned int *count,
                                                     void *infos);

aim_nvml_return nvmlInit(void) {
    if (fk.refs == 0) {
        if (load_scenario() < 0)
            return AIM_NVML_ERROR_DRIVER_NOT_LOADED;
        clock_gettime(CLOCK_MONOTONIC, &fk.t0);
    }
    fk.refs++;
    return AIM_NVML_SUCCESS;
}

aim_nvml_return nvmlShutdown(void) {
    if (fk.refs <= 0)
        return AIM_NVML_ERROR_UNINITIALIZED;
    fk.refs--;
    return AIM_NVML_SUCCESS;
}

const char *nvmlErrorString(aim_nvml_return r) {
    switch (r) {
    case AIM_NVML_SUCCESS: return "Success";
    case AIM_NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case AIM_NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    case AIM_NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    default: return "Unknown Error";
    }
}

aim_nvml_return nvmlDeviceGetCount(unsigned int *count) {
    if (fk.refs <= 0)
        return AIM_NVML_ERROR_UNINITIALIZED;
    *count = (unsigned)fk.n_gpus;
    return AIM_NVML_SUCCESS;
}

aim_nvml_return nvmlDeviceGetHandleByIndex(unsigned int index, aim_nvml_device *dev) {
    if (fk.refs <= 0)
        return AIM_NVML_ERROR_UNINITIALIZED;
    if (index >= (unsigned)fk.n_gpus)
        return AIM_NVML_ERROR_INVALID_ARGUMENT;
    *dev = (aim_nvml_device)(void *)&fk.gpu[index];
    return AIM_NVML_SUCCESS;
}

static aim_nvml_return copy_string(char *dst, unsigned len, const char *src) {
    if (strlen(src) + 1 > len)
        return AIM_NVML_ERROR_INSUFFICIENT_SIZE;
    memcpy(dst, src, strlen(src) + 1);
    return AIM_NVML_SUCCESS;
}

aim_nvml_return nvmlDeviceGetName(aim_nvml_device dev, char *name, unsigned int len) {
    aim_nvml_return r = check(dev, -1);
    return r ? r : copy_string(name, len, gpu_of(dev)->name);
}

aim_nvml_return nvmlDeviceGetUUID(aim_nvml_device dev, char *uuid, unsigned int len) {
    aim_nvml_return r = check(dev, -1);
    return r ? r : copy_string(uuid, len, gpu_of(dev)->uuid);
}

aim_nvml_return nvmlDeviceGetPciInfo_v3(aim_nvml_device dev, aim_nvml_pci_info *pci) {
    aim_nvml_return r = check(dev, -1);
    if (r)
        return r;
    memset(pci, 0, sizeof *pci);
    snprintf(pci->bus_id, sizeof pci->bus_id, "%s", gpu_of(dev)->pci);
    return AIM_NVML_SUCCESS;
}

static double avg_power_mw(const fake_gpu *g, double t) {
    if (t <= 0)
        return power_at(g, 0);
    double a = t > 1 ? t - 1 : 0;
    return (energy_mj(g, t) - energy_mj(g, a)) / (t - a);
}

aim_nvml_return nvmlDeviceGetPowerUsage(aim_nvml_device dev, unsigned int *mw) {
    aim_nvml_return r = check(dev, F_POWER_AVG);
    if (!r)
        *mw = (unsigned)(avg_power_mw(gpu_of(dev), now_s()) + 0.5);
    return r;
}

aim_nvml_return nvmlDeviceGetTotalEnergyConsumption(aim_nvml_device dev, unsigned long long *mj) {
    aim_nvml_return r = check(dev, F_ENERGY);
    if (r)
        return r;
    double t = now_s();
    double sampled = (double)(long long)(t / fk.refresh_s) * fk.refresh_s;
    *mj = gpu_of(dev)->energy_base + (unsigned long long)energy_mj(gpu_of(dev), sampled);
    return AIM_NVML_SUCCESS;
}

aim_nvml_return nvmlDeviceGetEnforcedPowerLimit(aim_nvml_device dev, unsigned int *mw) {
    aim_nvml_return r = check(dev, F_POWER_LIMIT);
    if (!r)
        *mw = gpu_of(dev)->power_limit;
    return r;
}

aim_nvml_return nvmlDeviceGetTemperature(aim_nvml_device dev, int sensor, unsigned int *c) {
    aim_nvml_return r = check(dev, F_TEMPERATURE);
    if (!r && sensor != AIM_NVML_TEMPERATURE_GPU)
        r = AIM_NVML_ERROR_INVALID_ARGUMENT;
    if (!r)
        *c = gpu_of(dev)->temperature;
    return r;
}

aim_nvml_return nvmlDeviceGetUtilizationRates(aim_nvml_device dev, aim_nvml_utilization *u) {
    aim_nvml_return r = check(dev, F_UTIL);
    if (!r) {
        u->gpu = gpu_of(dev)->util_gpu;
        u->memory = gpu_of(dev)->util_mem;
    }
    return r;
}

aim_nvml_return nvmlDeviceGetClockInfo(aim_nvml_device dev, int clock, unsigned int *mhz) {
    aim_nvml_return r = check(dev, F_CLOCKS);
    if (r)
        return r;
    const fake_gpu *g = gpu_of(dev);
    switch (clock) {
    case AIM_NVML_CLOCK_GRAPHICS: *mhz = g->clk_gr; return AIM_NVML_SUCCESS;
    case AIM_NVML_CLOCK_SM: *mhz = g->clk_sm; return AIM_NVML_SUCCESS;
    case AIM_NVML_CLOCK_MEM: *mhz = g->clk_mem; return AIM_NVML_SUCCESS;
    default: return AIM_NVML_ERROR_INVALID_ARGUMENT;
    }
}

aim_nvml_return nvmlDeviceGetMemoryInfo(aim_nvml_device dev, aim_nvml_memory *m) {
    aim_nvml_return r = check(dev, F_MEMORY_V1);
    if (r)
        return r;
    const fake_gpu *g = gpu_of(dev);
    m->total = g->mem_total;
    m->used = g->mem_used + g->mem_reserved; /* v1 counts reserved memory as used */
    m->free = m->total - m->used;
    return AIM_NVML_SUCCESS;
}

aim_nvml_return nvmlDeviceGetCurrPcieLinkGeneration(aim_nvml_device dev, unsigned int *gen) {
    aim_nvml_return r = check(dev, F_PCIE_LINK);
    if (!r)
        *gen = gpu_of(dev)->pcie_gen;
    return r;
}

aim_nvml_return nvmlDeviceGetCurrPcieLinkWidth(aim_nvml_device dev, unsigned int *w) {
    aim_nvml_return r = check(dev, F_PCIE_LINK);
    if (!r)
        *w = gpu_of(dev)->pcie_width;
    return r;
}

aim_nvml_return nvmlDeviceGetPerformanceState(aim_nvml_device dev, int *p) {
    aim_nvml_return r = check(dev, F_PSTATE);
    if (!r)
        *p = gpu_of(dev)->pstate;
    return r;
}

aim_nvml_return nvmlDeviceGetCurrentClocksThrottleReasons(aim_nvml_device dev,
                                                          unsigned long long *mask) {
    aim_nvml_return r = check(dev, F_THROTTLE);
    if (!r)
        *mask = gpu_of(dev)->throttle;
    return r;
}

aim_nvml_return nvmlDeviceGetFanSpeed(aim_nvml_device dev, unsigned int *pct) {
    aim_nvml_return r = check(dev, F_FAN);
    if (!r)
        *pct = gpu_of(dev)->fan;
    return r;
}

/* The pid of process k: from its file when it has one (0 while the file has none). */
static unsigned proc_pid(const fake_gpu *g, int k) {
    if (!g->proc_pidfile[k][0])
        return g->proc_pid[k];
    unsigned pid = 0;
    FILE *f = fopen(g->proc_pidfile[k], "r");
    if (f) {
        if (fscanf(f, "%u", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return pid;
}

aim_nvml_return nvmlDeviceGetProcessUtilization(aim_nvml_device dev, aim_nvml_process_sample *buf,
                                                unsigned int *count,
                                                unsigned long long last_seen_us) {
    aim_nvml_return r = check(dev, F_PROC_UTIL);
    if (r)
        return r;
    const fake_gpu *g = gpu_of(dev);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long long now_us = (unsigned long long)ts.tv_sec * 1000000ull +
                                (unsigned long long)ts.tv_nsec / 1000ull;
    unsigned long long stamp = now_us - now_us % 100000ull;
    unsigned n = 0;
    for (int k = 0; k < g->n_procs; k++)
        n += 1u + (unsigned)g->proc_has_old[k];
    if (n == 0 || stamp <= last_seen_us) {
        *count = 0;
        return AIM_NVML_ERROR_NOT_FOUND;
    }
    if (!buf || *count < n) {
        *count = n;
        return AIM_NVML_ERROR_INSUFFICIENT_SIZE;
    }
    unsigned o = 0;
    for (int k = 0; k < g->n_procs; k++) {
        /* The older sample after the newer: the order is not what decides. */
        buf[o++] = (aim_nvml_process_sample){ .pid = proc_pid(g, k), .timestamp_us = stamp,
                                              .sm_util = g->proc_sm[k], .mem_util = 1 };
        if (g->proc_has_old[k])
            buf[o++] = (aim_nvml_process_sample){ .pid = g->proc_pid[k],
                                                  .timestamp_us = stamp - 1000,
                                                  .sm_util = g->proc_old_sm[k] };
    }
    *count = o;
    return AIM_NVML_SUCCESS;
}

/* Entries of the given stride: pid at 0, memory at 8; GI/CI all ones (no MIG) from 16. */
static aim_nvml_return running_procs(aim_nvml_device dev, unsigned int *count, void *infos,
                                     size_t stride) {
    aim_nvml_return r = check(dev, F_PROC_INFO);
    if (r)
        return r;
    const fake_gpu *g = gpu_of(dev);
    unsigned n = (unsigned)g->n_procs;
    if (*count < n || (n > 0 && !infos)) {
        *count = n;
        return n ? AIM_NVML_ERROR_INSUFFICIENT_SIZE : AIM_NVML_SUCCESS;
    }
    unsigned char *p = infos;
    for (unsigned k = 0; k < n; k++) {
        unsigned char *e = p + k * stride;
        unsigned long long mem = g->proc_mem[k] < 0 ? ~0ull : (unsigned long long)g->proc_mem[k];
        memset(e, 0, stride);
        unsigned pid = proc_pid(g, k);
        memcpy(e, &pid, sizeof pid);
        memcpy(e + 8, &mem, sizeof mem);
        if (stride >= 24)
            memset(e + 16, 0xFF, 8);
    }
    *count = n;
    return AIM_NVML_SUCCESS;
}

aim_nvml_return nvmlDeviceGetComputeRunningProcesses(aim_nvml_device dev, unsigned int *count,
                                                     void *infos) {
    return running_procs(dev, count, infos, 16);
}

#ifndef FAKE_NVML_OLD
aim_nvml_return nvmlDeviceGetComputeRunningProcesses_v2(aim_nvml_device dev,
                                                        unsigned int *count, void *infos);
aim_nvml_return nvmlDeviceGetComputeRunningProcesses_v3(aim_nvml_device dev,
                                                        unsigned int *count, void *infos);

aim_nvml_return nvmlDeviceGetComputeRunningProcesses_v2(aim_nvml_device dev,
                                                        unsigned int *count, void *infos) {
    return running_procs(dev, count, infos, 24);
}

aim_nvml_return nvmlDeviceGetComputeRunningProcesses_v3(aim_nvml_device dev,
                                                        unsigned int *count, void *infos) {
    return running_procs(dev, count, infos, gpu_of(dev)->stride32 ? 32 : 24);
}
#endif

#ifndef FAKE_NVML_OLD
aim_nvml_return nvmlInit_v2(void);
aim_nvml_return nvmlDeviceGetCount_v2(unsigned int *count);
aim_nvml_return nvmlDeviceGetHandleByIndex_v2(unsigned int index, aim_nvml_device *dev);
aim_nvml_return nvmlDeviceGetMemoryInfo_v2(aim_nvml_device dev, aim_nvml_memory_v2 *m);
aim_nvml_return nvmlDeviceGetFieldValues(aim_nvml_device dev, int count, aim_nvml_field_value *v);
aim_nvml_return nvmlDeviceGetCurrentClocksEventReasons(aim_nvml_device dev,
                                                       unsigned long long *mask);

aim_nvml_return nvmlInit_v2(void) { return nvmlInit(); }
aim_nvml_return nvmlDeviceGetCount_v2(unsigned int *count) { return nvmlDeviceGetCount(count); }
aim_nvml_return nvmlDeviceGetHandleByIndex_v2(unsigned int index, aim_nvml_device *dev) {
    return nvmlDeviceGetHandleByIndex(index, dev);
}

aim_nvml_return nvmlDeviceGetMemoryInfo_v2(aim_nvml_device dev, aim_nvml_memory_v2 *m) {
    aim_nvml_return r = check(dev, F_MEMORY_V2);
    if (r)
        return r;
    if (m->version != AIM_NVML_MEMORY_V2_VERSION) /* as drivers >= 520 do */
        return AIM_NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    const fake_gpu *g = gpu_of(dev);
    m->total = g->mem_total;
    m->reserved = g->mem_reserved;
    m->used = g->mem_used;
    m->free = g->mem_total - g->mem_used - g->mem_reserved;
    return AIM_NVML_SUCCESS;
}

static void field_value(const fake_gpu *g, double t, aim_nvml_field_value *v) {
    int feature = -1;
    switch (v->field_id) {
    case AIM_NVML_FI_MEMORY_TEMP: feature = F_MEM_TEMP; break;
    case AIM_NVML_FI_POWER_INSTANT: feature = F_POWER_INSTANT; break;
    case AIM_NVML_FI_POWER_AVERAGE: feature = F_POWER_AVG; break;
    case AIM_NVML_FI_PCIE_COUNT_TX_BYTES:
    case AIM_NVML_FI_PCIE_COUNT_RX_BYTES: feature = F_PCIE_BYTES; break;
    case AIM_NVML_FI_NVLINK_THROUGHPUT_DATA_TX:
    case AIM_NVML_FI_NVLINK_THROUGHPUT_DATA_RX: feature = F_NVLINK; break;
    default: v->nvml_return = AIM_NVML_ERROR_NOT_SUPPORTED; return;
    }
    if (g->unsupported[feature]) {
        v->nvml_return = AIM_NVML_ERROR_NOT_SUPPORTED;
        return;
    }
    v->nvml_return = AIM_NVML_SUCCESS;
    v->timestamp_us = (long long)(t * 1e6);
    switch (v->field_id) {
    case AIM_NVML_FI_MEMORY_TEMP:
        v->value_type = AIM_NVML_VALUE_UINT;
        v->value.ui = g->mem_temp;
        break;
    case AIM_NVML_FI_POWER_INSTANT:
        v->value_type = AIM_NVML_VALUE_UINT;
        v->value.ui = (unsigned)(power_at(g, t) + 0.5);
        break;
    case AIM_NVML_FI_POWER_AVERAGE:
        v->value_type = AIM_NVML_VALUE_UINT;
        v->value.ui = (unsigned)(avg_power_mw(g, t) + 0.5);
        break;
    case AIM_NVML_FI_PCIE_COUNT_TX_BYTES:
    case AIM_NVML_FI_PCIE_COUNT_RX_BYTES:
        v->value_type = AIM_NVML_VALUE_ULONGLONG;
        v->value.ull = (unsigned long long)(t * (v->field_id == AIM_NVML_FI_PCIE_COUNT_TX_BYTES
                                                     ? g->pcie_tx : g->pcie_rx));
        break;
    default: /* NVLink: KiB, only the all-links scope is modelled */
        if (v->scope_id != AIM_NVML_SCOPE_ALL_LINKS) {
            v->nvml_return = AIM_NVML_ERROR_INVALID_ARGUMENT;
            return;
        }
        v->value_type = AIM_NVML_VALUE_ULONGLONG;
        v->value.ull = (unsigned long long)(t * (v->field_id ==
                                                 AIM_NVML_FI_NVLINK_THROUGHPUT_DATA_TX
                                                     ? g->nvlink_tx : g->nvlink_rx));
        break;
    }
}

aim_nvml_return nvmlDeviceGetFieldValues(aim_nvml_device dev, int count, aim_nvml_field_value *v) {
    aim_nvml_return r = check(dev, -1);
    if (r)
        return r;
    if (count < 0 || (count > 0 && !v))
        return AIM_NVML_ERROR_INVALID_ARGUMENT;
    double t = now_s();
    for (int i = 0; i < count; i++)
        field_value(gpu_of(dev), t, &v[i]);
    return AIM_NVML_SUCCESS;
}

aim_nvml_return nvmlDeviceGetCurrentClocksEventReasons(aim_nvml_device dev,
                                                       unsigned long long *mask) {
    return nvmlDeviceGetCurrentClocksThrottleReasons(dev, mask);
}
#endif

/* Not NVML: for tests that count what a poll asks the driver for. */
unsigned long fake_nvml_device_calls(void);
unsigned long fake_nvml_device_calls(void) { return fk.device_calls; }

aim_nvml_return nvmlSystemGetDriverVersion(char *buf, unsigned int len);
aim_nvml_return nvmlSystemGetNVMLVersion(char *buf, unsigned int len);
aim_nvml_return nvmlDeviceGetPcieThroughput(aim_nvml_device dev, int counter, unsigned int *kbps);
aim_nvml_return nvmlDeviceGetMigMode(aim_nvml_device dev, unsigned int *current,
                                     unsigned int *pending);
aim_nvml_return nvmlDeviceGetHandleByUUID(const char *uuid, aim_nvml_device *dev);
aim_nvml_return nvmlDeviceGetDeviceHandleFromMigDeviceHandle(aim_nvml_device mig,
                                                             aim_nvml_device *parent);

aim_nvml_return nvmlSystemGetDriverVersion(char *buf, unsigned int len) {
    return fk.refs <= 0 ? AIM_NVML_ERROR_UNINITIALIZED : copy_string(buf, len, fk.driver);
}

aim_nvml_return nvmlSystemGetNVMLVersion(char *buf, unsigned int len) {
    return fk.refs <= 0 ? AIM_NVML_ERROR_UNINITIALIZED : copy_string(buf, len, fk.nvml_version);
}

/* Blocks like the driver, which samples the counter over a short window. */
aim_nvml_return nvmlDeviceGetPcieThroughput(aim_nvml_device dev, int counter, unsigned int *kbps) {
    aim_nvml_return r = check(dev, F_PCIE_THROUGHPUT);
    if (r)
        return r;
    if (counter != AIM_NVML_PCIE_UTIL_TX_BYTES && counter != AIM_NVML_PCIE_UTIL_RX_BYTES)
        return AIM_NVML_ERROR_INVALID_ARGUMENT;
    struct timespec ts = { (time_t)fk.throughput_s,
                           (long)((fk.throughput_s - (double)(time_t)fk.throughput_s) * 1e9) };
    nanosleep(&ts, NULL);
    const fake_gpu *g = gpu_of(dev);
    *kbps = (unsigned)((counter == AIM_NVML_PCIE_UTIL_TX_BYTES ? g->pcie_tx : g->pcie_rx) / 1024);
    return AIM_NVML_SUCCESS;
}

aim_nvml_return nvmlDeviceGetMigMode(aim_nvml_device dev, unsigned int *current,
                                     unsigned int *pending) {
    aim_nvml_return r = check(dev, -1);
    if (r)
        return r;
    *current = (unsigned)gpu_of(dev)->mig;
    *pending = (unsigned)(gpu_of(dev)->mig ? gpu_of(dev)->mig_pending : 0);
    return AIM_NVML_SUCCESS;
}

aim_nvml_return nvmlDeviceGetHandleByUUID(const char *uuid, aim_nvml_device *dev) {
    if (fk.refs <= 0)
        return AIM_NVML_ERROR_UNINITIALIZED;
    for (int i = 0; i < fk.n_gpus; i++) {
        if (strcmp(fk.gpu[i].uuid, uuid) == 0) {
            *dev = (aim_nvml_device)(void *)&fk.gpu[i];
            return AIM_NVML_SUCCESS;
        }
        for (int k = 0; k < fk.gpu[i].n_mig; k++)
            if (strcmp(fk.gpu[i].mig_uuid[k], uuid) == 0) {
                fk.migs[i][k] = (fake_mig){ i, k };
                *dev = (aim_nvml_device)(void *)&fk.migs[i][k];
                return AIM_NVML_SUCCESS;
            }
    }
    return AIM_NVML_ERROR_NOT_FOUND;
}

aim_nvml_return nvmlDeviceGetDeviceHandleFromMigDeviceHandle(aim_nvml_device mig,
                                                             aim_nvml_device *parent) {
    const fake_mig *m = (const fake_mig *)(const void *)mig;
    if (fk.refs <= 0)
        return AIM_NVML_ERROR_UNINITIALIZED;
    if (m < &fk.migs[0][0] || m >= &fk.migs[0][0] + FAKE_MAX_GPUS * FAKE_MAX_MIG)
        return AIM_NVML_ERROR_INVALID_ARGUMENT; /* not a MIG handle */
    *parent = (aim_nvml_device)(void *)&fk.gpu[m->gpu];
    return AIM_NVML_SUCCESS;
}
