/* The step-function CSV parser (providers/intensity_file.h): good files with every accepted
 * spelling, bad rows reported on their exact line, and the timestamp forms. Times are
 * worked out from 2024-01-01T00:00:00Z = 1704067200 s (19723 days × 86400 s). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "providers/intensity_file.h"

#define T2024 1704067200000LL /* 2024-01-01T00:00:00Z in ms */

static aim_step_file parse_ok(const char *text, int allow_signal) {
    aim_step_file f;
    int r = aim__step_file_parse(text, strlen(text), allow_signal, &f);
    if (r != 0)
        fail_msg("parse failed (%d) at line %d: %s", r, f.error_line, f.error);
    return f;
}

/* Expects a failure on `line` whose reason contains `needle`. */
static void parse_bad(const char *text, int allow_signal, int line, const char *needle) {
    aim_step_file f;
    assert_int_equal(aim__step_file_parse(text, strlen(text), allow_signal, &f), -EBADMSG);
    if (f.error_line != line || !strstr(f.error, needle))
        fail_msg("expected line %d with '%s', got line %d: %s", line, needle, f.error_line,
                 f.error);
    aim__step_file_clear(&f);
}

static void timestamps(void **state) {
    int64_t t;
    char why[128];
#define TIME_IS(text, want)                                                            \
    do {                                                                               \
        assert_int_equal(aim__step_parse_time(text, strlen(text), &t, why, sizeof why), 0); \
        assert_true(t == (want));                                                      \
    } while (0)
    TIME_IS("2024-01-01T00:00:00Z", T2024);
    TIME_IS("2024-01-01T00:00Z", T2024);
    TIME_IS("2024-01-01 00:00:00z", T2024);
    TIME_IS("2024-01-01T01:00:00+01:00", T2024);          /* 01:00 in UTC+1 is 00:00 UTC */
    TIME_IS("2023-12-31T19:00:00-0500", T2024);           /* New York winter */
    TIME_IS("2024-01-01T05:30+05:30", T2024);             /* India */
    TIME_IS("2024-01-01T00:00:00.250Z", T2024 + 250);
    TIME_IS("2024-01-01T00:00:00,5Z", T2024 + 500);
    TIME_IS("2024-01-01T00:00:00.123456789Z", T2024 + 123);
    /* 2024 is a leap year: March 1st is 31 + 29 = 60 days after January 1st. */
    TIME_IS("2024-03-01T00:00:00Z", T2024 + 60LL * 86400000);
    TIME_IS("1704067200", T2024);
    TIME_IS("1704067200.5", T2024 + 500);
    TIME_IS("0", 0);

#define TIME_BAD(text, needle)                                                              \
    do {                                                                                    \
        assert_int_equal(aim__step_parse_time(text, strlen(text), &t, why, sizeof why), -EINVAL); \
        if (!strstr(why, needle))                                                           \
            fail_msg("%s: '%s' does not say '%s'", text, why, needle);                      \
    } while (0)
    TIME_BAD("2024-01-01T00:00:00", "no zone");
    TIME_BAD("2024-01-01", "no time of day");
    TIME_BAD("2023-02-29T00:00Z", "no such date");
    TIME_BAD("2024-13-01T00:00Z", "no such date");
    TIME_BAD("2024-01-01T24:00Z", "bad time of day");
    TIME_BAD("2024-01-01T00:00:00+25:00", "bad zone offset");
    TIME_BAD("2024-01-01T00:00:00Zjunk", "unexpected text");
    TIME_BAD("1704067200000", "looks like milliseconds");
    TIME_BAD("-5", "bad timestamp");
    TIME_BAD("1e9", "bad timestamp");
    TIME_BAD("2201-01-01T00:00Z", "out of range");
    TIME_BAD("", "empty");
}

