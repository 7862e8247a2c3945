/* Step-function pricing of energy (account.h). */
#include "processing/account.h"

#include <math.h>

#include "data/carbon.h"

static int64_t point_ns(const aim_intensity_point *p) { return p->t_unix_ms * 1000000; }

/* Closes the current step at energy e: its share is priced, the next step starts. */
static void next_step(aim_step_acc *a, const aim_intensity_point *p, double e) {
    a->done += aim__carbon_g(e - a->seg_start_j, p[a->k].g_per_kwh);
    a->seg_start_j = e;
    a->k++;
}

void aim__step_acc_add(aim_step_acc *a, const aim_intensity_point *p, size_t n, int64_t t0_ns,
                      int64_t t1_ns, double e0_j, double e1_j) {
    if (n == 0)
        return;
    /* Steps that began before this interval (a gap in the device's samples, a point
     * appended since): the energy so far belongs to the step that was in force. */
    while (a->k + 1 < n && point_ns(&p[a->k + 1]) <= t0_ns)
        next_step(a, p, e0_j);
    /* Steps that begin inside it split its energy in proportion to time. */
    while (a->k + 1 < n && point_ns(&p[a->k + 1]) < t1_ns) {
        double frac = (double)(point_ns(&p[a->k + 1]) - t0_ns) / (double)(t1_ns - t0_ns);
        next_step(a, p, e0_j + (e1_j - e0_j) * frac);
    }
}

double aim__step_acc_value(const aim_step_acc *a, const aim_intensity_point *p, size_t n,
                          double e_now_j) {
    if (n == 0)
        return NAN;
    size_t k = a->k < n ? a->k : n - 1;
    return a->done + aim__carbon_g(e_now_j - a->seg_start_j, p[k].g_per_kwh);
}

double aim__step_acc_sum(const aim_step_acc *a, const double *e_now_j,
                        const unsigned char *include, size_t n_dev,
                        const aim_intensity_point *p, size_t n) {
    if (n == 0)
        return NAN;
    double done = 0, pending = 0, others = 0;
    size_t kref = n;
    for (size_t d = 0; d < n_dev; d++) {
        if (!include[d])
            continue;
        size_t k = a[d].k < n ? a[d].k : n - 1;
        if (kref == n)
            kref = k;
        done += a[d].done;
        if (k == kref)
            pending += e_now_j[d] - a[d].seg_start_j;
        else
            others += aim__carbon_g(e_now_j[d] - a[d].seg_start_j, p[k].g_per_kwh);
    }
    if (kref == n)
        return 0.0;
    return done + aim__carbon_g(pending, p[kref].g_per_kwh) + others;
}
