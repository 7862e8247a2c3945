/* The model of aimeter plot --kind zones (the paper's Figure 5): the run's carbon as it was
 * priced, then in each zone asked for, from a what-if result (processing/whatif_result.h:
 * the same replay as aimeter whatif --zones). No I/O. */
#ifndef AIM_PLOT_ZONES_H
#define AIM_PLOT_ZONES_H

#include <stddef.h>

#include "processing/whatif_result.h"

typedef struct aim_plot_zone_bar {
    char label[64];             /* "CA-SK", "CA@marginal"; the run's own: "run (FR)" */
    char name[128];             /* "Saskatchewan, Canada" */
    double carbon_g;            /* PUE included */
    double intensity;           /* g/kWh (the mean when it varied) */
    int is_run;                 /* the run's own pricing: the baseline */
} aim_plot_zone_bar;

typedef struct aim_plot_zones {
    aim_plot_zone_bar *bars;    /* the run's own first, then the zones in the order given */
    size_t n;
    double ymax;                /* the largest carbon (0 when none) */
    double pue;
    double energy_kwh;          /* facility energy priced */
} aim_plot_zones;

/* -ENOMEM. The scenarios' out fields must be filled (the replay done). */
int aim__plot_zones_build(const aim_whatif_result *res, aim_plot_zones *ret);
void aim__plot_zones_free(aim_plot_zones *m);

#endif
