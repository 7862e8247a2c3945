/* Loading NVML and choosing GPUs, for the NVML sources (nvml_lib.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/fileio.h"
#include "sources/nvidia/gpu_select.h"
#include "sources/nvidia/nvml_lib.h"

static const char *const nvml_sonames[] = { "libnvidia-ml.so.1", "libnvidia-ml.so", NULL };

#define SYM(field, req, ...) { { __VA_ARGS__, NULL }, offsetof(aim_nvml_api, field), req }
static const aim_dynsym nvml_syms[] = {
    SYM(init, 1, "nvmlInit_v2", "nvmlInit"),
    SYM(shutdown, 1, "nvmlShutdown"),
    SYM(error_string, 0, "nvmlErrorString"),
    SYM(get_count, 1, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"),
    SYM(get_handle_by_index, 1, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"),
    SYM(get_name, 0, "nvmlDeviceGetName"),
    SYM(get_uuid, 0, "nvmlDeviceGetUUID"),
    SYM(get_pci_info, 0, "nvmlDeviceGetPciInfo_v3", "nvmlDeviceGetPciInfo_v2",
        "nvmlDeviceGetPciInfo"),
    SYM(get_power_usage, 0, "nvmlDeviceGetPowerUsage"),
    SYM(get_total_energy, 0, "nvmlDeviceGetTotalEnergyConsumption"),
    SYM(get_enforced_power_limit, 0, "nvmlDeviceGetEnforcedPowerLimit"),
    SYM(get_temperature, 0, "nvmlDeviceGetTemperature"),
    SYM(get_utilization, 0, "nvmlDeviceGetUtilizationRates"),
    SYM(get_clock_info, 0, "nvmlDeviceGetClockInfo"),
    SYM(get_memory_info, 0, "nvmlDeviceGetMemoryInfo"),
    SYM(get_memory_info_v2, 0, "nvmlDeviceGetMemoryInfo_v2"),
    SYM(get_pcie_gen, 0, "nvmlDeviceGetCurrPcieLinkGeneration"),
    SYM(get_pcie_width, 0, "nvmlDeviceGetCurrPcieLinkWidth"),
    SYM(get_field_values, 0, "nvmlDeviceGetFieldValues"),
    SYM(get_pstate, 0, "nvmlDeviceGetPerformanceState"),
    SYM(get_clock_reasons, 0, "nvmlDeviceGetCurrentClocksEventReasons",
        "nvmlDeviceGetCurrentClocksThrottleReasons"),
    SYM(get_fan_speed, 0, "nvmlDeviceGetFanSpeed"),
    SYM(get_process_utilization, 0, "nvmlDeviceGetProcessUtilization"),
    SYM(get_compute_procs_v3, 0, "nvmlDeviceGetComputeRunningProcesses_v3"),
    SYM(get_compute_procs_v2, 0, "nvmlDeviceGetComputeRunningProcesses_v2"),
    SYM(get_compute_procs_v1, 0, "nvmlDeviceGetComputeRunningProcesses"),
    SYM(get_pcie_throughput, 0, "nvmlDeviceGetPcieThroughput"),
    SYM(get_mig_mode, 0, "nvmlDeviceGetMigMode"),
    SYM(get_handle_by_uuid, 0, "nvmlDeviceGetHandleByUUID"),
    SYM(get_mig_parent, 0, "nvmlDeviceGetDeviceHandleFromMigDeviceHandle"),
    SYM(get_driver_version, 0, "nvmlSystemGetDriverVersion"),
    SYM(get_nvml_version, 0, "nvmlSystemGetNVMLVersion"),
};
#undef SYM

const char *aim__nvml_lib_strerror(const aim_nvml_lib *l, aim_nvml_return r) {
    const char *s = l->api.error_string ? l->api.error_string(r) : NULL;
    return s ? s : "unknown NVML error";
}

int aim__nvml_lib_start(aim_nvml_lib *l, const char *sysfs_root, char *why, size_t whylen) {
    if (aim__nvidia_driver_absent(sysfs_root, "AIMETER_NVML_LIBRARY")) {
        memset(l, 0, sizeof *l);
        snprintf(why, whylen, "the NVIDIA driver is not loaded (no nvidia kernel module, no "
                 "/dev/nvidiactl)");
        return -EOPNOTSUPP;
    }
    int r = aim__dynlib_open(&l->lib, nvml_sonames, "AIMETER_NVML_LIBRARY", nvml_syms,
                            sizeof nvml_syms / sizeof nvml_syms[0], &l->api, why, whylen);
    if (r < 0)
        return r == -EOPNOTSUPP ? r : -ENODEV;
    aim_nvml_return nr = l->api.init();
    if (nr != AIM_NVML_SUCCESS) {
        snprintf(why, whylen, "nvmlInit failed (%s)", aim__nvml_lib_strerror(l, nr));
        aim__dynlib_close(&l->lib);
        return -ENODEV;
    }
    l->inited = 1;
    return 0;
}

int aim__nvml_lib_start_probe(aim_nvml_lib *l, const char *sysfs_root, aim_probe_report *rep) {
    char why[320];
    int r = aim__nvml_lib_start(l, sysfs_root, why, sizeof why);
    if (r < 0)
        aim__probe_add(rep, "libnvidia-ml.so.1", "absent", "%s", why);
    return r;
}

void aim__nvml_lib_stop(aim_nvml_lib *l) {
    if (l->inited)
        l->api.shutdown();
    l->inited = 0;
    aim__dynlib_close(&l->lib);
}

/* The GPU (index into handles) a MIG selection entry lives on, or -1. Two spellings: the
 * instance's own UUID "MIG-<uuid>" (CUDA 11.1+ with R470+ drivers), resolved through NVML;
 * and the older "MIG-GPU-<gpu uuid>/<gi>/<ci>", which names the parent outright. */
