/* The what-if replay: the store's series reader feeding the pricer of processing/whatif.h,
 * used by the writer (a run re-priced at its end) and by the what-if outputs. */
#ifndef AIM_ENGINE_WHATIF_REPLAY_H
#define AIM_ENGINE_WHATIF_REPLAY_H

#include <stddef.h>

#include "processing/whatif.h"
#include "store/db.h"

/* Replays run's samples from db once and prices them in every scenario at PUE pue (>= 1).
 * run is the run's loaded summary. -ENOENT, -EBADMSG (corrupt chunk), -ENOMEM; db's error
 * message says more. */
int aim__whatif_replay(aim_db *db, const aim_run_summary *run, double pue,
                      aim_whatif_scenario *sc, size_t n_sc, aim_whatif_totals *ret_totals);

#endif
