/* The carbon stage: the run's carbon and cost (run_carbon.h) priced interval by interval;
 * the grams before and after each interval go down to the workload's phases. At the end,
 * with a live provider, the provider's history may re-price the stored run, the phases
 * with it (phase_backfill.h). */
#include <errno.h>

#include "engine/phase_backfill.h"
#include "engine/session_internal.h"

static int start(aim_session *s) {
    int r = aim__run_carbon_plan(&s->carbon, &s->run, s->run.start_wall_ns, s->start_mono_ns);
    return r < 0 ? aim__session_fail(s, r, "out of memory") : 0;
}

static void interval(aim_session *s, aim_interval *iv) {
    aim_run_carbon *rc = &s->carbon;
    int d = iv->device;
    iv->g0 = aim__run_carbon_device_g(rc, d, iv->e0_j); /* before the interval is accounted */
    aim__run_carbon_account(rc, d, iv->t0_ns, iv->t1_ns, iv->e0_j, iv->e1_j);
    iv->g_edge = iv->edge_j != 0 ? aim__run_carbon_device_g(rc, d, iv->e0_j + iv->edge_j) : iv->g0;
    iv->g1 = aim__run_carbon_device_g(rc, d, iv->e1_j);
}

static void close_run(aim_session *s) { aim__run_carbon_finish(&s->carbon, &s->run); }

static int store(aim_session *s) { return aim__run_carbon_store(&s->carbon, s->db, s->run.id); }

/* Only once every sample is stored: a provider's history may then re-price them. */
static void stored(aim_session *s, int complete) {
    if (!complete)
        return;
    aim_phase_backfill pb;
    aim_backfill_hook hook;
    int pr = aim__phase_backfill_init(&pb, &s->workload, s->start_mono_ns, s->run.id, &hook);
    if (pr < 0)
        hook.cannot = pr == -ERANGE ? "per-phase carbon keeps the live pricing: not every "
                                      "phase instance was kept (store limit)"
                                    : "per-phase carbon keeps the live pricing: out of memory";
    aim__run_carbon_backfill(&s->carbon, s->db, &s->run, &hook);
    aim__phase_backfill_free(&pb);
}

static void release(aim_session *s) { aim__run_carbon_free(&s->carbon); }

const aim_stage aim_stage_carbon = {
    .name = "carbon",
    .start = start,
    .interval = interval,
    .close = close_run,
    .store = store,
    .stored = stored,
    .release = release,
};
