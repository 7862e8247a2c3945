/* The monitored process tree's share of each device's energy (issue 5, attribution on shared
 * machines). Each accounted interval of a device gives the tree ΔE × share, the share taken
 * from the latest values of two series (sample-and-hold across rate groups):
 *   CPU   the tree's CPU use over the machine's busy CPU:
 *         proc.cpu_util / (cpu.util × logical CPUs), both in % (of one CPU / of all);
 *   DRAM  the tree's resident memory over the memory in use: proc.rss / mem.used;
 *   GPU   the tree's SM share over the GPU's utilisation: gpu.proc_sm_util / gpu.util.
 * Shares are clamped to [0, 1]; a device whose series are missing gets no figure. The idle
 * power of a busy device goes to whoever keeps it busy, in proportion (docs/methodology.md). */
#ifndef AIM_ATTRIBUTION_H
#define AIM_ATTRIBUTION_H

#include <stdint.h>

typedef enum aim_attr_rule {
    AIM_ATTR_NONE = 0,
    AIM_ATTR_CPU,
    AIM_ATTR_DRAM,
    AIM_ATTR_GPU,
} aim_attr_rule;

typedef struct aim_attr_device {
    aim_attr_rule rule;
    int num_slot, den_slot;  /* series slots, -1: none */
    double den_scale;        /* logical CPUs for the CPU rule, 1 otherwise */
    double energy_j;         /* attributed so far */
    double device_j;         /* the device's energy over the intervals that had a share */
    double pending_j;        /* energy before the first share was known (the run's start
                              * edge, processing/energy.h): attributed at that first share */
} aim_attr_device;

/* The share for num and den as the rule reads them; NaN when it cannot be told. */
double aim__attr_share(const aim_attr_device *a, double num, double den);

/* The shares of one GPU interval among an agent's jobs (engine/stage_job_gpu.c): sm[0..n)
 * each job's processes' SM % and sm[n] that of the processes in no job, util the GPU's
 * utilisation %. Each job's share is its SM over max(util, all processes' SM), so that the
 * shares never add up to more than 1 (samples of the processes and of the GPU are taken at
 * different times); an interval where nothing ran gives 0 to all. Into shares[0..n). */
void aim__attr_job_shares(const double *sm, int n, double util, double *shares);

/* The method in words, for the report ("share of busy CPU time (proc.cpu_util / ...)"). */
const char *aim__attr_method(aim_attr_rule rule);

#endif
