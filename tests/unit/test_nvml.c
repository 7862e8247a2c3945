/* The NVML source against tests/fakes/fake_nvml.c (a current driver) and its old-driver
 * build. Scenarios are written per test into a temporary file; the fake's clock is real
 * time since its nvmlInit, so the tests that depend on time hold their own reference to the
 * fake (the same loaded copy the source uses) and know when that clock started. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/catalog.h"
#include "model/metric_select.h"
#include "source_rig.h"
#include "sources/nvidia/gpu_select.h"
#include "tmptree.h"
#include "sources/nvidia/nvml_abi.h"

extern const aim_source_ops aim_source_nvml;

static char scenario_path[64];

/* What a test holds, released by teardown when the test failed half-way: a fake left
 * initialised would keep its scenario for the next test. */
static struct rig *held_rig;
static void *held_fake;

static void write_scenario(const char *text) {
    if (scenario_path[0]) /* a test's second scenario: the first one's file goes */
        unlink(scenario_path);
    snprintf(scenario_path, sizeof scenario_path, "/tmp/aim-test-nvml-XXXXXX");
    int fd = mkstemp(scenario_path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    setenv("AIMETER_FAKE_NVML_SCENARIO", scenario_path, 1);
}

static int setup(void **unused) {
    setenv("AIMETER_NVML_LIBRARY", AIM_FAKE_NVML, 1);
    unsetenv("AIMETER_GPUS");
    unsetenv("CUDA_VISIBLE_DEVICES");
    scenario_path[0] = '\0';
    return 0;
}

static void fake_shutdown(void *handle);

static int teardown(void **unused) {
    if (held_rig)
        rig_close(held_rig);
    held_rig = NULL;
    if (held_fake)
        fake_shutdown(held_fake);
    held_fake = NULL;
    if (scenario_path[0])
        unlink(scenario_path);
    unsetenv("AIMETER_FAKE_NVML_SCENARIO");
    return 0;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_s(double s) {
    if (s <= 0)
        return;
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void open_rig(rig *g) {
    rig_open(g, &aim_source_nvml, NULL, NULL, 0);
    held_rig = g;
}

static void close_rig(rig *g) {
    rig_close(g);
    held_rig = NULL;
}

static int poll_now(rig *g) {
    g->t_ns = now_ns();
    return rig_poll(g);
}

/* A reference to the fake the source will load, and the fake clock's start. */
typedef struct fake_ref {
    void *handle;
    double t0;
} fake_ref;

static void fake_hold(fake_ref *f, const char *path) {
    f->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    assert_non_null(f->handle);
    aim_nvml_return (*init)(void);
    void *sym = dlsym(f->handle, "nvmlInit");
    assert_non_null(sym);
    memcpy(&init, &sym, sizeof init); /* as dynlib does: ISO C has no object-to-function cast */
    double before = now_s();
    assert_int_equal(init(), AIM_NVML_SUCCESS);
    f->t0 = (before + now_s()) / 2;
    held_fake = f->handle;
}

static void fake_shutdown(void *handle) {
    aim_nvml_return (*shutdown)(void);
    void *sym = dlsym(handle, "nvmlShutdown");
    memcpy(&shutdown, &sym, sizeof shutdown);
    if (shutdown)
        shutdown();
    dlclose(handle);
}

static void fake_release(fake_ref *f) {
    held_fake = NULL;
    fake_shutdown(f->handle);
}

static const char two_gpus[] =
    "# two GPUs, everything supported\n"
    "gpus 2\n"
    "gpu0 name NVIDIA H100 80GB HBM3\n"
    "gpu0 uuid GPU-aaaaaaaa-1111-2222-3333-444444444444\n"
    "gpu0 power 0:250000\n"
    "gpu0 temperature 45\n"
    "gpu0 mem_temp 60\n"
    "gpu0 util 80 40\n"
    "gpu0 clocks 1980 1755 2619\n"
    "gpu0 memory 85899345920 10737418240 1073741824\n"
    "gpu0 pcie 5 16\n"
    "gpu0 pcie_rate 2000000000 500000000\n"
    "gpu0 nvlink_rate 1000000 250000\n"
    "gpu0 power_limit 700000\n"
    "gpu0 pstate 2\n"
    "gpu0 throttle 4\n"
    "gpu0 fan 35\n"
    "gpu1 name NVIDIA A100-SXM4-40GB\n"
    "gpu1 uuid GPU-bbbbbbbb-1111-2222-3333-444444444444\n"
    "gpu1 power 0:60000\n";

static void discovers_gpus_with_units_and_scaling(void **unused) {
    write_scenario(two_gpus);
    static rig g; /* static: teardown closes it after a failed assertion */
    open_rig(&g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.cat->n_warnings, 0);
    assert_int_equal(g.cat->n_devices, 2);
    assert_string_equal(rig_device(&g, "gpu0")->model, "NVIDIA H100 80GB HBM3");
    assert_string_equal(rig_device(&g, "gpu1")->model, "NVIDIA A100-SXM4-40GB");
    assert_int_equal(rig_device(&g, "gpu0")->kind, AIM_DEV_GPU);
    assert_int_equal(rig_device(&g, "gpu1")->kind, AIM_DEV_GPU);

    assert_int_equal(poll_now(&g), 0);
    /* mW -> W; a constant trace gives the same instantaneous and 1 s average power. */
    assert_near(rig_value(&g, "gpu0", AIM_M_POWER, -1), 250.0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_POWER_AVG, -1), 250.0);
    assert_near(rig_value(&g, "gpu1", AIM_M_POWER, -1), 60.0);
    assert_near(rig_value(&g, "gpu0", AIM_M_TEMPERATURE, -1), 45);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_MEM_TEMP, -1), 60);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_UTIL, -1), 80);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_MEM_UTIL, -1), 40);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_CLOCK_GRAPHICS, -1), 1980);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_CLOCK_SM, -1), 1755);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_CLOCK_MEM, -1), 2619);
    /* MemoryInfo_v2: used excludes the 1 GiB reserved; bytes -> GiB. */
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_MEM_USED, -1), 10.0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_MEM_TOTAL, -1), 80.0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_MEM_USAGE, -1), 12.5);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_PCIE_GEN, -1), 5);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_PCIE_WIDTH, -1), 16);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_POWER_LIMIT, -1), 700.0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_PSTATE, -1), 2);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_THROTTLE, -1), 4);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_FAN, -1), 35);
    /* Counters: energy starts at 0 at open (within one 100 ms step of 250 W = 25 J); the
     * rates need two readings. */
    double e = rig_value(&g, "gpu0", AIM_M_ENERGY, -1);
    assert_true(e >= 0 && e <= 25.0);
    assert_false(rig_get(&g, "gpu0", AIM_M_GPU_PCIE_TX, -1, NULL));
    assert_false(rig_get(&g, "gpu0", AIM_M_GPU_NVLINK_RX, -1, NULL));

    sleep_s(0.2);
    assert_int_equal(poll_now(&g), 0);
    /* 2e9 B/s = 2 GB/s; NVLink KiB: 1e6 KiB/s = 1.024 GB/s. The fake reads its clock a few
     * µs after the frame time, hence the 1 % margin. */
    assert_true(fabs(rig_value(&g, "gpu0", AIM_M_GPU_PCIE_TX, -1) - 2.0) < 0.02);
    assert_true(fabs(rig_value(&g, "gpu0", AIM_M_GPU_PCIE_RX, -1) - 0.5) < 0.005);
    assert_true(fabs(rig_value(&g, "gpu0", AIM_M_GPU_NVLINK_TX, -1) - 1.024) < 0.01);
    assert_true(fabs(rig_value(&g, "gpu0", AIM_M_GPU_NVLINK_RX, -1) - 0.256) < 0.003);
    /* gpu1 has no traffic: 0 GB/s is a measured 0, not a missing value. */
    assert_near(rig_value(&g, "gpu1", AIM_M_GPU_PCIE_TX, -1), 0.0);
    close_rig(&g);
}

