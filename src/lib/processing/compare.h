/* The table behind `aimeter compare` (docs/methodology.md, "Comparing runs"): one row per
 * figure (time, energy per device and in total, mean power, carbon, cost, J per unit of each
 * counter record, the records themselves), one column per run or per group of runs, ratios to
 * a baseline column and the best column per row. Pure: built from run summaries, no store. */
#ifndef AIM_ANALYSIS_COMPARE_H
#define AIM_ANALYSIS_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "model/run_tags.h"
#include "processing/summary.h"

typedef struct aim_cmp_row {
    char key[96];            /* stable identifier: "time", "energy.cpu0", "energy", "power",
                                "carbon", "cost.EUR", "j_per.tokens", "record.loss" */
    char label[128];         /* "Energy cpu0", "J per tokens", "loss (mean)" */
    char unit[24];           /* "s", "J", "W", "g CO2e", "EUR", "J/tokens", "" */
    int rank;                /* section, for the order of the rows */
    int lower_better;        /* 1: the lowest value is the best; 0: no best (records, power) */
    double *value;           /* per column; NaN: the run (or every run of the group) has none */
    double *sd;              /* per column: sample standard deviation (n - 1) over the group;
                                NaN for a single value and for ungrouped tables */
    uint64_t *n;             /* per column: the values behind it */
    double *ratio;           /* value / the baseline column's; NaN when either is missing or
                                the baseline's is 0 */
    long best;               /* the best column (lowest value, ties: the first), -1 for none */
} aim_cmp_row;

typedef struct aim_cmp_table {
    size_t n_cols;
    aim_cmp_row *rows;
    size_t n_rows;
} aim_cmp_table;

/* One column per run, rows in a fixed order of sections (time, devices' energy, total energy,
 * mean power, carbon, cost per currency, J per counter, records), each section in the order
 * of first appearance. runs[i]->workload may be NULL. -ENOMEM (ret cleared), -EINVAL. */
int aim__cmp_build(const aim_run_summary *const *runs, size_t n_runs, aim_cmp_table *ret);

/* Columns aggregated into groups: column i of in goes to group group_of[i] < n_groups; each
 * group's value is the mean of its columns' values that are not NaN, sd their sample standard
 * deviation √(Σ(v - mean)² / (n - 1)) (NaN when n < 2), n their count. -ENOMEM, -EINVAL. */
int aim__cmp_group(const aim_cmp_table *in, const size_t *group_of, size_t n_groups,
                  aim_cmp_table *ret);

/* Fills ratio (to column baseline) and best of every row. */
void aim__cmp_finish(aim_cmp_table *t, size_t baseline);

void aim__cmp_free(aim_cmp_table *t);

/* One group of `aimeter compare --by KEY`: the runs with one value of the tag, or without it. */
typedef struct aim_cmp_group_info {
    char value[AIM_TAG_VALUE_SIZE];
    int has;                 /* 0: the runs without the tag */
    size_t n_runs;
} aim_cmp_group_info;

/* What `aimeter compare` shows: the runs (borrowed), their groups by a tag, and the table
 * with its ratios and bests filled. */
typedef struct aim_compare_result {
    const aim_run_summary *runs; /* borrowed, n of them, with their workload and tags */
    size_t n;
    size_t baseline;         /* run index */
    const char *by;          /* the tag grouped by (borrowed), NULL: one column per run */
    size_t *group_of;        /* per run, with by */
    aim_cmp_group_info *groups;
    size_t n_groups;
    aim_cmp_table table;     /* per run, or per group with by */
} aim_compare_result;

/* Builds the comparison of runs[0..n) against runs[baseline], grouped by the tag `by` (NULL:
 * one column per run; both borrowed until aim__compare_result_free). 0, -ENOMEM, -EINVAL;
 * *ret is zeroed first and safe to free on error. */
int aim__compare_compute(const aim_run_summary *runs, size_t n, size_t baseline, const char *by,
                        aim_compare_result *ret);

/* The baseline's column: its group's with by, else its own. */
size_t aim__compare_base_col(const aim_compare_result *res);

/* Frees what aim__compare_compute allocated (not the runs); NULL-safe. */
void aim__compare_result_free(aim_compare_result *res);

#endif
