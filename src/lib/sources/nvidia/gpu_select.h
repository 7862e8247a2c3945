/* Which GPUs to measure, shared by every GPU source so they agree: --gpus, else
 * AIMETER_GPUS, else CUDA_VISIBLE_DEVICES (the workload's own view); "all", or
 * comma-separated ids and UUIDs (a unique prefix is enough, "GPU-" may be left out). As CUDA
 * does, the list ends at the first entry that names no single GPU; "-1" selects none. */
#ifndef AIM_GPU_SELECT_H
#define AIM_GPU_SELECT_H

#include <stddef.h>

#include "sources/source.h"

/* The list in force, or NULL for all GPUs: given (the source's "gpus" option, as
 * aim__source_env_option gives it; NULL: none), else the environment's. *ret_origin names
 * where it came from ("--gpus", "AIMETER_GPUS", "CUDA_VISIBLE_DEVICES") for messages. */
const char *aim__gpu_spec(const char *given, const char **ret_origin);

/* The options every NVIDIA source takes (source.h): "gpus". AIM_NV_GPUS_OPTION is the row,
 * for a source that takes more; aim_nv_gpu_options the table of one that takes only it. */
int aim__gpu_list_check(const char *list);
#define AIM_NV_GPUS_OPTION                                                                   \
    { "gpus", "which GPUs: comma-separated indices or UUIDs (\"0,2\"); default all, or "     \
              "CUDA_VISIBLE_DEVICES", aim__gpu_list_check }
extern const aim_source_option aim_nv_gpu_options[];

/* Sets sel[i] = 1 for every GPU i (0 <= i < n) the spec names, by its id (ids[i]: the NVML
 * index or DCGM id) or its UUID (uuids + i * uuid_stride, NUL-terminated). Returns how many
 * are selected; bad receives the entry that ended the list early ("" if none). */
int aim__gpu_select(const char *spec, int n, const unsigned int *ids, const char *uuids,
                   size_t uuid_stride, int *sel, char *bad, size_t badlen);

/* 1 when this machine surely has no NVIDIA driver, so that NVML and DCGM (which work only
 * through it) need not be looked for: sysfs lists the loaded kernel modules and nvidia is
 * not among them, and neither /dev/nvidiactl nor WSL's /dev/dxg exists. A dlopen of a
 * library that ld.so.cache lacks tries some fifty paths, ~0.25 ms of every start on the
 * many machines without an NVIDIA GPU (docs/performance.md). 0 at any sign of a driver,
 * without a module list to judge by, or when override_env names a library to load. */
int aim__nvidia_driver_absent(const char *sysfs_root, const char *override_env);

#endif