/* The scenario's trace for energy_matches_the_counter: mJ over [0, t]. */
static double trace_mj(double t) {
    static const double at[] = { 0, 0.3, 0.6 }, mw[] = { 100000, 300000, 50000 };
    double e = 0;
    for (int i = 0; i < 3; i++) {
        double a = at[i], b = i < 2 ? at[i + 1] : t;
        if (b > t)
            b = t;
        if (b > a)
            e += (b - a) * mw[i];
    }
    return e;
}

/* The counter at fake time t: refreshed every 100 ms, whole mJ. */
static double counter_mj(double t) {
    return floor(trace_mj(floor(t / 0.1) * 0.1));
}

static void energy_matches_the_counter(void **unused) {
    write_scenario("gpus 1\n"
                   "energy_refresh_ms 100\n"
                   "gpu0 power 0:100000 0.3:300000 0.6:50000\n"
                   "gpu0 energy_base 5000000\n");
    fake_ref f;
    fake_hold(&f, AIM_FAKE_NVML);
    static rig g; /* static: teardown closes it after a failed assertion */
    double open_lo = now_s() - f.t0;
    open_rig(&g);
    double open_hi = now_s() - f.t0;
    assert_int_equal(g.rc, 0);
    double lo = 0, hi = 0, e = 0;
    while (now_s() - f.t0 < 1.1) {
        sleep_s(0.05);
        lo = now_s() - f.t0;
        assert_int_equal(poll_now(&g), 0);
        hi = now_s() - f.t0;
        e = rig_value(&g, "gpu0", AIM_M_ENERGY, -1);
        /* Instantaneous power follows the trace (not at a step edge). */
        double p;
        if (rig_get(&g, "gpu0", AIM_M_POWER, -1, &p) && fabs(lo - 0.3) > 0.01 &&
            fabs(lo - 0.6) > 0.01 && floor(lo / 0.3) == floor(hi / 0.3))
            assert_near(p, lo < 0.3 ? 100.0 : lo < 0.6 ? 300.0 : 50.0);
    }
    /* Exact to the counter's resolution: the counter values at the possible open and last
     * poll times bound the result (the base of 5000 J is not in it). */
    double min_j = (counter_mj(lo) - counter_mj(open_hi)) / 1000.0;
    double max_j = (counter_mj(hi) - counter_mj(open_lo)) / 1000.0;
    if (e < min_j - 1e-9 || e > max_j + 1e-9)
        fail_msg("energy %.6f J outside [%.6f, %.6f]", e, min_j, max_j);
    /* And roughly the whole trace: 30 + 90 + 25 J over [0, 1.1] less the time before open. */
    assert_true(e > 100 && e < 146);
    close_rig(&g);
    fake_release(&f);
}

