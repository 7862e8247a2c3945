#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/catalog.h"
#include "sources/cpu/rapl.h"
#include "source_rig.h"
#include "tmptree.h"

extern const aim_source_ops aim_source_rapl;

#define MAX_UJ 262143328850ull

static void assert_device(const rig *g, const char *name, aim_device_kind kind) {
    assert_int_equal(rig_device(g, name)->kind, kind);
}

static void put(const char *root, const char *zone, uint64_t uj) {
    char rel[128], text[32];
    snprintf(rel, sizeof rel, "class/powercap/%s/energy_uj", zone);
    snprintf(text, sizeof text, "%llu\n", (unsigned long long)uj);
    assert_int_equal(tmptree_write(root, rel, text), 0);
}

/* ------------------------------------------------------------------ wrap-around */

static void delta_handles_wrap(void **unused) {
    assert_true(aim_rapl_delta(100, 250, MAX_UJ) == 150);
    assert_true(aim_rapl_delta(7, 7, MAX_UJ) == 0);
    /* 262143000000 -> 1000000 across the wrap point: (max - prev) + cur. */
    assert_true(aim_rapl_delta(262143000000ull, 1000000, MAX_UJ) == 328850ull + 1000000ull);
    assert_true(aim_rapl_delta(MAX_UJ, 0, MAX_UJ) == 0);
    /* Unknown range, or a previous reading above it: a restart, never a huge step. */
    assert_true(aim_rapl_delta(5000, 3000, 0) == 0);
    assert_true(aim_rapl_delta(MAX_UJ + 10, 3000, MAX_UJ) == 0);
}

/* ------------------------------------------------------------------ discovery */

static void discovers_two_socket_intel(void **unused) {
    rig g;
    rig_open(&g, &aim_source_rapl, AIM_FIXTURES_DIR "/rapl/intel-2s", NULL, 0);
    assert_int_equal(g.rc, 0);
    assert_string_equal(aim_rapl_backend(g.state), "powercap");
    assert_int_equal(g.cat->n_warnings, 0);
    assert_int_equal(g.cat->n_devices, 5);
    assert_device(&g, "cpu0", AIM_DEV_CPU);
    assert_device(&g, "cpu1", AIM_DEV_CPU);
    assert_device(&g, "dram0", AIM_DEV_DRAM);
    assert_device(&g, "dram1", AIM_DEV_DRAM);
    assert_device(&g, "psys0", AIM_DEV_PLATFORM);
    assert_int_equal(g.cat->n_series, 6);
    assert_true(rig_slot(&g, "cpu0", AIM_M_ENERGY, -1) >= 0);
    assert_true(rig_slot(&g, "cpu0", AIM_M_RAPL_CORE_ENERGY, -1) >= 0);
    assert_true(rig_slot(&g, "dram0", AIM_M_ENERGY, -1) >= 0);
    assert_true(rig_slot(&g, "cpu1", AIM_M_ENERGY, -1) >= 0);
    assert_true(rig_slot(&g, "dram1", AIM_M_ENERGY, -1) >= 0);
    assert_true(rig_slot(&g, "psys0", AIM_M_ENERGY, -1) >= 0);
    assert_int_equal(rig_slot(&g, "cpu0", AIM_M_RAPL_UNCORE_ENERGY, -1), -ENOENT);
    assert_int_equal(rig_slot(&g, "cpu1", AIM_M_RAPL_CORE_ENERGY, -1), -ENOENT);
    for (int i = 0; i < g.cat->n_series; i++) {
        assert_int_equal(g.cat->series[i].instance, -1);
        assert_int_equal(g.cat->series[i].method, AIM_METHOD_MEASURED);
    }
    /* Nothing changed since open: every series is a valid zero. */
    assert_int_equal(rig_poll(&g), 0);
    for (int i = 0; i < g.cat->n_series; i++) {
        double v = -1;
        assert_true(aim_frame_get(g.frame, i, &v));
        assert_true(v == 0.0);
    }
    rig_close(&g);
}

