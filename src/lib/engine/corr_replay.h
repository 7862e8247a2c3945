/* Recomputing a stored run's correlation matrix: the store's series reader feeding the same
 * computation as the live session (processing/corr.h). */
#ifndef AIM_CORR_REPLAY_H
#define AIM_CORR_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "processing/corr.h"
#include "processing/summary.h"
#include "store/db.h"

/* Rebuilds the matrix by replaying the run's chunks on the same grid, in time order: the
 * result equals the stored one to 1e-12 in r (tests/unit/test_corr.c), in practice bit for
 * bit. ranges (may be NULL) restrict the grid ticks to [t0, t1) parts of the run. run is the
 * run's loaded summary. -EBADMSG for a corrupt chunk, -ENOMEM, other -errno from the store
 * (db's message set). */
int aim__corr_replay_run(aim_db *db, const aim_run_summary *run, const aim_time_range *ranges,
                        size_t n_ranges, aim_corr_matrix **ret);

/* The same over the series include[] marks (per series of run; NULL: those the run
 * correlates, aim__corr_include), handing every row to fn (may be NULL) as it is accumulated
 * (aim__corr_set_row_fn). */
int aim__corr_replay_rows(aim_db *db, const aim_run_summary *run, const uint8_t *include,
                          const aim_time_range *ranges, size_t n_ranges, aim_corr_row_fn fn,
                          void *userdata, aim_corr_matrix **ret);

#endif
