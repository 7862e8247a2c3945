/* A phase's figures as the report shows them (docs/methodology.md, "Phases"): its energy in
 * all and per component (the devices counted in the run's total), mean and peak power, share
 * of the run's time, and whether a device's peak went above its power limit. Numbers only;
 * report/phases_report.c words them. */
#ifndef AIM_PHASE_FIGURES_H
#define AIM_PHASE_FIGURES_H

#include "processing/summary.h"
#include "processing/workload_summary.h"

/* The components a phase's energy is split by. */
typedef enum aim_phase_component {
    AIM_PHASE_CPU, AIM_PHASE_DRAM, AIM_PHASE_GPU, AIM_PHASE_OTHER, AIM_PHASE_COMPONENTS
} aim_phase_component;

typedef struct aim_phase_figures {
    double energy_j;                        /* devices in the run's total */
    double comp_j[AIM_PHASE_COMPONENTS];    /* the same, per component */
    double peak_w;                          /* sum of the devices' peaks */
    double mean_w;                          /* energy / time; NaN for a phase of no time */
    double share;                           /* % of the run's time; NaN without a duration */
} aim_phase_figures;

aim_phase_figures aim__phase_figures_of(const aim_run_summary *run, const aim_phase_summary *p);

/* used[c] = 1 when component c has energy in some phase of run->workload (only those get a
 * column). */
void aim__phase_used_components(const aim_run_summary *run, int used[AIM_PHASE_COMPONENTS]);

/* Device d's peak power in phase p (processing/phases.h, aim__phase_device_peak_w). */
double aim__phase_peak_w(const aim_phase_summary *p, int d);

/* Device d's highest enforced power limit over the run (gpu.power_limit), NaN without one. */
double aim__phase_power_limit_w(const aim_run_summary *run, int d);

/* 1 when a peak is above the limit (beyond rounding): said, never shown as if the device
 * could draw it; 0 without a limit. */
int aim__phase_above_limit(double peak_w, double limit_w);

#endif
