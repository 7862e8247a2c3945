/* `aimeter devices` for NVML (nvml_internal.h): the library and driver versions, each GPU's
 * static information, and per metric whether it can be read, with NVML's reason. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/nvidia/nvml_internal.h"

/* ------------------------------------------------------------------ probe */

/* What each series is read with, for `aimeter devices`. */
static const char *const series_call[S__COUNT] = {
    [S_POWER] = "field 186 (instantaneous power)",
    [S_POWER_AVG] = "nvmlDeviceGetPowerUsage",
    [S_ENERGY] = "nvmlDeviceGetTotalEnergyConsumption",
    [S_TEMP] = "nvmlDeviceGetTemperature",
    [S_MEM_TEMP] = "field 82 (memory temperature)",
    [S_UTIL] = "nvmlDeviceGetUtilizationRates",
    [S_MEM_UTIL] = "nvmlDeviceGetUtilizationRates",
    [S_CLK_GR] = "nvmlDeviceGetClockInfo",
    [S_CLK_SM] = "nvmlDeviceGetClockInfo",
    [S_CLK_MEM] = "nvmlDeviceGetClockInfo",
    [S_MEM_USED] = "nvmlDeviceGetMemoryInfo",
    [S_MEM_TOTAL] = "nvmlDeviceGetMemoryInfo",
    [S_MEM_USAGE] = "nvmlDeviceGetMemoryInfo",
    [S_PCIE_GEN] = "nvmlDeviceGetCurrPcieLinkGeneration",
    [S_PCIE_WIDTH] = "nvmlDeviceGetCurrPcieLinkWidth",
    [S_PCIE_TX] = "field 197 (PCIe TX byte counter)",
    [S_PCIE_RX] = "field 198 (PCIe RX byte counter)",
    [S_NVL_TX] = "field 138 (NVLink TX, all links)",
    [S_NVL_RX] = "field 139 (NVLink RX, all links)",
    [S_PLIMIT] = "nvmlDeviceGetEnforcedPowerLimit",
    [S_PSTATE] = "nvmlDeviceGetPerformanceState",
    [S_THROTTLE] = "nvmlDeviceGetCurrentClocksEventReasons",
    [S_FAN] = "nvmlDeviceGetFanSpeed",
};

/* The word `aimeter devices` shows for a call's result. */
static const char *status_word(aim_nvml_return r) {
    switch (r) {
    case AIM_NVML_SUCCESS: return "available";
    case AIM_NVML_ERROR_NOT_SUPPORTED: return "not supported";
    case AIM_NVML_ERROR_NO_PERMISSION: return "no permission";
    case AIM_NVML_ERROR_FUNCTION_NOT_FOUND: return "absent";
    default: return "failed";
    }
}

/* Why a series is missing, beyond NVML's own words. */
static const char *series_hint(const nv_state *st, enum nv_series s, const nv_reading *rd,
                               int mig) {
    if ((s == S_UTIL || s == S_MEM_UTIL) && mig)
        return "; not available in MIG mode";
    if (s == S_PCIE_TX || s == S_PCIE_RX)
        return st->nl.api.get_pcie_throughput
                   ? "; needs driver >= 555: the nvml_pcie source samples the throughput calls "
                     "instead, once a second"
                   : "; needs driver >= 555";
    if (s == S_POWER && !rd->ok[S_ENERGY])
        return "; needs driver >= 535: power is the 1 s average, energy integrated from it";
    if (s == S_POWER)
        return "; needs driver >= 535: energy still comes from the counter";
    return "";
}

static void probe_series(const nv_state *st, const nv_gpu *g, const nv_reading *rd, int mig,
                         aim_probe_report *rep) {
    for (int s = 0; s < S__COUNT; s++) {
        char what[96];
        snprintf(what, sizeof what, "gpu%u %s", g->index,
                 aim__metric_by_id(aim_nv_series_metric[s])->key);
        if (s == S_POWER && !rd->ok[s] && g->avg_as_power) {
            aim__probe_add(rep, what, "available", "nvmlDeviceGetPowerUsage (a 1 s average on "
                          "Ampere and newer: field 186 is missing)");
            continue;
        }
        if (rd->ok[s]) {
            aim__probe_add(rep, what, "available", "%s", series_call[s]);
            continue;
        }
        if (!rd->tried[s]) {
            aim__probe_add(rep, what, "absent", "%s: not in this driver's NVML%s",
                          series_call[s], series_hint(st, (enum nv_series)s, rd, mig));
            continue;
        }
        aim__probe_add(rep, what, status_word(rd->err[s]), "%s: %s%s", series_call[s],
                      rd->err[s] == AIM_NVML_SUCCESS ? "no value"
                                                     : aim__nvml_lib_strerror(&st->nl, rd->err[s]),
                      series_hint(st, (enum nv_series)s, rd, mig));
    }
}

