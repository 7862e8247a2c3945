/* The part of NVML's C ABI that aimeter uses, written from the documented layouts
 * (docs/decisions.md: no NVIDIA header is needed to build). Names carry aimeter's prefix so
 * they can never clash with a real nvml.h that some other code might include. Every value
 * below is an ABI number: return codes, enum values, field ids, struct offsets and the
 * versioned-struct tag. The static_asserts pin the layouts to the sizes NVML has used
 * since 2017; a wrong size would make the driver write past our structs.
 * Shared with tests/fakes/fake_nvml.c, which implements the same ABI. */
#ifndef AIM_NVML_ABI_H
#define AIM_NVML_ABI_H

#include <assert.h>
#include <stddef.h>

/* nvmlReturn_t is a C enum: a 4-byte int. Unknown codes are treated as "failed". */
typedef int aim_nvml_return;
#define AIM_NVML_SUCCESS 0
#define AIM_NVML_ERROR_UNINITIALIZED 1
#define AIM_NVML_ERROR_INVALID_ARGUMENT 2
#define AIM_NVML_ERROR_NOT_SUPPORTED 3
#define AIM_NVML_ERROR_NO_PERMISSION 4
#define AIM_NVML_ERROR_NOT_FOUND 6
#define AIM_NVML_ERROR_INSUFFICIENT_SIZE 7
#define AIM_NVML_ERROR_DRIVER_NOT_LOADED 9
#define AIM_NVML_ERROR_TIMEOUT 10
#define AIM_NVML_ERROR_FUNCTION_NOT_FOUND 13
#define AIM_NVML_ERROR_GPU_IS_LOST 15
#define AIM_NVML_ERROR_ARGUMENT_VERSION_MISMATCH 25
#define AIM_NVML_ERROR_UNKNOWN 999

/* nvmlDevice_t: an opaque pointer owned by the driver. */
typedef struct aim_nvml_device_st *aim_nvml_device;

/* nvmlTemperatureSensors_t, nvmlClockType_t, nvmlPstates_t */
#define AIM_NVML_TEMPERATURE_GPU 0
#define AIM_NVML_CLOCK_GRAPHICS 0
#define AIM_NVML_CLOCK_SM 1
#define AIM_NVML_CLOCK_MEM 2
#define AIM_NVML_PSTATE_UNKNOWN 32

/* Field ids for nvmlDeviceGetFieldValues. Read each element's own return code. */
#define AIM_NVML_FI_MEMORY_TEMP 82             /* °C */
#define AIM_NVML_FI_NVLINK_THROUGHPUT_DATA_TX 138 /* KiB, cumulative; scope = link or all */
#define AIM_NVML_FI_NVLINK_THROUGHPUT_DATA_RX 139
#define AIM_NVML_FI_POWER_AVERAGE 185          /* mW, 1 s average; scope = power scope */
#define AIM_NVML_FI_POWER_INSTANT 186          /* mW, instantaneous */
#define AIM_NVML_FI_PCIE_COUNT_TX_BYTES 197    /* bytes, cumulative, may wrap */
#define AIM_NVML_FI_PCIE_COUNT_RX_BYTES 198
#define AIM_NVML_SCOPE_ALL_LINKS 0xFFFFFFFFu   /* NVLink fields: sum over every link */
#define AIM_NVML_POWER_SCOPE_GPU 0

/* nvmlValueType_t */
#define AIM_NVML_VALUE_DOUBLE 0
#define AIM_NVML_VALUE_UINT 1
#define AIM_NVML_VALUE_ULONG 2
#define AIM_NVML_VALUE_ULONGLONG 3
#define AIM_NVML_VALUE_SLONGLONG 4
#define AIM_NVML_VALUE_SINT 5
#define AIM_NVML_VALUE_USHORT 6

typedef union aim_nvml_value {
    double d;
    int si;
    unsigned int ui;
    unsigned long ul;
    unsigned long long ull;
    long long sll;
    unsigned short us;
} aim_nvml_value;

