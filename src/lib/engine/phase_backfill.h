/* The phases' carbon re-priced with the run when a provider's history is back-filled at its
 * end (aim__run_carbon_backfill's hook, processing/phase_reprice.h): without it, per-phase
 * carbon would keep the live pricing while the run's total took the history's. */
#ifndef AIM_PHASE_BACKFILL_H
#define AIM_PHASE_BACKFILL_H

#include <stdint.h>

#include "processing/phase_reprice.h"
#include "engine/run_carbon.h"
#include "engine/workload.h"

typedef struct aim_phase_backfill {
    aim_phase_repricer *repricer;
    aim_workload *workload;
    const char *run_id;
} aim_phase_backfill;

/* Fills *hook for w's phases (times from origin_ns, the run's start on the sample clock).
 * 0 with a hook; 1 when there is nothing to re-price (no phases: *hook zeroed); -ERANGE when
 * not every phase instance was kept (the phases keep their live carbon), -ENOMEM. */
int aim__phase_backfill_init(aim_phase_backfill *b, aim_workload *w, int64_t origin_ns,
                            const char *run_id, aim_backfill_hook *hook);
void aim__phase_backfill_free(aim_phase_backfill *b);

#endif
