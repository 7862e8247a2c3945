/* The run's cumulative IT energy against time, from its stored samples: a tick consumer for
 * the store's series reader (like the what-if pricer, processing/whatif.h). Every device
 * counted in the total is replayed through the writer's own meters (energy.h), and the
 * curve is read at any instant, linearly between samples (aimeter forecast's energy of a
 * phase instance: the phase tables keep one energy per phase name, not per instance). */
#ifndef AIM_PROCESSING_ENERGY_CURVE_H
#define AIM_PROCESSING_ENERGY_CURVE_H

#include <stddef.h>
#include <stdint.h>

#include "processing/summary.h"

typedef struct aim_energy_curve aim_energy_curve;

/* 0 or -ENOMEM. run is borrowed until free. */
int aim__energy_curve_new(const aim_run_summary *run, aim_energy_curve **ret);
/* The groups that hold an energy series in the total; the array is borrowed. */
size_t aim__energy_curve_groups(const aim_energy_curve *c, const int **ret_groups);
void aim__energy_curve_set_group(aim_energy_curve *c, int group);
/* One tick of the current group (t: ns since the run's start); userdata is the curve.
 * -ENOMEM stops the reader (aim__energy_curve_error says so too). */
int aim__energy_curve_tick(int64_t t, const double *values, const uint8_t *valid,
                          void *userdata);
/* 0, or the error a tick returned. */
int aim__energy_curve_error(const aim_energy_curve *c);
/* Σ over devices of their energy (J) at t (ns since the start), linear between samples:
 * 0 before a device's first sample, its last value after its last. userdata: the curve
 * (the signature of aim_energy_at_fn, processing/forecast_run.h). */
double aim__energy_curve_at(const void *userdata, int64_t t);
void aim__energy_curve_free(aim_energy_curve *c);

#endif
