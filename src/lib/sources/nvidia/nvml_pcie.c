/* nvml_pcie: PCIe TX/RX of NVIDIA GPUs through nvmlDeviceGetPcieThroughput, for drivers
 * older than 555, which have no PCIe byte counters (fields 197/198, read by the nvml
 * source). Each call makes the driver sample a counter for about 20 ms and blocks that long,
 * so this source has a sampler thread of its own (own_thread) and runs at most once a
 * second: 8 GPUs x 2 counters already keep its thread busy ~320 ms per tick, and the other
 * sources never wait for it.
 *
 * A GPU is taken only when no other source measures its PCIe traffic (the nvml source's
 * counters, or DCGM's byte rates, open before this one) and --metrics selects
 * gpu.pcie_tx/gpu.pcie_rx. NVML says KB/s; NVML's other byte quantities use KiB, so 1 KB is
 * taken as 1024 bytes (docs/metrics.md). The value is the throughput over the driver's
 * ~20 ms window, not an average over the second: it is a sample, and is labelled so. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/metric_select.h"
#include "sources/source.h"
#include "sources/nvidia/nvml_lib.h"
#include "sources/nvidia/gpu_select.h"

typedef struct pcie_gpu {
    aim_nvml_device h;
    int slot_tx, slot_rx; /* -1: not declared */
    int lost;
} pcie_gpu;

typedef struct pcie_state {
    aim_nvml_lib nl;
    int n;
    pcie_gpu g[AIM_NVML_MAX_GPUS];
} pcie_state;

static void pcie_close(void *state) {
    pcie_state *st = state;
    if (!st)
        return;
    aim__nvml_lib_stop(&st->nl);
    free(st);
}

/* One counter's throughput in GB/s; returns the NVML result. */
static aim_nvml_return read_counter(const pcie_state *st, aim_nvml_device h, int counter,
                                    double *ret_gbps) {
    unsigned int kbps = 0;
    aim_nvml_return r = st->nl.api.get_pcie_throughput(h, counter, &kbps);
    if (r == AIM_NVML_SUCCESS)
        *ret_gbps = (double)kbps * 1024.0 / 1e9;
    return r;
}

static int declare(pcie_state *st, const aim_nvml_gpu_ref *ref, const aim_source_env *env,
                   aim_source_ctx *ctx) {
    char name[32];
    snprintf(name, sizeof name, "gpu%u", ref->index);
    int want_tx = aim__metric_selected(env->metrics, AIM_M_GPU_PCIE_TX) &&
                  aim__source_ctx_find_series(ctx, name, AIM_M_GPU_PCIE_TX, -1) < 0;
    int want_rx = aim__metric_selected(env->metrics, AIM_M_GPU_PCIE_RX) &&
                  aim__source_ctx_find_series(ctx, name, AIM_M_GPU_PCIE_RX, -1) < 0;
    double v;
    want_tx = want_tx && read_counter(st, ref->h, AIM_NVML_PCIE_UTIL_TX_BYTES, &v) == AIM_NVML_SUCCESS;
    want_rx = want_rx && read_counter(st, ref->h, AIM_NVML_PCIE_UTIL_RX_BYTES, &v) == AIM_NVML_SUCCESS;
    if (!want_tx && !want_rx)
        return 0;
    char model[AIM_NVML_NAME_BUFFER] = "";
    if (st->nl.api.get_name && st->nl.api.get_name(ref->h, model, sizeof model) != AIM_NVML_SUCCESS)
        model[0] = '\0';
    int dev = aim__source_ctx_add_device(ctx, name, AIM_DEV_GPU, model[0] ? model : NULL);
    if (dev < 0)
        return dev;
    pcie_gpu *g = &st->g[st->n];
    g->h = ref->h;
    g->slot_tx = g->slot_rx = -1;
    if (want_tx && (g->slot_tx = aim__source_ctx_add_series(ctx, dev, AIM_M_GPU_PCIE_TX, -1,
                                                           AIM_METHOD_MEASURED)) < 0)
        return g->slot_tx;
    if (want_rx && (g->slot_rx = aim__source_ctx_add_series(ctx, dev, AIM_M_GPU_PCIE_RX, -1,
                                                           AIM_METHOD_MEASURED)) < 0)
        return g->slot_rx;
    st->n++;
    return 0;
}

