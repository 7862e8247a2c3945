/* The model of aimeter plot --kind cumulative: the run's energy (kWh, facility: IT x PUE)
 * and carbon (g CO2e) from its start to each instant, on a grid of points across the run.
 * The energy comes from the cumulative energy curve (processing/energy_curve.h, handed in
 * as a function); the carbon adds each step's energy at the grid intensity in force then
 * (the run's stored intensity series, a step function; its one value without a series), as
 * the run's own accounting does (docs/methodology.md, "Carbon"). No I/O. */
#ifndef AIM_PLOT_CUMULATIVE_H
#define AIM_PLOT_CUMULATIVE_H

#include <stddef.h>
#include <stdint.h>

#include "processing/summary.h"

typedef struct aim_plot_cumulative {
    double *t;                  /* s since the run's start */
    double *kwh;                /* facility energy up to t */
    double *g;                  /* carbon up to t */
    size_t n;
    double pue;
    int intensity_varies;       /* the run's intensity changed over it */
    double t_max, kwh_max, g_max;
} aim_plot_cumulative;

/* energy_at(userdata, t): the run's IT energy in J from its start to t ns after it
 * (aim__energy_curve_at). n_points >= 2 instants from the start to the end. -ENOMEM. */
int aim__plot_cumulative_build(const aim_run_summary *run,
                               double (*energy_at)(const void *userdata, int64_t t_ns),
                               const void *userdata, size_t n_points, aim_plot_cumulative *ret);
void aim__plot_cumulative_free(aim_plot_cumulative *m);

#endif
