/* The sampler's own counters for a live reader (live_view.h): the atomics the sampler threads
 * already keep (ticks, missed deadlines) and the rings' drop counts, read relaxed. Nothing is
 * added to the sampler's hot path: these counters existed for the run's summary. */
#include <errno.h>

#include "engine/live_view.h"
#include "engine/session_internal.h"

int aim__session_live_counters(aim_session *s, aim_live_counters *ret) {
    if (!s || !s->started || s->n_groups <= 0)
        return -EINVAL;
    aim_live_counters c = { 0 };
    const aim_group *main = &s->groups[s->main_group];
    c.ticks = atomic_load_explicit(&s->groups[s->main_group].ticks, memory_order_relaxed);
    c.interval_s = (double)main->interval_ns / 1e9;
    /* The same sum as the run's missed_deadlines in its report (writer.c): deadlines
     * skipped by any rate group plus ticks dropped because a ring was full. */
    for (int gi = 0; gi < s->n_groups; gi++) {
        c.missed += atomic_load_explicit(&s->groups[gi].missed, memory_order_relaxed);
        c.missed += aim__ring_dropped(s->groups[gi].ring);
    }
    *ret = c;
    return 0;
}
