/* Built-in grid intensity data (data/zones.csv, compiled in). The full intensity model
 * (time series, providers, marginal signals) is later work; this is the offline table. */
#ifndef AIM_CARBON_H
#define AIM_CARBON_H

#include "aimeter.h"

/* The world average used when no zone or intensity is given. Never NULL. */
const aim_zone_info *aim_zone_world(void);

/* g CO2e for an energy in joules at an intensity in g/kWh. */
static inline double aim_carbon_g(double energy_j, double g_per_kwh) {
    return energy_j / 3.6e6 * g_per_kwh;
}

#endif
