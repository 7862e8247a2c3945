/* Per-phase carbon through a back-fill (phase_backfill.h). */
#include "engine/phase_backfill.h"

#include <errno.h>
#include <string.h>

static void on_interval(void *userdata, int dev, int64_t t0_ns, int64_t t1_ns, double carbon_g) {
    aim_phase_backfill *b = userdata;
    aim__phase_repricer_interval(b->repricer, t0_ns, t1_ns, carbon_g);
}

static int store(void *userdata, aim_db *db) {
    aim_phase_backfill *b = userdata;
    aim__phase_repricer_apply(b->repricer, b->workload->phases);
    return aim__db_phase_carbon_update(db, b->run_id, b->workload->phases);
}

int aim__phase_backfill_init(aim_phase_backfill *b, aim_workload *w, int64_t origin_ns,
                            const char *run_id, aim_backfill_hook *hook) {
    memset(b, 0, sizeof *b);
    memset(hook, 0, sizeof *hook);
    const aim_phase_row *rows;
    if (!w->ready || aim__phases_rows(w->phases, &rows) == 0)
        return 1;
    int r = aim__phase_repricer_new(w->phases, origin_ns, &b->repricer);
    if (r < 0)
        return r;
    b->workload = w;
    b->run_id = run_id;
    hook->on_interval = on_interval;
    hook->store = store;
    hook->userdata = b;
    return 0;
}

void aim__phase_backfill_free(aim_phase_backfill *b) {
    aim__phase_repricer_free(b->repricer);
    memset(b, 0, sizeof *b);
}
