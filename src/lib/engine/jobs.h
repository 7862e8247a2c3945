/* The agent's jobs (docs/agent.md): the batch jobs on the node that told the agent's control
 * socket who they are (`job ID`), each with its current phase and the node's energy since its
 * first message. Written by the control thread, read by the HTTP threads (/metrics); the
 * sampler and the writer never touch it, so its mutex can never make them wait. Bounded: at
 * most AIM_JOBS_MAX jobs; an ended job (`job end`, or silent for AIM_JOB_IDLE_NS) stays
 * visible for AIM_JOB_LINGER_NS, and a new job takes the place of the oldest ended one, else
 * of the one silent the longest, so a long-running agent never grows. */
#ifndef AIM_ENGINE_JOBS_H
#define AIM_ENGINE_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/live.h"
#include "model/control_proto.h"

#define AIM_JOBS_MAX 256
#define AIM_JOB_DEPTH 8                       /* phases followed per job for its label */
#define AIM_JOB_LINGER_NS 300000000000LL      /* 5 min: an ended job's last scrapes */
#define AIM_JOB_IDLE_NS 43200000000000LL      /* 12 h without a message: the job has ended */
#define AIM_JOB_DEVICES 64

typedef struct aim_jobs aim_jobs;

/* What a reader gets of a job. */
typedef struct aim_job_view {
    char id[AIM_CONTROL_JOB_MAX + 1];
    char phase[AIM_CONTROL_NAME_MAX + 1];  /* its innermost open phase, "" when none */
    int ended;
    double duration_s, energy_j, carbon_g; /* since its first message (to its end) */
} aim_job_view;

/* device_names: n_devices names ("gpu0"), copied. The figures are zeros until a snapshot is
 * attached. -ENOMEM. */
int aim__jobs_new(int n_devices, const char *const *device_names, aim_jobs **ret);
/* The session's snapshot, once it exists (the control thread may already be reading the
 * table: the pointer is published atomically). */
void aim__jobs_attach_live(aim_jobs *j, aim_live *live);
void aim__jobs_free(aim_jobs *j);
/* Tests: shorter linger and idle times. */
void aim__jobs_set_times(aim_jobs *j, int64_t linger_ns, int64_t idle_ns);

/* A message from job id at now (monotonic ns): the job is created when unknown (or ended):
 * 1; 0 when it was known and running. */
int aim__jobs_touch(aim_jobs *j, const char *id, int64_t now_ns);
/* Phase begin/end of job id, name without the job's prefix ("" for an anonymous end). */
void aim__jobs_phase(aim_jobs *j, const char *id, int begin, const char *name);
/* "SECONDS JOULES GRAMS DEVICE=JOULES..." of job id (the node's figures over its time so
 * far), into out; with end, the job ends now. -ENOENT for an unknown job. */
int aim__jobs_status(aim_jobs *j, const char *id, int64_t now_ns, int end, char *out,
                     size_t size);
/* The jobs (at most max) into out, for /metrics: energy and carbon of running jobs from
 * totals (the reader's copy of the snapshot). Forgets jobs ended longer than the linger time
 * ago. Returns how many. */
size_t aim__jobs_view(aim_jobs *j, int64_t now_ns, const aim_live_totals *totals,
                      aim_job_view *out, size_t max);

#endif
