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
#include "source_rig.h"
#include "tmptree.h"

extern const aim_source_ops aim_source_hwmon;

static void discovers_sensors_and_channels(void **unused) {
    rig g;
    rig_open(&g, &aim_source_hwmon, AIM_FIXTURES_DIR "/hwmon", NULL, 0);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.cat->n_warnings, 0);
    /* nvme and coretemp (temperature only) are skipped; hwmon10 sorts after hwmon4. */
    assert_int_equal(g.cat->n_devices, 4);
    assert_string_equal(g.cat->devices[0].name, "amdgpu0");
    assert_string_equal(g.cat->devices[1].name, "ina3221_0");
    assert_string_equal(g.cat->devices[2].name, "ina238_0");
    assert_string_equal(g.cat->devices[3].name, "ina3221_1");
    assert_int_equal(rig_device(&g, "amdgpu0")->kind, AIM_DEV_GPU);
    assert_int_equal(rig_device(&g, "ina3221_0")->kind, AIM_DEV_OTHER);
    assert_int_equal(rig_device(&g, "ina238_0")->kind, AIM_DEV_OTHER);
    assert_int_equal(rig_device(&g, "ina3221_1")->kind, AIM_DEV_OTHER);
    assert_string_equal(rig_device(&g, "amdgpu0")->model, "amdgpu");
    assert_string_equal(rig_device(&g, "ina3221_0")->model, "ina3221: VDD_GPU_SOC, VDD_CPU_CV");
    assert_string_equal(rig_device(&g, "ina3221_1")->model, "ina3221: VDDQ_VDD2_1V8AO");

    /* amdgpu: one power channel (instance -1) and three temperatures. */
    assert_true(rig_slot(&g, "amdgpu0", AIM_M_POWER, -1) >= 0);
    for (int k = 1; k <= 3; k++)
        assert_true(rig_slot(&g, "amdgpu0", AIM_M_TEMPERATURE, k) >= 0);
    /* ina3221_0: channels 1 and 2; 3 is "NC"; in4..7/curr4 are not bus-voltage pairs. */
    for (int k = 1; k <= 2; k++) {
        assert_true(rig_slot(&g, "ina3221_0", AIM_M_POWER, k) >= 0);
        assert_true(rig_slot(&g, "ina3221_0", AIM_M_VOLTAGE, k) >= 0);
        assert_true(rig_slot(&g, "ina3221_0", AIM_M_CURRENT, k) >= 0);
    }
    assert_int_equal(rig_slot(&g, "ina3221_0", AIM_M_POWER, 3), -ENOENT);
    assert_int_equal(rig_slot(&g, "ina3221_0", AIM_M_POWER, 4), -ENOENT);
    assert_int_equal(g.cat->series[rig_slot(&g, "ina3221_0", AIM_M_POWER, 1)].method,
                     AIM_METHOD_DERIVED);
    /* ina238: one power, one energy. */
    assert_true(rig_slot(&g, "ina238_0", AIM_M_POWER, -1) >= 0);
    assert_true(rig_slot(&g, "ina238_0", AIM_M_ENERGY, -1) >= 0);
    /* The second INA3221 has one connected rail: instance -1. */
    assert_true(rig_slot(&g, "ina3221_1", AIM_M_POWER, -1) >= 0);
    assert_true(rig_slot(&g, "ina3221_1", AIM_M_VOLTAGE, -1) >= 0);
    assert_true(rig_slot(&g, "ina3221_1", AIM_M_CURRENT, -1) >= 0);
    assert_int_equal(g.cat->n_series, 4 + 6 + 2 + 3);
    rig_close(&g);
}

static void converts_units_exactly(void **unused) {
    rig g;
    rig_open(&g, &aim_source_hwmon, AIM_FIXTURES_DIR "/hwmon", NULL, 0);
    assert_int_equal(g.rc, 0);
    assert_int_equal(rig_poll(&g), 0);
    assert_true(rig_value(&g, "amdgpu0", AIM_M_POWER, -1) == 35.123);     /* 35123000 µW */
    assert_true(rig_value(&g, "amdgpu0", AIM_M_TEMPERATURE, 2) == 47.5);  /* 47500 m°C */
    assert_true(rig_value(&g, "ina3221_0", AIM_M_POWER, 1) == 7.5);       /* 5000 mV x 1500 mA */
    assert_true(rig_value(&g, "ina3221_0", AIM_M_VOLTAGE, 1) == 5.0);
    assert_true(rig_value(&g, "ina3221_0", AIM_M_CURRENT, 1) == 1.5);
    assert_true(rig_value(&g, "ina3221_0", AIM_M_POWER, 2) == 1.632384);  /* 4992 x 327 */
    assert_true(rig_value(&g, "ina3221_0", AIM_M_VOLTAGE, 2) == 4.992);
    assert_true(rig_value(&g, "ina3221_0", AIM_M_CURRENT, 2) == 0.327);
    assert_true(rig_value(&g, "ina238_0", AIM_M_POWER, -1) == 12.5);      /* _input, not _average */
    assert_true(rig_value(&g, "ina238_0", AIM_M_ENERGY, -1) == 0.0);      /* since open */
    assert_true(rig_value(&g, "ina3221_1", AIM_M_POWER, -1) == 0.45);     /* 1800 x 250 */
    rig_close(&g);
}

