/* Phases and markers of a run (issue 5): named, nestable intervals and instants from the
 * workload, and the energy, power and carbon of each phase. Pure bookkeeping for the writer
 * thread: all memory is allocated by aim__phases_new, nothing after.
 *
 * Attribution is by overlap: an accounted interval (t0, t1] of a device, in which the device
 * used dE joules, gives each phase instance [a, b) the share |(t0, t1] ∩ [a, b)| / (t1 - t0)
 * of dE (energy is taken as spread evenly over the interval, the best a sampled meter knows).
 * Because it only needs each instance's bounds, events and intervals may be fed in any order
 * as long as every event at or before t1 is in before an interval ending at t1 (the writer
 * guarantees it: session_internal.h). Nested phases each get the full share of their time:
 * "decode" inside "request 7" counts for both, so shares across nesting levels do not add up
 * to 100 % (docs/methodology.md). Instances of one name add up into one row. */
#ifndef AIM_PHASES_H
#define AIM_PHASES_H

#include <stddef.h>
#include <stdint.h>

#define AIM_PHASE_NAME_MAX 128   /* bytes of a phase name or mark text */
#define AIM_PHASE_NAMES 64       /* distinct names with their own row */
#define AIM_PHASE_DEPTH 16       /* open at once */
#define AIM_PHASE_RECENT 256     /* closed instances kept for intervals still to come */
#define AIM_PHASE_DEVICES 64
#define AIM_PHASE_KEYS 64        /* record keys (AIM_RECORD_KEYS) */
#define AIM_PHASE_CHANNELS 80    /* metrics averaged per phase, for the bottleneck hints */
/* A device without an instantaneous power reading gets its peak from its energy over windows
 * of at least this much phase time: a 10 ms sampler reading a counter that moves every
 * ~100 ms (NVML) sees ΔE/Δt spikes of 10x; over 1 s the counter's step is at most a tenth. */
#define AIM_PHASE_PEAK_WINDOW_NS 1000000000LL

typedef struct aim_phase_row {
    char name[AIM_PHASE_NAME_MAX + 1];
    uint64_t instances;
    int64_t first_ns, last_end_ns; /* run-clock bounds of all its instances */
    int64_t total_ns;              /* summed duration of its closed instances */
    double energy_j[AIM_PHASE_DEVICES];
    double peak_w[AIM_PHASE_DEVICES]; /* highest power seen while it was open (aim__phases_account) */
    double win_j[AIM_PHASE_DEVICES];  /* the peak window being filled: energy, time */
    int64_t win_ns[AIM_PHASE_DEVICES];
    double carbon_g;
    int unterminated;              /* instances still open at the end of the run */
    /* Workload records (records.h) made while it was open, by key index: counters' sum,
     * gauges' sum and count (their mean in the phase is rec_sum / rec_n). */
    double rec_sum[AIM_PHASE_KEYS];
    uint64_t rec_n[AIM_PHASE_KEYS];
    /* Time-weighted sums of the channels (aim__phases_sample): mean = ch_sum / ch_w. */
    double ch_sum[AIM_PHASE_CHANNELS], ch_w[AIM_PHASE_CHANNELS];
} aim_phase_row;

/* One instance, for the store (the phases table) and for overlap. */
typedef struct aim_phase_span {
    int row;                  /* -1: its row was released after the span was stored */
    int depth;
    int64_t start_ns, end_ns; /* end INT64_MAX while open */
} aim_phase_span;

typedef struct aim_phase_mark {
    int64_t t_ns;
    char text[AIM_PHASE_NAME_MAX + 1];
} aim_phase_mark;

typedef struct aim_phases aim_phases;

/* max_spans / max_marks: how many instances and marks are kept for the store; beyond that
 * they still count in the rows, and the overflow is counted (aim__phases_dropped). */
int aim__phases_new(size_t max_spans, size_t max_marks, aim_phases **ret);
void aim__phases_free(aim_phases *p);

/* A phase opens at t. -ENOSPC when AIM_PHASE_DEPTH are open or the name table is full
 * (counted; the phase is ignored). */
int aim__phases_begin(aim_phases *p, int64_t t_ns, const char *name);
/* The same for a phase of a scope (an agent's job "JOB: ", another rank "[rank 3] "; scope_len
 * bytes of name's prefix): an unscoped end (aim__phases_end) of a phase it opened inside does
 * not end it; only its own scope's ends do (aim__phases_end_scoped, _end_scope). */
