/* An agent's jobs for /metrics (prom_jobs.h). */
#include <errno.h>
#include <stdlib.h>

#include "engine/jobs.h"
#include "engine/live_view.h"
#include "serve/prom_jobs.h"

struct aim_prom_jobs {
    aim_jobs *jobs;
    aim_job_view views[AIM_JOBS_MAX];
    aim_prom_job rows[AIM_JOBS_MAX];
};

int aim__prom_jobs_new(aim_session *s, aim_prom_jobs **ret) {
    *ret = NULL;
    aim_jobs *jobs = aim__session_jobs(s);
    if (!jobs)
        return 0;
    aim_prom_jobs *pj = calloc(1, sizeof *pj);
    if (!pj)
        return -ENOMEM;
    pj->jobs = jobs;
    *ret = pj;
    return 0;
}

void aim__prom_jobs_fill(aim_prom_jobs *pj, const aim_live_totals *totals, int64_t now_ns,
                         aim_prom_input *in) {
    if (!pj)
        return;
    size_t n = aim__jobs_view(pj->jobs, now_ns, totals, pj->views, AIM_JOBS_MAX);
    for (size_t k = 0; k < n; k++) {
        const aim_job_view *v = &pj->views[k];
        pj->rows[k] = (aim_prom_job){ .id = v->id, .phase = v->phase, .ended = v->ended,
                                      .duration_s = v->duration_s, .energy_j = v->energy_j,
                                      .carbon_g = v->carbon_g };
    }
    in->jobs = pj->rows;
    in->n_jobs = (int)n;
}

void aim__prom_jobs_free(aim_prom_jobs *pj) { free(pj); }