static void discovers_amd_package_and_core(void **unused) {
    char *root = tmptree_copy("rapl/amd");
    assert_non_null(root);
    rig g;
    rig_open(&g, &aim_source_rapl, root, NULL, 0);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.cat->n_devices, 1);
    assert_device(&g, "cpu0", AIM_DEV_CPU);
    assert_int_equal(g.cat->n_series, 2);
    put(root, "intel-rapl:0", 12345678 + 4000000);  /* +4 J */
    put(root, "intel-rapl:0:0", 2345678 + 1500000); /* +1.5 J */
    assert_int_equal(rig_poll(&g), 0);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_ENERGY, -1), 4.0, 1e-12);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_RAPL_CORE_ENERGY, -1), 1.5, 1e-12);
    rig_close(&g);
    tmptree_remove(root);
}

static void each_die_is_its_own_cpu(void **unused) {
    char *root = tmptree_copy("rapl/multidie");
    assert_non_null(root);
    rig g;
    rig_open(&g, &aim_source_rapl, root, NULL, 0);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.cat->n_devices, 3);
    assert_device(&g, "cpu0", AIM_DEV_CPU);
    assert_device(&g, "cpu1", AIM_DEV_CPU);
    assert_device(&g, "dram1", AIM_DEV_DRAM);
    assert_int_equal(g.cat->n_series, 3);
    put(root, "intel-rapl:1", 2000000 + 1000000);   /* package-0-die-1: +1 J */
    put(root, "intel-rapl:1:0", 3000000 + 2000000); /* its dram: +2 J */
    assert_int_equal(rig_poll(&g), 0);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_ENERGY, -1), 0.0, 1e-12);
    assert_float_equal(rig_value(&g, "cpu1", AIM_M_ENERGY, -1), 1.0, 1e-12);
    assert_float_equal(rig_value(&g, "dram1", AIM_M_ENERGY, -1), 2.0, 1e-12);
    rig_close(&g);
    tmptree_remove(root);
}

/* ------------------------------------------------------------------ polling */

static void polls_accumulate_joules_across_a_wrap(void **unused) {
    char *root = tmptree_copy("rapl/intel-2s");
    assert_non_null(root);
    rig g;
    rig_open(&g, &aim_source_rapl, root, NULL, 0);
    assert_int_equal(g.rc, 0);

    put(root, "intel-rapl:0", 262143300000ull); /* +300000 µJ */
    put(root, "intel-rapl:0:0", 102500000);     /* +2.5 J */
    put(root, "intel-rapl:0:1", 51000000);      /* +1 J */
    put(root, "intel-rapl:1", 212345678);       /* +12.345678 J */
    put(root, "intel-rapl:2", 350000000);       /* +50 J */
    assert_int_equal(rig_poll(&g), 0);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_ENERGY, -1), 0.3, 1e-12);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_RAPL_CORE_ENERGY, -1), 2.5, 1e-12);
    assert_float_equal(rig_value(&g, "dram0", AIM_M_ENERGY, -1), 1.0, 1e-12);
    assert_float_equal(rig_value(&g, "cpu1", AIM_M_ENERGY, -1), 12.345678, 1e-12);
    assert_float_equal(rig_value(&g, "dram1", AIM_M_ENERGY, -1), 0.0, 1e-12);
    assert_float_equal(rig_value(&g, "psys0", AIM_M_ENERGY, -1), 50.0, 1e-12);

    /* package-0 wraps: (262143328850 - 262143300000) + 1000000 = 1028850 µJ more. */
    put(root, "intel-rapl:0", 1000000);
    put(root, "intel-rapl:0:0", 104000000);
    put(root, "intel-rapl:1", 213000000);
    put(root, "intel-rapl:1:0", 60000001);
    assert_int_equal(rig_poll(&g), 0);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_ENERGY, -1), 1.32885, 1e-12);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_RAPL_CORE_ENERGY, -1), 4.0, 1e-12);
    assert_float_equal(rig_value(&g, "dram0", AIM_M_ENERGY, -1), 1.0, 1e-12);
    assert_float_equal(rig_value(&g, "cpu1", AIM_M_ENERGY, -1), 13.0, 1e-12);
    assert_float_equal(rig_value(&g, "dram1", AIM_M_ENERGY, -1), 0.000001, 1e-12);
    assert_float_equal(rig_value(&g, "psys0", AIM_M_ENERGY, -1), 50.0, 1e-12);

    /* And on after the wrap. */
    put(root, "intel-rapl:0", 3000000);
    assert_int_equal(rig_poll(&g), 0);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_ENERGY, -1), 3.32885, 1e-12);
    rig_close(&g);
    tmptree_remove(root);
}

