/* Test helper of the correlation tests (test_corr.c, test_corr_matrix.c, test_corr_replay.c,
 * test_corr_render.c): a seeded random source, reading r and n out of a matrix, a one-group
 * accumulator, and the two-group data set (a 10 ms grid and a jittered 35 ms group) that the
 * grid and store tests share. */
#ifndef AIM_TEST_CORR_FIXTURE_H
#define AIM_TEST_CORR_FIXTURE_H

#include <stdint.h>

#include "processing/corr.h"

/* Uniform in [0, 1) and standard normal, from one xorshift state per test program: the data
 * are the same on every run. */
double uniform(void);
double normal(void);

/* r and n of the pair (i, j) of m, either order; r is 1 and n the series' count on the
 * diagonal. */
double mat_r(const aim_corr_matrix *m, int i, int j);
uint64_t mat_n(const aim_corr_matrix *m, int i, int j);

/* One group, every slot a gauge at resolution res; fails the test if it cannot be made. */
aim_corr *one_group(int n, double res, int64_t interval);

/* ------------------------------------------------------------------ the grid */

/* Two groups: the grid at 10 ms (gauges a, b and a counter), a slow group at 35 ms with
 * jitter (gauge s and a counter k). Reference: the grid definition applied directly. */
enum { G0 = 3, G1 = 2, NSLOT = G0 + G1, GRID_TICKS = 1500, SLOW_TICKS = 430 };

typedef struct two_groups {
    int64_t tg[GRID_TICKS], ts[SLOW_TICKS];
    double vg[GRID_TICKS][G0], vs[SLOW_TICKS][G1];
    uint8_t og[GRID_TICKS][G0], os[SLOW_TICKS][G1];
} two_groups;

/* Fills d with the two groups' times, values and validity. */
void make_two_groups(two_groups *d);

#endif
