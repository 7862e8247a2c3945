/* Built-in grid intensity data (data/zones*.csv and data/cloud_regions.csv, compiled in):
 * the offline tables behind --zone and --cloud. The lookups are in aimeter.h. */
#ifndef AIM_CARBON_H
#define AIM_CARBON_H

#include "aimeter.h"

/* The world average used when no zone or intensity is given. Never NULL. */
const aim_zone_info *aim__zone_world(void);
/* "USA" -> "US": a country's ISO 3166-1 alpha-3 code (CodeCarbon's country_iso_code, and
 * many datasets') names its alpha-2 zone (data/iso3166.csv; case-insensitive). No zone code
 * has three letters, so nothing that was a zone changes meaning. NULL for anything else. */
const char *aim__zone_alpha2_of(const char *code);

/* g CO2e for an energy in joules at an intensity in g/kWh. */
static inline double aim__carbon_g(double energy_j, double g_per_kwh) {
    return energy_j / 3.6e6 * g_per_kwh;
}

#endif
