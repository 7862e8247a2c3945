/* Test helper of the report renderers' tests (test_text.c, test_json.c, test_markdown.c,
 * test_runs.c, test_renderers.c, test_util_numfmt.c): a run rendered as api/render.c does,
 * lines and rows picked out of a text, JSON parsed or the test fails. Set AIM_TEST_DUMP=1 to
 * print every rendered report. */
#ifndef AIM_TEST_REPORT_FIXTURE_H
#define AIM_TEST_REPORT_FIXTURE_H

#include <jansson.h>

#include "processing/summary.h"

/* The note the total carries (processing/report_model.h), spelt out so a change shows here. */
#define EDGE "; from the run's start: before a device's first reading, its first power (a " \
             "counter's: its mean over its first second) held back"

/* As api/render.c does: the model, then the renderer (format by name); the caller frees. */
char *render(const aim_run_summary *r, const char *format_name);

/* The line of text that starts with prefix (after leading spaces), NUL-terminated in a
 * static buffer, or fails the test. */
const char *line_of(const char *text, const char *prefix);

/* Collapses runs of spaces so column widths do not matter to the assertion. */
const char *squeeze(const char *s);

/* The line starting with prefix, compared exactly or with runs of spaces collapsed. */
#define EXPECT_LINE(text, prefix, expected) assert_string_equal(line_of(text, prefix), expected)
#define EXPECT_ROW(text, prefix, expected) \
    assert_string_equal(squeeze(line_of(text, prefix)), expected)

/* The JSON text parsed, or the test fails with where it is invalid. */
json_t *parse(const char *text);

/* The number at key path of root, or the test fails. */
double num(json_t *root, const char *path);

#endif