static int mig_parent(const aim_nvml_lib *l, const char *entry, size_t len,
                      const aim_nvml_device *handles, char (*uuids)[AIM_NVML_NAME_BUFFER], int n) {
    char text[AIM_NVML_NAME_BUFFER];
    if (len >= sizeof text)
        return -1;
    memcpy(text, entry, len);
    text[len] = '\0';
    if (strncasecmp(text, "MIG-GPU-", 8) == 0) {
        size_t ulen = strcspn(text + 4, "/");
        for (int i = 0; i < n; i++)
            if (strlen(uuids[i]) == ulen && strncasecmp(uuids[i], text + 4, ulen) == 0)
                return i;
        return -1;
    }
    aim_nvml_device mig, parent;
    if (!l->api.get_handle_by_uuid || !l->api.get_mig_parent ||
        l->api.get_handle_by_uuid(text, &mig) != AIM_NVML_SUCCESS ||
        l->api.get_mig_parent(mig, &parent) != AIM_NVML_SUCCESS)
        return -1;
    for (int i = 0; i < n; i++)
        if (handles[i] == parent)
            return i;
    return -1;
}

int aim__nvml_lib_select(aim_nvml_lib *l, const char *gpus, aim_source_ctx *ctx, const char *who,
                        aim_nvml_gpu_ref *refs) {
    unsigned int count = 0;
    aim_nvml_return nr = l->api.get_count(&count);
    if (nr != AIM_NVML_SUCCESS) {
        if (ctx)
            aim__source_ctx_warn(ctx, "%s: no NVIDIA GPU measured: nvmlDeviceGetCount failed (%s)",
                                who, aim__nvml_lib_strerror(l, nr));
        return -ENODEV;
    }
    int n = count > AIM_NVML_MAX_GPUS ? AIM_NVML_MAX_GPUS : (int)count;
    if (count > AIM_NVML_MAX_GPUS && ctx)
        aim__source_ctx_warn(ctx, "%s: the driver reports %u GPUs; only the first %d are "
                            "measured", who, count, AIM_NVML_MAX_GPUS);
    aim_nvml_device handles[AIM_NVML_MAX_GPUS];
    char uuids[AIM_NVML_MAX_GPUS][AIM_NVML_NAME_BUFFER];
    for (int i = 0; i < n; i++) {
        uuids[i][0] = '\0';
        handles[i] = NULL;
        /* NO_PERMISSION here is a GPU hidden by cgroups: skip it, not the source. */
        if (l->api.get_handle_by_index((unsigned)i, &handles[i]) != AIM_NVML_SUCCESS)
            handles[i] = NULL;
        else if (!l->api.get_uuid ||
                 l->api.get_uuid(handles[i], uuids[i], sizeof uuids[i]) != AIM_NVML_SUCCESS)
            uuids[i][0] = '\0';
    }
    const char *origin;
    const char *spec = aim__gpu_spec(gpus, &origin);
    int sel[AIM_NVML_MAX_GPUS] = { 0 };
    char via_mig[AIM_NVML_MAX_GPUS][AIM_NVML_NAME_BUFFER];
    memset(via_mig, 0, sizeof via_mig);
    if (spec) {
        /* MIG entries become their parent's UUID, so the shared selection rules apply. */
        char rewritten[1024];
        size_t o = 0;
        rewritten[0] = '\0';
        for (const char *p = spec; *p && o < sizeof rewritten;) {
            size_t len = strcspn(p, ",");
            int parent = strncasecmp(p, "MIG-", 4) == 0
                             ? mig_parent(l, p, len, handles, uuids, n) : -1;
            int w;
            if (parent >= 0 && uuids[parent][0]) {
                snprintf(via_mig[parent], sizeof via_mig[parent], "%.*s", (int)len, p);
                w = snprintf(rewritten + o, sizeof rewritten - o, "%s%s", o ? "," : "",
                             uuids[parent]);
            } else {
                w = snprintf(rewritten + o, sizeof rewritten - o, "%s%.*s", o ? "," : "",
                             (int)len, p);
            }
            o += w > 0 ? (size_t)w : 0;
            p += len + (p[len] == ',');
        }
        char bad[72];
        unsigned int ids[AIM_NVML_MAX_GPUS];
        for (int i = 0; i < n; i++)
            ids[i] = (unsigned int)i; /* NVML indices */
        aim__gpu_select(rewritten, n, ids, uuids[0], sizeof uuids[0], sel, bad, sizeof bad);
        if (bad[0] && ctx)
            aim__source_ctx_warn(ctx, "%s: %s entry \"%s\" names no single one of the %d "
                                "GPUs; it and the entries after it are ignored", who, origin,
                                bad, n);
    } else {
        for (int i = 0; i < n; i++)
            sel[i] = 1;
    }
    int k = 0;
    for (int i = 0; i < n; i++)
        if (sel[i] && handles[i]) {
            refs[k].h = handles[i];
            refs[k].index = (unsigned)i;
            memcpy(refs[k].mig_uuid, via_mig[i], sizeof refs[k].mig_uuid);
            k++;
        }
    if (k == 0 && ctx)
        aim__source_ctx_warn(ctx, "%s: no NVIDIA GPU measured: %s", who,
                            n == 0 ? "the driver reports no GPU"
                            : spec ? "the GPU selection names none"
                                   : "no GPU handle could be opened");
    return k > 0 ? k : -ENODEV;
}

int aim__nvml_pci_device(const char *sysfs_root, char *ret_addr, size_t size) {
    char path[PATH_MAX], text[32];
    if (aim__path_join(path, sizeof path, sysfs_root, "bus/pci/devices") < 0)
        return 0;
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int found = 0;
    for (struct dirent *e; !found && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char rel[PATH_MAX];
        snprintf(rel, sizeof rel, "bus/pci/devices/%.64s/vendor", e->d_name);
        if (aim__path_join(path, sizeof path, sysfs_root, rel) < 0 ||
            aim__read_text(path, text, sizeof text) < 0 || strncmp(text, "0x10de", 6) != 0)
            continue;
        snprintf(rel, sizeof rel, "bus/pci/devices/%.64s/class", e->d_name);
        if (aim__path_join(path, sizeof path, sysfs_root, rel) < 0 ||
            aim__read_text(path, text, sizeof text) < 0 || strncmp(text, "0x03", 4) != 0)
            continue;
        snprintf(ret_addr, size, "%.64s", e->d_name);
        found = 1;
    }
    closedir(d);
    return found;
}
