/* Green Algorithms' estimate for a run that was not measured (Lannelongue, Grealey, Inouye,
 * "Green Algorithms: Quantifying the Carbon Footprint of Computation", Adv. Sci. 2021):
 *   E = t × (n_cores × P_core × u_core + n_gpu × P_gpu × u_gpu + mem × P_mem) × PUE.
 * The inputs are the caller's; this file only checks them and does the arithmetic, so the
 * numbers a user reads in `aimeter estimate` are exactly the ones substituted here. */
#include <errno.h>
#include <math.h>

#include "aimeter.h"
#include "data/tables.h"

static int in_range(double v, double lo, double hi) {
    return isfinite(v) && v >= lo && v <= hi;
}

double aim_footprint_memory_w_per_gb(const char **ret_source) {
    /* The same constant as the estimate source's DRAM model (data/power_model.csv). */
    if (ret_source)
        *ret_source = "Green Algorithms referenceValues.csv, memoryPower (CC BY 4.0)";
    return aim_pm_dram_w_per_gb;
}

int aim_footprint_compute(const aim_footprint_input *in, aim_footprint *ret) {
    if (!in || !ret)
        return -EINVAL;
    /* Bounds: what can be typed by mistake is refused, what is merely unusual is not. */
    if (!(in->hours > 0) || !in_range(in->hours, 0, 1e7) || in->gpu_count < 0 ||
        in->cpu_cores < 0 || !in_range(in->gpu_power_w, 0, 1e5) ||
        !in_range(in->cpu_core_power_w, 0, 1e4) || !in_range(in->gpu_util, 0, 1) ||
        !in_range(in->cpu_util, 0, 1) || !in_range(in->memory_gb, 0, 1e9) ||
        !in_range(in->pue, 1, 5) || !in_range(in->g_per_kwh, 0, 5000))
        return -EINVAL;
    aim_footprint f;
    f.memory_w_per_gb = aim_footprint_memory_w_per_gb(NULL);
    f.gpu_w = in->gpu_count * in->gpu_power_w * in->gpu_util;
    f.cpu_w = in->cpu_cores * in->cpu_core_power_w * in->cpu_util;
    f.memory_w = in->memory_gb * f.memory_w_per_gb;
    f.it_w = f.cpu_w + f.gpu_w + f.memory_w;
    f.it_kwh = in->hours * f.it_w / 1000.0;
    f.energy_kwh = f.it_kwh * in->pue;
    f.carbon_g = f.energy_kwh * in->g_per_kwh;
    *ret = f;
    return 0;
}
