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

/* ---------------------------------------------------------------- the agent's job slots */

#include "model/job_slots.h"
#include "sources/nvidia/nvml_internal.h" /* NV_PID_RECHECK_NS */

/* The agent's slot table the source reads (static: about 30 KiB), and a procfs fixture of
 * <pid>/stat and <pid>/cgroup for pids that need not exist, so that which job a GPU process
 * belongs to is the test's choice. */
static aim_job_slots job_slots;
static char *held_procfs;
/* Added to the monotonic clock for the frame time of job_poll: a test moves the source's
 * frame clock on (NV_PID_RECHECK_NS) without waiting, and later polls stay after it. */
static int64_t frame_skew;

static int job_teardown(void **state) {
    int r = teardown(state); /* closes the rig before its procfs goes */
    tmptree_remove(held_procfs);
    held_procfs = NULL;
    frame_skew = 0;
    return r;
}

static const char *make_procfs(void) {
    char tmpl[] = "/tmp/aim-test-nvml-proc-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    held_procfs = strdup(tmpl);
    assert_non_null(held_procfs);
    frame_skew = 0;
    return held_procfs;
}

static void put_pid_file(const char *root, int pid, const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%d", root, pid);
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        fail_msg("mkdir %s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/%d/%s", root, pid, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* A process of the fixture: its stat (parent 1, start time start: a new start time is a
 * recycled pid) and its cgroup file, v1 lines first as on a hybrid host, then the v2 line
 * "0::PATH" the source reads. */
static void fake_pid(const char *root, int pid, unsigned long long start, const char *cgroup) {
    char text[512];
    snprintf(text, sizeof text,
             "%d (python3) S 1 %d %d 0 -1 4194560 100 0 0 0 10 5 0 0 20 0 4 0 %llu 123456789 "
             "2000 18446744073709551615 1 1 0 0\n", pid, pid, pid, start);
    put_pid_file(root, pid, "stat", text);
    snprintf(text, sizeof text, "12:cpuset:/\n1:name=systemd:/user.slice\n0::%s\n", cgroup);
    put_pid_file(root, pid, "cgroup", text);
}

static void prepare_job_rig(rig *g, const aim_metric_select *sel) {
    rig_prepare(g, &aim_source_nvml);
    held_rig = g;
    g->env.job_slots = &job_slots;
    g->env.metrics = sel;
}

static void open_job_rig(rig *g, const char *procfs, const aim_metric_select *sel) {
    prepare_job_rig(g, sel);
    rig_open_prepared(g, NULL, procfs, 0);
}

/* A claim from the test's control thread at the present time. */
static int claim(const char *cgroup) {
    return aim__job_slots_claim(&job_slots, cgroup, now_ns(), NULL);
}

/* Whether gpu declares gpu.job_sm_util: all 17 series (the 16 slots, then instance 16 for
 * the processes in no job) on consecutive frame slots, or none (a failure when only some
 * are). */
static int job_series(const rig *g, const char *gpu) {
    int first = rig_slot(g, gpu, AIM_M_GPU_JOB_SM_UTIL, 0), n = 0;
    for (int k = 0; k < AIM_JOB_SLOT_SERIES; k++) {
        int s = rig_slot(g, gpu, AIM_M_GPU_JOB_SM_UTIL, k);
        if (s >= 0) {
            assert_int_equal(s, first + k);
            n++;
        }
    }
    assert_int_equal(AIM_JOB_SLOT_NOBODY, 16);
    assert_int_equal(rig_slot(g, gpu, AIM_M_GPU_JOB_SM_UTIL, AIM_JOB_SLOT_SERIES), -ENOENT);
    assert_int_equal(rig_slot(g, gpu, AIM_M_GPU_JOB_SM_UTIL, -1), -ENOENT);
    if (n != 0 && n != AIM_JOB_SLOT_SERIES)
        fail_msg("%s declares %d of the %d gpu.job_sm_util series", gpu, n, AIM_JOB_SLOT_SERIES);
    return n == AIM_JOB_SLOT_SERIES;
}

/* The catalogue's GPU series other than gpu.job_sm_util; fails the test when one of them
 * comes after a gpu.job_sm_util series (the job series are optional: they are declared
 * last, so that a full table never costs a GPU its own series). */
static int own_series_before_job_series(const rig *g) {
    int own = 0, first_job = -1;
    for (int i = 0; i < g->cat->n_series; i++) {
        const aim_catalog_series *s = &g->cat->series[i];
        if (g->cat->devices[s->device].kind != AIM_DEV_GPU)
            continue;
        if (s->metric == AIM_M_GPU_JOB_SM_UTIL) {
            if (first_job < 0)
                first_job = i;
            continue;
        }
        own++;
        if (first_job >= 0)
            fail_msg("series %d (%s metric %d) after the job series from %d", i,
                     g->cat->devices[s->device].name, (int)s->metric, first_job);
    }
    return own;
}

static void agent_declares_job_series_where_process_samples_answer(void **unused) {
    /* gpu1 does not answer nvmlDeviceGetProcessUtilization; gpu0 answers with no process
     * yet (NOT_FOUND is an answer); gpu2 has one. */
    write_scenario("gpus 3\ngpu1 unsupported proc_util\ngpu2 proc 4001 10 1000\n");
    const char *procfs = make_procfs();
    aim__job_slots_init(&job_slots);
    static rig g; /* static: teardown closes it after a failed assertion */
    open_job_rig(&g, procfs, NULL);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.cat->n_warnings, 0);
    assert_int_equal(job_series(&g, "gpu0"), 1);
    assert_int_equal(job_series(&g, "gpu1"), 0);
    assert_int_equal(job_series(&g, "gpu2"), 1);
    /* Every GPU's own series first (gpu2's too, though gpu0's job series could have gone
     * before them), then the job series in GPU order. */
    assert_int_equal(own_series_before_job_series(&g), 3 * 23);
    assert_int_equal(g.cat->n_series, 3 * 23 + 2 * AIM_JOB_SLOT_SERIES);
    assert_true(rig_slot(&g, "gpu0", AIM_M_GPU_JOB_SM_UTIL, 0) <
                rig_slot(&g, "gpu2", AIM_M_GPU_JOB_SM_UTIL, 0));
    /* No monitored tree in an agent: the tree's series are not declared. */
    const char *gpus[] = { "gpu0", "gpu1", "gpu2" };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rig_slot(&g, gpus[i], AIM_M_GPU_PROC_SM_UTIL, -1), -ENOENT);
        assert_int_equal(rig_slot(&g, gpus[i], AIM_M_GPU_PROC_MEM, -1), -ENOENT);
    }
    /* Before any job: every declared series reads 0 (valid), whether or not the fake has a
     * sample newer than open yet (pid 4001 has no procfs entry: nobody's, and on gpu2 the
     * series of processes in no job has it once a sample comes). */
    assert_int_equal(poll_now(&g), 0);
    for (int k = 0; k < AIM_JOB_SLOTS; k++) {
        assert_near(rig_value(&g, "gpu0", AIM_M_GPU_JOB_SM_UTIL, k), 0.0);
        assert_near(rig_value(&g, "gpu2", AIM_M_GPU_JOB_SM_UTIL, k), 0.0);
    }
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_JOB_SM_UTIL, AIM_JOB_SLOT_NOBODY), 0.0);
    double nobody = rig_value(&g, "gpu2", AIM_M_GPU_JOB_SM_UTIL, AIM_JOB_SLOT_NOBODY);
    assert_true(nobody == 0.0 || nobody == 10.0);
    close_rig(&g);

    /* Outside an agent (no slot table), and in one without a procfs to read cgroups from:
     * none. */
    rig_open(&g, &aim_source_nvml, NULL, procfs, 0);
    held_rig = &g;
    assert_int_equal(g.rc, 0);
    assert_int_equal(job_series(&g, "gpu0"), 0);
    assert_int_equal(job_series(&g, "gpu2"), 0);
    close_rig(&g);
    open_job_rig(&g, NULL, NULL); /* the rig's "/nonexistent" */
    assert_int_equal(g.rc, 0);
    assert_int_equal(job_series(&g, "gpu0"), 0);
    close_rig(&g);
}

