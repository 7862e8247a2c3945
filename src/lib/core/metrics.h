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
    AIM_M__COUNT
} aim_metric_id;

const aim_metric_info *aim_metric_by_id(aim_metric_id id);

/* Which component a host-level metric belongs to in the report (CPU, DRAM or System). */
const char *aim_metric_component(aim_metric_id id);

/* Metrics that are per instance (one per core) are kept out of the text report by default. */
int aim_metric_is_detail(aim_metric_id id);

/* The id of a registry row returned by aim_metric_find()/aim_metric_get(), or -1. */
int aim_metric_id_of(const aim_metric_info *info);

#endif
