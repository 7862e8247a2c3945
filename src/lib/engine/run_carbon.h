/* A live run's carbon and cost: its intensity and price series, one step accumulator per
 * device for each, and what the run summary and the store get from them. The session sets
 * it up, the writer feeds it every accounted interval; keeping it here leaves the session
 * and the writer a handful of calls.
 *
 * Carbon = Σ over every accounted interval of each device's ΔE × intensity(t) × PUE (and
 * cost the same with the price), t the interval's wall time: the run's one anchor converts
 * the monotonic sample times (wall = anchor_wall + (t_mono - anchor_mono)). */
#ifndef AIM_RUN_CARBON_H
#define AIM_RUN_CARBON_H

#include <stddef.h>
#include <stdint.h>

#include "processing/summary.h"
#include "processing/account.h"
#include "model/intensity_series.h"
#include "engine/whatif_replay.h"
#include "engine/config.h"
#include "store/db.h"

typedef struct aim_run_carbon {
    aim_intensity_series intensity; /* a provider thread may append to it during the run */
    aim_intensity_series price;     /* no points when no price was given */
    int ready;                      /* the series are initialised */
    double pue;
    size_t n_dev;
    aim_step_acc *carbon, *cost;    /* per device */
    double *e_now;                  /* per device, scratch for the sums */
    unsigned char *include;         /* per device: counted in the total */
    int64_t anchor_wall_ns, anchor_mono_ns;
    /* A live provider (--provider, run_provider.h): NULL when none was asked or it failed. */
    struct aim_run_provider *live;
    char live_warning[512];         /* its failure at the start, or its answer's caveat */
    int repriced;                   /* the series was replaced at the end: the step
                                       accumulators no longer match it */
} aim_run_carbon;

/* Chooses the intensity and price series (engine/choose.h) and records their metadata,
 * PUE and currency in run. Call before anything is opened: a bad file fails here, before the
 * store or the command is touched. A live provider is asked here (3 s at most); when it
 * cannot answer the run uses the next input and a warning is logged now and kept for the
 * run (aim__run_carbon_plan). -EBADMSG/-errno with err = one line for the user. */
int aim__run_carbon_setup(aim_run_carbon *rc, const aim_config *cfg, int64_t now_wall_ns,
                         aim_run_summary *run, char *err, size_t errlen);

/* Once the devices and their energy plan are known (run->devices, in_total): allocates the
 * accumulators and sets the wall-clock anchor; adds the provider's warning from the setup to
 * run->warnings and starts polling the provider (its new points are appended to the
 * intensity series from its own thread). -ENOMEM. */
int aim__run_carbon_plan(aim_run_carbon *rc, aim_run_summary *run, int64_t anchor_wall_ns,
                        int64_t anchor_mono_ns);

/* Device d's energy went from e0_j at monotonic t0_ns to e1_j at t1_ns. Writer thread. */
void aim__run_carbon_account(aim_run_carbon *rc, int d, int64_t t0_mono_ns, int64_t t1_mono_ns,
                            double e0_j, double e1_j);

/* Device d's carbon so far (g, PUE included) with its energy at e_j: what refresh reports
 * for it; 0 for a device outside the total. The writer takes the difference around one
 * interval's account() to give that interval's carbon to the phases. */
double aim__run_carbon_device_g(aim_run_carbon *rc, int d, double e_j);

/* The intensity in force at the latest time priced (g CO2e/kWh): the live exposition's
 * grid intensity gauge. NaN before the series is set up or when it has no point. */
double aim__run_carbon_intensity_now(aim_run_carbon *rc);

/* Sets run's carbon, per-device carbon, facility energy, intensity and cost from the
 * devices' energies in run (already refreshed). */
void aim__run_carbon_refresh(aim_run_carbon *rc, aim_run_summary *run);

/* Stores the points not yet stored (inside the caller's transaction). */
int aim__run_carbon_store(aim_run_carbon *rc, aim_db *db, const char *run_id);

/* At the end of the run: a warning in run->warnings (and the log) for each file that does
 * not cover the run's span, naming the value used outside it; one when provider points
 * arrived late (with a live provider, aim__run_carbon_backfill decides about that one).
 * Stops polling the provider. */
void aim__run_carbon_finish(aim_run_carbon *rc, aim_run_summary *run);

/* With a live provider, once the run's samples are all stored (after the last commit): asks
 * the provider's history for the run's span (AIM_RUN_PROVIDER_BACKFILL_MS at most), merges it
 * with the points received (aim__run_provider_merge) and, when that changes the series, prices
 * the run again from its stored samples (aim__whatif_replay: the writer's accounting) and
 * stores the new carbon, per-device carbon and series in one transaction. Whatever goes
 * wrong (no history, a rate limit, a store error, stored samples that do not give the run's
 * energy), the run keeps the carbon it was priced with live, and a warning says why. Never
 * fails: the run is already stored. Call once, after aim__run_carbon_finish.
 *
 * hook (may be NULL) lets the caller re-price what it attributed carbon to (the phases):
 * on_interval sees every replayed interval's carbon at the new series; store runs inside
 * the transaction that stores the re-priced run, only when the run was re-priced (a
 * negative return rolls everything back). cannot, when set, is a warning added to the run
 * if it is re-priced (what could not follow, and why). */
typedef struct aim_backfill_hook {
    aim_interval_carbon_fn on_interval;
    int (*store)(void *userdata, aim_db *db);
    void *userdata;
    const char *cannot;
} aim_backfill_hook;
void aim__run_carbon_backfill(aim_run_carbon *rc, aim_db *db, aim_run_summary *run,
                             const aim_backfill_hook *hook);

void aim__run_carbon_free(aim_run_carbon *rc);

#endif