/* nvmlFieldValue_t: 40 bytes, align 8. */
typedef struct aim_nvml_field_value {
    unsigned int field_id;   /* input */
    unsigned int scope_id;   /* input: link id or power scope ("unused" before driver 450) */
    long long timestamp_us;  /* wall clock, µs since the epoch */
    long long latency_us;
    int value_type;          /* AIM_NVML_VALUE_* */
    aim_nvml_return nvml_return; /* this field's own status */
    aim_nvml_value value;
} aim_nvml_field_value;
static_assert(sizeof(aim_nvml_field_value) == 40, "nvmlFieldValue_t is 40 bytes");
static_assert(offsetof(aim_nvml_field_value, value_type) == 24, "valueType at 24");
static_assert(offsetof(aim_nvml_field_value, value) == 32, "value at 32");

/* nvmlMemory_t (v1): used includes driver-reserved memory. */
typedef struct aim_nvml_memory {
    unsigned long long total, free, used;
} aim_nvml_memory;
static_assert(sizeof(aim_nvml_memory) == 24, "nvmlMemory_t is 24 bytes");

/* nvmlMemory_v2_t: version must be set to AIM_NVML_MEMORY_V2_VERSION (size | 2 << 24), not
 * to 2 as NVML's comment suggests (drivers reject 2). used excludes reserved memory. */
typedef struct aim_nvml_memory_v2 {
    unsigned int version;
    unsigned long long total, reserved, free, used;
} aim_nvml_memory_v2;
static_assert(sizeof(aim_nvml_memory_v2) == 40, "nvmlMemory_v2_t is 40 bytes");
static_assert(offsetof(aim_nvml_memory_v2, total) == 8, "total at 8");
static_assert(offsetof(aim_nvml_memory_v2, used) == 32, "used at 32");
#define AIM_NVML_MEMORY_V2_VERSION 0x02000028u

/* nvmlUtilization_t: percent over the driver's last sample period. */
typedef struct aim_nvml_utilization {
    unsigned int gpu, memory;
} aim_nvml_utilization;
static_assert(sizeof(aim_nvml_utilization) == 8, "nvmlUtilization_t is 8 bytes");

/* nvmlPciInfo_t: 68 bytes, the same for PciInfo, _v2 and _v3. */
typedef struct aim_nvml_pci_info {
    char bus_id_legacy[16];
    unsigned int domain, bus, device, pci_device_id, pci_subsystem_id;
    char bus_id[32];
} aim_nvml_pci_info;
static_assert(sizeof(aim_nvml_pci_info) == 68, "nvmlPciInfo_t is 68 bytes");
static_assert(offsetof(aim_nvml_pci_info, bus_id) == 36, "busId at 36");

/* nvmlProcessUtilizationSample_t: one process's share of one driver sample period. */
typedef struct aim_nvml_process_sample {
    unsigned int pid;
    unsigned long long timestamp_us; /* CPU time stamp, µs since the epoch */
    unsigned int sm_util, mem_util, enc_util, dec_util; /* % */
} aim_nvml_process_sample;
static_assert(sizeof(aim_nvml_process_sample) == 32, "nvmlProcessUtilizationSample_t is 32 bytes");
static_assert(offsetof(aim_nvml_process_sample, sm_util) == 16, "smUtil at 16");

/* nvmlProcessInfo_t entries are read by offset, since their size depends on the symbol and,
 * for _v3 on drivers 535.43-535.86, on the driver: pid (uint) at 0, usedGpuMemory (ull,
 * bytes; all ones when not available) at 8. Strides: 16 for the plain symbol (v1), 24 for
 * _v2 and _v3, 32 for _v3 on those R535 drivers. */
#define AIM_NVML_PROCINFO_V1_SIZE 16
#define AIM_NVML_PROCINFO_V2_SIZE 24
#define AIM_NVML_PROCINFO_MAX_SIZE 32
#define AIM_NVML_PROCINFO_MEM_OFFSET 8
#define AIM_NVML_VALUE_NOT_AVAILABLE_ULL 0xFFFFFFFFFFFFFFFFull

/* nvmlPcieUtilCounter_t, nvmlDeviceGetMigMode's values */
#define AIM_NVML_PCIE_UTIL_TX_BYTES 0
#define AIM_NVML_PCIE_UTIL_RX_BYTES 1
#define AIM_NVML_MIG_DISABLE 0
#define AIM_NVML_MIG_ENABLE 1
#define AIM_NVML_VERSION_BUFFER 80 /* NVML_SYSTEM_{DRIVER,NVML}_VERSION_BUFFER_SIZE */

