/* Built-in grid intensity data (data/zones*.csv and data/cloud_regions.csv, compiled in):
 * the offline tables behind --zone and --cloud. The lookups are in aimeter.h. */
#ifndef AIM_CARBON_H
#define AIM_CARBON_H

#include "aimeter.h"

/* The world average used when no zone or intensity is given. Never NULL. */
const aim_zone_info *aim__zone_world(void);

/* g CO2e for an energy in joules at an intensity in g/kWh. */
static inline double aim__carbon_g(double energy_j, double g_per_kwh) {
    return energy_j / 3.6e6 * g_per_kwh;
}

#endif
