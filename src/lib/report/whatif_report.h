/* aimeter whatif rendered from its result structs (processing/whatif_result.h): text (a
 * table) and JSON (schemas "aimeter.whatif/1" and "aimeter.whatif-hardware/1",
 * docs/report-json.md). Pure: no store, no engine. */
#ifndef AIM_REPORT_WHATIF_REPORT_H
#define AIM_REPORT_WHATIF_REPORT_H

#include "processing/whatif_result.h"
#include "util/strbuf.h"

/* The --zones table appended to b (at most AIM_WHATIF_MAX_SCENARIOS scenarios shown). */
void aim__whatif_text(aim_strbuf *b, const aim_whatif_result *res);
/* The --zones JSON document; caller frees *ret_text. 0 or -ENOMEM. */
int aim__whatif_json(const aim_whatif_result *res, char **ret_text);

/* The --hardware tables appended to b. */
void aim__whatif_hw_text(aim_strbuf *b, const aim_whatif_hw_result *res);
/* The --hardware JSON document; caller frees *ret_text. 0 or -ENOMEM. */
int aim__whatif_hw_json(const aim_whatif_hw_result *res, char **ret_text);

#endif
