/* The estimate source against fixture /proc trees (tests/fixtures/estimate/) and the CPU TDP
 * lookup. Expected watts are computed by hand from the constants in data/power_model.csv:
 * idle ratio 0.2484, per-CPU 1.0847 W idle and 4.2361 W at full load, DRAM 0.3725 W/GB. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "data/hardware.h"
#include "data/tables.h"
#include "sources/catalog.h"
#include "sources/estimate.h"
#include "source_rig.h"

#define EPS 1e-9

typedef struct fixture {
    rig g;                  /* estimate, opened after the fake procfs series are declared */
    int util, mem;          /* slots of the fake procfs series */
} fixture;

static aim_source_env env_for(const char *dir, char *buf, size_t size) {
    snprintf(buf, size, "%s/estimate/%s", AIM_FIXTURES_DIR, dir);
    aim_source_env env = { .sysfs_root = "/nonexistent", .procfs_root = buf,
                           .interval_ns = 100000000, .target_pid = 0 };
    return env;
}

/* What procfs declares: host cpu.util and mem.used, in rate group procfs_group. */
static void declare_procfs(fixture *f, int procfs_group) {
    aim_source_ctx ctx;
    aim__source_ctx_init(&ctx, f->g.cat, 0, procfs_group);
    int host = aim__source_ctx_add_device(&ctx, "host", AIM_DEV_HOST, NULL);
    assert_true(host >= 0);
    f->util = aim__source_ctx_add_series(&ctx, host, AIM_M_CPU_UTIL, -1, AIM_METHOD_MEASURED);
    f->mem = aim__source_ctx_add_series(&ctx, host, AIM_M_MEM_USED, -1, AIM_METHOD_MEASURED);
    assert_true(f->util >= 0 && f->mem >= 0);
}

/* Opens estimate on the fixture and allocates a frame of every slot. */
static int open_estimate(fixture *f, const char *dir) {
    char root[512];
    aim_source_env env = env_for(dir, root, sizeof root);
    return rig_open_prepared(&f->g, env.sysfs_root, env.procfs_root, env.target_pid);
}

static void done(fixture *f) {
    rig_close(&f->g);
    free(f);
}

static fixture *new_fixture(void) {
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    rig_prepare(&f->g, &aim_source_estimate);
    return f;
}

/* One tick: procfs wrote util (%) and mem used (GiB), then estimate polls. */
static void tick(fixture *f, double util, double mem_gib) {
    aim_frame *frame = f->g.frame;
    aim__frame_reset(frame, 1);
    aim__frame_set(frame, f->util, util);
    aim__frame_set(frame, f->mem, mem_gib);
    assert_int_equal(aim_source_estimate.poll(f->g.state, frame), 0);
}

static double power_of(fixture *f, const char *dev) {
    int slot = rig_slot(&f->g, dev, AIM_M_POWER, -1);
    assert_true(slot >= 0);
    assert_int_equal(f->g.cat->series[slot].method, AIM_METHOD_ESTIMATED);
    return rig_value(&f->g, dev, AIM_M_POWER, -1);
}

static void constants_are_the_documented_ones(void **state) {
    assert_float_equal(aim_pm_cpu_idle_ratio, 0.2484, EPS);
    assert_float_equal(aim_pm_vcpu_w_min, 1.0847, EPS);
    assert_float_equal(aim_pm_vcpu_w_max, 4.2361, EPS);
    assert_float_equal(aim_pm_dram_w_per_gb, 0.3725, EPS);
}

static void known_model_uses_tdp_curve(void **state) {
    fixture *f = new_fixture();
    declare_procfs(f, 0);
    assert_int_equal(open_estimate(f, "xeon6248"), 0);
    const aim_catalog_device *cpu = rig_device(&f->g, "cpu0");
    assert_int_equal(cpu->kind, AIM_DEV_CPU);
    assert_string_equal(cpu->model, "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");
    /* Gold 6248: 150 W. 150 * (0.2484 + 0.7516 * 0.5) = 93.63 W */
    tick(f, 50.0, 8.0);
    assert_float_equal(power_of(f, "cpu0"), 93.63, EPS);
    /* idle: 150 * 0.2484 = 37.26 W; full: 150 W; above 100 % is clamped */
    tick(f, 0.0, 8.0);
    assert_float_equal(power_of(f, "cpu0"), 37.26, EPS);
    tick(f, 130.0, 8.0);
    assert_float_equal(power_of(f, "cpu0"), 150.0, EPS);
    done(f);
}

