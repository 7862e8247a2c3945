/* Rewriting a run's stored intensity or price series (table run_intensity / run_price,
 * docs/store.md). The writer only ever appends points (aim__db_steps_insert); a run whose
 * carbon is priced again at its end, with a live provider's back-filled history, replaces
 * its series with the one it was priced with, so that reports stay reproducible offline. */
#ifndef AIM_STEPS_STORE_H
#define AIM_STEPS_STORE_H

#include <stddef.h>

#include "model/intensity.h"
#include "store/db.h"

/* Deletes the run's points of series `which` (0 intensity, 1 price) and inserts points
 * [0, n), strictly increasing in time. Inside the caller's transaction (aim__db_begin): on an
 * error the caller rolls back and nothing changed. -errno with the db's message set. */
int aim__db_steps_replace(aim_db *db, const char *run_id, int which,
                         const aim_intensity_point *points, size_t n);

#endif
