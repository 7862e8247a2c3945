/* The correlation heat-map's model (plot_corr.h). */
#include "processing/plot_corr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processing/corr_result.h"

void aim__plot_corr_free(aim_plot_corr *m) {
    if (!m)
        return;
    free(m->name);
    free(m->r);
    memset(m, 0, sizeof *m);
}

int aim__plot_corr_build(const aim_corr_result *c, const size_t *pick, size_t n_pick,
                         aim_plot_corr *m) {
    memset(m, 0, sizeof *m);
    aim_corr_info info;
    aim__corr_res_info(c, &info);
    size_t *shown = malloc((info.n_series + n_pick + 1) * sizeof *shown);
    if (!shown)
        return -ENOMEM;
    size_t n = 0;
    if (pick) {
        for (size_t k = 0; k < n_pick && n < AIM_PLOT_CORR_MAX; k++)
            shown[n++] = pick[k];
        m->left_out_max = n_pick - n;
    } else {
        for (size_t i = 0; i < info.n_series; i++) {
            aim_corr_series_info s;
            if (aim__corr_res_series(c, i, &s) < 0)
                continue;
            if (s.status == AIM_CORR_CONSTANT || s.status == AIM_CORR_NO_DATA)
                m->left_out_constant++;
            else if (s.instance >= 0)
                m->left_out_instance++;
            else if (n == AIM_PLOT_CORR_MAX)
                m->left_out_max++;
            else
                shown[n++] = i;
        }
    }
    m->name = calloc(n ? n : 1, sizeof *m->name);
    m->r = malloc((n ? n * n : 1) * sizeof *m->r);
    if (!m->name || !m->r) {
        free(shown);
        aim__plot_corr_free(m);
        return -ENOMEM;
    }
    m->n = (int)n;
    for (size_t a = 0; a < n; a++) {
        aim_corr_series_info s;
        if (aim__corr_res_series(c, shown[a], &s) == 0)
            snprintf(m->name[a], sizeof m->name[a], "%s", s.name);
        for (size_t b = 0; b < n; b++)
            m->r[a * n + b] = aim__corr_res_r(c, shown[a], shown[b], NULL);
    }
    free(shown);
    return 0;
}