static void two_packages_double_the_tdp(void **state) {
    fixture *f = new_fixture();
    declare_procfs(f, 0);
    assert_int_equal(open_estimate(f, "dual6248"), 0);
    /* 2 * 150 * (0.2484 + 0.7516 * 0.25) = 2 * 65.445 = 130.89 W */
    tick(f, 25.0, 8.0);
    assert_float_equal(power_of(f, "cpu0"), 130.89, EPS);
    done(f);
}

static void unknown_model_uses_per_cpu_line(void **state) {
    fixture *f = new_fixture();
    declare_procfs(f, 0);
    assert_int_equal(open_estimate(f, "epyc-vm"), 0);
    assert_string_equal(rig_device(&f->g, "cpu0")->model, "AMD EPYC");
    /* 2 CPUs * (1.0847 + 0.5 * (4.2361 - 1.0847)) = 2 * 2.6604 = 5.3208 W */
    tick(f, 50.0, 8.0);
    assert_float_equal(power_of(f, "cpu0"), 5.3208, EPS);
    done(f);
}

static void cpu_count_falls_back_to_proc_stat(void **state) {
    fixture *f = new_fixture();
    declare_procfs(f, 0);
    assert_int_equal(open_estimate(f, "statonly"), 0);
    /* no cpuinfo: 3 "cpuN" lines; 3 * (1.0847 + 0.1 * 3.1514) = 4.19952 W */
    tick(f, 10.0, 1.0);
    assert_float_equal(power_of(f, "cpu0"), 4.19952, EPS);
    done(f);
}

static void dram_per_gb_in_use(void **state) {
    fixture *f = new_fixture();
    declare_procfs(f, 0);
    assert_int_equal(open_estimate(f, "epyc-vm"), 0);
    assert_int_equal(rig_device(&f->g, "dram0")->kind, AIM_DEV_DRAM);
    /* 8 GiB = 8.589934592 GB; * 0.3725 W/GB = 3.19975063552 W */
    tick(f, 50.0, 8.0);
    assert_float_equal(power_of(f, "dram0"), 3.19975063552, EPS);
    done(f);
}

static void missing_input_leaves_estimate_invalid(void **state) {
    fixture *f = new_fixture();
    declare_procfs(f, 0);
    assert_int_equal(open_estimate(f, "xeon6248"), 0);
    f->g.t_ns = 2; /* procfs failed this tick: nothing valid */
    assert_int_equal(rig_poll(&f->g), 0);
    assert_false(rig_get(&f->g, "cpu0", AIM_M_POWER, -1, NULL));
    assert_false(rig_get(&f->g, "dram0", AIM_M_POWER, -1, NULL));
    done(f);
}

static void measured_devices_are_left_alone(void **state) {
    fixture *f = new_fixture();
    declare_procfs(f, 0);
    /* rapl measured the package and the DRAM */
    aim_source_ctx ctx;
    aim__source_ctx_init(&ctx, f->g.cat, 2, 0);
    int cpu = aim__source_ctx_add_device(&ctx, "cpu0", AIM_DEV_CPU, "Intel Xeon");
    int dram = aim__source_ctx_add_device(&ctx, "dram0", AIM_DEV_DRAM, NULL);
    assert_true(aim__source_ctx_add_series(&ctx, cpu, AIM_M_ENERGY, -1, AIM_METHOD_MEASURED) >= 0);
    assert_true(aim__source_ctx_add_series(&ctx, dram, AIM_M_ENERGY, -1, AIM_METHOD_MEASURED) >= 0);
    int before = f->g.cat->n_series;
    assert_int_equal(open_estimate(f, "xeon6248"), -ENODEV);
    assert_int_equal(f->g.cat->n_series, before);
    done(f);
}

static void only_the_unmeasured_device_is_estimated(void **state) {
    fixture *f = new_fixture();
    declare_procfs(f, 0);
    aim_source_ctx ctx;
    aim__source_ctx_init(&ctx, f->g.cat, 2, 0);
    int cpu = aim__source_ctx_add_device(&ctx, "cpu0", AIM_DEV_CPU, NULL);
    assert_true(aim__source_ctx_add_series(&ctx, cpu, AIM_M_ENERGY, -1, AIM_METHOD_MEASURED) >= 0);
    assert_int_equal(open_estimate(f, "xeon6248"), 0);
    assert_int_equal(rig_slot(&f->g, "cpu0", AIM_M_POWER, -1), -ENOENT);
    tick(f, 50.0, 2.0);
    /* 2 GiB * 1.073741824 * 0.3725 = 0.79993765888 W */
    assert_float_equal(power_of(f, "dram0"), 0.79993765888, EPS);
    done(f);
}

