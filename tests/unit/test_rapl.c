/* The RAPL source (sources/cpu/rapl.c): the wrap-around rule, the choice of back-end and
 * the fallback, the one permission warning, the probe. Each back-end has its own tests:
 * test_rapl_perf.c, test_rapl_powercap.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sources/catalog.h"
#include "sources/cpu/rapl.h"
#include "rapl_fixture.h"
#include "source_rig.h"
#include "tmptree.h"

extern const aim_source_ops aim_source_rapl;

#define MAX_UJ 262143328850ull

/* ------------------------------------------------------------------ wrap-around */

static void delta_handles_wrap(void **unused) {
    assert_true(aim__rapl_delta(100, 250, MAX_UJ) == 150);
    assert_true(aim__rapl_delta(7, 7, MAX_UJ) == 0);
    /* 262143000000 -> 1000000 across the wrap point: (max - prev) + cur. */
    assert_true(aim__rapl_delta(262143000000ull, 1000000, MAX_UJ) == 328850ull + 1000000ull);
    assert_true(aim__rapl_delta(MAX_UJ, 0, MAX_UJ) == 0);
    /* Unknown range, or a previous reading above it: a restart, never a huge step. */
    assert_true(aim__rapl_delta(5000, 3000, 0) == 0);
    assert_true(aim__rapl_delta(MAX_UJ + 10, 3000, MAX_UJ) == 0);
}

/* ------------------------------------------------------------------ permissions */

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
    rapl_deny_zones(root, zones, sizeof zones / sizeof zones[0]);
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
    rapl_deny_zones(root, zones, sizeof zones / sizeof zones[0]);
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
    rapl_deny_zones(root, zones, 2);
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
    rapl_deny_zones(root, zones, 6);
    char report[2048];
    assert_int_equal(tmptree_run_unprivileged(probe_in_child, root, report, sizeof report),
                     -EACCES);
    assert_non_null(strstr(report, "perf power PMU=absent\n"));
    assert_non_null(strstr(report, "intel-rapl:0 package-0 energy_uj=no permission\n"));
    assert_non_null(strstr(report, "intel-rapl:2 psys energy_uj=no permission\n"));
    assert_null(strstr(report, "=available"));
    tmptree_remove(root);
}

/* ------------------------------------------------------------------ choosing the back-end */

static void perf_failure_falls_back_to_powercap(void **unused) {
    /* The fixture's PMU type is no real PMU: perf_event_open fails (ENOENT as root, EACCES
     * or EPERM otherwise) and powercap measures, silently. */
    char *root = tmptree_copy("rapl/perf");
    assert_non_null(root);
    rig g;
    rig_open(&g, &aim_source_rapl, root, NULL, 0);
    assert_int_equal(g.rc, 0);
    assert_string_equal(aim__rapl_backend(g.state), "powercap");
    assert_int_equal(g.cat->n_warnings, 0);
    /* package, core, uncore, dram, psys; the MMIO copy of package-0 is not counted twice. */
    assert_int_equal(g.cat->n_devices, 3);
    rapl_assert_device(&g, "cpu0", AIM_DEV_CPU);
    rapl_assert_device(&g, "dram0", AIM_DEV_DRAM);
    rapl_assert_device(&g, "psys0", AIM_DEV_PLATFORM);
    assert_int_equal(g.cat->n_series, 5);
    rapl_put(root, "intel-rapl:0", 5000000 + 2000000);
    rapl_put(root, "intel-rapl:0:1", 1000000 + 250000);
    rapl_put(root, "intel-rapl-mmio:0", 9999999999);
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
        cmocka_unit_test(permission_denied_is_one_warning_and_eacces),
        cmocka_unit_test(permission_denied_with_perf_pmu_too),
        cmocka_unit_test(partly_denied_measures_the_rest_with_one_warning),
        cmocka_unit_test(probe_reports_no_permission),
        cmocka_unit_test(perf_failure_falls_back_to_powercap),
        cmocka_unit_test(no_rapl_is_enodev),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
