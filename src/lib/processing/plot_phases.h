/* The model of aimeter plot --kind phases (the paper's Figure 3): per phase, a group of bars
 * of the devices' compute and memory activity (the phase's time-weighted metric means, the
 * report JSON's workload.phases[].metric_means) and each device's bottleneck hint
 * (processing/phase_hints.h). Built from a loaded run summary; report/plot_draw_phases.c
 * draws it. No I/O. */
#ifndef AIM_PLOT_PHASES_H
#define AIM_PLOT_PHASES_H

#include <stddef.h>
#include <stdint.h>

#include "processing/phase_hints.h"
#include "processing/summary.h"

#define AIM_PLOT_PHASE_BARS 8       /* one colour each (the Okabe-Ito palette) */
#define AIM_PLOT_PHASE_DEVICES 8    /* devices whose hints are kept */
#define AIM_PLOT_PHASE_GROUPS 40    /* phases drawn; the rest are counted in n_left_out */

typedef struct aim_plot_phase_group {
    char name[129];
    uint64_t instances;
    double value[AIM_PLOT_PHASE_BARS];          /* %, NaN when not recorded in the phase */
    aim_phase_hint_kind hint[AIM_PLOT_PHASE_DEVICES];
} aim_plot_phase_group;

typedef struct aim_plot_phases {
    char bar[AIM_PLOT_PHASE_BARS][64];  /* "gpu0 SM active": device and activity */
    int n_bars;
    size_t bars_left_out;               /* activities past AIM_PLOT_PHASE_BARS */
    char device[AIM_PLOT_PHASE_DEVICES][32];
    int n_devices;
    aim_plot_phase_group *groups;       /* in the order the phases first began */
    size_t n_groups;
    size_t n_left_out;                  /* phases past AIM_PLOT_PHASE_GROUPS */
    double ymax;                        /* the bars' axis: 0 to this (100 % or more) */
} aim_plot_phases;

/* The model of run's phases (run->workload). -ENODATA when the run has no phases, -ENOMEM.
 * A run whose phases kept no activity metric gets groups without bars (n_bars 0). */
int aim__plot_phases_build(const aim_run_summary *run, aim_plot_phases *ret);
void aim__plot_phases_free(aim_plot_phases *m);

#endif
