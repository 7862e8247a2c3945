/* What the live routes of `aimeter serve` read from the store (serve_api_live.c,
 * serve_api_events.c): the runs in progress, their latest values and open phases as
 * /api/live's JSON, and a run's samples after a time, as the event stream sends them. The
 * store's writer commits every 750 ms: the samples up to the run's stored duration (the time
 * of its latest sample) and the run's row land in one transaction, so a reader that takes the
 * samples up to that duration misses none later. */
#ifndef AIM_API_SERVE_API_LIVE_H
#define AIM_API_SERVE_API_LIVE_H

#include <stdint.h>

#include "processing/summary.h"
#include "store/db.h"
#include "util/json.h"

#define AIM_SERVE_LIVE_SCHEMA "aimeter.serve-live/1"

/* {"schema": "aimeter.serve-live/1", "runs": [...]}: the store's runs whose status is
 * running and that are not stale, newest first (docs/http-api.md). 0, -ENOMEM, or the
 * store's -errno (db's message set). */
int aim__serve_live_json(aim_db *db, json_t **ret);

/* Calls fn for every tick of the run in (after_ns, upto_ns] (ns since its start), in time
 * order, values in the run's series order (NaN: none in this tick). 0, fn's nonzero return,
 * or the store's -errno. */
typedef int (*aim_serve_live_fn)(int64_t t_ns, const double *values, void *userdata);
int aim__serve_live_ticks(aim_db *db, const aim_run_summary *run, int64_t after_ns,
                          int64_t upto_ns, aim_serve_live_fn fn, void *userdata);

#endif
