/* The scatter chart's model (plot_scatter.h). */
#include "processing/plot_scatter.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "processing/plot_extras.h"

void aim__plot_scatter_init(aim_plot_scatter *m) {
    memset(m, 0, sizeof *m);
    m->r = NAN;
}

void aim__plot_scatter_free(aim_plot_scatter *m) {
    if (!m)
        return;
    free(m->x);
    free(m->y);
    memset(m, 0, sizeof *m);
}

int aim__plot_scatter_add(aim_plot_scatter *m, double x, double y) {
    if (!isfinite(x) || !isfinite(y))
        return 0;
    int r = aim__plot_reserve_pair(&m->x, &m->y, &m->cap, m->n + 1);
    if (r < 0)
        return r;
    m->x[m->n] = x;
    m->y[m->n] = y;
    m->n++;
    m->n_rows++;
    return 0;
}

/* [lo, hi] of v, padded as every chart's axes are. */
static void range(const double *v, size_t n, double *ret_lo, double *ret_hi) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        lo = v[k] < lo ? v[k] : lo;
        hi = v[k] > hi ? v[k] : hi;
    }
    aim__plot_pad_range(&lo, &hi);
    *ret_lo = lo;
    *ret_hi = hi;
}

int aim__plot_scatter_finish(aim_plot_scatter *m, int cells_x, int cells_y) {
    range(m->x, m->n, &m->xmin, &m->xmax);
    range(m->y, m->n, &m->ymin, &m->ymax);
    cells_x = cells_x > 1 ? cells_x : 1;
    cells_y = cells_y > 1 ? cells_y : 1;
    size_t cells = (size_t)cells_x * (size_t)cells_y;
    if (m->n <= cells / 4)
        return 0;
    uint8_t *seen = calloc(cells, 1);
    if (!seen)
        return -ENOMEM;
    size_t kept = 0;
    for (size_t k = 0; k < m->n; k++) {
        long cx = (long)((m->x[k] - m->xmin) / (m->xmax - m->xmin) * cells_x);
        long cy = (long)((m->y[k] - m->ymin) / (m->ymax - m->ymin) * cells_y);
        cx = cx < 0 ? 0 : cx >= cells_x ? cells_x - 1 : cx;
        cy = cy < 0 ? 0 : cy >= cells_y ? cells_y - 1 : cy;
        uint8_t *cell = &seen[(size_t)cy * (size_t)cells_x + (size_t)cx];
        if (*cell)
            continue;
        *cell = 1;
        m->x[kept] = m->x[k];
        m->y[kept] = m->y[k];
        kept++;
    }
    free(seen);
    m->thinned = kept < m->n;
    m->n = kept;
    return 0;
}
