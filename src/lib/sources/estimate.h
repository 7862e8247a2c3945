/* The estimate source: modelled CPU and DRAM power where no sensor measures them. The model
 * and every constant with its source are in docs/methodology.md. */
#ifndef AIM_SOURCE_ESTIMATE_H
#define AIM_SOURCE_ESTIMATE_H

#include <stddef.h>

#include "sources/source.h"

extern const aim_source_ops aim_source_estimate;

/* One line naming the model that estimates a device of this kind (AIM_DEV_CPU or
 * AIM_DEV_DRAM), for the energy detail of a report, with the count it multiplies by, e.g.
 *   "2 packages x TDP 150 W (CodeCarbon table: Intel Xeon Gold 6248) x (0.2484 + 0.7516 x
 *    utilisation)".
 * cpu_model_name is the /proc/cpuinfo model name the CPU device records (may be NULL or ""
 * when unknown; ignored for DRAM); n_packages and n_cpus are the counts the CPU model
 * multiplies by (aim__estimate_cpu_counts; 0 when unknown: the line then says "per package"
 * or "per logical CPU"). Writes a NUL-terminated line into buf. Returns 0, -EINVAL for
 * another kind or a NULL/empty buffer, -ENOBUFS when the line was cut to fit. Thread-safe. */
int aim__estimate_model_text(char *buf, size_t size, int device_kind, const char *cpu_model_name,
                            int n_packages, int n_cpus);

/* The CPU packages and logical CPUs the estimate counts, from procfs_root's cpuinfo (stat
 * when cpuinfo lists no processor). */
void aim__estimate_cpu_counts(const char *procfs_root, int *ret_packages, int *ret_cpus);

#endif
