/* What a run's report shows, computed once from the loaded run (summary, workload, extras,
 * tags) and its stored correlation matrix: the renderers in report/ differ only in layout, so
 * every decision about which figures appear, in which order, with which label and how many
 * decimals lives here, and the renderers only lay the model out. */
#ifndef AIM_REPORT_MODEL_H
#define AIM_REPORT_MODEL_H

#include <stddef.h>
#include <string.h>

#include "processing/corr_result.h"
#include "processing/report_words.h"
#include "processing/summary.h"

/* One line of the "Overall" block: label, right-aligned value, unit, and a note (the
 * energy method, kWh, the carbon basis). */
/* How the energy covers the run's start (processing/energy.h), said with the total. */
#define AIM_REPORT_EDGE_NOTE "; from the run's start: before a device's first reading, its " \
    "first power (a counter's: its mean over its first second) held back"

typedef struct aim_overall_row {
    char label[96];          /* "CPU energy (cpu0)" */
    char value[AIM_NUM_MAX]; /* "6348.88" or "n/a" */
    char unit[16];           /* "J", "g CO2e" */
    char note[640];
} aim_overall_row;

/* One series in a statistics table. */
typedef struct aim_stat_row {
    const char *group;                /* component or category (static text) */
    char label[192];                  /* "Power (cpu0) [W]" */
    char cell[4][AIM_NUM_MAX + 1];    /* Avg, Max, Min, Mode; Mode may start with '~' */
} aim_stat_row;

/* A statistics table: the component table (Component | Metric | Avg | Max | Min | Mode) or
 * one GPU's table grouped by category, as in the paper's Table 4. */
typedef struct aim_stat_table {
    char title[256];          /* "" for component tables; "GPU 0 Detailed Statistics (…)" */
    const char *first_header; /* "Component" or "Category" */
    size_t first, count;      /* rows[first .. first + count) */
} aim_stat_table;

typedef struct aim_report_model {
    const aim_run_summary *run; /* borrowed: outlives the model */
    aim_corr_result *corr;    /* the result of run->corr (its families and classes); NULL
                                 when the run stored no matrix */
    int *energy_order;        /* aim__report_energy_order() */
    size_t n_energy_order;
    aim_overall_row *overall;
    size_t n_overall;
    aim_stat_row *rows;
    size_t n_rows;
    aim_stat_table *tables;
    size_t n_tables;
    int approx_mode;          /* some Mode cell is approximate ('~') */
    char samples[256];        /* "430 at 100 ms (achieved 100.02 ms), missed deadlines 0" */
    char sources[384];        /* "procfs, rapl, estimate", or "none" */
    const aim_metric_info **infos; /* registry row of each series (internal cache) */
} aim_report_model;

/* The model of run (kept borrowed in m->run). -EINVAL, -ENOMEM. Free with aim__report_model_free
 * (also after an error). */
int aim__report_model_build(const aim_run_summary *run, aim_report_model *ret);
void aim__report_model_free(aim_report_model *m);

/* Device indices with has_energy, ordered CPU, DRAM, GPU, then the others, each kind in
 * device order. order must hold run->n_devices entries. Returns how many. */
size_t aim__report_energy_order(const aim_run_summary *run, int *order);

/* The carbon method in words: "Σ energy × intensity(t) × PUE over N intensity points
 * (zone, signal, basis, source)"; the cost's: "facility energy × 0.21 EUR/kWh (…)" or
 * "Σ energy × price(t) × PUE over N price points (…)". */
void aim__report_carbon_method(char *out, size_t len, const aim_run_summary *run);
void aim__report_cost_method(char *out, size_t len, const aim_run_summary *run);

/* Iterates over the non-empty lines of a newline-separated field of `size` bytes (the
 * warnings): start with *pos = 0; returns 0 when there are no more. */
int aim__report_next_line(const char *field, size_t size, size_t *pos, const char **ret_line,
                         size_t *ret_len);

/* A run's text field as a "%.*s" pair, safe even if the array is not NUL-terminated. */
#define AIM_FIELD(arr) (int)strnlen((arr), sizeof(arr)), (arr)

#endif
