/* The model of aimeter plot --kind cumulative: the run's energy (kWh, facility: IT x PUE)
 * and carbon (g CO2e) from its start to each instant. The curve is the HTML report's
 * (processing/energy_timeline.h, handed in): the writer's own accounting replayed, a point
 * per bucket, ending exactly at the report's energy and carbon whether the run's intensity
 * varied or not. No I/O. */
#ifndef AIM_PLOT_CUMULATIVE_H
#define AIM_PLOT_CUMULATIVE_H

#include <stddef.h>
#include <stdint.h>

#include "processing/energy_timeline.h"
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

/* The chart of run's curve tl (finished; copied): at least 2 points, from the start to the
 * run's end; carbon 0 where the run has no intensity. -ENOMEM. */
int aim__plot_cumulative_build(const aim_run_summary *run, const aim_energy_timeline *tl,
                               aim_plot_cumulative *ret);
void aim__plot_cumulative_free(aim_plot_cumulative *m);

#endif
