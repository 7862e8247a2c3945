/* util/iso8601: the one ISO 8601 helper (calendar, parser, formatters). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/iso8601.h"

static int parse(const char *s, int64_t *ms) { return aim__iso8601_parse(s, strlen(s), ms); }

static void calendar_matches_the_c_library(void **state) {
    assert_int_equal(aim__iso8601_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(aim__iso8601_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(aim__iso8601_days_from_civil(1900, 1, 1), -25567);
    assert_int_equal(aim__iso8601_days_in_month(2024, 2), 29);
    assert_int_equal(aim__iso8601_days_in_month(1900, 2), 28);
    assert_int_equal(aim__iso8601_days_in_month(2000, 2), 29);
    /* every ~11 days from 1901 to 2262, with negative times: gmtime_r agrees */
    for (int64_t s = -2177452800LL; s < 9200000000LL; s += 987654) {
        char mine[40], libc[96];
        aim__fmt_time_iso(mine, sizeof mine, s * 1000000000 + 7000000);
        time_t t = (time_t)s;
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        snprintf(libc, sizeof libc, "%04d-%02d-%02dT%02d:%02d:%02d.007Z", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        assert_string_equal(mine, libc);
    }
}

static void formatting(void **state) {
    char buf[40];
    aim__fmt_time_iso(buf, sizeof buf, 1763733792345678901LL);
    assert_string_equal(buf, "2025-11-21T14:03:12.345Z");
    aim__fmt_time_iso(buf, sizeof buf, -1); /* floored: the last ms of 1969 */
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
    aim__fmt_time_human(buf, sizeof buf, 1763733792345678901LL);
    assert_string_equal(buf, "2025-11-21 14:03:12");
    assert_int_equal(aim__iso8601_format(1763733792345LL, 1, buf, sizeof buf), 20);
    assert_string_equal(buf, "2025-11-21T14:03:12Z");
    aim__iso8601_format(1763733792345LL, 0, buf, sizeof buf);
    assert_string_equal(buf, "2025-11-21T14:03Z");
    aim__iso8601_format(INT64_MAX, 1, buf, sizeof buf); /* clamped */
    assert_string_equal(buf, "9999-12-31T23:59:59Z");
    char small[8];
    assert_int_equal(aim__iso8601_format(0, 1, small, sizeof small), 7);
    assert_string_equal(small, "1970-01");
}

static void round_trips(void **state) {
    const int64_t times[] = { 0, 1763733792000LL, -2208988800000LL, 951782400000LL,
                              253402300799000LL, 1709251199000LL };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        char buf[40];
        int64_t back = -1;
        aim__iso8601_format(times[i], 1, buf, sizeof buf);
        assert_int_equal(parse(buf, &back), 0);
        assert_true(back == times[i]);
    }
    int64_t ms;
    assert_int_equal(parse("2026-11-21T10:00:00.123+01:30", &ms), 0);
    char buf[40];
    aim__fmt_time_iso(buf, sizeof buf, ms * 1000000);
    assert_string_equal(buf, "2026-11-21T08:30:00.123Z");
    assert_int_equal(parse("2026-11-21", &ms), 0); /* midnight UTC */
    aim__iso8601_format(ms, 0, buf, sizeof buf);
    assert_string_equal(buf, "2026-11-21T00:00Z");
}

static void strict_parsing(void **state) {
    int64_t ms = 42;
    const char *bad[] = { "2026-02-30", "2026-13-01", "2026-11-21T24:00Z", "2026-11-21T10:60Z",
                          "1899-12-31T23:59Z", "2026-11-21T10:00+15:00", "2026-11-21T10:00Q",
                          "2026-1-21", "2026-11-21T10", "2026-11-21T10:00:00.Z", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse(bad[i], &ms), -EINVAL);
    assert_true(ms == 42);
    assert_int_equal(parse("2024-02-29T23:59:59,5z", &ms), 0);
    assert_true(ms == 1709251199500LL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calendar_matches_the_c_library),
        cmocka_unit_test(formatting),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(strict_parsing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
