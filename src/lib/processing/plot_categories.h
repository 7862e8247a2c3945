/* --layout categories of a time-series chart (the paper's Figure 6): which of a run's series
 * go in which stacked panel, Energy, Compute, Memory, Communication. The registry's
 * category (model/metrics.h) decides, but for the host's "System" metrics: CPU use goes to
 * Compute, memory in use to Memory (a process count or CPU time to none). No I/O. */
#ifndef AIM_PLOT_CATEGORIES_H
#define AIM_PLOT_CATEGORIES_H

#include <stddef.h>

#include "processing/plot_model.h"
#include "processing/summary.h"

#define AIM_PLOT_PANELS 4

/* "Energy", "Compute", "Memory", "Communication". */
const char *aim__plot_panel_name(int panel);

/* The panel (0-3) a metric key is drawn in, or -1 (none). */
int aim__plot_panel_of(const char *metric_key);

/* The series of each panel: of only[0..n_only) (indices into run->series: -m) when only is
 * not NULL, else of every series but counters, per-instance and constant ones; in run order,
 * AIM_PLOT_MAX_SERIES at most and two units at most per panel (the rest are counted in
 * *ret_left_out). ret[p][0..n[p]) are indices into run->series. */
void aim__plot_categories_pick(const aim_run_summary *run, const int *only, size_t n_only,
                               int ret[AIM_PLOT_PANELS][AIM_PLOT_MAX_SERIES],
                               int n[AIM_PLOT_PANELS], size_t *ret_left_out);

#endif
