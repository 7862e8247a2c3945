/* The metric registry: the one table of every metric aimeter knows. Reports, CSV headers,
 * the JSON schema and (later) Prometheus names all come from here. */
#ifndef AIM_METRICS_H
#define AIM_METRICS_H

#include "aimeter.h"

/* Stable ids for the metrics used in code. The order matches the table in metrics.c;
 * tests check that each id's key is the one documented in docs/metrics.md. */
typedef enum aim_metric_id {
    /* Energy: every device that has power or energy uses these two. */
    AIM_M_POWER = 0,        /* W, gauge: device power (measured, derived from a counter, or estimated) */
    AIM_M_ENERGY,           /* J, counter: device energy since the run started */
    /* RAPL sub-domains, kept apart so package energy is not double counted. */
    AIM_M_RAPL_CORE_ENERGY, /* J, counter: PP0 (cores) */
    AIM_M_RAPL_UNCORE_ENERGY, /* J, counter: PP1 (uncore / client graphics) */
    AIM_M_TEMPERATURE,      /* °C, gauge */
    AIM_M_VOLTAGE,          /* V, gauge */
    AIM_M_CURRENT,          /* A, gauge */
    /* Compute / system (host). */
    AIM_M_CPU_UTIL,         /* %, gauge: all CPUs */
    AIM_M_CPU_CORE_UTIL,    /* %, gauge: one logical CPU (instance = cpu number) */
    AIM_M_MEM_USED,         /* GiB, gauge: MemTotal - MemAvailable */
    AIM_M_MEM_TOTAL,        /* GiB, gauge */
    AIM_M_MEM_UTIL,         /* %, gauge */
    /* The monitored process tree. */
    AIM_M_PROC_CPU_TIME,    /* s, counter: user+system CPU time of the tree since start */
    AIM_M_PROC_CPU_UTIL,    /* %, gauge: of one core (200 % = two cores busy) */
    AIM_M_PROC_RSS,         /* GiB, gauge: resident memory of the tree */
    AIM_M_PROC_COUNT,       /* processes, gauge: live processes in the tree */
    /* GPUs (the paper's Table 3). NVML unless marked DCGM. */
    AIM_M_GPU_POWER_AVG,    /* W, gauge: nvmlDeviceGetPowerUsage, a 1 s average on Ampere+ */
    AIM_M_GPU_POWER_LIMIT,  /* W, gauge */
    AIM_M_GPU_MEM_TEMP,     /* °C, gauge (the core temperature is AIM_M_TEMPERATURE) */
    AIM_M_GPU_FAN,          /* %, gauge */
    AIM_M_GPU_UTIL,         /* %, gauge: time a kernel ran over the driver's sample period */
    AIM_M_GPU_CLOCK_GRAPHICS, /* MHz */
    AIM_M_GPU_CLOCK_SM,     /* MHz */
    AIM_M_GPU_PSTATE,       /* 0 (fastest) .. 15 */
    AIM_M_GPU_THROTTLE,     /* clock-event reason bits (nvmlClocksEventReasons), detail */
    AIM_M_GPU_MEM_UTIL,     /* %, gauge: time the memory interface was busy */
    AIM_M_GPU_CLOCK_MEM,    /* MHz */
    AIM_M_GPU_MEM_USED,     /* GiB */
    AIM_M_GPU_MEM_TOTAL,    /* GiB */
    AIM_M_GPU_MEM_USAGE,    /* % of total */
    AIM_M_GPU_PCIE_GEN,
    AIM_M_GPU_PCIE_WIDTH,   /* lanes */
    AIM_M_GPU_PCIE_TX,      /* GB/s, GPU to host */
    AIM_M_GPU_PCIE_RX,      /* GB/s, host to GPU */
    AIM_M_GPU_NVLINK_TX,    /* GB/s, all links */
    AIM_M_GPU_NVLINK_RX,    /* GB/s, all links */
    AIM_M_GPU_GR_ACTIVE,    /* %, DCGM profiling */
    AIM_M_GPU_SM_ACTIVE,    /* %, DCGM */
    AIM_M_GPU_SM_OCCUPANCY, /* %, DCGM */
    AIM_M_GPU_TENSOR_ACTIVE, /* %, DCGM */
    AIM_M_GPU_DRAM_ACTIVE,  /* %, DCGM */
    AIM_M_GPU_FP64_ACTIVE,  /* %, DCGM */
    AIM_M_GPU_FP32_ACTIVE,  /* %, DCGM */
    AIM_M_GPU_FP16_ACTIVE,  /* %, DCGM */
    AIM_M_GPU_PROC_SM_UTIL, /* %, the monitored process tree's share of SM time (NVML samples) */
    AIM_M_GPU_PROC_MEM,     /* GiB, GPU memory used by the monitored process tree */
    AIM_M_GPU_JOB_SM_UTIL,  /* %, one agent job slot's processes' share of SM time (instance =
                             * slot, model/job_slots.h; AIM_JOB_SLOT_NOBODY: no job's) */
    AIM_M__COUNT
} aim_metric_id;

const aim_metric_info *aim__metric_by_id(aim_metric_id id);

/* Which component a host-level metric belongs to in the report (CPU, DRAM or System). */
const char *aim__metric_component(aim_metric_id id);

/* Metrics that are per instance (one per core) are kept out of the text report by default. */
int aim__metric_is_detail(aim_metric_id id);

/* The id of a registry row returned by aim_metric_find()/aim_metric_get(), or -1. */
int aim__metric_id_of(const aim_metric_info *info);

#endif