static void inputs_in_another_group_are_unusable(void **state) {
    fixture *f = new_fixture();
    declare_procfs(f, 1); /* procfs in another rate group: its values are not in our frame */
    assert_int_equal(open_estimate(f, "xeon6248"), -ENODEV);
    done(f);
}

static void no_procfs_no_estimate(void **state) {
    fixture *f = new_fixture();
    assert_int_equal(open_estimate(f, "xeon6248"), -ENODEV);
    assert_int_equal(f->g.cat->n_devices, 0);
    done(f);
}

static void model_text_names_the_model(void **state) {
    char buf[256];
    /* Issue 11: the text named the TDP but not the package count it multiplies by. */
    assert_int_equal(aim__estimate_model_text(buf, sizeof buf, AIM_DEV_CPU,
                                             "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", 2, 80), 0);
    assert_string_equal(buf, "2 packages x TDP 150 W (CodeCarbon table: Intel Xeon Gold 6248) "
                             "x (0.2484 + 0.7516 x utilisation)");
    assert_int_equal(aim__estimate_model_text(buf, sizeof buf, AIM_DEV_CPU,
                                             "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", 0, 0), 0);
    assert_string_equal(buf, "TDP 150 W per package (CodeCarbon table: Intel Xeon Gold 6248) "
                             "x (0.2484 + 0.7516 x utilisation)");
    assert_int_equal(aim__estimate_model_text(buf, sizeof buf, AIM_DEV_CPU, "AMD EPYC", 1, 4), 0);
    assert_string_equal(buf, "4 logical CPUs x (1.085 W + 3.151 W x utilisation) (Cloud Carbon "
                             "Footprint average; model \"AMD EPYC\" not in the TDP table)");
    assert_int_equal(aim__estimate_model_text(buf, sizeof buf, AIM_DEV_CPU, "AMD EPYC", 0, 0), 0);
    assert_string_equal(buf, "1.085 W + 3.151 W x utilisation per logical CPU (Cloud Carbon "
                             "Footprint average; model \"AMD EPYC\" not in the TDP table)");
    assert_int_equal(aim__estimate_model_text(buf, sizeof buf, AIM_DEV_DRAM, NULL, 0, 0), 0);
    assert_string_equal(buf, "0.3725 W per GB of memory in use (Green Algorithms; "
                             "1 GiB = 1.073741824 GB)");
    assert_int_equal(aim__estimate_model_text(buf, 10, AIM_DEV_DRAM, NULL, 0, 0), -ENOBUFS);
    assert_int_equal(strlen(buf), 9);
    assert_int_equal(aim__estimate_model_text(buf, sizeof buf, AIM_DEV_GPU, NULL, 0, 0), -EINVAL);
}

/* The counts the session puts in the text: the fixture's two-socket Xeon (4 logical CPUs). */
static void cpu_counts_from_cpuinfo(void **state) {
    int packages = -1, cpus = -1;
    aim__estimate_cpu_counts(AIM_FIXTURES_DIR "/estimate/dual6248", &packages, &cpus);
    assert_int_equal(packages, 2);
    assert_int_equal(cpus, 4);
}

static void probe_says_what_would_be_estimated(void **state) {
    char root[512];
    aim_source_env env = env_for("epyc-vm", root, sizeof root);
    aim_probe_report *rep = calloc(1, sizeof *rep);
    assert_non_null(rep);
    assert_int_equal(aim_source_estimate.probe(&env, rep), 0);
    assert_int_equal(rep->count, 2);
    assert_string_equal(rep->lines[0].what, "cpu0 power (estimated)");
    assert_string_equal(rep->lines[0].status, "available");
    /* 2 * 1.0847 = 2.1694 W idle, 2 * 4.2361 = 8.4722 W at full load */
    assert_non_null(strstr(rep->lines[0].detail, "2.2-8.5 W (2 CPUs, 1 package, per-CPU model)"));
    assert_string_equal(rep->lines[1].status, "available");
    free(rep);
}