static void failing_zone_goes_invalid_then_all_gone_is_enodev(void **unused) {
    char *root = tmptree_copy("rapl/intel-2s");
    assert_non_null(root);
    rig g;
    rig_open(&g, &aim_source_rapl, root, NULL, 0);
    assert_int_equal(g.rc, 0);

    /* dram0's counter stops reading (an empty file does not parse; a removed sysfs zone
     * reads -ENODEV on the kept descriptor; both take the same path). */
    assert_int_equal(tmptree_write(root, "class/powercap/intel-rapl:0:1/energy_uj", ""), 0);
    put(root, "intel-rapl:1", 201000000);
    assert_int_equal(rig_poll(&g), 0);
    assert_false(rig_get(&g, "dram0", AIM_M_ENERGY, -1, NULL));
    assert_float_equal(rig_value(&g, "cpu1", AIM_M_ENERGY, -1), 1.0, 1e-12);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_ENERGY, -1), 0.0, 1e-12);

    /* It stays invalid even when the file reads again: the gap is unknown. */
    put(root, "intel-rapl:0:1", 52000000);
    assert_int_equal(rig_poll(&g), 0);
    assert_false(rig_get(&g, "dram0", AIM_M_ENERGY, -1, NULL));
    assert_true(rig_get(&g, "cpu0", AIM_M_ENERGY, -1, NULL));

    static const char *const zones[] = { "intel-rapl:0", "intel-rapl:0:0", "intel-rapl:0:1",
                                         "intel-rapl:1", "intel-rapl:1:0", "intel-rapl:2" };
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "class/powercap/%s/energy_uj", zones[i]);
        assert_int_equal(tmptree_write(root, rel, "garbage\n"), 0);
    }
    assert_int_equal(rig_poll(&g), -ENODEV);
    for (int i = 0; i < g.cat->n_series; i++) {
        double v;
        assert_false(aim_frame_get(g.frame, i, &v));
    }
    rig_close(&g);
    tmptree_remove(root);
}

/* ------------------------------------------------------------------ permissions */

static unsigned denied_mode(void) { return geteuid() == 0 ? 0400 : 0000; }

static void deny_all_zones(const char *root, const char *const *zones, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "class/powercap/%s/energy_uj", zones[i]);
        assert_int_equal(tmptree_chmod(root, rel, denied_mode()), 0);
    }
}

/* Child side: open, report rc and "n_warnings|first warning|n_devices". */
static int open_in_child(void *arg, char *out, size_t size) {
    rig g;
    rig_open(&g, &aim_source_rapl, arg, NULL, 0);
    snprintf(out, size, "%d|%s|%d", g.cat->n_warnings,
             g.cat->n_warnings ? g.cat->warnings[0] : "", g.cat->n_devices);
    int rc = g.rc;
    rig_close(&g);
    return rc;
}

static void assert_permission_warning(const char *report) {
    assert_true(strncmp(report, "1|", 2) == 0);
    assert_non_null(strstr(report, "RAPL: permission denied"));
    assert_non_null(strstr(report, "run as root"));
    assert_non_null(strstr(report, "udev rule"));
    assert_non_null(strstr(report, "docs/permissions.md"));
    assert_non_null(strstr(report, "sysctl kernel.perf_event_paranoid=0"));
}

