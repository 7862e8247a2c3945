/* The NVML source against the fake libnvidia-ml (tests/fakes/fake_nvml.c), whose path is
 * argv[1]. Prints two tables:
 *  1. CPU time per poll for 8 GPUs with every quantity, minus the time the fake library
 *     itself spends answering the same calls: what is left is aimeter's own cost, which a
 *     real driver's ioctls come on top of.
 *  2. Energy over ~3 s of a fast square-wave power trace, from the energy counter and from
 *     trapezoid integration of sampled power, against the trace's exact integral.
 * The fake's clock starts at its first nvmlInit; this program calls nvmlInit itself before
 * opening the source so that it knows that instant. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "processing/energy.h"
#include "sources/catalog.h"
#include "util/dynlib.h"
#include "sources/source.h"
#include "sources/nvidia/nvml_abi.h"
#include "sources/nvidia/nvml_internal.h" /* to make every poll find new process samples */
#include "model/job_slots.h"

#define N_GPUS 8
#define N_STEPS 64 /* the fake keeps at most 64 steps per trace */

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The same functions the source resolves, under the same names, newest first. */
#define SYM(field, ...) { { __VA_ARGS__, NULL }, offsetof(aim_nvml_api, field), 1 }
static const aim_dynsym syms[] = {
    SYM(init, "nvmlInit_v2", "nvmlInit"),
    SYM(shutdown, "nvmlShutdown"),
    SYM(get_count, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"),
    SYM(get_handle_by_index, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"),
    SYM(get_power_usage, "nvmlDeviceGetPowerUsage"),
    SYM(get_total_energy, "nvmlDeviceGetTotalEnergyConsumption"),
    SYM(get_enforced_power_limit, "nvmlDeviceGetEnforcedPowerLimit"),
    SYM(get_temperature, "nvmlDeviceGetTemperature"),
    SYM(get_utilization, "nvmlDeviceGetUtilizationRates"),
    SYM(get_clock_info, "nvmlDeviceGetClockInfo"),
    SYM(get_memory_info_v2, "nvmlDeviceGetMemoryInfo_v2"),
    SYM(get_pcie_gen, "nvmlDeviceGetCurrPcieLinkGeneration"),
    SYM(get_pcie_width, "nvmlDeviceGetCurrPcieLinkWidth"),
    SYM(get_field_values, "nvmlDeviceGetFieldValues"),
    SYM(get_pstate, "nvmlDeviceGetPerformanceState"),
    SYM(get_clock_reasons, "nvmlDeviceGetCurrentClocksEventReasons",
        "nvmlDeviceGetCurrentClocksThrottleReasons"),
    SYM(get_fan_speed, "nvmlDeviceGetFanSpeed"),
};
#undef SYM

/* The per-process calls, resolved apart (optional: an older fake or driver lacks them). */
typedef struct proc_api {
    aim_nvml_return (*util)(aim_nvml_device dev, aim_nvml_process_sample *buf, unsigned int *count,
                            unsigned long long last_seen_us);
    aim_nvml_return (*procs)(aim_nvml_device dev, unsigned int *count, void *infos);
} proc_api;
static const aim_dynsym proc_syms[] = {
    { { "nvmlDeviceGetProcessUtilization", NULL }, offsetof(proc_api, util), 0 },
    { { "nvmlDeviceGetComputeRunningProcesses_v3", "nvmlDeviceGetComputeRunningProcesses_v2",
        "nvmlDeviceGetComputeRunningProcesses", NULL }, offsetof(proc_api, procs), 0 },
};

static aim_dynlib lib, lib2;
static aim_nvml_api api;
static proc_api papi;

static int write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static int source_index(const char *name) {
    for (int i = 0; i < aim_source_count; i++)
        if (strcmp(aim_sources[i]->name, name) == 0)
            return i;
    return -1;
}

/* Opens the nvml source into cat; returns its state or NULL. */
static void *open_source_in(aim_catalog *cat, aim_frame **ret_frame, pid_t target,
                            const char *procfs, const aim_job_slots *slots) {
    int idx = source_index("nvml");
    aim__catalog_init(cat);
    aim_source_ctx ctx;
    aim__source_ctx_init(&ctx, cat, idx, 0);
    aim_source_env env = { .sysfs_root = "/sys", .procfs_root = procfs,
                           .interval_ns = 10000000, .target_pid = target, .job_slots = slots };
    void *st = NULL;
    if (idx < 0 || aim_sources[idx]->open(&env, &ctx, &st) < 0) {
        for (int w = 0; w < cat->n_warnings; w++)
            fprintf(stderr, "bench_gpu: %s\n", cat->warnings[w]);
        return NULL;
    }
    if (aim__frame_alloc(0, cat->n_series, ret_frame) < 0) {
        aim_sources[idx]->close(st);
        return NULL;
    }
    return st;
}

static void *open_source(aim_catalog *cat, aim_frame **ret_frame, pid_t target) {
    return open_source_in(cat, ret_frame, target, "/proc", NULL);
}

/* ------------------------------------------------------------------ 1. cost per poll */

/* The GPUs' handles and the batch of fields the source asks each for (nvml.c). */
static void fake_handles(aim_nvml_device h[N_GPUS], aim_nvml_field_value fv[N_GPUS][6]) {
    static const unsigned ids[6] = { AIM_NVML_FI_POWER_INSTANT, AIM_NVML_FI_MEMORY_TEMP,
                                     AIM_NVML_FI_PCIE_COUNT_TX_BYTES, AIM_NVML_FI_PCIE_COUNT_RX_BYTES,
                                     AIM_NVML_FI_NVLINK_THROUGHPUT_DATA_TX,
                                     AIM_NVML_FI_NVLINK_THROUGHPUT_DATA_RX };
    memset(fv, 0, N_GPUS * sizeof fv[0]);
    for (int g = 0; g < N_GPUS; g++) {
        api.get_handle_by_index((unsigned)g, &h[g]);
        for (int i = 0; i < 6; i++) {
            fv[g][i].field_id = ids[i];
            fv[g][i].scope_id = i >= 4 ? AIM_NVML_SCOPE_ALL_LINKS : 0;
        }
    }
}

/* One poll's worth of calls for one GPU, as the source makes them (nvml.c read_gpu). The
 * field array is prepared once: filling it is aimeter's work, not the library's. */
static void fake_calls(aim_nvml_device h, aim_nvml_field_value *fv, int n_fields, int procs) {
    unsigned int u;
    unsigned long long ull;
    int ps;
    aim_nvml_utilization ut;
    aim_nvml_memory_v2 m2 = { .version = AIM_NVML_MEMORY_V2_VERSION };
    api.get_field_values(h, n_fields, fv);
    api.get_power_usage(h, &u);
    api.get_total_energy(h, &ull);
    api.get_temperature(h, AIM_NVML_TEMPERATURE_GPU, &u);
    api.get_utilization(h, &ut);
    api.get_clock_info(h, AIM_NVML_CLOCK_GRAPHICS, &u);
    api.get_clock_info(h, AIM_NVML_CLOCK_SM, &u);
    api.get_clock_info(h, AIM_NVML_CLOCK_MEM, &u);
    api.get_memory_info_v2(h, &m2);
    api.get_pcie_gen(h, &u);
    api.get_pcie_width(h, &u);
    api.get_enforced_power_limit(h, &u);
    api.get_pstate(h, &ps);
    api.get_clock_reasons(h, &ull);
    api.get_fan_speed(h, &u);
    if (procs && papi.util && papi.procs) {
        static aim_nvml_process_sample samples[128];
        static unsigned char infos[128 * 32];
        static unsigned long long last_seen;
        unsigned int n = 128;
        if (papi.util(h, samples, &n, last_seen) == AIM_NVML_SUCCESS && n > 0)
            last_seen = samples[0].timestamp_us;
        n = 128;
        papi.procs(h, &n, infos);
    }
}

/* procs: the benchmark's own process is the monitored tree, and each GPU runs this process
 * (1: in the tree, found at once), or (2) also its parent (not in the tree: the source walks
 * /proc parent links up to init to find out, on every poll). */
static size_t gpu_lines(char *text, size_t size) {
    size_t o = (size_t)snprintf(text, size, "gpus %d\n", N_GPUS);
    for (int k = 0; k < N_GPUS && o < size; k++)
        o += (size_t)snprintf(text + o, size - o,
                              "gpu%d name Fake H100\ngpu%d power 0:300000 1:450000 2:200000\n"
                              "gpu%d temperature 61\ngpu%d mem_temp 70\ngpu%d fan 40\n"
                              "gpu%d pstate 0\ngpu%d throttle 4\ngpu%d power_limit 700000\n"
                              "gpu%d util 87 45\ngpu%d clocks 1980 1980 2619\n"
                              "gpu%d memory 85899345920 42949672960 536870912\n"
                              "gpu%d pcie 5 16\ngpu%d pcie_rate 2e9 1e9\n"
                              "gpu%d nvlink_rate 1e7 1e7\n",
                              k, k, k, k, k, k, k, k, k, k, k, k, k, k);
    return o;
}

static int bench_cost(const char *scenario, int polls, int procs) {
    char text[4096];
    size_t o = gpu_lines(text, sizeof text);
    for (int k = 0; procs && k < N_GPUS && o < sizeof text; k++)
        o += (size_t)snprintf(text + o, sizeof text - o, "gpu%d proc %d 40 4294967296\n", k,
                              (int)getpid());
    for (int k = 0; procs == 2 && k < N_GPUS && o < sizeof text; k++)
        o += (size_t)snprintf(text + o, sizeof text - o, "gpu%d proc %d 10 1073741824\n", k,
                              (int)getppid());
    if (o >= sizeof text || write_file(scenario, text) < 0)
        return -1;
    setenv("AIMETER_FAKE_NVML_SCENARIO", scenario, 1);

    static aim_catalog cat;
    aim_frame *f;
    void *st = open_source(&cat, &f, procs ? getpid() : 0);
    if (!st)
        return -1;
    const aim_source_ops *ops = aim_sources[source_index("nvml")];
    for (int w = 0; w < 100; w++)
        ops->poll(st, f);
    double c0 = thread_cpu_ns();
    for (int k = 0; k < polls; k++) {
        aim__frame_reset(f, mono_ns());
        ops->poll(st, f);
    }
    double total = (thread_cpu_ns() - c0) / polls;
    int valid = 0; /* a guard: a poll that failed would be cheap and look good */
    for (int s = 0; s < cat.n_series; s++)
        valid += f->valid[s];

    /* The library alone, same calls, while it is initialised by the source. */
    api.init();
    aim_nvml_device h[N_GPUS];
    aim_nvml_field_value fv[N_GPUS][6];
    fake_handles(h, fv);
    for (int w = 0; w < 100; w++)
        for (int g = 0; g < N_GPUS; g++)
            fake_calls(h[g], fv[g], 6, procs);
    c0 = thread_cpu_ns();
    for (int k = 0; k < polls; k++)
        for (int g = 0; g < N_GPUS; g++)
            fake_calls(h[g], fv[g], 6, procs);
    double fake = (thread_cpu_ns() - c0) / polls;
    api.shutdown();

    const char *what = procs == 2 ? "per-process series, + 1 foreign process per GPU"
                       : procs    ? "per-process series, 1 tree process per GPU"
                                  : "no monitored process";
    printf("| %s: nvml source, total | %d (%d valid) | %.2f | %.2f |\n", what, cat.n_series,
           valid, total / 1e3, total / 1e3 / N_GPUS);
    printf("| %s: fake library alone (%d calls per GPU) | | %.2f | %.2f |\n", what,
           procs && papi.util && papi.procs ? 17 : 15, fake / 1e3, fake / 1e3 / N_GPUS);
    printf("| %s: **aimeter's own cost = total − fake** | | **%.2f** | %.2f |\n", what,
           (total - fake) / 1e3, (total - fake) / 1e3 / N_GPUS);
    ops->close(st);
    aim__frame_free(f);
    return 0;
}

/* An agent's job slots (issue 16): 4 jobs, each GPU running 2 job processes and 1 outside
 * any job, their /proc/PID/{stat,cgroup} in a fixture tree; every poll finds a new sample of
 * each process (the fake gives one per 100 ms: the poll's last-seen time is reset), the
 * worst case: the pid-to-job matching at every tick. */
static int bench_jobs(const char *scenario, int polls) {
    char root[] = "/tmp/bench_gpu_proc_XXXXXX", path[256], text[8192];
    if (!mkdtemp(root))
        return -1;
    size_t o = gpu_lines(text, sizeof text);
    for (int k = 0; k < N_GPUS; k++)
        for (int p = 0; p < 3 && o < sizeof text; p++) {
            int pid = 1000 + 3 * k + p;
            o += (size_t)snprintf(text + o, sizeof text - o, "gpu%d proc %d %d 1073741824\n", k,
                                  pid, 20 + p);
            snprintf(path, sizeof path, "%s/%d", root, pid);
            mkdir(path, 0755);
            char line[128];
            snprintf(path, sizeof path, "%s/%d/stat", root, pid);
            snprintf(line, sizeof line, "%d (python3) S 1 %d %d 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 "
                     "%d 1000 10 0\n", pid, pid, pid, 500 + pid);
            write_file(path, line);
            snprintf(path, sizeof path, "%s/%d/cgroup", root, pid);
            if (p < 2)
                snprintf(line, sizeof line, "0::/system.slice/slurmstepd.scope/job_%d/step_0/"
                         "user/task_%d\n", (3 * k + p) % 4, p);
            else
                snprintf(line, sizeof line, "0::/user.slice/user-1000.slice/session-1.scope\n");
            write_file(path, line);
        }
    if (o >= sizeof text || write_file(scenario, text) < 0)
        return -1;
    setenv("AIMETER_FAKE_NVML_SCENARIO", scenario, 1);
    static aim_job_slots slots;
    aim__job_slots_init(&slots);
    for (int j = 0; j < 4; j++) {
        snprintf(path, sizeof path, "/system.slice/slurmstepd.scope/job_%d", j);
        aim__job_slots_claim(&slots, path, 0, NULL);
    }
    static aim_catalog cat;
    aim_frame *f;
    nv_state *st = open_source_in(&cat, &f, 0, root, &slots);
    if (!st)
        return -1;
    const aim_source_ops *ops = aim_sources[source_index("nvml")];
    for (int w = 0; w < 100; w++)
        ops->poll(st, f);
    double c0 = thread_cpu_ns();
    for (int k = 0; k < polls; k++) {
        for (int g = 0; g < st->n; g++)
            st->g[g].proc_last_seen_us = 0;
        aim__frame_reset(f, mono_ns());
        ops->poll(st, f);
    }
    double total = (thread_cpu_ns() - c0) / polls;
    int valid = 0;
    for (int s = 0; s < cat.n_series; s++)
        valid += f->valid[s];
    api.init();
    aim_nvml_device h[N_GPUS];
    aim_nvml_field_value fv[N_GPUS][6];
    fake_handles(h, fv);
    static aim_nvml_process_sample samples[128];
    c0 = thread_cpu_ns();
    for (int k = 0; k < polls; k++)
        for (int g = 0; g < N_GPUS; g++) {
            fake_calls(h[g], fv[g], 6, 0);
            unsigned int n = 128;
            papi.util(h[g], samples, &n, 0);
        }
    double fake = (thread_cpu_ns() - c0) / polls;
    api.shutdown();
    const char *what = "agent, 4 jobs: 2 job + 1 other process per GPU, new samples every poll";
    printf("| %s: nvml source, total | %d (%d valid) | %.2f | %.2f |\n", what, cat.n_series,
           valid, total / 1e3, total / 1e3 / N_GPUS);
    printf("| %s: fake library alone (16 calls per GPU) | | %.2f | %.2f |\n", what, fake / 1e3,
           fake / 1e3 / N_GPUS);
    printf("| %s: **aimeter's own cost = total − fake** | | **%.2f** | %.2f |\n", what,
           (total - fake) / 1e3, (total - fake) / 1e3 / N_GPUS);
    ops->close(st);
    aim__frame_free(f);
    snprintf(text, sizeof text, "rm -rf '%s'", root);
    return system(text) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ 2. energy */

static double step_t[N_STEPS], step_w[N_STEPS];

/* Exact integral of the trace (W) over [0, t] s. */
static double trace_j(double t) {
    double e = 0;
    for (int i = 0; i < N_STEPS; i++) {
        double a = step_t[i], b = i + 1 < N_STEPS ? step_t[i + 1] : t;
        if (b > t)
            b = t;
        if (b > a)
            e += (b - a) * step_w[i];
    }
    return e;
}

typedef struct method {
    aim_energy_meter counter, power, power_avg;
    int64_t first, last;
    int n;
} method;

static void feed(method *m, const aim_catalog *cat, const aim_frame *f) {
    if (m->n++ == 0) { /* compared over [first, last]: no start edge to extrapolate */
        m->first = f->t_ns;
        m->counter.start_t = m->power.start_t = m->power_avg.start_t = f->t_ns;
    }
    m->last = f->t_ns;
    for (int s = 0; s < cat->n_series; s++) {
        if (!f->valid[s] || cat->series[s].device != 0)
            continue;
        double v = f->values[s], p;
        switch (cat->series[s].metric) {
        case AIM_M_ENERGY: aim__energy_meter_counter(&m->counter, f->t_ns, v, &p); break;
        case AIM_M_POWER: aim__energy_meter_power(&m->power, f->t_ns, v); break;
        case AIM_M_GPU_POWER_AVG: aim__energy_meter_power(&m->power_avg, f->t_ns, v); break;
        default: break;
        }
    }
}

static void print_method(const char *label, const method *m, int64_t t0, int has_avg) {
    double exact = trace_j((double)(m->last - t0) / 1e9) - trace_j((double)(m->first - t0) / 1e9);
    const struct { const char *what; const aim_energy_meter *e; } rows[3] = {
        { "energy counter (`energy`)", &m->counter },
        { "trapezoid of instantaneous `power` (field 186)", &m->power },
        { "trapezoid of `gpu.power_avg` (1 s average)", &m->power_avg },
    };
    printf("| %s | exact integral of the trace | %.2f | — |\n", label, exact);
    for (int r = 0; r < (has_avg ? 3 : 2); r++) {
        double err = 100.0 * (rows[r].e->energy_j - exact) / exact;
        if (err > -0.005 && err < 0.005)
            err = 0; /* rounding noise would print as "-0.00 %" */
        printf("| %s | %s | %.2f | %+.2f %% |\n", label, rows[r].what, rows[r].e->energy_j, err);
    }
}

static int bench_energy(const char *scenario, double seconds) {
    /* An irregular square wave, 100 W <-> 400 W, each level held 30-70 ms (fixed seed). */
    unsigned seed = 12345;
    char text[4096];
    size_t o = (size_t)snprintf(text, sizeof text, "gpus 1\nenergy_refresh_ms 100\ngpu0 power");
    double t = 0;
    for (int i = 0; i < N_STEPS; i++) {
        step_t[i] = t;
        step_w[i] = i % 2 ? 400 : 100;
        if (o < sizeof text)
            o += (size_t)snprintf(text + o, sizeof text - o, " %.3f:%.0f", t, step_w[i] * 1000);
        seed = seed * 1103515245u + 12345u;
        t += (30 + (seed >> 16) % 41) / 1000.0;
        t = (double)(int64_t)(t * 1000 + 0.5) / 1000; /* ms, as written to the file */
    }
    if (o + 2 >= sizeof text)
        return -1;
    strcat(text, "\n");
    if (write_file(scenario, text) < 0)
        return -1;
    setenv("AIMETER_FAKE_NVML_SCENARIO", scenario, 1);

    /* Our own nvmlInit starts the fake's clock: t0 is that instant (within microseconds). */
    if (api.init() != AIM_NVML_SUCCESS)
        return -1;
    int64_t t0 = mono_ns();
    static aim_catalog cat;
    aim_frame *f;
    void *st = open_source(&cat, &f, 0);
    if (!st) {
        api.shutdown();
        return -1;
    }
    int has_avg = 0;
    for (int s = 0; s < cat.n_series; s++)
        has_avg |= cat.series[s].metric == AIM_M_GPU_POWER_AVG;
    const aim_source_ops *ops = aim_sources[source_index("nvml")];

    /* One real-time run at 10 ms; every 10th poll also feeds the 100 ms meters, so both
     * rates see the same trace from the same start. */
    method m10 = { 0 }, m100 = { 0 };
    /* Start 37 ms after the fake's t0, so the polls do not fall just after the counter's
     * 100 ms refreshes (that phase would make the counter look exact at both ends). */
    int64_t start = t0 + 37000000, period = 10000000;
    struct timespec next;
    for (int k = 0; (double)(k * period) <= seconds * 1e9; k++) {
        int64_t due = start + k * period;
        next.tv_sec = (time_t)(due / 1000000000);
        next.tv_nsec = (long)(due % 1000000000);
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        aim__frame_reset(f, mono_ns());
        if (ops->poll(st, f) < 0)
            break;
        feed(&m10, &cat, f);
        if (k % 10 == 0)
            feed(&m100, &cat, f);
    }
    printf("| poll interval | method | energy J | error vs exact |\n|---|---|---|---|\n");
    print_method("100 ms", &m100, t0, has_avg);
    print_method("10 ms", &m10, t0, has_avg);
    printf("\nspan: %.3f s (100 ms, %d polls), %.3f s (10 ms, %d polls); counter refresh "
           "100 ms; trace: %d steps of 30-70 ms, 100 W / 400 W\n",
           (double)(m100.last - m100.first) / 1e9, m100.n, (double)(m10.last - m10.first) / 1e9,
           m10.n, N_STEPS);
    ops->close(st);
    aim__frame_free(f);
    api.shutdown();
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_gpu PATH/libfake_nvml.so [polls]\n");
        return 2;
    }
    int polls = argc > 2 ? atoi(argv[2]) : 20000;
    if (polls < 1)
        polls = 1;
    setenv("AIMETER_NVML_LIBRARY", argv[1], 1);
    char err[320];
    /* Our own handle keeps the library (and its state) loaded while the source opens and
     * closes its own; both resolve to the same functions. */
    if (aim__dynlib_open(&lib, NULL, "AIMETER_NVML_LIBRARY", syms, sizeof syms / sizeof syms[0],
                        &api, err, sizeof err) < 0) {
        fprintf(stderr, "bench_gpu: %s\n", err);
        return 1;
    }
    char scenario[] = "/tmp/bench_gpu_XXXXXX";
    int fd = mkstemp(scenario);
    if (fd < 0) {
        perror("bench_gpu: mkstemp");
        return 1;
    }
    close(fd);
    aim__dynlib_open(&lib2, NULL, "AIMETER_NVML_LIBRARY", proc_syms,
                    sizeof proc_syms / sizeof proc_syms[0], &papi, err, sizeof err);
    printf("| 8 simulated GPUs, every quantity, %d polls | series | CPU µs per poll | per GPU |\n"
           "|---|---|---|---|\n", polls);
    int r = bench_cost(scenario, polls, 0);
    for (int procs = 1; r == 0 && procs <= 2; procs++)
        r = bench_cost(scenario, polls, procs);
    if (r == 0 && papi.util)
        r = bench_jobs(scenario, polls);
    if (r == 0) {
        printf("| target (issue 3): aimeter's own cost | | ≤ 50 | |\n");
        printf("\n");
        r = bench_energy(scenario, 3.0);
    }
    unlink(scenario);
    aim__dynlib_close(&lib2);
    aim__dynlib_close(&lib);
    if (r < 0)
        fprintf(stderr, "bench_gpu: the nvml source did not open on the fake library\n");
    return r < 0 ? 1 : 0;
}
