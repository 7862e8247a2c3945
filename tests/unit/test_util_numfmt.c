/* util/numfmt and util/number: the one locale-free number formatter and parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/number.h"
#include "util/numfmt.h"
#include "comma_locale.h"
#include "report_fixture.h"
#include "report_runs.h"

static int comma; /* 1 while the tests run under a decimal-comma locale */

/* Every check runs twice: in the C locale, then in a decimal-comma one (when there is one):
 * the output must not change. */
static int with_comma(void **state) {
    comma = comma_locale_enter();
    if (comma) {
        char probe[16];
        snprintf(probe, sizeof probe, "%.1f", 1.5);
        assert_string_equal(probe, "1,5");
    }
    return 0;
}

static int in_c(void **state) {
    setlocale(LC_NUMERIC, "C");
    return 0;
}

static void exact(double v, int decimals, const char *want) {
    char out[AIM_NUM_MAX];
    aim__fmt_exact(out, v, decimals);
    assert_string_equal(out, want);
}

static void exact_numbers_for_data(void **state) {
    exact(12.3, 2, "12.3");
    exact(-0.5, 6, "-0.5");
    exact(1200, 3, "1200");
    exact(0.125, 2, "0.13"); /* llround: half away from zero */
    exact(1e-6, 6, "0.000001");
    exact(-1e-9, 6, "0");
    exact(NAN, 2, "nan");
    exact(INFINITY, 2, "inf");
    exact(-INFINITY, 2, "-inf");
    exact(1e20, 2, "1.00000000000000000e+20"); /* beyond int64: exponent form */
    exact(123456.789, 17, "123456.789"); /* decimals lowered until it fits int64 */
    exact(1.5, 25, "1.5");                /* decimals clamped to 0..17 */
    exact(2.5, -3, "3");
    assert_int_equal(aim__fmt_decimals_for(0.01), 2);
    assert_int_equal(aim__fmt_decimals_for(1e-6), 6);
    assert_int_equal(aim__fmt_decimals_for(1.0 / 1024), 10);
    assert_int_equal(aim__fmt_decimals_for(0), 6);
    assert_int_equal(aim__fmt_decimals_for(NAN), 6);
    char out[AIM_NUM_MAX];
    aim__fmt_seconds_us(out, 12300014000LL);
    assert_string_equal(out, "12.300014");
    aim__fmt_seconds_us(out, -1000);
    assert_string_equal(out, "-0.000001");
    aim__fmt_seconds_us(out, 499);
    assert_string_equal(out, "0.000000");
}

static void readable_numbers(void **state) {
    char out[AIM_NUM_MAX];
    assert_string_equal(aim__fmt_fixed(out, 6348.876, 2), "6348.88");
    assert_string_equal(aim__fmt_fixed(out, -0.001, 2), "0.00"); /* no "-0.00" */
    assert_string_equal(aim__fmt_fixed(out, NAN, 2), "n/a");
    assert_string_equal(aim__fmt_fixed(out, 2e12, 2), "2.000e+12");
    assert_string_equal(aim__fmt_sig(out, 0.000351, 2, 3), "0.00035");
    assert_string_equal(aim__fmt_trim(out, 56.30, 2), "56.3");
    assert_string_equal(aim__fmt_trim(out, 475.0, 2), "475");
    strcpy(out, "1.500e+12");
    assert_string_equal(aim__fmt_trim_zeros(out), "1.500e+12");
    assert_string_equal(aim__fmt_g(out, 0.1, 17), "0.10000000000000001");
    assert_string_equal(aim__fmt_g(out, 475, 17), "475");
    assert_string_equal(aim__fmt_g(out, 1.5e-7, 6), "1.5e-07");
    assert_string_equal(aim__fmt_g(out, NAN, 6), "nan");
    assert_string_equal(aim__fmt_g(out, -INFINITY, 6), "-inf");
    char line[64];
    aim__fmt_energy_short(line, sizeof line, 15660);
    assert_string_equal(line, "15.66 kJ");
    aim__fmt_duration(line, sizeof line, 43000000000LL);
    assert_string_equal(line, "43.0 s");
}

static void parsing(void **state) {
    double v = 0;
    assert_int_equal(aim__parse_decimal("3.25", 4, 0, &v), 0);
    assert_true(v == 3.25);
    assert_int_equal(aim__parse_decimal("3,25", 4, 0, &v), -EINVAL);
    assert_int_equal(aim__parse_decimal("0x10", 4, 1, &v), -EINVAL);
    assert_int_equal(aim__parse_decimal(" 5", 2, 1, &v), -EINVAL);
    assert_int_equal(aim__parse_decimal("inf", 3, 1, &v), -EINVAL);
    /* the right shape, but no double holds it: a different error, for a better message */
    v = 7;
    assert_int_equal(aim__parse_decimal("1e999", 5, 0, &v), -ERANGE);
    assert_true(v == 7); /* untouched on error */
    assert_int_equal(aim__parse_decimal("-2.5e-3", 7, 1, &v), 0);
    assert_true(v == -0.0025);
}

