/* Correlation results for reports and `aimeter corr` (corr_result.c, corr_render.c): the
 * public aim_corr_result built from a run summary and a matrix, and the pieces the report's
 * renderers share with `aimeter corr` so both show the same pairs the same way. */
#ifndef AIM_CORR_REPORT_H
#define AIM_CORR_REPORT_H

#include <jansson.h>

#include "aimeter.h"
#include "processing/corr.h"
#include "processing/summary.h"
#include "util/strbuf.h"

/* Pairs per sign in the report (the paper's Table 4 shows five). */
#define AIM_CORR_REPORT_TOP 5
/* Weaker pairs stay out of the text and Markdown report (they are in its JSON and in
 * `aimeter corr`): on a quiet host the "top" negative pairs are otherwise noise. */
#define AIM_CORR_REPORT_MIN_ABS 0.3
/* Pairs per sign in the report's JSON. */
#define AIM_CORR_REPORT_JSON_TOP 20

/* A result over run's series and matrix m. own: the result frees m. recomputed: how m was
 * obtained. -ENOMEM (m is then freed if owned). */
int aim_corr_result_build(const aim_run_summary *run, aim_corr_matrix *m, int own,
                          int recomputed, aim_corr_result **ret);

/* Why a derived pair (AIM_CORR_DERIVED) is one: which model computes which series, in a
 * phrase ("estimated CPU power is a line in CPU use"). */
const char *aim_corr_derived_why(const aim_corr_result *c, size_t a, size_t b);

/* The report's "Correlations" section of a loaded run (nothing when run->corr is NULL). */
void aim_corr_report_text(aim_strbuf *b, const aim_run_summary *run);
void aim_corr_report_markdown(aim_strbuf *b, const aim_run_summary *run);
/* The report JSON's "correlations" value: null when run->corr is NULL. */
json_t *aim_corr_report_json(const aim_run_summary *run, int *err);

#endif
