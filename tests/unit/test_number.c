/* util/number.c: aim_parse_number, the strict decimal reader (no sign, hex, "inf" or locale comma). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "aimeter.h"

static void numbers(void **state) {
    double v = 7;
    assert_int_equal(aim_parse_number("0.21EUR", 4, &v), 0); /* the first len bytes */
    assert_true(v == 0.21);
    assert_int_equal(aim_parse_number(".8", 2, &v), 0);
    assert_true(v == 0.8);
    const char *not_numbers[] = { "", "-1", "+1", "1,5", "0x10", "inf", "nan", " 1", "1.2.3", ".",
                                  "1e3" };
    v = 7;
    for (size_t i = 0; i < sizeof not_numbers / sizeof not_numbers[0]; i++)
        assert_int_equal(aim_parse_number(not_numbers[i], strlen(not_numbers[i]), &v), -EINVAL);
    assert_int_equal(aim_parse_number(NULL, 0, &v), -EINVAL);
    assert_true(v == 7);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
