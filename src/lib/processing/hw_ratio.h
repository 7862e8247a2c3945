/* EnergyVis's rescale of measured accelerator energy to other hardware (aimeter whatif
 * --hardware, docs/methodology.md "Other hardware"): the same work at the alternative's
 * peak throughput, drawing its rated power,
 *   E_alt = E_measured × (P_alt / P_measured) × (T_measured / T_alt)
 * with P the TDP and T the peak throughput of data/gpu_specs.csv. Pure arithmetic. */
#ifndef AIM_CARBON_HW_RATIO_H
#define AIM_CARBON_HW_RATIO_H

#include "aimeter.h"

typedef struct aim_hw_ratio {
    const char *throughput;  /* the column both rows give: "tensor", "fp16" or "fp32" */
    double tput_from, tput_to; /* TFLOPS of the measured and the alternative accelerator */
    double power_from, power_to; /* their TDP, W */
    double power_ratio;      /* P_alt / P_measured */
    double speed_ratio;      /* T_measured / T_alt: the alternative's time per unit of work */
    double ratio;            /* power_ratio × speed_ratio: E_alt / E_measured */
} aim_hw_ratio;

/* The ratio of `to` to `from`, with the throughput taken from the first column both rows
 * give among peak tensor (FP16/BF16), FP16, FP32 TFLOPS. -EINVAL for NULL rows, -ENODATA
 * when no column is given by both (or a TDP is missing). *ret untouched on error. */
int aim__hw_ratio_compute(const aim_gpu_info *from, const aim_gpu_info *to, aim_hw_ratio *ret);

#endif
