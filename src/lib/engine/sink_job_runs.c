/* The agent's job runs (job_run.h): at each commit the writer stores one run for every job
 * that ended on the node (`job info` told who it was) at least JOB_RUN_DELAY_NS ago, so
 * that the phase ends its end queued are in the agent's run first (and then copied to the
 * job's run: store/job_phases.h); at the end of the agent, every one still waiting, and
 * the jobs still running, cut at the agent's stop (status interrupted, a warning). The
 * writer's own store handle and thread: the sampler never waits for it, and a store that
 * refuses it loses that job's run (said in a warning), never a sample. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "engine/job_run.h"
#include "engine/session_internal.h"
#include "engine/sink.h"
#include "store/job_phases.h"
#include "store/tags_store.h"

#define JOB_RUN_DELAY_NS 2000000000LL

static int store_job_run(aim_session *s, aim_job_ended *e) {
    aim_run_summary run;
    aim_run_tag tags[AIM_JOB_RUN_TAGS];
    size_t n_tags = 0;
    double attributed[AIM_JOB_RUN_DEVICES];
    const char *methods[AIM_JOB_RUN_DEVICES];
    aim__job_run_take_gpu(e, s->job_slots); /* taken already (settle), unless cut short */
    int r = aim__job_run_build(e, &s->run, &run, tags, &n_tags, attributed, methods);
    if (r < 0)
        return r;
    if (aim__db_run_exists(s->db, run.id) == 0) { /* stored already: the same window */
        aim__run_summary_clear(&run);
        return 0;
    }
    r = aim__db_begin(s->db);
    if (r >= 0)
        r = aim__db_run_insert(s->db, &run, getpid());
    for (int d = 0; r >= 0 && d < run.n_devices; d++)
        r = aim__db_device_insert(s->db, run.id, d, &run.devices[d]);
    if (r >= 0)
        r = aim__db_run_update(s->db, &run);
    for (int d = 0; r >= 0 && d < run.n_devices; d++)
        if (attributed[d] == attributed[d])
            r = aim__db_device_attribution(s->db, run.id, d, attributed[d], methods[d]);
    if (r >= 0)
        r = aim__db_run_tags_store(s->db, run.id, tags, n_tags);
    if (r >= 0) { /* its phases: "JOB: NAME" in the agent's run, NAME in the job's */
        char prefix[AIM_CONTROL_JOB_MAX + 3];
        snprintf(prefix, sizeof prefix, "%s: ", e->id);
        r = aim__db_job_phases_copy(s->db, s->run.id, prefix, e->start_mono_ns - s->start_mono_ns,
                                    e->end_mono_ns - s->start_mono_ns, run.id);
    }
    if (r >= 0)
        r = aim__db_commit(s->db);
    else
        aim__db_rollback(s->db);
    aim__run_summary_clear(&run);
    return r;
}

static void store_ended(aim_session *s, int64_t until_ns) {
    aim_jobs *jobs = s->workload.jobs;
    if (!jobs || !s->run_recorded)
        return;
    aim_job_ended e;
    uint64_t dropped = 0;
    while (aim__jobs_take_ended(jobs, until_ns, &e, &dropped) == 1) {
        int r = store_job_run(s, &e);
        if (r < 0) {
            char line[400];
            snprintf(line, sizeof line, "store: the run of job %s could not be stored (%s)", e.id,
                     aim__db_errmsg(s->db));
            aim__session_warn(s, line);
        }
    }
}

/* Jobs ended JOB_RUN_DELAY_NS ago: every frame of their window has been through the stages
 * (the writer is far less behind), so their GPU figures are complete. */
static void commit(aim_session *s) {
    int64_t until = aim__mono_ns() - JOB_RUN_DELAY_NS;
    if (s->workload.jobs)
        aim__jobs_settle_gpu(s->workload.jobs, until);
    store_ended(s, until);
}

static int finish(aim_session *s) {
    if (s->workload.jobs) { /* the control thread has stopped: nothing else ends them now */
        aim__jobs_cut_running(s->workload.jobs, aim__mono_ns());
        aim__jobs_settle_gpu(s->workload.jobs, INT64_MAX); /* the last frame is in */
    }
    store_ended(s, INT64_MAX);
    return 0;
}

const aim_sink aim_sink_job_runs = {
    .name = "job runs",
    .commit = commit,
    .finish = finish,
};
