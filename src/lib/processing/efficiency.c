/* A counter's efficiency figures (efficiency.h). */
#include "processing/efficiency.h"

#include <math.h>

#include "processing/records.h"

aim_efficiency aim__efficiency_of(double energy_j, double carbon_g, double units) {
    if (!(units > 0) || !(energy_j > 0))
        return (aim_efficiency){ NAN, NAN, NAN, NAN };
    return (aim_efficiency){
        .j_per_unit = energy_j / units,
        .units_per_j = units / energy_j,
        .kwh_per_1000 = energy_j / 3.6e6 / units * 1000.0,
        .g_per_1000 = carbon_g / units * 1000.0,
    };
}

double aim__record_value(double v) {
    return isfinite(v) && fabs(v) < AIM_RECORD_SENTINEL ? v : NAN;
}
