/* The metric registry. One row per metric; the order must match aim_metric_id. */
#include "metrics.h"

#include <string.h>
#include <strings.h>

typedef struct metric_row {
    aim_metric_info info;
    const char *component; /* report section for host-level metrics */
    int detail;            /* per-instance metric: CSV/JSON only, not the text report */
} metric_row;

#define ROW(key, label, unit, cat, kind, res, comp, detail, desc) \
    { { key, label, unit, desc, cat, kind, res }, comp, detail }

static const metric_row registry[AIM_M__COUNT] = {
    [AIM_M_POWER] = ROW("power", "Power", "W", AIM_CAT_ENERGY, AIM_KIND_GAUGE, 0.01, NULL, 0,
        "Device power draw. Measured by a sensor, derived from an energy counter over the "
        "sample interval, or estimated from a model; the series' method says which."),
    [AIM_M_ENERGY] = ROW("energy", "Energy", "J", AIM_CAT_ENERGY, AIM_KIND_COUNTER, 1e-6, NULL, 0,
        "Device energy since the run started (RAPL package/DRAM/psys, hwmon energy counters), "
        "wrap-corrected."),
    [AIM_M_RAPL_CORE_ENERGY] = ROW("energy.core", "Core Energy", "J", AIM_CAT_ENERGY,
        AIM_KIND_COUNTER, 1e-6, NULL, 0,
        "RAPL PP0 domain (all cores) of a package; part of the package energy, never added to it."),
    [AIM_M_RAPL_UNCORE_ENERGY] = ROW("energy.uncore", "Uncore Energy", "J", AIM_CAT_ENERGY,
        AIM_KIND_COUNTER, 1e-6, NULL, 0,
        "RAPL PP1 domain (uncore or integrated graphics) of a package; part of the package energy."),
    [AIM_M_TEMPERATURE] = ROW("temperature", "Temperature", "°C", AIM_CAT_ENERGY, AIM_KIND_GAUGE,
        1.0, NULL, 0, "Sensor temperature."),
    [AIM_M_VOLTAGE] = ROW("voltage", "Voltage", "V", AIM_CAT_ENERGY, AIM_KIND_GAUGE, 0.001, NULL, 0,
        "Rail voltage (hwmon in*_input)."),
    [AIM_M_CURRENT] = ROW("current", "Current", "A", AIM_CAT_ENERGY, AIM_KIND_GAUGE, 0.001, NULL, 0,
        "Rail current (hwmon curr*_input)."),
    [AIM_M_CPU_UTIL] = ROW("cpu.util", "Usage", "%", AIM_CAT_SYSTEM, AIM_KIND_GAUGE, 0.1, "CPU", 0,
        "Share of all logical CPUs busy (not idle or iowait) over the sample interval, from "
        "/proc/stat."),
    [AIM_M_CPU_CORE_UTIL] = ROW("cpu.core_util", "Core Usage", "%", AIM_CAT_SYSTEM,
        AIM_KIND_GAUGE, 0.1, "CPU", 1,
        "Busy share of one logical CPU (instance = CPU number) over the sample interval."),
    [AIM_M_MEM_USED] = ROW("mem.used", "Used", "GiB", AIM_CAT_SYSTEM, AIM_KIND_GAUGE,
        1.0 / 1024.0, "DRAM", 0, "MemTotal - MemAvailable from /proc/meminfo."),
    [AIM_M_MEM_TOTAL] = ROW("mem.total", "Total", "GiB", AIM_CAT_SYSTEM, AIM_KIND_GAUGE,
        1.0 / 1024.0, "DRAM", 0, "MemTotal from /proc/meminfo."),
    [AIM_M_MEM_UTIL] = ROW("mem.util", "Usage", "%", AIM_CAT_SYSTEM, AIM_KIND_GAUGE, 0.1, "DRAM", 0,
        "Used memory as a share of MemTotal."),
    [AIM_M_PROC_CPU_TIME] = ROW("proc.cpu_time", "CPU Time", "s", AIM_CAT_SYSTEM,
        AIM_KIND_COUNTER, 0.001, "Process", 0,
        "User + system CPU time of the monitored process tree since the run started (live "
        "processes plus children they have reaped)."),
    [AIM_M_PROC_CPU_UTIL] = ROW("proc.cpu_util", "CPU Usage", "%", AIM_CAT_SYSTEM, AIM_KIND_GAUGE,
        0.1, "Process", 0,
        "CPU time of the monitored process tree over the interval, as % of one logical CPU."),
    [AIM_M_PROC_RSS] = ROW("proc.rss", "Resident Memory", "GiB", AIM_CAT_SYSTEM, AIM_KIND_GAUGE,
        1.0 / 1024.0, "Process", 0, "Sum of resident set sizes of the monitored process tree."),
    [AIM_M_PROC_COUNT] = ROW("proc.count", "Processes", "", AIM_CAT_SYSTEM, AIM_KIND_GAUGE, 1.0,
        "Process", 0, "Live processes in the monitored process tree."),
};

size_t aim_metric_count(void) { return AIM_M__COUNT; }

const aim_metric_info *aim_metric_get(size_t index) {
    return index < AIM_M__COUNT ? &registry[index].info : NULL;
}

const aim_metric_info *aim_metric_by_id(aim_metric_id id) {
    return (unsigned)id < AIM_M__COUNT ? &registry[id].info : NULL;
}

const aim_metric_info *aim_metric_find(const char *key) {
    if (!key)
        return NULL;
    for (size_t i = 0; i < AIM_M__COUNT; i++)
        if (strcmp(registry[i].info.key, key) == 0)
            return &registry[i].info;
    return NULL;
}

int aim_metric_id_of(const aim_metric_info *info) {
    if (!info)
        return -1;
    return (int)(((const metric_row *)(const void *)info) - registry);
}

const char *aim_metric_component(aim_metric_id id) {
    return (unsigned)id < AIM_M__COUNT ? registry[id].component : NULL;
}

int aim_metric_is_detail(aim_metric_id id) {
    return (unsigned)id < AIM_M__COUNT && registry[id].detail;
}

const char *aim_category_name(aim_category c) {
    static const char *const names[] = { "Energy", "Compute", "Memory", "Communication",
                                         "System", "App" };
    return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}
