/* What the HTML report (`aimeter report --format html`, docs/report-json.md "aimeter.html/1")
 * holds, as plain structs filled by api/html_report.c and written by report/html_render.h:
 * the run's JSON report as text, every series decimated (processing/decimate.h), the phases,
 * the markers, the cumulative energy and carbon, the correlation matrix and the what-if
 * pricing in other zones. No I/O. */
#ifndef AIM_PROCESSING_HTML_MODEL_H
#define AIM_PROCESSING_HTML_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "processing/decimate.h"

/* The decimation's default bucket count: about twice the pixels of a wide chart. */
#define AIM_HTML_BUCKETS 2000

typedef struct aim_html_series {
    char name[160];              /* "gpu0.power", "host.cpu.core_util[3]" (aimeter plot -m) */
    char device[32];
    char metric[48];             /* the metric key as stored */
    const char *label;           /* static (the registry's), or metric */
    const char *unit;            /* static; "" when none */
    const char *category;        /* static; NULL when this aimeter does not know the metric */
    const char *method;          /* "measured", "derived", "estimated" */
    int group, pos;              /* its rate group, its column in that group's ticks */
    aim_decimator dec;           /* over the timeline's window and buckets */
} aim_html_series;

typedef struct aim_html_phase {
    char name[129];
    int depth;
    double t0, t1;               /* s since the run's start; t1 the run's end when open */
    int closed;
} aim_html_phase;

typedef struct aim_html_mark {
    char text[129];
    double t;                    /* s since the run's start */
} aim_html_mark;

/* One what-if row: a zone the run was priced in (its own first). */
typedef struct aim_html_zone {
    char zone[64];               /* "FR", "" for a run without a zone */
    char name[128];
    double g_per_kwh;            /* the intensity priced with (a series' mean for the own) */
    double carbon_g;
    int own;
    char source[256];
} aim_html_zone;

typedef struct aim_html_model {
    const char *run_id;
    const char *run_name;        /* "" when none */
    const char *report_json;     /* the run's `report --format json` text (aimeter.report/1) */
    int64_t start_wall_ns;
    double x0, x1;               /* the timeline's window, s since the start */
    size_t buckets;
    aim_html_series *series;
    size_t n_series;
    aim_html_phase *phases;
    size_t n_phases;
    aim_html_mark *marks;
    size_t n_marks;
    /* the cumulative facility energy (kWh) and carbon (g, NaN without an intensity) at the
     * last sample of each bucket that has one */
    double *energy_t, *energy_kwh, *energy_g;
    size_t n_energy;
    /* the correlation matrix (n_corr x n_corr, row-major, NaN undefined); NULL: none */
    const char *const *corr_names;
    const double *corr_r;
    size_t n_corr;
    /* the what-if pricing; NULL: the run has no energy to price */
    const aim_html_zone *zones;
    size_t n_zones;
    double whatif_kwh;           /* facility kWh priced */
} aim_html_model;

#endif