static void job_series_follow_the_metrics_selection(void **unused) {
    write_scenario("gpus 1\n");
    const char *procfs = make_procfs();
    aim__job_slots_init(&job_slots);
    aim_metric_select sel;
    static rig g; /* static: teardown closes it after a failed assertion */
    /* Named: declared. */
    assert_int_equal(aim__metric_select_parse("gpu.util,gpu.job_sm_util", &sel, NULL, 0), 0);
    open_job_rig(&g, procfs, &sel);
    assert_int_equal(g.rc, 0);
    assert_int_equal(job_series(&g, "gpu0"), 1);
    own_series_before_job_series(&g);
    close_rig(&g);
    /* A list that leaves it out: none, as for every other GPU metric. */
    assert_int_equal(aim__metric_select_parse("gpu.util", &sel, NULL, 0), 0);
    open_job_rig(&g, procfs, &sel);
    assert_int_equal(g.rc, 0);
    assert_true(rig_slot(&g, "gpu0", AIM_M_GPU_UTIL, -1) >= 0);
    assert_int_equal(job_series(&g, "gpu0"), 0);
    close_rig(&g);
}

/* The job series are optional: with the session's series table too full for a GPU's 17,
 * that GPU and the ones after it have none, one warning says so, and every GPU keeps its
 * own series (which come first). The catalogue is filled beforehand as other sources
 * would have filled it. */
