/* Absolute-deadline scheduling maths, kept pure so it can be tested without threads. */
#ifndef AIM_SCHEDULE_H
#define AIM_SCHEDULE_H

#include <stdint.h>

/* After serving `deadline` and finishing the poll at `now`, the next deadline is the first
 * deadline + k * interval (k >= 1) that is still in the future, so the schedule never
 * drifts; every deadline skipped on the way is counted in *ret_missed, never absorbed. */
static inline int64_t aim__schedule_next(int64_t deadline, int64_t interval, int64_t now,
                                        uint64_t *ret_missed) {
    int64_t next = deadline + interval;
    if (now < next) {
        *ret_missed = 0;
        return next;
    }
    int64_t behind = (now - next) / interval + 1;
    *ret_missed = (uint64_t)behind;
    return next + behind * interval;
}

/* Wake-up latency histogram: 1 µs buckets up to 4 ms, then one overflow bucket. */
#define AIM_JITTER_BUCKETS 4096
typedef struct aim_jitter {
    uint32_t bucket[AIM_JITTER_BUCKETS + 1];
    uint64_t count;
    int64_t max_ns;
} aim_jitter;

static inline void aim__jitter_add(aim_jitter *j, int64_t late_ns) {
    if (late_ns < 0)
        late_ns = 0;
    int64_t b = late_ns / 1000;
    j->bucket[b < AIM_JITTER_BUCKETS ? b : AIM_JITTER_BUCKETS]++;
    j->count++;
    if (late_ns > j->max_ns)
        j->max_ns = late_ns;
}

/* The p-th percentile (0 < p < 100) in ns, to 1 µs (upper bucket edge); -1 if empty. */
static inline int64_t aim__jitter_percentile(const aim_jitter *j, double p) {
    if (j->count == 0)
        return -1;
    uint64_t rank = (uint64_t)((double)j->count * p / 100.0);
    uint64_t seen = 0;
    for (int b = 0; b <= AIM_JITTER_BUCKETS; b++) {
        seen += j->bucket[b];
        if (seen > rank)
            return b < AIM_JITTER_BUCKETS ? (int64_t)(b + 1) * 1000 : j->max_ns;
    }
    return j->max_ns;
}

#endif
