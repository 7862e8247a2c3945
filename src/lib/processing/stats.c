#include "processing/stats.h"

#include <math.h>
#include <string.h>

void aim__stats_init(aim_stats *s, double resolution) {
    memset(s, 0, sizeof *s);
    s->resolution = resolution > 0 ? resolution : 1e-6;
    s->mode_exact = 1;
    s->min = INFINITY;
    s->max = -INFINITY;
}

/* Space-Saving: an unseen key takes a free slot, or evicts the least frequent one and
 * inherits its count + 1 (which bounds the overestimate by the evicted count). */
static void mode_add(aim_stats *s, int64_t key) {
    int least = 0;
    for (int i = 0; i < s->mode_used; i++) {
        if (s->mode_key[i] == key) {
            s->mode_count[i]++;
            return;
        }
        if (s->mode_count[i] < s->mode_count[least])
            least = i;
    }
    if (s->mode_used < AIM_MODE_SLOTS) {
        s->mode_key[s->mode_used] = key;
        s->mode_count[s->mode_used] = 1;
        s->mode_used++;
        return;
    }
    s->mode_exact = 0;
    s->mode_key[least] = key;
    s->mode_count[least]++;
}

void aim__stats_add(aim_stats *s, double v, double weight_s) {
    if (!isfinite(v))
        return;
    s->count++;
    double d = v - s->smean;
    s->smean += d / (double)s->count;
    s->m2 += d * (v - s->smean);
    if (weight_s > 0 && isfinite(weight_s)) {
        s->weight += weight_s;
        s->mean += (v - s->mean) * (weight_s / s->weight);
    } else if (!(s->weight > 0)) {
        s->mean = s->smean;
    }
    if (v < s->min)
        s->min = v;
    if (v > s->max)
        s->max = v;
    double q = nearbyint(v / s->resolution);
    if (fabs(q) < 9.0e15)
        mode_add(s, (int64_t)q);
}

double aim__stats_mode(const aim_stats *s) {
    if (s->count == 0 || s->mode_used == 0)
        return NAN;
    int best = 0;
    for (int i = 1; i < s->mode_used; i++)
        if (s->mode_count[i] > s->mode_count[best] ||
            (s->mode_count[i] == s->mode_count[best] && s->mode_key[i] < s->mode_key[best]))
            best = i;
    double mode = (double)s->mode_key[best] * s->resolution;
    return mode < s->min ? s->min : mode > s->max ? s->max : mode;
}

double aim__stats_stddev(const aim_stats *s) {
    return s->count > 1 ? sqrt(s->m2 / (double)(s->count - 1)) : 0.0;
}
