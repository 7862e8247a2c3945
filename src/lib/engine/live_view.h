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

/* The run's batch-job id (aim__config_job_id), NULL when none; fixed before the session
 * starts, borrowed for the session's life. */
const char *aim__session_job_id(const aim_session *s);
/* The sampler's own counters (live_counters.c), for the exporter's self-metrics: relaxed
 * atomic reads, any thread, never blocking the sampler. */
typedef struct aim_live_counters {
    uint64_t ticks;    /* ticks of the main rate group (the run's interval) so far */
    uint64_t missed;   /* deadlines missed by every group plus ticks dropped at a full ring:
                        * the run's missed_deadlines */
    double interval_s; /* the main group's interval */
} aim_live_counters;
/* -EINVAL before the session started. */
int aim__session_live_counters(aim_session *s, aim_live_counters *ret);
/* An agent's job table (jobs.h; its own lock, never the sampler's), NULL for a run or before
 * the session started. */
struct aim_jobs;
struct aim_jobs *aim__session_jobs(aim_session *s);

#endif
