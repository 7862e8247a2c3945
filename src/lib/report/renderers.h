/* The individual renderers behind aim_report_render_summary (api/render.c). Each takes a
 * run summary and returns a string the caller frees; -ENOMEM. */
#ifndef AIM_REPORT_RENDERERS_H
#define AIM_REPORT_RENDERERS_H

#include "processing/summary.h"

int aim_report_render_text(const aim_run_summary *run, char **ret_text);
int aim_report_render_json(const aim_run_summary *run, char **ret_text);
int aim_report_render_markdown(const aim_run_summary *run, char **ret_text);

#endif
