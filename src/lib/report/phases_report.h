/* The report's "Phases", "Efficiency" and "Records" sections (issue 5) of a loaded run
 * (run->workload): per phase its time, share of the run, energy per component, mean and
 * peak power and carbon; energy per unit of each counter the workload recorded (J per
 * token, kWh and g CO2e per 1000), overall and per phase; the gauges' statistics. */
#ifndef AIM_PHASES_REPORT_H
#define AIM_PHASES_REPORT_H

#include <jansson.h>

#include "processing/phase_hints.h"
#include "processing/summary.h"
#include "util/strbuf.h"

void aim__phases_report_text(aim_strbuf *b, const aim_run_summary *run);
void aim__phases_report_markdown(aim_strbuf *b, const aim_run_summary *run);
/* The report JSON's "phases" value: null when the run has no workload data. */
json_t *aim__phases_report_json(const aim_run_summary *run, int *err);

/* A bottleneck hint in the report's words ("memory-bound?"), NULL for AIM_HINT_NONE: the
 * report's sections and aimeter plot --kind phases say the same. */
const char *aim__phase_hint_word(aim_phase_hint_kind kind);

#endif
