/* `aimeter ls --format csv` (report/runs_csv.c), through the renderer table
 * (AIM_OUTPUT_RUNS). */
#ifndef AIM_REPORT_RUNS_CSV_H
#define AIM_REPORT_RUNS_CSV_H

#include <stddef.h>

#include "processing/summary.h"

/* The runs as given (newest first), one row each, columns in a fixed order: id, name,
 * start_time, duration_s, status, exit_code, energy_j, carbon_g, host, command, then one
 * tag:KEY column per tag key any of them has, by key (byte order). Caller frees *ret_text.
 * -EINVAL, -ENOMEM. */
int aim__runs_render_csv(const aim_run_summary *runs, size_t n, char **ret_text);

#endif