static void unsupported_fields_are_not_declared(void **unused) {
    write_scenario("gpus 1\n"
                   "gpu0 unsupported temperature mem_temp fan pcie_bytes nvlink power_instant "
                   "memory_v2 throttle\n"
                   "gpu0 memory 1073741824 268435456 268435456\n");
    static rig g; /* static: teardown closes it after a failed assertion */
    open_rig(&g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_TEMPERATURE, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_MEM_TEMP, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_FAN, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_PCIE_TX, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_PCIE_RX, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_NVLINK_TX, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_THROTTLE, -1), -ENOENT);
    /* No field 186 but an energy counter: no power from NVML (the engine derives it). */
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_POWER, -1), -ENOENT);
    assert_true(rig_slot(&g, "gpu0", AIM_M_ENERGY, -1) >= 0);
    assert_int_equal(poll_now(&g), 0);
    /* v1 memory: used includes the reserved 0.25 GiB. */
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_MEM_USED, -1), 0.5);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_MEM_USAGE, -1), 50.0);
    close_rig(&g);
    teardown(NULL);

    /* Neither field 186 nor the counter: nvmlDeviceGetPowerUsage stands in as power. */
    write_scenario("gpus 1\n"
                   "gpu0 power 0:42000\n"
                   "gpu0 unsupported power_instant energy memory_v1 memory_v2\n");
    open_rig(&g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_ENERGY, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_MEM_USED, -1), -ENOENT);
    assert_int_equal(poll_now(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_POWER, -1), 42.0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_POWER_AVG, -1), 42.0);
    close_rig(&g);
}

/* Issue 11: an A800 (GA100) showed "Power (1 s average)", yet GA100's nvmlDeviceGetPowerUsage
 * is the power at that call (docs/methodology.md). On GA100 it is `power` where field 186 is
 * missing, and never a "1 s average" row; a later chip keeps its average row. */
static void ga100_power_usage_is_instantaneous(void **unused) {
    write_scenario("gpus 2\n"
                   "gpu0 name NVIDIA A800 80GB PCIe\n"
                   "gpu0 power 0:150000\n"
                   "gpu0 unsupported power_instant\n"
                   "gpu1 name NVIDIA A800-SXM4-80GB\n"
                   "gpu1 power 0:250000\n");
    static rig g;
    open_rig(&g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_POWER_AVG, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "gpu1", AIM_M_GPU_POWER_AVG, -1), -ENOENT);
    assert_true(rig_slot(&g, "gpu0", AIM_M_POWER, -1) >= 0);  /* from GetPowerUsage */
    assert_true(rig_slot(&g, "gpu0", AIM_M_ENERGY, -1) >= 0);
    assert_int_equal(poll_now(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_POWER, -1), 150.0);
    assert_near(rig_value(&g, "gpu1", AIM_M_POWER, -1), 250.0); /* field 186 */
    close_rig(&g);
    teardown(NULL);

    write_scenario("gpus 1\ngpu0 name NVIDIA RTX A3000 Laptop GPU\n"); /* GA104: averaged */
    open_rig(&g);
    assert_int_equal(g.rc, 0);
    assert_true(rig_slot(&g, "gpu0", AIM_M_GPU_POWER_AVG, -1) >= 0);
    close_rig(&g);
}

/* The time in a lost-GPU line ("gpuN lost at T s ..."), or -1 when the line is not one for
 * that GPU. */
static double lost_at(const char *line, const char *gpu) {
    char name[16];
    double t;
    if (sscanf(line, "%15s lost at %lf s", name, &t) != 2 || strcmp(name, gpu) != 0)
        return -1;
    return t;
}

static void lost_gpu_goes_invalid_then_source_ends(void **unused) {
    write_scenario("gpus 2\n"
                   "gpu0 lost_at 0.6\n"
                   "gpu1 lost_at 0.3\n");
    fake_ref f;
    fake_hold(&f, AIM_FAKE_NVML);
    static rig g; /* static: teardown closes it after a failed assertion */
    open_rig(&g);
    assert_int_equal(g.rc, 0);
    assert_true(now_s() - f.t0 < 0.25);
    char ev[200];
    assert_int_equal(poll_now(&g), 0);
    assert_true(rig_get(&g, "gpu1", AIM_M_POWER, -1, NULL));
    assert_int_equal(aim_source_nvml.take_event(g.state, ev, sizeof ev), 0);
    sleep_s(0.35 - (now_s() - f.t0));
    assert_int_equal(poll_now(&g), 0);
    /* Exactly one line for gpu1, said once, however often the writer asks. */
    assert_int_equal(aim_source_nvml.take_event(g.state, ev, sizeof ev), 1);
    assert_true(lost_at(ev, "gpu1") > 0.25 && lost_at(ev, "gpu1") < 0.6);
    assert_non_null(strstr(ev, "(GPU is lost); its series stop there, the other GPUs continue"));
    assert_int_equal(aim_source_nvml.take_event(g.state, ev, sizeof ev), 0);
    assert_int_equal(poll_now(&g), 0);
    assert_int_equal(aim_source_nvml.take_event(g.state, ev, sizeof ev), 0);
    assert_true(rig_get(&g, "gpu0", AIM_M_POWER, -1, NULL));
    assert_true(rig_get(&g, "gpu0", AIM_M_ENERGY, -1, NULL));
    assert_false(rig_get(&g, "gpu1", AIM_M_POWER, -1, NULL));
    assert_false(rig_get(&g, "gpu1", AIM_M_ENERGY, -1, NULL));
    assert_false(rig_get(&g, "gpu1", AIM_M_GPU_UTIL, -1, NULL));
    sleep_s(0.65 - (now_s() - f.t0));
    assert_int_equal(poll_now(&g), -ENODEV);
    assert_false(rig_get(&g, "gpu0", AIM_M_POWER, -1, NULL));
    assert_int_equal(aim_source_nvml.take_event(g.state, ev, sizeof ev), 1);
    assert_true(lost_at(ev, "gpu0") > 0.55 && lost_at(ev, "gpu0") < 1.5);
    assert_null(strstr(ev, "other GPUs")); /* none left */
    assert_int_equal(aim_source_nvml.take_event(g.state, ev, sizeof ev), 0);
    close_rig(&g);
    fake_release(&f);
}

