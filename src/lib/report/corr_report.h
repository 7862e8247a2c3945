/* Correlation output (corr_render.c) over a built result (processing/corr_result.h):
 * `aimeter corr`, and the report's section, built from the same pieces so a pair reads the
 * same everywhere. */
#ifndef AIM_CORR_REPORT_H
#define AIM_CORR_REPORT_H

#include <jansson.h>

#include "aimeter.h"
#include "processing/corr_result.h"
#include "processing/summary.h"
#include "util/strbuf.h"

/* Pairs per sign in the report (the paper's Table 4 shows five). */
#define AIM_CORR_REPORT_TOP 5
/* Weaker pairs stay out of the text and Markdown report (they are in its JSON and in
 * `aimeter corr`): on a quiet host the "top" negative pairs are otherwise noise. */
#define AIM_CORR_REPORT_MIN_ABS 0.3
/* Pairs per sign in the report's JSON. */
#define AIM_CORR_REPORT_JSON_TOP 20

/* `aimeter corr` (aim_corr_render, aimeter.h; through the renderer table): text, CSV or
 * JSON; matrix: the full matrix instead of the findings. -EINVAL, -ENOMEM. */
int aim__corr_render_result(const aim_corr_result *c, aim_format format, int matrix,
                           double min_abs, size_t top, char **ret_text);

/* The report's "Correlations" section of a run's result (nothing when c is NULL: no matrix
 * stored). */
void aim__corr_report_text(aim_strbuf *b, const aim_corr_result *c);
void aim__corr_report_markdown(aim_strbuf *b, const aim_corr_result *c);
/* The report JSON's "correlations" value: null when c is NULL. */
json_t *aim__corr_report_json(const aim_corr_result *c, int *err);

#endif
