/* aimeter forecast over one run (docs/methodology.md, "Forecasting"): the completed
 * instances of a repeated phase (epochs), a straight line fitted to their energy and duration
 * against their number (forecast.h), and the sums to N instances with 95 % prediction
 * intervals, carbon and cost at the run's own rates. Built from data handed to it: the run's
 * summary, its phase instances and its cumulative energy (energy_curve.h, or any function of
 * time in tests). No store, no I/O. */
#ifndef AIM_PROCESSING_FORECAST_RUN_H
#define AIM_PROCESSING_FORECAST_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "processing/forecast.h"
#include "processing/summary.h"

/* One instance of a phase as the store keeps it (times in ns since the run's start). */
typedef struct aim_fc_instance {
    char name[129];
    int64_t start_ns;
    int64_t end_ns;          /* valid when closed */
    int closed;              /* 0: still open */
    int unterminated;        /* 1: closed by aimeter when the run ended: never completed */
} aim_fc_instance;

/* One completed instance. */
typedef struct aim_fc_point {
    long index;              /* instance number */
    char name[129];
    int64_t start_ns, end_ns;
    double energy_j, seconds;
    int fitted;              /* 0: left out by skip */
} aim_fc_point;

typedef struct aim_fc_sum {
    double value, half;      /* half-width of the 95 % prediction interval; NaN: none */
} aim_fc_sum;

/* The IT energy of the run up to t (ns since its start), J. */
typedef double (*aim_energy_at_fn)(const void *userdata, int64_t t_ns);

typedef struct aim_forecast_result {
    const aim_run_summary *run; /* borrowed */
    const char *phase;       /* borrowed */
    int running;             /* the run is still being measured */
    int numbered;            /* 1: "epoch 1", "epoch 2"; 0: every instance called phase */
    long base;               /* the first number: 0 or 1 */
    uint64_t target, skip;
    aim_fc_point *pts;       /* by start time */
    size_t n_pts, n_open, n_fit;
    size_t n_unterm;         /* closed by aimeter at the run's end: never completed */
    long *future;            /* indices still to come */
    size_t n_future;
    aim_linfit fe, ft;       /* energy and time against the index */
    aim_fc_sum rem_e, rem_t; /* the remaining instances */
    aim_forecast_verdict ve, vt; /* whether the energy and time lines forecast at all */
    long x_last;             /* the last instance to come */
    double obs_e, obs_t;     /* completed instances */
    double upto_e, upto_t;   /* the run up to the end of the latest completed instance */
    double g_per_j;          /* the run's carbon per joule of IT energy, PUE included */
    double cost_per_j;       /* NaN without a price */
} aim_forecast_result;

/* Step 1: the instances of `phase` among inst[0..n) (aim__forecast_instance), in start order,
 * the first `skip` left out of the fit, and the indices still to come up to `target`. res is
 * zeroed first; run and phase are borrowed. -ENODATA (fewer than 2 to fit), -ERANGE (the run
 * is past target), with err set; -ENOMEM. Free res with aim__forecast_result_free either way. */
int aim__forecast_plan(aim_forecast_result *res, const aim_run_summary *run, const char *phase,
                      uint64_t target, uint64_t skip, const aim_fc_instance *inst, size_t n,
                      char *err, size_t errlen);

/* Step 1's first half alone, for a run's profile (api/profile.c): the completed instances of
 * `phase` in res->pts, in start order, the first `skip` not fitted, however few there are.
 * res is zeroed first; run and phase are borrowed. -ENOMEM. */
int aim__forecast_points(aim_forecast_result *res, const aim_run_summary *run, const char *phase,
                         uint64_t skip, const aim_fc_instance *inst, size_t n);
/* Each instance's energy from energy_at (the IT energy between its start and its end) and the
 * totals obs_e, obs_t: step 2's first part, without the lines. */
void aim__forecast_measure(aim_forecast_result *res, aim_energy_at_fn energy_at,
                           const void *userdata);

/* Step 2: each instance's energy from energy_at, the two lines, the sums to come, their
 * verdicts and the run's carbon and cost rates. -EINVAL (every instance has the same
 * number), -ENOMEM. */
int aim__forecast_fit(aim_forecast_result *res, aim_energy_at_fn energy_at, const void *userdata);

/* NULL-safe; the borrowed run and phase are not freed. */
void aim__forecast_result_free(aim_forecast_result *res);

#endif
