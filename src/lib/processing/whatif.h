/* Counterfactual pricing of a stored run (aim_whatif_render in aimeter.h): the run's
 * samples (read by the store's series reader, engine/whatif_replay.h) are replayed through the writer's own energy accounting (the same meters, the
 * same step accumulators), so a scenario with the run's own series reproduces the run's
 * stored carbon, and every other scenario differs from it only by the intensity. */
#ifndef AIM_PROCESSING_WHATIF_H
#define AIM_PROCESSING_WHATIF_H

#include <stddef.h>
#include <stdint.h>

#include "processing/summary.h"
#include "processing/account.h"
#include "processing/whatif_result.h"
#include "data/zone_history.h"

/* The scenario of the run's own stored series (its one intensity as a point in *fallback
 * for a hand-made store without a series): the baseline of every what-if table. */
void aim__whatif_run_scenario(const aim_run_summary *run, aim_intensity_point *fallback,
                             aim_whatif_scenario *s);
/* The scenario of a resolved zone-list item (requested: the item as given), priced at its
 * row's value from the run's start; *point is filled and borrowed. */
void aim__whatif_zone_scenario(const aim_zone_spec *spec, const char *requested,
                              int64_t start_wall_ns, aim_intensity_point *point,
                              aim_whatif_scenario *s);
/* The series the live run computed device d's energy from, by the method it recorded: a
 * measured counter (*ret_counter = 1), integrated measured power, or integrated estimated
 * power. Its index in run->series, or -1. */
int aim__run_energy_series(const aim_run_summary *run, int d, int *ret_counter);

/* The PUE a what-if prices with: pue when given (not 0), else the run's, else 1. */
double aim__whatif_pue(double pue, const aim_run_summary *run);

/* The pricer: a tick consumer for the store's series reader. Create it for a run and its
 * scenarios, replay each of its groups (aim__whatif_pricer_groups) with set_group then every
 * tick of that group through aim__whatif_pricer_tick, then finish: the scenarios' out fields
 * and the totals are filled. */
typedef struct aim_whatif_pricer aim_whatif_pricer;

/* 0, or -ENOMEM. run and sc are borrowed until free. */
int aim__whatif_pricer_new(const aim_run_summary *run, double pue, aim_whatif_scenario *sc,
                          size_t n_sc, aim_whatif_pricer **ret);
/* The groups that hold an energy series in the total; the array is borrowed. */
size_t aim__whatif_pricer_groups(const aim_whatif_pricer *p, const int **ret_groups);
void aim__whatif_pricer_set_group(aim_whatif_pricer *p, int group);
/* One tick of the current group (t_rel: ns from the run's start); userdata is the pricer.
 * Always 0 (the signature of the store's tick callback). */
int aim__whatif_pricer_tick(int64_t t_rel, const double *values, const uint8_t *valid,
                           void *userdata);
void aim__whatif_pricer_finish(aim_whatif_pricer *p, aim_whatif_totals *ret_totals);
void aim__whatif_pricer_free(aim_whatif_pricer *p);

#endif
