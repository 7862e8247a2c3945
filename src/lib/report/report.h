/* Report rendering from a run summary. Pure functions of their input: no store, no I/O. */
#ifndef AIM_REPORT_H
#define AIM_REPORT_H

#include <stddef.h>

#include "processing/corr_result.h"
#include "processing/summary.h"

/* A run's report. corr: the result of its stored matrix (processing/corr_result.h), NULL when
 * none was stored. format: "text", "json" or "markdown". Caller frees *ret_text. -EINVAL,
 * -ENOMEM. */
int aim_report_render_summary(const aim_run_summary *run, const aim_corr_result *corr,
                              const char *format, char **ret_text);
/* 1 when format is one aim_report_render_summary knows. */
int aim_report_known_format(const char *format);

/* The `aimeter ls` listing, newest first as given: "text" or "json". */
int aim_runs_render(const aim_run_summary *runs, size_t n, const char *format, char **ret_text);

#endif
