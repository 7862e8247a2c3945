/* aimeter compare rendered from its result struct (processing/compare.h): text, Markdown,
 * JSON (schema "aimeter.compare/1", docs/report-json.md) and CSV. Pure: no store. */
#ifndef AIM_REPORT_COMPARE_REPORT_H
#define AIM_REPORT_COMPARE_REPORT_H

#include "processing/compare.h"
#include "util/strbuf.h"

/* The runs, their groups and the table appended to b, as text or (markdown 1) Markdown. */
void aim__compare_text(aim_strbuf *b, const aim_compare_result *res, int markdown);
/* The JSON document; caller frees *ret_text. 0 or -ENOMEM. */
int aim__compare_json(const aim_compare_result *res, char **ret_text);
/* One CSV line per row and column, after a header line, appended to b. */
void aim__compare_csv(aim_strbuf *b, const aim_compare_result *res);

#endif
