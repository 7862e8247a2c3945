/* EnergyVis's hardware rescale (hw_ratio.h). */
#include "processing/hw_ratio.h"

#include <errno.h>
#include <math.h>

static int usable(double v) { return isfinite(v) && v > 0; }

int aim__hw_ratio_compute(const aim_gpu_info *from, const aim_gpu_info *to, aim_hw_ratio *ret) {
    if (!from || !to || !ret)
        return -EINVAL;
    if (!usable(from->tdp_w) || !usable(to->tdp_w))
        return -ENODATA;
    /* Both sides from the same column: a tensor figure against an FP32 one would credit the
     * hardware with a speed-up that is only the choice of number format. */
    const struct {
        const char *name;
        double a, b;
    } cols[] = {
        { "tensor", from->tensor_tflops, to->tensor_tflops },
        { "fp16", from->fp16_tflops, to->fp16_tflops },
        { "fp32", from->fp32_tflops, to->fp32_tflops },
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        if (!usable(cols[i].a) || !usable(cols[i].b))
            continue;
        aim_hw_ratio h = {
            .throughput = cols[i].name,
            .tput_from = cols[i].a,
            .tput_to = cols[i].b,
            .power_from = from->tdp_w,
            .power_to = to->tdp_w,
        };
        h.power_ratio = h.power_to / h.power_from;
        h.speed_ratio = h.tput_from / h.tput_to;
        h.ratio = h.power_ratio * h.speed_ratio;
        *ret = h;
        return 0;
    }
    return -ENODATA;
}
