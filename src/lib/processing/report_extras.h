/* The report model's Overall rows (report_model.h) for run->extras (issue 4): idle energy =
 * each device's baseline mean power × this run's duration; net = total − idle (seed 002's
 * W_total − W_idle), with carbon split in the same proportion per device (extras_figures.h);
 * the devices' manufacturing carbon amortised over the run's time, shown apart from the
 * operational carbon and never added to it; the energy attributed to the command. */
#ifndef AIM_REPORT_EXTRAS_H
#define AIM_REPORT_EXTRAS_H

#include <stddef.h>

#include "processing/report_model.h"
#include "processing/run_extras.h"
#include "processing/summary.h"

/* Rows the model's Overall block gets after the carbon and cost rows; the model must have
 * room for 2 × n_devices + 4 more. */
void aim__extras_overall_rows(aim_report_model *m, const aim_run_summary *run);

/* Why a net figure is negative, in words — never shown without it. Returns out. */
const char *aim__idle_negative_why(char *out, size_t len, const aim_run_extras *x);

#endif
