/* A run's cumulative facility energy (kWh) and carbon (g CO2e) over time: the one curve of
 * the HTML report's timeline and of aimeter plot --kind cumulative. It is taken from the
 * what-if pricer (processing/whatif.h), which replays the run through the writer's own
 * meters and step accumulators, so the curve ends exactly at the report's energy and carbon,
 * also with an intensity that varies over the run: two scenarios report each replayed
 * interval (on_interval), the run's own (its carbon) and one at a constant 1 g/kWh (whose
 * carbon is the interval's facility energy in kWh). The sums are kept at the last interval
 * of each bucket of a window cut as the decimator cuts it (processing/decimate.h), so the
 * curve costs one point per bucket, never one per sample. No I/O.
 *
 * Use: init, aim__energy_timeline_scenarios into the pricer's scenario list (the timeline
 * must stay where it is until the pricer is done), replay the run's energy groups in time
 * order across groups (the store's series reader merges them so), then finish. */
#ifndef AIM_PROCESSING_ENERGY_TIMELINE_H
#define AIM_PROCESSING_ENERGY_TIMELINE_H

#include <stddef.h>

#include "model/intensity.h"
#include "processing/decimate.h"
#include "processing/summary.h"
#include "processing/whatif_result.h"

typedef struct aim_energy_timeline {
    /* out, after finish: the curve, t ascending (s since the run's start); it starts at
     * (x0, 0, 0) and has at most buckets + 1 points; carbon is NaN without an intensity */
    double *t, *kwh, *g;
    size_t n;
    /* state */
    size_t cap;
    aim_decimator grid;          /* its buckets only: no sample is pushed */
    long bucket;                 /* the current bucket, -1 before the first interval */
    double t_last, kwh_sum, g_sum;
    int err;                     /* -ENOMEM, kept until finish */
    aim_intensity_point own_point, unit_point;
} aim_energy_timeline;

/* An empty curve over [x0, x1] s (x1 >= x0) cut in buckets buckets (at least 1). */
void aim__energy_timeline_init(aim_energy_timeline *tl, double x0, double x1, size_t buckets);
/* The two scenarios the curve is read from, written to sc[0] (the run's own, as
 * aim__whatif_run_scenario: the report's carbon) and sc[1] (1 g/kWh: the facility kWh), with
 * their on_interval set to the timeline. */
void aim__energy_timeline_scenarios(aim_energy_timeline *tl, const aim_run_summary *run,
                                    aim_whatif_scenario sc[2]);
/* Closes the curve once the pricer is finished: t, kwh, g, n are final. 0 or -ENOMEM. */
int aim__energy_timeline_finish(aim_energy_timeline *tl);
void aim__energy_timeline_free(aim_energy_timeline *tl);

#endif
