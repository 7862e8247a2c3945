#include "processing/summary.h"

#include <stdlib.h>

#include "processing/corr.h"
#include "processing/workload_summary.h"
#include "processing/run_extras.h"

void aim__run_summary_clear(aim_run_summary *s) {
    if (!s)
        return;
    free(s->devices);
    free(s->series);
    aim__corr_matrix_free(s->corr);
    s->corr = NULL;
    aim__workload_summary_free(s->workload);
    s->workload = NULL;
    aim__run_extras_free(s->extras);
    s->extras = NULL;
    free(s->tags);
    s->tags = NULL;
    s->n_tags = 0;
    free(s->intensity_points);
    free(s->price_points);
    s->devices = NULL;
    s->series = NULL;
    s->intensity_points = s->price_points = NULL;
    s->n_intensity_points = s->n_price_points = 0;
    s->n_devices = 0;
    s->n_series = 0;
}

void aim__workload_summary_free(aim_workload_summary *w) {
    if (!w)
        return;
    for (size_t i = 0; i < w->n_phases; i++) {
        free(w->phases[i].energy_j);
        free(w->phases[i].peak_w);
        free(w->phases[i].rec_sum);
        free(w->phases[i].rec_n);
        free(w->phases[i].metrics);
    }
    free(w->phases);
    free(w->records);
    free(w);
}

void aim__run_extras_free(aim_run_extras *x) {
    if (!x)
        return;
    free(x->idle);
    free(x->attr);
    free(x);
}
