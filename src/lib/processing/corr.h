/* Pearson correlation between every pair of a run's series, kept while sampling.
 *
 * The grid (docs/methodology.md, "Correlation"): the ticks of the run's main rate group (the
 * one sampling at the run's interval). At a grid tick t, a series of rate group g has the
 * value it had at g's latest tick at or before t — sample and hold — provided that tick is
 * no older than the staleness limit (2 × max(run interval, 1 s)) and the series was valid
 * there; otherwise it has no value at t. A counter takes part as its rate: the difference to
 * its previous valid sample over the time between them, per second. Values are first
 * quantised exactly as the store's codec stores them, so a replay of the stored chunks sees
 * the very same numbers.
 *
 * Pairs are pairwise complete: each pair has its own count, means and co-moments over the
 * grid ticks where both had a value. Rows are accumulated with Welford updates into a few
 * blocks, one per validity pattern (all series valid is the usual one): inside a block every
 * series shares the count, so one tick costs one multiply-add per pair. A block is merged
 * into the per-pair state (Chan et al.'s pairwise combination, as stable as Welford) when it
 * is evicted or at the end. Nothing is allocated after aim__corr_new().
 *
 * Ticks may arrive out of time order across groups (the writer drains one group's ring after
 * the other): a grid tick is held back until every other group has delivered a tick at or
 * after it, so the rows are exactly those a replay in time order produces. Held-back ticks
 * live in fixed rings sized for a few seconds; if one overflows (a group stalled longer),
 * the oldest tick is processed with what is known and the result is marked inexact.
 *
 * Not thread-safe: one thread feeds an aim_corr (the writer, then the stopping thread). */
#ifndef AIM_CORR_H
#define AIM_CORR_H

#include <stddef.h>
#include <stdint.h>

#include "aimeter.h"

/* Pairs (and series) with fewer grid ticks than this are in the matrix but never findings. */
#define AIM_CORR_MIN_N 10
/* r at or above this (positive: r near -1 is a mirror, not the same quantity) between two
 * series: the same quantity, listed once as identical. */
#define AIM_CORR_IDENTICAL_R 0.9999
/* A varying series takes part in findings only when at least this many of its grid values
 * differ from its most common value: a series constant but for one or two samples makes any
 * other series that happens to move at those ticks look correlated (issue 11). */
#define AIM_CORR_MIN_SPREAD 3
/* matrix->spread of a series whose spread was never counted (a matrix stored before schema
 * 9): the matrix must be replayed to classify it. */
#define AIM_CORR_SPREAD_UNKNOWN 255
/* Series beyond this many take no part (per-instance detail series are dropped first): the
 * state is O(series²), 48 bytes per pair. */
#define AIM_CORR_MAX_SERIES 512
/* Blocks (validity patterns) accumulated at once. */
#define AIM_CORR_BLOCKS 4

typedef struct aim_corr_layout {
    int n_series;                     /* the run's series: slots 0 .. n_series-1 */
    const int *group;                 /* per slot: its rate group (contiguous slots per group) */
    const double *resolution;         /* per slot: the codec quantum (> 0) */
    const uint8_t *counter;           /* per slot: 1 = a counter, correlated as its rate */
    const uint8_t *include;           /* per slot: 1 = takes part; NULL: every slot */
    int n_groups;
    const int64_t *group_interval_ns; /* per group: sizes the hold-back rings (live); NULL: small
                                         rings, for a time-ordered replay with watermarks */
    int grid_group;                   /* the main group: its ticks are the grid */
    int64_t interval_ns;              /* the run's interval: the staleness limit */
} aim_corr_layout;

typedef struct aim_corr aim_corr;

