/* The DCGM source against the fake libdcgm of tests/fakes/fake_dcgm.c: each test writes a
 * scenario, points AIMETER_DCGM_LIBRARY at the fake and opens the production source. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "model/metric_select.h"
#include "source_rig.h"

extern const aim_source_ops aim_source_dcgm;

static char scenario_path[64];

/* Writes the scenario to a fresh file named by AIMETER_FAKE_DCGM_SCENARIO and selects lib. */
static void use(const char *lib, const char *scenario) {
    if (scenario_path[0])
        unlink(scenario_path);
    snprintf(scenario_path, sizeof scenario_path, "/tmp/aim-dcgm-XXXXXX");
    int fd = mkstemp(scenario_path);
    assert_true(fd >= 0);
    size_t len = strlen(scenario);
    assert_int_equal(write(fd, scenario, len), (ssize_t)len);
    close(fd);
    setenv("AIMETER_FAKE_DCGM_SCENARIO", scenario_path, 1);
    setenv("AIMETER_DCGM_LIBRARY", lib, 1);
    unsetenv("AIMETER_DCGM_HOST");
    unsetenv("AIMETER_GPUS");
    unsetenv("CUDA_VISIBLE_DEVICES");
}

static int teardown(void **state) {
    (void)state;
    if (scenario_path[0])
        unlink(scenario_path);
    scenario_path[0] = '\0';
    unsetenv("AIMETER_DCGM_HOST");
    unsetenv("AIMETER_GPUS");
    unsetenv("CUDA_VISIBLE_DEVICES");
    return 0;
}

static int open_dcgm(rig *g) {
    return rig_open(g, &aim_source_dcgm, NULL, NULL, 0);
}

static int has_warning(const rig *g, const char *needle) {
    for (int i = 0; i < g->cat->n_warnings; i++)
        if (strstr(g->cat->warnings[i], needle))
            return 1;
    return 0;
}

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static const char two_gpus[] =
    "# every profiling field of gpu0, two of gpu1\n"
    "gpus 2\n"
    "name 0 NVIDIA H100 80GB HBM3\n"
    "name 1 NVIDIA A100-SXM4-40GB\n"
    "value 0 1001 0=0.5\n"
    "value 0 1002 0=0.25\n"
    "value 0 1003 0=0.125\n"
    "value 0 1004 0=0.75\n"
    "value 0 1005 0=0.0625\n"
    "value 0 1006 0=0.375\n"
    "value 0 1007 0=0.875\n"
    "value 0 1008 0=1\n"
    "value 1 1002 0=0.5\n"
    "value 1 1004 0=0\n";

static void discovers_gpus_and_scales_every_field_to_percent(void **state) {
    (void)state;
    use(AIM_FAKE_DCGM, two_gpus);
    rig g;
    assert_int_equal(open_dcgm(&g), 0);
    assert_int_equal(g.cat->n_devices, 2);
    assert_int_equal(rig_device(&g, "gpu0")->kind, AIM_DEV_GPU);
    assert_string_equal(rig_device(&g, "gpu0")->model, "NVIDIA H100 80GB HBM3");
    assert_string_equal(rig_device(&g, "gpu1")->model, "NVIDIA A100-SXM4-40GB");
    assert_int_equal(g.cat->n_series, 24); /* 12 fields x 2 GPUs */
    assert_int_equal(g.cat->n_warnings, 0);
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_GR_ACTIVE, -1), 50.0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_SM_ACTIVE, -1), 25.0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_SM_OCCUPANCY, -1), 12.5);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_TENSOR_ACTIVE, -1), 75.0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_DRAM_ACTIVE, -1), 6.25);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_FP64_ACTIVE, -1), 37.5);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_FP32_ACTIVE, -1), 87.5);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_FP16_ACTIVE, -1), 100.0);
    assert_near(rig_value(&g, "gpu1", AIM_M_GPU_SM_ACTIVE, -1), 50.0);
    assert_near(rig_value(&g, "gpu1", AIM_M_GPU_TENSOR_ACTIVE, -1), 0.0); /* a real 0 */
    /* gpu1's other fields have no value yet (DCGM's blank): invalid, never 0 */
    assert_int_equal(rig_get(&g, "gpu1", AIM_M_GPU_GR_ACTIVE, -1, NULL), 0);
    assert_int_equal(rig_get(&g, "gpu1", AIM_M_GPU_FP16_ACTIVE, -1, NULL), 0);
    rig_close(&g);
}

