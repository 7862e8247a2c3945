/* The results of `aimeter whatif` (--zones and --hardware) as plain structs, with nothing
 * from the data tables or the store in them, so that report/ can render them
 * (report/whatif_report.h) and tests can build them by hand. The pricing that fills them is
 * processing/whatif.h (zones) and processing/whatif_hw.h (other hardware). */
#ifndef AIM_PROCESSING_WHATIF_RESULT_H
#define AIM_PROCESSING_WHATIF_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "aimeter.h"
#include "model/intensity.h"
#include "processing/hw_ratio.h"
#include "processing/summary.h"

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

/* The most zones of one --zones list, and so the most scenarios of one what-if: the run's
 * own, the zones, an intensity file. */
#define AIM_WHATIF_MAX_ZONES 64
#define AIM_WHATIF_MAX_SCENARIOS (AIM_WHATIF_MAX_ZONES + 2)

/* What `aimeter whatif --zones/--intensity-file` shows. Everything is borrowed: the run's
 * summary, and its scenarios with their out fields filled (the run's own first: the
 * baseline). */
typedef struct aim_whatif_result {
    const aim_run_summary *run;
    const aim_whatif_scenario *sc;
    size_t n_sc;
    double pue;                 /* the PUE priced with (aim__whatif_pue) */
    int pue_is_runs;            /* 1: the run's own (no --pue) */
    aim_whatif_totals tot;
} aim_whatif_result;

/* `aimeter whatif --hardware`: limits of one request (its arrays are fixed). */
#define AIM_WHATIF_HW_MAX_ALTS 16
#define AIM_WHATIF_HW_MAX_ZONES 16
#define AIM_WHATIF_HW_MAX_MODELS 8

/* One measured GPU model: the run's GPUs priced by one row of the hardware table. */
typedef struct aim_whatif_hw_model {
    const aim_gpu_info *info;     /* its row (borrowed: the table's or a stated one) */
    int stated;                   /* 1: the row was stated with --gpu-spec */
    char measured_name[128];      /* as the driver reported it (the first device's) */
    char devices[128];            /* "gpu0, gpu1" */
    int n_devices;
    double energy_j;              /* replayed energy of its GPUs */
    double carbon_g[AIM_WHATIF_HW_MAX_ZONES + 1]; /* per scenario */
} aim_whatif_hw_model;

/* One alternative accelerator. */
typedef struct aim_whatif_hw_alt {
    char query[64];               /* as given */
    const aim_gpu_info *info;     /* borrowed */
    aim_hw_ratio ratio[AIM_WHATIF_HW_MAX_MODELS]; /* per measured model */
    double gpu_energy_j, energy_j;
    double carbon_g[AIM_WHATIF_HW_MAX_ZONES + 1]; /* per scenario */
} aim_whatif_hw_alt;

/* What `aimeter whatif --hardware` shows. run and sc are borrowed; sc[k].carbon_g is the
 * whole run's carbon in scenario k (the run's own first). */
typedef struct aim_whatif_hw_result {
    const aim_run_summary *run;
    const aim_whatif_scenario *sc;
    size_t n_sc;
    aim_whatif_hw_model model[AIM_WHATIF_HW_MAX_MODELS];
    size_t n_models;
    aim_whatif_hw_alt alt[AIM_WHATIF_HW_MAX_ALTS];
    size_t n_alts;
    double pue;
    int pue_is_runs;
    double energy_j;              /* replayed, every device in the total */
    double gpu_energy_j;          /* replayed, the GPUs */
    uint64_t ticks;
    int any_stated;               /* 1: --gpu-spec was given (the footnote says so) */
} aim_whatif_hw_result;

#endif