static void energy_counter_reset_is_a_new_baseline(void **unused) {
    char *root = tmptree_copy("hwmon");
    assert_non_null(root);
    rig g;
    rig_open(&g, &aim_source_hwmon, root, NULL, 0);
    assert_int_equal(g.rc, 0);
    const char *f = "class/hwmon/hwmon3/energy1_input";
    assert_int_equal(tmptree_write(root, f, "125456789\n"), 0); /* +2 J */
    assert_int_equal(rig_poll(&g), 0);
    assert_float_equal(rig_value(&g, "ina238_0", AIM_M_ENERGY, -1), 2.0, 1e-12);
    assert_int_equal(tmptree_write(root, f, "500000\n"), 0); /* reset: no negative step */
    assert_int_equal(rig_poll(&g), 0);
    assert_float_equal(rig_value(&g, "ina238_0", AIM_M_ENERGY, -1), 2.0, 1e-12);
    assert_int_equal(tmptree_write(root, f, "1750000\n"), 0); /* +1.25 J from the new base */
    assert_int_equal(rig_poll(&g), 0);
    assert_float_equal(rig_value(&g, "ina238_0", AIM_M_ENERGY, -1), 3.25, 1e-12);
    rig_close(&g);
    tmptree_remove(root);
}

static void failed_read_invalidates_only_that_tick(void **unused) {
    char *root = tmptree_copy("hwmon");
    assert_non_null(root);
    rig g;
    rig_open(&g, &aim_source_hwmon, root, NULL, 0);
    assert_int_equal(g.rc, 0);
    const char *f = "class/hwmon/hwmon1/power1_average";
    assert_int_equal(tmptree_write(root, f, ""), 0);
    assert_int_equal(rig_poll(&g), 0);
    assert_false(rig_get(&g, "amdgpu0", AIM_M_POWER, -1, NULL));
    assert_true(rig_get(&g, "amdgpu0", AIM_M_TEMPERATURE, 1, NULL));
    assert_true(rig_get(&g, "ina238_0", AIM_M_POWER, -1, NULL));
    assert_int_equal(tmptree_write(root, f, "200000000\n"), 0);
    assert_int_equal(rig_poll(&g), 0);
    assert_true(rig_value(&g, "amdgpu0", AIM_M_POWER, -1) == 200.0);
    rig_close(&g);
    tmptree_remove(root);
}

static unsigned denied_mode(void) { return geteuid() == 0 ? 0400 : 0000; }

static int open_in_child(void *arg, char *out, size_t size) {
    rig g;
    rig_open(&g, &aim_source_hwmon, arg, NULL, 0);
    size_t off = (size_t)snprintf(out, size, "%d", g.cat->n_warnings);
    for (int i = 0; i < g.cat->n_warnings && off < size; i++)
        off += (size_t)snprintf(out + off, size - off, "|%s", g.cat->warnings[i]);
    for (int i = 0; i < g.cat->n_devices && off < size; i++)
        off += (size_t)snprintf(out + off, size - off, "|dev:%s", g.cat->devices[i].name);
    int rc = g.rc;
    rig_close(&g);
    return rc;
}