static void blank_sentinels_are_invalid(void **state) {
    (void)state;
    use(AIM_FAKE_DCGM, "gpus 1\n"
                       "value 0 1002 0=0.4\n"
                       "blank 0 1004\n"
                       "blank 0 1008\n");
    rig g;
    assert_int_equal(open_dcgm(&g), 0);
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_SM_ACTIVE, -1), 40.0);
    assert_int_equal(rig_get(&g, "gpu0", AIM_M_GPU_TENSOR_ACTIVE, -1, NULL), 0);
    assert_int_equal(rig_get(&g, "gpu0", AIM_M_GPU_FP16_ACTIVE, -1, NULL), 0);
    assert_int_equal(rig_get(&g, "gpu0", AIM_M_GPU_DRAM_ACTIVE, -1, NULL), 0);
    assert_string_equal(rig_device(&g, "gpu0")->model, ""); /* no name in the scenario */
    rig_close(&g);
}

static void values_follow_the_trace(void **state) {
    (void)state;
    use(AIM_FAKE_DCGM, "value 0 1002 0=0.1 0.3=0.9\n");
    rig g;
    assert_int_equal(open_dcgm(&g), 0);
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_SM_ACTIVE, -1), 10.0);
    sleep_ms(350);
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_SM_ACTIVE, -1), 90.0);
    rig_close(&g);
}

static void profiling_not_supported_leaves_that_gpu_out(void **state) {
    (void)state;
    use(AIM_FAKE_DCGM, "gpus 2\nnoprof 1\nvalue 0 1001 0=0.5\nvalue 1 1001 0=0.5\n");
    rig g;
    assert_int_equal(open_dcgm(&g), 0);
    assert_int_equal(g.cat->n_devices, 1);
    assert_true(aim__catalog_find_device(g.cat, "gpu1") < 0);
    assert_int_equal(rig_slot(&g, "gpu1", AIM_M_GPU_GR_ACTIVE, -1), -ENOENT);
    assert_int_equal(g.cat->n_series, 12);
    assert_int_equal(g.cat->n_warnings, 1);
    assert_true(has_warning(&g, "gpu1"));
    assert_true(has_warning(&g, "(-36)"));
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_GR_ACTIVE, -1), 50.0);
    rig_close(&g);

    use(AIM_FAKE_DCGM, "gpus 1\nnoprof 0\n"); /* no GPU left: nothing to measure */
    assert_int_equal(open_dcgm(&g), -ENODEV);
    assert_true(has_warning(&g, "gpu0"));
    rig_close(&g);
}

static void fields_that_need_another_pass_are_left_out(void **state) {
    (void)state;
    /* tensor (1004) and fp64 (1006) are in a metric group of their own on gpu0 */
    use(AIM_FAKE_DCGM, "gpus 2\n"
                       "pass 0 1001 1002 1003 1005 1007 1008\n"
                       "pass 0 1004 1006\n"
                       "value 0 1002 0=0.5\nvalue 0 1004 0=0.5\nvalue 1 1004 0=0.25\n");
    rig g;
    assert_int_equal(open_dcgm(&g), 0);
    assert_int_equal(g.cat->n_series, 6 + 12); /* gpu0: no byte rates in its passes */
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_TENSOR_ACTIVE, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_FP64_ACTIVE, -1), -ENOENT);
    assert_int_equal(g.cat->n_warnings, 1);
    assert_true(has_warning(&g, "gpu0 cannot read every profiling field"));
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_SM_ACTIVE, -1), 50.0);
    assert_near(rig_value(&g, "gpu1", AIM_M_GPU_TENSOR_ACTIVE, -1), 25.0);
    rig_close(&g);
}

static void host_engine_gone_drops_the_source_after_repeated_failures(void **state) {
    (void)state;
    use(AIM_FAKE_DCGM, "value 0 1002 0=0.5\ngone 0.3\n");
    rig g;
    assert_int_equal(open_dcgm(&g), 0);
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_SM_ACTIVE, -1), 50.0);
    sleep_ms(350);
    for (int i = 0; i < 4; i++) { /* values invalid, the source stays */
        assert_int_equal(rig_poll(&g), 0);
        assert_int_equal(rig_get(&g, "gpu0", AIM_M_GPU_SM_ACTIVE, -1, NULL), 0);
    }
    assert_int_equal(rig_poll(&g), -ENODEV);
    /* One line, from the first failed poll (about 0.35 s after open). */
    char ev[200];
    double t = -1;
    assert_int_equal(aim_source_dcgm.take_event(g.state, ev, sizeof ev), 1);
    assert_int_equal(sscanf(ev, "host engine lost at %lf s", &t), 1);
    assert_true(t > 0.3 && t < 1.5);
    assert_non_null(strstr(ev, "(Host engine connection invalid/disconnected (-21)); the "
                               "profiling series stop there"));
    assert_int_equal(aim_source_dcgm.take_event(g.state, ev, sizeof ev), 0);
    rig_close(&g); /* teardown against a vanished engine is harmless */
}

