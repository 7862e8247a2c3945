/* Report rendering from a report model and run summaries. Pure functions of their input: no
 * store, no I/O. */
#ifndef AIM_REPORT_H
#define AIM_REPORT_H

#include <stddef.h>

#include "processing/report_model.h"
#include "processing/summary.h"

/* A run's report from its model (processing/report_model.h, aim_report_model_build).
 * format: "text", "json" or "markdown". Caller frees *ret_text. -EINVAL, -ENOMEM. */
int aim_report_render_summary(const aim_report_model *m, const char *format, char **ret_text);
/* 1 when format is one aim_report_render_summary knows. */
int aim_report_known_format(const char *format);

/* The `aimeter ls` listing, newest first as given: "text" or "json". */
int aim_runs_render(const aim_run_summary *runs, size_t n, const char *format, char **ret_text);

#endif
