/* util/csv: the one CSV field writer (RFC 4180). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"

static char *field(const char *s, size_t n) {
    aim_strbuf b = AIM_STRBUF_INIT;
    aim_csv_field(&b, s, n);
    char *text = NULL;
    assert_int_equal(aim_strbuf_steal(&b, &text), 0);
    return text;
}

static void check(const char *in, const char *want) {
    char *got = field(in, (size_t)-1);
    assert_string_equal(got, want);
    free(got);
}

static void plain_fields_are_written_as_they_are(void **state) {
    check("gpu0.power", "gpu0.power");
    check("", "");
    check("Île de France; 'x'", "Île de France; 'x'");
    check("tab\there", "tab\there"); /* control characters are data too (decisions.md) */
    char *got = field(NULL, 4);
    assert_string_equal(got, "");
    free(got);
    got = field("abcdef", 3); /* at most n bytes */
    assert_string_equal(got, "abc");
    free(got);
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
    aim_csv_row(&b, f, 4);
    assert_string_equal(b.data, "time_s,\"a,b\",,\"q\"\"\"\n");
    aim_strbuf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_fields_are_written_as_they_are),
        cmocka_unit_test(comma_quote_and_line_breaks_are_quoted),
        cmocka_unit_test(rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
