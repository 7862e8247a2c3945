/* The report's idle-baseline and embodied-carbon lines (issue 4), from run->extras:
 * idle energy = each device's baseline mean power × this run's duration; net = total − idle
 * (seed 002's W_total − W_idle), with carbon split in the same proportion per device; and
 * the devices' manufacturing carbon amortised over the run's time, shown apart from the
 * operational carbon and never added to it. */
#ifndef AIM_EXTRAS_REPORT_H
#define AIM_EXTRAS_REPORT_H

#include <jansson.h>

#include "processing/summary.h"
#include "report/model.h"

/* Rows the model's Overall block gets after the carbon and cost rows; the model must have
 * room for 2 × n_devices + 4 more. */
void aim_extras_overall_rows(aim_report_model *m, const aim_run_summary *run);
/* The report JSON's "idle" and "embodied" values: null when not asked for. */
json_t *aim_idle_report_json(const aim_run_summary *run, int *err);
json_t *aim_embodied_report_json(const aim_run_summary *run, int *err);
/* The report JSON's "attribution": null when no device has a figure. */
json_t *aim_attribution_report_json(const aim_run_summary *run, int *err);

#endif