static void permission_denied_is_one_warning_and_eacces(void **unused) {
    static const char *const zones[] = { "intel-rapl:0", "intel-rapl:0:0", "intel-rapl:0:1",
                                         "intel-rapl:1", "intel-rapl:1:0", "intel-rapl:2" };
    char *root = tmptree_copy("rapl/intel-2s");
    assert_non_null(root);
    deny_all_zones(root, zones, sizeof zones / sizeof zones[0]);
    char report[512];
    assert_int_equal(tmptree_run_unprivileged(open_in_child, root, report, sizeof report),
                     -EACCES);
    assert_permission_warning(report);
    assert_non_null(strstr(report, "intel-rapl:0/energy_uj"));
    assert_true(strcmp(report + strlen(report) - 2, "|0") == 0); /* nothing declared */
    tmptree_remove(root);
}

static void permission_denied_with_perf_pmu_too(void **unused) {
    /* perf is tried first and refused (or unknown here); powercap is refused too: the same
     * single warning, whatever perf's errno was. */
    static const char *const zones[] = { "intel-rapl:0", "intel-rapl:0:0", "intel-rapl:0:1",
                                         "intel-rapl:0:2", "intel-rapl:1",
                                         "intel-rapl-mmio:0" };
    char *root = tmptree_copy("rapl/perf");
    assert_non_null(root);
    deny_all_zones(root, zones, sizeof zones / sizeof zones[0]);
    char report[512];
    assert_int_equal(tmptree_run_unprivileged(open_in_child, root, report, sizeof report),
                     -EACCES);
    assert_permission_warning(report);
    tmptree_remove(root);
}

static void partly_denied_measures_the_rest_with_one_warning(void **unused) {
    static const char *const zones[] = { "intel-rapl:1", "intel-rapl:1:0" };
    char *root = tmptree_copy("rapl/intel-2s");
    assert_non_null(root);
    deny_all_zones(root, zones, 2);
    char report[512];
    assert_int_equal(tmptree_run_unprivileged(open_in_child, root, report, sizeof report), 0);
    assert_permission_warning(report);
    assert_non_null(strstr(report, "intel-rapl:1/energy_uj"));
    assert_true(strcmp(report + strlen(report) - 2, "|3") == 0); /* cpu0, dram0, psys0 */
    tmptree_remove(root);
}

static int probe_in_child(void *arg, char *out, size_t size) {
    aim_probe_report rep;
    memset(&rep, 0, sizeof rep);
    aim_source_env env = { .sysfs_root = arg, .procfs_root = "/nonexistent" };
    int rc = aim_source_rapl.probe(&env, &rep);
    size_t off = 0;
    for (int i = 0; i < rep.count && off < size; i++)
        off += (size_t)snprintf(out + off, size - off, "%s=%s\n", rep.lines[i].what,
                                rep.lines[i].status);
    return rc;
}

static void probe_reports_no_permission(void **unused) {
    static const char *const zones[] = { "intel-rapl:0", "intel-rapl:0:0", "intel-rapl:0:1",
                                         "intel-rapl:1", "intel-rapl:1:0", "intel-rapl:2" };
    char *root = tmptree_copy("rapl/intel-2s");
    assert_non_null(root);
    deny_all_zones(root, zones, 6);
    char report[2048];
    assert_int_equal(tmptree_run_unprivileged(probe_in_child, root, report, sizeof report),
                     -EACCES);
    assert_non_null(strstr(report, "perf power PMU=absent\n"));
    assert_non_null(strstr(report, "intel-rapl:0 package-0 energy_uj=no permission\n"));
    assert_non_null(strstr(report, "intel-rapl:2 psys energy_uj=no permission\n"));
    assert_null(strstr(report, "=available"));
    tmptree_remove(root);
}

/* ------------------------------------------------------------------ perf PMU */

