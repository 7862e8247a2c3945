/* util/duration.c: durations as the options give them ("100ms", "1.5h"), and what is
 * refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "aimeter.h"

static void durations(void **state) {
    int64_t ns = 0;
    assert_int_equal(aim_parse_duration("100ms", &ns), 0);
    assert_true(ns == 100000000);
    assert_int_equal(aim_parse_duration("0.5s", &ns), 0);
    assert_true(ns == 500000000);
    assert_int_equal(aim_parse_duration("2", &ns), 0);
    assert_true(ns == 2000000000LL);
    assert_int_equal(aim_parse_duration("250us", &ns), 0);
    assert_true(ns == 250000);
    assert_int_equal(aim_parse_duration("1m", &ns), 0);
    assert_true(ns == 60000000000LL);
    assert_int_equal(aim_parse_duration("1.5h", &ns), 0);
    assert_true(ns == 5400000000000LL);
    assert_int_equal(aim_parse_duration("7d", &ns), 0); /* a retention (docs/retention.md) */
    assert_true(ns == 7 * 86400000000000LL);
    assert_int_equal(aim_parse_duration(".25s", &ns), 0);
    assert_true(ns == 250000000);
    ns = 7;
    const char *bad[] = { "", "ms", "10 ms", "10MS", "1e3ms", "-1s", "abc", "0x10s", "1,5s", "inf" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(aim_parse_duration(bad[i], &ns), -EINVAL);
    assert_int_equal(aim_parse_duration("0s", &ns), -ERANGE);
    assert_int_equal(aim_parse_duration("0.1ns", &ns), -ERANGE);
    assert_int_equal(aim_parse_duration("99999999999h", &ns), -ERANGE);
    assert_true(ns == 7); /* untouched on error */
    assert_int_equal(aim_parse_duration(NULL, &ns), -EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
