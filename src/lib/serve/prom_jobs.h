/* An agent's jobs for /metrics: the job table (engine/jobs.h) copied into the renderer's
 * input (report/prometheus.h) at each scrape. */
#ifndef AIM_SERVE_PROM_JOBS_H
#define AIM_SERVE_PROM_JOBS_H

#include <stdint.h>

#include "aimeter.h"
#include "engine/live.h"
#include "report/prometheus.h"

typedef struct aim_prom_jobs aim_prom_jobs;

/* *ret NULL (and 0) for a session that is not an agent's. -ENOMEM. */
int aim__prom_jobs_new(aim_session *s, aim_prom_jobs **ret);
/* Sets in->jobs and in->n_jobs from the table, with running jobs' figures from totals (the
 * scrape's copy of the snapshot). pj NULL: leaves in as it is. The pointers stay valid until
 * the next call. */
void aim__prom_jobs_fill(aim_prom_jobs *pj, const aim_live_totals *totals, int64_t now_ns,
                         aim_prom_input *in);
void aim__prom_jobs_free(aim_prom_jobs *pj);

#endif
