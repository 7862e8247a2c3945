/* Which GPU metrics a run samples: `--metrics basic|full|LIST` (docs/cli.md).
 *   default  every GPU metric the hardware offers at the run's interval: DCGM's profiling
 *            metrics are left out when the interval is below DCGM's ~100 ms floor;
 *   basic    the nvidia-smi class: everything NVML gives, no DCGM profiling;
 *   full     basic plus DCGM's profiling metrics, at DCGM's floor when the run is faster;
 *   LIST     comma-separated metric keys and preset names (union); GPU power and energy
 *            are always sampled, since every report's energy figures need them.
 * Host metrics (CPU, memory, RAPL, hwmon, the process tree) are not selected here: they
 * cost microseconds and feed energy estimates and attribution, so they are always on. */
#ifndef AIM_METRIC_SELECT_H
#define AIM_METRIC_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "model/metrics.h"

typedef enum aim_metric_mode {
    AIM_METRICS_DEFAULT = 0, /* no --metrics: all at the chosen interval */
    AIM_METRICS_EXPLICIT,    /* a preset or list was given */
} aim_metric_mode;

typedef struct aim_metric_select {
    aim_metric_mode mode;
    uint8_t want[AIM_M__COUNT]; /* only meaningful in EXPLICIT mode */
} aim_metric_select;

/* Parses a --metrics value. "" or NULL selects the default. On error returns -EINVAL and
 * writes one line naming the bad entry into err (when given). ret is untouched on error. */
int aim__metric_select_parse(const char *spec, aim_metric_select *ret, char *err, size_t errlen);

/* Whether a GPU source samples metric id. sel NULL means the default. Host metrics are
 * always selected. */
int aim__metric_selected(const aim_metric_select *sel, aim_metric_id id);

/* Whether id is one of DCGM's profiling metrics (left out of basic and, below DCGM's floor,
 * of the default). */
int aim__metric_is_profiling(aim_metric_id id);

/* Whether a source with only profiling metrics should run at an interval below its floor:
 * only when the user asked for them explicitly (full, or by name). */
int aim__metric_profiling_forced(const aim_metric_select *sel);

#endif
