/* The individual renderers behind aim_report_render_summary (report/summary_render.c). Each
 * renders a report model (processing/report_model.h: the run, its correlation result and the
 * rows computed from them) into a string the caller frees; -ENOMEM. */
#ifndef AIM_REPORT_RENDERERS_H
#define AIM_REPORT_RENDERERS_H

#include "processing/report_model.h"

int aim_report_render_text(const aim_report_model *m, char **ret_text);
int aim_report_render_json(const aim_report_model *m, char **ret_text);
int aim_report_render_markdown(const aim_report_model *m, char **ret_text);

#endif