static void host_engine_back_after_a_gap_is_said_once(void **state) {
    (void)state;
    use(AIM_FAKE_DCGM, "value 0 1002 0=0.5\ngone 0.2\nback 0.4\n");
    rig g;
    char ev[200];
    assert_int_equal(open_dcgm(&g), 0);
    assert_int_equal(rig_poll(&g), 0);
    assert_int_equal(aim_source_dcgm.take_event(g.state, ev, sizeof ev), 0);
    sleep_ms(250);
    assert_int_equal(rig_poll(&g), 0);
    assert_int_equal(rig_get(&g, "gpu0", AIM_M_GPU_SM_ACTIVE, -1, NULL), 0);
    assert_int_equal(rig_poll(&g), 0);
    assert_int_equal(aim_source_dcgm.take_event(g.state, ev, sizeof ev), 0); /* not over yet */
    sleep_ms(200);
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_SM_ACTIVE, -1), 50.0);
    assert_int_equal(aim_source_dcgm.take_event(g.state, ev, sizeof ev), 1);
    double t0 = -1, t1 = -1;
    assert_int_equal(sscanf(ev, "host engine did not answer from %lf s to %lf s", &t0, &t1), 2);
    assert_true(t0 > 0.2 && t0 < 0.45);
    assert_true(t1 > 0.4 && t1 < 1.5 && t1 > t0);
    assert_non_null(strstr(ev, "the profiling series have no values there"));
    assert_int_equal(aim_source_dcgm.take_event(g.state, ev, sizeof ev), 0);
    assert_int_equal(rig_poll(&g), 0);
    assert_int_equal(aim_source_dcgm.take_event(g.state, ev, sizeof ev), 0);
    rig_close(&g);
}

static void missing_library_is_enodev_with_a_warning_where_nvidia_is(void **state) {
    (void)state;
    use("/nonexistent/libdcgm.so.4", "gpus 1\n");
    rig g;
    char sys[] = "/tmp/aim-dcgm-sys-XXXXXX", module[64], nvidia[80];
    assert_non_null(mkdtemp(sys));
    snprintf(module, sizeof module, "%s/module", sys);
    snprintf(nvidia, sizeof nvidia, "%s/nvidia", module);
    assert_int_equal(mkdir(module, 0755), 0);
    assert_int_equal(mkdir(nvidia, 0755), 0);
    assert_int_equal(rig_open(&g, &aim_source_dcgm, sys, NULL, 0), -ENODEV);
    assert_int_equal(g.cat->n_warnings, 1);
    assert_true(has_warning(&g, "/nonexistent/libdcgm.so.4"));
    assert_int_equal(g.cat->n_series, 0);
    rig_close(&g);
    /* no NVIDIA driver: DCGM being absent is normal and not worth a warning */
    assert_int_equal(open_dcgm(&g), -ENODEV);
    assert_int_equal(g.cat->n_warnings, 0);
    rig_close(&g);
    rmdir(nvidia);
    rmdir(module);
    rmdir(sys);
}

static void library_without_dcgm_symbols_is_enodev_with_a_warning(void **state) {
    (void)state;
    use(AIM_FAKE_DYNLIB, "gpus 1\n");
    rig g;
    assert_int_equal(open_dcgm(&g), -ENODEV);
    assert_true(has_warning(&g, "dcgmInit"));
    rig_close(&g);
}

static void old_library_starts_with_the_old_call(void **state) {
    (void)state;
    use(AIM_FAKE_DCGM_OLD, "value 0 1004 0=0.3\n");
    rig g;
    assert_int_equal(open_dcgm(&g), 0);
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_TENSOR_ACTIVE, -1), 30.0);
    rig_close(&g);
}

