/* The correlation replay (engine/corr_replay.h). The series reader merges the groups in time
 * order, so before each tick every earlier tick has been delivered, which lets the grid
 * ticks before it go (the watermark); memory stays one chunk per group. */
#include "engine/corr_replay.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

int aim__corr_replay_run(aim_db *db, const aim_run_summary *run, const aim_time_range *ranges,
                        size_t n_ranges, aim_corr_matrix **ret) {
    return aim__corr_replay_rows(db, run, NULL, ranges, n_ranges, NULL, NULL, ret);
}

int aim__corr_replay_rows(aim_db *db, const aim_run_summary *run, const uint8_t *include,
                          const aim_time_range *ranges, size_t n_ranges, aim_corr_row_fn fn,
                          void *userdata, aim_corr_matrix **ret) {
    int grid, n_groups;
    int r = aim__db_corr_grid_group(db, run, &grid, &n_groups);
    if (r < 0)
        return r;
    aim_corr_run_layout rl;
    r = aim__corr_run_layout_init(&rl, run, n_groups, grid, NULL);
    if (r < 0)
        return aim__db_set_error(db, r, r == -ENOMEM ? "out of memory"
                                                    : "run %s: a series has a bad group", run->id);
    if (include)
        memcpy(rl.include, include, (size_t)run->n_series);
    aim_corr *c = NULL;
    aim_series_reader *rd = NULL;
    int *groups = calloc((size_t)n_groups, sizeof *groups);
    r = groups ? aim__corr_new(&rl.layout, &c) : -ENOMEM;
    if (r == 0 && ranges && n_ranges)
        r = aim__corr_set_ranges(c, ranges, n_ranges);
    if (r == 0 && fn)
        aim__corr_set_row_fn(c, fn, userdata);
    if (r < 0) {
        r = aim__db_set_error(db, r, "%s",
                             r == -ENOMEM ? "out of memory" : "bad correlation layout");
        goto out;
    }
    /* the grid and the groups of series taking part, in group order (ties go to the lower) */
    int n_read = 0;
    for (int g = 0; g < n_groups; g++) {
        int needed = g == grid;
        for (int i = 0; i < run->n_series && !needed; i++)
            needed = run->series[i].group == g && rl.include[i];
        if (needed)
            groups[n_read++] = g;
    }
    r = aim__series_reader_open_run(db, run, groups, n_read, &rd);
    aim_series_tick t;
    while (r == 0 && (r = aim__series_reader_next(rd, &t)) > 0) {
        if (t.t_rel_ns > INT64_MIN)
            aim__corr_watermark(c, t.t_rel_ns - 1);
        aim__corr_tick(c, t.group, t.t_rel_ns, t.values, t.valid);
        r = 0;
    }
    if (r == 0) {
        r = aim__corr_finish(c, ret);
        if (r < 0)
            aim__db_set_error(db, r, "out of memory");
    }
out:
    aim__series_reader_free(rd);
    aim__corr_free(c);
    free(groups);
    aim__corr_run_layout_clear(&rl);
    return r;
}