static void bounded_append(void **state) {
    char buf[8] = "";
    aim__bappendf(buf, sizeof buf, "%s", "ab");
    aim__bappendf(buf, sizeof buf, "@%04d", 7);
    assert_string_equal(buf, "ab@0007");
    aim__bappendf(buf, sizeof buf, "more"); /* full: nothing, still terminated */
    assert_string_equal(buf, "ab@0007");
    char small[4] = "";
    aim__bappendf(small, sizeof small, "%s", "abcdef"); /* cut at len - 1 */
    assert_string_equal(small, "abc");
}

static void number_formatting(void **state) {
    char b[AIM_NUM_MAX];
    assert_string_equal(aim__fmt_fixed(b, 6348.88, 2), "6348.88");
    assert_string_equal(aim__fmt_fixed(b, 4.0, 2), "4.00");
    assert_string_equal(aim__fmt_fixed(b, -0.001, 2), "0.00");
    assert_string_equal(aim__fmt_fixed(b, -1.5, 2), "-1.50");
    assert_string_equal(aim__fmt_fixed(b, NAN, 2), "n/a");
    assert_string_equal(aim__fmt_fixed(b, -INFINITY, 2), "n/a");
    assert_string_equal(aim__fmt_fixed(b, 1.5e13, 2), "1.500e+13");
    assert_string_equal(aim__fmt_fixed(b, 1e308, 2), "1.000e+308");
    assert_string_equal(aim__fmt_trim(b, 475, 2), "475");
    /* Small figures keep significant digits instead of rounding to zero. */
    assert_string_equal(aim__fmt_sig(b, 2.0664, 3, 3), "2.066");
    assert_string_equal(aim__fmt_sig(b, 0.000351234, 3, 3), "0.000351");
    assert_string_equal(aim__fmt_sig(b, 0.0020664, 2, 4), "0.0021");
    assert_string_equal(aim__fmt_sig(b, 7.4166e-7, 3, 6), "0.000000742");
    assert_string_equal(aim__fmt_sig(b, 1e-12, 3, 2), "0.000000000");
    assert_string_equal(aim__fmt_sig(b, 0.0, 3, 2), "0.00");
    assert_string_equal(aim__fmt_sig(b, 15655.86, 3, 2), "15655.86");
    assert_string_equal(aim__fmt_trim(b, 56.30, 2), "56.3");
    char s[64];
    aim__fmt_energy_short(s, sizeof s, 999.96);
    assert_string_equal(s, "1.00 kJ");
    aim__fmt_carbon_short(s, sizeof s, 0.00035012);
    assert_string_equal(s, "0.00035 g");
    aim__fmt_carbon_short(s, sizeof s, NAN);
    assert_string_equal(s, "-");
    aim__fmt_time_iso(s, sizeof s, -1);
    assert_string_equal(s, "1969-12-31T23:59:59.999Z");

    /* Where a comma-decimal locale is installed, the report must still say "6348.88". */
    static const char *const comma_locales[] = { "de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "fr_FR" };
    for (size_t i = 0; i < sizeof comma_locales / sizeof comma_locales[0]; i++) {
        if (!setlocale(LC_NUMERIC, comma_locales[i]))
            continue;
        char probe[16];
        snprintf(probe, sizeof probe, "%.1f", 1.5);
        assert_string_equal(probe, "1,5");
        assert_string_equal(aim__fmt_fixed(b, 6348.88, 2), "6348.88");
        aim_run_summary r;
        host_only_run(&r);
        char *t = render(&r, "text");
        assert_non_null(strstr(t, "6348.88 J"));
        free(t);
        t = render(&r, "json");
        json_decref(parse(t));
        free(t);
        aim__run_summary_clear(&r);
        break;
    }
    setlocale(LC_NUMERIC, "C");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(exact_numbers_for_data, in_c),
        cmocka_unit_test_setup(readable_numbers, in_c),
        cmocka_unit_test_setup(parsing, in_c),
        cmocka_unit_test(bounded_append),
        cmocka_unit_test(number_formatting),
        cmocka_unit_test_setup(exact_numbers_for_data, with_comma),
        cmocka_unit_test_setup(readable_numbers, with_comma),
        cmocka_unit_test_setup(parsing, with_comma),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