static void gpu_failing_every_call_is_given_up_after_ten_polls(void **unused) {
    write_scenario("gpus 1\ngpu0 fail_at 0\n");
    fake_ref f;
    fake_hold(&f, AIM_FAKE_NVML);
    /* fail_at 0 fails from the start: open sees no answer and declares nothing. */
    static rig g; /* static: teardown closes it after a failed assertion */
    open_rig(&g);
    assert_int_equal(g.rc, -ENODEV);
    close_rig(&g);
    fake_release(&f);
    teardown(NULL);

    write_scenario("gpus 1\ngpu0 fail_at 0.2\n");
    fake_hold(&f, AIM_FAKE_NVML);
    open_rig(&g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(poll_now(&g), 0);
    assert_true(rig_get(&g, "gpu0", AIM_M_ENERGY, -1, NULL));
    sleep_s(0.25 - (now_s() - f.t0));
    /* Failures that are not GPU_IS_LOST may pass: nine polls in a row give invalid values,
     * the tenth gives the GPU up. */
    for (int i = 0; i < 9; i++) {
        assert_int_equal(poll_now(&g), 0);
        assert_false(rig_get(&g, "gpu0", AIM_M_ENERGY, -1, NULL));
        assert_false(rig_get(&g, "gpu0", AIM_M_POWER, -1, NULL));
    }
    assert_int_equal(poll_now(&g), -ENODEV);
    char ev[200];
    assert_int_equal(aim_source_nvml.take_event(g.state, ev, sizeof ev), 1);
    assert_true(lost_at(ev, "gpu0") > 0.15 && lost_at(ev, "gpu0") < 1.5);
    assert_non_null(strstr(ev, "(Unknown Error); its series stop there"));
    assert_null(strstr(ev, "other GPUs"));
    assert_int_equal(aim_source_nvml.take_event(g.state, ev, sizeof ev), 0);
    close_rig(&g);
    fake_release(&f);
}

/* A child of this test process: in the tree rooted at getpid(). Killed by stop_child. */
static pid_t start_child(void) {
    pid_t c = fork();
    assert_true(c >= 0);
    if (c == 0) {
        alarm(5); /* ends itself should a failed assertion skip stop_child */
        pause();
        _exit(0);
    }
    return c;
}

static void stop_child(pid_t c) {
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);
}

static void open_tree_rig(rig *g) {
    rig_open(g, &aim_source_nvml, NULL, "/proc", getpid());
    held_rig = g;
}

static void process_use_counts_the_tree_only(void **unused) {
    pid_t self = getpid(), child = start_child(), parent = getppid();
    char text[640];
    /* gpu0 (_v3, 24-byte entries): self 30 % (its older 90 % sample is not the newest),
     * child 25 %, 1 GiB + 0.5 GiB; the parent and pid 1 are outside the tree.
     * gpu1 (_v3 with the R535 32-byte entries): self 10 % 1 GiB, child 0 % 0.25 GiB.
     * gpu2: self 20 %, memory not available: unknown, not 0. */
    snprintf(text, sizeof text,
             "gpus 3\n"
             "gpu0 proc %d 30 1073741824 90\n"
             "gpu0 proc %d 25 536870912\n"
             "gpu0 proc %d 40 2147483648\n"
             "gpu0 proc 1 5 1073741824\n"
             "gpu1 proc_stride32\n"
             "gpu1 proc %d 10 1073741824\n"
             "gpu1 proc 1 50 4294967296\n"
             "gpu1 proc %d 0 268435456\n"
             "gpu2 proc %d 20 -1\n",
             (int)self, (int)child, (int)parent, (int)self, (int)child, (int)self);
    write_scenario(text);
    static rig g; /* static: teardown closes it after a failed assertion */
    open_tree_rig(&g);
    assert_int_equal(g.rc, 0);
    /* The first samples after open come within 100 ms; then a poll may find none newer and
     * holds the last value. */
    sleep_s(0.12);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(poll_now(&g), 0);
        assert_near(rig_value(&g, "gpu0", AIM_M_GPU_PROC_SM_UTIL, -1), 55.0);
        assert_near(rig_value(&g, "gpu0", AIM_M_GPU_PROC_MEM, -1), 1.5);
        assert_near(rig_value(&g, "gpu1", AIM_M_GPU_PROC_SM_UTIL, -1), 10.0);
        assert_near(rig_value(&g, "gpu1", AIM_M_GPU_PROC_MEM, -1), 1.25);
        assert_near(rig_value(&g, "gpu2", AIM_M_GPU_PROC_SM_UTIL, -1), 20.0);
        assert_false(rig_get(&g, "gpu2", AIM_M_GPU_PROC_MEM, -1, NULL));
    }
    close_rig(&g);
    stop_child(child);

    /* Without a process tree, and on a GPU that does not answer the calls: not declared. */
    rig_open(&g, &aim_source_nvml, NULL, "/proc", 0);
    held_rig = &g;
    assert_int_equal(g.rc, 0);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_PROC_SM_UTIL, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_PROC_MEM, -1), -ENOENT);
    close_rig(&g);
    write_scenario("gpus 1\ngpu0 unsupported proc_util proc_info\n");
    open_tree_rig(&g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_PROC_SM_UTIL, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_PROC_MEM, -1), -ENOENT);
    close_rig(&g);
}

