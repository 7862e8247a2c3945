/* util/utf8's cutting helpers and the plot's text (report/plot_page.h), which cuts through
 * them: text shortened to a buffer is cut between code points and says so with "...". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "report/plot_page.h"
#include "util/utf8.h"

static void prefix_ends_between_code_points(void **state) {
    (void)state;
    const char *s = "a\xC3\xA9\xE6\xB5\x8B";   /* "aé测": 1 + 2 + 3 bytes */
    assert_int_equal(aim__utf8_prefix(s, 6, 6), 6);
    assert_int_equal(aim__utf8_prefix(s, 6, 5), 3);   /* not inside 测 */
    assert_int_equal(aim__utf8_prefix(s, 6, 2), 1);   /* not inside é */
    assert_int_equal(aim__utf8_prefix(s, 6, 0), 0);
    assert_int_equal(aim__utf8_prefix("a\xFF" "b", 3, 2), 2);   /* an invalid byte is one */
}

static void shorten_says_it_cut(void **state) {
    (void)state;
    char out[9];
    assert_int_equal(aim__utf8_shorten(out, sizeof out, "abc"), 0);
    assert_string_equal(out, "abc");
    assert_int_equal(aim__utf8_shorten(out, sizeof out, "12345678"), 0);
    assert_string_equal(out, "12345678");
    /* "ééééx": 9 bytes, 8 of room; 5 with the dots: 2 of é, not 2.5 */
    assert_int_equal(
        aim__utf8_shorten(out, sizeof out, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9" "x"), 1);
    assert_string_equal(out, "\xC3\xA9\xC3\xA9...");
    assert_true(aim__utf8_valid(out, strlen(out)));
    char tiny[3];
    aim__utf8_shorten(tiny, sizeof tiny, "abcdef");
    assert_string_equal(tiny, "..");
}

static void plot_text_escapes_and_cuts_between_code_points(void **state) {
    (void)state;
    char out[12];
    aim__plot_text(out, sizeof out, "a#b");
    assert_string_equal(out, "a##b");
    /* 测 is 3 bytes: 11 bytes of room hold two of them and the dots */
    aim__plot_text(out, sizeof out, "\xE6\xB5\x8B\xE6\xB5\x8B\xE6\xB5\x8B\xE6\xB5\x8B");
    assert_string_equal(out, "\xE6\xB5\x8B\xE6\xB5\x8B...");
    /* a '#' counts twice: "##" is never split from its pair by the cut */
    aim__plot_text(out, sizeof out, "abcdefg#hijk");
    assert_string_equal(out, "abcdefg...");
    aim__plot_text(out, sizeof out, "x\xFFy");   /* an invalid byte is drawn as '?' */
    assert_string_equal(out, "x?y");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prefix_ends_between_code_points),
        cmocka_unit_test(shorten_says_it_cut),
        cmocka_unit_test(plot_text_escapes_and_cuts_between_code_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