/* The per-process calls, as declare_proc_series would find them. */
static void probe_proc_calls(const nv_state *st, const nv_gpu *g, int mig,
                             aim_probe_report *rep) {
    char what[96];
    unsigned int count = 0;
    snprintf(what, sizeof what, "gpu%u gpu.proc_sm_util", g->index);
    if (!st->nl.api.get_process_utilization) {
        aim__probe_add(rep, what, "absent", "nvmlDeviceGetProcessUtilization: not in this "
                      "driver's NVML");
    } else {
        aim_nvml_return r = st->nl.api.get_process_utilization(g->h, NULL, &count, 0);
        int ok = r == AIM_NVML_SUCCESS || r == AIM_NVML_ERROR_INSUFFICIENT_SIZE ||
                 r == AIM_NVML_ERROR_NOT_FOUND;
        aim__probe_add(rep, what, ok ? "available" : status_word(r),
                      "nvmlDeviceGetProcessUtilization%s%s%s (for the monitored command's "
                      "processes)", ok ? "" : ": ", ok ? "" : aim__nvml_lib_strerror(&st->nl, r),
                      !ok && mig ? "; not available in MIG mode" : "");
    }
    snprintf(what, sizeof what, "gpu%u gpu.proc_mem", g->index);
    aim_nvml_return last = AIM_NVML_ERROR_FUNCTION_NOT_FOUND;
    for (int ver = 3; ver >= 1; ver--) {
        aim_nv_procs_call fn = aim__nv_procs_fn(st, ver);
        if (!fn)
            continue;
        count = 0;
        last = fn(g->h, &count, NULL);
        if (last == AIM_NVML_SUCCESS || last == AIM_NVML_ERROR_INSUFFICIENT_SIZE) {
            aim__probe_add(rep, what, "available", "nvmlDeviceGetComputeRunningProcesses%s",
                          ver == 3 ? "_v3" : ver == 2 ? "_v2" : "");
            return;
        }
    }
    aim__probe_add(rep, what, status_word(last), "nvmlDeviceGetComputeRunningProcesses: %s",
                  last == AIM_NVML_ERROR_FUNCTION_NOT_FOUND ? "not in this driver's NVML"
                                                            : aim__nvml_lib_strerror(&st->nl, last));
}

/* Static information of one GPU: name, UUID, PCI bus id, MIG mode. */
static void probe_static(const nv_state *st, const nv_gpu *g, int mig, char *what, size_t size,
                         aim_probe_report *rep) {
    const aim_nvml_api *a = &st->nl.api;
    char model[AIM_NVML_NAME_BUFFER] = "", uuid[AIM_NVML_NAME_BUFFER] = "";
    aim_nvml_pci_info pci;
    memset(&pci, 0, sizeof pci);
    if (a->get_name && a->get_name(g->h, model, sizeof model) != AIM_NVML_SUCCESS)
        model[0] = '\0';
    if (a->get_uuid && a->get_uuid(g->h, uuid, sizeof uuid) != AIM_NVML_SUCCESS)
        uuid[0] = '\0';
    if (!a->get_pci_info || a->get_pci_info(g->h, &pci) != AIM_NVML_SUCCESS)
        pci.bus_id[0] = '\0';
    pci.bus_id[sizeof pci.bus_id - 1] = '\0';
    unsigned int cur = 0, pending = 0;
    aim_nvml_return mr = a->get_mig_mode ? a->get_mig_mode(g->h, &cur, &pending)
                                         : AIM_NVML_ERROR_FUNCTION_NOT_FOUND;
    snprintf(what, size, "gpu%u %.80s", g->index, model[0] ? model : "(no name)");
    aim__probe_add(rep, what, "available", "UUID %s, PCI %s, MIG %s%s",
                  uuid[0] ? uuid : "unknown", pci.bus_id[0] ? pci.bus_id : "unknown",
                  mr != AIM_NVML_SUCCESS ? "not supported" : mig ? "on" : "off",
                  mr == AIM_NVML_SUCCESS && pending != cur
                      ? (pending == AIM_NVML_MIG_ENABLE ? " (on after the next reset)"
                                                        : " (off after the next reset)")
                      : "");
}

int aim__nv_probe(const aim_source_env *env, aim_probe_report *rep) {
    nv_state *st = calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    if (aim__nvml_lib_start_probe(&st->nl, env->sysfs_root, rep) < 0) {
        free(st);
        return -ENODEV;
    }
    char drv[AIM_NVML_VERSION_BUFFER] = "", ver[AIM_NVML_VERSION_BUFFER] = "";
    if (st->nl.api.get_driver_version &&
        st->nl.api.get_driver_version(drv, sizeof drv) != AIM_NVML_SUCCESS)
        drv[0] = '\0';
    if (st->nl.api.get_nvml_version &&
        st->nl.api.get_nvml_version(ver, sizeof ver) != AIM_NVML_SUCCESS)
        ver[0] = '\0';
    aim__probe_add(rep, st->nl.lib.path, "available", "NVML %s, driver %s",
                  ver[0] ? ver : "version unknown", drv[0] ? drv : "version unknown");
    int avail = 0;
    if (aim__nv_select_gpus(st, aim__source_env_option(env, "gpus"), NULL) > 0) {
        for (int i = 0; i < st->n; i++) {
            nv_gpu *g = &st->g[i];
            char what[96];
            int mig = aim__nv_mig_enabled(st, g);
            probe_static(st, g, mig, what, sizeof what, rep);
            nv_reading rd;
            if (aim__nv_probe_gpu(st, g, &rd) < 0) {
                aim__probe_add(rep, what, "absent", "the GPU answers no query");
                continue;
            }
            avail++;
            probe_series(st, g, &rd, mig, rep);
            probe_proc_calls(st, g, mig, rep);
        }
    } else {
        aim__probe_add(rep, "GPUs", "absent", "no GPU selected or reported by the driver");
    }
    aim__nvml_lib_stop(&st->nl);
    free(st);
    return avail > 0 ? 0 : -ENODEV;
}
