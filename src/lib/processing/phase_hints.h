/* Bottleneck hints per phase (docs/methodology.md, "Bottleneck hints per phase"): which
 * limit a device's phase means point to, returned with the evidence as a struct. The words
 * are the report's (report/phases_report.c); the rules and thresholds live here only. */
#ifndef AIM_PHASE_HINTS_H
#define AIM_PHASE_HINTS_H

#include "model/device.h"
#include "processing/workload_summary.h"

/* Rules of thumb, in % of time active (DCGM's own guidance) and GB/s. */
#define AIM_HINT_CPU_BOUND_PCT 80.0     /* host CPU use */
#define AIM_HINT_DRAM_BOUND_PCT 50.0    /* DRAM active, memory-bound from here */
#define AIM_HINT_TENSOR_LOW_PCT 20.0    /* tensor active below: not compute while DRAM busy */
#define AIM_HINT_TENSOR_BOUND_PCT 50.0  /* tensor active, compute-bound from here */
#define AIM_HINT_SM_BOUND_PCT 80.0      /* SM active, compute-bound from here */
#define AIM_HINT_IDLE_PCT 30.0          /* SM active (else utilisation) below: waiting */
#define AIM_HINT_PCIE_GBS 1.0           /* PCIe TX + RX: traffic worth naming */
#define AIM_HINT_NVLINK_GBS 10.0        /* NVLink TX + RX */
#define AIM_HINT_BUSY_UTIL_PCT 90.0     /* utilisation, busy without DCGM's finer metrics */

typedef enum aim_phase_hint_kind {
    AIM_HINT_NONE = 0,          /* the metrics say nothing clear */
    AIM_HINT_CPU_BOUND,         /* host: CPU use high */
    AIM_HINT_MEMORY_BOUND,      /* GPU: DRAM busy while the tensor cores are not */
    AIM_HINT_COMPUTE_BOUND,     /* GPU: tensor or SM busy */
    AIM_HINT_COMMUNICATION_BOUND, /* GPU: little work while PCIe or NVLink moves data */
    AIM_HINT_GPU_IDLE,          /* GPU: little work and no such traffic */
    AIM_HINT_GPU_BUSY,          /* GPU: utilisation high, no profiling metrics to tell more */
} aim_phase_hint_kind;

/* The hint and its evidence: the phase means it was read from, NaN when not recorded. */
typedef struct aim_phase_hint {
    aim_phase_hint_kind kind;
    double cpu_util;      /* host: cpu.util */
    double gpu_util;      /* gpu.util */
    double sm_active, tensor_active, dram_active;
    double pcie_gbs, nvlink_gbs; /* TX + RX; NaN when neither direction was recorded */
    double busy;          /* SM active, else utilisation: what "idle" is judged by */
    int busy_is_sm;       /* busy is SM active (1) or utilisation (0) */
} aim_phase_hint;

/* The time-weighted mean of one metric of one device over the phase; NaN when not kept. */
double aim__phase_metric_mean(const aim_phase_summary *p, int device, const char *key);

/* The hint for device `device` (of kind `kind`) in phase p; kind AIM_HINT_NONE when there is
 * none (only host and GPU devices get hints). */
aim_phase_hint aim__phase_hint_of(const aim_phase_summary *p, int device, aim_device_kind kind);

#endif
