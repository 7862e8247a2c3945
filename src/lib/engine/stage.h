/* The writer's processing stages (docs/architecture.md, "where to add a live output").
 *
 * A stage is a const table of hooks over the session, in its own file (stage_*.c); the
 * writer and the session call every stage's hook in the order of aim_stages[] (stages.c),
 * and a NULL hook is skipped. The order matters: the energy stage closes each device's
 * interval and hands it down the later stages (carbon, then attribution and the workload,
 * which takes the carbon's figures), and the statistics see the power the energy stage
 * derives. A stage never does I/O or allocates in batch, frame or interval (the writer
 * runs them at the sampling rate); its results reach the store through its store hook,
 * which the store sink calls inside each commit's transaction. */
#ifndef AIM_ENGINE_STAGE_H
#define AIM_ENGINE_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "model/device.h"

struct aim_session;
struct aim_group;

/* One frame as the writer hands it to the stages and then the sinks. */
typedef struct aim_tick {
    struct aim_group *group;
    aim_frame *frame;        /* stages may add what they derive (the energy stage's power) */
    int64_t t_rel;           /* the frame's time from the run's start */
    int64_t span_ns;         /* the interval the tick closes (from the start for a group's first) */
    int in_stats;            /* 0 for the short closing interval at stop (docs/methodology.md) */
} aim_tick;

/* One device's accounted interval, closed by the energy stage and handed down the later
 * stages in table order; each adds what it knows for the ones after it. */
typedef struct aim_interval {
    int device;
    int64_t t0_ns, t1_ns;    /* monotonic: (t0, t1] */
    double e0_j, e1_j;       /* the device's energy at t0 and t1 */
    /* A counter's edge refined over its first second (processing/energy.h): edge_j of
     * (e0, e1] belongs to [edge_t0_ns, edge_t1_ns], the run's start to the first reading;
     * 0 when this interval carries no refinement. */
    double edge_j;
    int64_t edge_t0_ns, edge_t1_ns;
    double power_w;          /* the device's instantaneous power reading, NaN when none */
    /* The carbon stage: the device's carbon so far (g) before the interval, after its edge
     * part (g0 without one) and after the interval. */
    double g0, g_edge, g1;
} aim_interval;

typedef struct aim_stage {
    const char *name;
    /* start(), once the run's summary and energy plan exist and before the rate groups are
     * allocated: set up and allocate. A negative errno fails the start, with the session's
     * message set (aim__session_fail). */
    int (*start)(struct aim_session *s);
    /* Writer: before each batch of frames. */
    void (*batch)(struct aim_session *s);
    /* Writer: every frame, in time order across the rate groups. */
    void (*frame)(struct aim_session *s, aim_tick *t);
    /* Writer: every device interval the energy stage closed. */
    void (*interval)(struct aim_session *s, aim_interval *iv);
    /* stop() begins, before the threads are joined: take nothing more from outside. */
    void (*stopping)(struct aim_session *s);
    /* stop(), after the last frame, at t_ns (monotonic), before the run's end is stamped. */
    void (*end)(struct aim_session *s, int64_t t_ns);
    /* stop(), once the summary has its final figures, before the last commit. */
    void (*close)(struct aim_session *s);
    /* Inside every commit's transaction (the store sink): what changed since the last. */
    int (*store)(struct aim_session *s);
    /* stop(), after the last commit; complete: every sample was stored. */
    void (*stored)(struct aim_session *s, int complete);
    /* aim_session_free: whether or not start ran. */
    void (*release)(struct aim_session *s);
} aim_stage;

extern const aim_stage aim_stage_energy, aim_stage_carbon, aim_stage_attribution,
    aim_stage_workload, aim_stage_corr, aim_stage_stats, aim_stage_job_gpu;

/* The table, in the order the writer runs it. */
extern const aim_stage *const aim_stages[];
extern const size_t aim_stage_count;

/* The energy stage: hands iv to every stage's interval hook, in table order. */
void aim__stages_interval(struct aim_session *s, aim_interval *iv);

#endif
