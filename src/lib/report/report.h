/* Report rendering from a report model and run summaries. Pure functions of their input: no
 * store, no I/O. */
#ifndef AIM_REPORT_H
#define AIM_REPORT_H

#include <stddef.h>

#include "processing/report_model.h"
#include "processing/summary.h"

/* A run's report from its model (processing/report_model.h, aim__report_model_build) is
 * rendered through the renderer table (report/renderers.h, AIM_OUTPUT_REPORT). */

/* The `aimeter ls` listing, newest first as given, as text or JSON (also through the
 * renderer table, AIM_OUTPUT_RUNS). Caller frees *ret_text. -EINVAL, -ENOMEM. */
int aim__runs_render_text(const aim_run_summary *runs, size_t n, char **ret_text);
int aim__runs_render_json(const aim_run_summary *runs, size_t n, char **ret_text);

#endif