static void process_use_on_an_old_driver(void **unused) {
    /* Only the plain ComputeRunningProcesses: 16-byte entries. */
    setenv("AIMETER_NVML_LIBRARY", AIM_FAKE_NVML_OLD, 1);
    char text[256];
    snprintf(text, sizeof text, "gpus 1\ngpu0 proc %d 40 2147483648\ngpu0 proc %d 30 1073741824\n",
             (int)getppid(), (int)getpid());
    write_scenario(text);
    static rig g; /* static: teardown closes it after a failed assertion */
    open_tree_rig(&g);
    assert_int_equal(g.rc, 0);
    sleep_s(0.12);
    assert_int_equal(poll_now(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_PROC_SM_UTIL, -1), 30.0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_PROC_MEM, -1), 1.0);
    close_rig(&g);
}

static void old_driver_falls_back(void **unused) {
    setenv("AIMETER_NVML_LIBRARY", AIM_FAKE_NVML_OLD, 1);
    write_scenario("gpus 1\n"
                   "gpu0 memory 1073741824 268435456 268435456\n"
                   "gpu0 throttle 32\n"
                   "gpu0 power 0:80000\n");
    static rig g; /* static: teardown closes it after a failed assertion */
    open_rig(&g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.cat->n_warnings, 0);
    /* No nvmlDeviceGetFieldValues: no instantaneous power, memory temperature, counters. */
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_POWER, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_MEM_TEMP, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_PCIE_TX, -1), -ENOENT);
    assert_int_equal(poll_now(&g), 0);
    assert_true(rig_get(&g, "gpu0", AIM_M_ENERGY, -1, NULL));
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_POWER_AVG, -1), 80.0);
    /* MemoryInfo (v1) and the throttle-reason name. */
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_MEM_USED, -1), 0.5);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_THROTTLE, -1), 32);
    close_rig(&g);
}

static void missing_library_or_driver_is_one_warning(void **unused) {
    setenv("AIMETER_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1", 1);
    static rig g; /* static: teardown closes it after a failed assertion */
    /* No library and no NVIDIA GPU in sysfs: the ordinary machine, nothing to say. */
    open_rig(&g);
    assert_int_equal(g.rc, -ENODEV);
    assert_int_equal(g.cat->n_warnings, 0);
    close_rig(&g);
    /* An NVIDIA GPU on the PCI bus but no library: one warning naming both. */
    rig_open(&g, &aim_source_nvml, AIM_FIXTURES_DIR "/nvml/sysfs-nvidia", NULL, 0);
    held_rig = &g;
    assert_int_equal(g.rc, -ENODEV);
    assert_int_equal(g.cat->n_warnings, 1);
    assert_non_null(strstr(g.cat->warnings[0], "nvml"));
    assert_non_null(strstr(g.cat->warnings[0], "0000:17:00.0"));
    assert_non_null(strstr(g.cat->warnings[0], "/nonexistent/libnvidia-ml.so.1"));
    close_rig(&g);

    /* The library loads but the driver does not answer (no scenario for the fake). */
    setenv("AIMETER_NVML_LIBRARY", AIM_FAKE_NVML, 1);
    unsetenv("AIMETER_FAKE_NVML_SCENARIO");
    open_rig(&g);
    assert_int_equal(g.rc, -ENODEV);
    assert_int_equal(g.cat->n_warnings, 1);
    assert_non_null(strstr(g.cat->warnings[0], "nvmlInit"));
    close_rig(&g);
}

/* Where sysfs lists kernel modules and nvidia is not one of them, the library is not looked
 * for, and the warning for an NVIDIA GPU on the bus says the driver is missing; with the
 * module listed, the library is looked for as before. (Skipped where a real driver runs:
 * there NVML itself answers.) */