static void good_file_with_header_signal_and_every_spelling(void **state) {
    const char text[] =
        "\xEF\xBB\xBF" "timestamp,g_per_kwh,signal\r\n"   /* line 1: BOM, header, CRLF */
        "# exported from the grid operator\r\n"           /* line 2: comment */
        "2024-01-01T00:00:00Z, 120.5 ,marginal\r\n"       /* line 3 */
        "\r\n"                                            /* line 4: blank */
        "\"2024-01-01T01:00:00+01:00\",3.5e2,MARGINAL\r\n";/* line 5 */
    /* Line 5 is 01:00 at UTC+1, which is 00:00 UTC: not after line 3, so it is refused. */
    parse_bad(text, 1, 5, "repeats the one on line 3");

    const char ok[] =
        "\xEF\xBB\xBF" "timestamp,g_per_kwh,signal\r\n"
        "# exported from the grid operator\r\n"
        "2024-01-01T00:00:00Z, 120.5 ,marginal\r\n"
        "\r\n"
        "\"2024-01-01T02:00:00+01:00\",3.5e2,MARGINAL\r\n"
        "1704070800,0\r\n";
    /* the last row lacks the signal column: 2 columns where the rows before have 3 */
    parse_bad(ok, 1, 6, "2 columns where the rows before have 3");

    const char good[] =
        "\xEF\xBB\xBF" "timestamp,g_per_kwh,signal\r\n"
        "# exported from the grid operator\r\n"
        "2024-01-01T00:00:00Z, 120.5 ,marginal\r\n"
        "\r\n"
        "\"2024-01-01T02:00:00+01:00\",3.5e2,MARGINAL\r\n"
        "1704074400,0,marginal";                          /* no final newline */
    aim_step_file f = parse_ok(good, 1);
    assert_int_equal(f.n, 3);
    assert_true(f.has_signal && f.signal == AIM_SIGNAL_MARGINAL);
    assert_true(f.points[0].t_unix_ms == T2024 && f.points[0].g_per_kwh == 120.5);
    assert_true(f.points[1].t_unix_ms == T2024 + 3600000 && f.points[1].g_per_kwh == 350.0);
    assert_true(f.points[2].t_unix_ms == T2024 + 7200000 && f.points[2].g_per_kwh == 0.0);
    aim__step_file_clear(&f);

    /* No header, two columns, Unix seconds: the plain export. */
    f = parse_ok("1704067200,100\n1704067260,200\n", 1);
    assert_int_equal(f.n, 2);
    assert_false(f.has_signal);
    assert_true(f.points[1].t_unix_ms == T2024 + 60000 && f.points[1].g_per_kwh == 200.0);
    aim__step_file_clear(&f);
}

static void values_parse_in_any_locale(void **state) {
    /* A locale with a decimal comma must not change how "0.21" reads. */
    if (setlocale(LC_NUMERIC, "de_DE.UTF-8") || setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
        aim_step_file f = parse_ok("1704067200,0.21\n", 0);
        assert_true(f.points[0].g_per_kwh == 0.21);
        aim__step_file_clear(&f);
        setlocale(LC_NUMERIC, "C");
    }
}

static void bad_rows_on_their_line(void **state) {
    parse_bad("timestamp,g_per_kwh\n2024-01-01T00:00Z,100\n2024-01-01T00:00Z,200\n", 1, 3,
              "repeats the one on line 2");
    parse_bad("1704067260,100\n\n1704067200,200\n", 1, 3, "is before the one on line 1");
    parse_bad("1704067200,100\n1704067260,-1\n", 1, 2, "negative value");
    parse_bad("1704067200,nan\n", 1, 1, "not a number");
    parse_bad("1704067200,inf\n", 1, 1, "not a number");
    parse_bad("1704067200,0x10\n", 1, 1, "not a number");
    parse_bad("1704067200,1e999\n", 1, 1, "out of range");
    parse_bad("1704067200,12,34\n", 1, 1, "signal must be average or marginal");
    parse_bad("1704067200\n", 1, 1, "1 column; expected");
    parse_bad("a,b,c,d\n", 1, 1, "the header has");
    parse_bad("time,value\n#c\n1704067200,1,average,x\n", 1, 3, "columns");
    parse_bad("t,v\n1704067200,1,average\n1704067260,2,marginal\n", 1, 3,
              "signal marginal where the rows before say average");
    parse_bad("t,v\n2024-01-01T00:00:00,5\n", 1, 2, "no zone");
    parse_bad("", 1, 0, "no data rows");
    parse_bad("timestamp,g_per_kwh\n\n# nothing\n", 1, 0, "no data rows");
    /* A price file has two columns only. */
    parse_bad("1704067200,0.21,average\n", 0, 1, "expected timestamp,price_per_kwh");
    /* A bad first timestamp with digits is an error, not a header. */
    parse_bad("2024-1-01T00:00Z,5\n", 1, 1, "bad date");
}

static void load_from_file(void **state) {
    char path[] = "/tmp/aim_test_intensity_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "t,g\n1704067200,100\n1704067200,200\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)sizeof text - 1);
    close(fd);
    aim_step_file f;
    char err[512], want[600];
    assert_int_equal(aim__step_file_load(path, 1, &f, err, sizeof err), -EBADMSG);
    snprintf(want, sizeof want, "%s:3: timestamp repeats the one on line 2: rows must be in "
             "strictly increasing time order", path);
    assert_string_equal(err, want);
    aim__step_file_clear(&f);
    unlink(path);
    assert_int_equal(aim__step_file_load(path, 1, &f, err, sizeof err), -ENOENT);
    snprintf(want, sizeof want, "cannot read %s: No such file or directory", path);
    assert_string_equal(err, want);
    assert_int_equal(aim__step_file_load("/tmp", 1, &f, err, sizeof err), -EISDIR);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timestamps),
        cmocka_unit_test(good_file_with_header_signal_and_every_spelling),
        cmocka_unit_test(values_parse_in_any_locale),
        cmocka_unit_test(bad_rows_on_their_line),
        cmocka_unit_test(load_from_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
