/* report/html_render.c with web assets of the test's own (this program links html_render.c
 * without the build's web_assets.c, see tests/unit/meson.build): a missing or bad asset is
 * a broken build, -ENOTRECOVERABLE (the CLI's exit 70), not a bad input (-ENOENT, -EINVAL). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/html_render.h"
#include "report/web_assets.h"

static aim_web_asset js = { "report.js", NULL, 0 }, css = { "report.css", NULL, 0 };
static int have_js, have_css;

const aim_web_asset *aim__web_asset(const char *name) {
    if (strcmp(name, "report.js") == 0)
        return have_js ? &js : NULL;
    if (strcmp(name, "report.css") == 0)
        return have_css ? &css : NULL;
    return NULL;
}

static void set_assets(int with_js, const char *js_text, int with_css, const char *css_text) {
    have_js = with_js;
    have_css = with_css;
    js.data = (const unsigned char *)js_text;
    js.len = strlen(js_text);
    css.data = (const unsigned char *)css_text;
    css.len = strlen(css_text);
}

static int render(char **doc) {
    aim_html_model m;
    memset(&m, 0, sizeof m);
    m.run_id = "r1";
    m.report_json = "{}\n";
    m.x1 = 1;
    m.buckets = 10;
    *doc = NULL;
    return aim__html_render(&m, doc);
}

static void good_assets_render(void **state) {
    (void)state;
    set_assets(1, "console.log(1)", 1, "body{}");
    char *doc;
    assert_int_equal(render(&doc), 0);
    assert_non_null(strstr(doc, "console.log(1)"));
    assert_non_null(strstr(doc, "body{}"));
    free(doc);
}

/* Missing or ending its own element ("</script" in any case in the JS, "</style" in the
 * CSS): each a broken build, and no document. */
static void bad_assets_are_a_broken_build(void **state) {
    (void)state;
    static const struct { int with_js; const char *js; int with_css; const char *css; } bad[] = {
        { 0, "", 1, "body{}" },
        { 1, "x", 0, "" },
        { 1, "var s = '</SCRIPT>';", 1, "body{}" },
        { 1, "x", 1, "a::after{content:'</style>'}" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        set_assets(bad[i].with_js, bad[i].js, bad[i].with_css, bad[i].css);
        char *doc;
        assert_int_equal(render(&doc), -ENOTRECOVERABLE);
        assert_null(doc);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_assets_render),
        cmocka_unit_test(bad_assets_are_a_broken_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
