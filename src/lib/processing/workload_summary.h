/* A stored run's phases, markers and records, as the report reads them back (store/
 * workload_store.c loads it; aim_run_summary.workload owns it). */
#ifndef AIM_WORKLOAD_SUMMARY_H
#define AIM_WORKLOAD_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

/* A metric's time-weighted mean over a phase (the bottleneck hints' evidence). */
typedef struct aim_phase_metric {
    int device;
    char key[48];
    double mean;
} aim_phase_metric;

typedef struct aim_phase_summary {
    char name[129];
    uint64_t instances;
    int64_t first_ns, last_end_ns, total_ns; /* since the run's start */
    double carbon_g;
    int unterminated;
    double *energy_j;  /* per device (run->n_devices), 0 when it used none in the phase */
    double *peak_w;    /* per device */
    double *rec_sum;   /* per record key (n_records) */
    uint64_t *rec_n;
    aim_phase_metric *metrics;
    size_t n_metrics;
} aim_phase_summary;

typedef struct aim_record_summary {
    char key[49];
    int counter;
    uint64_t count;
    double total, last, min, max;
    int64_t first_ns, last_ns;
} aim_record_summary;

typedef struct aim_workload_summary {
    aim_phase_summary *phases; /* in the order they first began */
    size_t n_phases;
    aim_record_summary *records;
    size_t n_records;
    size_t n_marks, n_spans;
    uint64_t dropped;
} aim_workload_summary;

void aim__workload_summary_free(aim_workload_summary *w);

#endif
