/* The writer's sinks: where a run's frames and figures go once the stages have processed
 * them (docs/architecture.md, "where to add a live output"). Today the store (sink_store.c)
 * and the live snapshot (sink_live.c, live.h); a new output is a file with one of these and
 * a row in aim_sinks[] (sinks.c). NULL hooks are skipped; the order of the table is the
 * order of the calls. Like the stages, a sink does no I/O in frame or publish. */
#ifndef AIM_ENGINE_SINK_H
#define AIM_ENGINE_SINK_H

#include <stddef.h>

#include "engine/stage.h"

typedef struct aim_sink {
    const char *name;
    /* start(), after the stages and the rate groups: set up and allocate (negative errno
     * fails the start, with the session's message set). */
    int (*start)(struct aim_session *s);
    /* Writer thread, first thing. */
    void (*open)(struct aim_session *s);
    /* Writer: every frame, after every stage. */
    void (*frame)(struct aim_session *s, const aim_tick *t);
    /* Writer: after a batch of frames, the run's summary refreshed. */
    void (*publish)(struct aim_session *s);
    /* Writer: when a commit is due (every 750 ms). */
    void (*commit)(struct aim_session *s);
    /* stop(), after the stages' close: the last of it. 0, or a negative errno that stop()
     * reports (the first sink's to fail). */
    int (*finish)(struct aim_session *s);
    /* aim_session_free: whether or not start ran. */
    void (*release)(struct aim_session *s);
} aim_sink;

extern const aim_sink aim_sink_store, aim_sink_live, aim_sink_retention, aim_sink_upload;
extern const aim_sink aim_sink_job_runs; /* an agent's job runs (job_run.h) */

extern const aim_sink *const aim_sinks[];
extern const size_t aim_sink_count;

#endif