static int pcie_open(const aim_source_env *env, aim_source_ctx *ctx, void **ret_state) {
    if (!aim__metric_selected(env->metrics, AIM_M_GPU_PCIE_TX) &&
        !aim__metric_selected(env->metrics, AIM_M_GPU_PCIE_RX))
        return -ENODEV;
    pcie_state *st = calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    char why[320];
    /* The nvml source has said why NVML is missing, if it is: nothing more to say here. */
    if (aim__nvml_lib_start(&st->nl, env->sysfs_root, why, sizeof why) < 0) {
        free(st);
        return -ENODEV;
    }
    aim_nvml_gpu_ref refs[AIM_NVML_MAX_GPUS];
    const char *gpus = aim__source_env_option(env, "gpus");
    int n = st->nl.api.get_pcie_throughput ? aim__nvml_lib_select(&st->nl, gpus, NULL,
                                                                  "nvml_pcie", refs)
                                           : -ENODEV;
    for (int i = 0; i < n; i++) {
        int r = declare(st, &refs[i], env, ctx);
        if (r < 0) {
            pcie_close(st);
            return r;
        }
    }
    if (st->n == 0) {
        pcie_close(st);
        return -ENODEV;
    }
    *ret_state = st;
    return 0;
}

static int pcie_poll(void *state, aim_frame *f) {
    pcie_state *st = state;
    int live = 0;
    for (int i = 0; i < st->n; i++) {
        pcie_gpu *g = &st->g[i];
        if (g->lost)
            continue;
        double v;
        aim_nvml_return r = AIM_NVML_SUCCESS;
        if (g->slot_tx >= 0 &&
            (r = read_counter(st, g->h, AIM_NVML_PCIE_UTIL_TX_BYTES, &v)) == AIM_NVML_SUCCESS)
            aim__frame_set(f, g->slot_tx, v);
        if (r != AIM_NVML_ERROR_GPU_IS_LOST && g->slot_rx >= 0 &&
            (r = read_counter(st, g->h, AIM_NVML_PCIE_UTIL_RX_BYTES, &v)) == AIM_NVML_SUCCESS)
            aim__frame_set(f, g->slot_rx, v);
        /* The nvml source reports the lost GPU; this one only stops asking. */
        g->lost = r == AIM_NVML_ERROR_GPU_IS_LOST;
        live += !g->lost;
    }
    return live > 0 ? 0 : -ENODEV;
}

static int pcie_probe(const aim_source_env *env, aim_probe_report *rep) {
    pcie_state *st = calloc(1, sizeof *st);
    if (!st)
        return -ENOMEM;
    if (aim__nvml_lib_start_probe(&st->nl, env->sysfs_root, rep) < 0) {
        free(st);
        return -ENODEV;
    }
    int avail = 0;
    if (!st->nl.api.get_pcie_throughput) {
        aim__probe_add(rep, "nvmlDeviceGetPcieThroughput", "absent", "not in this driver's NVML");
    } else {
        aim_nvml_gpu_ref refs[AIM_NVML_MAX_GPUS];
        int n = aim__nvml_lib_select(&st->nl, aim__source_env_option(env, "gpus"), NULL,
                                    "nvml_pcie", refs);
        for (int i = 0; i < n; i++) {
            char what[96];
            double v;
            snprintf(what, sizeof what, "gpu%u gpu.pcie_tx/rx", refs[i].index);
            aim_nvml_return r = read_counter(st, refs[i].h, AIM_NVML_PCIE_UTIL_TX_BYTES, &v);
            if (r == AIM_NVML_SUCCESS) {
                avail++;
                aim__probe_add(rep, what, "available", "nvmlDeviceGetPcieThroughput (blocks "
                              "~20 ms; used only where the nvml source has no byte counters)");
            } else {
                aim__probe_add(rep, what, r == AIM_NVML_ERROR_NO_PERMISSION ? "no permission"
                              : r == AIM_NVML_ERROR_NOT_SUPPORTED ? "not supported" : "failed",
                              "nvmlDeviceGetPcieThroughput: %s",
                              aim__nvml_lib_strerror(&st->nl, r));
            }
        }
        if (n <= 0)
            aim__probe_add(rep, "GPUs", "absent", "no GPU selected or reported by the driver");
    }
    aim__nvml_lib_stop(&st->nl);
    free(st);
    return avail > 0 ? 0 : -ENODEV;
}

const aim_source_ops aim_source_nvml_pcie = {
    .name = "nvml_pcie",
    .vendor = "nvidia",
    .options = aim_nv_gpu_options,
    .description = "NVIDIA PCIe throughput on drivers without byte counters (blocking calls, "
                   "own thread, once a second)",
    .min_interval_ns = 1000000000,
    .own_thread = 1,
    .probe = pcie_probe,
    .open = pcie_open,
    .poll = pcie_poll,
    .close = pcie_close,
};
