/* Pricing energy with a step function of time: Σ ΔE × value(t), per device, interval by
 * interval. One accumulator per device and series; the writer feeds it live and the replay
 * of a stored run (aim_whatif_render) feeds it the stored samples, so both compute the same
 * number the same way. Pure arithmetic: no allocation, no lock (the caller holds the
 * series' lock when it is shared).
 *
 * An interval's energy is taken to accrue evenly over it: when a step changes inside an
 * interval, the interval's energy is split in proportion to the time on each side. With the
 * step changes on sample boundaries (or one constant value) that is simply ΔE × value. */
#ifndef AIM_CARBON_ACCOUNT_H
#define AIM_CARBON_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "model/intensity.h"

typedef struct aim_step_acc {
    size_t k;             /* the step in force at the end of the latest interval */
    double seg_start_j;   /* the device's energy when step k began to apply to it */
    double done;          /* Σ over finished steps of kWh × value */
} aim_step_acc;           /* all zero = nothing priced yet */

/* The device's energy went from e0_j at wall time t0_ns to e1_j at t1_ns (t1 >= t0; t1 == t0
 * for a first reading, whose energy is priced at the value in force then). p[0..n) is the
 * series, n may grow between calls (appends), never shrink. */
void aim__step_acc_add(aim_step_acc *a, const aim_intensity_point *p, size_t n, int64_t t0_ns,
                      int64_t t1_ns, double e0_j, double e1_j);

/* Σ kWh × value of the device so far, its energy now being e_now_j. NaN when n == 0. */
double aim__step_acc_value(const aim_step_acc *a, const aim_intensity_point *p, size_t n,
                          double e_now_j);

/* The same summed over the devices d < n_dev with include[d]. The devices still in one
 * step are summed as energies first and priced once, so that with one constant value the
 * result is exactly aim__carbon_g(Σ e_now_j, value): a constant-intensity run's carbon is
 * bit for bit total energy × intensity. NaN when n == 0. */
double aim__step_acc_sum(const aim_step_acc *a, const double *e_now_j,
                        const unsigned char *include, size_t n_dev,
                        const aim_intensity_point *p, size_t n);

#endif