static void no_driver_module_means_no_library_search(void **unused) {
    if (access("/dev/nvidiactl", F_OK) == 0 || access("/dev/dxg", F_OK) == 0) {
        print_message("skipped: this machine has an NVIDIA driver device\n");
        return;
    }
    unsetenv("AIMETER_NVML_LIBRARY");
    char *sys = tmptree_copy("nvml/sysfs-nvidia");
    assert_non_null(sys);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/module", sys);
    assert_int_equal(mkdir(dir, 0755), 0);
    static rig g; /* static: teardown closes it after a failed assertion */
    rig_open(&g, &aim_source_nvml, sys, NULL, 0);
    held_rig = &g;
    assert_int_equal(g.rc, -ENODEV);
    assert_int_equal(g.cat->n_warnings, 1);
    assert_non_null(strstr(g.cat->warnings[0], "0000:17:00.0"));
    assert_non_null(strstr(g.cat->warnings[0], "NVIDIA driver is not loaded"));
    assert_null(strstr(g.cat->warnings[0], "libnvidia-ml"));
    close_rig(&g);

    /* the rule itself, shared with DCGM: a library named by its variable is always tried */
    assert_int_equal(aim__nvidia_driver_absent(sys, "AIMETER_DCGM_LIBRARY"), 1);
    setenv("AIMETER_DCGM_LIBRARY", "/x/libdcgm.so.4", 1);
    assert_int_equal(aim__nvidia_driver_absent(sys, "AIMETER_DCGM_LIBRARY"), 0);
    unsetenv("AIMETER_DCGM_LIBRARY");
    assert_int_equal(aim__nvidia_driver_absent(AIM_FIXTURES_DIR "/nvml/sysfs-nvidia", NULL), 0);

    snprintf(dir, sizeof dir, "%s/module/nvidia", sys);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(aim__nvidia_driver_absent(sys, NULL), 0);
    rig_open(&g, &aim_source_nvml, sys, NULL, 0);
    held_rig = &g;
    assert_int_equal(g.rc, -ENODEV);
    assert_int_equal(g.cat->n_warnings, 1);
    assert_non_null(strstr(g.cat->warnings[0], "libnvidia-ml.so.1"));
    close_rig(&g);
    tmptree_remove(sys);
}

static const char three_gpus[] =
    "gpus 3\n"
    "gpu0 uuid GPU-aaaaaaaa-1111-2222-3333-444444444444\n"
    "gpu1 uuid GPU-bbbbbbbb-1111-2222-3333-444444444444\n"
    "gpu2 uuid GPU-bbbbcccc-1111-2222-3333-444444444444\n";

/* Opens with the environment as it is and returns the devices' names, space-separated. */
static void open_names(char *out, size_t size, int *ret_rc, int *ret_warnings) {
    static rig g; /* static: teardown closes it after a failed assertion */
    open_rig(&g);
    *ret_rc = g.rc;
    *ret_warnings = g.cat->n_warnings;
    out[0] = '\0';
    for (int d = 0; d < g.cat->n_devices; d++)
        snprintf(out + strlen(out), size - strlen(out), "%s%s", d ? " " : "",
                 g.cat->devices[d].name);
    close_rig(&g);
}

static void gpu_selection_by_index_and_uuid(void **unused) {
    write_scenario(three_gpus);
    char names[128];
    int rc, warnings;
    static const struct {
        const char *aimeter_gpus, *cuda, *names;
        int warnings;
    } cases[] = {
        { NULL, NULL, "gpu0 gpu1 gpu2", 0 },
        { "1", NULL, "gpu1", 0 },
        { NULL, "2,0", "gpu0 gpu2", 0 },              /* NVML order, named by NVML index */
        { NULL, "GPU-bbbbcccc", "gpu2", 0 },          /* a unique UUID prefix */
        { NULL, "aaaaaaaa-1111, bbbbbbbb", "gpu0 gpu1", 0 }, /* without "GPU-", spaces */
        { "all", "1", "gpu0 gpu1 gpu2", 0 },          /* AIMETER_GPUS wins */
        { NULL, "0,7,2", "gpu0", 1 },                 /* as CUDA: the list ends at 7 */
        { NULL, "GPU-bbbb,0", "", 2 },                /* ambiguous prefix: nothing */
        { "GPU-AAAAAAAA-1111-2222-3333-444444444444", NULL, "gpu0", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].aimeter_gpus)
            setenv("AIMETER_GPUS", cases[i].aimeter_gpus, 1);
        else
            unsetenv("AIMETER_GPUS");
        if (cases[i].cuda)
            setenv("CUDA_VISIBLE_DEVICES", cases[i].cuda, 1);
        else
            unsetenv("CUDA_VISIBLE_DEVICES");
        open_names(names, sizeof names, &rc, &warnings);
        if (strcmp(names, cases[i].names) != 0 || warnings != cases[i].warnings)
            fail_msg("case %zu: got \"%s\" with %d warnings, expected \"%s\" with %d", i, names,
                     warnings, cases[i].names, cases[i].warnings);
        assert_int_equal(rc, cases[i].names[0] ? 0 : -ENODEV);
    }
    /* CUDA's way of hiding every GPU: nothing measured, and it says so once. */
    unsetenv("AIMETER_GPUS");
    setenv("CUDA_VISIBLE_DEVICES", "-1", 1);
    open_names(names, sizeof names, &rc, &warnings);
    assert_int_equal(rc, -ENODEV);
    assert_int_equal(warnings, 1);
    unsetenv("CUDA_VISIBLE_DEVICES");
}

/* The probe line of one check, by its "what"; fails the test when there is none. */
static const aim_probe_line *probe_line(const aim_probe_report *rep, const char *what) {
    for (int i = 0; i < rep->count; i++)
        if (strcmp(rep->lines[i].what, what) == 0)
            return &rep->lines[i];
    fail_msg("no probe line \"%s\"", what);
    return NULL;
}

