/* --metrics: presets, lists, errors, and what each GPU source is told. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "model/metric_select.h"

static int count_selected(const aim_metric_select *sel) {
    int n = 0;
    for (int id = 0; id < AIM_M__COUNT; id++)
        n += sel->want[id];
    return n;
}

static void default_selects_everything(void **unused) {
    aim_metric_select sel;
    assert_int_equal(aim__metric_select_parse(NULL, &sel, NULL, 0), 0);
    assert_int_equal(sel.mode, AIM_METRICS_DEFAULT);
    assert_true(aim__metric_selected(&sel, AIM_M_GPU_SM_ACTIVE));
    assert_true(aim__metric_selected(NULL, AIM_M_GPU_FAN));
    assert_false(aim__metric_profiling_forced(&sel));
    assert_int_equal(aim__metric_select_parse("", &sel, NULL, 0), 0);
    assert_int_equal(sel.mode, AIM_METRICS_DEFAULT);
}

static void basic_is_nvml_without_profiling(void **unused) {
    aim_metric_select sel;
    assert_int_equal(aim__metric_select_parse("basic", &sel, NULL, 0), 0);
    assert_int_equal(sel.mode, AIM_METRICS_EXPLICIT);
    assert_true(aim__metric_selected(&sel, AIM_M_POWER));
    assert_true(aim__metric_selected(&sel, AIM_M_ENERGY));
    assert_true(aim__metric_selected(&sel, AIM_M_TEMPERATURE));
    assert_true(aim__metric_selected(&sel, AIM_M_GPU_UTIL));
    assert_true(aim__metric_selected(&sel, AIM_M_GPU_PCIE_TX));
    assert_true(aim__metric_selected(&sel, AIM_M_GPU_PROC_MEM));
    assert_true(aim__metric_selected(&sel, AIM_M_GPU_JOB_SM_UTIL)); /* an agent's job shares */
    assert_false(aim__metric_selected(&sel, AIM_M_GPU_SM_ACTIVE));
    assert_false(aim__metric_selected(&sel, AIM_M_GPU_FP16_ACTIVE));
    assert_false(aim__metric_profiling_forced(&sel));
    /* power, energy, temperature and the 24 NVML-side gpu.* metrics; 8 profiling ones not */
    assert_int_equal(count_selected(&sel),
                     3 + (AIM_M_GPU_JOB_SM_UTIL - AIM_M_GPU_POWER_AVG + 1) - 8);
    /* host metrics are never deselected */
    assert_true(aim__metric_selected(&sel, AIM_M_CPU_UTIL));
    assert_true(aim__metric_selected(&sel, AIM_M_PROC_RSS));
}

static void full_adds_profiling(void **unused) {
    aim_metric_select sel;
    assert_int_equal(aim__metric_select_parse("full", &sel, NULL, 0), 0);
    for (int id = AIM_M_GPU_GR_ACTIVE; id <= AIM_M_GPU_FP16_ACTIVE; id++) {
        assert_true(aim__metric_is_profiling((aim_metric_id)id));
        assert_true(aim__metric_selected(&sel, (aim_metric_id)id));
    }
    assert_true(aim__metric_profiling_forced(&sel));
    assert_false(aim__metric_is_profiling(AIM_M_GPU_UTIL));
}

static void lists_name_metrics_and_presets(void **unused) {
    aim_metric_select sel;
    assert_int_equal(aim__metric_select_parse("gpu.util,gpu.tensor_active", &sel, NULL, 0), 0);
    assert_true(aim__metric_selected(&sel, AIM_M_GPU_UTIL));
    assert_true(aim__metric_selected(&sel, AIM_M_GPU_TENSOR_ACTIVE));
    assert_true(aim__metric_selected(&sel, AIM_M_POWER));  /* always */
    assert_true(aim__metric_selected(&sel, AIM_M_ENERGY)); /* always */
    assert_false(aim__metric_selected(&sel, AIM_M_GPU_FAN));
    assert_false(aim__metric_selected(&sel, AIM_M_GPU_SM_ACTIVE));
    assert_true(aim__metric_profiling_forced(&sel));
    assert_int_equal(count_selected(&sel), 4);
    /* a host key is accepted (always on) and presets combine with keys */
    assert_int_equal(aim__metric_select_parse("cpu.util,BASIC,gpu.sm_active", &sel, NULL, 0), 0);
    assert_true(aim__metric_selected(&sel, AIM_M_GPU_FAN));
    assert_true(aim__metric_selected(&sel, AIM_M_GPU_SM_ACTIVE));
    assert_false(aim__metric_selected(&sel, AIM_M_GPU_DRAM_ACTIVE));
}

static void bad_entries_are_named(void **unused) {
    aim_metric_select sel;
    memset(&sel, 0x5a, sizeof sel);
    char err[200];
    assert_int_equal(aim__metric_select_parse("basic,gpu.bogus", &sel, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "\"gpu.bogus\" is neither basic, full nor a metric key"));
    assert_int_equal(sel.want[0], 0x5a); /* untouched on error */
    assert_int_equal(aim__metric_select_parse("gpu.util,", &sel, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "empty entry"));
    assert_int_equal(aim__metric_select_parse(",", &sel, NULL, 0), -EINVAL);
    char longer[200];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_int_equal(aim__metric_select_parse(longer, &sel, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "too long"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_selects_everything),
        cmocka_unit_test(basic_is_nvml_without_profiling),
        cmocka_unit_test(full_adds_profiling),
        cmocka_unit_test(lists_name_metrics_and_presets),
        cmocka_unit_test(bad_entries_are_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
