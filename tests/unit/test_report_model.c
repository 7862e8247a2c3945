/* The report model (processing/report_model.h) from hand-made run summaries: which rows and
 * tables a report has, in which order, with which labels, and the correlation result it
 * carries. The renderers' layout of it: test_text.c, test_json.c, test_markdown.c. */
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

#include "processing/report_model.h"
#include "report_runs.h"

static const aim_overall_row *row_named(const aim_report_model *m, const char *label) {
    for (size_t i = 0; i < m->n_overall; i++)
        if (strcmp(m->overall[i].label, label) == 0)
            return &m->overall[i];
    return NULL;
}

static void overall_rows_in_order(void **state) {
    (void)state;
    aim_run_summary r;
    host_only_run(&r);
    aim_report_model m;
    assert_int_equal(aim__report_model_build(&r, &m), 0);
    assert_ptr_equal(m.run, &r);
    assert_null(m.corr); /* no matrix stored */
    static const char *const labels[] = { "Total time", "CPU energy (cpu0)",
                                          "DRAM energy (dram0)", "Total energy", "Carbon" };
    assert_int_equal(m.n_overall, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(m.overall[i].label, labels[i]);
    assert_string_equal(m.overall[0].value, "43.00");
    assert_string_equal(m.overall[0].unit, "s");
    /* the method word is not repeated from the detail */
    assert_string_equal(m.overall[1].note, "estimated: TDP 150 W x utilisation curve");
    assert_string_equal(row_named(&m, "Total energy")->unit, "J");
    assert_non_null(strstr(row_named(&m, "Total energy")->note, "kWh"));
    assert_string_equal(row_named(&m, "Carbon")->unit, "g CO2e");
    assert_string_equal(m.sources, "procfs, estimate");
    assert_non_null(strstr(m.samples, "430 at 100 ms"));
    aim__report_model_free(&m);
    aim__run_summary_clear(&r);
}

static void energy_order_cpu_dram_gpu_then_others(void **state) {
    (void)state;
    aim_run_summary r;
    rapl_run(&r);
    aim_report_model m;
    assert_int_equal(aim__report_model_build(&r, &m), 0);
    /* CPUs, then DRAM, each kind in device order; psys last, though listed second */
    static const char *const order[] = { "cpu0", "cpu1", "dram1", "dram0", "psys0" };
    assert_int_equal(m.n_energy_order, 5);
    for (size_t k = 0; k < m.n_energy_order; k++)
        assert_string_equal(r.devices[m.energy_order[k]].name, order[k]);
    /* psys is shown, said not to be in the total */
    assert_non_null(strstr(row_named(&m, "Platform energy (psys0)")->note, "(not in total)"));
    aim__report_model_free(&m);
    aim__run_summary_clear(&r);
}

static void tables_component_then_each_gpu(void **state) {
    (void)state;
    aim_run_summary r;
    base_run(&r, 3, 4);
    int host = add_device(&r, "host", AIM_DEV_HOST, NULL);
    int gpu = add_device(&r, "gpu0", AIM_DEV_GPU, "NVIDIA A100");
    int proc = add_device(&r, "process", AIM_DEV_PROCESS, NULL);
    add_series(&r, host, AIM_M_CPU_UTIL, -1, 50, 60, 40, 50);
    add_series(&r, gpu, AIM_M_GPU_UTIL, -1, 90, 100, 80, 95)->mode_exact = 0;
    add_series(&r, proc, AIM_M_PROC_CPU_UTIL, -1, 99, 100, 90, 100);
    aim_report_model m;
    assert_int_equal(aim__report_model_build(&r, &m), 0);
    assert_int_equal(m.n_tables, 3);
    assert_string_equal(m.tables[0].first_header, "Component");
    assert_string_equal(m.tables[0].title, "");
    assert_int_equal(m.tables[0].count, 1);
    assert_string_equal(m.rows[m.tables[0].first].group, "CPU");
    assert_string_equal(m.tables[1].first_header, "Category");
    assert_string_equal(m.tables[1].title, "GPU 0 Detailed Statistics (NVIDIA A100)");
    assert_int_equal(m.tables[1].count, 1);
    /* more distinct values than the mode keeps: said approximate */
    assert_true(m.approx_mode);
    assert_int_equal(m.rows[m.tables[1].first].cell[3][0], '~');
    assert_string_equal(m.tables[2].first_header, "Component");
    assert_string_equal(m.rows[m.tables[2].first].group, "Process");
    aim__report_model_free(&m);
    aim__run_summary_clear(&r);
}

static void carries_the_correlation_result(void **state) {
    (void)state;
    aim_run_summary r;
    host_only_run(&r);
    aim_corr_matrix *mx;
    assert_int_equal(aim__corr_matrix_new(2, &mx), 0);
    mx->slot[0] = 0; /* host CPU use */
    mx->slot[1] = 5; /* cpu0 power */
    r.corr = mx;     /* the run owns it (aim__run_summary_clear) */
    aim_report_model m;
    assert_int_equal(aim__report_model_build(&r, &m), 0);
    assert_non_null(m.corr);
    aim_corr_info in;
    aim__corr_res_info(m.corr, &in);
    assert_int_equal(in.n_series, 2);
    aim_corr_series_info si;
    assert_int_equal(aim__corr_res_series(m.corr, 1, &si), 0);
    assert_string_equal(si.name, "cpu0.power");
    aim__report_model_free(&m);
    aim__run_summary_clear(&r);
}

static void bad_input(void **state) {
    (void)state;
    aim_run_summary r;
    memset(&r, 0, sizeof r);
    r.n_devices = 2; /* devices missing */
    aim_report_model m;
    assert_int_equal(aim__report_model_build(&r, &m), -EINVAL);
    aim__report_model_free(&m);
    assert_int_equal(aim__report_model_build(NULL, &m), -EINVAL);
    aim__report_model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overall_rows_in_order),
        cmocka_unit_test(energy_order_cpu_dram_gpu_then_others),
        cmocka_unit_test(tables_component_then_each_gpu),
        cmocka_unit_test(carries_the_correlation_result),
        cmocka_unit_test(bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
