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
/* A job on an agent's node (prometheus_jobs.c). */
typedef struct aim_prom_job {
    const char *id;     /* the job label */
    const char *phase;  /* its innermost open phase, "" when none */
    int ended;          /* ended (job end, or silent): shown a few minutes more */
    double duration_s, energy_j, carbon_g; /* since its first message */
} aim_prom_job;

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
    const aim_prom_job *jobs;      /* an agent's jobs (NULL, 0 for a run: no job families) */
    int n_jobs;
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
/* The job families (prometheus_jobs.c), appended by aim__prom_render when in->jobs is set. */
void aim__prom_render_jobs(const aim_prom_input *in, int openmetrics, aim_strbuf *out);

/* One job family: what docs/metrics.md's job table lists (the unit test compares). */
typedef struct aim_prom_family {
    const char *name, *type, *unit, *labels, *help;
} aim_prom_family;
size_t aim__prom_job_families(const aim_prom_family **ret);

/* prometheus.c's writers, for prometheus_jobs.c: a family's # HELP / # TYPE (/ # UNIT)
 * lines, a label (left out when value is NULL or ""), the run labels, the closing brace and
 * a value with its newline. */
void aim__prom_put_label(aim_strbuf *b, int *first, const char *key, const char *value);
void aim__prom_put_run_labels(aim_strbuf *b, int *first, const aim_prom_input *in);
void aim__prom_put_sample_end(aim_strbuf *b, int first, double value);

/* Content types of the two formats. */
#define AIM_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define AIM_OPENMETRICS_CONTENT_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

#endif
