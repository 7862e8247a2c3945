#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/report_model.h"
#include "report/renderers.h"
#include "report_fixture.h"

char *render(const aim_run_summary *r, const char *format_name) {
    aim_format format;
    assert_int_equal(aim_format_parse(format_name, &format), 0);
    char *text = NULL;
    aim_report_model m;
    assert_int_equal(aim__report_model_build(r, &m), 0);
    assert_int_equal(aim__render(AIM_OUTPUT_REPORT, format, &m, &text), 0);
    aim__report_model_free(&m);
    assert_non_null(text);
    if (getenv("AIM_TEST_DUMP"))
        fprintf(stderr, "----- %s\n%s", format_name, text);
    return text;
}

const char *line_of(const char *text, const char *prefix) {
    static char line[1024];
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *q = p;
        while (*q == ' ' && q < p + len)
            q++;
        if (strncmp(q, prefix, strlen(prefix)) == 0) {
            snprintf(line, sizeof line, "%.*s", (int)len, p);
            return line;
        }
        p += len + (nl ? 1 : 0);
    }
    fail_msg("no line starting with \"%s\" in:\n%s", prefix, text);
    return NULL;
}

const char *squeeze(const char *s) {
    static char out[1024];
    size_t o = 0;
    for (; *s && o + 1 < sizeof out; s++)
        if (!(*s == ' ' && o > 0 && out[o - 1] == ' '))
            out[o++] = *s;
    out[o] = '\0';
    return out;
}

json_t *parse(const char *text) {
                    json_error_t e;
    json_t *root = json_loads(text, 0, &e);
    if (!root)
        fail_msg("invalid JSON at line %d: %s\n%s", e.line, e.text, text);
    return root;
}

double num(json_t *root, const char *path) {
    json_t *v = json_object_get(root, path);
    assert_non_null(v);
    assert_true(json_is_number(v));
    return json_number_value(v);
}
