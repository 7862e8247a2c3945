/* The zones chart's model (plot_zones.h). */
#include "processing/plot_zones.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void aim__plot_zones_free(aim_plot_zones *m) {
    if (!m)
        return;
    free(m->bars);
    memset(m, 0, sizeof *m);
}

int aim__plot_zones_build(const aim_whatif_result *res, aim_plot_zones *m) {
    memset(m, 0, sizeof *m);
    m->bars = calloc(res->n_sc ? res->n_sc : 1, sizeof *m->bars);
    if (!m->bars)
        return -ENOMEM;
    m->n = res->n_sc;
    m->pue = res->pue;
    m->energy_kwh = res->tot.energy_j * res->pue / 3.6e6;
    for (size_t i = 0; i < res->n_sc; i++) {
        const aim_whatif_scenario *s = &res->sc[i];
        aim_plot_zone_bar *b = &m->bars[i];
        snprintf(b->label, sizeof b->label, "%s", s->requested[0] ? s->requested : s->label);
        snprintf(b->name, sizeof b->name, "%s", s->name);
        b->carbon_g = s->carbon_g;
        b->intensity = s->intensity_g_per_kwh;
        b->is_run = i == 0;
        if (isfinite(b->carbon_g) && b->carbon_g > m->ymax)
            m->ymax = b->carbon_g;
    }
    return 0;
}
