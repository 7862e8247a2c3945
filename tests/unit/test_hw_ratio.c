/* EnergyVis's hardware rescale (processing/hw_ratio.h) on rows of the built-in table, worked by
 * hand from data/gpu_specs.csv, and on hand-made rows for the choice of throughput column. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "aimeter.h"
#include "processing/hw_ratio.h"
#include "data/hw_spec.h"

static void near(double got, double want, double tol) {
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.12g, want %.12g", got, want);
}

static const aim_gpu_info *gpu(const char *name) {
    const aim_gpu_info *g = NULL;
    assert_int_equal(aim_gpu_lookup(name, &g), 0);
    return g;
}

/* From data/gpu_specs.csv: H100 SXM5 80GB 700 W, tensor 989.4 TFLOPS; A100 SXM4 40GB 400 W,
 * 312; L4 72 W, 121.
 *   H100 -> A100: (400 / 700) × (989.4 / 312) = 0.571428... × 3.171153... = 1.812087912
 *   H100 -> L4:   (72 / 700) × (989.4 / 121) = 0.102857... × 8.176859... = 0.841048406 */
static void table_rows(void **state) {
    (void)state;
    const aim_gpu_info *h100 = gpu("NVIDIA H100 80GB HBM3"); /* the name NVML prints */
    assert_string_equal(h100->name, "NVIDIA H100 SXM5 80GB");
    aim_hw_ratio r;
    assert_int_equal(aim__hw_ratio_compute(h100, gpu("A100"), &r), 0);
    assert_string_equal(r.throughput, "tensor");
    near(r.power_from, 700, 0);
    near(r.power_to, 400, 0);
    near(r.tput_from, 989.4, 0);
    near(r.tput_to, 312, 0);
    near(r.power_ratio, 400.0 / 700.0, 1e-12);
    near(r.speed_ratio, 989.4 / 312.0, 1e-12);
    near(r.ratio, 1.812087912, 1e-9);
    assert_int_equal(aim__hw_ratio_compute(h100, gpu("L4"), &r), 0);
    near(r.ratio, 0.841048406, 1e-9);
    /* Itself: 1. */
    assert_int_equal(aim__hw_ratio_compute(h100, h100, &r), 0);
    near(r.ratio, 1, 1e-15);
}

/* The column is the first both rows give: tensor, else FP16, else FP32. */
static void column_choice(void **state) {
    (void)state;
    aim_gpu_info a = { .name = "a", .tdp_w = 300, .fp32_tflops = 20, .fp16_tflops = 80,
                       .tensor_tflops = 300 };
    aim_gpu_info b = { .name = "b", .tdp_w = 150, .fp32_tflops = 10, .fp16_tflops = 40,
                       .tensor_tflops = NAN };
    aim_hw_ratio r;
    assert_int_equal(aim__hw_ratio_compute(&a, &b, &r), 0);
    assert_string_equal(r.throughput, "fp16"); /* (150 / 300) × (80 / 40) = 1 */
    near(r.ratio, 1, 1e-15);
    b.fp16_tflops = NAN;
    assert_int_equal(aim__hw_ratio_compute(&a, &b, &r), 0);
    assert_string_equal(r.throughput, "fp32"); /* (150 / 300) × (20 / 10) = 1 */
    b.fp32_tflops = NAN;
    r.ratio = 42;
    assert_int_equal(aim__hw_ratio_compute(&a, &b, &r), -ENODATA);
    near(r.ratio, 42, 0); /* untouched */
    b.fp32_tflops = 10;
    b.tdp_w = NAN;
    assert_int_equal(aim__hw_ratio_compute(&a, &b, &r), -ENODATA);
    assert_int_equal(aim__hw_ratio_compute(NULL, &b, &r), -EINVAL);
}

/* --gpu-spec: a device of its own needs TDP and a throughput; a table row may be amended
 * by either, keeping the rest; a stated throughput replaces all of the row's. */
static void stated_figures(void **state) {
    aim_hw_spec s;
    char err[320];
    const char *item = "Acme X1:tdp=300,tflops=150";
    assert_int_equal(aim__hw_spec_parse(item, strlen(item), &s, err, sizeof err), 0);
    assert_string_equal(s.info.name, "Acme X1");
    assert_null(s.base);
    assert_true(s.info.tdp_w == 300 && s.info.tensor_tflops == 150 && isnan(s.info.fp32_tflops));
    assert_true(aim__hw_spec_matches(&s, "acme-x1") && !aim__hw_spec_matches(&s, "A100"));
    item = "A100:tdp=250";
    assert_int_equal(aim__hw_spec_parse(item, strlen(item), &s, err, sizeof err), 0);
    assert_non_null(s.base);
    assert_true(s.info.tdp_w == 250 && s.info.tensor_tflops == 312);
    assert_true(aim__hw_spec_matches(&s, "NVIDIA A100-SXM4-40GB"));
    item = "A100:fp32=20";
    assert_int_equal(aim__hw_spec_parse(item, strlen(item), &s, err, sizeof err), 0);
    assert_true(s.info.tdp_w == 400 && s.info.fp32_tflops == 20 && isnan(s.info.tensor_tflops));
    static const char *const bad[] = { "Acme X1:tdp=300", "Acme X1:tflops=1", "A100:",
                                       "A100:tdp=0", "A100:tdp=1e3", "A100:tdp=300,tdp=200",
                                       "A100:watts=3", ":tdp=3,tflops=4", "A100", "A100:tdp=99999" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(aim__hw_spec_parse(bad[i], strlen(bad[i]), &s, err, sizeof err), -EINVAL);
        assert_non_null(strstr(err, "--gpu-spec"));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_rows),
        cmocka_unit_test(column_choice),
        cmocka_unit_test(stated_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
