/* Per-phase carbon re-priced from a replay (phase_reprice.h). */
#include "processing/phase_reprice.h"

#include <errno.h>
#include <stdlib.h>

struct aim_phase_repricer {
    const aim_phase_span *spans; /* p's, sorted by start (they are made in time order) */
    size_t n_spans;
    int64_t origin;
    size_t next;                 /* first span not yet considered */
    size_t *active;              /* spans that started before the latest interval's end */
    size_t n_active;
    int64_t last_t0;
    double carbon[AIM_PHASE_NAMES];
};

int aim__phase_repricer_new(const aim_phases *p, int64_t origin_ns, aim_phase_repricer **ret) {
    const aim_phase_row *rows;
    size_t n_rows = aim__phases_rows(p, &rows);
    uint64_t instances = 0;
    for (size_t i = 0; i < n_rows; i++)
        instances += rows[i].instances;
    aim_phase_repricer *r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    r->n_spans = aim__phases_spans(p, &r->spans);
    if (instances != r->n_spans) {
        free(r);
        return -ERANGE;
    }
    r->active = calloc(r->n_spans + 1, sizeof *r->active);
    if (!r->active) {
        free(r);
        return -ENOMEM;
    }
    r->origin = origin_ns;
    r->last_t0 = INT64_MIN;
    *ret = r;
    return 0;
}

void aim__phase_repricer_interval(aim_phase_repricer *r, int64_t t0_ns, int64_t t1_ns,
                                 double carbon_g) {
    if (t1_ns <= t0_ns || carbon_g == 0)
        return;
    int64_t t0 = t0_ns + r->origin, t1 = t1_ns + r->origin;
    if (t0 < r->last_t0) { /* a step back: sweep again from the first span */
        r->next = 0;
        r->n_active = 0;
    }
    r->last_t0 = t0;
    while (r->next < r->n_spans && r->spans[r->next].start_ns < t1)
        r->active[r->n_active++] = r->next++;
    size_t keep = 0;
    for (size_t i = 0; i < r->n_active; i++) {
        const aim_phase_span *s = &r->spans[r->active[i]];
        if (s->end_ns <= t0)
            continue; /* over before this interval: no later one (t0 only grows) reaches it */
        r->active[keep++] = r->active[i];
        int64_t lo = s->start_ns > t0 ? s->start_ns : t0, hi = s->end_ns < t1 ? s->end_ns : t1;
        if (hi > lo && s->row >= 0 && s->row < AIM_PHASE_NAMES)
            r->carbon[s->row] += carbon_g * (double)(hi - lo) / (double)(t1 - t0);
    }
    r->n_active = keep;
}

void aim__phase_repricer_apply(const aim_phase_repricer *r, aim_phases *p) {
    const aim_phase_row *rows;
    size_t n_rows = aim__phases_rows(p, &rows);
    for (size_t i = 0; i < n_rows && i < AIM_PHASE_NAMES; i++)
        aim__phases_set_carbon(p, i, r->carbon[i]);
}

void aim__phase_repricer_free(aim_phase_repricer *r) {
    if (r)
        free(r->active);
    free(r);
}
