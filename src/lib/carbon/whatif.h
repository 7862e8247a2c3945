/* Counterfactual pricing of a stored run (aim_whatif_render in aimeter.h): the run's
 * samples are replayed through the writer's own energy accounting (the same meters, the
 * same step accumulators), so a scenario with the run's own series reproduces the run's
 * stored carbon, and every other scenario differs from it only by the intensity. */
#ifndef AIM_WHATIF_H
#define AIM_WHATIF_H

#include <stddef.h>

#include "analysis/summary.h"
#include "carbon/account.h"
#include "carbon/zone_history.h"
#include "store/db.h"

/* One replayed interval of device dev, (t0, t1] in ns from the run's start on the sample
 * clock, cost carbon_g grams at the scenario's intensity (PUE included). */
typedef void (*aim_interval_carbon_fn)(void *userdata, int dev, int64_t t0_ns, int64_t t1_ns,
                                       double carbon_g);

typedef struct aim_whatif_scenario {
    /* in */
    char label[64];             /* "CA-SK", a file's name, "run" */
    char name[128];             /* "Saskatchewan, Canada", "" */
    const aim_intensity_point *points; /* borrowed, n > 0 */
    size_t n;
    aim_signal signal;
    aim_basis basis;
    int year;                   /* 0 when not from a table */
    char source[256];
    /* in, optional ("" when not a zone-list item): the zone asked for ("CA-SK"), the code
     * of the row that priced it ("CA" for "CA-SK@marginal"), the item as given */
    char zone[24];
    char zone_used[24];
    char requested[64];
    /* out */
    double carbon_g;            /* Σ ΔE × I(t) × PUE over the replayed intervals */
    double intensity_g_per_kwh; /* the value for one point, else carbon / facility kWh */
    double ratio;               /* carbon_g / the first scenario's (NaN when that is 0) */
    /* in, optional: room for run->n_devices values, filled with each device's carbon (g,
     * PUE included; NaN outside the total), as the live run keeps it (a run re-priced at
     * its end by a provider's history needs the per-device figures too). NULL: not filled. */
    double *device_g;
    /* in, optional: called for every replayed interval with its carbon (the per-phase
     * re-pricing of a back-filled run); NULL: not called. */
    aim_interval_carbon_fn on_interval;
    void *userdata;
} aim_whatif_scenario;

typedef struct aim_whatif_totals {
    double energy_j;            /* IT energy replayed, devices in the total */
    uint64_t ticks;             /* samples replayed, all groups */
    int devices;                /* devices with an energy figure in the total */
} aim_whatif_totals;

/* The scenario of the run's own stored series (its one intensity as a point in *fallback
 * for a hand-made store without a series): the baseline of every what-if table. */
void aim_whatif_run_scenario(const aim_run_summary *run, aim_intensity_point *fallback,
                             aim_whatif_scenario *s);
/* The scenario of a resolved zone-list item (requested: the item as given), priced at its
 * row's value from the run's start; *point is filled and borrowed. */
void aim_whatif_zone_scenario(const aim_zone_spec *spec, const char *requested,
                              int64_t start_wall_ns, aim_intensity_point *point,
                              aim_whatif_scenario *s);
/* The series the live run computed device d's energy from, by the method it recorded: a
 * measured counter (*ret_counter = 1), integrated measured power, or integrated estimated
 * power. Its index in run->series, or -1. */
int aim_run_energy_series(const aim_run_summary *run, int d, int *ret_counter);

/* The options every what-if rendering checks first: format "text" or "json" (*ret_json set)
 * and pue 0 (the run's own) or 1.0-5.0. 0, or -EINVAL with store's message set. */
int aim_whatif_check_options(aim_store *store, const char *format, double pue, int *ret_json);
/* The PUE a what-if prices with: pue when given (not 0), else the run's, else 1. */
double aim_whatif_pue(double pue, const aim_run_summary *run);

/* Replays run's samples from db once and prices them in every scenario at PUE pue (>= 1).
 * run is the run's loaded summary. -ENOENT, -EBADMSG (corrupt chunk), -ENOMEM; db's error
 * message says more. */
int aim_whatif_replay(aim_db *db, const aim_run_summary *run, double pue,
                      aim_whatif_scenario *sc, size_t n_sc, aim_whatif_totals *ret_totals);

#endif
