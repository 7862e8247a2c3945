/* Grid carbon intensity as a time series: the shared vocabulary of the intensity sources
 * (constant, zone table, CSV file, live providers), the run's stored series and the carbon
 * arithmetic. Times are wall-clock milliseconds since the Unix epoch, because that is what
 * every provider and every grid operator's export speaks; the run keeps one anchor between
 * its monotonic sample clock and the wall clock to convert. */
#ifndef AIM_INTENSITY_H
#define AIM_INTENSITY_H

#include <stddef.h>
#include <stdint.h>

/* What the number means: the average intensity of the electricity generated in the zone,
 * or the marginal intensity (the emissions of the plant that answers one more kWh). */
typedef enum aim_signal { AIM_SIGNAL_AVERAGE = 0, AIM_SIGNAL_MARGINAL = 1 } aim_signal;

/* Lifecycle (plants' construction, fuel supply chain included) or direct (stack only). */
typedef enum aim_basis {
    AIM_BASIS_LIFECYCLE = 0,
    AIM_BASIS_DIRECT = 1,
    AIM_BASIS_UNKNOWN = 2,
} aim_basis;

/* One value, valid from t_unix_ms until the next point of its series (a step function:
 * providers publish interval averages, and the last known value is the best estimate of the
 * present). */
typedef struct aim_intensity_point {
    int64_t t_unix_ms;
    double g_per_kwh; /* g CO2e per kWh */
} aim_intensity_point;

/* "average"/"marginal", "lifecycle"/"direct"/"unknown"; NULL for an unknown value. */
const char *aim__signal_name(aim_signal s);
const char *aim__basis_name(aim_basis b);
/* Parses the names above (case-insensitive). -EINVAL when unknown. */
int aim__signal_parse(const char *text, aim_signal *ret);
int aim__basis_parse(const char *text, aim_basis *ret);

#endif