static void host_engine_by_address(void **state) {
    (void)state;
    use(AIM_FAKE_DCGM, "no_embedded\nhost 10.0.0.7:5555\nvalue 0 1002 0=0.5\n");
    rig g;
    /* the embedded engine refuses, and the warning says what to do */
    assert_int_equal(open_dcgm(&g), -ENODEV);
    assert_true(has_warning(&g, "AIMETER_DCGM_HOST"));
    rig_close(&g);
    setenv("AIMETER_DCGM_HOST", "10.0.0.7:5555", 1);
    assert_int_equal(open_dcgm(&g), 0);
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_SM_ACTIVE, -1), 50.0);
    rig_close(&g);
    setenv("AIMETER_DCGM_HOST", "10.0.0.8", 1);
    assert_int_equal(open_dcgm(&g), -ENODEV);
    assert_true(has_warning(&g, "10.0.0.8"));
    rig_close(&g);
    /* --dcgm-host (the "host" option) wins over the environment variable */
    rig_prepare(&g, &aim_source_dcgm);
    const aim_source_setting host[] = { { "host", "10.0.0.7:5555" } };
    g.env.options = host;
    g.env.n_options = 1;
    assert_int_equal(rig_open_prepared(&g, NULL, NULL, 0), 0);
    rig_close(&g);
}

static const char four_gpus[] =
    "gpus 4\n"
    "uuid 0 GPU-11111111-aaaa\nuuid 1 GPU-22222222-bbbb\n"
    "uuid 2 GPU-33333333-cccc\nuuid 3 GPU-3333ffff-dddd\n"
    "value 0 1002 0=0.1\nvalue 1 1002 0=0.2\nvalue 2 1002 0=0.3\nvalue 3 1002 0=0.4\n";

/* The names of the GPU devices declared, "gpu0,gpu2". */
static void gpu_names(const rig *g, char *buf, size_t size) {
    buf[0] = '\0';
    for (int i = 0; i < g->cat->n_devices; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s", len ? "," : "", g->cat->devices[i].name);
    }
}

static void selects_the_gpus_nvml_selects(void **state) {
    (void)state;
    char names[128];
    rig g;
    use(AIM_FAKE_DCGM, four_gpus);
    setenv("CUDA_VISIBLE_DEVICES", "2,GPU-1111", 1); /* an id, then a UUID prefix */
    assert_int_equal(open_dcgm(&g), 0);
    gpu_names(&g, names, sizeof names);
    assert_string_equal(names, "gpu0,gpu2"); /* DCGM's ids, in DCGM's order */
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu2", AIM_M_GPU_SM_ACTIVE, -1), 30.0);
    rig_close(&g);

    setenv("AIMETER_GPUS", "22222222,3", 1); /* AIMETER_GPUS wins; "GPU-" may be left out */
    assert_int_equal(open_dcgm(&g), 0);
    gpu_names(&g, names, sizeof names);
    assert_string_equal(names, "gpu1,gpu3");
    rig_close(&g);

    setenv("AIMETER_GPUS", "1,GPU-3333,0", 1); /* ambiguous prefix: the list ends there */
    assert_int_equal(open_dcgm(&g), 0);
    gpu_names(&g, names, sizeof names);
    assert_string_equal(names, "gpu1");
    rig_close(&g);

    setenv("AIMETER_GPUS", "all", 1);
    assert_int_equal(open_dcgm(&g), 0);
    assert_int_equal(g.cat->n_devices, 4);
    rig_close(&g);

    setenv("AIMETER_GPUS", "7", 1); /* names none */
    assert_int_equal(open_dcgm(&g), -ENODEV);
    rig_close(&g);
}

static void metrics_declared_by_another_source_are_not_declared_twice(void **state) {
    (void)state;
    use(AIM_FAKE_DCGM, two_gpus);
    rig g;
    rig_prepare(&g, &aim_source_dcgm);
    aim_source_ctx nvml; /* as NVML would have opened first: gpu0 with its SM activity */
    aim__source_ctx_init(&nvml, g.cat, 0, 0);
    int d = aim__source_ctx_add_device(&nvml, "gpu0", AIM_DEV_GPU, "H100 from NVML");
    assert_int_equal(d, 0);
    int other = aim__source_ctx_add_series(&nvml, d, AIM_M_GPU_SM_ACTIVE, -1, AIM_METHOD_MEASURED);
    assert_int_equal(other, 0);
    assert_int_equal(rig_open_prepared(&g, NULL, NULL, 0), 0);
    assert_int_equal(g.cat->n_devices, 2);
    assert_string_equal(rig_device(&g, "gpu0")->model, "H100 from NVML"); /* kept */
    assert_int_equal(g.cat->n_series, 1 + 11 + 12);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_SM_ACTIVE, -1), other);
    assert_int_equal(rig_poll(&g), 0);
    assert_int_equal(rig_get(&g, "gpu0", AIM_M_GPU_SM_ACTIVE, -1, NULL), 0); /* not written */
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_GR_ACTIVE, -1), 50.0);
    rig_close(&g);
}


