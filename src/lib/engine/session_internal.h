/* The session: configuration, catalog, rate groups with their sampler threads, the writer
 * thread and the live figures. Shared by session.c, sampler.c and writer.c only. */
#ifndef AIM_SESSION_INTERNAL_H
#define AIM_SESSION_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "processing/attribution.h"
#include "processing/energy.h"
#include "processing/stats.h"
#include "processing/summary.h"
#include "engine/run_carbon.h"
#include "sources/catalog.h"
#include "engine/chunk_backlog.h"
#include "engine/config.h"
#include "engine/live.h"
#include "engine/ring.h"
#include "engine/schedule.h"
#include "engine/stage.h"
#include "store/codec.h"
#include "store/db.h"
#include "engine/workload.h"

#define AIM_MAX_GROUPS 6
#define AIM_MAX_SOURCES 16

typedef struct aim_group {
    int index;
    int64_t interval_ns;
    int base, count;              /* series slots [base, base + count) */
    int sources[AIM_MAX_SOURCES]; /* indices into aim_sources[] polled by this group */
    int n_sources;
    aim_frame *frame;             /* the sampler's scratch frame */
    aim_ring *ring;
    pthread_t thread;
    int thread_started;
    atomic_uint_fast64_t ticks;
    atomic_uint_fast64_t missed;
    aim_jitter jitter;            /* written by the sampler; read after join */
    int64_t first_poll_ns;        /* the first tick, when start() took it (main group) */
    /* writer side */
    aim_frame *wframe;            /* the writer's pop buffer */
    aim_chunk_encoder *encoder;
    int64_t chunk_seq;
    uint64_t written_ticks;
    int64_t first_t, last_t;      /* relative to start, of ticks written */
} aim_group;

typedef struct aim_source_slot {
    void *state;
    int open;                     /* opened successfully */
    atomic_int dropped;           /* set by the sampler when poll fails for good */
    atomic_int drop_error;
    atomic_int_fast64_t drop_t_ns;
    int drop_reported;            /* writer side */
} aim_source_slot;

/* Per device energy accounting (writer thread). */
typedef struct aim_device_energy {
    int counter_slot;             /* measured AIM_M_ENERGY series or -1 */
    int power_slot;               /* power series to integrate when there is no counter, or -1 */
    int derived_power_slot;       /* power derived from the counter (engine-filled), or -1 */
    aim_energy_meter meter;
    /* The live power of a device with a counter and no power reading (sink_live.c): the
     * counter's mean over the last second or more, from this reference reading on. */
    int64_t live_ref_t;
    double live_ref_j;
    double live_power_w;
    int live_have_ref, live_have_power;
} aim_device_energy;

struct aim_session {
    aim_config cfg;
    char errmsg[512];
    int started, stopped;

    aim_catalog catalog;
    aim_source_slot slots[AIM_MAX_SOURCES];
    aim_group groups[AIM_MAX_GROUPS];
    int n_groups;
    int main_group;               /* the group at the run's own interval: samples, first tick */

    aim_db *db;
    aim_run_summary run;          /* the live summary the store is updated from */
    aim_stats *stats;             /* per series */
    aim_device_energy *energy;    /* per device */
    aim_run_carbon carbon;        /* intensity and price series, carbon and cost accounting */
    aim_workload workload;        /* phases, markers and records from the workload */
    aim_attr_device *attr;        /* per device: the process tree's share (stage_attribution.c) */
    /* An agent's job slots (model/job_slots.h): the NVML source splits each GPU's process
     * samples by them, the job GPU stage their energy, the job table claims them. */
    struct aim_job_slots *job_slots;
    struct aim_job_gpu *job_gpu;  /* per device: its job series (stage_job_gpu.c) */
    double *latest;               /* per series: its latest value (writer thread) */
    unsigned char *latest_ok;
    aim_live *live;               /* the live snapshot (sink_live.c) */
    /* The writer's tables: aim_stages and aim_sinks (stages.c); a test may give others
     * before start. */
    const aim_stage *const *stages;
    size_t n_stages;
    const struct aim_sink *const *sinks;
    size_t n_sinks;
    char run_info[AIM_CONTROL_LINE_MAX]; /* "RUN_ID STORE_PATH", the control socket's "run" */
    struct aim_corr *corr;        /* correlation co-moments (writer thread), or NULL */

    int64_t start_mono_ns;
    pthread_mutex_t lock;
    pthread_cond_t wake;          /* sampler sleeps, writer waits, stop wakes everyone */
    atomic_int stopping;
    pthread_t writer;
    int writer_started;
    int writer_error;             /* negative errno while the store refuses commits */
    int store_error;              /* the first such error of the run (0: none) */
    int run_recorded;             /* the run's rows are committed (sink_store.c) */
    aim_chunk_backlog backlog;    /* encoded chunks no commit has stored yet (sink_store.c) */
    int backlog_warned;           /* the bound was hit and said so */
    int64_t retention_due_ns;     /* the next retention pass (sink_retention.c), monotonic */
    int retention_said, retention_failed; /* its warnings, once each */
    struct aim_uploader *uploader; /* a server store's spool uploader (uploader.c), or NULL */
};

/* Sets the session's message and returns err: for start() and the stages' and sinks'
 * start hooks. */
int aim__session_fail(aim_session *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void *aim__sampler_main(void *group_arg);
/* start(): the group's first tick, taken on the calling thread before its sampler thread
 * exists (which then goes on from it). */
void aim__sampler_first_tick(aim_group *g);
void *aim__writer_main(void *session_arg);

/* Logs a warning and keeps it with the run (runs.warnings, stored by the next commit).
 * Writer thread, or the session's before the threads start / after they are joined. */
void aim__session_warn(aim_session *s, const char *line);

/* Writer helpers also used by session.c after the threads are joined. */
int aim__writer_drain(aim_session *s);
void aim__writer_refresh_summary(aim_session *s);

/* The session a group belongs to (groups are embedded in the session). */
aim_session *aim__group_session(aim_group *g);

int64_t aim__mono_ns(void);
int64_t aim__wall_ns(void);

#endif
