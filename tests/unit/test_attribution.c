/* Attribution shares on synthetic values worked by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "processing/attribution.h"

static void shares(void **unused) {
    aim_attr_device cpu = { .rule = AIM_ATTR_CPU, .den_scale = 8 };
    /* 8 CPUs at 50 % = 4 busy CPUs; the tree uses 150 % of one = 1.5 of them */
    assert_true(fabs(aim__attr_share(&cpu, 150, 50) - 0.375) < 1e-12);
    /* sampling skew may make the tree look busier than the machine: clamped */
    assert_true(aim__attr_share(&cpu, 900, 50) == 1.0);
    assert_true(aim__attr_share(&cpu, 0, 0) == 0.0);  /* idle machine, idle tree */
    assert_true(aim__attr_share(&cpu, 10, 0) == 1.0); /* only the tree was seen busy */
    assert_true(isnan(aim__attr_share(&cpu, NAN, 50)));
    assert_true(isnan(aim__attr_share(&cpu, -1, 50)));
    aim_attr_device dram = { .rule = AIM_ATTR_DRAM, .den_scale = 1 };
    assert_true(fabs(aim__attr_share(&dram, 1.5, 6.0) - 0.25) < 1e-12);
    aim_attr_device gpu = { .rule = AIM_ATTR_GPU, .den_scale = 1 };
    assert_true(fabs(aim__attr_share(&gpu, 30, 60) - 0.5) < 1e-12);
    aim_attr_device none = { .rule = AIM_ATTR_NONE, .den_scale = 1 };
    assert_true(isnan(aim__attr_share(&none, 1, 1)));
    assert_string_equal(aim__attr_method(AIM_ATTR_NONE), "");
}

int main(void) {
    const struct CMUnitTest tests[] = { cmocka_unit_test(shares) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