/* Opens dcgm with a --metrics value and an interval, as the session would pass them. */
static int open_dcgm_with(rig *g, const char *metrics, int64_t interval_ns,
                          aim_metric_select *sel) {
    assert_int_equal(aim__metric_select_parse(metrics, sel, NULL, 0), 0);
    rig_prepare(g, &aim_source_dcgm);
    g->env.interval_ns = interval_ns;
    g->env.metrics = sel;
    return rig_open_prepared(g, NULL, NULL, 0);
}

static void byte_rates_are_read_as_int64_and_scaled_to_gb_per_s(void **state) {
    (void)state;
    use(AIM_FAKE_DCGM, "gpus 1\nvalue 0 1001 0=0.5\nvalue 0 1009 0=2500000000\n"
                       "value 0 1010 0=500000000\nvalue 0 1011 0=0\n");
    rig g;
    assert_int_equal(open_dcgm(&g), 0);
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_PCIE_TX, -1), 2.5);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_PCIE_RX, -1), 0.5);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_NVLINK_TX, -1), 0.0); /* a real zero */
    assert_int_equal(rig_get(&g, "gpu0", AIM_M_GPU_NVLINK_RX, -1, NULL), 0); /* blank */
    rig_close(&g);
}

static void metrics_presets_choose_what_is_watched(void **state) {
    (void)state;
    use(AIM_FAKE_DCGM, two_gpus);
    rig g;
    aim_metric_select sel;
    /* basic is the nvidia-smi class: DCGM stays closed, silently. */
    assert_int_equal(open_dcgm_with(&g, "basic", 100000000, &sel), -ENODEV);
    assert_int_equal(g.cat->n_warnings, 0);
    rig_close(&g);
    /* A list: only the named profiling metric, on both GPUs. */
    assert_int_equal(open_dcgm_with(&g, "gpu.sm_active,gpu.util", 100000000, &sel), 0);
    assert_int_equal(g.cat->n_series, 2);
    assert_int_equal(rig_poll(&g), 0);
    assert_near(rig_value(&g, "gpu0", AIM_M_GPU_SM_ACTIVE, -1), 25.0);
    assert_int_equal(rig_slot(&g, "gpu0", AIM_M_GPU_GR_ACTIVE, -1), -ENOENT);
    rig_close(&g);
    /* Below the floor: the default leaves DCGM out and says how to get it ... */
    assert_int_equal(open_dcgm_with(&g, NULL, 10000000, &sel), -ENODEV);
    assert_int_equal(g.cat->n_warnings, 1);
    assert_true(has_warning(&g, "--metrics full"));
    rig_close(&g);
    /* ... full samples it anyway (the session puts it in a 100 ms group). */
    assert_int_equal(open_dcgm_with(&g, "full", 10000000, &sel), 0);
    assert_int_equal(g.cat->n_series, 24);
    rig_close(&g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(discovers_gpus_and_scales_every_field_to_percent, teardown),
        cmocka_unit_test_teardown(blank_sentinels_are_invalid, teardown),
        cmocka_unit_test_teardown(values_follow_the_trace, teardown),
        cmocka_unit_test_teardown(profiling_not_supported_leaves_that_gpu_out, teardown),
        cmocka_unit_test_teardown(fields_that_need_another_pass_are_left_out, teardown),
        cmocka_unit_test_teardown(host_engine_gone_drops_the_source_after_repeated_failures,
                                  teardown),
        cmocka_unit_test_teardown(host_engine_back_after_a_gap_is_said_once, teardown),
        cmocka_unit_test_teardown(missing_library_is_enodev_with_a_warning_where_nvidia_is,
                                  teardown),
        cmocka_unit_test_teardown(library_without_dcgm_symbols_is_enodev_with_a_warning,
                                  teardown),
        cmocka_unit_test_teardown(old_library_starts_with_the_old_call, teardown),
        cmocka_unit_test_teardown(host_engine_by_address, teardown),
        cmocka_unit_test_teardown(selects_the_gpus_nvml_selects, teardown),
        cmocka_unit_test_teardown(byte_rates_are_read_as_int64_and_scaled_to_gb_per_s, teardown),
        cmocka_unit_test_teardown(metrics_presets_choose_what_is_watched, teardown),
        cmocka_unit_test_teardown(metrics_declared_by_another_source_are_not_declared_twice,
                                  teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