/* The finished matrix. Pairs i < j are stored in a packed upper triangle. */
typedef struct aim_corr_matrix {
    int n;                /* series in the matrix */
    int *slot;            /* per index: the run's series slot (ascending) */
    uint64_t ticks;       /* grid ticks accumulated */
    int64_t interval_ns;  /* grid spacing asked for (the run's interval) */
    int exact;            /* 0: the live alignment gave up waiting for a stalled group */
    uint64_t *self_n;     /* per index: grid ticks where the series had a value */
    uint8_t *varying;     /* per index: 1 when those values were not all equal */
    uint8_t *spread;      /* per index: values away from its most common value, counted up
                             to AIM_CORR_MIN_SPREAD; AIM_CORR_SPREAD_UNKNOWN: not counted */
    uint64_t *pn;         /* per pair: grid ticks where both had a value */
    double *r;            /* per pair: Pearson r in [-1, 1], NaN when undefined */
} aim_corr_matrix;

static inline size_t aim__corr_pair_index(int n, int i, int j) {
    return (size_t)i * (size_t)(2 * n - i - 1) / 2 + (size_t)(j - i - 1);
}

/* The value the store gives back for v at this resolution: round(v / res) × res, or v itself
 * when that quotient is beyond 2^53 (the codec then stores raw doubles). */
double aim__corr_quantise(double v, double resolution);

/* The series a run correlates: all of them, or when there are more than
 * AIM_CORR_MAX_SERIES, all but per-instance ones (instance >= 0: one per core), latest slots
 * first; the live session and the replay both call this so they agree. */
void aim__corr_include(int n_series, const int *instance, uint8_t *include);

/* -EINVAL for an inconsistent layout, -ENOMEM. */
int aim__corr_new(const aim_corr_layout *layout, aim_corr **ret);
void aim__corr_free(aim_corr *c);

/* Only grid ticks inside one of the ranges ([t0, t1), ns since the run started) are
 * accumulated; the alignment still follows every tick. Copied. -EINVAL, -ENOMEM. Call
 * before the first tick. */
int aim__corr_set_ranges(aim_corr *c, const aim_time_range *ranges, size_t n);

/* One tick of a rate group: values/valid hold the group's series in slot order. Ticks of one
 * group must come in time order; groups may interleave in any order. */
void aim__corr_tick(aim_corr *c, int group, int64_t t_ns, const double *values,
                   const uint8_t *valid);

/* Promise that no group will deliver a tick at or before t_ns any more (a replay in time
 * order): held-back grid ticks up to t_ns are processed now. */
void aim__corr_watermark(aim_corr *c, int64_t t_ns);

/* Processes everything held back (no more ticks will come) and computes the matrix (free
 * with aim__corr_matrix_free). The aim_corr may be freed afterwards; feeding it more is a
 * no-op. -ENOMEM. */
int aim__corr_finish(aim_corr *c, aim_corr_matrix **ret);

/* Hands fn every row as it is accumulated: the grid tick t_ns and each series' aligned value
 * (x[i] for matrix index i, valid where ok[i]); aimeter plot --kind scatter draws the very
 * points the correlation is computed from. Call before the first tick. */
typedef void (*aim_corr_row_fn)(void *userdata, int64_t t_ns, const double *x,
                                const uint8_t *ok);
void aim__corr_set_row_fn(aim_corr *c, aim_corr_row_fn fn, void *userdata);

/* Grid ticks accumulated so far, and ticks processed without waiting (inexact). */
uint64_t aim__corr_ticks(const aim_corr *c);
uint64_t aim__corr_forced(const aim_corr *c);

/* ---------------------------------------------------------------- a run's layout (corr_run.c) */

struct aim_run_summary;

/* A layout for a run's series (group, resolution, counter flag and instance as stored in
 * the summary), with the arrays it points to. The live session and the replay both build it
 * here so they choose and treat the series alike. group_interval_ns may be NULL (replay).
 * -EINVAL (a series' group out of range), -ENOMEM. */
typedef struct aim_corr_run_layout {
    aim_corr_layout layout;
    int *group;
    double *resolution;
    uint8_t *counter;
    uint8_t *include;
    int *instance;
} aim_corr_run_layout;

