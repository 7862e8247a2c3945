/* aimeter forecast rendered from its result struct (processing/forecast_run.h): text and JSON
 * (schema "aimeter.forecast/1", docs/report-json.md). Pure: no store. */
#ifndef AIM_REPORT_FORECAST_REPORT_H
#define AIM_REPORT_FORECAST_REPORT_H

#include "processing/forecast_run.h"
#include "util/strbuf.h"

/* The forecast as text, appended to b. */
void aim__forecast_text(aim_strbuf *b, const aim_forecast_result *res);
/* The JSON document; caller frees *ret_text. 0 or -ENOMEM. */
int aim__forecast_json(const aim_forecast_result *res, char **ret_text);

#endif