static void tdp_lookup_by_whole_tokens(void **state) {
    const aim_cpu_tdp *t = NULL;
    assert_int_equal(aim__cpu_tdp_lookup("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", &t), 0);
    assert_string_equal(aim__cpu_tdp_model(t), "Intel Xeon Gold 6248");
    assert_float_equal(t->tdp_w, 150, EPS);
    assert_string_equal(aim__cpu_tdp_licence(t), "MIT");
    assert_int_equal(aim__cpu_tdp_lookup("Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", &t), 0);
    assert_string_equal(aim__cpu_tdp_model(t), "Intel Xeon Gold 6248R");
    assert_float_equal(t->tdp_w, 205, EPS);
    assert_int_equal(aim__cpu_tdp_lookup("AMD EPYC 7763 64-Core Processor", &t), 0);
    assert_string_equal(aim__cpu_tdp_model(t), "AMD EPYC 7763");
    assert_float_equal(t->tdp_w, 280, EPS);
    /* "(TM)2" becomes "Core 2", as the table spells it */
    assert_int_equal(aim__cpu_tdp_lookup("Intel(R) Core(TM)2 Duo CPU     E8400  @ 3.00GHz", &t), 0);
    assert_string_equal(aim__cpu_tdp_model(t), "Intel Core 2 Duo E8400");
    /* both "Intel Xeon E5-2680" (130 W) and "... v4" (120 W) match: the longer wins */
    assert_int_equal(aim__cpu_tdp_lookup("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", &t), 0);
    assert_float_equal(t->tdp_w, 120, EPS);
    /* words before the table's name ("13th Gen") do not hide it */
    assert_int_equal(aim__cpu_tdp_lookup("13th Gen Intel(R) Core(TM) i9-13900K", &t), 0);
    assert_string_equal(aim__cpu_tdp_model(t), "Intel Core i9-13900K");
    assert_float_equal(t->tdp_w, 125, EPS);
    assert_int_equal(aim__cpu_tdp_lookup("AMD Ryzen 9 5950X 16-Core Processor", &t), 0);
    assert_float_equal(t->tdp_w, 105, EPS);
}

static void tdp_lookup_rejects_near_misses(void **state) {
    const aim_cpu_tdp *t = (const aim_cpu_tdp *)&t; /* must stay untouched */
    const aim_cpu_tdp *orig = t;
    /* "6248" is a prefix of "62480" but not the same token */
    assert_int_equal(aim__cpu_tdp_lookup("Intel(R) Xeon(R) Gold 62480 CPU @ 2.50GHz", &t), -ENOENT);
    /* this machine: no model number at all */
    assert_int_equal(aim__cpu_tdp_lookup("AMD EPYC", &t), -ENOENT);
    /* the table's bare "750" (an AMD part) must not be charged to an Intel Core i5 750 */
    assert_int_equal(aim__cpu_tdp_lookup("Intel(R) Core(TM) i5 CPU 750 @ 2.67GHz", &t), -ENOENT);
    /* tokens must be adjacent and in order */
    assert_int_equal(aim__cpu_tdp_lookup("Intel Gold Xeon 6248", &t), -ENOENT);
    assert_int_equal(aim__cpu_tdp_lookup("", &t), -EINVAL);
    assert_int_equal(aim__cpu_tdp_lookup("  (R) CPU @ 1GHz", &t), -EINVAL);
    assert_int_equal(aim__cpu_tdp_lookup(NULL, &t), -EINVAL);
    assert_ptr_equal(t, orig);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(constants_are_the_documented_ones),
        cmocka_unit_test(known_model_uses_tdp_curve),
        cmocka_unit_test(two_packages_double_the_tdp),
        cmocka_unit_test(unknown_model_uses_per_cpu_line),
        cmocka_unit_test(cpu_count_falls_back_to_proc_stat),
        cmocka_unit_test(dram_per_gb_in_use),
        cmocka_unit_test(missing_input_leaves_estimate_invalid),
        cmocka_unit_test(measured_devices_are_left_alone),
        cmocka_unit_test(only_the_unmeasured_device_is_estimated),
        cmocka_unit_test(inputs_in_another_group_are_unusable),
        cmocka_unit_test(no_procfs_no_estimate),
        cmocka_unit_test(model_text_names_the_model),
        cmocka_unit_test(cpu_counts_from_cpuinfo),
        cmocka_unit_test(probe_says_what_would_be_estimated),
        cmocka_unit_test(tdp_lookup_by_whole_tokens),
        cmocka_unit_test(tdp_lookup_rejects_near_misses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