static void perf_fixture_is_parsed(void **unused) {
    aim_rapl_perf_info info;
    assert_int_equal(aim_rapl_perf_discover(AIM_FIXTURES_DIR "/rapl/perf", &info), 0);
    assert_true(info.type == 2147418112u);
    assert_int_equal(info.n_events, 5);
    static const struct { const char *name; uint64_t config; aim_rapl_domain dom; } want[] = {
        { "energy-pkg", 2, AIM_RAPL_PKG },     { "energy-cores", 1, AIM_RAPL_CORE },
        { "energy-gpu", 4, AIM_RAPL_UNCORE },  { "energy-ram", 3, AIM_RAPL_DRAM },
        { "energy-psys", 5, AIM_RAPL_PSYS },
    };
    for (int i = 0; i < 5; i++) {
        assert_string_equal(info.events[i].name, want[i].name);
        assert_true(info.events[i].config == want[i].config);
        assert_int_equal(info.events[i].domain, want[i].dom);
        assert_true(info.events[i].scale == ldexp(1.0, -32)); /* exactly 2^-32 J */
    }
    assert_int_equal(info.n_cpus, 1);
    assert_int_equal(info.cpus[0], 0);
    assert_int_equal(aim_rapl_perf_discover(AIM_FIXTURES_DIR "/rapl/intel-2s", &info), -ENOENT);
}

static void perf_parsers_accept_and_reject(void **unused) {
    uint64_t cfg = 99;
    assert_int_equal(aim_rapl_parse_event("event=0x02\n", &cfg), 0);
    assert_true(cfg == 2);
    assert_int_equal(aim_rapl_parse_event("event=0xff", &cfg), 0);
    assert_true(cfg == 255);
    assert_int_equal(aim_rapl_parse_event("event=0x", &cfg), -EINVAL);
    assert_int_equal(aim_rapl_parse_event("umask=0x01", &cfg), -EINVAL);
    assert_int_equal(aim_rapl_parse_event("event=0x02,umask=0x1", &cfg), -EINVAL);
    assert_int_equal(aim_rapl_parse_event("event=0x11111111111111111", &cfg), -EINVAL);

    double sc = 0;
    assert_int_equal(aim_rapl_parse_scale("2.5\n", &sc), 0);
    assert_true(sc == 2.5);
    assert_int_equal(aim_rapl_parse_scale("1e-6", &sc), 0);
    assert_true(sc == 1e-6);
    assert_int_equal(aim_rapl_parse_scale("inf", &sc), -EINVAL);
    assert_int_equal(aim_rapl_parse_scale("nan", &sc), -EINVAL);
    assert_int_equal(aim_rapl_parse_scale("0x1p-32", &sc), -EINVAL);
    assert_int_equal(aim_rapl_parse_scale("-1", &sc), -EINVAL);
    assert_int_equal(aim_rapl_parse_scale("0", &sc), -EINVAL);
    assert_int_equal(aim_rapl_parse_scale("", &sc), -EINVAL);
    assert_int_equal(aim_rapl_parse_scale("1e", &sc), -EINVAL);
    assert_int_equal(aim_rapl_parse_scale("1e999", &sc), -EINVAL);

    int cpus[4], n = 0;
    assert_int_equal(aim_rapl_parse_cpulist("0,28\n", cpus, 4, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(cpus[0], 0);
    assert_int_equal(cpus[1], 28);
    assert_int_equal(aim_rapl_parse_cpulist("0-2,5", cpus, 4, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(cpus[2], 2);
    assert_int_equal(cpus[3], 5);
    assert_int_equal(aim_rapl_parse_cpulist("0-4", cpus, 4, &n), -E2BIG);
    assert_int_equal(aim_rapl_parse_cpulist("", cpus, 4, &n), -EINVAL);
    assert_int_equal(aim_rapl_parse_cpulist("3-1", cpus, 4, &n), -EINVAL);
    assert_int_equal(aim_rapl_parse_cpulist("0,,1", cpus, 4, &n), -EINVAL);
    assert_int_equal(aim_rapl_parse_cpulist("a", cpus, 4, &n), -EINVAL);
}

static void perf_failure_falls_back_to_powercap(void **unused) {
    /* The fixture's PMU type is no real PMU: perf_event_open fails (ENOENT as root, EACCES
     * or EPERM otherwise) and powercap measures, silently. */
    char *root = tmptree_copy("rapl/perf");
    assert_non_null(root);
    rig g;
    rig_open(&g, &aim_source_rapl, root, NULL, 0);
    assert_int_equal(g.rc, 0);
    assert_string_equal(aim_rapl_backend(g.state), "powercap");
    assert_int_equal(g.cat->n_warnings, 0);
    /* package, core, uncore, dram, psys; the MMIO copy of package-0 is not counted twice. */
    assert_int_equal(g.cat->n_devices, 3);
    assert_device(&g, "cpu0", AIM_DEV_CPU);
    assert_device(&g, "dram0", AIM_DEV_DRAM);
    assert_device(&g, "psys0", AIM_DEV_PLATFORM);
    assert_int_equal(g.cat->n_series, 5);
    put(root, "intel-rapl:0", 5000000 + 2000000);
    put(root, "intel-rapl:0:1", 1000000 + 250000);
    put(root, "intel-rapl-mmio:0", 9999999999);
    assert_int_equal(rig_poll(&g), 0);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_ENERGY, -1), 2.0, 1e-12);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_RAPL_UNCORE_ENERGY, -1), 0.25, 1e-12);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_RAPL_CORE_ENERGY, -1), 0.0, 1e-12);
    rig_close(&g);

    /* The probe says so too: the MMIO duplicate is listed as not counted. */
    aim_probe_report rep;
    memset(&rep, 0, sizeof rep);
    aim_source_env env = { .sysfs_root = root };
    assert_int_equal(aim_source_rapl.probe(&env, &rep), 0);
    int found = 0;
    for (int i = 0; i < rep.count; i++)
        if (strcmp(rep.lines[i].what, "intel-rapl-mmio:0 package-0 energy_uj") == 0) {
            assert_string_equal(rep.lines[i].status, "not supported");
            found = 1;
        }
    assert_true(found);
    tmptree_remove(root);
}

