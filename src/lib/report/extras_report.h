/* The report JSON's "idle", "embodied" and "attribution" values, from run->extras (issue 4;
 * the figures: processing/extras_figures.h; the text rows: processing/report_extras.h). */
#ifndef AIM_EXTRAS_REPORT_H
#define AIM_EXTRAS_REPORT_H

#include <jansson.h>

#include "processing/summary.h"

/* The report JSON's "idle" and "embodied" values: null when not asked for. */
json_t *aim__idle_report_json(const aim_run_summary *run, int *err);
json_t *aim__embodied_report_json(const aim_run_summary *run, int *err);
/* The report JSON's "attribution": null when no device has a figure. */
json_t *aim__attribution_report_json(const aim_run_summary *run, int *err);

#endif