static void unreadable_channels_skipped_one_warning_per_sensor(void **unused) {
    char *root = tmptree_copy("hwmon");
    assert_non_null(root);
    assert_int_equal(tmptree_chmod(root, "class/hwmon/hwmon1/power1_average", denied_mode()), 0);
    assert_int_equal(tmptree_chmod(root, "class/hwmon/hwmon2/in1_input", denied_mode()), 0);
    assert_int_equal(tmptree_chmod(root, "class/hwmon/hwmon2/curr2_input", denied_mode()), 0);
    char report[2048];
    assert_int_equal(tmptree_run_unprivileged(open_in_child, root, report, sizeof report), 0);
    /* Two sensors refused something: two warnings. amdgpu has only temperatures left and
     * the first INA3221 nothing, so both are dropped and the other INA3221 becomes _0. */
    assert_true(strncmp(report, "2|", 2) == 0);
    assert_non_null(strstr(report, "hwmon: permission denied on sensor amdgpu"));
    assert_non_null(strstr(report, "hwmon: permission denied on sensor ina3221"));
    assert_non_null(strstr(report, "hwmon1/power1_average"));
    assert_non_null(strstr(report, "hwmon2/in1_input"));
    assert_non_null(strstr(report, "docs/permissions.md"));
    assert_non_null(strstr(report, "|dev:ina238_0|dev:ina3221_0"));
    assert_null(strstr(report, "amdgpu0"));
    assert_null(strstr(report, "ina3221_1"));
    tmptree_remove(root);
}

static void everything_denied_is_eacces(void **unused) {
    char *root = tmptree_copy("hwmon");
    assert_non_null(root);
    static const char *const files[] = {
        "hwmon1/power1_average", "hwmon2/in1_input", "hwmon2/in2_input",
        "hwmon3/energy1_input",  "hwmon3/power1_input", "hwmon3/power1_average",
        "hwmon10/curr2_input",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "class/hwmon/%s", files[i]);
        assert_int_equal(tmptree_chmod(root, rel, denied_mode()), 0);
    }
    char report[2048];
    assert_int_equal(tmptree_run_unprivileged(open_in_child, root, report, sizeof report),
                     -EACCES);
    assert_true(strncmp(report, "4|", 2) == 0); /* amdgpu, two ina3221, ina238 */
    assert_null(strstr(report, "dev:"));
    tmptree_remove(root);
}

static void no_usable_sensor_is_enodev(void **unused) {
    char *root = tmptree_copy("hwmon");
    assert_non_null(root);
    /* Keep only the temperature-only sensors. */
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "cd '%s/class/hwmon' && rm -rf hwmon1 hwmon2 hwmon3 hwmon10", root);
    assert_int_equal(system(cmd), 0);
    rig g;
    rig_open(&g, &aim_source_hwmon, root, NULL, 0);
    assert_int_equal(g.rc, -ENODEV);
    assert_int_equal(g.cat->n_devices, 0);
    assert_int_equal(g.cat->n_warnings, 0);
    rig_close(&g);
    tmptree_remove(root);

    /* No class/hwmon at all. */
    rig_open(&g, &aim_source_hwmon, AIM_FIXTURES_DIR "/rapl/intel-2s", NULL, 0);
    assert_int_equal(g.rc, -ENODEV);
    rig_close(&g);
}

static void probe_lists_channels(void **unused) {
    aim_probe_report rep;
    memset(&rep, 0, sizeof rep);
    aim_source_env env = { .sysfs_root = AIM_FIXTURES_DIR "/hwmon" };
    assert_int_equal(aim_source_hwmon.probe(&env, &rep), 0);
    int avail = 0, nvme = 0, nc = 0;
    for (int i = 0; i < rep.count; i++) {
        avail += strcmp(rep.lines[i].status, "available") == 0;
        if (strcmp(rep.lines[i].what, "hwmon0 nvme") == 0) {
            assert_string_equal(rep.lines[i].status, "not supported");
            nvme = 1;
        }
        nc += strstr(rep.lines[i].what, " NC") != NULL;
    }
    /* amdgpu power1_average; ina3221 in1, in2; ina238 power1_input, energy1_input;
     * the second ina3221 in2. */
    assert_int_equal(avail, 6);
    assert_true(nvme);
    assert_int_equal(nc, 0);

    memset(&rep, 0, sizeof rep);
    env.sysfs_root = AIM_FIXTURES_DIR "/rapl/amd";
    assert_int_equal(aim_source_hwmon.probe(&env, &rep), -ENODEV);
    assert_int_equal(rep.count, 1);
    assert_string_equal(rep.lines[0].status, "absent");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(discovers_sensors_and_channels),
        cmocka_unit_test(converts_units_exactly),
        cmocka_unit_test(energy_counter_reset_is_a_new_baseline),
        cmocka_unit_test(failed_read_invalidates_only_that_tick),
        cmocka_unit_test(unreadable_channels_skipped_one_warning_per_sensor),
        cmocka_unit_test(everything_denied_is_eacces),
        cmocka_unit_test(no_usable_sensor_is_enodev),
        cmocka_unit_test(probe_lists_channels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
