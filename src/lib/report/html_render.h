/* The HTML report (`aimeter report --format html`): one self-contained document, the web
 * front end's CSS and JS (report/web_assets.h) inlined and the data embedded as JSON
 * (schema aimeter.html/1, docs/report-json.md), nothing fetched from anywhere. */
#ifndef AIM_REPORT_HTML_RENDER_H
#define AIM_REPORT_HTML_RENDER_H

#include <stddef.h>

#include "processing/html_model.h"
#include "util/strbuf.h"

/* The document of m: a string the caller frees. -ENOMEM; -ENOTRECOVERABLE (a broken build)
 * when an asset is missing or would end its element early ("</script" in the JS, "</style"
 * in the CSS). */
int aim__html_render(const aim_html_model *m, char **ret_text);

/* The DATA of m (aimeter.html/1) as JSON text, appended to b. */
void aim__html_data_json(aim_strbuf *b, const aim_html_model *m);

/* s (at most n bytes, invalid UTF-8 replaced by U+FFFD) as HTML text: & < > " ' escaped. */
void aim__html_append_text(aim_strbuf *b, const char *s, size_t n);

/* JSON text for inside a <script> element: every <, >, &, U+2028 and U+2029 written as its
 * \uXXXX escape (the same JSON value, and no "</script>" can end the element). */
void aim__html_append_script_json(aim_strbuf *b, const char *json, size_t n);

#endif
