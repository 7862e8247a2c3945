/* The what-if replay (whatif_replay.h). */
#include "engine/whatif_replay.h"

#include <errno.h>

int aim__whatif_replay(aim_db *db, const aim_run_summary *run, double pue,
                      aim_whatif_scenario *sc, size_t n_sc, aim_whatif_totals *ret_totals) {
    aim_whatif_pricer *p;
    int r = aim__whatif_pricer_new(run, pue, sc, n_sc, &p);
    if (r < 0)
        return aim__db_set_error(db, r, "out of memory");
    const int *groups;
    size_t n_groups = aim__whatif_pricer_groups(p, &groups);
    for (size_t g = 0; r == 0 && g < n_groups; g++) {
        aim__whatif_pricer_set_group(p, groups[g]);
        r = aim__db_for_each_tick(db, run->id, groups[g], aim__whatif_pricer_tick, p);
    }
    if (r == 0)
        aim__whatif_pricer_finish(p, ret_totals);
    aim__whatif_pricer_free(p);
    return r;
}