static void a_full_series_table_costs_the_job_series_only(void **unused) {
    write_scenario("gpus 2\n");
    const char *procfs = make_procfs();
    aim__job_slots_init(&job_slots);
    static rig g; /* static: teardown closes it after a failed assertion */
    /* How many series the two GPUs need of their own. */
    open_job_rig(&g, procfs, NULL);
    assert_int_equal(g.rc, 0);
    int own = own_series_before_job_series(&g);
    assert_int_equal(g.cat->n_series, own + 2 * AIM_JOB_SLOT_SERIES);
    close_rig(&g);

    /* Room for exactly gpu0's 17 after the GPUs' own: gpu0 gets them, gpu1 (16 left) not;
     * then none at all (16 left for gpu0). */
    static const struct {
        int room;       /* left for the job series once both GPUs declared their own */
        int gpu0, gpu1; /* whether each has job series */
        const char *first_short; /* the GPU the warning names */
    } cases[] = {
        { 2 * AIM_JOB_SLOT_SERIES, 1, 1, NULL },
        { 2 * AIM_JOB_SLOT_SERIES - 1, 1, 0, "gpu1" },
        { AIM_JOB_SLOT_SERIES, 1, 0, "gpu1" },
        { AIM_JOB_SLOT_SERIES - 1, 0, 0, "gpu0" },
        { 0, 0, 0, "gpu0" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        prepare_job_rig(&g, NULL);
        int filler = aim__source_ctx_add_device(&g.ctx, "filler0", AIM_DEV_OTHER, NULL);
        assert_true(filler >= 0);
        int fill = AIM_MAX_SERIES - own - cases[c].room;
        for (int i = 0; i < fill; i++)
            assert_int_equal(aim__source_ctx_add_series(&g.ctx, filler, AIM_M_TEMPERATURE, i,
                                                       AIM_METHOD_MEASURED), i);
        assert_int_equal(rig_open_prepared(&g, NULL, procfs, 0), 0);
        if (job_series(&g, "gpu0") != cases[c].gpu0 || job_series(&g, "gpu1") != cases[c].gpu1)
            fail_msg("case %zu (room %d): gpu0 %d gpu1 %d job series, expected %d %d", c,
                     cases[c].room, job_series(&g, "gpu0"), job_series(&g, "gpu1"),
                     cases[c].gpu0, cases[c].gpu1);
        /* Both GPUs' own series, all of them. */
        assert_int_equal(own_series_before_job_series(&g), own);
        assert_true(rig_slot(&g, "gpu1", AIM_M_ENERGY, -1) >= 0);
        assert_true(rig_slot(&g, "gpu1", AIM_M_GPU_UTIL, -1) >= 0);
        if (!cases[c].first_short) {
            assert_int_equal(g.cat->n_warnings, 0);
        } else {
            assert_int_equal(g.cat->n_warnings, 1);
            char name[16];
            snprintf(name, sizeof name, "%s and", cases[c].first_short);
            assert_non_null(strstr(g.cat->warnings[0], "series table is full"));
            if (!strstr(g.cat->warnings[0], name))
                fail_msg("case %zu: warning \"%s\" does not name %s", c, g.cat->warnings[0],
                         cases[c].first_short);
        }
        /* The source runs as usual; the job series it has read 0 with no job. */
        assert_int_equal(poll_now(&g), 0);
        assert_true(rig_get(&g, "gpu1", AIM_M_ENERGY, -1, NULL));
        if (cases[c].gpu0)
            assert_near(rig_value(&g, "gpu0", AIM_M_GPU_JOB_SM_UTIL, 3), 0.0);
        close_rig(&g);
    }
}

/* A poll whose frame time is after every earlier one (frame_skew included). */
static int job_poll(rig *g) {
    g->t_ns = now_ns() + frame_skew;
    return rig_poll(g);
}

/* The fake gives process samples once per 100 ms of real time and NOT_FOUND to a poll that
 * has seen the current one: 110 ms after the last poll there is always a new sample, so
 * each of these polls reads this tick's samples, not held values. Not a timing assertion:
 * a slower machine only waits longer than needed. */
static void poll_new_samples(rig *g) {
    sleep_s(0.11);
    assert_int_equal(job_poll(g), 0);
}

/* Series 0..16 of gpu.job_sm_util on gpu against want (the first n slots; the others 0)
 * and nobody (the processes in no job, series 16); a failure names the caller's line. */
static void expect_job_sm_at(int line, const rig *g, const char *gpu, const double *want,
                             int n, double nobody) {
    for (int k = 0; k < AIM_JOB_SLOT_SERIES; k++) {
        double v = rig_value(g, gpu, AIM_M_GPU_JOB_SM_UTIL, k);
        double w = k == AIM_JOB_SLOT_NOBODY ? nobody : k < n ? want[k] : 0.0;
        if (!(fabs(v - w) <= 1e-9)) /* NaN fails too */
            fail_msg("line %d: %s gpu.job_sm_util series %d = %g, expected %g", line, gpu, k,
                     v, w);
    }
}
#define expect_job_sm(g, gpu, ...) expect_job_sm_at(__LINE__, g, gpu, __VA_ARGS__)

static void job_share_sums_each_jobs_processes(void **unused) {
    const char *procfs = make_procfs();
    fake_pid(procfs, 4001, 5000, "/slurm/job_1/step_0/user/task_0"); /* below job 1 */
    fake_pid(procfs, 4002, 5000, "/slurm/job_1");                    /* job 1 itself */
    fake_pid(procfs, 4003, 5000, "/slurm/job_10/step_batch");        /* job 10, not job 1 */
    fake_pid(procfs, 4004, 5000, "/system.slice/sshd.service");      /* no job's */
    fake_pid(procfs, 4005, 5000, "/slurm/job_10");                   /* job 10, 0 % */
    /* 4006: no procfs entry (gone, or another pid namespace): no job's */
    fake_pid(procfs, 4007, 5000, "/");                               /* the root: no job's */
    fake_pid(procfs, 4008, 5000, "/slurm/job_11");                   /* no slot's */
    /* gpu0: job 1 has 30 % (its older 90 % sample is not the newest) + 20 %; job 10 25 %;
     * 8 + 4 + 2 + 1 % are in no job. gpu1: job 1 70 + 50 %, capped at 100; job 10 5 %. */
    write_scenario("gpus 2\n"
                   "gpu0 util 100 50\n"
                   "gpu0 proc 4001 30 1000 90\n"
                   "gpu0 proc 4002 20 1000\n"
                   "gpu0 proc 4003 25 1000\n"
                   "gpu0 proc 4004 8 1000\n"
                   "gpu0 proc 4005 0 1000\n"
                   "gpu0 proc 4006 4 1000\n"
                   "gpu0 proc 4007 2 1000\n"
                   "gpu0 proc 4008 1 1000\n"
                   "gpu1 proc 4001 70 1000\n"
                   "gpu1 proc 4002 50 1000\n"
                   "gpu1 proc 4003 5 1000\n");
    aim__job_slots_init(&job_slots);
    static rig g; /* static: teardown closes it after a failed assertion */
    open_job_rig(&g, procfs, NULL);
    assert_int_equal(g.rc, 0);
    assert_int_equal(job_series(&g, "gpu0"), 1);
    assert_int_equal(job_series(&g, "gpu1"), 1);

    /* No job yet: every process on the GPUs is in no job (gpu1's 125 % capped). */
    poll_new_samples(&g);
    expect_job_sm(&g, "gpu0", NULL, 0, 30 + 20 + 25 + 8 + 4 + 2 + 1);
    expect_job_sm(&g, "gpu1", NULL, 0, 100);

    /* Two jobs start (and a third whose processes use no GPU). */
    assert_int_equal(claim("/slurm/job_1"), 0);
    assert_int_equal(claim("/slurm/job_10"), 1);
    assert_int_equal(claim("/slurm/job_3"), 2);
    poll_new_samples(&g);
    expect_job_sm(&g, "gpu0", (const double[]){ 50, 25, 0 }, 3, 8 + 4 + 2 + 1);
    expect_job_sm(&g, "gpu1", (const double[]){ 100, 5, 0 }, 3, 0);
    /* Again at once: a new sample or the held one, the same figures. */
    assert_int_equal(job_poll(&g), 0);
    expect_job_sm(&g, "gpu0", (const double[]){ 50, 25, 0 }, 3, 15);
    expect_job_sm(&g, "gpu1", (const double[]){ 100, 5, 0 }, 3, 0);

    /* Job 1 ends (the slot stays taken until its run is stored): its pids still run and
     * still have samples, but no longer count for it, from the next poll on, whether that
     * poll finds a new sample or holds the last; with a new sample they are in no job. */
    unsigned gen = aim__job_slots_gen(&job_slots);
    aim__job_slots_end(&job_slots, 0, now_ns());
    assert_true(aim__job_slots_gen(&job_slots) != gen);
    assert_int_equal(job_poll(&g), 0);
    double nobody = rig_value(&g, "gpu0", AIM_M_GPU_JOB_SM_UTIL, AIM_JOB_SLOT_NOBODY);
    assert_true(nobody == 15 || nobody == 15 + 50); /* held, or the new sample */
    expect_job_sm(&g, "gpu0", (const double[]){ 0, 25, 0 }, 3, nobody);
    poll_new_samples(&g);
    expect_job_sm(&g, "gpu0", (const double[]){ 0, 25, 0 }, 3, 15 + 50);
    expect_job_sm(&g, "gpu1", (const double[]){ 0, 5, 0 }, 3, 100);

    /* The slot freed and claimed again for job 1, and a job moved into job 1's step 0 (a
     * job's cgroup inside another's: claims refuse it, a move does not): each pid is the
     * deepest one's. */
    aim__job_slots_release(&job_slots, 0);
    assert_int_equal(claim("/slurm/job_1"), 0);
    assert_int_equal(claim("/slurm/job_9"), 3);
    aim__job_slots_set_cgroup(&job_slots, 3, "/slurm/job_1/step_0");
    poll_new_samples(&g);
    expect_job_sm(&g, "gpu0", (const double[]){ 20, 25, 0, 30 }, 4, 15);
    expect_job_sm(&g, "gpu1", (const double[]){ 50, 5, 0, 70 }, 4, 0);
    /* The other way round (the deeper cgroup in the lower slot): depth decides, not the
     * slots' order. */
    aim__job_slots_set_cgroup(&job_slots, 0, "/slurm/job_1/step_0");
    aim__job_slots_set_cgroup(&job_slots, 3, "/slurm/job_1");
    poll_new_samples(&g);
    expect_job_sm(&g, "gpu0", (const double[]){ 30, 25, 0, 20 }, 4, 15);
    expect_job_sm(&g, "gpu1", (const double[]){ 70, 5, 0, 50 }, 4, 0);

    /* A second job in job 10's cgroup: neither can be told from the other, so job 10's
     * slot is emptied and its processes are in no job's. */
    assert_int_equal(claim("/slurm/job_10"), -EEXIST);
    poll_new_samples(&g);
    expect_job_sm(&g, "gpu0", (const double[]){ 30, 0, 0, 20 }, 4, 15 + 25);
    expect_job_sm(&g, "gpu1", (const double[]){ 70, 0, 0, 50 }, 4, 5);

    /* Pid 4002 exits and the number comes back as a process outside any job (a new start
     * time): once the source reads its start time again (NV_PID_RECHECK_NS of frame time
     * later; the frame clock is moved on, no waiting), its cgroup is read again although
     * no slot changed. */
    fake_pid(procfs, 4002, 9000, "/system.slice/cron.service");
    frame_skew += NV_PID_RECHECK_NS;
    poll_new_samples(&g);
    expect_job_sm(&g, "gpu0", (const double[]){ 30, 0, 0, 0 }, 4, 40 + 20);
    expect_job_sm(&g, "gpu1", (const double[]){ 70, 0, 0, 0 }, 4, 5 + 50);
    close_rig(&g);
}

/* When the process call fails, the series of slots with a job hold their last value (as
 * the tree's series is held by the writer), and the others read 0: a job that ended, and a
 * slot that went to a new job since the last reading, whose held value was the earlier
 * job's (what the source cleared when the slot's cgroup changed). The failure comes from
 * the fake's clock (gpu0 fail_at); the steps before it take a few hundred ms of the 2 s. */
static void job_series_hold_only_for_slots_with_a_job(void **unused) {
    const char *procfs = make_procfs();
    fake_pid(procfs, 5001, 100, "/slurm/job_a");
    fake_pid(procfs, 5002, 100, "/slurm/job_b");
    fake_pid(procfs, 5003, 100, "/slurm/job_c/step_0");
    fake_pid(procfs, 5004, 100, "/user.slice/user-1000.slice");
    const double fail_at = 2.0;
    char text[256];
    snprintf(text, sizeof text,
             "gpus 1\ngpu0 fail_at %.1f\ngpu0 proc 5001 40 1000\ngpu0 proc 5002 30 1000\n"
             "gpu0 proc 5003 20 1000\ngpu0 proc 5004 10 1000\n", fail_at);
    write_scenario(text);
    fake_ref f;
    fake_hold(&f, AIM_FAKE_NVML);
    aim__job_slots_init(&job_slots);
    static rig g; /* static: teardown closes it after a failed assertion */
    open_job_rig(&g, procfs, NULL);
    assert_int_equal(g.rc, 0);
    assert_int_equal(claim("/slurm/job_a"), 0);
    assert_int_equal(claim("/slurm/job_b"), 1);
    assert_int_equal(claim("/slurm/job_c"), 2);
    poll_new_samples(&g);
    if (now_s() - f.t0 > fail_at - 0.5)
        fail_msg("the steps before the failure took %.2f s of %.1f", now_s() - f.t0, fail_at);
    assert_true(rig_get(&g, "gpu0", AIM_M_GPU_UTIL, -1, NULL)); /* not failing yet */
    expect_job_sm(&g, "gpu0", (const double[]){ 40, 30, 20 }, 3, 10);

    /* Before the next reading: job c ends, and job b's slot goes to job d (its run stored
     * at once), whose processes are not on the GPU. */
    aim__job_slots_end(&job_slots, 2, now_ns());
    aim__job_slots_end(&job_slots, 1, now_ns());
    aim__job_slots_release(&job_slots, 1);
    assert_int_equal(claim("/slurm/job_d"), 1);

    sleep_s(fail_at + 0.05 - (now_s() - f.t0));
    for (int i = 0; i < 2; i++) {
        assert_int_equal(job_poll(&g), 0);
        /* The failure path indeed: the GPU's own series are not valid. */
        assert_false(rig_get(&g, "gpu0", AIM_M_GPU_UTIL, -1, NULL));
        assert_false(rig_get(&g, "gpu0", AIM_M_POWER, -1, NULL));
        /* Job a holds; job d has no reading of its own yet; job c ended; the processes in
         * no job hold theirs. */
        expect_job_sm(&g, "gpu0", (const double[]){ 40, 0, 0 }, 3, 10);
    }
    close_rig(&g);
    fake_release(&f);
}

/* The source remembers NV_TREE_WAYS pids per set (pid % NV_TREE_SETS): more GPU processes
 * in one set than that replace each other's entries at every poll, and each must still be
 * summed for its own job. Six pids of set 33 in three jobs, with SM % that are powers of
 * two, so that a sum tells which pids it holds. */
static void pids_of_one_cache_set_each_count_for_their_job(void **unused) {
    const char *procfs = make_procfs();
    static const int pids[6] = { 4001, 4065, 4129, 4193, 4257, 4321 };
    static const char *const cgroups[6] = {
        "/slurm/job_a", "/slurm/job_b/step_0", "/slurm/job_a/step_1", "/system.slice/x.service",
        "/slurm/job_a", "/slurm/job_b",
    };
    char text[512] = "gpus 2\n";
    for (int i = 0; i < 6; i++) {
        assert_int_equal(pids[i] % NV_TREE_SETS, pids[0] % NV_TREE_SETS);
        fake_pid(procfs, pids[i], 100 + i, cgroups[i]);
        /* gpu0: pid i has 2^i %; gpu1 the same pids in the reverse order, 2^(5-i) %. */
        snprintf(text + strlen(text), sizeof text - strlen(text), "gpu0 proc %d %d 1000\n",
                 pids[i], 1 << i);
    }
    for (int i = 5; i >= 0; i--)
        snprintf(text + strlen(text), sizeof text - strlen(text), "gpu1 proc %d %d 1000\n",
                 pids[i], 1 << (5 - i));
    assert_true(6 > NV_TREE_WAYS);
    write_scenario(text);
    aim__job_slots_init(&job_slots);
    static rig g; /* static: teardown closes it after a failed assertion */
    open_job_rig(&g, procfs, NULL);
    assert_int_equal(g.rc, 0);
    assert_int_equal(claim("/slurm/job_a"), 0);
    assert_int_equal(claim("/slurm/job_b"), 1);
    /* job a: pids 0, 2, 4; job b: 1, 5; no job: 3. */
    const double a0 = 1 + 4 + 16, b0 = 2 + 32, n0 = 8;
    const double a1 = 32 + 8 + 2, b1 = 16 + 1, n1 = 4;
    for (int round = 0; round < 3; round++) {
        poll_new_samples(&g);
        expect_job_sm(&g, "gpu0", (const double[]){ a0, b0 }, 2, n0);
        expect_job_sm(&g, "gpu1", (const double[]){ a1, b1 }, 2, n1);
    }
    /* Past the recheck time (each pid's start time read again): the same. */
    frame_skew += NV_PID_RECHECK_NS;
    poll_new_samples(&g);
    expect_job_sm(&g, "gpu0", (const double[]){ a0, b0 }, 2, n0);
    expect_job_sm(&g, "gpu1", (const double[]){ a1, b1 }, 2, n1);
    /* The slots change: job b ends, its pids are in no job. */
    aim__job_slots_end(&job_slots, 1, now_ns());
    for (int round = 0; round < 2; round++) {
        poll_new_samples(&g);
        expect_job_sm(&g, "gpu0", (const double[]){ a0, 0 }, 2, n0 + b0);
        expect_job_sm(&g, "gpu1", (const double[]){ a1, 0 }, 2, n1 + b1);
    }
    /* A pid of the set recycled into job b's successor: its new cgroup is read. */
    aim__job_slots_release(&job_slots, 1);
    assert_int_equal(claim("/slurm/job_e"), 1);
    fake_pid(procfs, pids[3], 999, "/slurm/job_e");
    frame_skew += NV_PID_RECHECK_NS;
    poll_new_samples(&g);
    expect_job_sm(&g, "gpu0", (const double[]){ a0, 8 }, 2, b0);
    expect_job_sm(&g, "gpu1", (const double[]){ a1, 4 }, 2, b1);
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
        cmocka_unit_test_setup_teardown(agent_declares_job_series_where_process_samples_answer,
                                        setup, job_teardown),
        cmocka_unit_test_setup_teardown(job_series_follow_the_metrics_selection, setup,
                                        job_teardown),
        cmocka_unit_test_setup_teardown(a_full_series_table_costs_the_job_series_only, setup,
                                        job_teardown),
        cmocka_unit_test_setup_teardown(job_share_sums_each_jobs_processes, setup,
                                        job_teardown),
        cmocka_unit_test_setup_teardown(job_series_hold_only_for_slots_with_a_job, setup,
                                        job_teardown),
        cmocka_unit_test_setup_teardown(pids_of_one_cache_set_each_count_for_their_job, setup,
                                        job_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
