/* The Prometheus exposition of a live snapshot: the text format 0.0.4 and OpenMetrics 1.0
 * text. Names come from the metric registry (aim__prom_name) in Prometheus conventions: base
 * units (joules, watts, celsius, hertz, bytes, seconds, 0-1 ratios), counters end in _total.
 * The renderer knows nothing of the engine: whoever serves /metrics (serve/) copies the live
 * snapshot (engine/live.h) and the run's catalogue into an aim_prom_input. */
#ifndef AIM_REPORT_PROMETHEUS_H
#define AIM_REPORT_PROMETHEUS_H

#include <stddef.h>

#include "model/metrics.h"
#include "util/strbuf.h"

/* Longest name aim__prom_name writes, NUL included. */
#define AIM_PROM_NAME_MAX 128

typedef struct aim_prom_device {
    const char *name;   /* "gpu0": the device label */
    const char *kind;   /* "cpu", "dram", "gpu", "host", ...: part of the energy name */
    const char *model;  /* NULL or "" when unknown */
    const char *uuid;   /* NULL or "" when none */
    const char *method; /* of its energy: "measured", "derived", "estimated"; NULL: none */
    int gpu;            /* GPU index (the gpu label), -1 for other devices */
    int has_energy;     /* energy_j is exported as aimeter_<kind>_energy_joules_total */
    double energy_j;
} aim_prom_device;

typedef struct aim_prom_series {
    int device;         /* index into devices */
    aim_metric_id metric;
    int instance;       /* per-core metrics: the core label; -1 otherwise */
    int valid;          /* 0: not exported (a missing value is never 0) */
    double value;       /* in the registry's unit */
} aim_prom_series;

typedef struct aim_prom_self aim_prom_self; /* prometheus_self.h */

typedef struct aim_prom_input {
    const char *host, *run, *task; /* labels of every sample; NULL or "" are left out */
    const char *job;               /* the batch job (the hpc_job label of every sample) */
    const char *phase;             /* the innermost open phase, "" when none */
    const char *zone, *signal;     /* of the carbon counter; NULL when unknown */
    double duration_s, power_w, energy_j, carbon_g;
    double intensity_g_per_kwh;    /* the grid intensity in force; NaN: not exported */
    const aim_prom_device *devices;
    int n_devices;
    const aim_prom_series *series;
    int n_series;
    const aim_prom_self *self;     /* the exporter's own metrics; NULL: none */
} aim_prom_input;

/* The exported name of a metric on a device of `kind` (the kind is used for the metrics every
 * device has: power, energy, temperature, ...), and the factor from the registry's unit to
 * the base unit. -ENOENT for a metric that is not exported as such (the raw "energy" series:
 * the device's accounted energy is exported instead). */
int aim__prom_name(aim_metric_id id, const char *kind, char name[AIM_PROM_NAME_MAX],
                   double *ret_scale);
/* The OpenMetrics unit of a metric ("joules", "ratio", ...), "" when it has none. */
const char *aim__prom_unit(aim_metric_id id);

/* The exposition, appended to out. openmetrics: OpenMetrics 1.0 text (# UNIT, # EOF). */
void aim__prom_render(const aim_prom_input *in, int openmetrics, aim_strbuf *out);

/* The writers prometheus_self.c shares: a family's header, and one sample with the run
 * labels and, when key is not NULL, one more label. */
void aim__prom_put_header(aim_strbuf *b, const char *name, const char *type, const char *unit,
                          const char *help, int openmetrics);
void aim__prom_put_sample(aim_strbuf *b, const aim_prom_input *in, const char *name,
                          const char *key, const char *value, double v);

/* Content types of the two formats. */
#define AIM_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define AIM_OPENMETRICS_CONTENT_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

#endif
