/* The individual renderers behind aim_report_render_summary (report/summary_render.c). Each
 * takes a run summary and its correlation result (NULL: none stored) and returns a string
 * the caller frees; -ENOMEM. */
#ifndef AIM_REPORT_RENDERERS_H
#define AIM_REPORT_RENDERERS_H

#include "processing/corr_result.h"
#include "processing/summary.h"

int aim_report_render_text(const aim_run_summary *run, const aim_corr_result *corr,
                           char **ret_text);
int aim_report_render_json(const aim_run_summary *run, const aim_corr_result *corr,
                           char **ret_text);
int aim_report_render_markdown(const aim_run_summary *run, const aim_corr_result *corr,
                               char **ret_text);

#endif
