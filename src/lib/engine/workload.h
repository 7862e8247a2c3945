/* The workload side of a session (issue 5): events from the C API and the control socket,
 * phases and markers, records. The API and the socket push events (events.h); the writer
 * applies them before each batch of frames, attributes every accounted interval to the
 * phases by overlap (processing/phases.h) and stores what changed at each commit. */
#ifndef AIM_WORKLOAD_H
#define AIM_WORKLOAD_H

#include <stdint.h>

#include "processing/phases.h"
#include "processing/records.h"
#include "engine/control.h"
#include "engine/events.h"
#include "engine/jobs.h"
#include "engine/live.h"
#include "store/db.h"

#define AIM_WORKLOAD_QUEUE 65536
#define AIM_WORKLOAD_SPANS 100000
#define AIM_WORKLOAD_MARKS 10000
#define AIM_WORKLOAD_ROWS 65536 /* record rows between two commits */

typedef struct aim_workload {
    int ready;
    aim_events events;
    aim_control control;
    aim_jobs *jobs;                /* the agent's job table (owned), NULL in a run */
    aim_phases *phases;
    aim_records *records;
    aim_event *drain;              /* the writer's scratch */
    uint64_t refused;              /* events the bookkeeping could not take */
    /* Channels: metrics averaged per phase for the bottleneck hints (aim__phases_sample). */
    int n_ch;
    int ch_slot[AIM_PHASE_CHANNELS], ch_device[AIM_PHASE_CHANNELS];
    char ch_key[AIM_PHASE_CHANNELS][48];
    int64_t ch_last_t[AIM_PHASE_CHANNELS]; /* 0: no sample yet */
    /* An agent: the end of the last interval accounted per device (0: none yet), from which
     * closed phases no interval can reach any more are forgotten (aim__phases_prune). */
    int64_t acct_t1[AIM_PHASE_DEVICES];
    /* store progress */
    size_t spans_from;             /* first span that may still change (open, or new) */
    size_t marks_stored;
} aim_workload;

/* Allocates the queue and the bookkeeping; with control_path (may be NULL or ""), starts
 * the control socket there, answering "run" with run_info ("RUN_ID STORE_PATH"). jobs (may
 * be NULL; owned from now on, also on error): an agent's job table, whose socket takes every
 * local user's jobs (control.h). -errno (the socket's path in use: -EEXIST). */
int aim__workload_init(aim_workload *w, const char *control_path, const char *run_info,
                       aim_jobs *jobs);
/* Stops accepting from the socket (the command has ended). */
void aim__workload_close_socket(aim_workload *w);
void aim__workload_free(aim_workload *w);

/* From the API (any thread): queues a message already validated. -ENOBUFS when full,
 * -ENODEV before init. */
int aim__workload_push(aim_workload *w, const aim_control_msg *m);

/* Session setup: follow series slot (device device_idx, metric key) per phase. -ENOSPC past
 * AIM_PHASE_CHANNELS. */
int aim__workload_add_channel(aim_workload *w, int slot, int device_idx, const char *key);
/* Writer, every frame: the followed series' values over the interval since their last. */
void aim__workload_frame(aim_workload *w, const struct aim_frame *f);

/* Writer: applies every queued event. */
void aim__workload_apply(aim_workload *w);
/* Writer: device dev used de_j over (t0, t1] at power_w, carbon_g grams. */
void aim__workload_account(aim_workload *w, int dev, int64_t t0_ns, int64_t t1_ns, double de_j,
                          double power_w, double carbon_g);
/* Writer, at the end: closes the phases still open at t. */
void aim__workload_finish(aim_workload *w, int64_t t_ns);
/* Writer, inside the commit's transaction: what changed since the last call. Times are
 * stored relative to start_mono_ns. */
int aim__workload_store(aim_workload *w, aim_db *db, const char *run_id, int64_t start_mono_ns);
/* Writer, inside a live publication (live.h): the first AIM_LIVE_RECORDS counter keys and
 * their totals, in the order they first came (a key's slot never changes). */
void aim__workload_live_records(const aim_workload *w, aim_live *l);
/* Events that could not be kept (queue full, limits): for the report. */
uint64_t aim__workload_dropped(aim_workload *w);

#endif
