/* An agent's job run gets the job's phases (docs/slurm.md): the agent's instances named
 * "JOB: NAME" within the job's window (phases) are copied to the job's run as NAME, their
 * times moved to the job run's start, and NAME's totals (phase_totals, phase_devices) are
 * made from those instances only: the agent's figures for "JOB: NAME" times the window's
 * share of its time, so a job id that recurs in one agent run is never counted twice.
 * Internal; one statement per table, inside the caller's transaction when it holds one. */
#ifndef AIM_STORE_JOB_PHASES_H
#define AIM_STORE_JOB_PHASES_H

#include <stdint.h>

#include "store/db.h"

/* prefix: "JOB: "; from_ns, to_ns: the window in from_run's time (ns since it started); the
 * copies' times are less from_ns. -EOPNOTSUPP for a store that is not SQL, -EIO. */
int aim__db_job_phases_copy(aim_db *db, const char *from_run, const char *prefix,
                            int64_t from_ns, int64_t to_ns, const char *to_run);

#endif
