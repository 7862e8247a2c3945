/* Running statistics of one series, updated per sample in O(1) with no allocation:
 * count, mean (Welford), min, max, and the mode as the paper's Table 4 uses it: the most
 * frequent value after rounding to the metric's own resolution. The mode is kept with a
 * fixed-size Space-Saving table, exact while a series has at most AIM_MODE_SLOTS distinct
 * rounded values and otherwise guaranteed to return any value whose frequency exceeds
 * count / AIM_MODE_SLOTS (mode_exact says which case applies). */
#ifndef AIM_STATS_H
#define AIM_STATS_H

#include <stdint.h>

#define AIM_MODE_SLOTS 64

typedef struct aim_stats {
    uint64_t count;
    double mean;
    double m2;          /* sum of squared deviations (Welford), for the standard deviation */
    double min, max;
    double resolution;
    int mode_exact;     /* 1 while no value was ever evicted from the mode table */
    int mode_used;
    int64_t mode_key[AIM_MODE_SLOTS];
    uint64_t mode_count[AIM_MODE_SLOTS];
} aim_stats;

void aim_stats_init(aim_stats *s, double resolution);
void aim_stats_add(aim_stats *s, double value);
/* Mode in the metric's unit; NaN when count == 0. Ties go to the smallest value. */
double aim_stats_mode(const aim_stats *s);
double aim_stats_stddev(const aim_stats *s);

#endif