#define AIM_NVML_NAME_BUFFER 96 /* NVML_DEVICE_NAME_V2_BUFFER_SIZE, also enough for UUIDs */

/* The functions aimeter calls, filled by aim__dynlib_open from the table in nvml.c. Only
 * init, shutdown, count and handle are required; anything else may be NULL (older
 * drivers). Prototypes as documented: every device call takes the handle first. */
typedef struct aim_nvml_api {
    aim_nvml_return (*init)(void);
    aim_nvml_return (*shutdown)(void);
    const char *(*error_string)(aim_nvml_return r);
    aim_nvml_return (*get_count)(unsigned int *count);
    aim_nvml_return (*get_handle_by_index)(unsigned int index, aim_nvml_device *dev);
    aim_nvml_return (*get_name)(aim_nvml_device dev, char *name, unsigned int len);
    aim_nvml_return (*get_uuid)(aim_nvml_device dev, char *uuid, unsigned int len);
    aim_nvml_return (*get_pci_info)(aim_nvml_device dev, aim_nvml_pci_info *pci);
    aim_nvml_return (*get_power_usage)(aim_nvml_device dev, unsigned int *mw);
    aim_nvml_return (*get_total_energy)(aim_nvml_device dev, unsigned long long *mj);
    aim_nvml_return (*get_enforced_power_limit)(aim_nvml_device dev, unsigned int *mw);
    aim_nvml_return (*get_temperature)(aim_nvml_device dev, int sensor, unsigned int *deg_c);
    aim_nvml_return (*get_utilization)(aim_nvml_device dev, aim_nvml_utilization *u);
    aim_nvml_return (*get_clock_info)(aim_nvml_device dev, int clock, unsigned int *mhz);
    aim_nvml_return (*get_memory_info)(aim_nvml_device dev, aim_nvml_memory *m);
    aim_nvml_return (*get_memory_info_v2)(aim_nvml_device dev, aim_nvml_memory_v2 *m);
    aim_nvml_return (*get_pcie_gen)(aim_nvml_device dev, unsigned int *gen);
    aim_nvml_return (*get_pcie_width)(aim_nvml_device dev, unsigned int *lanes);
    aim_nvml_return (*get_field_values)(aim_nvml_device dev, int count, aim_nvml_field_value *v);
    aim_nvml_return (*get_pstate)(aim_nvml_device dev, int *pstate);
    aim_nvml_return (*get_clock_reasons)(aim_nvml_device dev, unsigned long long *mask);
    aim_nvml_return (*get_fan_speed)(aim_nvml_device dev, unsigned int *pct);
    aim_nvml_return (*get_process_utilization)(aim_nvml_device dev, aim_nvml_process_sample *buf,
                                               unsigned int *count,
                                               unsigned long long last_seen_us);
    /* Each writes *count entries of its own stride (see above) into infos. */
    aim_nvml_return (*get_compute_procs_v3)(aim_nvml_device dev, unsigned int *count, void *infos);
    aim_nvml_return (*get_compute_procs_v2)(aim_nvml_device dev, unsigned int *count, void *infos);
    aim_nvml_return (*get_compute_procs_v1)(aim_nvml_device dev, unsigned int *count, void *infos);
    /* Blocks while the driver samples a byte counter (~20 ms); KB/s. */
    aim_nvml_return (*get_pcie_throughput)(aim_nvml_device dev, int counter, unsigned int *kbps);
    aim_nvml_return (*get_mig_mode)(aim_nvml_device dev, unsigned int *current,
                                    unsigned int *pending);
    aim_nvml_return (*get_handle_by_uuid)(const char *uuid, aim_nvml_device *dev);
    aim_nvml_return (*get_mig_parent)(aim_nvml_device mig, aim_nvml_device *parent);
    aim_nvml_return (*get_driver_version)(char *buf, unsigned int len);
    aim_nvml_return (*get_nvml_version)(char *buf, unsigned int len);
} aim_nvml_api;

#endif
