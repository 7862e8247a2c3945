/* The web front end's bundle compiled into the library (report/web_assets.h): both assets
 * present, the script one IIFE that an inline <script> can hold and that names no external
 * URL, the style sheet holding uPlot's rules and ours. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <strings.h>

#include "report/web_assets.h"

static int contains(const aim_web_asset *a, const char *needle) {
    return memmem(a->data, a->len, needle, strlen(needle)) != NULL;
}

/* case-insensitive: "</SCRIPT" ends the element as well */
static int contains_nocase(const aim_web_asset *a, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= a->len; i++)
        if (strncasecmp((const char *)a->data + i, needle, n) == 0)
            return 1;
    return 0;
}

static void script(void **state) {
    const aim_web_asset *js = aim__web_asset("report.js");
    assert_non_null(js);
    assert_string_equal(js->name, "report.js");
    assert_true(js->len > 10000);  /* uPlot alone is ~50 kB */
    assert_memory_equal(js->data, "(()=>{", 6);  /* esbuild's IIFE: no import left */
    assert_true(contains(js, "aimeter-data"));  /* it reads the embedded data */
    assert_false(contains_nocase(js, "</script"));
    assert_false(contains(js, "http://"));
    assert_false(contains(js, "https://"));
}

static void style(void **state) {
    const aim_web_asset *css = aim__web_asset("report.css");
    assert_non_null(css);
    assert_true(css->len > 1000);
    assert_true(contains(css, ".u-legend"));  /* uPlot's own sheet */
    assert_true(contains(css, "@media print"));  /* ours */
    assert_false(contains_nocase(css, "</style"));
    assert_false(contains(css, "url(http"));
}

static void unknown(void **state) {
    assert_null(aim__web_asset("report.map"));
    assert_null(aim__web_asset(""));
    assert_null(aim__web_asset(NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(script),
        cmocka_unit_test(style),
        cmocka_unit_test(unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
