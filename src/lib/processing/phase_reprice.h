/* Per-phase carbon again, when the run's carbon is re-priced at its end (a provider's
 * history back-filled, engine/run_carbon.h): the replay of the stored samples gives each
 * interval's carbon at the new series, and each phase instance takes the share of it that
 * overlaps it, as aim__phases_account does live. Needs every instance (span) kept: past the
 * store's limit the phases keep their live pricing. End-of-run work: it allocates. */
#ifndef AIM_PHASE_REPRICE_H
#define AIM_PHASE_REPRICE_H

#include <stddef.h>
#include <stdint.h>

#include "processing/phases.h"

typedef struct aim_phase_repricer aim_phase_repricer;

/* For p's spans, whose times are on the sample clock; intervals will come in ns from
 * origin_ns (the run's start on that clock). -ERANGE when some instances were not kept
 * (their overlap cannot be known), -ENOMEM. */
int aim__phase_repricer_new(const aim_phases *p, int64_t origin_ns, aim_phase_repricer **ret);
/* An interval (t0, t1] (from origin) cost carbon_g. Intervals come in time order within a
 * rate group; a step back (the next group, or a device whose previous sample was older)
 * restarts the sweep. */
void aim__phase_repricer_interval(aim_phase_repricer *r, int64_t t0_ns, int64_t t1_ns,
                                 double carbon_g);
/* The rows' carbon as re-priced, into p. */
void aim__phase_repricer_apply(const aim_phase_repricer *r, aim_phases *p);
void aim__phase_repricer_free(aim_phase_repricer *r);

#endif
