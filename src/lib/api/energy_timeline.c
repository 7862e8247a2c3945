/* The cumulative energy and carbon curve read from the store (aim__api_energy_timeline_load
 * in api/run_load.h). */
#include <errno.h>

#include "api/run_load.h"
#include "processing/energy_timeline.h"
#include "processing/whatif.h"
#include "store/store.h"

#define NS_PER_S 1e9

int aim__api_energy_timeline_load(aim_db *db, const aim_run_summary *run, size_t buckets,
                                  aim_energy_timeline *tl) {
    double x1 = run->duration_ns > 0 ? (double)run->duration_ns / NS_PER_S : 0;
    aim__energy_timeline_init(tl, 0, x1, buckets);
    aim_whatif_scenario sc[2];
    aim__energy_timeline_scenarios(tl, run, sc);
    aim_whatif_pricer *p = NULL;
    int r = aim__whatif_pricer_new(run, aim__whatif_pue(0, run), sc, 2, &p);
    if (r < 0)
        return aim__db_set_error(db, r, "out of memory");
    const int *groups;
    size_t n_groups = aim__whatif_pricer_groups(p, &groups);
    /* The groups merged in time order: the curve's buckets follow time across devices. */
    aim_series_reader *rd = NULL;
    if (n_groups > 0)
        r = aim__series_reader_open_run(db, run, groups, (int)n_groups, &rd);
    aim_series_tick t;
    while (r == 0 && rd && (r = aim__series_reader_next(rd, &t)) > 0) {
        aim__whatif_pricer_set_group(p, t.group);
        r = aim__whatif_pricer_tick(t.t_rel_ns, t.values, t.valid, p);
    }
    aim__series_reader_free(rd);
    if (r == 0) {
        aim_whatif_totals tot;
        aim__whatif_pricer_finish(p, &tot);
        if ((r = aim__energy_timeline_finish(tl)) < 0)
            aim__db_set_error(db, r, "out of memory");
    }
    aim__whatif_pricer_free(p);
    return r;
}
