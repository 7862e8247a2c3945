/* The phases chart's model (processing/plot_phases.h) from hand-made phase rows: which
 * activities become bars (DCGM's metric when kept, NVML's utilisation instead), each phase's
 * values and hints, and a run without phases. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "processing/plot_phases.h"

/* host, cpu0 (no bars), gpu0 (DCGM metrics), gpu1 (NVML only); phases "load" and "train". */
typedef struct fixture {
    aim_run_summary run;
    aim_device_summary dev[4];
    aim_phase_summary phase[2];
    aim_phase_metric pm[2][6];
    aim_workload_summary w;
} fixture;

static void metric(aim_phase_summary *p, aim_phase_metric *pm, int device, const char *key,
                   double mean) {
    pm[p->n_metrics].device = device;
    snprintf(pm[p->n_metrics].key, sizeof pm[0].key, "%s", key);
    pm[p->n_metrics].mean = mean;
    p->n_metrics++;
}

static void make(fixture *f) {
    memset(f, 0, sizeof *f);
    static const aim_device_kind kinds[4] = { AIM_DEV_HOST, AIM_DEV_CPU, AIM_DEV_GPU,
                                              AIM_DEV_GPU };
    static const char *const names[4] = { "host", "cpu0", "gpu0", "gpu1" };
    for (int d = 0; d < 4; d++) {
        snprintf(f->dev[d].name, sizeof f->dev[d].name, "%s", names[d]);
        f->dev[d].kind = kinds[d];
    }
    for (int i = 0; i < 2; i++) {
        snprintf(f->phase[i].name, sizeof f->phase[i].name, "%s", i ? "train" : "load");
        f->phase[i].instances = i ? 3 : 1;
        f->phase[i].metrics = f->pm[i];
    }
    /* load: the host busy (CPU-bound), gpu0 with DCGM but idle, gpu1's utilisation low */
    metric(&f->phase[0], f->pm[0], 0, "cpu.util", 92);
    metric(&f->phase[0], f->pm[0], 2, "gpu.sm_active", 5);
    metric(&f->phase[0], f->pm[0], 3, "gpu.util", 10);
    /* train: gpu0 memory-bound (DRAM busy, tensor idle), gpu1 busy by utilisation */
    metric(&f->phase[1], f->pm[1], 0, "cpu.util", 20);
    metric(&f->phase[1], f->pm[1], 2, "gpu.dram_active", 70);
    metric(&f->phase[1], f->pm[1], 2, "gpu.tensor_active", 5);
    metric(&f->phase[1], f->pm[1], 2, "gpu.sm_active", 50);
    metric(&f->phase[1], f->pm[1], 3, "gpu.util", 95);
    metric(&f->phase[1], f->pm[1], 3, "gpu.mem_util", 40);
    f->w.phases = f->phase;
    f->w.n_phases = 2;
    f->run.devices = f->dev;
    f->run.n_devices = 4;
    f->run.workload = &f->w;
}

static int bar(const aim_plot_phases *m, const char *name) {
    for (int b = 0; b < m->n_bars; b++)
        if (strcmp(m->bar[b], name) == 0)
            return b;
    return -1;
}

static void bars_values_and_hints(void **state) {
    (void)state;
    fixture f;
    make(&f);
    aim_plot_phases m;
    assert_int_equal(aim__plot_phases_build(&f.run, &m), 0);
    /* host, gpu0's three DCGM activities, gpu1's two NVML ones; cpu0 has none */
    assert_int_equal(m.n_bars, 6);
    assert_int_equal(bar(&m, "host CPU use"), 0);
    assert_int_equal(bar(&m, "gpu0 SM active"), 1);
    assert_int_equal(bar(&m, "gpu0 tensor active"), 2);
    assert_int_equal(bar(&m, "gpu0 DRAM active"), 3);
    assert_int_equal(bar(&m, "gpu1 utilisation"), 4);
    assert_int_equal(bar(&m, "gpu1 memory utilisation"), 5);
    assert_int_equal(m.n_devices, 3);
    assert_string_equal(m.device[1], "gpu0");
    assert_int_equal(m.n_groups, 2);
    assert_string_equal(m.groups[1].name, "train");
    assert_int_equal(m.groups[1].instances, 3);
    assert_true(m.groups[0].value[0] == 92 && m.groups[1].value[3] == 70);
    /* not kept in that phase: no bar */
    assert_true(isnan(m.groups[0].value[3]) && isnan(m.groups[0].value[5]));
    assert_int_equal(m.groups[0].hint[0], AIM_HINT_CPU_BOUND);
    assert_int_equal(m.groups[0].hint[1], AIM_HINT_GPU_IDLE);
    assert_int_equal(m.groups[1].hint[0], AIM_HINT_NONE);
    assert_int_equal(m.groups[1].hint[1], AIM_HINT_MEMORY_BOUND);
    assert_int_equal(m.groups[1].hint[2], AIM_HINT_GPU_BUSY);
    assert_true(m.ymax == 100);
    aim__plot_phases_free(&m);
}

static void without_phases_or_metrics(void **state) {
    (void)state;
    fixture f;
    make(&f);
    aim_plot_phases m;
    f.w.n_phases = 0;
    assert_int_equal(aim__plot_phases_build(&f.run, &m), -ENODATA);
    f.run.workload = NULL;
    assert_int_equal(aim__plot_phases_build(&f.run, &m), -ENODATA);
    aim__plot_phases_free(&m);
    /* phases that kept no activity: groups without bars */
    make(&f);
    f.phase[0].n_metrics = f.phase[1].n_metrics = 0;
    assert_int_equal(aim__plot_phases_build(&f.run, &m), 0);
    assert_int_equal(m.n_bars, 0);
    assert_int_equal(m.n_groups, 2);
    aim__plot_phases_free(&m);
}

static void above_100_widens_the_axis(void **state) {
    (void)state;
    fixture f;
    make(&f);
    f.pm[1][0].mean = 104;
    aim_plot_phases m;
    assert_int_equal(aim__plot_phases_build(&f.run, &m), 0);
    assert_true(m.ymax == 104);
    aim__plot_phases_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bars_values_and_hints),
        cmocka_unit_test(without_phases_or_metrics),
        cmocka_unit_test(above_100_widens_the_axis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
