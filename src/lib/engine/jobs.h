/* The agent's jobs (docs/agent.md): the batch jobs on the node that told the agent's control
 * socket who they are (`job ID`), each with its current phase and the node's energy since its
 * first message. Written by the control thread, read by the HTTP threads (/metrics); the
 * sampler and the writer never touch it, so its mutex can never make them wait. Bounded: at
 * most AIM_JOBS_MAX jobs; an ended job (`job end`, or silent for AIM_JOB_IDLE_NS) stays
 * visible for AIM_JOB_LINGER_NS, and a new job takes the place of the oldest ended one, else
 * of the same user's job silent the longest, so a long-running agent never grows. A job id
 * belongs to the uid that made it (the socket's SO_PEERCRED): only that uid or root may send
 * as it or end it, and a uid has at most AIM_JOBS_PER_UID running jobs, so no user can end
 * or push out another's (docs/agent.md). */
#ifndef AIM_ENGINE_JOBS_H
#define AIM_ENGINE_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/job_run.h"
#include "engine/live.h"
#include "model/control_proto.h"
#include "model/job_info.h"

#define AIM_JOBS_MAX 256
#define AIM_JOB_DEPTH 8                       /* phases followed per job for its label */
#define AIM_JOB_LINGER_NS 300000000000LL      /* 5 min: an ended job's last scrapes */
#define AIM_JOB_IDLE_NS 43200000000000LL      /* 12 h without a message: the job has ended */
#define AIM_JOB_DEVICES 64
#define AIM_JOBS_PER_UID 32                   /* running jobs of one uid (root: no cap) */
#define AIM_JOBS_PENDING AIM_JOBS_MAX         /* ended jobs waiting for their run's store:
                                               * as many as the table holds */

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
/* The session's job slots (model/job_slots.h), before the control thread runs: a job with a
 * cgroup (`job info`) claims one, so that its processes' GPU use is told apart, and its
 * ended run carries it (aim_job_ended.gpu_slot) until the writer takes its figures
 * (aim__jobs_settle_gpu). */
void aim__jobs_attach_slots(aim_jobs *j, aim_job_slots *slots);
void aim__jobs_free(aim_jobs *j);
/* Tests: shorter linger and idle times. */
void aim__jobs_set_times(aim_jobs *j, int64_t linger_ns, int64_t idle_ns);

/* Called (table locked: it must not call back into the table) when a job ends, by `job end`
 * or by silence, with how many of its phases were open: the control socket closes them. */
typedef void aim_jobs_on_end(void *ctx, const char *id, int open_phases);
void aim__jobs_set_on_end(aim_jobs *j, aim_jobs_on_end *fn, void *ctx);

/* A message from job id, sent by uid, at now (monotonic ns): the job is created when unknown
 * (or ended): 1; 0 when it was known and running. -EPERM: the id is another uid's (root may
 * use any); -EDQUOT: uid has AIM_JOBS_PER_UID running jobs; -ENOSPC: the table is full of
 * other users' running jobs. aim__jobs_touch: as root (tests). */
int aim__jobs_touch_as(aim_jobs *j, const char *id, uint32_t uid, int64_t now_ns);
int aim__jobs_touch(aim_jobs *j, const char *id, int64_t now_ns);
/* Phase begin/end of job id, name without the job's prefix ("" for an anonymous end). */
void aim__jobs_phase(aim_jobs *j, const char *id, int begin, const char *name);
/* `job info` (root only: the caller checks): job id is created when unknown, becomes
 * info->uid's when one is given, keeps the info (fields given replace the earlier ones) and
 * has its cgroup read. A job that had it gets a run when it ends (job_run.h): its figures
 * wait in a queue of AIM_JOBS_PENDING (the oldest dropped beyond, counted) for
 * aim__jobs_take_ended. Returns as aim__jobs_touch_as. */
int aim__jobs_info(aim_jobs *j, const char *id, const aim_job_info *info, int64_t now_ns);
/* The agent stops: every running job that had `job info` ends now, cut (its run says so). */
void aim__jobs_cut_running(aim_jobs *j, int64_t now_ns);
/* The oldest ended job waiting for its run, if it ended at or before until_ns (monotonic):
 * into out, 1; 0 when none. *dropped (may be NULL): how many were dropped so far. */
int aim__jobs_take_ended(aim_jobs *j, int64_t until_ns, aim_job_ended *out, uint64_t *dropped);
/* Writer: the GPU figures of every ended job that ended at or before until_ns (monotonic)
 * taken from its job slot, and the slot freed (aim__job_run_take_gpu), whether or not its
 * run can be stored yet, so that a store that refuses runs never holds every slot. */
void aim__jobs_settle_gpu(aim_jobs *j, int64_t until_ns);
/* How many ended jobs' runs were dropped from a full queue since the last call (the writer
 * warns with it: aim__session_warn). */
uint64_t aim__jobs_take_dropped(aim_jobs *j);
/* Open phases of all running jobs (followed by begin/end above): the node's phase stack. */
int aim__jobs_open_phases(aim_jobs *j);
/* Job id gets one more holder (a joined `aimeter run`, `job hold`): `job end` then ends it
 * only when it is the last holder's. -ENOENT. */
int aim__jobs_hold(aim_jobs *j, const char *id);
/* The end argument below: AIM_JOB_END for `job end`, AIM_JOB_END_HOLD for `job leave` (a
 * joined run that sent `job hold` leaves). */
#define AIM_JOB_END 1
#define AIM_JOB_END_HOLD 2
/* "SECONDS JOULES GRAMS DEVICE=JOULES..." of job id (the node's figures over its time so
 * far), into out; with end, one holder leaves and the job ends now if none is left (a job
 * nobody holds ends at once). A job that had root's `job info` is also held by the batch
 * system: only root's AIM_JOB_END (its epilog) releases that, and ends the job whatever
 * holders are left (the job's tasks are gone); a user's end or a joined run's leave only
 * lets go of one hold. -ENOENT for an unknown job, -EPERM for another uid's. */
int aim__jobs_status_as(aim_jobs *j, const char *id, uint32_t uid, int64_t now_ns, int end,
                        char *out, size_t size);
int aim__jobs_status(aim_jobs *j, const char *id, int64_t now_ns, int end, char *out,
                     size_t size);
/* "INSTANCE SECONDS JOULES GRAMS DEVICE=JOULES..." of the node since the agent started
 * (`job node`): INSTANCE names this agent process, so a client that reads it twice knows
 * whether the agent restarted in between and can take the difference itself. */
int aim__jobs_node(aim_jobs *j, int64_t now_ns, char *out, size_t size);
/* The jobs (at most max) into out, for /metrics: energy and carbon of running jobs from
 * totals (the reader's copy of the snapshot). Forgets jobs ended longer than the linger time
 * ago. Returns how many. */
size_t aim__jobs_view(aim_jobs *j, int64_t now_ns, const aim_live_totals *totals,
                      aim_job_view *out, size_t max);

#endif
