/* A finished (or in-progress) run as the report sees it: everything the report, `ls` and
 * the JSON summary need, with no sample data. Built by the store from its tables
 * (aim__db_load_summary) and rendered by report/. */
#ifndef AIM_SUMMARY_H
#define AIM_SUMMARY_H

#include <stdint.h>

#include "aimeter.h"
#include "model/intensity.h"
#include "model/metrics.h"
#include "model/device.h"

typedef struct aim_series_summary {
    int slot;                /* series id within the run */
    int device;              /* index into aim_run_summary.devices */
    int metric;              /* aim_metric_id, or -1 if this aimeter does not know the key */
    char metric_key[48];     /* as stored */
    int instance;            /* -1 unless per instance */
    aim_method method;
    int group;               /* rate group */
    double resolution;       /* codec quantum, from the registry when the run was recorded */
    int counter;             /* 1 for counters (delta-of-delta coded) */
    uint64_t count;
    double mean, min, max, mode, stddev;
    int mode_exact;
} aim_series_summary;

typedef struct aim_device_summary {
    char name[32];
    aim_device_kind kind;
    char model[128];
    char uuid[96];           /* a live run's device identity (NVML/DCGM "GPU-..."), "" when
                                none; not stored, so a loaded run has "" (the exposition's
                                uuid label is its only reader) */
    int has_energy;          /* energy_j is meaningful */
    double energy_j;
    aim_method energy_method;
    char energy_detail[192];  /* "RAPL package counter", "integrated hwmon power1_input",
                                "estimate: TDP 65 W x utilisation curve" */
    int in_total;            /* counted in the total (psys and board sensors are not) */
    double carbon_g;         /* its share of the run's carbon (PUE included), g CO2e; NaN
                                when not in the total or not recorded (older runs) */
} aim_device_summary;

typedef struct aim_run_summary {
    char id[40];
    char name[128];
    char command[1024];      /* argv joined with spaces, shell-quoted where needed */
    char host[128];
    char aimeter_version[24];
    int64_t start_wall_ns;   /* Unix epoch */
    int64_t end_wall_ns;     /* 0 while running */
    int64_t duration_ns;
    aim_run_status status;
    int stale;               /* status says running but its aimeter process is gone */
    int exit_code;           /* child's exit status, -1 if none */
    int64_t interval_ns;     /* requested */
    int64_t achieved_interval_ns; /* mean spacing of the fastest group's samples */
    uint64_t samples;        /* ticks of the fastest group in the store */
    uint64_t samples_lost;   /* ticks of the fastest group taken but not stored (issue 11) */
    uint64_t missed_deadlines;
    char sources[256];       /* sources that measured something, comma-separated */
    double intensity_g_per_kwh;
    char zone[24];           /* "" when a constant was given */
    char intensity_source[192]; /* "--intensity", "built-in table: Ember 2024 (CC BY 4.0)" */
    double total_energy_j;   /* sum of devices with in_total */
    double carbon_g;         /* Σ ΔE x intensity(t) x PUE over the run (facility energy) */
    /* The carbon method and the cost (schema 2). A summary built by hand or stored by an
     * older aimeter may leave these zero: pue 0 reads as "not recorded" (1.0), no points as
     * "series not stored", an empty currency as "no price". */
    aim_signal signal;
    aim_basis basis;
    double pue;
    char pue_source[192];
    double facility_energy_j; /* total_energy_j x pue */
    double price_per_kwh;    /* the constant price, or cost / facility kWh for a tariff */
    char currency[4];        /* ISO 4217; "" when no price was given */
    char price_source[192];
    double cost;             /* in currency */
    aim_intensity_point *intensity_points; /* the run's series, owned (loaded reports only) */
    size_t n_intensity_points;
    aim_intensity_point *price_points;     /* a tariff's series, owned */
    size_t n_price_points;
    char warnings[2048];     /* newline-separated, as shown during the run */
    aim_device_summary *devices;
    int n_devices;
    aim_series_summary *series;
    int n_series;
    struct aim_corr_matrix *corr; /* the run's stored correlation matrix, owned (loaded
                                     reports only); NULL when none */
    struct aim_workload_summary *workload; /* phases and records (loaded reports only),
                                              owned; NULL when the run has none */
    struct aim_run_extras *extras; /* idle baseline, embodied (loaded reports only), owned */
    struct aim_run_tag *tags; /* KEY=VALUE tags, by key (loaded reports and lists), owned;
                                 NULL when none */
    size_t n_tags;
} aim_run_summary;

/* Frees devices/series (not the struct itself). Accepts a zeroed struct. */
void aim__run_summary_clear(aim_run_summary *s);

#endif
