/* Bottleneck hints per phase (phase_hints.h). */
#include "processing/phase_hints.h"

#include <math.h>
#include <string.h>

double aim__phase_metric_mean(const aim_phase_summary *p, int device, const char *key) {
    for (size_t i = 0; i < p->n_metrics; i++)
        if (p->metrics[i].device == device && strcmp(p->metrics[i].key, key) == 0)
            return p->metrics[i].mean;
    return NAN;
}

/* TX + RX, either alone when the other was not kept. */
static double sum2(double a, double b) {
    return isfinite(a) || isfinite(b) ? (isfinite(a) ? a : 0) + (isfinite(b) ? b : 0) : NAN;
}

aim_phase_hint aim__phase_hint_of(const aim_phase_summary *p, int d, aim_device_kind kind) {
    aim_phase_hint h = { .kind = AIM_HINT_NONE, .cpu_util = NAN, .gpu_util = NAN,
                         .sm_active = NAN, .tensor_active = NAN, .dram_active = NAN,
                         .pcie_gbs = NAN, .nvlink_gbs = NAN, .busy = NAN };
    if (kind == AIM_DEV_HOST) {
        h.cpu_util = aim__phase_metric_mean(p, d, "cpu.util");
        if (h.cpu_util >= AIM_HINT_CPU_BOUND_PCT)
            h.kind = AIM_HINT_CPU_BOUND;
        return h;
    }
    if (kind != AIM_DEV_GPU)
        return h;
    h.gpu_util = aim__phase_metric_mean(p, d, "gpu.util");
    h.sm_active = aim__phase_metric_mean(p, d, "gpu.sm_active");
    h.tensor_active = aim__phase_metric_mean(p, d, "gpu.tensor_active");
    h.dram_active = aim__phase_metric_mean(p, d, "gpu.dram_active");
    h.pcie_gbs = sum2(aim__phase_metric_mean(p, d, "gpu.pcie_tx"),
                      aim__phase_metric_mean(p, d, "gpu.pcie_rx"));
    h.nvlink_gbs = sum2(aim__phase_metric_mean(p, d, "gpu.nvlink_tx"),
                        aim__phase_metric_mean(p, d, "gpu.nvlink_rx"));
    h.busy_is_sm = isfinite(h.sm_active);
    h.busy = h.busy_is_sm ? h.sm_active : h.gpu_util;
    double sm = h.sm_active, tensor = h.tensor_active, dram = h.dram_active;
    int dram_busy = isfinite(dram) && dram >= AIM_HINT_DRAM_BOUND_PCT;
    int idle = isfinite(h.busy) && h.busy < AIM_HINT_IDLE_PCT;
    if (dram_busy && isfinite(tensor) && tensor < AIM_HINT_TENSOR_LOW_PCT)
        h.kind = AIM_HINT_MEMORY_BOUND;
    else if ((isfinite(tensor) && tensor >= AIM_HINT_TENSOR_BOUND_PCT) ||
             (isfinite(sm) && sm >= AIM_HINT_SM_BOUND_PCT && !dram_busy))
        h.kind = AIM_HINT_COMPUTE_BOUND;
    else if (idle && ((isfinite(h.pcie_gbs) && h.pcie_gbs >= AIM_HINT_PCIE_GBS) ||
                      (isfinite(h.nvlink_gbs) && h.nvlink_gbs >= AIM_HINT_NVLINK_GBS)))
        h.kind = AIM_HINT_COMMUNICATION_BOUND;
    else if (idle)
        h.kind = AIM_HINT_GPU_IDLE;
    else if (isfinite(h.gpu_util) && h.gpu_util >= AIM_HINT_BUSY_UTIL_PCT && !isfinite(sm))
        h.kind = AIM_HINT_GPU_BUSY;
    return h;
}