static void probe_lists_what_each_gpu_offers(void **unused) {
    write_scenario("gpus 2\ndriver 550.54.15\nnvml_version 12.550.54.15\n"
                   "gpu1 unsupported pcie_bytes fan\ngpu1 name NVIDIA A100-SXM4-40GB\n"
                   "gpu1 pci 00000000:41:00.0\ngpu1 mig 1\n");
    aim_source_env env = { .sysfs_root = "/nonexistent", .procfs_root = "/nonexistent",
                           .interval_ns = 100000000 };
    aim_probe_report *rep = calloc(1, sizeof *rep);
    assert_non_null(rep);
    assert_int_equal(aim_source_nvml.probe(&env, rep), 0);
    /* the library, then per GPU: static info, 23 series, 2 per-process calls */
    assert_int_equal(rep->count, 1 + 2 * (1 + 23 + 2));
    assert_string_equal(rep->lines[0].detail, "NVML 12.550.54.15, driver 550.54.15");
    const aim_probe_line *l = probe_line(rep, "gpu1 NVIDIA A100-SXM4-40GB");
    assert_string_equal(l->detail, "UUID GPU-00000001-fake-fake-fake-000000000001, "
                                   "PCI 00000000:41:00.0, MIG on");
    assert_string_equal(probe_line(rep, "gpu0 Fake GPU 0")->detail,
                        "UUID GPU-00000000-fake-fake-fake-000000000000, PCI 00000000:00:00.0, "
                        "MIG off");
    assert_string_equal(probe_line(rep, "gpu0 gpu.util")->status, "available");
    l = probe_line(rep, "gpu1 gpu.util");
    assert_string_equal(l->status, "not supported");
    assert_string_equal(l->detail, "nvmlDeviceGetUtilizationRates: Not Supported; not "
                                   "available in MIG mode");
    l = probe_line(rep, "gpu1 gpu.fan");
    assert_string_equal(l->status, "not supported");
    assert_string_equal(l->detail, "nvmlDeviceGetFanSpeed: Not Supported");
    l = probe_line(rep, "gpu1 gpu.pcie_tx");
    assert_string_equal(l->status, "not supported");
    assert_non_null(strstr(l->detail, "the nvml_pcie source samples the throughput calls"));
    assert_string_equal(probe_line(rep, "gpu0 gpu.proc_sm_util")->status, "available");
    assert_string_equal(probe_line(rep, "gpu1 gpu.proc_sm_util")->status, "not supported");
    assert_string_equal(probe_line(rep, "gpu0 gpu.proc_mem")->detail,
                        "nvmlDeviceGetComputeRunningProcesses_v3");
    free(rep);

    /* An old driver: the missing calls are "absent", not "not supported". */
    setenv("AIMETER_NVML_LIBRARY", AIM_FAKE_NVML_OLD, 1);
    rep = calloc(1, sizeof *rep);
    assert_non_null(rep);
    assert_int_equal(aim_source_nvml.probe(&env, rep), 0);
    l = probe_line(rep, "gpu0 gpu.mem_temp");
    assert_string_equal(l->status, "absent");
    assert_string_equal(l->detail, "field 82 (memory temperature): not in this driver's NVML");
    free(rep);
}

/* How many device calls the fake has answered (its own counter, not NVML). */
static unsigned long fake_calls(void *handle) {
    unsigned long (*count)(void);
    void *sym = dlsym(handle, "fake_nvml_device_calls");
    assert_non_null(sym);
    memcpy(&count, &sym, sizeof count);
    return count();
}

static void metrics_list_declares_and_reads_only_what_it_names(void **unused) {
    write_scenario("gpus 1\n");
    fake_ref f;
    fake_hold(&f, AIM_FAKE_NVML);
    aim_metric_select sel;
    rig g;
    /* The default: every series the GPU answers. */
    rig_prepare(&g, &aim_source_nvml);
    held_rig = &g;
    assert_int_equal(rig_open_prepared(&g, NULL, NULL, 0), 0);
    int all_series = g.cat->n_series;
    unsigned long before = fake_calls(f.handle);
    assert_int_equal(poll_now(&g), 0);
    unsigned long all_calls = fake_calls(f.handle) - before;
    close_rig(&g);
    assert_int_equal(all_series, 23);

    assert_int_equal(aim__metric_select_parse("gpu.util,temperature", &sel, NULL, 0), 0);
    rig_prepare(&g, &aim_source_nvml);
    held_rig = &g;
    g.env.metrics = &sel;
    assert_int_equal(rig_open_prepared(&g, NULL, NULL, 0), 0);
    /* power and energy always; gpu.util brings gpu.mem_util's call but not its series */
    assert_int_equal(g.cat->n_series, 4);
    assert_true(rig_slot(&g, "gpu0", AIM_M_POWER, -1) >= 0);
    assert_true(rig_slot(&g, "gpu0", AIM_M_ENERGY, -1) >= 0);
    assert_true(rig_slot(&g, "gpu0", AIM_M_GPU_UTIL, -1) >= 0);
    assert_true(rig_slot(&g, "gpu0", AIM_M_TEMPERATURE, -1) >= 0);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_CLOCK_SM, -1), -ENOENT);
    before = fake_calls(f.handle);
    assert_int_equal(poll_now(&g), 0);
    /* field batch (power), energy, temperature, utilisation: four calls */
    assert_int_equal(fake_calls(f.handle) - before, 4);
    assert_true(all_calls > 4);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_UTIL, -1), 50.0);
    close_rig(&g);
    fake_release(&f);
}

