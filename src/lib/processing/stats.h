/* Running statistics of one series, updated per sample in O(1) with no allocation:
 * count, the time-weighted mean (each sample weighs the interval it closes, as a phase's
 * mean power is its energy over its time), the per-sample standard deviation (Welford), min,
 * max, and the mode as the paper's Table 4 uses it: the most frequent value after rounding
 * to the metric's own resolution (docs/methodology.md, "Statistics"). The mode is kept with a
 * fixed-size Space-Saving table, exact while a series has at most AIM_MODE_SLOTS distinct
 * rounded values and otherwise guaranteed to return any value whose frequency exceeds
 * count / AIM_MODE_SLOTS (mode_exact says which case applies). */
#ifndef AIM_STATS_H
#define AIM_STATS_H

#include <stdint.h>

#define AIM_MODE_SLOTS 64

typedef struct aim_stats {
    uint64_t count;
    double mean;        /* time-weighted while weight > 0, else per sample */
    double weight;      /* Σ weights (s) */
    double smean;       /* per-sample mean (Welford) */
    double m2;          /* sum of squared deviations (Welford), for the standard deviation */
    double min, max;
    double resolution;
    int mode_exact;     /* 1 while no value was ever evicted from the mode table */
    int mode_used;
    int64_t mode_key[AIM_MODE_SLOTS];
    uint64_t mode_count[AIM_MODE_SLOTS];
} aim_stats;

/* A closing interval: shorter than half the sampling interval, as is the sample every group
 * takes when the run stops (1-2 ms after its previous tick). Such a sample closes the energy
 * accounting but enters no statistic and no correlation, where a rate over a millisecond is
 * mostly counter granularity (RAPL read 102 W for a constant 80 W). */
static inline int aim__interval_is_short(int64_t span_ns, int64_t interval_ns) {
    return interval_ns > 0 && span_ns < interval_ns / 2;
}

void aim__stats_init(aim_stats *s, double resolution);
/* weight_s: the time the value stands for (the interval the sample closes), >= 0; a series
 * whose samples all weigh 0 has the per-sample mean. */
void aim__stats_add(aim_stats *s, double value, double weight_s);
/* Mode in the metric's unit; NaN when count == 0. Ties go to the smallest value. The most
 * frequent multiple of the resolution, clamped into [min, max] (1.006 W at 0.01 W rounds to
 * 1.01 W, above every sample), so min <= mode <= max always. */
double aim__stats_mode(const aim_stats *s);
double aim__stats_stddev(const aim_stats *s);

#endif
