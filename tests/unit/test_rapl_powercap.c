/* The powercap back-end of RAPL (sources/cpu/rapl_powercap.c): zone discovery, device
 * numbering and wrap-around corrected polling, through the source over fixture trees
 * (tests/fixtures/rapl) where perf has no PMU, so powercap measures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sources/catalog.h"
#include "sources/cpu/rapl.h"
#include "rapl_fixture.h"
#include "source_rig.h"
#include "tmptree.h"

extern const aim_source_ops aim_source_rapl;

/* ------------------------------------------------------------------ discovery */

static void discovers_two_socket_intel(void **unused) {
    rig g;
    rig_open(&g, &aim_source_rapl, AIM_FIXTURES_DIR "/rapl/intel-2s", NULL, 0);
    assert_int_equal(g.rc, 0);
    assert_string_equal(aim__rapl_backend(g.state), "powercap");
    assert_int_equal(g.cat->n_warnings, 0);
    assert_int_equal(g.cat->n_devices, 5);
    rapl_assert_device(&g, "cpu0", AIM_DEV_CPU);
    rapl_assert_device(&g, "cpu1", AIM_DEV_CPU);
    rapl_assert_device(&g, "dram0", AIM_DEV_DRAM);
    rapl_assert_device(&g, "dram1", AIM_DEV_DRAM);
    rapl_assert_device(&g, "psys0", AIM_DEV_PLATFORM);
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
        assert_true(aim__frame_get(g.frame, i, &v));
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
    rapl_assert_device(&g, "cpu0", AIM_DEV_CPU);
    assert_int_equal(g.cat->n_series, 2);
    rapl_put(root, "intel-rapl:0", 12345678 + 4000000);  /* +4 J */
    rapl_put(root, "intel-rapl:0:0", 2345678 + 1500000); /* +1.5 J */
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
    rapl_assert_device(&g, "cpu0", AIM_DEV_CPU);
    rapl_assert_device(&g, "cpu1", AIM_DEV_CPU);
    rapl_assert_device(&g, "dram1", AIM_DEV_DRAM);
    assert_int_equal(g.cat->n_series, 3);
    rapl_put(root, "intel-rapl:1", 2000000 + 1000000);   /* package-0-die-1: +1 J */
    rapl_put(root, "intel-rapl:1:0", 3000000 + 2000000); /* its dram: +2 J */
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

    rapl_put(root, "intel-rapl:0", 262143300000ull); /* +300000 µJ */
    rapl_put(root, "intel-rapl:0:0", 102500000);     /* +2.5 J */
    rapl_put(root, "intel-rapl:0:1", 51000000);      /* +1 J */
    rapl_put(root, "intel-rapl:1", 212345678);       /* +12.345678 J */
    rapl_put(root, "intel-rapl:2", 350000000);       /* +50 J */
    assert_int_equal(rig_poll(&g), 0);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_ENERGY, -1), 0.3, 1e-12);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_RAPL_CORE_ENERGY, -1), 2.5, 1e-12);
    assert_float_equal(rig_value(&g, "dram0", AIM_M_ENERGY, -1), 1.0, 1e-12);
    assert_float_equal(rig_value(&g, "cpu1", AIM_M_ENERGY, -1), 12.345678, 1e-12);
    assert_float_equal(rig_value(&g, "dram1", AIM_M_ENERGY, -1), 0.0, 1e-12);
    assert_float_equal(rig_value(&g, "psys0", AIM_M_ENERGY, -1), 50.0, 1e-12);

    /* package-0 wraps: (262143328850 - 262143300000) + 1000000 = 1028850 µJ more. */
    rapl_put(root, "intel-rapl:0", 1000000);
    rapl_put(root, "intel-rapl:0:0", 104000000);
    rapl_put(root, "intel-rapl:1", 213000000);
    rapl_put(root, "intel-rapl:1:0", 60000001);
    assert_int_equal(rig_poll(&g), 0);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_ENERGY, -1), 1.32885, 1e-12);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_RAPL_CORE_ENERGY, -1), 4.0, 1e-12);
    assert_float_equal(rig_value(&g, "dram0", AIM_M_ENERGY, -1), 1.0, 1e-12);
    assert_float_equal(rig_value(&g, "cpu1", AIM_M_ENERGY, -1), 13.0, 1e-12);
    assert_float_equal(rig_value(&g, "dram1", AIM_M_ENERGY, -1), 0.000001, 1e-12);
    assert_float_equal(rig_value(&g, "psys0", AIM_M_ENERGY, -1), 50.0, 1e-12);

    /* And on after the wrap. */
    rapl_put(root, "intel-rapl:0", 3000000);
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
    rapl_put(root, "intel-rapl:1", 201000000);
    assert_int_equal(rig_poll(&g), 0);
    assert_false(rig_get(&g, "dram0", AIM_M_ENERGY, -1, NULL));
    assert_float_equal(rig_value(&g, "cpu1", AIM_M_ENERGY, -1), 1.0, 1e-12);
    assert_float_equal(rig_value(&g, "cpu0", AIM_M_ENERGY, -1), 0.0, 1e-12);

    /* It stays invalid even when the file reads again: the gap is unknown. */
    rapl_put(root, "intel-rapl:0:1", 52000000);
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
        assert_false(aim__frame_get(g.frame, i, &v));
    }
    rig_close(&g);
    tmptree_remove(root);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(discovers_two_socket_intel),
        cmocka_unit_test(discovers_amd_package_and_core),
        cmocka_unit_test(each_die_is_its_own_cpu),
        cmocka_unit_test(polls_accumulate_joules_across_a_wrap),
        cmocka_unit_test(failing_zone_goes_invalid_then_all_gone_is_enodev),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
