/* The figures of a run's extras (processing/run_extras.h) that its report shows: a device's
 * idle share and net energy against an idle baseline (seed 002: W_total − W_idle, carbon
 * split in the same proportion), and its manufacturing carbon amortised over the run
 * (docs/methodology.md, "Idle baseline" and "Embodied carbon"). Numbers only; the report
 * words them. */
#ifndef AIM_EXTRAS_FIGURES_H
#define AIM_EXTRAS_FIGURES_H

#include "aimeter.h"
#include "processing/run_extras.h"
#include "processing/summary.h"

/* The baseline's mean power of the device named name (matched by name), or NaN. */
double aim__idle_power(const aim_run_extras *x, const char *name);

/* A device's split against the baseline; every figure NaN when the baseline has no power for
 * it or it has no energy, the carbon ones NaN also without a carbon figure or energy. */
typedef struct aim_idle_split {
    double idle_j;  /* baseline power × this run's time */
    double net_j;   /* energy − idle_j (negative when the baseline drew more) */
    double idle_g, net_g;
} aim_idle_split;

aim_idle_split aim__idle_split_of(const aim_run_summary *run, const aim_device_summary *d);

/* A device's embodied carbon: the table row it matched (kind and model as aimeter named
 * them), the units of that row it counts for (DRAM per GB of the run's memory, else 1) and
 * the grams amortised over the run's time; g NaN (and row NULL) when there is no row or no
 * memory size for a per-GB row. run->extras must be set. */
typedef struct aim_embodied_figure {
    const aim_embodied_info *row;
    double units;
    double g;
} aim_embodied_figure;

aim_embodied_figure aim__embodied_of(const aim_run_summary *run, const aim_device_summary *d);

#endif
