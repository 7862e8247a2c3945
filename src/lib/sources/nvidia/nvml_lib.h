/* What the NVML sources share: loading libnvidia-ml.so.1 through the dlopen helper, the
 * symbol table, and choosing the GPUs to measure (--gpus, AIMETER_GPUS,
 * CUDA_VISIBLE_DEVICES, MIG instances mapped to their parent GPU). The metrics source
 * (nvml.c) and the slow PCIe-throughput source (nvml_pcie.c) each hold their own instance:
 * NVML's init is reference counted, so both may be open at once. */
#ifndef AIM_NVML_LIB_H
#define AIM_NVML_LIB_H

#include <stddef.h>

#include "util/dynlib.h"
#include "sources/source.h"
#include "sources/nvidia/nvml_abi.h"

#define AIM_NVML_MAX_GPUS 16

typedef struct aim_nvml_lib {
    aim_dynlib lib;
    aim_nvml_api api;
    int inited;
} aim_nvml_lib;

/* One selected GPU: its handle, NVML index (the N of "gpuN"), and the MIG instance that
 * selected it when the selection named one ("" otherwise). */
typedef struct aim_nvml_gpu_ref {
    aim_nvml_device h;
    unsigned int index;
    char mig_uuid[AIM_NVML_NAME_BUFFER];
} aim_nvml_gpu_ref;

/* Loads the library and initialises NVML. Returns 0; -EOPNOTSUPP when no library loads, or
 * when sysfs_root's module list shows no NVIDIA driver (then none is looked for); -ENODEV
 * when it is unusable (a required symbol missing, nvmlInit failing); why receives the
 * reason on failure. */
int aim__nvml_lib_start(aim_nvml_lib *l, const char *sysfs_root, char *why, size_t whylen);
void aim__nvml_lib_stop(aim_nvml_lib *l);
/* aim__nvml_lib_start for `aimeter devices`: on failure, one "absent" line saying why. */
int aim__nvml_lib_start_probe(aim_nvml_lib *l, const char *sysfs_root, aim_probe_report *rep);

/* NVML's text for a return code, never NULL. */
const char *aim__nvml_lib_strerror(const aim_nvml_lib *l, aim_nvml_return r);

/* Fills refs (room for AIM_NVML_MAX_GPUS) with the GPUs to measure and returns how many,
 * or -ENODEV when none. gpus is --gpus (NULL: AIMETER_GPUS, else CUDA_VISIBLE_DEVICES,
 * else all). A selection entry naming a MIG instance ("MIG-<uuid>", or the older
 * "MIG-GPU-<uuid>/<gi>/<ci>") selects the GPU the instance lives on. ctx (may be NULL)
 * receives one warning for a bad entry or an empty result; who prefixes it ("nvml"). */
int aim__nvml_lib_select(aim_nvml_lib *l, const char *gpus, aim_source_ctx *ctx, const char *who,
                        aim_nvml_gpu_ref *refs);

/* The PCI address of an NVIDIA display controller (vendor 0x10de, class 0x03xxxx) under
 * sysfs_root, written to ret_addr; 0 when there is none. Without NVML this tells "no NVIDIA
 * GPU here" (nothing to say: most machines) from "a GPU nobody can read" (worth a line). */
int aim__nvml_pci_device(const char *sysfs_root, char *ret_addr, size_t size);

#endif
