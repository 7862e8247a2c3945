/* Provider PUE defaults: Green Algorithms' defaults_PUE.csv (aws 1.2, gcp 1.12, azure 1.12,
 * OVHcloud 1.09, Oracle 1.2, unknown data centre 1.56). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "aimeter.h"

static double pue(const char *name) {
    double v = 0;
    const char *src = NULL;
    assert_int_equal(aim_pue_lookup(name, &v, &src), 0);
    assert_non_null(src);
    assert_non_null(strstr(src, "Green Algorithms"));
    return v;
}

static void providers(void **state) {
    assert_float_equal(pue("aws"), 1.2, 0);
    assert_float_equal(pue("gcp"), 1.12, 0);
    assert_float_equal(pue("azure"), 1.12, 0);
    assert_float_equal(pue("ovhcloud"), 1.09, 0);
    assert_float_equal(pue("oracle"), 1.2, 0);
    assert_float_equal(pue("average"), 1.56, 0);
    /* aliases and case */
    assert_float_equal(pue("Google"), 1.12, 0);
    assert_float_equal(pue("MICROSOFT"), 1.12, 0);
    assert_float_equal(pue("OVH"), 1.09, 0);
    assert_float_equal(pue("AWS"), 1.2, 0);
    const char *src;
    assert_int_equal(aim_pue_lookup("average", NULL, &src), 0);
    assert_non_null(strstr(src, "Uptime Institute"));
    assert_non_null(strstr(src, "2024"));
    assert_int_equal(aim_pue_lookup("aws", NULL, &src), 0);
    assert_non_null(strstr(src, "2023"));
    assert_int_equal(aim_pue_lookup("aws", NULL, NULL), 0);
}

static void unknown_names(void **state) {
    double v = 42;
    const char *src = "untouched";
    assert_int_equal(aim_pue_lookup("alibaba", &v, &src), -ENOENT);
    assert_int_equal(aim_pue_lookup("1.2", &v, &src), -ENOENT); /* numbers are the caller's */
    assert_int_equal(aim_pue_lookup("aws ", &v, &src), -ENOENT);
    assert_int_equal(aim_pue_lookup("", &v, &src), -EINVAL);
    assert_int_equal(aim_pue_lookup(NULL, &v, &src), -EINVAL);
    assert_float_equal(v, 42, 0);
    assert_string_equal(src, "untouched");
}

static void every_listed_name_resolves(void **state) {
    size_t n = 0;
    for (const char *const *p = aim_pue_names(); *p; p++, n++) {
        double v;
        assert_int_equal(aim_pue_lookup(*p, &v, NULL), 0);
        assert_true(v >= 1.0 && v <= 5.0);
    }
    assert_int_equal(n, 6);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(providers),
        cmocka_unit_test(unknown_names),
        cmocka_unit_test(every_listed_name_resolves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
