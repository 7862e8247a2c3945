/* Internals of the RAPL source exposed for unit tests and fuzzing: the wrap-around rule
 * (rapl.c) and the perf PMU discovery and its parsers (rapl_perf.c). */
#ifndef AIM_SOURCES_RAPL_H
#define AIM_SOURCES_RAPL_H

#include <stdint.h>

/* Energy between two readings of a powercap counter, in the counter's unit (µJ).
 * The counter runs over [0, max_range] and then restarts at 0, so a reading lower than the
 * previous one means one wrap: (max_range - prev) + cur. More than one wrap between two
 * readings cannot be seen (the engine polls far more often than the ~minutes a wrap takes).
 * With max_range 0 (unknown, or a counter that never wraps such as perf) a decrease is
 * taken as a restart: 0 is returned and the new reading becomes the baseline. */
uint64_t aim__rapl_delta(uint64_t prev, uint64_t cur, uint64_t max_range);

/* The perf `power` PMU as described by sysfs (bus/event_source/devices/power). */
enum { AIM_RAPL_PERF_MAX_EVENTS = 5, AIM_RAPL_MAX_CPUS = 64 };

typedef enum aim_rapl_domain {
    AIM_RAPL_PKG = 0,   /* package (or die): cpuN energy */
    AIM_RAPL_CORE,      /* PP0: cpuN energy.core */
    AIM_RAPL_UNCORE,    /* PP1 (client graphics): cpuN energy.uncore */
    AIM_RAPL_DRAM,      /* dramN energy */
    AIM_RAPL_PSYS,      /* platform: psysN energy */
} aim_rapl_domain;

typedef struct aim_rapl_perf_event {
    const char *name;        /* "energy-pkg" (static) */
    aim_rapl_domain domain;
    uint64_t config;         /* perf_event_attr.config */
    double scale;            /* joules per count */
} aim_rapl_perf_event;

typedef struct aim_rapl_perf_info {
    uint32_t type;           /* perf_event_attr.type of the PMU */
    int n_events;            /* in the order pkg, cores, gpu, ram, psys (those present) */
    aim_rapl_perf_event events[AIM_RAPL_PERF_MAX_EVENTS];
    int n_cpus;              /* one CPU per package (or die), ascending */
    int cpus[AIM_RAPL_MAX_CPUS];
} aim_rapl_perf_info;

/* Reads type, events (with their .scale) and cpumask under sysfs_root. Events whose code or
 * scale cannot be parsed are left out. Returns 0, -ENOENT when there is no power PMU,
 * -EINVAL when type or cpumask is malformed, -ENODEV when no usable event or CPU is listed. */
int aim__rapl_perf_discover(const char *sysfs_root, aim_rapl_perf_info *ret_info);

/* "event=0x02" -> 2. Only the event= term is accepted (the power PMU has no other).
 * Returns 0 or -EINVAL. */
int aim__rapl_parse_event(const char *text, uint64_t *ret_config);

/* A positive, finite decimal such as "2.3283064365386962890625e-10", read in the C locale.
 * Returns 0 or -EINVAL. */
int aim__rapl_parse_scale(const char *text, double *ret_scale);

/* A CPU list such as "0,28" or "0-1,4" into cpus[] (ascending as written). Returns 0 with
 * *ret_n set, -EINVAL when malformed, -E2BIG when more than max CPUs are listed. */
int aim__rapl_parse_cpulist(const char *text, int *cpus, int max, int *ret_n);

/* "perf" or "powercap": the back-end an opened state uses. */
const char *aim__rapl_backend(const void *state);

#endif