int aim__phases_begin_scoped(aim_phases *p, int64_t t_ns, const char *name, size_t scope_len);
/* Closes the innermost open phase called name (NULL or "": the innermost unscoped one), and
 * any opened inside it but those begun scoped, at t. -ENOENT when none is open by that name
 * (counted). */
int aim__phases_end(aim_phases *p, int64_t t_ns, const char *name);
/* The same within a scope (the agent's jobs, docs/agent.md): the phases whose names start
 * with name's first prefix_len bytes ("JOB: "). name longer than the prefix: the innermost
 * open phase of exactly that name; name just the prefix: the innermost open phase of the
 * scope. The scope's phases opened inside it end with it; other scopes' phases, wherever they
 * sit in the stack, stay open. prefix_len 0: aim__phases_end. -ENOENT as there. */
int aim__phases_end_scoped(aim_phases *p, int64_t t_ns, const char *name, size_t prefix_len);
/* A job has ended (docs/agent.md): every open phase whose name starts with prefix (len bytes,
 * "JOB: ") ends at t, marked unterminated; other scopes' phases stay open. The scope's rows
 * become releasable: aim__phases_release frees them once final, so that an agent, one run
 * for months, never runs out of rows. A later begin of such a name keeps its row. Returns
 * how many ended; none is not an error (nothing counted). */
int aim__phases_end_scope(aim_phases *p, int64_t t_ns, const char *prefix, size_t len);
/* After a commit that stored every row and every span before spans_from (the spans from
 * there on are stored again at each commit): frees the releasable rows that can no longer
 * change (none of their instances open, or still in the recent ring: aim__phases_prune). The
 * rows left are compacted (indices change); their spans from spans_from on follow, and the
 * freed rows' spans there get row -1 (stored, final: the store skips them). The spans before
 * spans_from keep stale row indices, so the instance count no longer matches the spans and
 * a later re-pricing is refused (-ERANGE, phase_reprice.h). Returns how many were freed. */
size_t aim__phases_release(aim_phases *p, size_t spans_from);
/* An instant. -ENOSPC past max_marks (counted). */
int aim__phases_mark(aim_phases *p, int64_t t_ns, const char *text);

/* Device dev used de_j joules over (t0, t1], carbon_g grams (0 for a device outside the
 * run's total); reading_w is its instantaneous power reading at t1, NaN when it has none.
 * A phase's peak is its highest reading; for a device without readings, its highest mean
 * power over windows of AIM_PHASE_PEAK_WINDOW_NS of the phase's time (never the ΔE/Δt of
 * one sampling interval, which counter steps inflate: issue 11). aim__phase_device_peak_w
 * adds the phase's mean power as a floor. */
void aim__phases_account(aim_phases *p, int dev, int64_t t0_ns, int64_t t1_ns, double de_j,
                        double reading_w, double carbon_g);

/* The peak power of device dev in a phase that ran total_ns in all: the recorded peak, and
 * never less than the phase's mean power (an averaged reading, or a phase shorter than one
 * window). */
double aim__phase_device_peak_w(double peak_w, double energy_j, int64_t total_ns);

/* Channel ch (a metric the caller follows, < AIM_PHASE_CHANNELS) had value over (t0, t1]:
 * each phase instance overlapping it adds value × overlap, so a phase's mean is weighted by
 * time, as its energy is. */
void aim__phases_sample(aim_phases *p, int ch, int64_t t0_ns, int64_t t1_ns, double value);

/* A record of key (its index) with value, at the current time: it counts in every phase
 * open now (events are applied in time order, so "now" is the record's time). */
void aim__phases_record(aim_phases *p, int key, double value);

/* Closes every open phase at t (the end of the run); they are marked unterminated. */
void aim__phases_finish(aim_phases *p, int64_t t_ns);

/* Forget closed instances that ended at or before t: no interval still to come starts
 * before it (the writer passes the oldest time any group may still report). */
void aim__phases_prune(aim_phases *p, int64_t t_ns);

size_t aim__phases_rows(const aim_phases *p, const aim_phase_row **ret);
/* Replaces row's carbon (a re-pricing at the end of the run, phase_reprice.h). */
void aim__phases_set_carbon(aim_phases *p, size_t row, double carbon_g);
size_t aim__phases_spans(const aim_phases *p, const aim_phase_span **ret);
size_t aim__phases_marks(const aim_phases *p, const aim_phase_mark **ret);
/* Events that could not be kept: spans and marks past the limits, unmatched ends, phases
 * past the depth or name limits. */
uint64_t aim__phases_dropped(const aim_phases *p);
/* The name of the innermost open phase, or NULL (for the live status line). */
const char *aim__phases_current(const aim_phases *p);

#endif
