/* util/csv: the one CSV field writer (RFC 4180). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"

/* Field s (at most n bytes) as the writer writes it equals want. */
static void check_n(const char *s, size_t n, const char *want) {
    aim_strbuf b = AIM_STRBUF_INIT;
    aim__csv_field(&b, s, n);
    assert_int_equal(b.err, 0);
    assert_string_equal(b.data ? b.data : "", want);
    aim__strbuf_free(&b);
}

static void check(const char *in, const char *want) { check_n(in, (size_t)-1, want); }

static void plain_fields_are_written_as_they_are(void **state) {
    check("gpu0.power", "gpu0.power");
    check("", "");
    check("Île de France; 'x'", "Île de France; 'x'");
    check("tab\there", "tab\there"); /* control characters are data too (decisions.md) */
    check_n(NULL, 4, "");
    check_n("abcdef", 3, "abc"); /* at most n bytes */
}

static void comma_quote_and_line_breaks_are_quoted(void **state) {
    check("a,b", "\"a,b\"");
    check("say \"hi\"", "\"say \"\"hi\"\"\"");
    check("\"", "\"\"\"\"");
    check("two\nlines", "\"two\nlines\"");
    check("cr\r", "\"cr\r\"");
    check("\"a\",\"b\"", "\"\"\"a\"\",\"\"b\"\"\"");
}

static void rows(void **state) {
    aim_strbuf b = AIM_STRBUF_INIT;
    const char *f[] = { "time_s", "a,b", NULL, "q\"" };
    aim__csv_row(&b, f, 4);
    assert_string_equal(b.data, "time_s,\"a,b\",,\"q\"\"\"\n");
    aim__strbuf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_fields_are_written_as_they_are),
        cmocka_unit_test(comma_quote_and_line_breaks_are_quoted),
        cmocka_unit_test(rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