static void mig_instances_select_their_gpu(void **unused) {
    write_scenario("gpus 3\ngpu1 mig 1\n"
                   "gpu1 mig_instance MIG-8b2c6f1e-1111-2222-3333-444455556666\n"
                   "gpu2 mig_instance MIG-aaaaaaaa-1111-2222-3333-444455556666\n");
    /* The current spelling (the instance's own UUID) and the older one. */
    setenv("CUDA_VISIBLE_DEVICES", "MIG-8b2c6f1e-1111-2222-3333-444455556666,"
           "MIG-GPU-00000002-fake-fake-fake-000000000002/1/0", 1);
    rig g;
    open_rig(&g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.cat->n_devices, 2);
    assert_true(aim__catalog_find_device(g.cat, "gpu0") < 0);
    assert_true(aim__catalog_find_device(g.cat, "gpu1") >= 0);
    assert_true(aim__catalog_find_device(g.cat, "gpu2") >= 0);
    /* Each GPU carries the board's own UUID (the exposition's uuid label), not an index's. */
    assert_string_equal(g.cat->devices[aim__catalog_find_device(g.cat, "gpu2")].uuid,
                        "GPU-00000002-fake-fake-fake-000000000002");
    /* gpu1 in MIG mode: no utilisation, and one line saying what its numbers cover */
    assert_int_equal(rig_slot(&g, "gpu1", AIM_M_GPU_UTIL, -1), -ENOENT);
    assert_true(rig_slot(&g, "gpu1", AIM_M_ENERGY, -1) >= 0);
    assert_true(rig_slot(&g, "gpu2", AIM_M_GPU_UTIL, -1) >= 0);
    assert_int_equal(g.cat->n_warnings, 1);
    assert_non_null(strstr(g.cat->warnings[0], "gpu1 is in MIG mode, selected through instance "
                                               "MIG-8b2c6f1e-1111-2222-3333-444455556666"));
    close_rig(&g);
    /* An instance nobody has ends the list, as CUDA does. */
    setenv("CUDA_VISIBLE_DEVICES", "MIG-ffffffff-0000-0000-0000-000000000000,1", 1);
    open_rig(&g);
    assert_int_equal(g.rc, -ENODEV);
    close_rig(&g);
    unsetenv("CUDA_VISIBLE_DEVICES");
}

extern const aim_source_ops aim_source_nvml_pcie;

static void pcie_throughput_only_where_the_counters_are_missing(void **unused) {
    write_scenario("gpus 2\npcie_throughput_ms 1\ngpu0 pcie_rate 2048000000 1024000000\n"
                   "gpu1 pcie_rate 1024000 0\ngpu1 unsupported pcie_bytes\n");
    rig g;
    rig_prepare(&g, &aim_source_nvml_pcie);
    held_rig = &g;
    /* As the session opens them: nvml first (faster group), then nvml_pcie. */
    void *nvml_state = NULL;
    aim_source_ctx nv;
    aim__source_ctx_init(&nv, g.cat, 0, 0);
    assert_int_equal(aim_source_nvml.open(&g.env, &nv, &nvml_state), 0);
    int before = g.cat->n_series;
    assert_int_equal(rig_open_prepared(&g, NULL, NULL, 0), 0);
    assert_int_equal(g.cat->n_series, before + 2); /* gpu1 TX and RX; gpu0 has counters */
    int tx = rig_slot(&g, "gpu1", AIM_M_GPU_PCIE_TX, -1);
    assert_true(tx >= before);
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu1", AIM_M_GPU_PCIE_TX, -1), 1024000.0 / 1e9);
    assert_near(rig_value(&g, "gpu1", AIM_M_GPU_PCIE_RX, -1), 0.0);
    close_rig(&g);
    aim_source_nvml.close(nvml_state);

    /* basic without the counters' fields: it stands back when the metrics are not wanted */
    aim_metric_select sel;
    assert_int_equal(aim__metric_select_parse("gpu.util", &sel, NULL, 0), 0);
    rig_prepare(&g, &aim_source_nvml_pcie);
    held_rig = &g;
    g.env.metrics = &sel;
    assert_int_equal(rig_open_prepared(&g, NULL, NULL, 0), -ENODEV);
    close_rig(&g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(discovers_gpus_with_units_and_scaling, setup, teardown),
        cmocka_unit_test_setup_teardown(energy_matches_the_counter, setup, teardown),
        cmocka_unit_test_setup_teardown(unsupported_fields_are_not_declared, setup, teardown),
        cmocka_unit_test_setup_teardown(ga100_power_usage_is_instantaneous, setup, teardown),
        cmocka_unit_test_setup_teardown(lost_gpu_goes_invalid_then_source_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(process_use_counts_the_tree_only, setup, teardown),
        cmocka_unit_test_setup_teardown(process_use_on_an_old_driver, setup, teardown),
        cmocka_unit_test_setup_teardown(gpu_failing_every_call_is_given_up_after_ten_polls,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(old_driver_falls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_library_or_driver_is_one_warning, setup, teardown),
        cmocka_unit_test_setup_teardown(no_driver_module_means_no_library_search, setup, teardown),
        cmocka_unit_test_setup_teardown(gpu_selection_by_index_and_uuid, setup, teardown),
        cmocka_unit_test_setup_teardown(probe_lists_what_each_gpu_offers, setup, teardown),
        cmocka_unit_test_setup_teardown(metrics_list_declares_and_reads_only_what_it_names, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(mig_instances_select_their_gpu, setup, teardown),
        cmocka_unit_test_setup_teardown(pcie_throughput_only_where_the_counters_are_missing,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
