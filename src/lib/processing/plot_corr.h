/* The model of aimeter plot --kind corr: the correlation matrix of a run's series as a
 * heat-map, from a correlation result (processing/corr_result.h): the series shown, their
 * names and every pair's r (NaN when undefined). No I/O. */
#ifndef AIM_PLOT_CORR_H
#define AIM_PLOT_CORR_H

#include <stddef.h>

#include "aimeter.h"

#define AIM_PLOT_CORR_MAX 40     /* series in one heat-map: past that the cells are unreadable */

typedef struct aim_plot_corr {
    int n;
    char (*name)[160];          /* [n]: "gpu0.power", "rate(gpu0.energy)" */
    double *r;                  /* [n * n], symmetric; the diagonal 1 for a varying series */
    size_t left_out_constant;   /* series left out: constant or without enough values */
    size_t left_out_instance;   /* per-instance series left out (one per core) */
    size_t left_out_max;        /* past AIM_PLOT_CORR_MAX */
} aim_plot_corr;

/* The heat-map of result c. pick: result indices to show, in that order (-m), or NULL:
 * every series but the constant ones, those without enough values and the per-instance
 * ones, AIM_PLOT_CORR_MAX at most (each kind left out is counted). -ENOMEM. */
int aim__plot_corr_build(const aim_corr_result *c, const size_t *pick, size_t n_pick,
                         aim_plot_corr *ret);
void aim__plot_corr_free(aim_plot_corr *m);

#endif
