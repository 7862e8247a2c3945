/* The metric registry. One row per metric; the order must match aim_metric_id. */
#include "model/metrics.h"

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
        "CPU time of the monitored process tree over the interval (at least 100 ms), as % of "
        "one logical CPU; never above 100 % x online CPUs."),
    [AIM_M_PROC_RSS] = ROW("proc.rss", "Resident Memory", "GiB", AIM_CAT_SYSTEM, AIM_KIND_GAUGE,
        1.0 / 1024.0, "Process", 0, "Sum of resident set sizes of the monitored process tree."),
    [AIM_M_PROC_COUNT] = ROW("proc.count", "Processes", "", AIM_CAT_SYSTEM, AIM_KIND_GAUGE, 1.0,
        "Process", 0, "Live processes in the monitored process tree."),
    [AIM_M_GPU_POWER_AVG] = ROW("gpu.power_avg", "Power (1 s average)", "W", AIM_CAT_ENERGY,
        AIM_KIND_GAUGE, 0.001, NULL, 0,
        "nvmlDeviceGetPowerUsage: on Ampere and newer a one-second moving average, not an "
        "instantaneous reading; instantaneous power, where the driver has it, is `power`. "
        "Not declared on GA100 (A100, A800, A30), whose reading is instantaneous."),
    [AIM_M_GPU_POWER_LIMIT] = ROW("gpu.power_limit", "Power Limit", "W", AIM_CAT_ENERGY,
        AIM_KIND_GAUGE, 0.001, NULL, 0, "Enforced power limit."),
    [AIM_M_GPU_MEM_TEMP] = ROW("gpu.mem_temp", "Mem. Temp.", "°C", AIM_CAT_MEMORY, AIM_KIND_GAUGE,
        1.0, NULL, 0, "Temperature of the GPU memory (HBM)."),
    [AIM_M_GPU_FAN] = ROW("gpu.fan", "Fan Speed", "%", AIM_CAT_ENERGY, AIM_KIND_GAUGE, 1.0, NULL, 0,
        "Fan speed as a share of its maximum."),
    [AIM_M_GPU_UTIL] = ROW("gpu.util", "GPU Utilization", "%", AIM_CAT_COMPUTE, AIM_KIND_GAUGE, 1.0,
        NULL, 0, "Share of the driver's sample period during which one or more kernels ran."),
    [AIM_M_GPU_CLOCK_GRAPHICS] = ROW("gpu.clock_graphics", "Graphics Clock", "MHz",
        AIM_CAT_COMPUTE, AIM_KIND_GAUGE, 1.0, NULL, 0, "Current graphics (shader) clock."),
    [AIM_M_GPU_CLOCK_SM] = ROW("gpu.clock_sm", "SM Clock", "MHz", AIM_CAT_COMPUTE, AIM_KIND_GAUGE,
        1.0, NULL, 0, "Current streaming-multiprocessor clock."),
    [AIM_M_GPU_PSTATE] = ROW("gpu.pstate", "Performance State", "", AIM_CAT_COMPUTE,
        AIM_KIND_GAUGE, 1.0, NULL, 0, "P-state: 0 is the fastest, 15 the slowest."),
    [AIM_M_GPU_THROTTLE] = ROW("gpu.throttle", "Clock Event Reasons", "", AIM_CAT_COMPUTE,
        AIM_KIND_GAUGE, 1.0, NULL, 1,
        "Bit mask of why clocks are held down (nvmlClocksEventReasons: power cap, thermal, ...)."),
    [AIM_M_GPU_MEM_UTIL] = ROW("gpu.mem_util", "Mem. Utilization", "%", AIM_CAT_MEMORY,
        AIM_KIND_GAUGE, 1.0, NULL, 0,
        "Share of the driver's sample period during which device memory was read or written."),
    [AIM_M_GPU_CLOCK_MEM] = ROW("gpu.clock_mem", "Mem. Clock", "MHz", AIM_CAT_MEMORY,
        AIM_KIND_GAUGE, 1.0, NULL, 0, "Current memory clock."),
    [AIM_M_GPU_MEM_USED] = ROW("gpu.mem_used", "Mem. Used", "GiB", AIM_CAT_MEMORY, AIM_KIND_GAUGE,
        1.0 / 1024.0, NULL, 0, "Device memory allocated."),
    [AIM_M_GPU_MEM_TOTAL] = ROW("gpu.mem_total", "Mem. Total", "GiB", AIM_CAT_MEMORY,
        AIM_KIND_GAUGE, 1.0 / 1024.0, NULL, 0, "Device memory installed."),
    [AIM_M_GPU_MEM_USAGE] = ROW("gpu.mem_usage", "Mem. Usage Total", "%", AIM_CAT_MEMORY,
        AIM_KIND_GAUGE, 0.01, NULL, 0, "Device memory allocated, as a share of the total."),
    [AIM_M_GPU_PCIE_GEN] = ROW("gpu.pcie_gen", "PCIe Link Gen", "", AIM_CAT_COMMUNICATION,
        AIM_KIND_GAUGE, 1.0, NULL, 0, "Current PCIe link generation."),
    [AIM_M_GPU_PCIE_WIDTH] = ROW("gpu.pcie_width", "PCIe Width", "lanes", AIM_CAT_COMMUNICATION,
        AIM_KIND_GAUGE, 1.0, NULL, 0, "Current PCIe link width."),
    [AIM_M_GPU_PCIE_TX] = ROW("gpu.pcie_tx", "PCIe TX", "GB/s", AIM_CAT_COMMUNICATION,
        AIM_KIND_GAUGE, 0.0001, NULL, 0, "PCIe traffic from the GPU to the host over the interval."),
    [AIM_M_GPU_PCIE_RX] = ROW("gpu.pcie_rx", "PCIe RX", "GB/s", AIM_CAT_COMMUNICATION,
        AIM_KIND_GAUGE, 0.0001, NULL, 0, "PCIe traffic from the host to the GPU over the interval."),
    [AIM_M_GPU_NVLINK_TX] = ROW("gpu.nvlink_tx", "NVLink TX", "GB/s", AIM_CAT_COMMUNICATION,
        AIM_KIND_GAUGE, 0.0001, NULL, 0, "NVLink traffic sent, all links, over the interval."),
    [AIM_M_GPU_NVLINK_RX] = ROW("gpu.nvlink_rx", "NVLink RX", "GB/s", AIM_CAT_COMMUNICATION,
        AIM_KIND_GAUGE, 0.0001, NULL, 0, "NVLink traffic received, all links, over the interval."),
    [AIM_M_GPU_GR_ACTIVE] = ROW("gpu.gr_active", "GR Engine Active", "%", AIM_CAT_COMPUTE,
        AIM_KIND_GAUGE, 0.1, NULL, 0, "DCGM: share of time the graphics/compute engine was busy."),
    [AIM_M_GPU_SM_ACTIVE] = ROW("gpu.sm_active", "SM Active", "%", AIM_CAT_COMPUTE, AIM_KIND_GAUGE,
        0.1, NULL, 0, "DCGM: share of time, averaged over all SMs, an SM had a warp resident."),
    [AIM_M_GPU_SM_OCCUPANCY] = ROW("gpu.sm_occupancy", "SM Occupancy", "%", AIM_CAT_COMPUTE,
        AIM_KIND_GAUGE, 0.1, NULL, 0, "DCGM: resident warps as a share of the SMs' maximum."),
    [AIM_M_GPU_TENSOR_ACTIVE] = ROW("gpu.tensor_active", "Tensor Active", "%", AIM_CAT_COMPUTE,
        AIM_KIND_GAUGE, 0.1, NULL, 0, "DCGM: share of cycles the tensor cores were busy."),
    [AIM_M_GPU_DRAM_ACTIVE] = ROW("gpu.dram_active", "DRAM Active (Cycles)", "%", AIM_CAT_MEMORY,
        AIM_KIND_GAUGE, 0.1, NULL, 0,
        "DCGM: share of cycles the memory interface was sending or receiving data."),
    [AIM_M_GPU_FP64_ACTIVE] = ROW("gpu.fp64_active", "FP64 Active", "%", AIM_CAT_COMPUTE,
        AIM_KIND_GAUGE, 0.1, NULL, 0, "DCGM: share of cycles the FP64 pipes were busy."),
    [AIM_M_GPU_FP32_ACTIVE] = ROW("gpu.fp32_active", "FP32 Active", "%", AIM_CAT_COMPUTE,
        AIM_KIND_GAUGE, 0.1, NULL, 0, "DCGM: share of cycles the FP32 pipes were busy."),
    [AIM_M_GPU_FP16_ACTIVE] = ROW("gpu.fp16_active", "FP16 Active", "%", AIM_CAT_COMPUTE,
        AIM_KIND_GAUGE, 0.1, NULL, 0, "DCGM: share of cycles the FP16 pipes were busy."),
    [AIM_M_GPU_PROC_SM_UTIL] = ROW("gpu.proc_sm_util", "Process SM Utilization", "%",
        AIM_CAT_COMPUTE, AIM_KIND_GAUGE, 1.0, "Process", 0,
        "SM utilisation of the monitored process tree on this GPU (NVML process samples)."),
    [AIM_M_GPU_PROC_MEM] = ROW("gpu.proc_mem", "Process GPU Memory", "GiB", AIM_CAT_MEMORY,
        AIM_KIND_GAUGE, 1.0 / 1024.0, "Process", 0,
        "GPU memory used by the monitored process tree on this GPU."),
    [AIM_M_GPU_JOB_SM_UTIL] = ROW("gpu.job_sm_util", "Job SM Utilization", "%",
        AIM_CAT_COMPUTE, AIM_KIND_GAUGE, 1.0, NULL, 1,
        "An agent's: SM utilisation on this GPU of the processes of the batch job in one job "
        "slot (instance = slot, 0-15; 16: processes in no job), from NVML process samples "
        "matched to the jobs' cgroups."),
};

size_t aim_metric_count(void) { return AIM_M__COUNT; }

const aim_metric_info *aim_metric_get(size_t index) {
    return index < AIM_M__COUNT ? &registry[index].info : NULL;
}

const aim_metric_info *aim__metric_by_id(aim_metric_id id) {
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

int aim__metric_id_of(const aim_metric_info *info) {
    if (!info)
        return -1;
    return (int)(((const metric_row *)(const void *)info) - registry);
}

const char *aim__metric_component(aim_metric_id id) {
    return (unsigned)id < AIM_M__COUNT ? registry[id].component : NULL;
}

int aim__metric_is_detail(aim_metric_id id) {
    return (unsigned)id < AIM_M__COUNT && registry[id].detail;
}

const char *aim_category_name(aim_category c) {
    static const char *const names[] = { "Energy", "Compute", "Memory", "Communication",
                                         "System", "App" };
    return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}
