/* Attribution shares (attribution.h). */
#include <math.h>

#include "processing/attribution.h"

double aim__attr_share(const aim_attr_device *a, double num, double den) {
    if (a->rule == AIM_ATTR_NONE || !isfinite(num) || !isfinite(den) || num < 0 || den < 0)
        return NAN;
    double d = den * a->den_scale;
    if (d <= 0)
        return num > 0 ? 1.0 : 0.0; /* an idle device: the tree's share of nothing is 0 */
    double s = num / d;
    return s > 1 ? 1 : s;
}

void aim__attr_job_shares(const double *sm, int n, double util, double *shares) {
    double all = 0;
    for (int k = 0; k <= n; k++)
        all += isfinite(sm[k]) && sm[k] > 0 ? sm[k] : 0;
    double den = isfinite(util) && util > all ? util : all;
    for (int k = 0; k < n; k++)
        shares[k] = den > 0 && isfinite(sm[k]) && sm[k] > 0 ? sm[k] / den : 0;
}

const char *aim__attr_method(aim_attr_rule rule) {
    switch (rule) {
    case AIM_ATTR_CPU: return "share of the busy CPU time (proc.cpu_util / (cpu.util x CPUs))";
    case AIM_ATTR_DRAM: return "share of the memory in use (proc.rss / mem.used)";
    case AIM_ATTR_GPU: return "share of SM time (gpu.proc_sm_util / gpu.util, NVML process samples)";
    default: return "";
    }
}
