/* The statistics stage (processing/stats.h): every series' time-weighted mean, extremes,
 * mode and spread for the run's summary, each value weighted by the interval its tick
 * closes. Last in the table, so the power the energy stage derives is counted. */
#include "engine/session_internal.h"

static void frame(aim_session *s, aim_tick *t) {
    if (!t->in_stats)
        return;
    const aim_frame *f = t->frame;
    double w = t->span_ns > 0 ? (double)t->span_ns * 1e-9 : 0.0;
    for (int i = 0; i < f->count; i++)
        if (f->valid[i])
            aim__stats_add(&s->stats[f->base + i], f->values[i], w);
}

const aim_stage aim_stage_stats = {
    .name = "statistics",
    .frame = frame,
};
