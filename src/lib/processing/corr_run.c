/* The correlation layout of a run, from its summary (corr.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "processing/corr.h"
#include "processing/summary.h"

void aim__corr_run_layout_clear(aim_corr_run_layout *rl) {
    free(rl->group);
    free(rl->resolution);
    free(rl->counter);
    free(rl->include);
    free(rl->instance);
    memset(rl, 0, sizeof *rl);
}

int aim__corr_run_layout_init(aim_corr_run_layout *rl, const aim_run_summary *run, int n_groups,
                             int grid_group, const int64_t *group_interval_ns) {
    memset(rl, 0, sizeof *rl);
    int n = run->n_series > 0 ? run->n_series : 0;
    size_t cells = (size_t)n + 1;
    rl->group = calloc(cells, sizeof *rl->group);
    rl->resolution = calloc(cells, sizeof *rl->resolution);
    rl->counter = calloc(cells, 1);
    rl->include = calloc(cells, 1);
    rl->instance = calloc(cells, sizeof *rl->instance);
    if (!rl->group || !rl->resolution || !rl->counter || !rl->include || !rl->instance) {
        aim__corr_run_layout_clear(rl);
        return -ENOMEM;
    }
    for (int i = 0; i < n; i++) {
        const aim_series_summary *s = &run->series[i];
        if (s->group < 0 || s->group >= n_groups) {
            aim__corr_run_layout_clear(rl);
            return -EINVAL;
        }
        rl->group[i] = s->group;
        rl->resolution[i] = s->resolution;
        rl->counter[i] = s->counter != 0;
        rl->instance[i] = s->instance;
    }
    aim__corr_include(n, rl->instance, rl->include);
    rl->layout = (aim_corr_layout){
        .n_series = n,
        .group = rl->group,
        .resolution = rl->resolution,
        .counter = rl->counter,
        .include = rl->include,
        .n_groups = n_groups,
        .group_interval_ns = group_interval_ns,
        .grid_group = grid_group,
        .interval_ns = run->interval_ns,
    };
    return 0;
}
