/* The model of aimeter plot --kind scatter (the paper's Figure 4): two metrics against each
 * other, one point per row of the correlation's aligned grid (processing/corr.h: the main
 * rate group's ticks, the other series sample-and-held, counters as rates) where both have a
 * value, and the Pearson r of that same computation. Thinned for drawing to one point per
 * occupied cell of a grid about as fine as the picture's pixels, so a long run keeps its
 * shape without millions of dots. No I/O. */
#ifndef AIM_PLOT_SCATTER_H
#define AIM_PLOT_SCATTER_H

#include <stddef.h>
#include <stdint.h>

typedef struct aim_plot_scatter {
    char name[2][160];          /* x, y: "gpu0.power" */
    char unit[2][32];           /* of the values drawn ("J/s" for a counter's rate) */
    double *x, *y;              /* the points: every row, then after finish the drawn ones */
    size_t n, cap;
    size_t n_rows;              /* rows with both values (before thinning) */
    double r;                   /* Pearson r (the correlation's), NaN when undefined */
    uint64_t r_n;               /* the grid ticks it is over */
    double xmin, xmax, ymin, ymax;
    int thinned;                /* 1: one point per occupied cell was kept */
} aim_plot_scatter;

void aim__plot_scatter_init(aim_plot_scatter *m);
void aim__plot_scatter_free(aim_plot_scatter *m);

/* A row of the aligned grid: kept when both values are finite. 0 or -ENOMEM. */
int aim__plot_scatter_add(aim_plot_scatter *m, double x, double y);

/* Sets the ranges (padded 5 %; a constant axis +-10 %, an empty one 0-1) and, past
 * cells_x × cells_y / 4 points, keeps the first point of each of that many cells. 0 or
 * -ENOMEM. */
int aim__plot_scatter_finish(aim_plot_scatter *m, int cells_x, int cells_y);

#endif
