/* Which part of the machine a run's series describes: the report groups its tables by it
 * and the correlation result names host-level series by it. Decided here once, from the
 * device kind and, for host-level series, the metric's own component. */
#ifndef AIM_SECTIONS_H
#define AIM_SECTIONS_H

#include "model/metrics.h"
#include "processing/summary.h"

typedef enum aim_section {
    AIM_SEC_CPU, AIM_SEC_DRAM, AIM_SEC_GPU, AIM_SEC_PLATFORM, AIM_SEC_OTHER, AIM_SEC_SYSTEM,
    AIM_SEC_PROCESS, AIM_SEC__COUNT, AIM_SEC_NONE = -1
} aim_section;

/* "CPU", "DRAM", "GPU", "Platform", "Other", "System", "Process"; NULL for AIM_SEC_NONE. */
const char *aim__section_name(aim_section sec);

/* The registry row of a series: by its stored key (the authority, should the registry be
 * reordered by a later aimeter), else by id; NULL when this aimeter does not know it. */
const aim_metric_info *aim__series_metric(const aim_series_summary *s);

/* The section of series s of run (info: its registry row, or NULL); AIM_SEC_NONE when its
 * device index is out of range. */
aim_section aim__series_section(const aim_run_summary *run, const aim_series_summary *s,
                               const aim_metric_info *info);

#endif
