/* What a live reader in another layer (serve/) needs of a running session: its snapshot and
 * the run's summary, whose identity (id, name, host, zone) and catalogue (devices, series:
 * device, metric, instance) are fixed before aim_session_start returns. A reader copies those
 * fixed fields once and then reads only the snapshot (live.h): the summary's figures belong to
 * the writer thread. */
#ifndef AIM_ENGINE_LIVE_VIEW_H
#define AIM_ENGINE_LIVE_VIEW_H

#include "aimeter.h"
#include "engine/live.h"
#include "processing/summary.h"

/* -EINVAL before the session started (there is no snapshot yet). The snapshot's slots are the
 * summary's series and devices, in order. */
int aim__session_live_view(aim_session *s, aim_live **ret_live, const aim_run_summary **ret_run);

/* An agent's job table (jobs.h; its own lock, never the sampler's), NULL for a run or before
 * the session started. */
struct aim_jobs;
struct aim_jobs *aim__session_jobs(aim_session *s);

#endif