int aim__corr_run_layout_init(aim_corr_run_layout *rl, const struct aim_run_summary *run,
                             int n_groups, int grid_group, const int64_t *group_interval_ns);
void aim__corr_run_layout_clear(aim_corr_run_layout *rl);

/* ---------------------------------------------------------------- the matrix (corr_matrix.c) */

/* An empty matrix for n series (slots to be filled in). -ENOMEM, -EINVAL. */
int aim__corr_matrix_new(int n, aim_corr_matrix **ret);
void aim__corr_matrix_free(aim_corr_matrix *m);
/* The index of a slot, or -1. */
int aim__corr_matrix_index(const aim_corr_matrix *m, int slot);

typedef enum aim_corr_series_state {
    AIM_CORR_SERIES_VARYING = 0,
    AIM_CORR_SERIES_CONSTANT,  /* at least AIM_CORR_MIN_N values, all equal */
    AIM_CORR_SERIES_NO_DATA,   /* fewer than AIM_CORR_MIN_N values on the grid */
    AIM_CORR_SERIES_SPARSE,    /* varying, but fewer than AIM_CORR_MIN_SPREAD values differ
                                  from its most common one */
} aim_corr_series_state;

aim_corr_series_state aim__corr_matrix_state(const aim_corr_matrix *m, int i);

/* |r| from which two series that are one quantity by definition (same_key, below) count as
 * identical: their stored resolutions can keep r below AIM_CORR_IDENTICAL_R (memory used in
 * GiB steps against its share in 0.1 % steps). */
#define AIM_CORR_DEFINED_R 0.9

/* Series aimeter's own model computes from others (the estimate source: estimated CPU power
 * from CPU use, the DRAM estimate from memory in use): model[i] > 0 when series i is computed
 * from input number model[i], model[i] < 0 when it is input number -model[i], 0 otherwise.
 * A pair of a model's output and its input is derived: its correlation is the model's, not a
 * finding. model may be NULL (nothing derived). */
int aim__corr_derived(const int *model, int i, int j);

/* Identity classes: rep[i] is the smallest index of the class of series i (pairs of varying
 * series with n >= AIM_CORR_MIN_N and r >= AIM_CORR_IDENTICAL_R, or >= AIM_CORR_DEFINED_R
 * when both have the same non-negative same_key[i], closed transitively; never a derived
 * pair, never a negative r); i itself when it is identical to none. same_key and model may be
 * NULL. rep must hold m->n entries. */
void aim__corr_classes(const aim_corr_matrix *m, const int *same_key, const int *model,
                      int *rep);

typedef struct aim_corr_pick {
    int a, b;        /* matrix indices, a < b */
    double r;
    uint64_t n;
} aim_corr_pick;

typedef enum aim_corr_pick_kind {
    AIM_CORR_PICK_POSITIVE = 0, /* findings with r > 0, strongest first */
    AIM_CORR_PICK_NEGATIVE,     /* findings with r < 0, strongest first */
    AIM_CORR_PICK_IDENTICAL,    /* identical pairs: each member with its class's first */
    AIM_CORR_PICK_DERIVED,      /* derived pairs of class representatives with a defined r
                                   and n >= AIM_CORR_MIN_N, by index */
} aim_corr_pick_kind;

/* Findings are pairs of class representatives, both varying (AIM_CORR_SERIES_VARYING: sparse
 * series are not), with n >= AIM_CORR_MIN_N, |r| >= min_abs, not identical and not derived.
 * Writes up to max picks (out may be NULL when max is 0) and returns how many there are;
 * (size_t)-1 on allocation failure. Ties: larger n first, then by index. */
size_t aim__corr_select(const aim_corr_matrix *m, const int *rep, const int *model,
                       aim_corr_pick_kind kind, double min_abs, aim_corr_pick *out, size_t max);

#endif