static void no_rapl_is_enodev(void **unused) {
    rig g;
    rig_open(&g, &aim_source_rapl, AIM_FIXTURES_DIR "/hwmon", NULL, 0);
    assert_int_equal(g.rc, -ENODEV);
    assert_int_equal(g.cat->n_warnings, 0);
    assert_int_equal(g.cat->n_devices, 0);
    rig_close(&g);

    aim_probe_report rep;
    memset(&rep, 0, sizeof rep);
    aim_source_env env = { .sysfs_root = AIM_FIXTURES_DIR "/hwmon" };
    assert_int_equal(aim_source_rapl.probe(&env, &rep), -ENODEV);
    assert_int_equal(rep.count, 2);
    assert_string_equal(rep.lines[0].status, "absent");
    assert_string_equal(rep.lines[1].status, "absent");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(delta_handles_wrap),
        cmocka_unit_test(discovers_two_socket_intel),
        cmocka_unit_test(discovers_amd_package_and_core),
        cmocka_unit_test(each_die_is_its_own_cpu),
        cmocka_unit_test(polls_accumulate_joules_across_a_wrap),
        cmocka_unit_test(failing_zone_goes_invalid_then_all_gone_is_enodev),
        cmocka_unit_test(permission_denied_is_one_warning_and_eacces),
        cmocka_unit_test(permission_denied_with_perf_pmu_too),
        cmocka_unit_test(partly_denied_measures_the_rest_with_one_warning),
        cmocka_unit_test(probe_reports_no_permission),
        cmocka_unit_test(perf_fixture_is_parsed),
        cmocka_unit_test(perf_parsers_accept_and_reject),
        cmocka_unit_test(perf_failure_falls_back_to_powercap),
        cmocka_unit_test(no_rapl_is_enodev),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
