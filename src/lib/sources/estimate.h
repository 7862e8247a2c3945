/* The estimate source: modelled CPU and DRAM power where no sensor measures them. The model
 * and every constant with its source are in docs/methodology.md. */
#ifndef AIM_SOURCE_ESTIMATE_H
#define AIM_SOURCE_ESTIMATE_H

#include <stddef.h>

#include "core/source.h"

extern const aim_source_ops aim_source_estimate;

/* One line naming the model that estimates a device of this kind (AIM_DEV_CPU or
 * AIM_DEV_DRAM), for the energy detail of a report, e.g.
 *   "TDP 150 W per package (CodeCarbon table: Intel Xeon Gold 6248) x (0.2484 + 0.7516 x
 *    utilisation)".
 * cpu_model_name is the /proc/cpuinfo model name the CPU device records (may be NULL or ""
 * when unknown; ignored for DRAM). Writes a NUL-terminated line into buf. Returns 0,
 * -EINVAL for another kind or a NULL/empty buffer, -ENOBUFS when the line was cut to fit.
 * Thread-safe. */
int aim_estimate_model_text(char *buf, size_t size, int device_kind,
                            const char *cpu_model_name);

#endif
