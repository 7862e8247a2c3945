/* Which GPUs to measure, shared by every GPU source so they agree: --gpus, else
 * AIMETER_GPUS, else CUDA_VISIBLE_DEVICES (the workload's own view); "all", or
 * comma-separated ids and UUIDs (a unique prefix is enough, "GPU-" may be left out). As CUDA
 * does, the list ends at the first entry that names no single GPU; "-1" selects none. */
#ifndef AIM_GPU_SELECT_H
#define AIM_GPU_SELECT_H

#include <stddef.h>

#include "core/source.h"

/* The list in force, or NULL for all GPUs; *ret_origin names where it came from
 * ("--gpus", "AIMETER_GPUS", "CUDA_VISIBLE_DEVICES") for messages. */
const char *aim_gpu_spec(const aim_source_env *env, const char **ret_origin);

/* Sets sel[i] = 1 for every GPU i (0 <= i < n) the spec names, by its id (ids[i]: the NVML
 * index or DCGM id) or its UUID (uuids + i * uuid_stride, NUL-terminated). Returns how many
 * are selected; bad receives the entry that ended the list early ("" if none). */
int aim_gpu_select(const char *spec, int n, const unsigned int *ids, const char *uuids,
                   size_t uuid_stride, int *sel, char *bad, size_t badlen);

#endif
